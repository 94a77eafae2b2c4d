"""Run a canned query or a user script: parameters typed and resolved, values passed only as parameters.

Read queries run in a READ session inside ``execute_read``, so the server refuses any write they contain;
write scripts run in ``execute_write``. All statements of a script share one transaction: a failure in any
of them leaves nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j

from wbkg.errors import QueryError
from wbkg.graph.connection import Graph
from wbkg.queries.registry import Query, coerce
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


def run_query(graph: Graph, query: Query, raw: dict[str, str], *, timeout: float | None = None) -> list[ResultSet]:
    """Run every statement of ``query`` in one transaction; one ResultSet per statement that returns columns."""
    params = resolve_params(graph, query, bind(query, raw))
    return execute(graph, query, params, timeout=timeout)


def execute(graph: Graph, query: Query, params: dict[str, Any], *, timeout: float | None = None) -> list[ResultSet]:
    """Run already-bound parameters (the ids resolved) through ``query``'s statements."""

    def work(tx: neo4j.ManagedTransaction) -> list[ResultSet]:
        out = []
        for st in query.statements:
            used = {k: v for k, v in params.items() if k in st.params}
            result = tx.run(st.text, used)
            keys = list(result.keys())
            rows = [[plain(v) for v in rec.values()] for rec in result]
            result.consume()
            if keys:
                out.append(ResultSet(keys, rows))
        return out

    if timeout is not None and timeout <= 0:
        raise QueryError("--timeout must be a positive number of seconds")
    return graph.write(work, timeout) if query.write else graph.read(work, timeout)
