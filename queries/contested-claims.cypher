// name: contested-claims
// title: Contested claims
// description: >-
//   Each claim that an actor denies or a source contradicts: the statement, who asserts it, who denies it,
//   which sources contradict it, the sources on each side and what it concerns. Every source (contradicting,
//   or on a side) is given as "title (address)" (the title alone when there is no address), sorted, which is
//   by title, then address.
// mode: read
// example: wbkg query run contested-claims --format json
MATCH (c:Claim)
WHERE EXISTS { MATCH (c)<-[:DENIES|CONTRADICTS]-() }
RETURN c.id AS claim,
       c.statement AS statement,
       c.status AS status,
       COLLECT { MATCH (c)<-[:ASSERTS]-(a) WITH DISTINCT a ORDER BY a.name RETURN a.name } AS asserted_by,
       COLLECT { MATCH (c)<-[:DENIES]-(d) WITH DISTINCT d ORDER BY d.name RETURN d.name } AS denied_by,
       COLLECT { MATCH (c)<-[:CONTRADICTS]-(s) WITH DISTINCT s.title + coalesce(' (' + s.url + ')', '') AS t
                 ORDER BY t RETURN t } AS contradicted_by,
       COLLECT {
         MATCH (c)<-[r:ASSERTS]-(a) UNWIND r.sources + CASE WHEN a:Source THEN [a.id] ELSE [] END AS s
         MATCH (src:Entity {id: s}) WHERE src:Source
         WITH DISTINCT src.title + coalesce(' (' + src.url + ')', '') AS source ORDER BY source RETURN source
       } AS sources_asserting,
       COLLECT {
         MATCH (c)<-[r:DENIES|CONTRADICTS]-(d) UNWIND r.sources + CASE WHEN d:Source THEN [d.id] ELSE [] END AS s
         MATCH (src:Entity {id: s}) WHERE src:Source
         WITH DISTINCT src.title + coalesce(' (' + src.url + ')', '') AS source ORDER BY source RETURN source
       } AS sources_denying,
       COLLECT { MATCH (c)-[:CONCERNS]->(x) WITH DISTINCT x ORDER BY x.name RETURN x.name } AS concerns
ORDER BY claim
