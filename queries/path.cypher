// name: path
// title: Shortest paths between two entities
// description: >-
//   Every shortest path (up to eight links) between two entities, whatever the direction of the links, written
//   out hop by hop with each link's type, direction and status.
// params:
//   - name: from
//     type: entity
//     description: one end, by id, name or alias
//   - name: to
//     type: entity
//     description: the other end, by id, name or alias
// mode: read
// example: wbkg query run path -p from Hytera -p to China
WITH trim($from) AS from_text  // an id, or a unique name or alias in any case
WITH from_text, COLLECT { MATCH (n:Entity {id: from_text}) RETURN n } AS from_by_id,
     COLLECT {
       CALL db.index.fulltext.queryNodes('entity_names', '"' + replace(replace(from_text, '\\', '\\\\'), '"', '\\"') + '"') YIELD node
       WHERE node:Entity AND (toLower(node.name) = toLower(from_text)
             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower(from_text)))
       RETURN DISTINCT node ORDER BY node.id
     } AS from_by_name
UNWIND CASE WHEN size(from_by_id) = 1 THEN from_by_id
            WHEN size(from_by_name) = 1 THEN from_by_name ELSE [] END AS a
WITH a, trim($to) AS to_text  // an id, or a unique name or alias in any case
WITH a, to_text, COLLECT { MATCH (n:Entity {id: to_text}) RETURN n } AS to_by_id,
     COLLECT {
       CALL db.index.fulltext.queryNodes('entity_names', '"' + replace(replace(to_text, '\\', '\\\\'), '"', '\\"') + '"') YIELD node
       WHERE node:Entity AND (toLower(node.name) = toLower(to_text)
             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower(to_text)))
       RETURN DISTINCT node ORDER BY node.id
     } AS to_by_name
UNWIND CASE WHEN size(to_by_id) = 1 THEN to_by_id
            WHEN size(to_by_name) = 1 THEN to_by_name ELSE [] END AS b
MATCH p = allShortestPaths((a)-[*..8]-(b))
WHERE none(r IN relationships(p) WHERE r:SOURCED_BY)
WITH p, nodes(p) AS ns, relationships(p) AS rs
RETURN length(p) AS hops,
       reduce(t = ns[0].name, i IN range(0, size(rs) - 1) |
         t + CASE WHEN startNode(rs[i]) = ns[i]
                  THEN ' -[' + type(rs[i]) + ' ' + rs[i].status + ']-> '
                  ELSE ' <-[' + type(rs[i]) + ' ' + rs[i].status + ']- ' END + ns[i + 1].name) AS path
ORDER BY path
LIMIT 25
