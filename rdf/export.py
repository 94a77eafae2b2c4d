"""Export the live Neo4j graph as RDF, through the one mapping of ``rdf.mapping``.

Nodes and relationships are read in pages (keyset pagination on their stable ids, one managed
read transaction per page), so memory stays bounded by the page size. N-Triples and N-Quads are
written line by line as pages arrive and never build an rdflib ``Graph``; the other formats need
the whole graph in memory to serialize (Turtle groups by subject, JSON-LD compacts, …).

In TriG and N-Quads the data is the default graph; with ``--with-ontology`` the OWL ontology
goes into its own named graph, ``{base}ontology``. In the triple formats it is simply merged in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

import neo4j
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.plugins.serializers.nt import _nt_row
from tqdm import tqdm

from wbkg.errors import InvalidData, Problem
from wbkg.graph.connection import Graph as Neo4jGraph
from wbkg.ontology.model import ROOT_CLASS
from wbkg.ontology.owl import build_ontology
from wbkg.ontology.vocab import Vocab
from wbkg.rdf.dataset_description import dataset_triples
from wbkg.rdf.mapping import (
    Triple,
    bind_prefixes,
    new_graph,
    node_class,
    node_triples,
    prefixes,
    relationship_triples,
)

PAGE_SIZE = 1000
ORIGIN = "(neo4j)"

# --format value -> rdflib serializer name, and the usual file suffix
FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "nquads": ("nquads", ".nq"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".rdf"),
    "trig": ("trig", ".trig"),
}
STREAMED = {"nt", "nquads"}
QUAD_FORMATS = {"nquads", "trig"}


# -- reading Neo4j -------------------------------------------------------------------------------

def _node_query() -> str:
    return (f"MATCH (n:{ROOT_CLASS}) WHERE n.id > $after "
            "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id LIMIT $limit")


def _rel_query(rtype: str) -> str:
    # only a relationship type from the model enters the text; values are parameters
    return (f"MATCH (a:{ROOT_CLASS})-[r:{rtype}]->(b:{ROOT_CLASS}) WHERE r.id > $after "
            "RETURN a.id AS source, b.id AS target, properties(r) AS props ORDER BY r.id LIMIT $limit")


def _pages(graph: Neo4jGraph, cypher: str, key: Callable[[dict[str, Any]], str],
           page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Keyset pagination: each page is its own retried read transaction."""
    after = ""
    while True:
        def work(tx: neo4j.ManagedTransaction, after: str = after) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(cypher, after=after, limit=page_size)]

        rows = graph.read(work)
        if not rows:
            return
        yield rows
        if len(rows) < page_size:
            return
        after = key(rows[-1])


def count_records(graph: Neo4jGraph) -> int:
    nodes = graph.rows(f"MATCH (n:{ROOT_CLASS}) RETURN count(n) AS c")[0]["c"]
    rels = graph.rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return int(nodes) + int(rels)


def graph_triples(graph: Neo4jGraph, v: Vocab, *, progress: bool = False,
                  page_size: int = PAGE_SIZE) -> Iterator[Triple]:
    """Every triple of the live graph, produced page by page (nodes first, then each type)."""
    model = v.model
    bar = tqdm(total=count_records(graph) if progress else None, unit="rec", desc="exporting",
               disable=not progress, file=sys.stderr, leave=False)
    try:
        for rows in _pages(graph, _node_query(), lambda r: r["props"]["id"], page_size):
            for row in rows:
                props = row["props"]
                cls = node_class(model, row["labels"])
                if cls is None:
                    raise InvalidData([Problem(ORIGIN, None, props.get("id"), "labels",
                                               f"no ontology class among the labels {row['labels']}")])
                yield from node_triples(v, cls, props)
            bar.update(len(rows))
        for rtype in model.relationships:
            for rows in _pages(graph, _rel_query(rtype), lambda r: r["props"]["id"], page_size):
                for row in rows:
                    props = row["props"]
                    yield from relationship_triples(v, rtype, row["source"], row["target"], props["id"], props)
                bar.update(len(rows))
        yield from dataset_triples(v)
    finally:
        bar.close()


# -- writing -------------------------------------------------------------------------------------

def stream_lines(graph: Neo4jGraph, v: Vocab, fmt: str, *, with_ontology: bool = False,
                 progress: bool = False, page_size: int = PAGE_SIZE) -> Iterator[str]:
    """N-Triples or N-Quads lines, one per triple, as Neo4j's rows arrive."""
    if fmt not in STREAMED:
        raise ValueError(f"{fmt} cannot be streamed")
    for t in graph_triples(graph, v, progress=progress, page_size=page_size):
        yield _nt_row(t) if fmt == "nt" else _nq_row(t, None)
    if with_ontology:
        context = v.ontology_iri if fmt == "nquads" else None
        for t in build_ontology(v):
            yield _nt_row(t) if context is None else _nq_row(t, context)


def export_graph(graph: Neo4jGraph, v: Vocab, *, with_ontology: bool = False, quads: bool = False,
                 progress: bool = False) -> Graph:
    """The live graph as one rdflib Graph (or a Dataset, with the ontology in a named graph)."""
    if quads:
        ds = Dataset()
        bind_prefixes(ds, v)
        data = ds.default_graph
        for t in graph_triples(graph, v, progress=progress):
            data.add(t)
        if with_ontology:
            onto = ds.graph(URIRef(v.ontology_iri))
            for t in build_ontology(v):
                onto.add(t)
        return ds
    g = new_graph(v)
    for t in graph_triples(graph, v, progress=progress):
        g.add(t)
    if with_ontology:
        g += build_ontology(v)
    return g


def write_export(graph: Neo4jGraph, v: Vocab, fmt: str, out: IO[bytes], *, with_ontology: bool = False,
                 progress: bool = False) -> int:
    """Write the export in ``fmt`` to a binary stream; return the number of triples (or quads) written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r} (one of: {', '.join(FORMATS)})")
    if fmt in STREAMED:
        n = 0
        for line in stream_lines(graph, v, fmt, with_ontology=with_ontology, progress=progress):
            out.write(line.encode("utf-8"))
            n += 1
        return n
    g = export_graph(graph, v, with_ontology=with_ontology, quads=fmt in QUAD_FORMATS, progress=progress)
    serializer = FORMATS[fmt][0]
    kwargs: dict[str, Any] = {"context": prefixes(v), "auto_compact": True} if fmt == "jsonld" else {}
    g.serialize(destination=out, format=serializer, encoding="utf-8", **kwargs)
    return len(g)
