"""What a load must change so that the graph's part for one dataset equals its files.

Every node and relationship a load writes carries bookkeeping properties (documented in the README):

- ``datasets``: the names of the datasets whose files hold the record (a shared record, such as a source
  cited by two datasets, lists both); records without it were made by hand and a load never removes them;
- ``wbkg_digest``: a hash of what the files say about the record (class or type, ends, properties),
  so that a reload finds unchanged records without comparing their properties;
- ``wbkg_file``: the file that holds the record, relative to the dataset's folder (for a record two
  datasets hold, the file of the last one that wrote it).

``plan_changes`` compares the records of a dataset with the graph's state (read by ``read_state`` in the
transaction that then writes the plan) and returns the creations, updates and removals, plus the
conflicts that stop the load: an id held by a node of another class, or a relationship id already used,
by a record outside this dataset, for another type or other ends. Relationship ids are unique across all
types.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j

from wbkg.errors import Problem
from wbkg.loaders.dataset import Dataset, NodeRecord, RelRecord
from wbkg.ontology.model import ROOT_CLASS, Model

# a managed (retried) transaction or an explicit one: both run statements the same way
Tx = neo4j.ManagedTransaction | neo4j.Transaction
DATASETS = "datasets"
DIGEST = "wbkg_digest"
FILE = "wbkg_file"
BOOKKEEPING = (DATASETS, DIGEST, FILE)


def dataset_root(ds: Dataset) -> str:
    """The folder holding a dataset's files, as the user gave them (a file's own folder for one file)."""
    if not ds.files:
        return "."
    return os.path.commonpath([os.path.dirname(f) or "." for f in ds.files])


def default_name(ds: Dataset) -> str:
    """A dataset's name when none is given: its folder's name (``data`` for ``data/``), or the file's
    stem for a single file. A copy of ``data/`` in another place is therefore the same dataset."""
    if len(ds.files) == 1:
        return Path(ds.files[0]).stem
    return Path(os.path.abspath(dataset_root(ds))).name or "dataset"


def _digest(doc: dict[str, Any]) -> str:
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class NodeRow:
    record: NodeRecord
    file: str  # relative to the dataset root
    digest: str

    def params(self, datasets: list[str]) -> dict[str, Any]:
        return {"id": self.record.id, "props": {**self.record.props, DATASETS: datasets, DIGEST: self.digest,
                                                FILE: self.file}}


@dataclass(frozen=True)
class RelRow:
    record: RelRecord
    file: str
    digest: str

    def params(self, datasets: list[str]) -> dict[str, Any]:
        r = self.record
        return {"id": r.id, "from": r.source, "to": r.target,
                "props": {"id": r.id, **r.props, DATASETS: datasets, DIGEST: self.digest, FILE: self.file}}


def rows(ds: Dataset) -> tuple[dict[str, NodeRow], dict[str, RelRow]]:
    """The dataset's records with their digests, keyed by id."""
    root = dataset_root(ds)
    relative = functools.cache(lambda file: os.path.relpath(file, root))  # a few files, many records each
    nodes = {}
    for n in ds.nodes.values():
        nodes[n.id] = NodeRow(n, relative(n.file), _digest({"class": n.cls, "props": n.props}))
    rels = {}
    for r in ds.relationships:
        rels[r.id] = RelRow(r, relative(r.file),
                            _digest({"type": r.type, "from": r.source, "to": r.target, "props": r.props}))
    return nodes, rels


def content_digest(nodes: dict[str, NodeRow], rels: dict[str, RelRow]) -> str:
    """One hash of the whole dataset's content (the same files give the same digest anywhere)."""
    lines = sorted([*(f"n:{k}={v.digest}" for k, v in nodes.items()), *(f"r:{k}={v.digest}" for k, v in rels.items())])
    h = hashlib.sha256()
    for line in lines:
        h.update(f"{line}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class NodeState:
    id: str
    cls: str | None
    digest: str | None
    datasets: list[str] | None
    file: str | None


@dataclass(frozen=True)
class RelState:
    id: str
    type: str
    source: str
    target: str
    digest: str | None
    datasets: list[str] | None
    file: str | None


# Each answer is one row holding a list: the driver builds a record object per row, which costs far more
# than the server's scan for a few thousand rows and up.
NODE_STATE = (f"MATCH (n:{ROOT_CLASS}) WHERE n.id IN $ids OR $dataset IN n.{DATASETS} "
              f"RETURN collect([n.id, labels(n), n.{DIGEST}, n.{DATASETS}, n.{FILE}]) AS rows")
# only links between entities: staged links of an unfinished load (between :Staged nodes) are not the graph's
REL_STATE = (f"MATCH (a:{ROOT_CLASS})-[r]->(b:{ROOT_CLASS}) WHERE r.id IN $ids OR $dataset IN r.{DATASETS} "
             f"RETURN collect([r.id, type(r), a.id, b.id, r.{DIGEST}, r.{DATASETS}, r.{FILE}]) AS rows")


def read_state(tx: Tx, model: Model, dataset: str, node_ids: list[str],
               rel_ids: list[str]) -> tuple[dict[str, NodeState], list[RelState]]:
    """The graph's records that share an id with the files or belong to the dataset: one scan of the
    nodes and one of the relationships (the ids are looked up in a set)."""
    nodes: dict[str, NodeState] = {}
    for nid, labels, digest, datasets, file in tx.run(NODE_STATE, ids=node_ids, dataset=dataset).single(
            strict=True)["rows"]:
        classes = [c for c in labels if c in model.classes and not model.classes[c].abstract]
        nodes[nid] = NodeState(nid, classes[0] if len(classes) == 1 else "/".join(classes) or None,
                               digest, datasets, file)
    rels = [RelState(*row) for row in tx.run(REL_STATE, ids=rel_ids, dataset=dataset).single(strict=True)["rows"]]
    return nodes, rels


@dataclass
class Change:
    """One planned change, with where it comes from (file:line, or the file that held a removed record)."""

    action: str  # create, update, remove, or keep (a shared record this dataset no longer holds)
    kind: str  # a class or relationship type
    id: str
    where: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.action} {self.kind} {self.id}{self.detail}"


@dataclass
class Plan:
    dataset: str
    digest: str
    nodes: int
    relationships: int
    node_create: list[NodeRow] = field(default_factory=list)
    node_update: list[tuple[NodeRow, list[str]]] = field(default_factory=list)  # with the new datasets list
    node_release: list[tuple[NodeState, list[str]]] = field(default_factory=list)
    node_delete: list[NodeState] = field(default_factory=list)
    rel_create: list[RelRow] = field(default_factory=list)
    rel_update: list[tuple[RelRow, list[str]]] = field(default_factory=list)
    rel_release: list[tuple[RelState, list[str]]] = field(default_factory=list)
    rel_delete: list[RelState] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    conflicts: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many records the plan writes."""
        return sum(len(x) for x in (self.node_create, self.node_update, self.node_release, self.node_delete,
                                    self.rel_create, self.rel_update, self.rel_release, self.rel_delete))

    def tally(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """(created, updated, removed) per class or type, only the non-zero ones, sorted."""
        out: dict[str, dict[str, int]] = {"create": {}, "update": {}, "remove": {}, "keep": {}}
        for c in self.changes:
            out[c.action][c.kind] = out[c.action].get(c.kind, 0) + 1
        for kind, n in out["keep"].items():  # a record this dataset lets go of is removed from its part
            out["remove"][kind] = out["remove"].get(kind, 0) + n
        return tuple(dict(sorted(out[a].items())) for a in ("create", "update", "remove"))  # type: ignore[return-value]


def _others(datasets: list[str] | None, dataset: str) -> list[str]:
    return [d for d in datasets or [] if d != dataset]


def _unchanged(now: NodeState | RelState, row: NodeRow | RelRow, dataset: str) -> bool:
    """Whether a record is in the graph as the files give it: same content, held by this dataset, and from
    the same file (or also held by another dataset, whose file the graph keeps)."""
    return (now.digest == row.digest and dataset in (now.datasets or [])
            and (now.file == row.file or bool(_others(now.datasets, dataset))))


def plan_changes(ds: Dataset, model: Model, dataset: str, state: tuple[dict[str, NodeState], list[RelState]],
                 node_rows: dict[str, NodeRow], rel_rows: dict[str, RelRow]) -> Plan:
    """Compare the files with the graph's state; nothing is written."""
    nodes_now, rels_now = state
    root = dataset_root(ds)
    plan = Plan(dataset, content_digest(node_rows, rel_rows), len(node_rows), len(rel_rows))

    def where(rec: NodeRecord | RelRecord) -> str:
        return f"{rec.file}:{rec.line}"

    def was(file: str | None) -> str:
        return os.path.join(root, file) if file else "(graph)"

    for row in node_rows.values():
        rec = row.record
        now = nodes_now.get(rec.id)
        if now is None:
            plan.node_create.append(row)
            plan.changes.append(Change("create", rec.cls, rec.id, where(rec)))
            continue
        if now.cls != rec.cls:
            held = now.cls or "node of no ontology class"
            plan.conflicts.append(Problem(rec.file, rec.line, rec.id, "class",
                                          f"id {rec.id!r} is already a {held} in the graph, not a {rec.cls}; a load "
                                          "never changes a node's class (delete that node first)"))
            continue
        mine = dataset in (now.datasets or [])
        if _unchanged(now, row, dataset):
            plan.unchanged[rec.cls] = plan.unchanged.get(rec.cls, 0) + 1
            continue
        plan.node_update.append((row, [*_others(now.datasets, dataset), dataset]))
        plan.changes.append(Change("update", rec.cls, rec.id, where(rec),
                                   "" if mine else " (now also in this dataset)"))
    for now in nodes_now.values():
        if now.id in node_rows or dataset not in (now.datasets or []):
            continue
        others = _others(now.datasets, dataset)
        kind = now.cls or "node"
        if others:
            plan.node_release.append((now, others))
            plan.changes.append(Change("keep", kind, now.id, was(now.file),
                                       f" (no longer in this dataset; kept for {', '.join(others)})"))
        else:
            plan.node_delete.append(now)
            plan.changes.append(Change("remove", kind, now.id, was(now.file)))

    by_id: dict[str, list[RelState]] = {}
    for r in rels_now:
        by_id.setdefault(r.id, []).append(r)
    replaced: set[tuple[str, str, str, str]] = set()
    for rrow in rel_rows.values():
        rrec = rrow.record
        ends = f" ({rrec.source} -> {rrec.target})"
        current = by_id.get(rrec.id, [])
        same = [r for r in current if (r.type, r.source, r.target) == (rrec.type, rrec.source, rrec.target)]
        # the same id on another type or other ends is a conflict unless only this dataset holds it
        foreign = [r for r in current if r not in same and (not r.datasets or _others(r.datasets, dataset))]
        if foreign:
            r = foreign[0]
            plan.conflicts.append(Problem(rrec.file, rrec.line, rrec.id, "id",
                                          f"relationship id {rrec.id!r} "
                                          + (f"already links {r.source} -> {r.target}" if r.type == rrec.type
                                             else f"is already a {r.type} {r.source} -> {r.target}")
                                          + " in the graph; give this link its own id"))
            continue
        replaced.update((r.id, r.type, r.source, r.target) for r in current if r not in same)
        if not same:
            plan.rel_create.append(rrow)
            plan.changes.append(Change("create", rrec.type, rrec.id, where(rrec), ends))
            continue
        cur = same[0]
        mine = dataset in (cur.datasets or [])
        if _unchanged(cur, rrow, dataset):
            plan.unchanged[rrec.type] = plan.unchanged.get(rrec.type, 0) + 1
            continue
        plan.rel_update.append((rrow, [*_others(cur.datasets, dataset), dataset]))
        plan.changes.append(Change("update", rrec.type, rrec.id, where(rrec),
                                   ends if mine else f"{ends} (now also in this dataset)"))
    for cur in rels_now:
        key = (cur.id, cur.type, cur.source, cur.target)
        if cur.id in rel_rows and key not in replaced:
            continue
        if dataset not in (cur.datasets or []):
            continue
        others = _others(cur.datasets, dataset)
        ends = f" ({cur.source} -> {cur.target})"
        if others and key not in replaced:
            plan.rel_release.append((cur, others))
            plan.changes.append(Change("keep", cur.type, cur.id, was(cur.file),
                                       f"{ends} (no longer in this dataset; kept for {', '.join(others)})"))
        else:
            plan.rel_delete.append(cur)
            plan.changes.append(Change("remove", cur.type, cur.id, was(cur.file), ends))
    order = {"remove": 0, "keep": 1, "update": 2, "create": 3}
    plan.changes.sort(key=lambda c: (order[c.action], c.where, c.id))
    return plan
