// name: police-presence
// title: Chinese police presence in a country
// description: >-
//   Joint patrol rounds held in a country (year, officers, cities), police service stations located there,
//   and police programmes deployed there. Each row gives the status of the links that place it there, the
//   claims it belongs to, who denies them, and any closure. as_of keeps what was there at some time in a
//   period (a year or a month stands for all its days): a row counts when the item began no later than the
//   period's last day and did not end before its first day, and so do the links that place it (only those
//   count for places, statuses and claims). An item begins at its start, else its date, else its founding,
//   and ends at its end (a patrol round or other event without an end, at its date); a link begins at its
//   start, else its date, and ends at its end. Whatever has none of these dates is kept (unknown is not
//   excluded); a closure event is listed but does not end a station. Without as_of (null), no time filter.
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
//   - name: as_of
//     type: date
//     default: null
//     description: only what was there at some time in this period (YYYY, YYYY-MM or YYYY-MM-DD); null for all
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
// the period's first and last day (2019: 2019-01-01 to 2019-12-31; 2019-02: to 2019-02-31, an upper bound on
// text); a begin is compared with the last day cut to its own precision, an end with the first day likewise
WITH what, item, place, r, $as_of + substring('-01-01', size($as_of) - 4) AS first_day,
     $as_of + substring('-12-31', size($as_of) - 4) AS last_day,
     [coalesce(item.start, item.date, item.founded, ''),
      coalesce(item.end, CASE WHEN item:Event THEN coalesce(item.date, item.start) END, '9999'),
      coalesce(r.start, r.date, ''), coalesce(r.end, '9999')] AS span
WHERE last_day IS NULL
   OR (span[0] <= left(last_day, size(span[0])) AND span[1] >= left(first_day, size(span[1]))
       AND span[2] <= left(last_day, size(span[2])) AND span[3] >= left(first_day, size(span[3])))
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
