"""Speed and memory of validating, loading, querying and exporting (figures only, never a test).

Run by ``make bench`` against a scratch server of its own (``.wbkg/bench-server``, Bolt 19687),
because it wipes the database between measurements. Prints medians over repeated runs:

- validation of data/: record checks and SHACL, separately;
- loading data/ into an empty database, and reloading it (nothing changes);
- every canned query with its example parameters, on the curated graph (names resolved, as the CLI does)
  and, anchored on the same ids, on a graph 20 times larger;
- the streamed N-Triples export: time and peak Python memory next to the output size;
- query results streamed as CSV and JSON: peak Python memory at 10,000 and 100,000 rows;
- start-up: ``wbkg --help`` and ``wbkg query list`` against ``python -c "import click"`` (target 3x).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.query_stream import report as report_query_stream
from benchmarks.rdf_export import copies, measure_nt_export
from benchmarks.scale import startup, startup_report
from wbkg.config import load_config
from wbkg.graph.connection import Graph
from wbkg.loaders.dataset import read_dataset
from wbkg.loaders.writer import load
from wbkg.ontology.vocab import vocab
from wbkg.queries.registry import canned_queries, example_args
from wbkg.queries.runner import bind, execute, resolve_params, run_query
from wbkg.rdf.mapping import dataset_graph
from wbkg.rdf.validate import validate_paths

DATA = Path(__file__).resolve().parents[1] / "data"


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and maximum wall time in milliseconds over ``runs`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def wipe(g: Graph) -> None:
    g.rows("MATCH (n) DETACH DELETE n", write=True)


def resolved_examples(g: Graph) -> dict[str, dict[str, Any]]:
    """Each canned query's example parameters with entities resolved to ids (on the curated graph), so the
    same anchors can be used on the larger graph, where copied names are no longer unique."""
    return {name: resolve_params(g, q, bind(q, example_args(q))) for name, q in canned_queries().items()}


def bench_queries(g: Graph, label: str, params: dict[str, dict[str, Any]], resolve: bool) -> None:
    """Median and maximum latency of each canned query; with ``resolve``, name resolution included."""
    for name, q in sorted(canned_queries().items()):
        if resolve:
            raw = example_args(q)
            med, worst = timed(lambda q=q, raw=raw: run_query(g, q, raw), runs=20)
        else:
            med, worst = timed(lambda q=q, p=params[name]: execute(g, q, p), runs=20)
        print(f"  query {name:26s} {label:>9s}: median {med:7.1f} ms  max {worst:7.1f} ms")


def main() -> None:
    cfg = load_config()
    v = vocab(cfg.base_iri)
    print(f"wbkg benchmarks against {cfg.uri} (database {cfg.database})")

    med, _ = timed(lambda: read_dataset([DATA]), runs=3)
    print(f"validate data/: record checks median {med:7.0f} ms")
    med, _ = timed(lambda: validate_paths([DATA], cfg.base_iri), runs=3)
    print(f"validate data/: records + SHACL median {med:7.0f} ms")
    ds = read_dataset([DATA])
    print(f"  ({len(ds.nodes)} nodes, {len(ds.relationships)} relationships, {len(dataset_graph(ds, v))} triples)")

    with Graph(cfg) as g:
        first = []
        for _ in range(3):
            wipe(g)
            t0 = time.perf_counter()
            load(g, ds, progress=False)
            first.append((time.perf_counter() - t0) * 1000)
        print(f"load into an empty database: median {statistics.median(first):7.0f} ms")
        med, _ = timed(lambda: load(g, ds, progress=False), runs=3)
        print(f"reload (no change):          median {med:7.0f} ms")
        examples = resolved_examples(g)
        bench_queries(g, "curated", examples, resolve=True)

        big = copies(ds, 20)
        wipe(g)
        t0 = time.perf_counter()
        load(g, big, progress=False)
        secs = time.perf_counter() - t0
        print(f"load 20x ({len(big.nodes)} nodes, {len(big.relationships)} relationships): {secs:6.1f} s")
        bench_queries(g, "20x", examples, resolve=False)

        for n, dataset in ((1, ds), (20, big)):
            wipe(g)
            load(g, dataset, progress=False)
            lines, size, secs, peak = measure_nt_export(g, v)
            print(f"export nt {n:2d}x: {lines:7d} triples, {size / 1e6:6.2f} MB in {secs:6.1f} s; "
                  f"peak Python memory {peak / 1e6:6.2f} MB")
        wipe(g)
        report_query_stream(g)
    start = startup()
    print(f"start-up (medians): python -c 'import click' {start['click'] * 1000:.0f} ms, wbkg --help "
          f"{start['help'] * 1000:.0f} ms, wbkg query list {start['list'] * 1000:.0f} ms")
    print("\n".join(["| measure | target | ratio |", "|---|---|---|", *startup_report(start)]))


if __name__ == "__main__":
    sys.exit(main())
