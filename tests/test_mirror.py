"""Loads mirror their dataset: retractions and renames reach the graph, --dry-run shows the plan first,
other datasets and hand-made nodes stay, relationship ids are unique across types, two racing loads
cannot give a node two classes, big loads stage and publish all or nothing, and each load leaves a record.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_bad_input import ROOT, WBKG, cli_env, counts, wipe

from wbkg.config import Config
from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph
from wbkg.loaders import writer
from wbkg.loaders.dataset import read_dataset
from wbkg.loaders.writer import LoadError, load
from wbkg.rdf.validate import validate_paths

DATA = ROOT / "data"
DATA_COUNTS = (640, 699)


def wbkg(args: list[str], cfg: Config) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WBKG), *args], cwd=ROOT, env=cli_env(cfg), capture_output=True, text=True,
                          timeout=300)


def owners(cfg: Config) -> list[str]:
    proc = wbkg(["query", "run", "ownership-chain", "-p", "entity", "Hytera", "--format", "json"], cfg)
    assert proc.returncode == 0, proc.stderr
    return sorted({row["ultimate_owner"] for row in json.loads(proc.stdout)})


def records(graph: Graph, dataset: str) -> list[dict[str, Any]]:
    return graph.rows("MATCH (r:LoadRecord {dataset: $d}) RETURN r.created AS created, r.updated AS updated, "
                      "r.removed AS removed, r.unchanged AS unchanged, r.digest AS digest, r.mode AS mode "
                      "ORDER BY r.finished", {"d": dataset})


@pytest.fixture
def copy(graph_db: Graph, neo4j_cfg: Config, tmp_path: Path) -> Iterator[Path]:
    """A copy of data/ (dataset 'data'), loaded into an otherwise empty graph."""
    wipe(graph_db)
    target = tmp_path / "data"
    target.mkdir()
    for f in DATA.glob("*.yaml"):
        shutil.copy(f, target / f.name)
    proc = wbkg(["load", "-q", str(target)], neo4j_cfg)
    assert proc.returncode == 0, proc.stderr
    yield target
    wipe(graph_db)


def test_removing_a_link_is_shown_then_removed(copy: Path, graph_db: Graph, neo4j_cfg: Config) -> None:
    assert owners(neo4j_cfg) == ["Chen Qingzhou", "Shenzhen Municipal People's Government"]
    hytera = copy / "hytera.yaml"
    text = hytera.read_text(encoding="utf-8")
    link = text[text.index("  - type: OWNS\n    from: chen-qingzhou\n"):]
    link = link[:link.index("  - type:", 5)]
    hytera.write_text(text.replace(link, ""), encoding="utf-8")

    plan = wbkg(["load", "--dry-run", str(copy)], neo4j_cfg)
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines() == [
        "plan for dataset 'data' in neo4j (640 nodes, 698 relationships); nothing written",
        f"  {hytera}: remove OWNS chen-qingzhou-owns-hytera (chen-qingzhou -> hytera)",
        "created: none",
        "updated: none",
        "removed: OWNS 1",
    ]
    assert counts(graph_db) == DATA_COUNTS  # the dry run wrote nothing
    assert len(records(graph_db, "data")) == 1

    done = wbkg(["load", "-q", str(copy)], neo4j_cfg)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["loaded 640 nodes and 698 relationships into neo4j", "created: none",
                                        "updated: none", "removed: OWNS 1"]
    assert counts(graph_db) == (640, 698)
    assert graph_db.rows("MATCH ()-[r {id: 'chen-qingzhou-owns-hytera'}]->() RETURN count(r) AS c") == [{"c": 0}]
    assert owners(neo4j_cfg) == ["Shenzhen Municipal People's Government"]
    assert [(r["created"], r["updated"], r["removed"]) for r in records(graph_db, "data")] == [
        (1339, 0, 0), (0, 0, 1)]


def test_removing_a_file_removes_exactly_its_records(copy: Path, graph_db: Graph, neo4j_cfg: Config) -> None:
    gone = copy / "repression.yaml"
    doc = yaml.safe_load(gone.read_text(encoding="utf-8"))
    ids = {n["id"] for n in doc["nodes"]}
    assert len(ids) == 9 and len(doc["relationships"]) == 34
    gone.unlink()
    plan = wbkg(["load", "--dry-run", str(copy)], neo4j_cfg)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert lines[0] == "plan for dataset 'data' in neo4j (631 nodes, 665 relationships); nothing written"
    assert len(lines) == 1 + 43 + 3
    assert all(line.startswith(f"  {gone}: remove ") for line in lines[1:44])
    assert {line.split()[3] for line in lines[1:44] if line.split()[2] in ("Event", "Program")} == ids
    assert lines[44:] == ["created: none", "updated: none",
                          "removed: Event 8, LED_TO 2, LOCATED_IN 7, MEMBER_OF 1, ORGANIZES 6, PARTICIPATES_IN 5, "
                          "PART_OF 4, Program 1, TARGETS 9"]
    assert counts(graph_db) == DATA_COUNTS

    done = wbkg(["load", "-q", str(copy)], neo4j_cfg)
    assert done.returncode == 0, done.stderr
    assert counts(graph_db) == (631, 665)
    assert graph_db.rows("MATCH (n:Entity) WHERE n.id IN $ids RETURN count(n) AS c", {"ids": sorted(ids)}) == [
        {"c": 0}]
    # what stays is exactly the rest of the files
    assert graph_db.rows("MATCH (n:Entity) WHERE n.datasets <> ['data'] OR n.wbkg_file = 'repression.yaml' "
                         "RETURN count(n) AS c") == [{"c": 0}]


def test_a_rename_is_one_removal_and_one_creation(copy: Path, graph_db: Graph, neo4j_cfg: Config) -> None:
    links = graph_db.rows("MATCH (:Person {id: 'edi-rama'})-[r]-() WHERE NOT r:SOURCED_BY "
                          "RETURN type(r) AS t, r.id AS id ORDER BY id")
    assert links == [{"t": "TARGETS", "id": "democratic-party-of-albania-targets-edi-rama"},
                     {"t": "AFFILIATED_WITH", "id": "edi-rama-affiliated-with-albania"},
                     {"t": "PARTICIPATES_IN", "id": "edi-rama-participates-in-li-rama-meeting-2014"}]
    for f in copy.glob("*.yaml"):
        f.write_text(re.sub(r"\bedi-rama\b(?!-)", "edi-rama-pm", f.read_text(encoding="utf-8")), encoding="utf-8")
    plan = wbkg(["load", "--dry-run", str(copy)], neo4j_cfg)
    assert plan.returncode == 0, plan.stderr
    renamed = read_dataset([copy])  # where each new record stands in the renamed files
    at = {r.id: r.line for r in renamed.relationships} | {n.id: n.line for n in renamed.nodes.values()}
    # the links' ids are made from their ends, so they are renamed with the node
    assert plan.stdout.splitlines()[1:] == [
        f"  {copy}/actors.yaml: remove Person edi-rama",
        f"  {copy}/actors.yaml: remove AFFILIATED_WITH edi-rama-affiliated-with-albania (edi-rama -> albania)",
        f"  {copy}/region-al.yaml: remove PARTICIPATES_IN edi-rama-participates-in-li-rama-meeting-2014 "
        "(edi-rama -> li-rama-meeting-2014)",
        f"  {copy}/repression.yaml: remove TARGETS democratic-party-of-albania-targets-edi-rama "
        "(democratic-party-of-albania -> edi-rama)",
        f"  {copy}/actors.yaml:{at['edi-rama-pm-affiliated-with-albania']}: create AFFILIATED_WITH "
        "edi-rama-pm-affiliated-with-albania (edi-rama-pm -> albania)",
        f"  {copy}/actors.yaml:{at['edi-rama-pm']}: create Person edi-rama-pm",
        f"  {copy}/region-al.yaml:{at['edi-rama-pm-participates-in-li-rama-meeting-2014']}: create PARTICIPATES_IN "
        "edi-rama-pm-participates-in-li-rama-meeting-2014 (edi-rama-pm -> li-rama-meeting-2014)",
        f"  {copy}/repression.yaml:{at['democratic-party-of-albania-targets-edi-rama-pm']}: create TARGETS "
        "democratic-party-of-albania-targets-edi-rama-pm (democratic-party-of-albania -> edi-rama-pm)",
        "created: AFFILIATED_WITH 1, PARTICIPATES_IN 1, Person 1, TARGETS 1",
        "updated: none",
        "removed: AFFILIATED_WITH 1, PARTICIPATES_IN 1, Person 1, TARGETS 1",
    ]
    done = wbkg(["load", "-q", str(copy)], neo4j_cfg)
    assert done.returncode == 0, done.stderr
    assert counts(graph_db) == DATA_COUNTS
    name = graph_db.rows("MATCH (n:Person {id: 'edi-rama-pm'}) RETURN n.name AS name")[0]["name"]
    assert graph_db.rows("MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", {"name": name}) == [
        {"id": "edi-rama-pm"}]
    proc = wbkg(["query", "run", "neighbourhood", "-p", "entity", name, "--format", "json"], neo4j_cfg)
    assert proc.returncode == 0, proc.stderr  # the name resolves to one entity, not an ambiguity


def test_a_reload_changes_nothing_and_is_recorded(copy: Path, graph_db: Graph, neo4j_cfg: Config) -> None:
    nodes_before = graph_db.rows("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p ORDER BY id")
    done = wbkg(["load", "-q", str(copy)], neo4j_cfg)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["loaded 640 nodes and 699 relationships into neo4j", "created: none",
                                        "updated: none", "removed: none"]
    assert graph_db.rows("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p ORDER BY id") == nodes_before
    first, second = records(graph_db, "data")
    assert (first["created"], first["updated"], first["removed"], first["unchanged"]) == (1339, 0, 0, 0)
    assert (second["created"], second["updated"], second["removed"], second["unchanged"]) == (0, 0, 0, 1339)
    assert first["digest"] == second["digest"] and len(first["digest"]) == 64
    assert first["mode"] == second["mode"] == "single"
    # the load records are not entities: the counts the queries use do not see them
    assert graph_db.rows("MATCH (r:LoadRecord:Entity) RETURN count(r) AS c") == [{"c": 0}]


# -- datasets side by side ---------------------------------------------------------------------------

SOURCE = {"id": "src-t", "class": "Source", "title": "T", "publisher": "P", "kind": "news"}


def write(path: Path, nodes: list[dict[str, Any]], rels: list[dict[str, Any]] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"nodes": nodes, "relationships": rels or []}), encoding="utf-8")
    return path


def firm(i: str, cls: str = "Firm") -> dict[str, Any]:
    return {"id": i, "class": cls, "name": f"Name {i}", "sources": ["src-t"]}


def owns(a: str, b: str, rid: str | None = None, rtype: str = "OWNS") -> dict[str, Any]:
    rel = {"type": rtype, "from": a, "to": b, "status": "asserted", "evidence": "e", "sources": ["src-t"]}
    return {**rel, "id": rid} if rid else rel


def ds_load(graph: Graph, path: Path, **kw: Any) -> writer.LoadSummary:
    return load(graph, validate_paths([path], graph.cfg.base_iri), progress=False, **kw)


def test_other_datasets_and_hand_made_nodes_stay(clean_db: Graph, tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", [SOURCE, firm("a-1"), firm("a-2")], [owns("a-1", "a-2")])
    b = write(tmp_path / "b.yaml", [SOURCE, firm("b-1")])
    ds_load(clean_db, a)
    ds_load(clean_db, b)
    clean_db.rows("CREATE (:Entity:Agent:Firm {id: 'by-hand', name: 'Made by hand'})", write=True)
    assert clean_db.rows("MATCH (n:Source) RETURN n.datasets AS d") == [{"d": ["a", "b"]}]
    write(a, [SOURCE, firm("a-1")])
    summary = ds_load(clean_db, a)
    assert (summary.created, summary.updated, summary.removed) == ({}, {}, {"Firm": 1, "OWNS": 1})
    assert sorted(r["id"] for r in clean_db.rows("MATCH (n:Entity) RETURN n.id AS id")) == [
        "a-1", "b-1", "by-hand", "src-t"]
    write(a, [firm("a-1") | {"sources": []}])
    with pytest.raises(InvalidData):
        ds_load(clean_db, a)  # a Firm must cite a source: refused by validation, nothing written
    write(a, [SOURCE, firm("a-9")])
    summary = ds_load(clean_db, a)
    assert (summary.created, summary.removed) == ({"Firm": 1}, {"Firm": 1})
    a_only = write(tmp_path / "a2" / "a.yaml", [firm("a-9") | {"sources": ["src-u"]},
                                                 SOURCE | {"id": "src-u"}])
    summary = ds_load(clean_db, a_only)  # the same dataset name 'a' from another place
    assert (summary.created, summary.updated, summary.removed) == ({"Source": 1}, {"Firm": 1}, {"Source": 1})
    # src-t is still held by dataset b: released by a, not deleted
    assert clean_db.rows("MATCH (n:Source) RETURN n.id AS id, n.datasets AS d ORDER BY id") == [
        {"id": "src-t", "d": ["b"]}, {"id": "src-u", "d": ["a"]}]
    assert clean_db.rows("MATCH (n {id: 'by-hand'}) RETURN n.datasets AS d") == [{"d": None}]


def test_a_relationship_id_cannot_be_on_two_types(clean_db: Graph, tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", [SOURCE, firm("x-1"), firm("x-2")], [owns("x-1", "x-2", "link-1")])
    ds_load(clean_db, a)
    b = write(tmp_path / "b.yaml", [SOURCE, firm("x-1"), firm("x-2")],
              [owns("x-1", "x-2", "link-1", "LITIGATES")])
    with pytest.raises(InvalidData) as e:
        ds_load(clean_db, b)
    assert [str(p) for p in e.value.problems] == [
        f"{b}:18 id=link-1 field=id: relationship id 'link-1' is already a OWNS x-1 -> x-2 in the graph; "
        "give this link its own id"]
    assert clean_db.rows("MATCH ()-[r {id: 'link-1'}]->() RETURN type(r) AS t") == [{"t": "OWNS"}]
    assert clean_db.rows("MATCH (n:Entity) RETURN n.datasets AS d ORDER BY n.id") == [{"d": ["a"]}] * 3
    # within its own dataset a link may change type under its id: the old one goes, the new one comes
    write(a, [SOURCE, firm("x-1"), firm("x-2")], [owns("x-1", "x-2", "link-1", "LITIGATES")])
    summary = ds_load(clean_db, a)
    assert (summary.created, summary.updated, summary.removed) == ({"LITIGATES": 1}, {}, {"OWNS": 1})
    assert clean_db.rows("MATCH ()-[r {id: 'link-1'}]->() RETURN type(r) AS t") == [{"t": "LITIGATES"}]


def test_two_loads_racing_on_one_id_exactly_one_wins(clean_db: Graph, neo4j_cfg: Config, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Both loads read the graph before either writes (a barrier forces the interleaving that let both pass
    the class check before); the lock makes the second one check again, see the first's node, and fail."""
    a = write(tmp_path / "a.yaml", [SOURCE, firm("race-x")])
    b = write(tmp_path / "b.yaml", [SOURCE, firm("race-x", "Organization") | {"kind": "ngo"}])
    datasets = {p: validate_paths([p], neo4j_cfg.base_iri) for p in (a, b)}
    barrier = threading.Barrier(2, timeout=60)
    looked: set[int] = set()
    read_state = writer.read_state

    def first_look_together(*args: Any, **kw: Any) -> Any:
        state = read_state(*args, **kw)
        if threading.get_ident() not in looked:
            looked.add(threading.get_ident())
            barrier.wait()
        return state

    monkeypatch.setattr(writer, "read_state", first_look_together)
    outcome: dict[str, str] = {}

    def run(path: Path) -> None:
        with Graph(neo4j_cfg) as g:
            try:
                load(g, datasets[path], progress=False)
                outcome[path.stem] = "ok"
            except InvalidData as e:
                outcome[path.stem] = "; ".join(str(p) for p in e.problems)

    threads = [threading.Thread(target=run, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(outcome) == ["a", "b"]
    winner = next(k for k, v in outcome.items() if v == "ok")
    loser = "b" if winner == "a" else "a"
    cls = {"a": "Firm", "b": "Organization"}
    assert outcome[loser] == (f"{tmp_path}/{loser}.yaml:7 id=race-x field=class: id 'race-x' is already a "
                              f"{cls[winner]} in the graph, not a {cls[loser]}; a load never changes a node's "
                              "class (delete that node first)")
    rows = clean_db.rows("MATCH (n:Entity {id: 'race-x'}) RETURN labels(n) AS l, n.datasets AS d")
    assert len(rows) == 1 and cls[loser] not in rows[0]["l"] and rows[0]["d"] == [winner]
    assert clean_db.rows("MATCH (n:Entity) WHERE n:Firm AND n:Organization RETURN count(n) AS c") == [{"c": 0}]
    assert [r["dataset"] for r in clean_db.rows("MATCH (r:LoadRecord) RETURN r.dataset AS dataset")] == [winner]


# -- big loads: staged in committed batches, published at once -----------------------------------------

def chain(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [SOURCE, *(firm(f"f-{i}") for i in range(n))]
    return nodes, [owns(f"f-{i}", f"f-{i + 1}") for i in range(n - 1)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "BATCH_SIZE", 7)
    monkeypatch.setattr(writer, "STAGE_ABOVE", 20)


def test_a_big_load_is_staged_then_published(clean_db: Graph, tmp_path: Path, small_batches: None) -> None:
    nodes, rels = chain(40)
    path = write(tmp_path / "big.yaml", nodes, rels)
    summary = ds_load(clean_db, path)
    assert (summary.created, summary.updated, summary.removed) == ({"Firm": 40, "OWNS": 39, "Source": 1}, {}, {})
    assert counts(clean_db) == (41, 39)
    assert clean_db.rows("MATCH (n:Staged) RETURN count(n) AS c") == [{"c": 0}]
    assert clean_db.rows("MATCH (n:Entity) WHERE n.wbkg_load IS NOT NULL OR n.wbkg_class IS NOT NULL "
                         "RETURN count(n) AS c") == [{"c": 0}]
    assert [r["mode"] for r in records(clean_db, "big")] == ["staged"]
    links = ("MATCH (n:Entity)-[:SOURCED_BY]->(s:Source) WHERE s.id IN n.sources "
             "RETURN count(*) AS c, count(DISTINCT n) AS n")
    assert clean_db.rows(links) == [{"c": 40, "n": 40}]  # made while staging, between staged nodes
    summary = ds_load(clean_db, path)
    assert (summary.created, summary.updated, summary.removed) == ({}, {}, {})
    assert sum(summary.unchanged.values()) == 80
    assert clean_db.rows(links) == [{"c": 40, "n": 40}]


def test_a_big_load_links_its_nodes_to_sources_already_in_the_graph(clean_db: Graph, tmp_path: Path,
                                                                    small_batches: None) -> None:
    sources = write(tmp_path / "sources" / "s.yaml", [SOURCE], [])
    ds_load(clean_db, sources)
    nodes, rels = chain(40)
    big = write(tmp_path / "big" / "big.yaml", nodes[1:], rels)
    # the source is already in the graph (dataset 'sources'): the staged firms link to it when published
    load(clean_db, validate_paths([sources, big], clean_db.cfg.base_iri), progress=False, dataset="big")
    assert [r["mode"] for r in records(clean_db, "big")] == ["staged"]
    assert clean_db.rows("MATCH (n:Firm)-[l:SOURCED_BY]->(s:Source) RETURN count(l) AS c, count(DISTINCT s) AS s") \
        == [{"c": 40, "s": 1}]


def test_a_failed_big_load_leaves_nothing_visible_and_a_rerun_completes(
        clean_db: Graph, tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes, rels = chain(40)
    path = write(tmp_path / "big.yaml", nodes, rels)
    seen: list[int] = []
    record = writer._record

    def fail_at_the_end(*args: Any) -> None:
        # while publishing, the staged nodes are there but no reader anchored on :Entity sees them
        seen.append(clean_db.rows("MATCH (n:Staged) RETURN count(n) AS c")[0]["c"])
        seen.append(counts(clean_db)[0])
        raise LoadError("simulated failure at the last step")

    monkeypatch.setattr(writer, "_record", fail_at_the_end)
    monkeypatch.setattr(writer, "clear_staging", lambda *a: 0)  # as if killed: nothing cleans up
    with pytest.raises(LoadError):
        ds_load(clean_db, path)
    assert seen == [41, 0]
    assert counts(clean_db) == (0, 0)
    assert clean_db.rows("MATCH (n:Staged) RETURN count(n) AS c") == [{"c": 41}]
    monkeypatch.setattr(writer, "_record", record)
    monkeypatch.undo()
    monkeypatch.setattr(writer, "BATCH_SIZE", 7)
    monkeypatch.setattr(writer, "STAGE_ABOVE", 20)
    summary = ds_load(clean_db, path)
    assert summary.created == {"Firm": 40, "OWNS": 39, "Source": 1}
    assert counts(clean_db) == (41, 39)
    assert clean_db.rows("MATCH (n:Staged) RETURN count(n) AS c") == [{"c": 0}]
