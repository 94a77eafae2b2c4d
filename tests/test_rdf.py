"""RDF export, validation, import and SPARQL twins, against the real Neo4j of the test session.

The module loads one dataset (``DATA``) into an emptied database once; tests that rewrite the
database reload it afterwards. Graphs are compared by isomorphism, with the diff printed on failure
(rdflib's ``assert_isomorphic`` habit).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from wbkg.cli import cli
from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.mirror import content_digest, rows
from wbkg.loaders.writer import load
from wbkg.ontology.owl import build_ontology
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.dataset_description import dataset_triples
from wbkg.rdf.export import export_graph, stream_lines, write_export
from wbkg.rdf.importer import load_store, parse_rdf_file, read_rdf_dataset, triple_store, validate_rdf_file
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
    rels = graph_db.rows("MATCH ()-[r]->() WHERE NOT r:SOURCED_BY RETURN count(r) AS c")[0]["c"]
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


def test_jsonld_ships_a_complete_context_and_is_deterministic(loaded: Neo4jGraph, v: Vocab) -> None:
    import json

    first = _export(loaded, v, "jsonld")
    assert _export(loaded, v, "jsonld") == first
    doc = json.loads(first)
    assert doc["@context"] == {
        "wbkg": f"{v.base}ontology#", "id": f"{v.base}id/", "st": f"{v.base}statement/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#", "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
    }
    hytera = next(o for o in doc["@graph"] if o["@id"] == "id:hytera")
    assert hytera["@type"] == ["wbkg:Firm"]
    # every IRI of ours is compacted with the context: no absolute IRI under the base is left, except in the
    # dataset's own description ({base}dataset, whose void:uriSpace names the base as text)
    data = [o for o in doc["@graph"] if not o["@id"].startswith(f"{v.base}dataset")]
    assert v.base not in json.dumps(data)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "xml", "jsonld", "nquads"])
def test_every_format_is_deterministic(loaded: Neo4jGraph, v: Vocab, fmt: str) -> None:
    assert _export(loaded, v, fmt, with_ontology=True) == _export(loaded, v, fmt, with_ontology=True)


def test_streamed_ntriples_write_each_triple_once(loaded: Neo4jGraph, v: Vocab, expected: Graph) -> None:
    from collections import Counter

    streamed = [line.rstrip("\n") for line in stream_lines(loaded, v, "nt")]
    assert [line for line, n in Counter(streamed).items() if n > 1] == []
    assert len(streamed) == len(expected)
    assert _export(loaded, v, "nt").decode().splitlines() == streamed


def test_disputed_and_denied_links_are_never_plain_triples(loaded: Neo4jGraph, v: Vocab, records: RecordSet) -> None:
    g = _parse(_export(loaded, v, "nt"), "nt")
    reported = [r for r in records.relationships if r.props["status"] in ("disputed", "denied")]
    facts = {(r.source, r.type, r.target) for r in records.relationships
             if r.props["status"] in ("asserted", "corroborated")}
    assert len(reported) == 10  # 7 denied, 3 disputed in the curated data
    only_reported = [r for r in reported if (r.source, r.type, r.target) not in facts]
    assert len(only_reported) == 10
    for r in only_reported:
        assert (v.node(r.source), v.rel(r.type), v.node(r.target)) not in g, r.id
        st = v.statement(r.id)
        assert (st, RDF.predicate, v.rel(r.type)) in g
        assert (st, v.prop("status"), Literal(r.props["status"])) in g
    assert (v.node("shenzhen-investment-holdings"), v.rel("OWNS"), v.node("hytera")) not in g
    assert (v.node("fuzhou-psb"), v.rel("ORGANIZES"), v.node("overseas-police-service-stations")) not in g


def test_english_texts_carry_their_language(loaded: Neo4jGraph, v: Vocab, records: RecordSet) -> None:
    g = _parse(_export(loaded, v, "turtle"), "turtle")
    evidence = list(g.objects(None, v.prop("evidence")))
    assert len(evidence) == len(records.relationships) and {o.language for o in evidence} == {"en"}
    assert {o.language for o in g.objects(None, v.prop("statement"))} == {"en"}
    assert {o.language for o in g.objects(None, RDFS.label)} == {None}  # names are names, in any script


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld", "xml", "trig"])
def test_reloading_an_export_changes_nothing(loaded: Neo4jGraph, v: Vocab, records: RecordSet, tmp_path: Path,
                                             fmt: str) -> None:
    """List order (sources, aliases) survives export and import: the reload finds every record unchanged."""
    path = tmp_path / f"x{FORMATS[fmt][1]}"
    path.write_bytes(_export(loaded, v, fmt))
    summary = load(loaded, read_rdf_dataset(path, v.base), progress=False)
    assert summary.created == {k: 0 for k in summary.created}
    assert summary.removed == {k: 0 for k in summary.removed}
    # A load records each record's file, so a reload from the export moves every record to that file (an
    # update of its file only); what the records say is the YAML's, hash for hash.
    assert summary.digest == content_digest(*rows(records))


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

def _normal(value: object) -> object:
    if isinstance(value, list):
        return tuple(sorted(str(_normal(x)) for x in value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rows(rs, ordered: bool) -> list[tuple]:
    rows = [tuple(_normal(x) for x in row) for row in rs.rows]
    return rows if ordered else sorted(rows, key=repr)


def _orders(text: str) -> bool:
    """Whether a query's result is ordered: ORDER BY after its last RETURN (Cypher) or its last '}' (SPARQL)."""
    tail = text[max(text.rfind("RETURN"), text.rfind("}")):]
    return "ORDER BY" in tail


def test_every_canned_query_has_a_sparql_twin() -> None:
    cypher = sorted(p.stem for p in (REPO / "queries").glob("*.cypher"))
    assert [n for n in cypher if not (REPO / "queries" / f"{n}.rq").is_file()] == []


TWINS = sorted(p.stem for p in (REPO / "queries").glob("*.rq") if p.with_suffix(".cypher").is_file())


@pytest.mark.parametrize("name", TWINS)
def test_cypher_and_sparql_agree(loaded: Neo4jGraph, v: Vocab, records: RecordSet, name: str) -> None:
    from wbkg.queries.registry import example_args, get_query
    from wbkg.queries.runner import run_query
    from wbkg.queries.sparql import run_named, store
    from wbkg.rdf.mapping import dataset_triples

    query = get_query(name)
    params = example_args(query)
    cy = run_query(loaded, query, params)[-1]
    sp = run_named(name, params, store(dataset_triples(records, v)), v)
    assert sp.columns == cy.columns
    sparql = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    ordered = _orders(query.statements[-1].text)
    assert _orders(sparql) == ordered  # a twin orders exactly when its Cypher query does
    assert _rows(sp, ordered) == _rows(cy, ordered)


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


# -- snapshots ---------------------------------------------------------------------------------------

class _CommitMidway(io.BytesIO):
    """An output stream that commits a write to the graph when the export writes to it the second time
    (the first may be a header, written before reading starts): a load landing in the middle of an export."""

    def __init__(self, graph: Neo4jGraph) -> None:
        super().__init__()
        self.graph = graph
        self.writes = 0
        self.fired = False

    def write(self, data) -> int:  # type: ignore[override]
        self.writes += 1
        if self.writes == 2:
            self.fired = True
            # a real change (Neo4j commits no transaction for a write that changes nothing); the marker is not
            # an Entity, so the export itself would not differ
            self.graph.rows(f"MERGE (m:{MARKER} {{id: 'snapshot-probe'}}) SET m.n = coalesce(m.n, 0) + 1",
                            write=True)
        return super().write(data)


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld"])
def test_an_export_during_a_commit_fails(loaded: Neo4jGraph, v: Vocab, fmt: str) -> None:
    from wbkg.rdf.export import SnapshotError

    out = _CommitMidway(loaded)
    with pytest.raises(SnapshotError) as e:
        write_export(loaded, v, fmt, out)
    assert out.fired
    assert str(e.value) == ("the graph changed while it was exported (a load ran meanwhile); nothing was kept: "
                            "run the export again")


def test_cli_export_writes_the_file_only_when_complete(loaded: Neo4jGraph, v: Vocab, tmp_path: Path,
                                                      expected: Graph) -> None:
    target = tmp_path / "x.nt"
    result = CliRunner().invoke(cli, ["export", "rdf", "-f", "nt", "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == f"exported {len(expected)} triples as nt to {target}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.nt"]


# -- reading RDF never reaches beyond the named file ---------------------------------------------------

@pytest.mark.parametrize("context", ["http://127.0.0.1:9/context.jsonld", "file:///etc/passwd",
                                     "https://wbkg.org/context.jsonld"])
def test_jsonld_remote_and_file_contexts_are_refused(tmp_path: Path, v: Vocab, context: str) -> None:
    doc = tmp_path / "remote.jsonld"
    doc.write_text(json.dumps({"@context": context, "@id": "id:x", "wbkg:kind": "firm"}), encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        read_rdf_dataset(doc, v.base)
    assert [str(p) for p in e.value.problems] == [
        f"{doc}: not valid json-ld: No LoadDocumentCallback has been set to load remote contexts"]


def test_rdfxml_entity_expansion_is_refused(tmp_path: Path, v: Vocab) -> None:
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [\n' + "\n".join(levels) + "\n]>\n"
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">'
                    '<rdf:Description rdf:about="http://ex.org/s"><ex:p>&i;</ex:p></rdf:Description></rdf:RDF>',
                    encoding="utf-8")
    for read in (read_rdf_dataset, validate_rdf_file):
        with pytest.raises(InvalidData) as e:
            read(bomb, v.base)
        assert [str(p) for p in e.value.problems] == [
            f"{bomb}: not valid xml: declares XML entities, which wbkg refuses to expand"]


def test_a_disputed_link_stated_as_a_fact_is_refused(loaded: Neo4jGraph, v: Vocab, tmp_path: Path) -> None:
    path = tmp_path / "asserts-a-denial.nt"
    extra = f"<{v.node('shenzhen-investment-holdings')}> <{v.rel('OWNS')}> <{v.node('hytera')}> .\n"
    path.write_bytes(_export(loaded, v, "nt") + extra.encode())
    with pytest.raises(InvalidData) as e:
        read_rdf_dataset(path, v.base)
    assert [str(p) for p in e.value.problems] == [
        f"{path} id=shenzhen-investment-holdings: OWNS to <{v.node('hytera')}> is stated as a fact, "
        "but its statements are only disputed or denied"]


# -- the SPARQL front end ------------------------------------------------------------------------------

RQ_HEADER = """# name: by-country
# title: t
# description: d
# params:
#   - {name: country, type: country}
# mode: read
# example: wbkg sparql --file by-country.rq -p country RS
PREFIX wbkg: <https://wbkg.org/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def test_sparql_lexer_sees_iris_strings_and_comments(tmp_path: Path) -> None:
    from wbkg.errors import QueryError
    from wbkg.queries.sparql import parse_query_file

    good = tmp_path / "by-country.rq"
    # an IRI before $country on one line (the Cypher lexer took '//' in it for a comment)
    good.write_text(RQ_HEADER + "SELECT ?name WHERE { ?c a <https://wbkg.org/ontology#State> ; "
                    "dcterms:identifier $country ; rdfs:label ?name . }\n", encoding="utf-8")
    assert parse_query_file(good, canned=False).query.statements[0].params == {"country"}
    commented = tmp_path / "commented.rq"
    # a $param only inside a '#' comment and a string is not a use
    commented.write_text(RQ_HEADER.replace("by-country", "commented") + "SELECT ?c WHERE {\n"
                         "  ?c a wbkg:State . # filtered by $country\n  ?c rdfs:label \"$country\" .\n}\n",
                         encoding="utf-8")
    with pytest.raises(QueryError) as e:
        parse_query_file(commented, canned=False)
    assert str(e.value) == f"{commented}:5: parameter 'country' is declared but the body never uses $country"


def test_sparql_service_is_refused(tmp_path: Path) -> None:
    from wbkg.errors import QueryError
    from wbkg.queries.sparql import parse_query_file

    path = tmp_path / "by-country.rq"
    path.write_text(RQ_HEADER + "SELECT ?name WHERE {\n  ?c dcterms:identifier $country .\n"
                    "  SERVICE <http://127.0.0.1:9/sparql> { ?c rdfs:label ?name }\n}\n", encoding="utf-8")
    with pytest.raises(QueryError) as e:
        parse_query_file(path, canned=False)
    assert str(e.value) == f"{path}:13: SERVICE is refused: wbkg runs SPARQL over local data only"


def test_cli_sparql_runs_only_canned_names_and_files_given_with_file(tmp_path: Path) -> None:
    outside = tmp_path / "by-country.rq"
    outside.write_text(RQ_HEADER + "SELECT ?name WHERE { ?c dcterms:identifier $country ; rdfs:label ?name . }\n",
                       encoding="utf-8")
    from wbkg.errors import QueryError

    refused = CliRunner().invoke(cli, ["sparql", str(outside.with_suffix("")), "-p", "country", "RS"])
    assert isinstance(refused.exception, QueryError) and refused.exception.exit_code == 2
    assert str(refused.exception) == (f"{str(outside.with_suffix(''))!r} is not a canned query name (lower-case "
                                      "letters, digits and hyphens); run your own file with --file")
    ran = CliRunner().invoke(cli, ["sparql", "--file", str(outside), "-p", "country", "RS", "-f", "csv"])
    assert ran.exit_code == 0, ran.output
    assert ran.output == "name\nSerbia\n"


def test_sparql_values_are_single_terms(tmp_path: Path, v: Vocab) -> None:
    from wbkg.queries.sparql import load_data, run_file

    path = tmp_path / "by-name.rq"
    path.write_text(RQ_HEADER.replace("by-country", "by-name").replace("country, type: country", "q, type: string")
                    .replace("-p country RS", "-p q x")
                    + "SELECT ?c WHERE { ?c rdfs:label $q . }\n", encoding="utf-8")
    rs = run_file(path, {"q": 'x" . } SELECT * WHERE { ?s ?p ?o } #'}, load_data(None, v), v)
    assert (rs.columns, rs.rows) == (["c"], [])


@pytest.mark.parametrize("base", ["https://example.org/kg/"])
def test_twins_follow_the_configured_base(base: str, records: RecordSet) -> None:
    from wbkg.queries.sparql import run_named, store
    from wbkg.rdf.mapping import dataset_triples

    other = vocab(base)
    rs = run_named("ownership-chain", {"entity": "Hytera"}, store(dataset_triples(records, other)), other)
    assert [row[0] for row in rs.rows] == ["Chen Qingzhou", "Shenzhen Municipal People's Government"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_store_of_an_export_holds_its_triples(loaded: Neo4jGraph, v: Vocab, tmp_path: Path, fmt: str) -> None:
    """`wbkg sparql --data` reads N-Triples, Turtle and JSON-LD straight into pyoxigraph (rdf.importer.load_store):
    the store holds exactly the triples the checked reader gives, in the default graph, for every format."""
    path = tmp_path / f"export{FORMATS[fmt][1]}"
    path.write_bytes(_export(loaded, v, fmt))
    expected = set(triple_store(parse_rdf_file(path)))  # a store writes a literal in its canonical form
    store = set(load_store(path))
    assert len(store) == len(expected) > 5000
    assert store == expected
    assert {q.graph_name for q in store} == {ox.DefaultGraph()}


def test_the_store_refuses_what_the_reader_refuses(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        load_store(broken)
    assert str(e.value.problems[0]).startswith(f"{broken}: not valid nt: ")
    doc = tmp_path / "remote.jsonld"
    doc.write_text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "id:x"}), encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        load_store(doc)
    assert [str(p) for p in e.value.problems] == [
        f"{doc}: not valid json-ld: No LoadDocumentCallback has been set to load remote contexts"]
    with pytest.raises(InvalidData) as e:
        load_store(tmp_path / "missing.ttl")
    assert [str(p) for p in e.value.problems] == [f"{tmp_path / 'missing.ttl'}: no such file"]
