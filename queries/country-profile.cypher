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
WITH trim($country) AS country_text  // an id, an ISO code, or a unique name or alias in any case
WITH country_text, COLLECT { MATCH (n:State {id: country_text}) RETURN n } AS country_by_id,
     COLLECT { MATCH (n:State) WHERE n.iso_code = toUpper(country_text) RETURN n } AS country_by_code,
     COLLECT {
       CALL db.index.fulltext.queryNodes('entity_names', '"' + replace(replace(country_text, '\\', '\\\\'), '"', '\\"') + '"') YIELD node
       WHERE node:State AND (toLower(node.name) = toLower(country_text)
             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower(country_text)))
       RETURN DISTINCT node ORDER BY node.id
     } AS country_by_name
UNWIND CASE WHEN size(country_by_id) = 1 THEN country_by_id
            WHEN size(country_by_code) = 1 THEN country_by_code
            WHEN size(country_by_name) = 1 THEN country_by_name ELSE [] END AS c
CALL (c) {
  MATCH (c)<-[:PART_OF|LOCATED_IN*0..4]-(m)
  RETURN DISTINCT m
}
MATCH (m)-[r:!SOURCED_BY]-()
WITH DISTINCT r
WITH r, startNode(r).name + ' -> ' + endNode(r).name + ' (' + r.status + ')' AS text
ORDER BY text
RETURN type(r) AS link, count(*) AS count, collect(text) AS links
ORDER BY link
