"""Write a validated dataset into Neo4j: batched ``UNWIND … MERGE`` keyed by stable ids.

The whole load is one transaction (run as a managed, retried unit of work): batches are separate
statements inside it, so a load that is killed, or whose server stops, leaves nothing behind, and
re-running it completes it. Only labels and relationship types taken from the model enter the
Cypher text; every value travels as a parameter.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import neo4j
from tqdm import tqdm

from wbkg.errors import InvalidData, Problem, WbkgError
from wbkg.graph.connection import Graph
from wbkg.graph.schema import schema_statements
from wbkg.loaders.dataset import Dataset, NodeRecord, RelRecord
from wbkg.loaders.source_links import link_sources
from wbkg.ontology.model import Model, load_model

BATCH_SIZE = 500


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, created: int, updated: int, total: int) -> None:
        self.created[key] = self.created.get(key, 0) + created
        self.updated[key] = self.updated.get(key, 0) + updated
        self.unchanged[key] = self.unchanged.get(key, 0) + total - created - updated

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _node_query(labels: list[str]) -> str:
    extra = ":".join(labels[1:])
    return (
        "UNWIND $rows AS row "
        f"MERGE (n:{labels[0]} {{id: row.id}}) "
        "WITH n, row, properties(n) AS before "
        f"SET n = row.props, n:{extra} "
        "RETURN sum(CASE WHEN size(keys(before)) > 1 AND before <> row.props THEN 1 ELSE 0 END) AS updated"
    )


def _rel_query(rtype: str) -> str:
    return (
        "UNWIND $rows AS row "
        "MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) "
        f"MERGE (a)-[r:{rtype} {{id: row.id}}]->(b) "
        "WITH r, row, properties(r) AS before "
        "SET r = row.props "
        "RETURN sum(CASE WHEN size(keys(before)) > 1 AND before <> row.props THEN 1 ELSE 0 END) AS updated"
    )


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH_SIZE):
        yield rows[i:i + BATCH_SIZE]


def _by_class(ds: Dataset) -> dict[str, list[NodeRecord]]:
    out: dict[str, list[NodeRecord]] = {}
    for n in ds.nodes.values():
        out.setdefault(n.cls, []).append(n)
    return dict(sorted(out.items()))


def _by_type(ds: Dataset) -> dict[str, list[RelRecord]]:
    out: dict[str, list[RelRecord]] = {}
    for r in ds.relationships:
        out.setdefault(r.type, []).append(r)
    return dict(sorted(out.items()))


def plan(ds: Dataset, model: Model) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(key, cypher, rows) per class and relationship type, nodes first."""
    work: list[tuple[str, str, list[dict[str, Any]]]] = []
    for cls, nodes in _by_class(ds).items():
        for batch in _batches([{"id": n.id, "props": n.props} for n in nodes]):
            work.append((cls, _node_query(model.labels(cls)), batch))
    for rtype, rels in _by_type(ds).items():
        rows = [{"id": r.id, "from": r.source, "to": r.target, "props": {"id": r.id, **r.props}} for r in rels]
        for batch in _batches(rows):
            work.append((rtype, _rel_query(rtype), batch))
    return work


def _conflicts(tx: neo4j.ManagedTransaction, ds: Dataset, model: Model) -> list[Problem]:
    """Records that would silently change what is already in the graph: a node id held by a node of
    another class (MERGE would give it a second class label), a relationship id on other ends."""
    problems: list[Problem] = []
    for cls, nodes in _by_class(ds).items():
        for row in tx.run(f"MATCH (n:Entity) WHERE n.id IN $ids AND NOT n:{cls} "
                          "RETURN n.id AS id, labels(n) AS labels", ids=[n.id for n in nodes]):
            held = [label for label in row["labels"] if label in model.classes and not model.classes[label].abstract]
            rec = ds.nodes[row["id"]]
            problems.append(Problem(rec.file, rec.line, rec.id, "class",
                                    f"id {rec.id!r} is already a {'/'.join(held) or 'node'} in the graph, not a "
                                    f"{cls}; a load never changes a node's class (delete that node first)"))
    rel_where = {r.id: r for r in ds.relationships}
    for rtype, rels in _by_type(ds).items():
        rows = [{"id": r.id, "from": r.source, "to": r.target} for r in rels]
        for row in tx.run(f"UNWIND $rows AS row MATCH (a)-[r:{rtype} {{id: row.id}}]->(b) "
                          "WHERE a.id <> row.from OR b.id <> row.to RETURN row.id AS id, a.id AS a, b.id AS b",
                          rows=rows):
            rel = rel_where[row["id"]]
            problems.append(Problem(rel.file, rel.line, rel.id, "id",
                                    f"relationship id {rel.id!r} already links {row['a']} -> {row['b']} in the "
                                    "graph; give this link its own id"))
    return problems


def create_schema(graph: Graph, model: Model | None = None) -> None:
    with graph.session(write=True) as s:
        for stmt in schema_statements(model):
            s.run(stmt).consume()
        s.run("CALL db.awaitIndexes(60)").consume()


def load(graph: Graph, ds: Dataset, *, progress: bool = True, model: Model | None = None) -> LoadSummary:
    """Create the schema, then write the dataset in one transaction; return what changed.

    Raises ``InvalidData`` (nothing written) when the data would change the class of a node already in the
    graph or move a relationship id to other ends."""
    m = model or load_model()
    create_schema(graph, m)
    work = plan(ds, m)

    def unit(tx: neo4j.ManagedTransaction) -> LoadSummary:
        conflicts = _conflicts(tx, ds, m)
        if conflicts:
            raise InvalidData(conflicts)  # raised inside the transaction function: it rolls back, no retry
        summary = LoadSummary()
        bar = tqdm(total=sum(len(rows) for _, _, rows in work), unit="rec", desc="loading",
                   disable=not progress, file=sys.stderr, leave=False)
        try:
            for key, cypher, rows in work:
                result = tx.run(cypher, rows=rows)
                record = result.single()
                counters = result.consume().counters
                created = counters.nodes_created + counters.relationships_created
                summary.add(key, created, int(record["updated"]) if record else 0, len(rows))
                bar.update(len(rows))
        finally:
            bar.close()
        link_sources(tx)
        return summary

    summary = graph.write(unit)
    if summary.changed:
        refresh_statistics(graph)
    return summary


_NO_REPLANNING = {"Neo.ClientError.Security.Forbidden", "Neo.ClientError.Procedure.ProcedureNotFound"}


def refresh_statistics(graph: Graph) -> None:
    """Resample the indexes and clear the query caches, so the next queries are planned for the data just
    written rather than for what the graph held before (a plan cached for a tiny or different graph can scan
    where it should seek). Needs admin rights; for a user without them (or a server without the procedure)
    replanning is left to the server's own schedule."""
    try:
        graph.rows("CALL db.prepareForReplanning()")
    except WbkgError as e:
        cause = e.__cause__
        if not (isinstance(cause, neo4j.exceptions.Neo4jError) and cause.code in _NO_REPLANNING):
            raise
