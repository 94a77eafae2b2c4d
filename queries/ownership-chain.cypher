// name: ownership-chain
// title: Ownership chain of a firm
// description: >-
//   Every OWNS path from a firm up to its ultimate owners (owners nobody is recorded as owning), at most six
//   links long. effective_share multiplies the shares on the path; share_low and share_high bound it where a
//   link gives only share_min/share_max; each is null where a figure is unknown (never 0). Two figures that
//   different sources give for one stake are two links, so they come out as rows side by side (links names
//   them). owner_kind and owner_state tell what the owner is and which state it is or belongs to; statuses
//   and claims show disputed links. contested false leaves out disputed and denied links. Only OWNS is
//   followed (CONTROLS, control without a known stake, is shown by state-linked-suppliers). as_of keeps the
//   links in force at some time in a period (a year or month stands for all its days; a link without dates
//   is kept); null means no time filter. Rows are ordered by length, owner, chain and link ids.
// params:
//   - name: entity
//     type: entity
//     description: the firm, by id, name or alias
//   - name: contested
//     type: boolean
//     default: true
//     description: include disputed and denied links
//   - name: as_of
//     type: date
//     default: null
//     description: only links in force at some time in this period (YYYY, YYYY-MM or YYYY-MM-DD); null for all
// mode: read
// example: wbkg query run ownership-chain -p entity Hytera
WITH trim($entity) AS entity_text  // an id, or a unique name or alias in any case
WITH entity_text, COLLECT { MATCH (n:Entity {id: entity_text}) RETURN n } AS entity_by_id,
     COLLECT {
       CALL db.index.fulltext.queryNodes('entity_names', '"' + replace(replace(entity_text, '\\', '\\\\'), '"', '\\"') + '"') YIELD node
       WHERE node:Entity AND (toLower(node.name) = toLower(entity_text)
             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower(entity_text)))
       RETURN DISTINCT node ORDER BY node.id
     } AS entity_by_name
UNWIND CASE WHEN size(entity_by_id) = 1 THEN entity_by_id
            WHEN size(entity_by_name) = 1 THEN entity_by_name ELSE [] END AS firm
// the period's first and last day: 2019 is 2019-01-01 to 2019-12-31, 2019-02 is 2019-02-01 to 2019-02-31 (an
// upper bound on text); a link's begin is compared with the last day cut to its own precision, its end with
// the first day likewise ('' and '9999' stand for an unknown begin or end, which never exclude)
WITH firm, $as_of + substring('-01-01', size($as_of) - 4) AS first_day,
     $as_of + substring('-12-31', size($as_of) - 4) AS last_day
MATCH path = (owner:Agent)-[:OWNS*1..6]->(firm)
WHERE ($contested OR none(r IN relationships(path) WHERE r.status IN ['disputed', 'denied']))
  AND (last_day IS NULL OR all(r IN relationships(path) WHERE
         coalesce(r.start, r.date, '') <= left(last_day, size(coalesce(r.start, r.date, '')))
         AND coalesce(r.end, '9999') >= left(first_day, size(coalesce(r.end, '9999')))))
  AND NOT EXISTS {
    MATCH (:Agent)-[above:OWNS]->(owner)
    WHERE ($contested OR NOT above.status IN ['disputed', 'denied'])
      AND (last_day IS NULL
           OR coalesce(above.start, above.date, '') <= left(last_day, size(coalesce(above.start, above.date, '')))
              AND coalesce(above.end, '9999') >= left(first_day, size(coalesce(above.end, '9999'))))
  }
WITH firm, owner, reverse(nodes(path)) AS chain, reverse(relationships(path)) AS links
RETURN owner.name AS ultimate_owner,
       toLower([l IN ['State', 'Agency', 'Firm', 'Organization', 'Person'] WHERE l IN labels(owner)][0]) AS owner_kind,
       CASE WHEN owner:State THEN owner.name
            ELSE COLLECT { MATCH (owner)-[:PART_OF*1..4]->(s:State) RETURN s.name ORDER BY s.name LIMIT 1 }[0]
       END AS owner_state,
       [n IN chain | n.name] AS chain,
       [r IN links | r.share] AS shares,
       CASE WHEN any(r IN links WHERE r.share IS NULL) THEN null
            ELSE reduce(s = 1.0, r IN links | s * r.share / 100.0) END AS effective_share,
       CASE WHEN any(r IN links WHERE coalesce(r.share, r.share_min) IS NULL) THEN null
            ELSE reduce(s = 1.0, r IN links | s * coalesce(r.share, r.share_min) / 100.0) END AS share_low,
       CASE WHEN any(r IN links WHERE coalesce(r.share, r.share_max) IS NULL) THEN null
            ELSE reduce(s = 1.0, r IN links | s * coalesce(r.share, r.share_max) / 100.0) END AS share_high,
       [r IN links | r.status] AS statuses,
       [r IN links WHERE r.claim IS NOT NULL | r.claim] AS claims,
       [r IN links | r.id] AS links
ORDER BY size(chain), ultimate_owner, chain, links
