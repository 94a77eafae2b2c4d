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
MATCH (a:Entity {id: $from})
MATCH (b:Entity {id: $to})
MATCH p = allShortestPaths((a)-[*..8]-(b))
WITH p, nodes(p) AS ns, relationships(p) AS rs
RETURN length(p) AS hops,
       reduce(t = ns[0].name, i IN range(0, size(rs) - 1) |
         t + CASE WHEN startNode(rs[i]) = ns[i]
                  THEN ' -[' + type(rs[i]) + ' ' + rs[i].status + ']-> '
                  ELSE ' <-[' + type(rs[i]) + ' ' + rs[i].status + ']- ' END + ns[i + 1].name) AS path
ORDER BY path
LIMIT 25
