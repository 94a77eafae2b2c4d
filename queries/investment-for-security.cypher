// name: investment-for-security
// title: Chinese-backed infrastructure meeting security cooperation
// description: >-
//   Places in a country (and the country as a whole) where a project financed or built with Chinese
//   participation (a backer tied to China, or a project of a China-led programme such as the Belt and Road) and a security-cooperation item (a patrol round or exercise, a police programme deployed
//   there, a procurement) are both found; each leg listed with its dates and sources (titles and addresses,
//   sorted, joined by ' | ').
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
// mode: read
// example: wbkg query run investment-for-security -p country RS
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
MATCH (c)<-[:LOCATED_IN|PART_OF*0..3]-(place)
WHERE place = c OR place:Place
WITH DISTINCT c, place
WITH c, place,
     COLLECT {
       MATCH (place)<-[:LOCATED_IN|PART_OF*0..3]-()<-[:LOCATED_IN]-(proj:Project)
       OPTIONAL MATCH (proj)<-[:FINANCES|CONTRACTOR_OF|PARTICIPATES_IN]-(backer:Agent)
       WITH proj, backer,
            EXISTS { MATCH (backer)-[:PART_OF|LOCATED_IN|MEMBER_OF|OWNS|CONTROLS*0..4]-(:State {iso_code: 'CN'}) } AS chinese
       WITH proj, [b IN collect(CASE WHEN chinese THEN backer END) WHERE b IS NOT NULL | b.name] AS backers
       WHERE size(backers) > 0
          OR EXISTS { MATCH (proj)-[:PART_OF*1..3]->(:Program)<-[:ORGANIZES]-(:State {iso_code: 'CN'}) }
       WITH proj, backers ORDER BY coalesce(proj.start, ''), proj.name
       RETURN proj.name + ' (' + coalesce(proj.start, 'undated') + coalesce('; with ' + reduce(s = null, b IN backers | coalesce(s + ', ', '') + b), '') + '; sources: ' +
              reduce(s = '', x IN COLLECT { MATCH (src:Source) WHERE src.id IN proj.sources RETURN src.title + coalesce(' (' + src.url + ')', '') AS t ORDER BY t } | s + CASE s WHEN '' THEN '' ELSE ' | ' END + x) + ')'
     } AS infrastructure,
     COLLECT {
       CALL (place) {
         MATCH (place)<-[:LOCATED_IN|PART_OF*0..3]-()<-[:LOCATED_IN]-(e:Event)
         WHERE e.kind IN ['patrol-round', 'exercise']
         RETURN e AS item, coalesce(e.start, e.date) AS d
         UNION
         MATCH (place)<-[:LOCATED_IN|PART_OF*0..3]-()<-[:DEPLOYED_TO]-(p:Program)
         RETURN p AS item, p.start AS d
         UNION
         MATCH (place)<-[:LOCATED_IN|PART_OF*0..3]-()<-[:LOCATED_IN]-(p:Procurement)
         RETURN p AS item, coalesce(p.date, p.date_label) AS d
       }
       WITH DISTINCT item, d ORDER BY coalesce(d, ''), item.name
       RETURN item.name + ' (' + coalesce(d, 'undated') + '; sources: ' +
              reduce(s = '', x IN COLLECT { MATCH (src:Source) WHERE src.id IN item.sources RETURN src.title + coalesce(' (' + src.url + ')', '') AS t ORDER BY t } | s + CASE s WHEN '' THEN '' ELSE ' | ' END + x) + ')'
     } AS security
WHERE size(infrastructure) > 0 AND size(security) > 0
RETURN place.name AS place,
       CASE WHEN place = c THEN 'country' ELSE place.kind END AS level,
       infrastructure,
       security
ORDER BY CASE WHEN place = c THEN 0 ELSE 1 END, place
