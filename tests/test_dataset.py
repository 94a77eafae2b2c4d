"""The curated dataset: it validates, loads with exact counts, reloads without change, and every
fact is sourced. The key stories of the article are in the graph with their contestation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wbkg.cli import cli
from wbkg.config import Config
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.rdf.validate import validate_paths

DATA = Path(__file__).resolve().parents[1] / "data"

NODE_COUNTS = {
    "Agency": 54, "Agreement": 30, "Claim": 9, "CoverageGap": 17, "Donation": 7, "Event": 93, "Firm": 43,
    "Organization": 22, "Person": 26, "Place": 48, "Procurement": 12, "Program": 11, "Project": 14, "Source": 233,
    "State": 21,
}
REL_COUNTS = {
    "AFFILIATED_WITH": 23, "ASSERTS": 14, "CONCERNS": 20, "CONTRACTOR_OF": 12, "CONTRADICTS": 9, "CONTROLS": 1,
    "CONVICTED_IN": 4,
    "DENIES": 4, "DEPLOYED_TO": 16, "DOES_NOT_RECOGNIZE": 3, "DONATES": 7, "FINANCES": 7, "LED_TO": 18,
    "LITIGATES": 2, "LOCATED_IN": 157, "MEMBER_OF": 1, "ORGANIZES": 49, "OWNS": 18, "PARTICIPATES_IN": 93,
    "PARTY_TO": 62, "PART_OF": 115, "PROCURES": 12, "RECEIVES": 7, "RECOGNIZES": 1, "RESTRICTS": 21, "SUPPLIES": 13,
    "TARGETS": 10,
}


def fingerprint(graph: Graph) -> str:
    """A hash of every node (labels, properties) and relationship (type, ends, properties)."""
    nodes = graph.rows("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props")
    rels = graph.rows("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props")
    canon = json.dumps(
        [sorted(nodes, key=lambda r: r["id"]), sorted(rels, key=lambda r: (r["t"], r["props"].get("id", "")))],
        sort_keys=True, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


@pytest.fixture(scope="module")
def curated(graph_db: Graph, neo4j_cfg: Config) -> Graph:
    graph_db.rows("MATCH (n) WHERE NOT n:WbkgTestMarker DETACH DELETE n", write=True)
    summary = load(graph_db, validate_paths([DATA], neo4j_cfg.base_iri), progress=False)
    assert summary.created == {**NODE_COUNTS, **REL_COUNTS}
    assert not any(summary.updated.values())
    return graph_db


def test_validate_cli() -> None:
    result = CliRunner().invoke(cli, ["validate", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "ok: 19 file(s), 640 nodes, 699 relationships"


def test_counts_per_label(curated: Graph) -> None:
    rows = curated.rows("MATCH (n:Entity) RETURN [l IN labels(n) WHERE NOT l IN ['Entity', 'Agent']][0] AS label, "
                        "count(*) AS n ORDER BY label")
    assert {r["label"]: r["n"] for r in rows} == NODE_COUNTS
    agents = curated.rows("MATCH (n:Agent) RETURN count(n) AS n")[0]["n"]
    assert agents == sum(NODE_COUNTS[c] for c in ("State", "Agency", "Firm", "Organization", "Person"))


def test_counts_per_type(curated: Graph) -> None:
    rows = curated.rows("MATCH ()-[r]->() WHERE NOT r:SOURCED_BY RETURN type(r) AS t, count(*) AS n ORDER BY t")
    assert {r["t"]: r["n"] for r in rows} == REL_COUNTS


def test_reload_changes_nothing(curated: Graph, neo4j_cfg: Config) -> None:
    before = fingerprint(curated)
    summary = load(curated, validate_paths([DATA], neo4j_cfg.base_iri), progress=False)
    assert not summary.changed
    assert sum(summary.unchanged.values()) == sum(NODE_COUNTS.values()) + sum(REL_COUNTS.values())
    assert fingerprint(curated) == before


def test_load_cli_reports_no_change_on_reload(curated: Graph) -> None:
    result = CliRunner().invoke(cli, ["load", "--quiet", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "loaded 640 nodes and 699 relationships into neo4j",
        "created: none",
        "updated: none",
        "removed: none",
    ]


def test_every_relationship_cites_existing_sources(curated: Graph) -> None:
    unsourced = curated.rows("MATCH ()-[r]->() WHERE NOT r:SOURCED_BY AND size(coalesce(r.sources, [])) = 0 "
                             "RETURN count(r) AS n")
    assert unsourced == [{"n": 0}]
    dangling = curated.rows(
        "MATCH ()-[r]->() UNWIND r.sources AS sid OPTIONAL MATCH (s:Source {id: sid}) "
        "WITH sid, s WHERE s IS NULL RETURN count(sid) AS n")
    assert dangling == [{"n": 0}]
    no_evidence = curated.rows("MATCH ()-[r]->() WHERE NOT r:SOURCED_BY AND (r.evidence IS NULL OR r.status IS NULL) "
                               "RETURN count(r) AS n")
    assert no_evidence == [{"n": 0}]


def test_every_node_links_to_exactly_the_sources_it_cites(curated: Graph) -> None:
    """SOURCED_BY (loaders.source_links) mirrors each node's sources property: one link per cited source."""
    cited = curated.rows("MATCH (n:Entity) UNWIND coalesce(n.sources, []) AS sid RETURN count(*) AS n")[0]["n"]
    links = curated.rows("MATCH (n:Entity)-[:SOURCED_BY]->(s:Source) WHERE s.id IN n.sources RETURN count(*) AS n")
    stray = curated.rows("MATCH (n:Entity)-[:SOURCED_BY]->(s) WHERE NOT s.id IN n.sources RETURN count(*) AS n")
    assert (links[0]["n"], stray[0]["n"]) == (cited, 0)
    # a Browser user reaches every source from a node, but for the two that only relationships cite
    lonely = curated.rows("MATCH (s:Source) WHERE NOT EXISTS { (s)--() } RETURN s.id AS id ORDER BY id")
    assert [r["id"] for r in lonely] == ["src-ecns-2024-09-16-kosovo", "src-people-2024-05-08-vucic-taiwan"]


def test_every_node_cites_sources(curated: Graph) -> None:
    rows = curated.rows("MATCH (n:Entity) WHERE NOT n:Source AND size(coalesce(n.sources, [])) = 0 "
                        "RETURN count(n) AS n")
    assert rows == [{"n": 0}]


def test_statuses(curated: Graph) -> None:
    rows = curated.rows("MATCH ()-[r]->() WHERE NOT r:SOURCED_BY RETURN r.status AS s, count(*) AS n ORDER BY s")
    assert {r["s"] for r in rows} <= {"asserted", "corroborated", "disputed", "denied"}
    assert sum(r["n"] for r in rows) == sum(REL_COUNTS.values())


def test_hytera_ownership_is_disputed(curated: Graph) -> None:
    rows = curated.rows(
        "MATCH (o)-[r:OWNS]->(:Firm {id: 'hytera'}) RETURN o.id AS owner, r.status AS status, r.claim AS claim "
        "ORDER BY owner")
    assert rows == [
        {"owner": "chen-qingzhou", "status": "corroborated", "claim": None},
        {"owner": "shenzhen-investment-holdings", "status": "disputed", "claim": "claim-hytera-state-owned"},
    ]
    sides = curated.rows(
        "MATCH (c:Claim {id: 'claim-hytera-state-owned'}) "
        "OPTIONAL MATCH (a)-[:ASSERTS]->(c) WITH c, collect(a.id) AS asserted "
        "OPTIONAL MATCH (x)-[:CONTRADICTS]->(c) RETURN c.status AS status, asserted, collect(x.id) AS contradicted")
    assert len(sides) == 1
    assert sides[0]["status"] == "disputed"
    assert sides[0]["asserted"] and sides[0]["contradicted"]
    up = curated.rows("MATCH (:Firm {id: 'shenzhen-investment-holdings'})<-[:OWNS]-(g) RETURN g.id AS id")
    assert up == [{"id": "shenzhen-municipal-government"}]


def test_patrol_rounds(curated: Graph) -> None:
    rows = curated.rows(
        "MATCH (e:Event {kind: 'patrol-round'})-[:PART_OF]->(p:Program) "
        "RETURN p.id AS programme, e.ordinal AS ordinal, coalesce(e.date, e.start) AS date, e.officers AS officers "
        "ORDER BY programme, date")
    assert [(r["programme"], r["ordinal"], r["date"], r["officers"]) for r in rows] == [
        ("croatia-safe-tourist-season", 1, "2018", 6),
        ("croatia-safe-tourist-season", 2, "2019-07-13", 8),
        ("croatia-safe-tourist-season", 3, "2022-07-16", 8),
        ("croatia-safe-tourist-season", 4, "2023-07-16", 8),
        ("croatia-safe-tourist-season", 5, "2024-07-16", 8),
        ("croatia-safe-tourist-season", 6, "2025-07-17", 8),
        ("serbia-china-joint-patrols", 1, "2019-09-17", 6),
        ("serbia-china-joint-patrols", 2, "2023-09-28", 9),
        ("serbia-china-joint-patrols", None, "2024-09-07", 6),
    ]
    cities = curated.rows(
        "MATCH (:Event {id: 'serbia-patrol-round-2'})-[:LOCATED_IN]->(c:Place) RETURN c.name AS city ORDER BY city")
    assert [r["city"] for r in cities] == ["Belgrade", "Novi Sad", "Smederevo"]


def test_stories_present(curated: Graph) -> None:
    def one(cypher: str) -> dict:
        rows = curated.rows(cypher)
        assert len(rows) == 1, (cypher, rows)
        return rows[0]

    assert one("MATCH (c:Event {id: 'novi-sad-canopy-collapse'}) RETURN c.date AS d, c.deaths AS n") == {
        "d": "2024-11-01", "n": 16}
    contractors = curated.rows(
        "MATCH (f:Firm)-[:CONTRACTOR_OF]->(:Project {id: 'novi-sad-station-renovation'}) RETURN f.id AS id ORDER BY id")
    assert contractors
    assert one("MATCH (p:Procurement {id: 'huawei-elte-order-2024'}) RETURN p.date AS d")["d"] == "2024-03"
    assert one("MATCH (:Firm {id: 'huawei'})-[r:SUPPLIES]->(:Procurement {id: 'belgrade-safe-city-cameras'}) "
               "RETURN count(r) AS n")["n"] == 1
    assert one("MATCH (:Agency {id: 'china-mfa'})-[d:DENIES]->(c:Claim) RETURN c.id AS c")["c"] == (
        "claim-overseas-stations-police-outposts")
    closures = curated.rows("MATCH (e:Event {kind: 'closure'}) RETURN e.id AS id ORDER BY id")
    assert [r["id"] for r in closures] == ["closure-dublin-2022", "closure-netherlands-2022", "closure-uk-2023"]
    assert one("MATCH (e:Event {id: 'wuc-8th-general-assembly'})-[:LOCATED_IN]->(p:Place) RETURN p.name AS p")[
        "p"] == "Sarajevo"
    assert one("MATCH (e:Event {id: 'xi-state-visit-serbia-2024'}) RETURN e.start AS d")["d"] == "2024-05-07"
    assert one("MATCH (a:Agreement {id: 'china-serbia-joint-statement-2024'}) RETURN a.signed AS d")["d"] == (
        "2024-05-08")
