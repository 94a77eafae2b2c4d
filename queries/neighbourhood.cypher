// name: neighbourhood
// title: Neighbourhood of an entity
// description: >-
//   Everything within `depth` links of an entity (1 to 3; more is capped at 3), whatever the direction, with
//   its class and its distance (the fewest links between them).
// params:
//   - name: entity
//     type: entity
//     description: the entity, by id, name or alias
//   - name: depth
//     type: integer
//     default: "1"
//     description: how many links away (1 to 3)
// mode: read
// example: wbkg query run neighbourhood -p entity hytera -p depth 2
WITH trim($entity) AS entity_text  // an id, or a unique name or alias in any case
WITH entity_text, COLLECT { MATCH (n:Entity {id: entity_text}) RETURN n } AS entity_by_id,
     COLLECT {
       CALL db.index.fulltext.queryNodes('entity_names', '"' + replace(replace(entity_text, '\\', '\\\\'), '"', '\\"') + '"') YIELD node
       WHERE node:Entity AND (toLower(node.name) = toLower(entity_text)
             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower(entity_text)))
       RETURN DISTINCT node ORDER BY node.id
     } AS entity_by_name
UNWIND CASE WHEN size(entity_by_id) = 1 THEN entity_by_id
            WHEN size(entity_by_name) = 1 THEN entity_by_name ELSE [] END AS x
CALL (x) {
  MATCH (x)-[r]-(n) WHERE NOT r:SOURCED_BY RETURN DISTINCT n, 1 AS d
  UNION
  MATCH p = (x)-[*2..2]-(n) WHERE $depth >= 2 AND none(r IN relationships(p) WHERE r:SOURCED_BY) RETURN DISTINCT n, 2 AS d
  UNION
  MATCH p = (x)-[*3..3]-(n) WHERE $depth >= 3 AND none(r IN relationships(p) WHERE r:SOURCED_BY) RETURN DISTINCT n, 3 AS d
}
WITH x, n, min(d) AS distance
WHERE n <> x
RETURN distance,
       n.id AS id,
       n.name AS name,
       [l IN labels(n) WHERE NOT l IN ['Entity', 'Agent']][0] AS class
ORDER BY distance, name, id
