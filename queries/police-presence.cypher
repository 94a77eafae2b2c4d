// name: police-presence
// title: Chinese police presence in a country
// description: >-
//   Joint patrol rounds held in a country (year, officers, cities), police service stations located there,
//   and police programmes deployed there. Each row gives the status of the links that place it there, the
//   claims it belongs to, who denies them, and any closure.
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
// mode: read
// example: wbkg query run police-presence -p country Serbia
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
  MATCH (c)<-[:LOCATED_IN|PART_OF*0..3]-(place)<-[r:LOCATED_IN]-(e:Event {kind: 'patrol-round'})
  RETURN 'patrol-round' AS what, e AS item, place, r
  UNION
  MATCH (c)<-[:LOCATED_IN|PART_OF*0..3]-(place)<-[r:LOCATED_IN]-(o:Organization {kind: 'police-service-station'})
  RETURN 'service-station' AS what, o AS item, place, r
  UNION
  MATCH (c)<-[:LOCATED_IN|PART_OF*0..3]-(place)<-[r:DEPLOYED_TO]-(p:Program)
  WHERE p.kind IN ['joint-patrol', 'police-network']
  RETURN 'deployment' AS what, p AS item, place, r
}
WITH what, item, collect(DISTINCT place.name) AS places, collect(DISTINCT r.status) AS statuses,
     [x IN collect(DISTINCT r.claim) WHERE x IS NOT NULL] AS link_claims
WITH what, item, places, statuses,
     link_claims + COLLECT { MATCH (cl:Claim)-[:CONCERNS]->(item) RETURN cl.id } AS claim_ids
RETURN what,
       item.name AS name,
       left(coalesce(item.start, item.date, item.founded), 4) AS year,
       item.officers AS officers,
       COLLECT { UNWIND places AS x WITH x ORDER BY x RETURN x } AS places,
       COLLECT { UNWIND statuses AS x WITH x ORDER BY x RETURN x } AS statuses,
       COLLECT { UNWIND claim_ids AS cid WITH DISTINCT cid ORDER BY cid RETURN cid } AS claims,
       COLLECT {
         MATCH (who:Agent)-[:DENIES]->(cl:Claim) WHERE cl.id IN claim_ids
         WITH DISTINCT who ORDER BY who.name RETURN who.name
       } AS denied_by,
       COLLECT {
         MATCH (item)-[:PARTICIPATES_IN|PART_OF]->(x:Event {kind: 'closure'})
         WITH x ORDER BY x.date RETURN x.name + ' (' + coalesce(x.date, '?') + ')'
       } AS closures
ORDER BY what, year, name
