"""The RDF side checked by third-party tools, not by our own code: Apache Jena SHACL validates a plain Turtle
export against ontology/shapes.ttl standalone, and every SPARQL twin runs unchanged (its parameters written in
as terms) in Apache Jena ARQ over that export, giving the rows of ``wbkg query run``, in the same order where
the query orders. Jena comes from Maven Central (tests/tools/jena/pom.xml), as the local server does."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from semweb import java, standard_ontology

from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.writer import load
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.queries.registry import example_args, get_query
from wbkg.queries.runner import run_query
from wbkg.queries.sparql import bindings, cell, list_column, load_query, rebase, store, substitute
from wbkg.rdf.export import write_export
from wbkg.rdf.importer import parse_rdf_file
from wbkg.rdf.validate import validate_paths

REPO = Path(__file__).resolve().parents[1]
MARKER = "WbkgTestMarker"
TWINS = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
_SOURCE_LIST = re.compile(r"sources: ([^()]*)\)")


@pytest.fixture(scope="module")
def v(neo4j_cfg) -> Vocab:
    return vocab(neo4j_cfg.base_iri)


@pytest.fixture(scope="module")
def records(v: Vocab) -> RecordSet:
    return validate_paths([REPO / "data"], v.base)


@pytest.fixture(scope="module")
def export(graph_db: Neo4jGraph, records: RecordSet, v: Vocab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain Turtle export of the curated dataset, loaded into an otherwise empty database."""
    graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)
    load(graph_db, records, progress=False)
    path = tmp_path_factory.mktemp("standards") / "export.ttl"
    buf = io.BytesIO()
    write_export(graph_db, v, "turtle", buf)
    path.write_bytes(buf.getvalue())
    return path


def _jena_shacl(data: Path) -> str:
    done = java("jena", "shacl.shacl", "validate", "--shapes", str(REPO / "ontology" / "shapes.ttl"),
                "--data", str(data))
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_jena_shacl_accepts_a_plain_export(export: Path) -> None:
    report = _jena_shacl(export)
    assert re.search(r"sh:conforms\s+true", report), report[:3000]


def test_jena_shacl_rejects_a_bad_export(tmp_path: Path, v: Vocab) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text((REPO / "tests" / "fixtures" / "rdf" / "bad-export.nt").read_text(encoding="utf-8")
                   .replace("https://wbkg.org/", v.base), encoding="utf-8")
    report = _jena_shacl(bad)
    assert re.search(r"sh:conforms\s+false", report)
    assert re.findall(r"sh:focusNode\s+([^\s;]+)", report) == [f"<{v.base}statement/east-holdings-owns-camera-maker>"]
    assert re.findall(r"sh:resultPath\s+([^\s;]+)", report) == ["wbkg:shareMin"]


def _normal(value: Any) -> Any:
    # as in test_rdf: lists compared as multisets, whole floats as ints, a node's sources (a set in RDF) sorted
    if isinstance(value, list):
        return tuple(sorted(str(_normal(x)) for x in value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _SOURCE_LIST.sub(lambda m: "sources: " + ", ".join(sorted(m.group(1).split(", "))) + ")", value)
    return value


def _term(b: dict[str, str]) -> Any:
    if b["type"] == "uri":
        return ox.NamedNode(b["value"])
    if b["type"] == "bnode":
        return ox.BlankNode(b["value"])
    if "xml:lang" in b:
        return ox.Literal(b["value"], language=b["xml:lang"])
    return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]) if "datatype" in b else None)


def _orders(text: str) -> bool:
    return "ORDER BY" in text[max(text.rfind("RETURN"), text.rfind("}")):]


@pytest.mark.parametrize("name", TWINS)
def test_every_twin_runs_in_jena_arq_with_the_cypher_rows(export: Path, graph_db: Neo4jGraph, v: Vocab,
                                                         tmp_path: Path, name: str) -> None:
    twin = load_query(name)
    query = get_query(name)
    params = example_args(query)
    resolver = store(parse_rdf_file(export))
    text = substitute(rebase(twin.text, v), bindings(twin, params, resolver, v))
    rq = tmp_path / f"{name}.rq"
    rq.write_text(text, encoding="utf-8")
    done = java("jena", "arq.sparql", "--data", str(export), "--query", str(rq), "--results=JSON")
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)
    names = doc["head"]["vars"]
    columns, kinds = zip(*map(list_column, names), strict=True)
    rows = [tuple(_normal(cell(_term(b[n]) if n in b else None, k)) for n, k in zip(names, kinds, strict=True))
            for b in doc["results"]["bindings"]]
    cypher = run_query(graph_db, query, params)[-1]
    expected = [tuple(_normal(x) for x in row) for row in cypher.rows]
    assert list(columns) == cypher.columns
    ordered = _orders(query.statements[-1].text)
    assert rows == expected if ordered else sorted(rows, key=repr) == sorted(expected, key=repr)
    assert len(rows) > 0


# -- the ontology, checked by ROBOT (OWL API, HermiT) from Maven Central (tests/tools/robot/pom.xml) ------------

ROBOT = "org.obolibrary.robot.CommandLineInterface"
ONTOLOGY = REPO / "ontology" / "wbkg.ttl"


def test_the_ontology_is_owl2_dl() -> None:
    done = java("robot", ROBOT, "validate-profile", "--profile", "DL", "--input", str(ONTOLOGY))
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert done.stdout.strip() == "OWL 2 DL Profile Report: [Ontology and imports closure in profile]"


def test_robot_report_finds_no_error(tmp_path: Path) -> None:
    out = tmp_path / "report.tsv"
    done = java("robot", ROBOT, "report", "--input", str(ONTOLOGY), "--fail-on", "ERROR", "--output", str(out))
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    levels = [line.split("\t", 1)[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert "ERROR" not in levels


def _hermit(*inputs: Path) -> subprocess.CompletedProcess[str]:
    args = [a for p in inputs for a in ("--input", str(p))]
    return java("robot", ROBOT, "merge", *args, "reason", "--reasoner", "hermit")


def test_hermit_finds_ontology_and_export_consistent(export: Path) -> None:
    done = _hermit(ONTOLOGY, export)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "inconsistent" not in (done.stdout + done.stderr).lower()


def test_hermit_finds_ontology_export_prov_o_and_org_consistent(export: Path) -> None:
    # the alignments checked against the W3C's own files: wbkg:Event is a prov:Activity, wbkg:Agency an
    # org:OrganizationalUnit, …; a direction or domain that contradicts PROV-O or ORG makes this inconsistent
    prov, org = standard_ontology("prov"), standard_ontology("org")
    done = _hermit(ONTOLOGY, export, prov, org)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "inconsistent" not in (done.stdout + done.stderr).lower()


def test_hermit_with_prov_o_rejects_a_claim_that_is_an_activity(export: Path, tmp_path: Path, v: Vocab) -> None:
    # a claim is a prov:Entity (our alignment); PROV-O makes entities and activities disjoint, so a claim
    # typed prov:Activity is inconsistent with PROV-O merged and only then: the check above has teeth
    bad = tmp_path / "bad.ttl"
    claim = v.node("claim-huawei-employee-owned")
    bad.write_bytes(export.read_bytes() + f"\n<{claim}> a <http://www.w3.org/ns/prov#Activity> .\n".encode())
    alone = _hermit(ONTOLOGY, bad)
    assert alone.returncode == 0, (alone.stdout + alone.stderr)[-4000:]
    done = _hermit(ONTOLOGY, bad, standard_ontology("prov"), standard_ontology("org"))
    assert done.returncode != 0
    assert "inconsistent" in (done.stdout + done.stderr).lower()


def test_hermit_finds_a_firm_that_is_a_state_inconsistent(export: Path, tmp_path: Path, v: Vocab) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(export.read_bytes() + f"\n<{v.node('hytera')}> a <{v.cls('State')}> .\n".encode())
    done = _hermit(ONTOLOGY, bad)
    assert done.returncode != 0
    assert "inconsistent" in (done.stdout + done.stderr).lower()
