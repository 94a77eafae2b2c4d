"""One consistent snapshot of the live graph, read in ONE read transaction, that every export maps.

An export that read the graph page by page in separate transactions could mix two states of a graph
being loaded; these formats are small enough (the curated graph is a few thousand records) to take whole.
``Dropped`` counts what a format cannot say, so the CLI can report it on stderr instead of losing it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import neo4j

from wbkg.errors import InvalidData, Problem
from wbkg.graph.connection import Graph
from wbkg.graph.schema import SOURCE_LINK
from wbkg.loaders.mirror import BOOKKEEPING
from wbkg.ontology.model import ROOT_CLASS, Model, load_model

ORIGIN = "(neo4j)"


@dataclass(frozen=True)
class Node:
    id: str
    cls: str
    labels: tuple[str, ...]
    props: dict[str, Any]  # the properties the ontology defines for the class
    extra: dict[str, Any] = field(default_factory=dict)  # any others (such as a loader's bookkeeping)


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    source: str
    target: str
    props: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Snapshot:
    nodes: dict[str, Node]
    rels: list[Rel]
    model: Model

    def of_class(self, cls: str) -> list[Node]:
        """Nodes of ``cls`` or of a subclass, in id order."""
        return [n for n in self.nodes.values() if self.model.is_a(n.cls, cls)]

    def counts(self) -> tuple[int, int]:
        return len(self.nodes), len(self.rels)

    def report_extra(self, dropped: Dropped) -> None:
        """Count the values of properties outside the ontology, for a format that writes only the ontology's
        (the loader's bookkeeping is not data and is left out silently; the CSVs and the dump keep it)."""
        records: list[Node | Rel] = [*self.nodes.values(), *self.rels]
        for rec in records:
            for key in (k for k in rec.extra if k not in BOOKKEEPING):
                dropped.add("values of properties outside the ontology", detail=key)


@dataclass
class Dropped:
    """What an export could not say: 'thing -> count', reported once at the end."""

    counts: Counter[str] = field(default_factory=Counter)
    details: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, what: str, n: int = 1, detail: str | None = None) -> None:
        """Count ``n`` of ``what``; ``detail`` breaks the count down (by type or class) on the same line."""
        self.counts[what] += n
        if detail is not None:
            self.details.setdefault(what, Counter())[detail] += n

    def lines(self, fmt: str) -> list[str]:
        out = []
        for what, n in sorted(self.counts.items()):
            parts = self.details.get(what)
            more = f": {', '.join(f'{k} {v}' for k, v in sorted(parts.items()))}" if parts else ""
            out.append(f"{fmt}: dropped {n} {what}{more}")
        return out


def most_specific(model: Model, labels: list[str]) -> str | None:
    classes = [lb for lb in labels if lb in model.classes]
    return max(classes, key=lambda c: len(model.ancestors(c))) if classes else None


def read_snapshot(graph: Graph, model: Model | None = None) -> Snapshot:
    """Every :Entity node and every relationship between two of them, in one read transaction."""
    m = model or load_model()

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes = [r.data() for r in tx.run(
            f"MATCH (n:{ROOT_CLASS}) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id")]
        rels = [r.data() for r in tx.run(
            f"MATCH (a:{ROOT_CLASS})-[r]->(b:{ROOT_CLASS}) WHERE NOT r:{SOURCE_LINK} "  # derived, not data
            "RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props "
            "ORDER BY type(r), r.id")]
        return nodes, rels

    raw_nodes, raw_rels = graph.read(work)
    problems: list[Problem] = []
    nodes: dict[str, Node] = {}
    for row in raw_nodes:
        props = row["props"]
        cls = most_specific(m, row["labels"])
        if cls is None or "id" not in props:
            problems.append(Problem(ORIGIN, None, props.get("id"), "labels",
                                    f"no ontology class among the labels {row['labels']}"))
            continue
        defs = m.properties(cls)
        nodes[props["id"]] = Node(props["id"], cls, tuple(row["labels"]),
                                  {k: v for k, v in props.items() if k in defs},
                                  {k: v for k, v in props.items() if k not in defs})
    rels: list[Rel] = []
    for row in raw_rels:
        props = row["props"]
        if row["type"] not in m.relationships or "id" not in props:
            problems.append(Problem(ORIGIN, None, props.get("id"), "type",
                                    f"relationship type {row['type']} is not in the ontology"))
            continue
        defs = m.relationship_props(row["type"])
        rels.append(Rel(props["id"], row["type"], row["source"], row["target"],
                        {k: v for k, v in props.items() if k in defs or k == "id"},
                        {k: v for k, v in props.items() if k not in defs and k != "id"}))
    if problems:
        # an export never silently leaves out what it cannot place
        raise InvalidData(problems)
    return Snapshot(nodes, rels, m)


def fingerprint(snap: Snapshot) -> str:
    """A hash of every node (labels and properties) and relationship (type, ends and properties), in a
    canonical order: two graphs with the same fingerprint hold the same data with the same value types."""
    import hashlib
    import json

    def canon(value: Any) -> Any:
        # the type is part of the value: 30 (a long) and 30.0 (a double) differ
        if isinstance(value, list):
            return [canon(v) for v in value]
        return [type(value).__name__, value]

    def props(rec: Node | Rel) -> dict[str, Any]:
        return {k: canon(v) for k, v in sorted({**rec.props, **rec.extra}.items())}

    h = hashlib.sha256()
    for n in sorted(snap.nodes.values(), key=lambda n: n.id):
        h.update(json.dumps(["node", sorted(n.labels), props(n)], ensure_ascii=False).encode("utf-8"))
    for r in sorted(snap.rels, key=lambda r: (r.type, r.id)):
        h.update(json.dumps(["rel", r.type, r.source, r.target, props(r)], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()
