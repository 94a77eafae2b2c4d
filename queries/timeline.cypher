// name: timeline
// title: Timeline of a country
// description: >-
//   Events located in a country (or in its places), or run by its agencies, in date order between two dates
//   (inclusive, at any precision: 2019 covers all of 2019), with the date as the source gives it and its
//   precision (year, month or day).
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
//   - name: from
//     type: date
//     default: "1900"
//     description: first date (YYYY, YYYY-MM or YYYY-MM-DD)
//   - name: to
//     type: date
//     default: "2100"
//     description: last date (YYYY, YYYY-MM or YYYY-MM-DD)
// mode: read
// example: wbkg query run timeline -p country RS -p from 2019 -p to 2023
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
  MATCH (c)<-[:LOCATED_IN|PART_OF*0..3]-()<-[:LOCATED_IN]-(e:Event)
  RETURN e
  UNION
  MATCH (c)<-[:PART_OF*0..3]-(:Agent)-[:ORGANIZES]->(e:Event)
  RETURN e
}
WITH DISTINCT e, coalesce(e.date, e.start) AS d
WHERE d IS NOT NULL AND left(d, size($from)) >= $from AND left(d, size($to)) <= $to
RETURN d AS date,
       CASE size(d) WHEN 4 THEN 'year' WHEN 7 THEN 'month' ELSE 'day' END AS precision,
       e.date_label AS date_label,
       e.kind AS kind,
       e.name AS event,
       e.end AS end
ORDER BY date, event
