"""Export the live Neo4j graph as RDF, through the one mapping of ``rdf.mapping``.

**A snapshot.** The whole export is read in one read transaction, each query's rows streamed as the
server sends them (memory stays flat: nothing holds the graph). Neo4j transactions are read-committed,
so one transaction alone does not stop a concurrent load from showing half of itself; the export
therefore compares the database's last committed transaction before and after (the bookmarks of two
empty read transactions) and fails with ``SnapshotError`` when anything was committed in between. The
caller writes to a temporary file and renames it only on success, so a partial export never stands.

**Every format streams** through pyoxigraph's serialisers (N-Triples, N-Quads, Turtle, TriG, RDF/XML)
or our own streaming JSON-LD writer (``rdf.jsonld``): no format builds a graph in memory. Triples come
out in a fixed order (nodes by id, then each relationship type by id), so the same graph always gives
the same bytes.

In TriG and N-Quads the data is the default graph; with ``--with-ontology`` the OWL ontology goes into
its own named graph, ``{base}ontology``. In the triple formats it is simply merged in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

import neo4j
import pyoxigraph as ox
from neo4j import exceptions as nx
from rdflib import Graph
from rdflib.compare import to_canonical_graph
from tqdm import tqdm

from wbkg.errors import InvalidData, Problem, WbkgError
from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.graph.connection import translate
from wbkg.ontology.model import ROOT_CLASS
from wbkg.ontology.owl import build_ontology
from wbkg.ontology.vocab import Vocab
from wbkg.rdf.dataset_description import dataset_triples as description_triples
from wbkg.rdf.jsonld import write_jsonld
from wbkg.rdf.mapping import (
    FACT_STATUSES,
    Triple,
    from_rdflib,
    from_rdflib_graph,
    node_class,
    node_triples,
    prefixes,
    rdflib_graph,
    relationship_triples,
)

ORIGIN = "(neo4j)"
BATCH = 1000  # triples per chunk of streamed lines

# --format value -> pyoxigraph format, and the usual file suffix
FORMATS: dict[str, tuple[ox.RdfFormat | None, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, ".ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, ".nt"),
    "nquads": (ox.RdfFormat.N_QUADS, ".nq"),
    "jsonld": (None, ".jsonld"),  # rdf.jsonld: compacted with our context
    "xml": (ox.RdfFormat.RDF_XML, ".rdf"),
    "trig": (ox.RdfFormat.TRIG, ".trig"),
}
STREAMED = set(FORMATS)
QUAD_FORMATS = {"nquads", "trig"}


class SnapshotError(WbkgError):
    """The graph changed while it was being exported."""


# -- reading Neo4j -------------------------------------------------------------------------------

def _node_query() -> str:
    return f"MATCH (n:{ROOT_CLASS}) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"


def _rel_query(rtype: str) -> str:
    # Only a relationship type from the model enters the text; values are parameters. ``direct``: the link
    # is a fact and no parallel fact of a smaller id (same ends, same type) already gives its direct triple.
    return (f"MATCH (a:{ROOT_CLASS})-[r:{rtype}]->(b:{ROOT_CLASS}) "
            "RETURN a.id AS source, b.id AS target, properties(r) AS props, "
            f"r.status IN $facts AND NOT EXISTS {{ MATCH (a)-[q:{rtype}]->(b) "
            "WHERE q.status IN $facts AND q.id < r.id } AS direct ORDER BY r.id")


def _last_commit(graph: Neo4jGraph) -> frozenset[str]:
    """The bookmark of an empty read transaction: it names the last transaction committed to the database."""
    with graph.session() as s:
        s.execute_read(lambda tx: tx.run("RETURN 1").consume())
        return frozenset(s.last_bookmarks().raw_values)


def count_records(tx: neo4j.Transaction) -> int:
    rec = tx.run(f"MATCH (n:{ROOT_CLASS}) WITH count(n) AS nodes "
                 "MATCH ()-[r]->() RETURN nodes + count(r) AS c").single()
    return int(rec["c"]) if rec else 0


def _read(graph: Neo4jGraph, v: Vocab, progress: bool) -> Iterator[Triple]:
    model = v.model
    with graph.session() as s:
        tx = s.begin_transaction()
        try:
            total = count_records(tx) if progress else None
            with tqdm(total=total, unit="rec", desc="exporting", disable=not progress, file=sys.stderr,
                      leave=False) as bar:
                for row in tx.run(_node_query()):
                    props = row["props"]
                    cls = node_class(model, row["labels"])
                    if cls is None:
                        raise InvalidData([Problem(ORIGIN, None, props.get("id"), "labels",
                                                   f"no ontology class among the labels {row['labels']}")])
                    yield from node_triples(v, cls, props)
                    bar.update()
                for rtype in model.relationships:
                    for row in tx.run(_rel_query(rtype), facts=list(FACT_STATUSES)):
                        props = row["props"]
                        yield from relationship_triples(v, rtype, row["source"], row["target"], props["id"], props,
                                                        direct=bool(row["direct"]))
                        bar.update()
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            raise translate(e, graph.cfg) from e
        finally:
            tx.close()


def graph_triples(graph: Neo4jGraph, v: Vocab, *, progress: bool = False) -> Iterator[Triple]:
    """Every triple of the live graph as of one moment (see the module docstring), nodes first, then each
    relationship type; raises ``SnapshotError`` at the end when the graph changed meanwhile."""
    before = _last_commit(graph)
    yield from _read(graph, v, progress)
    for s, p, o in description_triples(v):  # the dataset's own description (DCAT/VoID): version, licence
        yield ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))  # type: ignore[arg-type]
    if _last_commit(graph) != before:
        raise SnapshotError("the graph changed while it was exported (a load ran meanwhile); "
                            "nothing was kept: run the export again")


def ontology_triples(v: Vocab) -> list[Triple]:
    """The OWL ontology, in a fixed order (rdflib's list cells are random blank nodes: canonical labels)."""
    return sorted(from_rdflib_graph(to_canonical_graph(build_ontology(v))), key=str)


def export_graph(graph: Neo4jGraph, v: Vocab, *, with_ontology: bool = False, progress: bool = False) -> Graph:
    """The live graph as one rdflib Graph (for pyshacl and for comparing graphs; the export never builds it)."""
    return rdflib_graph(_all_triples(graph, v, with_ontology, progress), v)


# -- writing -------------------------------------------------------------------------------------

def _quads(triples: Iterator[Triple], v: Vocab, with_ontology: bool) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
    if with_ontology:
        onto = ox.NamedNode(str(v.ontology_iri))
        for t in ontology_triples(v):
            yield ox.Quad(t.subject, t.predicate, t.object, onto)


def _all_triples(graph: Neo4jGraph, v: Vocab, with_ontology: bool, progress: bool) -> Iterator[Triple]:
    yield from graph_triples(graph, v, progress=progress)
    if with_ontology:
        yield from ontology_triples(v)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def count(self, items: Iterator[Any]) -> Iterator[Any]:
        for x in items:
            self.n += 1
            yield x


def write_export(graph: Neo4jGraph, v: Vocab, fmt: str, out: IO[bytes], *, with_ontology: bool = False,
                 progress: bool = False) -> int:
    """Write the export in ``fmt`` to a binary stream; return the number of triples (or quads) written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r} (one of: {', '.join(FORMATS)})")
    counter = _Counter()
    triples = _all_triples(graph, v, with_ontology and fmt not in QUAD_FORMATS, progress)
    if fmt == "jsonld":
        write_jsonld(counter.count(triples), out, prefixes(v))
        return counter.n
    oxformat = FORMATS[fmt][0]
    items: Iterator[Any] = _quads(graph_triples(graph, v, progress=progress), v, with_ontology) \
        if fmt in QUAD_FORMATS else triples
    ox.serialize(counter.count(items), out, oxformat, prefixes=prefixes(v))
    return counter.n


def stream_lines(graph: Neo4jGraph, v: Vocab, fmt: str, *, with_ontology: bool = False,
                 progress: bool = False) -> Iterator[str]:
    """N-Triples or N-Quads lines, one per triple, as Neo4j's rows arrive."""
    if fmt not in ("nt", "nquads"):
        raise ValueError(f"{fmt} cannot be streamed line by line")
    oxformat = FORMATS[fmt][0]
    items: Iterator[Any] = _quads(graph_triples(graph, v, progress=progress), v, with_ontology) \
        if fmt == "nquads" else _all_triples(graph, v, with_ontology, progress)
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == BATCH:
            yield from _lines(chunk, oxformat)
            chunk = []
    yield from _lines(chunk, oxformat)


def _lines(chunk: list[Any], oxformat: ox.RdfFormat | None) -> Iterator[str]:
    if chunk:
        data = ox.serialize(chunk, format=oxformat)
        assert data is not None
        yield from data.decode("utf-8").splitlines(keepends=True)
