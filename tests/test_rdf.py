"""RDF export, validation, import and SPARQL twins, against the real Neo4j of the test session.

The module loads one dataset (``DATA``) into an emptied database once; tests that rewrite the
database reload it afterwards. Graphs are compared by isomorphism, with the diff printed on failure
(rdflib's ``assert_isomorphic`` habit).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from wbkg.cli import cli
from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.writer import load
from wbkg.ontology.owl import build_ontology
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.dataset_description import dataset_triples
from wbkg.rdf.export import export_graph, stream_lines, write_export
from wbkg.rdf.importer import read_rdf_dataset, validate_rdf_file
from wbkg.rdf.mapping import dataset_graph
from wbkg.rdf.validate import shacl_problems, validate_paths

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "rdf"
DATA = REPO / "data"  # the curated dataset
MARKER = "WbkgTestMarker"
FORMATS = {"turtle": ("turtle", ".ttl"), "nt": ("nt", ".nt"), "jsonld": ("json-ld", ".jsonld"),
           "xml": ("xml", ".rdf"), "trig": ("trig", ".trig"), "nquads": ("nquads", ".nq")}


def assert_isomorphic(a: Graph, b: Graph) -> None:
    if isomorphic(a, b):
        return
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    lines = [f"- {' '.join(t.n3() for t in tr)}" for tr in sorted(only_a)[:40]]
    lines += [f"+ {' '.join(t.n3() for t in tr)}" for tr in sorted(only_b)[:40]]
    pytest.fail(f"graphs differ ({len(only_a)} triples only in the first, {len(only_b)} only in the second):\n"
                + "\n".join(lines))


def wipe(g: Neo4jGraph) -> None:
    g.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)


@pytest.fixture(scope="module")
def v(neo4j_cfg) -> Vocab:
    return vocab(neo4j_cfg.base_iri)


@pytest.fixture(scope="module")
def records(v: Vocab) -> RecordSet:
    return validate_paths([DATA], v.base)


@pytest.fixture(scope="module")
def expected(records: RecordSet, v: Vocab) -> Graph:
    """The mapping of the files plus the dataset description that every export carries."""
    g = dataset_graph(records, v)
    for t in dataset_triples(v):
        g.add(t)
    return g


@pytest.fixture
def loaded(graph_db: Neo4jGraph, records: RecordSet) -> Neo4jGraph:
    """The dataset in an otherwise empty database (reloaded only when a test changed it)."""
    count = graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} RETURN count(n) AS c")[0]["c"]
    rels = graph_db.rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    if count != len(records.nodes) or rels != len(records.relationships):
        wipe(graph_db)
        load(graph_db, records, progress=False)
    return graph_db


def _export(graph: Neo4jGraph, v: Vocab, fmt: str, with_ontology: bool = False) -> bytes:
    buf = io.BytesIO()
    write_export(graph, v, fmt, buf, with_ontology=with_ontology)
    return buf.getvalue()


def _parse(data: bytes, fmt: str) -> Graph:
    parser = FORMATS[fmt][0]
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=data, format=parser)
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    g = Graph()
    g.parse(data=data, format=parser)
    return g


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_parses_back_to_the_dataset(loaded: Neo4jGraph, v: Vocab, expected: Graph, fmt: str) -> None:
    assert_isomorphic(_parse(_export(loaded, v, fmt), fmt), expected)


def test_export_equals_the_mapping_of_the_files(loaded: Neo4jGraph, v: Vocab, expected: Graph) -> None:
    g = export_graph(loaded, v)
    assert len(g) == len(expected)
    assert_isomorphic(g, expected)


def test_export_conforms_to_the_shapes(loaded: Neo4jGraph, v: Vocab) -> None:
    assert shacl_problems(export_graph(loaded, v), v) == []


def test_jsonld_ships_its_context(loaded: Neo4jGraph, v: Vocab) -> None:
    import json

    doc = json.loads(_export(loaded, v, "jsonld"))
    assert set(doc["@context"]) == {"wbkg", "id", "st", "rdfs", "skos", "owl", "xsd", "dcterms", "prov"}
    assert doc["@context"]["id"] == f"{v.base}id/"


def test_streamed_ntriples_equal_the_serialized_graph(loaded: Neo4jGraph, v: Vocab) -> None:
    reference = set(export_graph(loaded, v).serialize(format="nt").splitlines()) - {""}
    streamed = [line.rstrip("\n") for line in stream_lines(loaded, v, "nt", page_size=3)]
    assert set(streamed) == reference
    # a line may repeat only for parallel relationships (same ends and type, two ids): their direct triple
    from collections import Counter

    rels = {f"<{iri}>" for iri in v.rel_by_iri}
    assert all(line.split(" ")[1] in rels for line, n in Counter(streamed).items() if n > 1)


def test_with_ontology_puts_the_ontology_in_its_own_named_graph(loaded: Neo4jGraph, v: Vocab,
                                                               expected: Graph) -> None:
    ds = Dataset()
    ds.parse(data=_export(loaded, v, "trig", with_ontology=True), format="trig")
    onto = ds.graph(URIRef(v.ontology_iri))
    assert len(onto) == len(build_ontology(v))
    assert_isomorphic(ds.graph(ds.default_graph.identifier), expected)
    quads = _export(loaded, v, "nquads", with_ontology=True).decode().splitlines()
    assert sum(1 for q in quads if q.endswith(f"<{v.ontology_iri}> .")) == len(build_ontology(v))
    turtle = _parse(_export(loaded, v, "turtle", with_ontology=True), "turtle")
    assert len(turtle) == len(expected) + len(build_ontology(v))


def test_round_trip_through_an_empty_database(loaded: Neo4jGraph, v: Vocab, tmp_path: Path) -> None:
    first = tmp_path / "first.nt"
    first.write_bytes(_export(loaded, v, "nt"))
    before = export_graph(loaded, v)
    wipe(loaded)
    ds = read_rdf_dataset(first, v.base)
    load(loaded, ds, progress=False)
    assert_isomorphic(export_graph(loaded, v), before)


def test_cli_validate_rdf(loaded: Neo4jGraph, v: Vocab, tmp_path: Path, expected: Graph) -> None:
    good = tmp_path / "good.ttl"
    good.write_bytes(_export(loaded, v, "turtle"))
    result = CliRunner().invoke(cli, ["validate", "--rdf", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output == f"ok: {good} conforms to the wbkg shapes ({len(expected)} triples)\n"
    assert validate_rdf_file(good, v.base) == len(expected)


def test_invalid_rdf_names_file_id_and_field(tmp_path: Path, v: Vocab) -> None:
    bad = tmp_path / "bad.nt"
    lines = (FIXTURE / "bad-export.nt").read_text(encoding="utf-8")
    bad.write_text(lines.replace("https://wbkg.org/", v.base), encoding="utf-8")
    with pytest.raises(InvalidData) as shacl:
        validate_rdf_file(bad, v.base)
    assert [str(p) for p in shacl.value.problems] == [
        f"{bad} id=east-holdings-owns-camera-maker field=share_min: SHACL: Value is not <= "
        'Literal("100", datatype=xsd:decimal)',
    ]
    with pytest.raises(InvalidData) as records:
        read_rdf_dataset(bad, v.base)
    assert [str(p) for p in records.value.problems] == [
        f"{bad} id=east-holdings-owns-camera-maker field=share_min: share 300.0 is outside 0-100",
    ]


def test_unparseable_and_foreign_files(tmp_path: Path, v: Vocab) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        validate_rdf_file(broken, v.base)
    assert str(e.value.problems[0]).startswith(f"{broken}: not valid turtle:")
    foreign = tmp_path / "foreign.nt"
    foreign.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
                       encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        read_rdf_dataset(foreign, v.base)
    assert str(e.value.problems[0]) == (f"{foreign}: no wbkg resources under {v.base}id/ typed with an ontology "
                                        "class; was it exported with another WBKG_BASE_IRI?")


# -- SPARQL twins ------------------------------------------------------------------------------------

# "sources: a, b, c)" inside a text cell (investment-for-security): a node's sources are a set in RDF, so the
# SPARQL twin lists them by id where Cypher keeps the order of the data file; compare them as a set.
_SOURCE_LIST = re.compile(r"sources: ([^()]*)\)")


def _normal(value: object) -> object:
    if isinstance(value, list):
        return tuple(sorted(str(_normal(x)) for x in value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _SOURCE_LIST.sub(lambda m: "sources: " + ", ".join(sorted(m.group(1).split(", "))) + ")", value)
    return value


def _rows(rs) -> list[tuple]:
    return sorted((tuple(_normal(x) for x in row) for row in rs.rows), key=repr)


def test_every_canned_query_has_a_sparql_twin() -> None:
    cypher = sorted(p.stem for p in (REPO / "queries").glob("*.cypher"))
    assert [n for n in cypher if not (REPO / "queries" / f"{n}.rq").is_file()] == []


TWINS = sorted(p.stem for p in (REPO / "queries").glob("*.rq") if p.with_suffix(".cypher").is_file())


@pytest.mark.parametrize("name", TWINS)
def test_cypher_and_sparql_agree(loaded: Neo4jGraph, v: Vocab, expected: Graph, name: str) -> None:
    from wbkg.queries.registry import example_args, get_query
    from wbkg.queries.runner import run_query
    from wbkg.queries.sparql import run_named

    query = get_query(name)
    params = example_args(query)
    cy = run_query(loaded, query, params)[-1]
    sp = run_named(name, params, expected, v)
    assert sp.columns == cy.columns
    assert _rows(sp) == _rows(cy)


def test_cli_sparql_runs_over_an_export(loaded: Neo4jGraph, v: Vocab, tmp_path: Path) -> None:
    export = tmp_path / "x.ttl"
    export.write_bytes(_export(loaded, v, "turtle"))
    from wbkg.queries.formats import render
    from wbkg.queries.registry import get_query
    from wbkg.queries.runner import run_query

    args = ["-p", "country", "RS", "-p", "from", "2019", "-p", "to", "2019"]
    result = CliRunner().invoke(cli, ["sparql", "timeline", *args, "--data", str(export), "-f", "csv"])
    assert result.exit_code == 0, result.output
    cypher = run_query(loaded, get_query("timeline"), {"country": "RS", "from": "2019", "to": "2019"})
    assert result.output == render(cypher, "csv") + "\n"
