"""Run a canned query or a user script: parameters typed and resolved, values passed only as parameters.

Read queries run in a READ session inside ``execute_read``, so the server refuses any write they contain;
write scripts run in ``execute_write``. All statements of a script share one transaction: a failure in any
of them leaves nothing written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import neo4j

from wbkg.errors import QueryError
from wbkg.graph.connection import Graph
from wbkg.queries.registry import Query, coerce, read_only_refusals
from wbkg.queries.resolve import resolve


@dataclass(frozen=True)
class ResultSet:
    """The rows of one statement: column names and values (plain Python values, in column order)."""

    columns: list[str]
    rows: list[list[Any]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def bind(query: Query, raw: dict[str, str]) -> dict[str, Any]:
    """Typed values for the declared parameters (defaults filled in); QueryError on unknown or missing ones."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise QueryError(f"{query.name} has no parameter {', '.join(map(repr, unknown))} (declared: {declared})")
    out: dict[str, Any] = {}
    for p in query.params:
        if p.name in raw:
            out[p.name] = coerce(p, raw[p.name])
        elif p.required:
            raise QueryError(f"{query.name} needs parameter {p.name!r} ({p.type}): add -p {p.name} VALUE")
        else:
            out[p.name] = p.default
    return out


def resolve_params(graph: Graph, query: Query, values: dict[str, Any]) -> dict[str, Any]:
    """Entity and country parameters replaced by the id of the node they name."""
    out = dict(values)
    for p in query.params:
        if p.type in ("entity", "country") and out.get(p.name) is not None:
            out[p.name] = resolve(graph, p.type, str(out[p.name]), p.name)
    return out


def plain(value: Any) -> Any:
    """Driver values as plain JSON-able Python: nodes and relationships as property maps, temporals as text."""
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {k: plain(v) for k, v in sorted(dict(value).items())}
    if isinstance(value, neo4j.graph.Path):
        return [plain(n) for n in value.nodes]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


class Sink(Protocol):
    """Where rows go as they arrive: ``begin`` per statement that returns columns, ``row`` per record."""

    def begin(self, columns: list[str]) -> None: ...

    def row(self, values: list[Any]) -> None: ...


class Collect:
    """A sink that keeps every row: the ResultSets of ``execute``."""

    def __init__(self) -> None:
        self.results: list[ResultSet] = []

    def begin(self, columns: list[str]) -> None:
        self.results.append(ResultSet(columns, []))

    def row(self, values: list[Any]) -> None:
        self.results[-1].rows.append(values)


MAX_TIMEOUT = 7 * 24 * 3600.0  # a week: far past any query, far below what the driver's millisecond field holds


def check_timeout(timeout: float | None) -> None:
    """QueryError unless ``timeout`` is None or a finite number of seconds in (0, MAX_TIMEOUT]."""
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise QueryError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f} "
                         f"(a week), got {timeout}")


def check_read_only(query: Query) -> None:
    """Refuse a read query that would fetch files or URLs, manage transactions or administer the server
    (``parse_query`` already refuses such files; this also covers queries built in code)."""
    if query.write:
        return
    refusals = read_only_refusals(query.statements)
    if refusals:
        raise QueryError("\n".join(f"{query.path}:{line}: {message}" for line, message in refusals))


def run_query(graph: Graph, query: Query, raw: dict[str, str], *, timeout: float | None = None) -> list[ResultSet]:
    """Run every statement of ``query`` in one transaction; one ResultSet per statement that returns columns."""
    params = resolve_params(graph, query, bind(query, raw))
    return execute(graph, query, params, timeout=timeout)


def execute(graph: Graph, query: Query, params: dict[str, Any], *, timeout: float | None = None) -> list[ResultSet]:
    """Run already-bound parameters (the ids resolved) through ``query``'s statements."""
    sink = Collect()
    stream(graph, query, params, sink, timeout=timeout)
    return sink.results


def stream(graph: Graph, query: Query, params: dict[str, Any], sink: Sink, *, timeout: float | None = None) -> int:
    """Run ``query``'s statements in one transaction, handing each row to ``sink`` as the driver fetches it
    (memory stays flat in the number of rows); the number of rows.

    A managed transaction re-runs its work on a transient error; once rows have gone to the sink they
    cannot be taken back, so a retry after that is refused with a clear error instead of repeating them.
    """
    check_timeout(timeout)
    check_read_only(query)
    sent = 0
    started = False

    def work(tx: neo4j.ManagedTransaction) -> int:
        nonlocal sent, started
        if started:
            raise QueryError(f"the server failed the query after {sent} row(s) were written (a transient error); "
                             "run it again")
        for st in query.statements:
            used = {k: v for k, v in params.items() if k in st.params}
            result = tx.run(st.text, used)
            keys = list(result.keys())
            if keys:
                started = True
                sink.begin(keys)
            for rec in result:
                sink.row([plain(v) for v in rec.values()])
                sent += 1
            result.consume()
        return sent

    return graph.write(work, timeout) if query.write else graph.read(work, timeout)
