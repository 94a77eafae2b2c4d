"""Peak Python memory of ``wbkg query run --format csv|json`` as the number of rows grows.

Rows go through the CLI's writers (``wbkg.queries.formats.writer``) into a counting sink under
tracemalloc; the peak should stay flat as the row count grows, since rows are written as they arrive.

    NEO4J_URI=… NEO4J_PASSWORD=… python -m benchmarks.query_stream 10000 1000000
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

from wbkg.graph.connection import Graph
from wbkg.queries.formats import writer
from wbkg.queries.registry import parse_query
from wbkg.queries.runner import stream


class Counter:
    """A text sink that keeps nothing but the number of characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str, /) -> int:
        self.chars += len(text)
        return len(text)


def measure_stream(g: Graph, rows: int, fmt: str) -> tuple[int, float, int]:
    """(characters written, seconds, peak Python bytes) for a query returning ``rows`` rows of two columns."""
    query = parse_query(Path("rows.cypher"), text="// name: rows\n// params:\n//   - {name: n, type: integer}\n"
                                                  "// mode: read\nUNWIND range(1, $n) AS i RETURN i, 'row ' + i AS s\n")
    out = Counter()
    tracemalloc.start()
    t0 = time.perf_counter()
    sink = writer(fmt, out)
    stream(g, query, {"n": rows}, sink)
    sink.close()
    secs = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out.chars, secs, peak


def report(g: Graph, sizes: tuple[int, ...] = (10_000, 100_000)) -> None:
    for fmt in ("csv", "json"):
        for n in sizes:
            chars, secs, peak = measure_stream(g, n, fmt)
            print(f"query rows {fmt:4s} {n:8d}: {chars / 1e6:7.2f} MB written in {secs:6.1f} s; "
                  f"peak Python memory {peak / 1e6:6.2f} MB")


if __name__ == "__main__":
    with Graph() as graph:
        report(graph, tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000))
