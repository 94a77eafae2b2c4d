"""Export throughput per format against pyoxigraph serialising the same triples, and the SPARQL twins on
rdflib against pyoxigraph (figures only, not a test; issue 14 item 4).

Loads N copies of the curated dataset into the configured Neo4j (which must be a scratch or test database:
it is wiped), then for each format times ``write_export`` (Neo4j read + mapping + serialisation) and
``pyoxigraph.serialize`` of the same triples already in memory; then runs the 11 twins over the curated data
on an rdflib Graph (parameters written in as terms, as for Jena) and on a pyoxigraph Store.

    NEO4J_URI=… NEO4J_PASSWORD=… python -m benchmarks.rdf_pyoxigraph 1 10
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.rdf_export import copies
from wbkg.config import load_config
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.ontology.vocab import vocab
from wbkg.queries.registry import example_args, get_query
from wbkg.queries.sparql import bindings, load_query, query_names, rebase, run, store, substitute
from wbkg.rdf.export import FORMATS, QUAD_FORMATS, graph_triples, write_export
from wbkg.rdf.mapping import dataset_graph, dataset_triples, prefixes
from wbkg.rdf.validate import validate_paths

DATA = Path(__file__).resolve().parents[1] / "data"


def exports(n: int) -> None:
    cfg = load_config()
    v = vocab(cfg.base_iri)
    ds = copies(validate_paths([DATA], cfg.base_iri), n)
    with Graph(cfg) as g:
        g.rows("MATCH (n) WHERE NOT n:WbkgTestMarker DETACH DELETE n", write=True)
        load(g, ds, progress=False)
        triples = list(graph_triples(g, v))
        print(f"copies {n}: {len(ds.nodes)} nodes, {len(ds.relationships)} relationships, {len(triples)} triples")
        for fmt in FORMATS:
            t0 = time.perf_counter()
            count = write_export(g, v, fmt, io.BytesIO())
            ours = time.perf_counter() - t0
            oxformat = FORMATS[fmt][0] or ox.RdfFormat.JSON_LD
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples] \
                if fmt in QUAD_FORMATS else triples
            t0 = time.perf_counter()
            ox.serialize(items, io.BytesIO(), oxformat, prefixes=prefixes(v))
            bare = time.perf_counter() - t0
            print(f"  {fmt:7s} export {count / ours:10,.0f} triples/s ({ours:6.2f} s)   pyoxigraph alone "
                  f"{len(items) / bare:12,.0f} triples/s ({bare:6.3f} s)   ratio {ours / bare:5.1f}x")


def twins() -> None:
    v = vocab()
    ds = validate_paths([DATA], v.base)
    t0 = time.perf_counter()
    rdf = dataset_graph(ds, v)
    rdflib_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    oxs = store(dataset_triples(ds, v))
    ox_build = time.perf_counter() - t0
    rdflib_total = ox_total = 0.0
    for name in query_names():
        q = load_query(name)
        params = example_args(get_query(name))
        text = substitute(rebase(q.text, v), bindings(q, params, oxs, v))
        t0 = time.perf_counter()
        rdflib_rows = len(list(rdf.query(text)))
        rdflib_secs = time.perf_counter() - t0
        t0 = time.perf_counter()
        ox_rows = len(run(q, params, oxs, v).rows)
        ox_secs = time.perf_counter() - t0
        rdflib_total += rdflib_secs
        ox_total += ox_secs
        print(f"  {name:26s} rdflib {rdflib_secs:7.3f} s ({rdflib_rows:3d} rows)   pyoxigraph {ox_secs:6.3f} s "
              f"({ox_rows:3d} rows)")
    print(f"  {'11 twins':26s} rdflib {rdflib_total:7.3f} s   pyoxigraph {ox_total:6.3f} s   "
          f"ratio {rdflib_total / ox_total:5.1f}x   (graph built in {rdflib_build:.2f} s vs store {ox_build:.2f} s)")


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [1]:
        exports(size)
    twins()
