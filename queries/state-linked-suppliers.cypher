// name: state-linked-suppliers
// title: State-linked suppliers of security technology
// description: >-
//   Firms that supply security or surveillance technology procured by a country's agencies (or by the state
//   itself), with each firm's ownership paths up to its ultimate owners (the status of each link, and the state an
//   owner is or belongs to), and any restriction a US body has placed on the firm.
// params:
//   - name: country
//     type: country
//     description: the buying country, by ISO code, id or name
// mode: read
// example: wbkg query run state-linked-suppliers -p country RS
MATCH (c:State {id: $country})<-[:PART_OF*0..4]-(buyer:Agent)-[:PROCURES]->(p:Procurement)<-[:SUPPLIES]-(firm:Firm)
WITH c, firm, p, collect(DISTINCT buyer.name) AS buyers
RETURN firm.name AS supplier,
       p.name AS procurement,
       p.product AS product,
       buyers,
       coalesce(p.date, p.date_label) AS date,
       COLLECT {
         MATCH path = (owner:Agent)-[:OWNS*1..6]->(firm)
         WHERE NOT EXISTS { MATCH (:Agent)-[:OWNS]->(owner) }
         WITH path, owner,
              CASE WHEN owner:State THEN owner.name
                   ELSE COLLECT { MATCH (owner)-[:PART_OF*1..4]->(s:State) RETURN s.name ORDER BY s.name LIMIT 1 }[0]
              END AS state
         WITH path, owner, state ORDER BY length(path), owner.name
         RETURN reduce(t = firm.name, r IN reverse(relationships(path)) |
                  t + ' <-[' + coalesce(toString(r.share) + '%, ', '') + r.status + ']- ' + startNode(r).name)
                + coalesce(' (state: ' + state + ')', '')
       } AS ownership,
       COLLECT {
         MATCH (us:State {iso_code: 'US'})<-[:PART_OF*0..3]-(body:Agent)-[rr:RESTRICTS]->(firm)
         WITH body, rr ORDER BY coalesce(rr.date, rr.start, ''), body.name
         RETURN body.name + ': ' + rr.instrument + coalesce(' (' + coalesce(rr.date, rr.start) + ')', '')
       } AS us_restrictions
ORDER BY supplier, procurement
