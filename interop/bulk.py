"""``wbkg load --bulk``: the first load of a big dataset into the empty database of the local server, by
``neo4j-admin database import full`` (offline) instead of Cypher transactions.

Only for the server ``wbkg neo4j start`` runs from ``$WBKG_HOME`` (neo4j-admin writes the store files
themselves, so the server must be stopped and its files must be here) and only while its database holds no
node at all (the import replaces the database). The steps:

1. the records get the very properties a load gives them (``loaders.writer.import_plan``: the ``datasets``
   list, ``wbkg_digest``, ``wbkg_file``), written as the typed CSVs of ``interop.neo4j_csv``, plus the derived
   ``SOURCED_BY`` links (``loaders.source_links.source_pairs``); values a CSV cell cannot carry exactly (an
   empty list, a list item holding the array delimiter, an empty text) are left out, with the record's digest,
   and set afterwards (should that never happen, the next load finds the record changed and rewrites it);
2. the server is stopped, the database's folders are moved aside, neo4j-admin imports the CSVs into the
   default database, and the server is started again. A failed import leaves store files the server cannot
   start (neo4j-admin warns so; the database then fails with 'Transaction logs are missing'), so after a
   failure they are removed and the folders moved back: the database is as it was (empty, its schema kept);
3. ``loaders.writer.finish_import`` creates the constraints and indexes, sets the values left out, and leaves
   the :LoadRecord a load would have left: a following ``wbkg load`` of the same files changes nothing.

A refusal, and a failed import, raise ``BulkRefused`` (exit code 2) with a one-line message. Progress goes to
stderr. Only labels and types from the model enter Cypher text; values travel as parameters.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wbkg.config import LOOPBACK, Config
from wbkg.errors import ServerError, WbkgError
from wbkg.graph.connection import Graph
from wbkg.graph.schema import SOURCE_LINK
from wbkg.graph.server import LocalServer
from wbkg.graph.server.install import private_dir, run_admin
from wbkg.graph.server.toolchain import read_classpath, require_java
from wbkg.interop.admin import DATABASE
from wbkg.interop.neo4j_csv import ARRAY_DELIMITER, CsvExport, write_csv
from wbkg.interop.snapshot import Node, Rel, Snapshot
from wbkg.loaders.dataset import Dataset
from wbkg.loaders.mirror import DIGEST, NodeRow, RelRow, Tx
from wbkg.loaders.source_links import source_pairs
from wbkg.loaders.writer import BATCH_SIZE, LoadSummary, finish_import, import_plan
from wbkg.ontology.model import ROOT_CLASS, Model, load_model

IMPORT_TIMEOUT = 24 * 3600.0  # seconds neo4j-admin may take
ADVICE = "use wbkg load without --bulk"


class BulkRefused(WbkgError):
    """A bulk load that was refused or whose import failed; the message says what the database holds."""

    exit_code = 2


def _say(msg: str) -> None:
    print(f"bulk: {msg}", file=sys.stderr, flush=True)


# -- the target ------------------------------------------------------------------------------------

def local_server(cfg: Config) -> LocalServer:
    """The local server ``cfg`` points at, running; ``BulkRefused`` for any other target."""
    parts = urlsplit(cfg.uri)
    mine = f"bolt://127.0.0.1:{cfg.bolt_port}"
    if parts.hostname not in LOOPBACK or (parts.port or 7687) != cfg.bolt_port:
        raise BulkRefused(f"--bulk imports only into the local server of 'wbkg neo4j start' ({mine}, home "
                          f"{cfg.home}), and NEO4J_URI points at {cfg.uri}: {ADVICE}")
    if cfg.database != DATABASE:
        raise BulkRefused(f"--bulk imports only into the local server's default database {DATABASE!r}, not "
                          f"{cfg.database!r} (NEO4J_DATABASE): {ADVICE}")
    server = LocalServer(cfg)
    st = server.status()
    if not st.installed:
        raise BulkRefused(f"no local server is installed in {server.home} (a Docker or other server cannot be "
                          f"imported into offline): {ADVICE}, or run 'wbkg neo4j install' and 'wbkg neo4j start'")
    if not st.running:
        raise BulkRefused(f"the local server in {server.home} is not running (whatever answers at {cfg.uri} is "
                          f"another server): start it with 'wbkg neo4j start', or {ADVICE}")
    if st.bolt_port != cfg.bolt_port:
        raise BulkRefused(f"the local server in {server.home} runs on Bolt port {st.bolt_port}, not "
                          f"{cfg.bolt_port} (WBKG_NEO4J_BOLT_PORT): {ADVICE}")
    return server


def node_count(graph: Graph) -> int:
    """Every node of the database, of any label (from the count store: no scan)."""
    return int(graph.rows("MATCH (n) RETURN count(n) AS c")[0]["c"])


def require_empty(graph: Graph, cfg: Config) -> None:
    n = node_count(graph)
    if n:
        raise BulkRefused(f"database {cfg.database!r} at {cfg.uri} is not empty ({n} nodes) and --bulk would "
                          f"replace it: {ADVICE}")


# -- the CSVs --------------------------------------------------------------------------------------

@dataclass
class ImportFiles:
    export: CsvExport
    links: int = 0
    # values left out of the CSVs, set after the import: ids with their properties; relationships by type
    node_fill: list[dict[str, Any]] = field(default_factory=list)
    rel_fill: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _carried(value: Any) -> bool:
    """Whether a CSV cell gives ``value`` back exactly (an empty cell is no property at all)."""
    if isinstance(value, list):
        return bool(value) and all(_carried(v) and not (isinstance(v, str) and ARRAY_DELIMITER in v) for v in value)
    return value != ""


def _split(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the CSV carries, what is set afterwards)."""
    kept = {k: v for k, v in props.items() if _carried(v)}
    return kept, {k: v for k, v in props.items() if k not in kept}


def write_import(node_rows: dict[str, NodeRow], rel_rows: dict[str, RelRow], dataset: str, model: Model,
                 folder: Path) -> ImportFiles:
    """The import CSVs of the records as a load would write them (``import.args`` too), in ``folder``."""
    nodes: dict[str, Node] = {}
    node_fill: list[dict[str, Any]] = []
    for row in node_rows.values():
        rec = row.record
        defs = model.properties(rec.cls)
        props, later = _split(row.params([dataset])["props"])
        if later:
            later[DIGEST] = props.pop(DIGEST)  # none until filled: a load would rewrite such a record
            node_fill.append({"id": rec.id, "props": later})
        nodes[rec.id] = Node(rec.id, rec.cls, tuple(model.labels(rec.cls)),
                             {k: v for k, v in props.items() if k in defs},
                             {k: v for k, v in props.items() if k not in defs})
    rels: list[Rel] = []
    rel_fill: dict[str, list[dict[str, Any]]] = {}
    for rrow in rel_rows.values():
        r = rrow.record
        defs = model.relationship_props(r.type)
        props, later = _split(rrow.params([dataset])["props"])
        if later:
            later[DIGEST] = props.pop(DIGEST)
            rel_fill.setdefault(r.type, []).append({"id": r.id, "props": later})
        rels.append(Rel(r.id, r.type, r.source, r.target,
                        {k: v for k, v in props.items() if k in defs or k == "id"},
                        {k: v for k, v in props.items() if k not in defs and k != "id"}))
    export = write_csv(Snapshot(nodes, rels, model), folder)
    pairs = source_pairs((row.record for row in node_rows.values()), model)
    if pairs:
        name = f"relationships_{SOURCE_LINK}.csv"
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE"])
            w.writerows((a, b, SOURCE_LINK) for a, b in pairs)
        export.rel_files.append(name)
    return ImportFiles(export, len(pairs), node_fill, rel_fill)


def _filler(files: ImportFiles) -> Callable[[Tx], None]:
    def fill(tx: Tx) -> None:
        batches: list[tuple[str, list[dict[str, Any]]]] = [
            (f"UNWIND $rows AS row MATCH (n:{ROOT_CLASS} {{id: row.id}}) SET n += row.props", files.node_fill)]
        batches += [(f"UNWIND $rows AS row MATCH ()-[r:{rtype} {{id: row.id}}]->() SET r += row.props", items)
                    for rtype, items in sorted(files.rel_fill.items())]
        for cypher, items in batches:
            for i in range(0, len(items), BATCH_SIZE):
                tx.run(cypher, rows=items[i:i + BATCH_SIZE]).consume()
    return fill


# -- the import ------------------------------------------------------------------------------------

def _admin_args(files: ImportFiles, folder: Path, report: Path) -> list[str]:
    args = files.export.admin_args(DATABASE, base=folder)
    at = args.index("--")  # options go before the database name
    return [*args[:at], "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
            f"--report-file={report}", "--verbose", *args[at:]]


def _gist(text: str) -> str:
    """The line of neo4j-admin's output that says what went wrong (else its last line), shortened."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # with --verbose, the cause comes as 'SomeException: what is wrong'; else the first line naming an error
    causes = [line for line in lines if "Exception: " in line and not line.startswith("at ")]
    telling = [line for line in lines if "error" in line.lower()]
    line = causes[-1].rpartition("Exception: ")[2] if causes else (telling or lines or ["(no output)"])[0]
    return line if len(line) <= 300 else line[:297] + "..."


def _run_import(server: LocalServer, args: list[str], log: Path, report: Path) -> str | None:
    """Run the import; None when it succeeded, else what went wrong (one line: the first bad record of its
    ``report`` file, else the telling line of its output). The whole output, and the report, go to ``log``."""
    classpath = read_classpath(server.layout.classpath_file)
    try:
        if classpath is None:
            raise ServerError(f"no Neo4j classpath in {server.home}: run 'wbkg neo4j install'")
        done = run_admin(server.layout, require_java(), classpath, args, timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        failure = f"neo4j-admin database import did not finish within {IMPORT_TIMEOUT:.0f} s"
        log.write_text(f"{failure}\n", encoding="utf-8")
        return failure
    except (WbkgError, OSError) as e:  # no classpath, no Java
        log.write_text(f"{e}\n", encoding="utf-8")
        return f"neo4j-admin could not run: {str(e).splitlines()[0]}"
    bad = report.read_text(encoding="utf-8", errors="replace").strip() if report.is_file() else ""
    log.write_text(done.stdout + done.stderr + (f"\n---- {report.name} ----\n{bad}\n" if bad else ""),
                   encoding="utf-8")
    if done.returncode != 0:
        return (f"neo4j-admin database import failed (exit {done.returncode}): "
                f"{_gist(bad) if bad else _gist(done.stdout + done.stderr)}")
    return None


def preflight(cfg: Config) -> LocalServer:
    """The checks that need no data: the local server, running, with an empty database (before a long
    validation)."""
    server = local_server(cfg)
    with Graph(cfg) as graph:
        require_empty(graph, cfg)
    return server


def _restart(server: LocalServer) -> str | None:
    """Start the server; None when it runs, else the first line of why not."""
    try:
        server.start()
    except WbkgError as e:
        return str(e).splitlines()[0]
    return None


def _store_dirs(server: LocalServer) -> list[Path]:
    """The folders of the default database's store and transaction logs."""
    return [server.layout.data_dir / sub / DATABASE for sub in ("databases", "transactions")]


def _set_aside(server: LocalServer) -> Path:
    """Move the (empty) database's folders out of the way, into a private folder of the stopped server's home
    (a rename: no copy): a failed import leaves store files the server cannot start (neo4j-admin says so, and
    the database fails with 'Transaction logs are missing'), so they must come back as they were."""
    aside = Path(tempfile.mkdtemp(prefix="bulk-before-", dir=server.home))
    for i, folder in enumerate(_store_dirs(server)):
        if folder.exists():
            folder.rename(aside / str(i))
    return aside


def _put_back(server: LocalServer, aside: Path) -> None:
    """Remove what the failed import left and move the database's own folders back."""
    for i, folder in enumerate(_store_dirs(server)):
        shutil.rmtree(folder, ignore_errors=True)
        if (aside / str(i)).exists():
            (aside / str(i)).rename(folder)
    shutil.rmtree(aside, ignore_errors=True)


def bulk_load(cfg: Config, ds: Dataset, *, dataset: str | None = None, model: Model | None = None,
              say: Callable[[str], None] = _say) -> LoadSummary:
    """Load a validated ``ds`` into the empty database of the local server with neo4j-admin (see the module
    docstring); what a load of it into that empty database would return."""
    started = time.time()
    m = model or load_model()
    server = preflight(cfg)
    if not ds.nodes:
        raise BulkRefused(f"the dataset holds no nodes: nothing to import; {ADVICE}")
    plan, node_rows, rel_rows = import_plan(ds, m, dataset)
    imports = server.layout.root / "import"
    private_dir(imports)
    folder = Path(tempfile.mkdtemp(prefix="bulk-", dir=imports))
    log = server.layout.logs_dir / "bulk-import.log"
    try:
        say(f"writing the import CSVs of {len(node_rows)} nodes and {len(rel_rows)} relationships to {folder}")
        files = write_import(node_rows, rel_rows, plan.dataset, m, folder)
        report = folder / "import.report"
        args = _admin_args(files, folder, report)
        with Graph(cfg) as graph:  # once more, right before the server goes down
            require_empty(graph, cfg)
        server.stop()
        aside = _set_aside(server)
        failure: str | None = "interrupted"
        try:
            say(f"running neo4j-admin database import full into database {DATABASE!r} (output in {log})")
            t0 = time.monotonic()
            failure = _run_import(server, args, log, report)
            if failure is None:
                say(f"imported in {time.monotonic() - t0:.1f} s")
                shutil.rmtree(aside, ignore_errors=True)
        finally:
            if failure is not None:
                _put_back(server, aside)
            restart = _restart(server)  # whatever happened: the server runs again
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if failure is not None:
        if restart is not None:
            raise BulkRefused(f"{failure}; the database's files were put back as they were, but the server did "
                              f"not start again ({restart}); full output in {log}")
        with Graph(cfg) as graph:
            n = node_count(graph)
        held = ("the database is unchanged (empty)" if n == 0
                else f"the database holds {n} nodes, which it did not hold before")
        raise BulkRefused(f"{failure}; {held}; the server is running again; full output in {log}")
    if restart is not None:
        raise BulkRefused(f"the import succeeded but the server did not start again ({restart}): start it with "
                          "'wbkg neo4j start', then finish with 'wbkg load' of the same files (it adds the schema, "
                          "the values the import left out and the load record)")
    say("creating the schema and the load record")
    with Graph(cfg) as graph:
        return finish_import(graph, ds, plan, started, model=m, fill=_filler(files))
