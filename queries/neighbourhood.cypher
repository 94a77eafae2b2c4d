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
MATCH (x:Entity {id: $entity})
CALL (x) {
  MATCH (x)-[*1..1]-(n) RETURN DISTINCT n, 1 AS d
  UNION
  MATCH (x)-[*2..2]-(n) WHERE $depth >= 2 RETURN DISTINCT n, 2 AS d
  UNION
  MATCH (x)-[*3..3]-(n) WHERE $depth >= 3 RETURN DISTINCT n, 3 AS d
}
WITH x, n, min(d) AS distance
WHERE n <> x
RETURN distance,
       n.id AS id,
       n.name AS name,
       [l IN labels(n) WHERE NOT l IN ['Entity', 'Agent']][0] AS class
ORDER BY distance, name, id
