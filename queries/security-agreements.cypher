// name: security-agreements
// title: Security agreements and cooperation programmes with China
// description: >-
//   Agreements, memoranda and cooperation programmes that bind a country (or its agencies) and China (or
//   its agencies): kind, parties, date as the source gives it, status of the party links and sources (those of the
//   agreement or programme and of its party links). Sources are given as "title (address)" (the title alone
//   when there is no address), sorted, which is by title, then address.
// params:
//   - name: country
//     type: country
//     description: the country, by ISO code, id or name
// mode: read
// example: wbkg query run security-agreements -p country HR
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
MATCH (c)<-[:PART_OF*0..4]-(party:Agent)-[:PARTY_TO|PARTICIPATES_IN|ORGANIZES|MEMBER_OF]->(a)
WHERE (a:Agreement OR a:Program)
  AND EXISTS {
    MATCH (cn:State {iso_code: 'CN'})<-[:PART_OF*0..4]-(:Agent)-[:PARTY_TO|PARTICIPATES_IN|ORGANIZES|MEMBER_OF]->(a)
  }
WITH DISTINCT a
RETURN CASE WHEN a:Agreement THEN 'agreement' ELSE 'programme' END AS what,
       a.kind AS kind,
       a.name AS name,
       coalesce(a.signed, a.start, a.signed_label) AS date,
       COLLECT {
         MATCH (p:Agent)-[r:PARTY_TO|PARTICIPATES_IN|ORGANIZES|MEMBER_OF]->(a)
         WITH p, r ORDER BY p.name
         RETURN p.name + ' (' + toLower(type(r)) + ', ' + r.status + ')'
       } AS parties,
       COLLECT {
         UNWIND coalesce(a.sources, []) + reduce(acc = [], l IN
           [(:Agent)-[r:PARTY_TO|PARTICIPATES_IN|ORGANIZES|MEMBER_OF]->(a) | r.sources] | acc + l) AS s
         MATCH (src:Entity {id: s}) WHERE src:Source
         WITH DISTINCT src.title + coalesce(' (' + src.url + ')', '') AS source ORDER BY source
         RETURN source
       } AS sources
ORDER BY date, name
