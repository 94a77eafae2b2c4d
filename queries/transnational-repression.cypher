// name: transnational-repression
// title: Transnational repression
// description: >-
//   Intimidation, surveillance, detention, hacking, pressure or forced return aimed at dissidents, diaspora
//   members or protesters: who or what is targeted, how, who is reported responsible (and what that actor is
//   part of), when, the status of the report, who denies it, and the sources of the link, as "title (address)"
//   (the title alone when there is no address), sorted, which is by title, then address.
// mode: read
// example: wbkg query run transnational-repression
MATCH (actor)-[t:TARGETS]->(target)
RETURN target.name AS target,
       t.kind AS kind,
       actor.name AS responsible,
       COLLECT { MATCH (actor)-[:PART_OF*1..3]->(up) WITH DISTINCT up ORDER BY up.name RETURN up.name } AS part_of,
       coalesce(t.date, t.start) AS date,
       t.date_label AS date_label,
       t.status AS status,
       COLLECT {
         MATCH (who)-[:DENIES]->(cl:Claim {id: t.claim}) WITH DISTINCT who ORDER BY who.name RETURN who.name
       } AS denied_by,
       COLLECT {
         UNWIND t.sources AS s
         MATCH (src:Entity {id: s}) WHERE src:Source
         WITH DISTINCT src.title + coalesce(' (' + src.url + ')', '') AS source ORDER BY source
         RETURN source
       } AS sources
ORDER BY date, target, responsible, kind
