"""The interop formats (FtM, BODS, GEXF, GraphML, neo4j-admin CSV, dump), each checked by the format's own
tool or schema, against the curated dataset loaded into the real Neo4j of the test session."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wbkg.cli import cli
from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.interop.snapshot import Snapshot, read_snapshot
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.writer import load
from wbkg.rdf.validate import validate_paths

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
MARKER = "WbkgTestMarker"


@pytest.fixture(scope="module")
def records(neo4j_cfg) -> RecordSet:
    return validate_paths([DATA], neo4j_cfg.base_iri)


@pytest.fixture
def loaded(graph_db: Neo4jGraph, records: RecordSet) -> Neo4jGraph:
    """The curated dataset alone in the database (reloaded only when a test changed it)."""
    count = graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} RETURN count(n) AS c")[0]["c"]
    rels = graph_db.rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    if count != len(records.nodes) or rels != len(records.relationships):
        graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)
        load(graph_db, records, progress=False)
    return graph_db


@pytest.fixture
def snap(loaded: Neo4jGraph) -> Snapshot:
    return read_snapshot(loaded)


def _export(fmt: str, tmp_path: Path, *extra: str) -> tuple[Path, str]:
    out = tmp_path / f"export.{fmt}"
    result = CliRunner().invoke(cli, ["export", fmt, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    assert not out.with_name(out.name + ".partial").exists()
    return out, result.stderr


# -- FollowTheMoney -------------------------------------------------------------------------------

def _ftm_problems(lines: list[str]) -> list[str]:
    """FtM's own model parses each entity; on top of its lenient parsing, every property must be known
    to the schema, every required property present, and every entity reference resolve to an entity of
    the property's range."""
    from followthemoney import model

    raw = [json.loads(line) for line in lines]
    proxies = {e["id"]: model.get_proxy(e, cleaned=False) for e in raw}
    problems = []
    for e in raw:
        schema = model.get(e["schema"])
        assert schema is not None and not schema.abstract, e
        proxy = proxies[e["id"]]
        for prop, values in e["properties"].items():
            if prop not in schema.properties:
                problems.append(f"{e['id']}: {e['schema']} has no property {prop}")
                continue
            assert isinstance(values, list) and all(isinstance(v, str) for v in values), (e["id"], prop)
            if len(proxy.get(prop)) != len(set(values)):
                kind = schema.properties[prop].type.name
                problems.append(f"{e['id']}: {prop} values {values} rejected by FtM's {kind} type")
        for req in schema.required:
            if not e["properties"].get(req):
                problems.append(f"{e['id']}: {e['schema']} lacks required {req}")
        for prop in proxy.iterprops():
            if prop.type.name != "entity":
                continue
            for ref in proxy.get(prop):
                target = proxies.get(ref)
                if target is None:
                    problems.append(f"{e['id']}: {prop.name} -> {ref} does not resolve")
                elif prop.range is not None and not target.schema.is_a(prop.range):
                    problems.append(f"{e['id']}: {prop.name} -> {ref} is a {target.schema.name}, "
                                    f"not a {prop.range.name}")
    return problems


def test_ftm_export_passes_ftm_schema_required_and_references(snap: Snapshot, tmp_path: Path) -> None:
    out, stderr = _export("ftm", tmp_path)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert _ftm_problems(lines) == []
    by_schema = Counter(json.loads(line)["schema"] for line in lines)
    nodes, rels = snap.counts()
    n_docs = sum(len(n.props.get("sources") or []) for n in snap.nodes.values())
    assert len(lines) == nodes + rels + n_docs
    assert by_schema["Documentation"] == n_docs
    assert by_schema["Document"] == len(snap.of_class("Source"))
    assert by_schema["Note"] == len(snap.of_class("Claim")) + len(snap.of_class("CoverageGap"))
    assert by_schema["PublicBody"] == len(snap.of_class("State")) + len(snap.of_class("Agency"))
    assert by_schema["Ownership"] == sum(1 for r in snap.rels if r.type == "OWNS")
    assert f"exported {len(lines)} entities as ftm to {out}" in stderr
    # FtM's own validator re-parses the file without complaint and keeps every entity
    from followthemoney.cli.cli import cli as ftm_cli

    result = CliRunner().invoke(ftm_cli, ["validate", "-i", str(out), "-o", str(tmp_path / "v.json")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "v.json").read_text(encoding="utf-8").splitlines()) == len(lines)


def test_ftm_ownership_keeps_share_status_claim_and_sources(snap: Snapshot, tmp_path: Path) -> None:
    out, _ = _export("ftm", tmp_path)
    ents = {e["id"]: e for e in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    own = ents["wbkg-huawei-trade-union-committee-owns-huawei-investment-holding"]
    assert own["schema"] == "Ownership"
    p = own["properties"]
    assert p["owner"] == ["wbkg-huawei-trade-union-committee"]
    assert p["asset"] == ["wbkg-huawei-investment-holding"]
    assert p["percentage"] == ["99"]
    assert p["status"] == ["disputed"]
    assert p["summary"][0].startswith("status: disputed; claim: ")
    assert "(wbkg-claim-huawei-employee-owned)" in p["summary"][0]
    assert p["proof"] == ["wbkg-src-balding-clarke-2019-who-owns-huawei", "wbkg-src-ft-2019-huawei-ownership",
                          "wbkg-src-huawei-jiang-xisheng"]
    assert ents["wbkg-hytera-jury-verdict-2020"]["properties"]["date"] == ["2020-02-14"]
    assert ents["wbkg-hytera-indictment"]["properties"]["date"] == ["2021"]
    assert ents["wbkg-claim-huawei-employee-owned"]["schema"] == "Note"
    assert ents["wbkg-claim-huawei-employee-owned"]["properties"]["summary"] == ["status: disputed"]
    doc = ents["wbkg-sarajevo-hytera-body-cameras--doc--src-seed-budak"]
    assert doc["schema"] == "Documentation"
    assert doc["properties"]["document"] == ["wbkg-src-seed-budak"]


# -- BODS 0.4 -------------------------------------------------------------------------------------

def _bods_validator():
    """The official BODS 0.4 JSON Schema as shipped in libcovebods (its five files resolved by their $id)."""
    from importlib.resources import files

    import jsonschema
    from referencing import Registry, Resource

    folder = files("libcovebods") / "data" / "schema-0-4-0"
    docs = [json.loads((folder / name).read_text(encoding="utf-8")) for name in
            ("statement.json", "components.json", "entity-record.json", "person-record.json",
             "relationship-record.json")]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    return jsonschema.Draft202012Validator(docs[0], registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_bods_export_validates_against_the_official_schema(snap: Snapshot, tmp_path: Path) -> None:
    import datetime as dt

    out, stderr = _export("bods", tmp_path)
    statements = json.loads(out.read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _bods_validator().iter_errors(statements)]
    assert errors == []
    owns = [r for r in snap.rels if r.type == "OWNS"]
    ends = {r.source for r in owns} | {r.target for r in owns}
    assert len(statements) == len(ends) + len(owns)
    assert len({s["statementId"] for s in statements}) == len(statements)
    records = {s["recordId"]: s for s in statements}
    for s in statements:  # every relationship points at records in the file
        if s["recordType"] == "relationship":
            assert records[s["recordDetails"]["subject"]]["recordType"] == "entity"
            assert s["recordDetails"]["interestedParty"] in records
    assert records["china"]["recordDetails"]["entityType"] == {"type": "state"} if "china" in records else True
    huawei = records["huawei-trade-union-committee-owns-huawei-investment-holding"]
    assert huawei["recordDetails"]["interests"][0]["share"] == {"exact": 99}
    notes = [a["description"] for a in huawei["annotations"] if a["statementPointerTarget"] == ""]
    assert notes == ["This link is disputed: see claim claim-huawei-employee-owned (Huawei is owned by its employees)."]
    assert [a["url"] for a in huawei["annotations"] if a["motivation"] == "linking" and "url" in a] == [
        snap.nodes[s].props["url"] for s in snap.rels[[r.id for r in snap.rels].index(huawei["recordId"])].props[
            "sources"] if snap.nodes[s].props.get("url")]
    assert huawei["source"]["description"].startswith("status: disputed. ")
    today = dt.date.today().isoformat()
    assert {s["statementDate"] for s in statements} == {today}
    n_rels = len(snap.rels) - len(owns)
    assert f"bods: dropped {n_rels} relationships that are not ownership, which BODS cannot describe: " in stderr


def test_bods_rounds_partial_dates_with_a_transformation_annotation(snap: Snapshot) -> None:
    from wbkg.interop.bods import ownership_statement
    from wbkg.interop.snapshot import Rel

    rel = Rel("a-owns-b", "OWNS", "hytera", "sepura",
              {"id": "a-owns-b", "status": "asserted", "start": "2016-05", "share_min": 50, "share_max": 75,
               "evidence": "x", "sources": ["src-seed-budak"]})
    st = ownership_statement(snap, rel, "2026-01-02")
    interest = st["recordDetails"]["interests"][0]
    assert interest["startDate"] == "2016-05-01"
    assert interest["share"] == {"minimum": 50, "maximum": 75}
    [t] = [a for a in st["annotations"] if a["motivation"] == "transformation"]
    assert t["statementPointerTarget"] == "/recordDetails/interests/0/startDate"
    assert t["description"] == ("The source gives 2016-05 (month precision); BODS needs a full date, so it was "
                                "rounded to 2016-05-01.")
    assert _bods_validator().is_valid([st])


# -- GEXF and GraphML ---------------------------------------------------------------------------------

def _expected_network(snap: Snapshot) -> tuple[dict[str, dict], dict[str, tuple[str, str, dict]]]:
    """What a reader should find: every property, lists joined with '; ', numbers as numbers."""
    def value(v):
        return "; ".join(map(str, v)) if isinstance(v, list) else v

    nodes = {n.id: {"class": n.cls, "label": n.props["name"],
                    **{k: value(v) for k, v in n.props.items() if k not in ("id", "name")}}
             for n in snap.nodes.values()}
    edges = {r.id: (r.source, r.target, {"type": r.type, **{k: value(v) for k, v in r.props.items()}})
             for r in snap.rels}
    return nodes, edges


def _compare_network(g, snap: Snapshot, edge_extra: set[str]) -> None:
    nodes, edges = _expected_network(snap)
    assert set(g.nodes) == set(nodes)
    for node_id, want in nodes.items():
        # 'country' is computed, unless the class has a country property of its own
        got = {k: v for k, v in g.nodes[node_id].items() if k != "country" or "country" in want}
        assert got == want, node_id
    got_edges = {key: (a, b, {k: v for k, v in data.items() if k not in edge_extra | {"id"}})
                 for a, b, key, data in g.edges(keys=True, data=True)}
    edges = {k: (a, b, {x: y for x, y in d.items() if x != "id"}) for k, (a, b, d) in edges.items()}
    assert got_edges == edges


def test_graphml_reads_back_in_networkx(snap: Snapshot, tmp_path: Path) -> None:
    import networkx as nx

    out, stderr = _export("graphml", tmp_path)
    g = nx.read_graphml(out, force_multigraph=True, edge_key_type=str)
    _compare_network(g, snap, edge_extra=set())
    nodes, rels = snap.counts()
    assert g.number_of_nodes() == nodes and g.number_of_edges() == rels
    assert g.nodes["hytera"]["country"] == "CN"
    assert g.nodes["china"]["country"] == "CN"
    assert stderr.strip() == f"exported {nodes} nodes and {rels} edges as graphml to {out}"


def test_gexf_reads_back_in_networkx(snap: Snapshot, tmp_path: Path) -> None:
    import networkx as nx
    from lxml import etree

    out, _ = _export("gexf", tmp_path)
    root = etree.parse(str(out)).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    g = nx.read_gexf(out, version="1.3")
    # networkx adds the GEXF edge label it read as an attribute of its own
    _compare_network(g, snap, edge_extra={"label"})
    assert {data["label"] for _, _, data in g.edges(data=True)} == {r.type for r in snap.rels}
    assert g.nodes["hytera"]["label"] == snap.nodes["hytera"].props["name"]


def _gephi(path: Path) -> list[dict[str, Any]]:
    """What Gephi's own GEXF importer (the Gephi toolkit from Maven Central) reports on a file and makes of
    it: issue, node and edge lines (tests/tools/gephi/GexfCheck.java)."""
    from semweb import java

    done = java("gephi", str(REPO / "tests" / "tools" / "gephi" / "GexfCheck.java"), str(path), timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_gephi_imports_the_gexf_without_an_issue(snap: Snapshot, tmp_path: Path) -> None:
    # GEXF 1.3's XSD ships in no package registry this project can reach (PyPI, npm, Maven Central, Debian):
    # the format's own tool judges instead, Gephi's importer, which logs every problem it meets in a file
    out, _ = _export("gexf", tmp_path)
    lines = _gephi(out)
    # two notes and no warning: the graph has parallel links (alternative stakes of one owner in one firm)
    assert [x for x in lines if "issue" in x] == [
        {"issue": "INFO", "message": "Parallel edges detected, remember to choose a merge strategy"},
        {"issue": "INFO", "message": "GEXF version 1.3"}]
    nodes = {x["node"]: x for x in lines if "node" in x}
    edges = {x["edge"]: x for x in lines if "edge" in x}
    assert sorted(nodes) == sorted(snap.nodes)
    assert sorted(edges) == sorted(r.id for r in snap.rels)
    hytera = nodes["hytera"]
    assert hytera["label"] == snap.nodes["hytera"].props["name"]
    assert (hytera["attributes"]["class"], hytera["attributes"]["country"]) == ("Firm", "CN")
    for r in snap.rels:
        e = edges[r.id]
        assert (e["source"], e["target"], e["directed"], e["label"]) == (r.source, r.target, True, r.type)
        assert e["attributes"]["status"] == r.props["status"]
    broken = tmp_path / "broken.gexf"
    broken.write_text(out.read_text(encoding="utf-8").replace('target="hytera"', 'target="no-such-node"', 1),
                      encoding="utf-8")
    # the same check sees a link to a node the file lacks: Gephi makes up the node and says so
    judged = _gephi(broken)
    assert {"issue": "INFO", "message": "Some nodes were created based on edges' source and target"} in judged
    assert sorted(x["node"] for x in judged if "node" in x) == sorted([*snap.nodes, "no-such-node"])


# -- neo4j-admin CSV and the dump ------------------------------------------------------------------

def test_csv_import_and_dump_load_give_the_same_graph(snap: Snapshot, loaded: Neo4jGraph, tmp_path: Path) -> None:
    """The CSVs imported with 'neo4j-admin database import full' (with the shipped import.args), and the
    dump loaded with 'neo4j-admin database load', each into a scratch home, give the source's fingerprint."""
    from wbkg.graph.schema import schema_statements
    from wbkg.interop.admin import scratch_home
    from wbkg.interop.snapshot import fingerprint

    want = fingerprint(snap)
    folder = tmp_path / "csv"
    result = CliRunner().invoke(cli, ["export", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    nodes, rels = snap.counts()
    classes, types = len({n.cls for n in snap.nodes.values()}), len({r.type for r in snap.rels})
    assert (f"exported {nodes} nodes in {classes} files and {rels} relationships in {types} files as csv to "
            f"{folder}") in result.stderr
    args = []
    for line in (folder / "import.args").read_text(encoding="utf-8").splitlines():
        key, sep, name = line.partition("=")
        args.append(f"{key}={folder / name}" if key in ("--nodes", "--relationships") else line)
    dump = tmp_path / "wbkg.dump"
    with scratch_home() as home:
        report = home.import_csv(args)
        assert f"{nodes} nodes" in report.replace("\u00a0", " ") or "IMPORT DONE" in report
        with home.running() as g:
            assert fingerprint(read_snapshot(g)) == want
        result = CliRunner().invoke(cli, ["neo4j", "dump", "-o", str(dump)])
        assert result.exit_code == 0, result.output
        assert f"dumped {nodes} nodes and {rels} relationships to {dump}" in result.stderr
        home.load(dump)
        with home.running() as g:
            assert fingerprint(read_snapshot(g)) == want
            constraints = g.rows("SHOW CONSTRAINTS YIELD name RETURN count(*) AS c")[0]["c"]
            indexes = {r["name"] for r in g.rows("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")}
    assert constraints == sum(1 for s in schema_statements() if s.startswith("CREATE CONSTRAINT"))
    source = {r["name"] for r in loaded.rows("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")}
    assert indexes == source


# -- FtM import ---------------------------------------------------------------------------------------

FTM_SAMPLE = REPO / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"


def test_load_ftm_imports_its_own_dataset_and_proposes_links_for_review(loaded: Neo4jGraph, tmp_path: Path) -> None:
    import csv

    before = loaded.rows("MATCH (n:Entity) WHERE NOT n.id STARTS WITH 'ftm-' RETURN count(n) AS c")[0]["c"]
    hytera_before = loaded.rows("MATCH (n:Entity {id: 'hytera'}) RETURN properties(n) AS p")[0]["p"]
    review = tmp_path / "review.csv"
    result = CliRunner().invoke(cli, ["load", "--ftm", str(FTM_SAMPLE), "--review", str(review), "-q"])
    try:
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            f"loaded 6 nodes and 2 relationships from {FTM_SAMPLE} as the dataset "
            "src-ftm-opensanctions-sample-ftm into neo4j",
            "created: AFFILIATED_WITH 1, Agency 1, Firm 2, OWNS 1, Person 2, Source 1",
            f"4 proposed link(s) to curated nodes for review in {review} (nothing merged)"]
        assert result.stderr.strip() == "ftm import: dropped 2 FtM entities of schemata with no wbkg class: " \
                                        "Address 1, Sanction 1"
        with review.open(encoding="utf-8") as f:
            rows = [(r["imported_id"], r["ftm_id"], r["class"], r["curated_id"], r["match"]) for r in csv.DictReader(f)]
        assert rows == [
            ("ftm-q15031", "Q15031", "Person", "xi-jinping", "wikidata Q15031"),
            ("ftm-nk-ren-zhengfei-7a1", "NK-ren-zhengfei-7a1", "Person", "ren-zhengfei", "name"),
            ("ftm-nk-hytera-3c9", "NK-hytera-3c9", "Firm", "hytera", "name"),
            ("ftm-nk-mps-cn", "NK-mps-cn", "Agency", "china-mps", "name"),
        ]
        # nothing merged: the curated nodes are as they were, the imported ones stand apart with provenance
        assert loaded.rows("MATCH (n:Entity) WHERE NOT n.id STARTS WITH 'ftm-' AND NOT n.id STARTS WITH 'src-ftm-' "
                           "RETURN count(n) AS c")[0]["c"] == before
        assert loaded.rows("MATCH (n:Entity {id: 'hytera'}) RETURN properties(n) AS p")[0]["p"] == hytera_before
        own = loaded.rows("MATCH (a {id: 'ftm-nk-shell-holding-1'})-[r:OWNS]->(b {id: 'ftm-nk-hytera-3c9'}) "
                          "RETURN properties(r) AS p")[0]["p"]
        # the load records which dataset holds each record (the loader's bookkeeping)
        assert own.pop("datasets") == ["src-ftm-opensanctions-sample-ftm"]
        own.pop("wbkg_digest"), own.pop("wbkg_file")
        assert own == {"id": "ftm-nk-own-shell-hytera", "share": 12.5, "start": "2019-03", "status": "asserted",
                       "sources": ["src-ftm-opensanctions-sample-ftm"],
                       "evidence": "The FtM Ownership record NK-own-shell-hytera links these two entities."}
        shell = loaded.rows("MATCH (n:Firm {id: 'ftm-nk-shell-holding-1'}) RETURN properties(n) AS p")[0]["p"]
        assert shell.pop("datasets") == ["src-ftm-opensanctions-sample-ftm"]
        shell.pop("wbkg_digest"), shell.pop("wbkg_file")
        assert shell == {"id": "ftm-nk-shell-holding-1", "name": "Example Shell Holding Ltd", "kind": "company",
                         "founded": "2015-07", "sources": ["src-ftm-opensanctions-sample-ftm"],
                         "description": "Imported from FollowTheMoney entity NK-shell-holding-1."}
        src = loaded.rows("MATCH (n:Source {id: 'src-ftm-opensanctions-sample-ftm'}) RETURN properties(n) AS p")[0]["p"]
        assert src["publisher"] == "test_sample, wd_peps" and src["kind"] == "reference"
    finally:
        loaded.rows("MATCH (n:Entity) WHERE n.id STARTS WITH 'ftm-' OR n.id STARTS WITH 'src-ftm-' DETACH DELETE n",
                    write=True)


def test_load_ftm_reports_bad_lines_and_writes_nothing(loaded: Neo4jGraph, tmp_path: Path, monkeypatch,
                                                        capsys) -> None:
    import sys

    from wbkg.cli import main

    bad = tmp_path / "bad.ftm.json"
    lines = FTM_SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:40]  # a truncated line
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["wbkg", "load", "--ftm", str(bad), "--review", str(tmp_path / "r.csv")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    out = capsys.readouterr().err.splitlines()
    assert out[0].startswith(f"error: {bad}:4: not a JSON object: ")
    assert out[1:] == [
        f"error: {bad}:6 id=NK-own-shell-hytera field=owner: refers to an entity that is not in the file or has "
        "no wbkg class",
        f"error: {bad}:7 id=NK-dir-ren-shell field=organization: refers to an entity that is not in the file or "
        "has no wbkg class",
        "error: 3 problem(s) in the data; nothing was written"]
    assert loaded.rows("MATCH (n:Entity) WHERE n.id STARTS WITH 'ftm-' RETURN count(n) AS c")[0]["c"] == 0
    assert not (tmp_path / "r.csv").exists()


# -- never a partial file --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["ftm", "bods", "gexf", "graphml"])
def test_an_export_that_fails_midway_leaves_no_file_and_fails(fmt: str, loaded: Neo4jGraph, tmp_path: Path,
                                                             monkeypatch) -> None:
    import importlib

    module = importlib.import_module(f"wbkg.interop.{fmt}")

    def broken(snap, out, *args, **kwargs):
        out.write(b"<partial" if fmt in ("gexf", "graphml") else "partial")
        raise OSError("disk full")

    monkeypatch.setattr(module, f"write_{fmt}", broken)
    out = tmp_path / f"x.{fmt}"
    result = CliRunner().invoke(cli, ["export", fmt, "-o", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, OSError)
    assert list(tmp_path.iterdir()) == []


def test_an_export_without_a_server_fails_with_one_line_and_no_file(tmp_path: Path, monkeypatch, capsys) -> None:
    import sys

    from helpers import free_port

    from wbkg.cli import main

    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "not-used-at-all")
    monkeypatch.setattr(sys, "argv", ["wbkg", "export", "bods", "-o", str(tmp_path / "x.json")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: Neo4j is not reachable at bolt://127.0.0.1:")
    assert list(tmp_path.iterdir()) == []


def test_properties_outside_the_ontology_are_kept_in_csv_and_reported_elsewhere(snap: Snapshot,
                                                                               tmp_path: Path) -> None:
    """A loader's bookkeeping (properties the ontology does not define) survives the CSV export, typed, and
    is named on stderr by the formats that cannot carry it."""
    import csv
    import dataclasses

    from wbkg.interop.ftm import write_ftm
    from wbkg.interop.neo4j_csv import write_csv

    hytera = dataclasses.replace(snap.nodes["hytera"], extra={"datasets": ["data"], "wbkg_digest": "abc",
                                                              "note_by_hand": "x"})
    nodes = {**snap.nodes, "hytera": hytera}
    marked = Snapshot(nodes, snap.rels, snap.model)
    export = write_csv(marked, tmp_path / "csv")
    with (tmp_path / "csv" / "nodes_Firm.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-4:] == ["datasets:string[]", "note_by_hand:string", "wbkg_digest:string", "wbkg_file:string"]
    row = next(r for r in rows if r[0] == "hytera")
    assert row[-4:-1] == ["data", "x", "abc"]
    assert export.nodes == len(snap.nodes)
    _, dropped = write_ftm(marked, io.StringIO())
    assert dropped.lines("ftm")[-1] == "ftm: dropped 1 values of properties outside the ontology: note_by_hand 1"
