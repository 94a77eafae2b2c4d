// name: state-linked-suppliers
// title: State-linked suppliers of security technology
// description: >-
//   Firms that supply security or surveillance technology procured by a country's agencies (or by the state
//   itself), with each firm's paths up to the agents that stand behind it (the status of each link, and the state
//   an owner is or belongs to), and any restriction a US body has placed on the firm. A path follows OWNS and
//   CONTROLS links (control without a known stake, written "control" before the link's status) up to an agent
//   that nobody is recorded as owning or controlling.
// params:
//   - name: country
//     type: country
//     description: the buying country, by ISO code, id or name
// mode: read
// example: wbkg query run state-linked-suppliers -p country RS
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
MATCH (c)<-[:PART_OF*0..4]-(buyer:Agent)-[:PROCURES]->(p:Procurement)<-[:SUPPLIES]-(firm:Firm)
WITH c, firm, p, collect(DISTINCT buyer.name) AS buyers
RETURN firm.name AS supplier,
       p.name AS procurement,
       p.product AS product,
       buyers,
       coalesce(p.date, p.date_label) AS date,
       COLLECT {
         MATCH path = (owner:Agent)-[:OWNS|CONTROLS*1..6]->(firm)
         WHERE NOT EXISTS { MATCH (:Agent)-[:OWNS|CONTROLS]->(owner) }
         WITH path, owner,
              CASE WHEN owner:State THEN owner.name
                   ELSE COLLECT { MATCH (owner)-[:PART_OF*1..4]->(s:State) RETURN s.name ORDER BY s.name LIMIT 1 }[0]
              END AS state
         WITH path, owner, state ORDER BY length(path), owner.name, [r IN reverse(relationships(path)) | r.id]
         RETURN reduce(t = firm.name, r IN reverse(relationships(path)) |
                  t + ' <-[' + CASE type(r) WHEN 'CONTROLS' THEN 'control, ' ELSE '' END
                  + coalesce(toString(r.share) + '%, ', '') + r.status + ']- ' + startNode(r).name)
                + coalesce(' (state: ' + state + ')', '')
       } AS ownership,
       COLLECT {
         MATCH (us:State {iso_code: 'US'})<-[:PART_OF*0..3]-(body:Agent)-[rr:RESTRICTS]->(firm)
         WITH body, rr ORDER BY coalesce(rr.date, rr.start, ''), body.name
         RETURN body.name + ': ' + rr.instrument + coalesce(' (' + coalesce(rr.date, rr.start) + ')', '')
       } AS us_restrictions
ORDER BY supplier, procurement
