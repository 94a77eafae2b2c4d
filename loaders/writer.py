"""Write a validated dataset into Neo4j so that the graph's part for that dataset equals its files.

A load compares the files with the graph (``loaders.mirror``) and writes only the difference: records
the files no longer hold are removed, changed ones updated, new ones created, unchanged ones skipped.

Concurrency: every load that writes takes one lock (the ``:LoadLock`` node, locked by writing to it,
held until its transaction commits), reads the graph's state and checks for conflicts *inside* that
locked transaction, so two loads cannot both pass the check (a node with two classes, a relationship
id on two types). The loser fails with the conflicting file, line and id, and writes nothing.

All or nothing, for any size:

- A plan of up to ``STAGE_ABOVE`` records is written in one transaction (statements of ``BATCH_SIZE``
  rows), so a killed or failed load leaves nothing and a re-run completes it.
- A bigger plan stages its new nodes, and the relationships between them, in committed batches of
  ``BATCH_SIZE`` rows: staged nodes carry only the ``:Staged`` label (never ``:Entity``), so no query
  anchored on ``:Entity`` (every canned query, the export, the Browser guide) sees them. One final
  transaction, under the lock, turns them into entities and writes the rest of the plan (updates,
  removals, links that touch existing nodes). A killed load leaves only staged nodes, which the next
  load of the same dataset deletes before staging its own. If another load committed between this
  load's plan and its final step, this load fails (nothing visible) and says to run it again.

Each load that is not a dry run leaves a ``:LoadRecord`` node (dataset, content digest, source commit,
times and counts). Only labels and relationship types taken from the model enter the Cypher text;
every value travels as a parameter.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j
from tqdm import tqdm

from wbkg.errors import InvalidData, WbkgError
from wbkg.graph.connection import Graph
from wbkg.graph.schema import LOAD_LOCK, LOAD_RECORD, SOURCE_LINK, STAGED, schema_names, schema_statements
from wbkg.loaders.dataset import Dataset
from wbkg.loaders.mirror import (
    DATASETS,
    NodeRow,
    Plan,
    RelRow,
    Tx,
    dataset_root,
    default_name,
    plan_changes,
    read_state,
    rows,
)
from wbkg.loaders.source_links import link_sources, source_pairs
from wbkg.ontology.model import ROOT_CLASS, Model, load_model

BATCH_SIZE = 10_000
STAGE_ABOVE = 50_000
# Refresh the planner's statistics when a load adds or removes at least this share of the graph.
REPLAN_SHARE = 0.2

T = TypeVar("T")


class LoadError(WbkgError):
    """A load that could not complete; nothing of it is visible."""

    exit_code = 4


@dataclass
class LoadSummary:
    dataset: str = ""
    load_id: str | None = None  # None for a dry run
    digest: str = ""
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    plan: Plan | None = None

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.removed.values())


def _chunks(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _grouped(items: Sequence[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    out: dict[str, list[T]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return dict(sorted(out.items()))


# -- schema ----------------------------------------------------------------------------------------

def create_schema(graph: Graph, model: Model | None = None) -> bool:
    """Create the constraints and indexes that are missing (none on most loads); True when it ran DDL."""
    wanted = schema_names(model)
    have = {r["name"] for r in graph.rows("SHOW CONSTRAINTS YIELD name RETURN name")}
    have |= {r["name"] for r in graph.rows("SHOW INDEXES YIELD name RETURN name")}
    if wanted <= have:
        return False
    with graph.session(write=True) as s:
        for stmt in schema_statements(model):
            s.run(stmt).consume()
        s.run("CALL db.awaitIndexes(300)").consume()
    return True


# -- statements ------------------------------------------------------------------------------------

Statement = tuple[str, list[dict[str, Any]] | list[str], dict[str, Any]]


def _node_statements(plan: Plan, model: Model, staged: set[str], load_id: str) -> list[Statement]:
    out: list[Statement] = []
    labels = {cls: ":".join(model.labels(cls)) for cls in model.classes}
    if plan.node_delete:
        out.append((f"UNWIND $rows AS id MATCH (n:{ROOT_CLASS} {{id: id}}) DETACH DELETE n",
                    [n.id for n in plan.node_delete], {}))
    if plan.node_release:
        out.append((f"UNWIND $rows AS row MATCH (n:{ROOT_CLASS} {{id: row.id}}) SET n.{DATASETS} = row.datasets",
                    [{"id": n.id, "datasets": ds} for n, ds in plan.node_release], {}))
    creates = _grouped(plan.node_create, lambda r: r.record.cls)
    for cls, group in creates.items():
        fresh = [r.params([plan.dataset]) for r in group if r.record.id not in staged]
        if fresh:
            out.append((f"UNWIND $rows AS row CREATE (n:{labels[cls]}) SET n = row.props", fresh, {}))
        flip = [r.record.id for r in group if r.record.id in staged]
        if flip:
            out.append((f"UNWIND $rows AS id MATCH (n:{STAGED} {{wbkg_load: $load, id: id}}) "
                        f"SET n:{labels[cls]} REMOVE n:{STAGED}, n.wbkg_load, n.wbkg_class "
                        "RETURN count(n) AS done", flip, {"load": load_id}))
    for upd in _grouped(plan.node_update, lambda u: u[0].record.cls).values():
        out.append((f"UNWIND $rows AS row MATCH (n:{ROOT_CLASS} {{id: row.id}}) SET n = row.props",
                    [row.params(ds) for row, ds in upd], {}))
    return out


def _rel_statements(plan: Plan, staged: set[str]) -> tuple[list[Statement], list[Statement]]:
    """(statements to run before the node statements, after them)."""
    before: list[Statement] = []
    after: list[Statement] = []
    for rtype, group in _grouped(plan.rel_delete, lambda r: r.type).items():
        before.append((f"UNWIND $rows AS id MATCH ()-[r:{rtype} {{id: id}}]->() DELETE r", [r.id for r in group], {}))
    for rtype, rel_group in _grouped(plan.rel_release, lambda u: u[0].type).items():
        before.append((f"UNWIND $rows AS row MATCH ()-[r:{rtype} {{id: row.id}}]->() SET r.{DATASETS} = row.datasets",
                       [{"id": r.id, "datasets": ds} for r, ds in rel_group], {}))
    for rtype, created in _grouped(plan.rel_create, lambda r: r.record.type).items():
        rest = [r.params([plan.dataset]) for r in created if not _between_staged(r, staged)]
        if rest:
            after.append((f"UNWIND $rows AS row MATCH (a:{ROOT_CLASS} {{id: row.from}}) "
                          f"MATCH (b:{ROOT_CLASS} {{id: row.to}}) CREATE (a)-[r:{rtype}]->(b) SET r = row.props "
                          "RETURN count(r) AS done", rest, {}))
    for rtype, updated in _grouped(plan.rel_update, lambda u: u[0].record.type).items():
        after.append((f"UNWIND $rows AS row MATCH ()-[r:{rtype} {{id: row.id}}]->() SET r = row.props",
                      [row.params(ds) for row, ds in updated], {}))
    return before, after


def _between_staged(r: RelRow, staged: set[str]) -> bool:
    return r.record.source in staged and r.record.target in staged


def _run(tx: Tx, stmt: Statement, bar: tqdm[Any]) -> None:
    cypher, items, params = stmt
    for chunk in _chunks(items):
        result = tx.run(cypher, rows=list(chunk), **params)
        record = result.single() if "RETURN count" in cypher else None
        result.consume()
        if record is not None and record["done"] != len(chunk):
            raise LoadError("the graph changed under this load (a node it needs is gone or was staged by another "
                            "load of the same dataset); nothing of it is visible: run it again")
        bar.update(len(chunk))


# -- the lock and the load record ------------------------------------------------------------------

# Writing to the lock node locks it until the transaction ends; the property is removed again before the
# commit, so the lock node itself never changes. The graph's generation is the set of load records: a
# load that committed since another load's first look changed it.
LOCK = f"MERGE (l:{LOAD_LOCK} {{name: 'loads'}}) SET l.held_by = $load"
UNLOCK = f"MATCH (l:{LOAD_LOCK} {{name: 'loads'}}) REMOVE l.held_by"
GENERATION = (f"OPTIONAL MATCH (r:{LOAD_RECORD}) "
              "RETURN count(r) AS records, toString(max(r.finished)) AS last")


def _generation(tx: Tx) -> tuple[int, str | None]:
    rec = tx.run(GENERATION).single(strict=True)
    return int(rec["records"]), rec["last"]


def source_commit(root: str) -> tuple[str | None, bool | None]:
    """The git commit the dataset's folder is checked out at, and whether its files differ from it;
    (None, None) outside a git work tree (or without git)."""
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None, None
        status = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "."], capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None, None
    return head.stdout.strip() or None, bool(status.stdout.strip()) if status.returncode == 0 else None


def _record(tx: Tx, summary: LoadSummary, plan: Plan, started: float, mode: str,
            files: int, commit: tuple[str | None, bool | None]) -> None:
    tx.run(f"CREATE (r:{LOAD_RECORD}) SET r = $props, r.started = datetime({{epochMillis: $started}}), "
           "r.finished = datetime()",
           props={"load_id": summary.load_id, "dataset": plan.dataset, "digest": plan.digest,
                  "source_commit": commit[0], "source_modified": commit[1], "mode": mode, "files": files,
                  "nodes": plan.nodes, "relationships": plan.relationships,
                  "created": sum(summary.created.values()), "updated": sum(summary.updated.values()),
                  "removed": sum(summary.removed.values()), "unchanged": sum(summary.unchanged.values())},
           started=int(started * 1000)).consume()


# -- the load --------------------------------------------------------------------------------------

LOAD_METADATA = {"wbkg": "load"}
_MEMORY = ("MemoryPoolOutOfMemoryError", "TransactionOutOfMemoryError", "TransactionMemoryLimit")


def _memory_error(e: neo4j.exceptions.Neo4jError) -> LoadError | None:
    if not (e.code and any(m in e.code for m in _MEMORY)):
        return None
    return LoadError("the load's transaction needs more memory than the server allows "
                     "(dbms.memory.transaction.total.max, by default 70% of the heap): raise the server's heap "
                     "(server.memory.heap.max_size) or load the dataset in parts; nothing of this load is visible")


def _unit(work: Callable[[Tx], T]) -> Callable[[Tx], T]:
    """A load's managed unit of work: tagged (``SHOW TRANSACTIONS`` shows ``metaData.wbkg = 'load'``), and
    its memory-limit failure is final: the driver would retry it (the error is transient) for minutes
    although it fails the same way every time."""

    def unit(tx: Tx) -> T:
        try:
            return work(tx)
        except neo4j.exceptions.Neo4jError as e:
            memory = _memory_error(e)
            if memory is None:
                raise
            raise memory from e
    return neo4j.unit_of_work(metadata=LOAD_METADATA)(unit)


def _write_once(graph: Graph, work: Callable[[Tx], T], retry_for: float = 15.0) -> T:
    """Run ``work`` in an explicit write transaction. A memory-limit failure (which the commit itself may
    raise) ends the load with the fix; other transient failures (a deadlock, a database going down) run it
    again for up to ``retry_for`` seconds, as a managed transaction would."""
    deadline = time.monotonic() + retry_for
    while True:
        try:
            with graph.session(write=True) as s:
                tx = s.begin_transaction(metadata=LOAD_METADATA)
                try:
                    result = work(tx)
                    tx.commit()
                    return result
                finally:
                    if not tx.closed():
                        tx.close()
        except WbkgError as e:
            cause = e.__cause__
            if isinstance(cause, neo4j.exceptions.Neo4jError):
                memory = _memory_error(cause)
                if memory is not None:
                    raise memory from cause
                if isinstance(cause, neo4j.exceptions.TransientError) and time.monotonic() < deadline:
                    time.sleep(1.0)
                    continue
            raise


def _summary(plan: Plan, load_id: str | None) -> LoadSummary:
    created, updated, removed = plan.tally()
    return LoadSummary(plan.dataset, load_id, plan.digest, created, updated, removed,
                       dict(sorted(plan.unchanged.items())), plan)


def load(graph: Graph, ds: Dataset, *, progress: bool = True, model: Model | None = None,
         dataset: str | None = None, dry_run: bool = False) -> LoadSummary:
    """Make the graph's part for ``dataset`` (by default named after the files' folder) equal to ``ds``.

    Returns what changed (or, with ``dry_run``, what would change: nothing is written then). Raises
    ``InvalidData`` (nothing written) when the data would change the class of a node already in the graph
    or reuse a relationship id held outside this dataset, and ``LoadError`` when a concurrent load got in
    the way of a big staged load (nothing visible; run it again)."""
    m = model or load_model()
    name = dataset or default_name(ds)
    started = time.time()
    node_rows, rel_rows = rows(ds)
    node_ids, rel_ids = list(node_rows), list(rel_rows)

    def planned(tx: Tx) -> Plan:
        return plan_changes(ds, m, name, read_state(tx, m, name, node_ids, rel_ids), node_rows, rel_rows)

    if dry_run:
        plan = graph.read(planned)
        if plan.conflicts:
            raise InvalidData(plan.conflicts)
        return _summary(plan, None)

    create_schema(graph, m)
    before = _graph_size(graph)
    commit = source_commit(dataset_root(ds))
    load_id = uuid.uuid4().hex

    def first_look(tx: Tx) -> tuple[Plan, tuple[int, str | None]]:
        return planned(tx), _generation(tx)

    plan, generation = graph.read(first_look)
    if plan.conflicts:
        raise InvalidData(plan.conflicts)
    staged: set[str] = set()
    if plan.size > STAGE_ABOVE:
        staged = _stage(graph, plan, m, load_id, progress)

    def publish(tx: Tx) -> Plan:
        tx.run(LOCK, load=load_id).consume()
        final = plan
        if _generation(tx) != generation:  # another load committed since the first look: plan again, under the lock
            if staged:
                raise LoadError(f"another load finished while this load of dataset {name!r} was staging; nothing "
                                "of this one is visible: run it again")
            final = planned(tx)
        if final.conflicts:
            raise InvalidData(final.conflicts)  # raised inside the transaction function: it rolls back
        summary = _summary(final, load_id)
        # no entity yet: every node that could cite a source this load writes is one of its own
        alone = staged and _entities(tx) == 0
        rel_before, rel_after = _rel_statements(final, staged)
        statements = [*rel_before, *_node_statements(final, m, staged, load_id), *rel_after]
        with _bar(sum(len(s[1]) for s in statements), "writing", progress) as bar:
            for stmt in statements:
                _run(tx, stmt, bar)
        # the derived SOURCED_BY links change only where nodes were written (links among staged nodes
        # were made while staging): an unchanged reload skips them
        written = [r.record.id for r in final.node_create] + [r.record.id for r, _ in final.node_update]
        if written:
            # a staged node's links to staged sources exist; only its links to sources already in the graph
            # are missing (staging cannot link to a visible node unseen)
            fully_linked = [r.record.id for r in final.node_create if r.record.id in staged
                            and all(sid in staged for sid in r.record.props.get("sources") or [])]
            if not alone:  # into an empty graph every node is new and staged, and cites staged sources only
                link_sources(tx, written, fully_linked)
        _record(tx, summary, final, started, "staged" if staged else "single", len(ds.files), commit)
        tx.run(UNLOCK).consume()
        return final

    try:
        final = _write_once(graph, publish)
    except WbkgError:
        if staged:
            with contextlib.suppress(WbkgError):  # a server that went away: the next load clears it
                clear_staging(graph, name)
        raise
    summary = _summary(final, load_id)
    changed = sum(summary.created.values()) + sum(summary.removed.values())
    if changed and changed >= REPLAN_SHARE * before:
        refresh_statistics(graph)
    return summary


# -- a bulk import's part -------------------------------------------------------------------------

BULK_MODE = "bulk"


def import_plan(ds: Dataset, model: Model | None = None,
                dataset: str | None = None) -> tuple[Plan, dict[str, NodeRow], dict[str, RelRow]]:
    """The plan of a load of ``ds`` into an empty graph (every record created) and the rows it writes, with
    the very properties a load gives them: what a bulk import (``interop.bulk``) writes without Cypher."""
    m = model or load_model()
    node_rows, rel_rows = rows(ds)
    return plan_changes(ds, m, dataset or default_name(ds), ({}, []), node_rows, rel_rows), node_rows, rel_rows


def finish_import(graph: Graph, ds: Dataset, plan: Plan, started: float, *, model: Model | None = None,
                  fill: Callable[[Tx], None] | None = None) -> LoadSummary:
    """After neo4j-admin imported ``plan`` (from ``import_plan``) into an empty database: create the schema and,
    in one transaction under the load lock, run ``fill`` (values the import could not carry) and leave the
    :LoadRecord a load of the same data would have left (``mode`` 'bulk'), so that the next load of these
    files finds every record unchanged."""
    m = model or load_model()
    create_schema(graph, m)
    commit = source_commit(dataset_root(ds))
    summary = _summary(plan, uuid.uuid4().hex)

    def publish(tx: Tx) -> None:
        tx.run(LOCK, load=summary.load_id).consume()
        if fill is not None:
            fill(tx)
        _record(tx, summary, plan, started, BULK_MODE, len(ds.files), commit)
        tx.run(UNLOCK).consume()

    _write_once(graph, publish)
    refresh_statistics(graph)  # everything is new: plan the next queries for it
    return summary


def _bar(total: int, desc: str, progress: bool) -> tqdm[Any]:
    return tqdm(total=total, unit="rec", desc=desc, disable=not progress or total == 0, file=sys.stderr,
                leave=False)


def _entities(tx: Tx) -> int:
    """Entities in the graph (from the count store: no scan)."""
    return int(tx.run(f"MATCH (n:{ROOT_CLASS}) RETURN count(n) AS c").single(strict=True)["c"])


def _graph_size(graph: Graph) -> int:
    """Entities plus relationships (from the count store: no scan)."""
    r = graph.rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return graph.read(_entities) + int(r)


def _stage(graph: Graph, plan: Plan, model: Model, load_id: str, progress: bool) -> set[str]:
    """Write the plan's new nodes, and the links between two of them, as staged records in committed
    batches; return the staged node ids."""
    clear_staging(graph, plan.dataset)
    new: list[NodeRow] = plan.node_create
    staged = {r.record.id for r in new}
    links = [r for r in plan.rel_create if _between_staged(r, staged)]
    node_cypher = (f"UNWIND $rows AS row CREATE (n:{STAGED}) SET n = row.props, n.wbkg_load = $load, "
                   "n.wbkg_class = row.cls")
    def commit(cypher: str, batch: list[dict[str, Any]]) -> None:
        def work(tx: Tx) -> None:
            tx.run(cypher, rows=batch, load=load_id).consume()

        graph.write(_unit(work))

    with _bar(len(new) + len(links), "staging", progress) as bar:
        for chunk in _chunks(new):
            commit(node_cypher, [{**r.params([plan.dataset]), "cls": r.record.cls} for r in chunk])
            bar.update(len(chunk))
        for rtype, group in _grouped(links, lambda r: r.record.type).items():
            cypher = (f"UNWIND $rows AS row MATCH (a:{STAGED} {{wbkg_load: $load, id: row.from}}) "
                      f"MATCH (b:{STAGED} {{wbkg_load: $load, id: row.to}}) CREATE (a)-[r:{rtype}]->(b) "
                      "SET r = row.props")
            for links_chunk in _chunks(group):
                commit(cypher, [r.params([plan.dataset]) for r in links_chunk])
                bar.update(len(links_chunk))
        # the derived SOURCED_BY links between staged nodes, so the final transaction only checks them (links
        # to sources already in the graph are made there: a staged link to a visible node would show)
        pairs = [{"from": a, "to": b} for a, b in source_pairs((r.record for r in new), model)]
        for pair_chunk in _chunks(pairs):
            commit(f"UNWIND $rows AS row MATCH (n:{STAGED} {{wbkg_load: $load, id: row.from}}) "
                   f"MATCH (s:{STAGED} {{wbkg_load: $load, id: row.to}}) "
                   f"CREATE (n)-[:{SOURCE_LINK}]->(s)", list(pair_chunk))
    return staged


def clear_staging(graph: Graph, dataset: str) -> int:
    """Delete the staged records of unfinished loads of ``dataset`` (in batches); return how many."""
    total = 0
    while True:
        n = graph.rows(f"MATCH (n:{STAGED}) WHERE $dataset IN n.{DATASETS} WITH n LIMIT $limit "
                       "DETACH DELETE n RETURN count(*) AS c", {"dataset": dataset, "limit": BATCH_SIZE},
                       write=True)[0]["c"]
        total += int(n)
        if not n:
            return total


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
