// name: country-profile
// title: Profile of a country
// description: >-
//   For one country, every kind of link that touches it, its agencies, places, or the things located there:
//   the relationship type, how many such links there are, and the list of them with their status.
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
// mode: read
// example: wbkg query run country-profile -p country BA
MATCH (c:State {id: $country})
CALL (c) {
  MATCH (c)<-[:PART_OF|LOCATED_IN*0..4]-(m)
  RETURN DISTINCT m
}
MATCH (m)-[r]-()
WITH DISTINCT r
WITH r, startNode(r).name + ' -> ' + endNode(r).name + ' (' + r.status + ')' AS text
ORDER BY text
RETURN type(r) AS link, count(*) AS count, collect(text) AS links
ORDER BY link
