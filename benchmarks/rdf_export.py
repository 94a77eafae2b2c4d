"""Memory of the streamed N-Triples export against the size of its output (not a test: figures only).

Loads a synthetic dataset of N copies of the RDF test fixture into the configured Neo4j (which must
be empty or a test database), streams N-Triples to a counting sink under tracemalloc, and prints the
peak Python allocation next to the bytes written. The peak should stay flat as N grows.

    NEO4J_URI=… NEO4J_PASSWORD=… python benchmarks/rdf_export.py 1 20 100
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from copy import deepcopy
from pathlib import Path

from wbkg.config import load_config
from wbkg.graph.connection import Graph
from wbkg.loaders.dataset import Dataset, RelRecord
from wbkg.loaders.writer import load
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.export import stream_lines
from wbkg.rdf.validate import validate_paths

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rdf"


def copies(base: Dataset, n: int) -> Dataset:
    """``n`` disjoint copies of ``base`` (ids suffixed), sources shared."""
    out = Dataset()
    sources = {i for i, r in base.nodes.items() if r.cls == "Source"}

    def ren(i: str, k: int) -> str:
        return i if i in sources or k == 0 else f"{i}-c{k}"

    for k in range(n):
        for i, r in base.nodes.items():
            if k and i in sources:
                continue
            rec = deepcopy(r)
            rec.id = ren(i, k)
            rec.props["id"] = rec.id
            if "claim" in rec.props:
                rec.props["claim"] = ren(rec.props["claim"], k)
            out.nodes[rec.id] = rec
        for r in base.relationships:
            props = dict(r.props)
            if "claim" in props:
                props["claim"] = ren(props["claim"], k)
            out.relationships.append(RelRecord(f"{r.id}-c{k}", r.type, ren(r.source, k), ren(r.target, k),
                                               props, r.file, r.line))
    return out


def measure_nt_export(g: Graph, v: Vocab) -> tuple[int, int, float, int]:
    """Stream N-Triples to a counting sink under tracemalloc: (triples, bytes, seconds, peak bytes)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    size = lines = 0
    for line in stream_lines(g, v, "nt"):
        size += len(line.encode("utf-8"))
        lines += 1
    secs = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines, size, secs, peak


def main(sizes: list[int]) -> None:
    cfg = load_config()
    v = vocab(cfg.base_iri)
    base = validate_paths([FIXTURE], cfg.base_iri)
    with Graph(cfg) as g:
        for n in sizes:
            g.rows("MATCH (n) WHERE NOT n:WbkgTestMarker DETACH DELETE n", write=True)
            ds = copies(base, n)
            load(g, ds, progress=False)
            lines, size, secs, peak = measure_nt_export(g, v)
            print(f"copies {n:5d}: {len(ds.nodes):6d} nodes {len(ds.relationships):6d} rels -> {lines:8d} triples "
                  f"{size / 1e6:8.2f} MB in {secs:6.2f} s; peak Python memory {peak / 1e6:6.2f} MB "
                  f"({peak / max(size, 1):.3f} of output)")
        g.rows("MATCH (n) WHERE NOT n:WbkgTestMarker DETACH DELETE n", write=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 50, 400])
