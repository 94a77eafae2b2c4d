// name: coverage
// title: Coverage of the region, country by theme
// description: >-
//   For each of the seven countries (RS, BA, ME, MK, AL, XK, HR; XK is the code in common use for Kosovo,
//   which has no ISO 3166-1 code) and each of the six themes of the
//   ontology's `themes` property (police-cooperation, police-stations, surveillance, defence,
//   infrastructure, diplomacy): how many fact nodes of that theme reach the country, how many
//   relationships touch those facts, and the coverage-gap records kept for the cell. A fact reaches a
//   country when the fact itself, or a node linked to it in either direction, is the country or lies in
//   it (PART_OF or LOCATED_IN, up to four links up). status
//   is ok (three facts or more), gap recorded (fewer, with a CoverageGap record saying what was searched)
//   or missing.
// mode: read
// example: wbkg query run coverage
WITH [['RS', 'serbia'], ['BA', 'bosnia-and-herzegovina'], ['ME', 'montenegro'], ['MK', 'north-macedonia'],
      ['AL', 'albania'], ['XK', 'kosovo'], ['HR', 'croatia']] AS countries,
     ['police-cooperation', 'police-stations', 'surveillance', 'defence', 'infrastructure', 'diplomacy'] AS themes
UNWIND range(0, size(countries) - 1) AS ci
MATCH (c:State {id: countries[ci][1]})
// from the country down to what lies in it, then one link out: each node is visited once per country,
// not once per country and theme
CALL (c) {
  MATCH (x)-[:PART_OF|LOCATED_IN*0..4]->(c)
  WITH DISTINCT x
  MATCH (x)-[*0..1]-(f:Entity)
  WHERE f.themes IS NOT NULL
  RETURN collect(DISTINCT f) AS reached
}
UNWIND range(0, size(themes) - 1) AS ti
WITH c, countries[ci][0] AS code, ci, ti, themes[ti] AS theme, reached
WITH code, ci, ti, theme, [f IN reached WHERE theme IN f.themes] AS facts
CALL (facts) {
  UNWIND facts AS f
  OPTIONAL MATCH (f)-[r]-() WHERE NOT r:SOURCED_BY  // not the derived links to sources (graph.schema)
  RETURN count(DISTINCT r) AS links
}
CALL (code, theme) {
  OPTIONAL MATCH (g:CoverageGap {country: code, theme: theme})
  WITH g ORDER BY g.id
  RETURN collect(g.id) AS gaps
}
RETURN code AS country, theme, size(facts) AS facts, links, gaps,
       CASE WHEN size(facts) >= 3 THEN 'ok' WHEN size(gaps) > 0 THEN 'gap recorded' ELSE 'missing' END AS status
ORDER BY ci, ti
