"""The scale benchmark: wbkg against its anchors on synthetic datasets, as ratios measured in one run.

    make bench SIZE=10000            # or SIZE=10000,100000,1000000
    python -m benchmarks.scale 10000 100000

For each size the dataset is the curated one plus synthetic entities (``benchmarks.generate``) up to that
many entities in all, so the canned queries' example anchors (Hytera, RS, …) resolve as on the curated
graph. Every step runs in a subprocess of its own, so its wall time and peak memory (``wait4``'s maximum
resident set, the JVM's for neo4j-admin) are its own. Side by side in the same run:

- ``wbkg validate`` (records per second; the target is 50k/s and 2 GB);
- the writer of ``wbkg load`` into an empty database, against an optimal hand-written UNWIND loader with
  the driver (MERGE on the id constraint, 10k rows per transaction) and ``neo4j-admin database import
  full`` from CSV (into a scratch database of the benchmark's own server, deleted afterwards);
- a reload of unchanged data against the first load;
- every canned query with its example parameters through the Python API: p50 and p95;
- ``wbkg export rdf`` in N-Triples and Turtle (read from Neo4j included) against pyoxigraph serialising
  the same triples;
- the SPARQL twins through ``wbkg.queries.sparql`` against plain rdflib running the same query text;
- start-up: ``wbkg --help`` and ``wbkg query list`` against ``python -c "import click"``.

Only ratios are compared; absolute times are printed for reference. Needs the scratch server that
``make bench`` starts (it wipes that database).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".wbkg" / "bench-scale"
BIN = Path(sys.executable).parent
WBKG = str(BIN / "wbkg")
TX_ROWS = 10_000


# -- running steps ------------------------------------------------------------------------------------

def run(cmd: list[str], timeout: float | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and stdout of one subprocess (stderr passes through on failure)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{' '.join(cmd[-2:])} took longer than {timeout:.0f} s") from None
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    peak = _reported_peak(out)
    return secs, peak, out


def _reported_peak(out: str) -> float:
    """The peak a step or ``peak`` wrapper printed: the measured process's own, not this one's."""
    m = re.search(r"^peak_mb=([0-9.]+)$", out, re.M)
    return float(m.group(1)) if m else float("nan")


def step(name: str, *args: str, timeout: float | None = None) -> tuple[float, float, dict[str, Any]]:
    """Run ``python -m benchmarks.scale step NAME ARGS``: (wall s, peak MB, the JSON the step printed)."""
    secs, peak, out = run([sys.executable, "-m", "benchmarks.scale", "step", name, *args], timeout)
    data = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return secs, peak, data


def timed_cli(*args: str) -> tuple[float, float, str]:
    """A wbkg command under ``benchmarks.scale peak`` (which prints the child's peak memory)."""
    return run([sys.executable, "-m", "benchmarks.scale", "peak", WBKG, *args])


# -- the steps (each in its own process) --------------------------------------------------------------

def _peak_mb() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _dataset(dirs: list[str]) -> Any:
    from wbkg.loaders.dataset import read_dataset

    return read_dataset([Path(d) for d in dirs])


def _graph() -> Any:
    from wbkg.config import load_config
    from wbkg.graph.connection import Graph

    return Graph(load_config())


def step_wipe() -> dict[str, Any]:
    with _graph() as g:
        while g.rows("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n", write=True)[0]["n"]:
            pass
        for row in g.rows("SHOW CONSTRAINTS YIELD name"):
            g.rows(f"DROP CONSTRAINT {row['name']}", write=True)
        for row in g.rows("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'"):
            g.rows(f"DROP INDEX {row['name']}", write=True)
    return {}


def step_load(*dirs: str) -> dict[str, Any]:
    from wbkg.loaders.writer import load

    t0 = time.perf_counter()
    ds = _dataset(list(dirs))
    read = time.perf_counter() - t0
    with _graph() as g:
        t0 = time.perf_counter()
        load(g, ds, progress=False)
        write = time.perf_counter() - t0
    return {"read": read, "write": write, "records": len(ds.nodes) + len(ds.relationships), **step_counts()}


def step_unwind(*dirs: str) -> dict[str, Any]:
    """The anchor: the same graph (labels, properties with a load's bookkeeping, relationships, the derived
    SOURCED_BY links) written by hand with the driver, 10k rows per transaction."""
    from wbkg.graph.schema import SOURCE_LINK
    from wbkg.loaders.mirror import default_name, rows
    from wbkg.loaders.writer import create_schema
    from wbkg.ontology.model import load_model

    ds = _dataset(list(dirs))
    m = load_model()
    name = [default_name(ds)]
    node_rows, rel_rows = rows(ds)
    by_class: dict[str, list[dict[str, Any]]] = {}
    cites: list[dict[str, Any]] = []
    for row in node_rows.values():
        by_class.setdefault(row.record.cls, []).append(row.params(name))
        if row.record.props.get("sources"):
            cites.append({"id": row.record.id, "sources": row.record.props["sources"]})
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rel in rel_rows.values():
        by_type.setdefault(rel.record.type, []).append(rel.params(name))
    with _graph() as g:
        t0 = time.perf_counter()
        create_schema(g, m)
        with g.driver.session(database=g.cfg.database) as s:
            def write(q: str, items: list[dict[str, Any]]) -> None:
                for i in range(0, len(items), TX_ROWS):
                    s.execute_write(lambda tx, b=items[i:i + TX_ROWS]: tx.run(q, rows=b).consume())

            for cls, batch in by_class.items():
                labels = ":".join(m.labels(cls)[1:])
                write(f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) SET n = row.props, n:{labels}", batch)
            for rtype, batch in by_type.items():
                write("UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) "
                      f"CREATE (a)-[r:{rtype}]->(b) SET r = row.props", batch)
            write("UNWIND $rows AS row MATCH (n:Entity {id: row.id}) UNWIND row.sources AS sid "
                  f"MATCH (s:Source {{id: sid}}) CREATE (n)-[:{SOURCE_LINK}]->(s)", cites)
        write_s = time.perf_counter() - t0
    return {"write": write_s, **step_counts()}


def step_counts() -> dict[str, Any]:
    """Nodes and relationships in the graph (so a run can check that anchor and wbkg wrote the same)."""
    with _graph() as g:
        return {"nodes": g.rows("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"],
                "rels": g.rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]}


def _csv_type(value: Any) -> str:
    if isinstance(value, list):
        return "string[]"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    return "double" if isinstance(value, float) else "string"


def _write_csvs(ds: Any, out: Path) -> tuple[list[str], list[str]]:
    """One CSV per class and per relationship type, in neo4j-admin's header format."""
    from wbkg.ontology.model import load_model

    m = load_model()
    out.mkdir(parents=True, exist_ok=True)
    nodes: list[str] = []
    rels: list[str] = []
    groups: dict[str, list[Any]] = {}
    for n in ds.nodes.values():
        groups.setdefault(n.cls, []).append(n)
    for cls, records in groups.items():
        types: dict[str, str] = {}
        for n in records:
            for k, v in n.props.items():
                types.setdefault(k, _csv_type(v))
        cols = [k for k in types if k != "id"]
        path = out / f"nodes-{cls}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            # id:ID also stores the id as the property `id` (neo4j-admin 5 refuses a second `id` column)
            w.writerow(["id:ID", ":LABEL", *(f"{k}:{types[k]}" for k in cols)])
            label = ";".join(m.labels(cls))
            for n in records:
                w.writerow([n.id, label, *(_csv_value(n.props.get(k)) for k in cols)])
        nodes.append(str(path))
    rgroups: dict[str, list[Any]] = {}
    for r in ds.relationships:
        rgroups.setdefault(r.type, []).append(r)
    for rtype, records in rgroups.items():
        types = {}
        for r in records:
            for k, v in r.props.items():
                types.setdefault(k, _csv_type(v))
        cols = list(types)
        path = out / f"rels-{rtype}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE", "id", *(f"{k}:{types[k]}" for k in cols)])
            for r in records:
                w.writerow([r.source, r.target, rtype, r.id, *(_csv_value(r.props.get(k)) for k in cols)])
        rels.append(str(path))
    return nodes, rels


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def step_admin_import(*dirs: str) -> dict[str, Any]:
    """The anchor: ``neo4j-admin database import full`` into a scratch database of the bench server."""
    from wbkg.config import load_config
    from wbkg.graph.server.install import ServerHome, run_admin
    from wbkg.graph.server.toolchain import read_classpath, require_java

    cfg = load_config()
    home = ServerHome(cfg.home / "neo4j")
    classpath = read_classpath(home.classpath_file)
    if classpath is None:
        raise RuntimeError("the bench server is not installed")
    ds = _dataset(list(dirs))
    csv_dir = WORK / "csv"
    nodes, rels = _write_csvs(ds, csv_dir)
    database = "benchimport"
    # the database first: --nodes and --relationships take any number of values and would swallow it
    args = ["database", "import", "full", database, "--overwrite-destination=true", "--array-delimiter=;",
            "--skip-bad-relationships=false", *(f"--nodes={p}" for p in nodes),
            *(f"--relationships={p}" for p in rels)]
    t0 = time.perf_counter()
    done = run_admin(home, require_java(), classpath, args, timeout=7200)
    secs = time.perf_counter() - t0
    shutil.rmtree(csv_dir, ignore_errors=True)
    for sub in ("databases", "transactions"):
        shutil.rmtree(home.data_dir / sub / database, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return {"write": secs}


def step_queries() -> dict[str, Any]:
    from wbkg.queries.registry import canned_queries, example_args
    from wbkg.queries.runner import run_query

    times: list[float] = []
    anchored: list[float] = []  # the queries with a parameter: they start from one entity or country
    per_query: dict[str, float] = {}
    rows: dict[str, int] = {}
    with _graph() as g:
        for name, q in canned_queries().items():
            raw = example_args(q)
            rows[name] = sum(len(rs.rows) for rs in run_query(g, q, raw))  # warm-up: plan cached, pages in memory
            own = []
            for _ in range(20):
                t0 = time.perf_counter()
                run_query(g, q, raw)
                own.append((time.perf_counter() - t0) * 1000)
            per_query[name] = statistics.median(own)
            times += own
            if q.params:
                anchored += own
    times.sort()
    anchored.sort()
    return {"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)], "per_query": per_query,
            "rows": rows, "anchored_p95": anchored[int(len(anchored) * 0.95)]}


def step_oxigraph(nt_file: str) -> dict[str, Any]:
    """The anchor: pyoxigraph serialising the triples of the export (parsing them is not counted)."""
    import pyoxigraph as ox

    triples = list(ox.parse(path=nt_file, format=ox.RdfFormat.N_TRIPLES))
    out: dict[str, Any] = {"triples": len(triples)}
    for name, fmt in (("nt", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE)):
        t0 = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            ox.serialize(triples, sink, fmt)
        out[name] = time.perf_counter() - t0
    return out


def step_read_serialise(fmt: str) -> dict[str, Any]:
    """The second export anchor, what any export must do at least: read every node and relationship from
    Neo4j with the driver (one query each) and serialise one triple per property value with pyoxigraph.
    No ontology mapping, no checks: a floor, not an exporter."""
    import pyoxigraph as ox

    base = "https://example.org/anchor/"
    out_format = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}[fmt]
    typ = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def triples(tx: Any) -> Any:
        for row in tx.run("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"):
            s = ox.NamedNode(base + row["id"])
            for label in row["labels"]:
                yield ox.Triple(s, typ, ox.NamedNode(base + label))
            for key, value in row["props"].items():
                p = ox.NamedNode(base + key)
                for item in value if isinstance(value, list) else [value]:
                    yield ox.Triple(s, p, ox.Literal(str(item)))
        for row in tx.run("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS a, type(r) AS t, b.id AS b, "
                          "properties(r) AS props"):
            rid = row["props"].get("id")
            yield ox.Triple(ox.NamedNode(base + row["a"]), ox.NamedNode(base + row["t"]), ox.NamedNode(base + row["b"]))
            if rid is None:
                continue
            s = ox.NamedNode(base + rid)
            for key, value in row["props"].items():
                p = ox.NamedNode(base + key)
                for item in value if isinstance(value, list) else [value]:
                    yield ox.Triple(s, p, ox.Literal(str(item)))

    with _graph() as g, g.driver.session(database=g.cfg.database) as session, open(os.devnull, "wb") as sink:
        t0 = time.perf_counter()
        tx = session.begin_transaction()
        try:
            ox.serialize(triples(tx), sink, out_format)
        finally:
            tx.close()
        return {"write": time.perf_counter() - t0}


def _twins() -> list[tuple[str, dict[str, str]]]:
    from wbkg.queries.registry import canned_queries, example_args
    from wbkg.queries.sparql import query_names

    canned = canned_queries()
    return [(name, example_args(canned[name]) if name in canned else {}) for name in query_names()]


# Bounds on the SPARQL steps (seconds): each twin of wbkg, and rdflib's queries all together.
TWIN_LIMIT = float(os.environ.get("WBKG_BENCH_TWIN_LIMIT", "120"))
RDFLIB_BUDGET = float(os.environ.get("WBKG_BENCH_RDFLIB_BUDGET", "900"))
ON_DISK_ABOVE = 1 << 30  # bytes of N-Triples above which the twins' store is on disk
# rdflib holds a graph in Python objects (about 1 KB a triple): the target compares it at 100k, not above
RDFLIB_UP_TO = 100_000


def _within(seconds: float, work: Callable[[], object]) -> tuple[float, bool]:
    """Wall seconds of ``work()``, and whether it was interrupted (SIGALRM) after ``seconds``. rdflib is pure
    Python and pyoxigraph checks for signals between solutions, so the alarm stops either; wbkg words
    pyoxigraph's interrupted query as a QueryError caused by the TimeoutError."""
    from wbkg.errors import QueryError

    def stop(*_: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    t0 = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        work()
        cut = False
    except TimeoutError:
        cut = True
    except QueryError as e:
        if not isinstance(e.__cause__, TimeoutError):
            raise
        cut = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - t0, cut


def step_sparql(nt_file: str) -> dict[str, Any]:
    """The product's SPARQL twins on the export, load and each query timed apart (a twin slower than
    TWIN_LIMIT is stopped and named in the table)."""
    from wbkg.ontology.vocab import vocab
    from wbkg.queries import sparql

    v = vocab(_base())
    t0 = time.perf_counter()
    if Path(nt_file).stat().st_size > ON_DISK_ABOVE:
        # wbkg's reader holds every triple as a Python object first (several GB at 1M entities): a big export
        # goes straight into an on-disk pyoxigraph store, which the twins query just the same
        import pyoxigraph as ox

        folder = WORK / "sparql-store"
        shutil.rmtree(folder, ignore_errors=True)
        g = ox.Store(str(folder))
        g.bulk_load(path=nt_file, format=ox.RdfFormat.N_TRIPLES)
    else:
        g = sparql.load_data(Path(nt_file), v)
    load = time.perf_counter() - t0
    per: dict[str, float] = {}
    slow: list[str] = []
    for name, params in _twins():
        per[name], cut = _within(TWIN_LIMIT, partial(sparql.run_named, name, params, g, v))
        if cut:
            slow.append(name)
    return {"load": load, "per_query": per, "slow": slow}


def _rows_of(g: Any, text: str) -> list[Any]:
    return list(g.query(text))  # rdflib evaluates as the rows are read


def step_rdflib(nt_file: str) -> dict[str, Any]:
    """The anchor: plain rdflib parsing the export and running the same query texts (parameters resolved
    and substituted as wbkg does it, on a pyoxigraph store outside the timing). rdflib is slow enough at
    scale to need a budget: a query still running when RDFLIB_BUDGET seconds of queries have passed is
    interrupted (its time so far is a lower bound), the rest are left out, and the ratio is taken over the
    queries both ran (marked ">=" when one was interrupted)."""
    from rdflib import Graph

    from wbkg.ontology.vocab import vocab
    from wbkg.queries import sparql

    v = vocab(_base())
    store = sparql.load_data(Path(nt_file), v)
    texts = {}
    for name, params in _twins():
        q = sparql.load_query(name)
        texts[name] = sparql.substitute(sparql.rebase(q.text, v), sparql.bindings(q, params, store, v))
    del store
    t0 = time.perf_counter()
    g = Graph().parse(nt_file, format="nt")
    load = time.perf_counter() - t0
    per: dict[str, float] = {}
    cut: list[str] = []
    for name, text in texts.items():
        left = RDFLIB_BUDGET - sum(per.values())
        if left <= 0:
            break
        per[name], stopped = _within(left, partial(_rows_of, g, text))
        if stopped:
            cut.append(name)  # its time so far is a lower bound of rdflib's
    return {"load": load, "per_query": per, "queries": len(texts), "cut": cut}


def query_figures(r: dict[str, Any]) -> str:
    slowest = max(r["query_ms"].items(), key=lambda kv: kv[1])
    rows = r.get("query_rows", {}).get(slowest[0])
    return (f"{r['p50']:.1f} / {r['p95']:.1f} ({slowest[0]} {slowest[1]:.0f}"
            + (f", {rows:,} rows)" if rows is not None else ")"))


def sparql_ratio(r: dict[str, Any]) -> str:
    """rdflib's time over wbkg's on the queries both ran, and on loading the export."""
    if "sparql_error" in r:
        return f"not measured: {r['sparql_error']}"
    if "rdflib_per_query" not in r:
        slow = f" (over {TWIN_LIMIT:.0f} s: {', '.join(r['sparql_slow'])})" if r.get("sparql_slow") else ""
        return f"rdflib not run above {RDFLIB_UP_TO:,}; wbkg {sum(r['sparql_per_query'].values()):.1f} s{slow}"
    done = r["rdflib_per_query"]
    ours = sum(r["sparql_per_query"][q] for q in done)
    cut = r.get("rdflib_cut") or []
    finished = len(done) - len(cut)
    part = "" if finished == r["sparql_twins"] else f" ({finished} of {r['sparql_twins']} finished in rdflib's budget)"
    bound = ">= " if cut else ""
    if r.get("sparql_slow"):
        part += f" (over {TWIN_LIMIT:.0f} s in wbkg: {', '.join(r['sparql_slow'])})"
    return f"{bound}{sum(done.values()) / ours:.1f}{part}; load {r['rdflib_load'] / r['sparql_load']:.2f}"


def _base() -> str:
    from wbkg.config import load_config

    return load_config().base_iri


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "wipe": step_wipe, "counts": step_counts, "read-serialise": step_read_serialise, "load": step_load,
    "unwind": step_unwind, "admin-import": step_admin_import,
    "queries": step_queries, "oxigraph": step_oxigraph, "sparql": step_sparql, "rdflib": step_rdflib,
}


# -- one size -----------------------------------------------------------------------------------------

def prepare(size: int) -> list[str]:
    """The curated dataset plus synthetic entities up to ``size`` in all (generated once per size)."""
    from benchmarks.generate import generate
    from wbkg.loaders.dataset import read_dataset
    from wbkg.resources import dataset_dir

    curated = len(read_dataset([dataset_dir()]).nodes)
    out = WORK / f"data-{size}"
    stamp = out / ".complete"
    if not stamp.is_file():
        generate(out, max(0, size - curated))
        stamp.write_text("ok\n")
    return [str(dataset_dir()), str(out)]


# The server heap each size is measured with (README, "The scale benchmark"): a staged load's final
# transaction turns every new node into an entity at once (4 KB or more of transaction state per node), and
# the server allows a transaction 70% of the heap; 8g (5.6 GB) was too little for a million.
# WBKG_NEO4J_HEAP, when set, is used for every size instead.
HEAPS = ((10_000, "1g"), (100_000, "2g"), (1_000_000, "12g"))


GIVEN_HEAP = os.environ.get("WBKG_NEO4J_HEAP")


def heap_for(size: int) -> str:
    return GIVEN_HEAP or next((heap for bound, heap in HEAPS if size <= bound), HEAPS[-1][1])


def server(action: str, heap: str) -> None:
    """Stop or start the benchmark's server (``make bench`` set WBKG_HOME and the ports) with ``heap``, which
    every later step inherits (``wbkg load --bulk`` restarts the server itself)."""
    os.environ["WBKG_NEO4J_HEAP"] = heap
    subprocess.run([WBKG, "neo4j", action], check=True, stdout=subprocess.DEVNULL)


def bench_size(size: int) -> dict[str, Any]:
    dirs = prepare(size)
    heap = heap_for(size)
    r: dict[str, Any] = {"size": size, "heap": heap}
    say = lambda msg: print(f"[{size}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    say(f"server heap {heap}")
    server("stop", heap)
    server("start", heap)

    say("validate")
    secs, peak, out = timed_cli("validate", *dirs)
    m = re.search(r"(\d+) nodes, (\d+) relationships", out)
    assert m, out
    r["entities"], r["records"] = int(m.group(1)), int(m.group(1)) + int(m.group(2))
    r["validate"], r["validate_mb"] = secs, peak

    # a server just started runs its first statements slowly (JIT, cold caches): the curated dataset is
    # loaded and wiped once first, so neither the writer nor the anchors pays that alone
    say("warm-up")
    step("wipe")
    step("load", dirs[0])
    say("load (writer)")
    step("wipe")
    secs, peak, d = step("load", *dirs)
    r["load"], r["load_mb"], r["graph"] = d["write"], peak, (d["nodes"], d["rels"])
    say("reload")
    secs, peak, d = step("load", *dirs)
    r["reload"] = d["write"]
    say("queries")
    _, _, d = step("queries")
    r["p50"], r["p95"], r["query_ms"], r["query_rows"] = d["p50"], d["p95"], d["per_query"], d["rows"]
    r["anchored_p95"] = d["anchored_p95"]

    nt, ttl = WORK / f"export-{size}.nt", WORK / f"export-{size}.ttl"
    say("export nt")
    r["export_nt"], r["export_nt_mb"], _ = timed_cli("export", "rdf", "-f", "nt", "-q", "-o", str(nt))
    say("export turtle")
    r["export_ttl"], r["export_ttl_mb"], _ = timed_cli("export", "rdf", "-f", "turtle", "-q", "-o", str(ttl))
    say("pyoxigraph")
    _, r["oxigraph_mb"], d = step("oxigraph", str(nt))
    r["triples"], r["ox_nt"], r["ox_ttl"] = d["triples"], d["nt"], d["turtle"]
    say("read from Neo4j and serialise (anchor)")
    r["floor_nt"] = step("read-serialise", "nt")[0]
    r["floor_ttl"] = step("read-serialise", "turtle")[0]
    say("sparql (wbkg)")
    try:  # a twin pyoxigraph cannot interrupt must not cost the whole table
        _, r["sparql_mb"], d = step("sparql", str(nt), timeout=TWIN_LIMIT * 12 + 120)
        r["sparql_load"], r["sparql_per_query"], r["sparql_slow"] = d["load"], d["per_query"], d["slow"]
        if size <= RDFLIB_UP_TO:
            say("sparql (rdflib)")
            _, r["rdflib_mb"], d = step("rdflib", str(nt), timeout=RDFLIB_BUDGET * 2 + 600)
            r["rdflib_load"], r["rdflib_per_query"], r["sparql_twins"] = d["load"], d["per_query"], d["queries"]
            r["rdflib_cut"] = d["cut"]
    except RuntimeError as e:
        r["sparql_error"] = str(e).splitlines()[0]

    say("optimal UNWIND loader")
    step("wipe")
    _, r["unwind_mb"], d = step("unwind", *dirs)
    r["unwind"] = d["write"]
    if (d["nodes"], d["rels"]) != r["graph"]:  # an anchor that wrote less would flatter nobody but itself
        r["unwind_error"] = f"the anchor wrote {d['nodes']} nodes, {d['rels']} relationships; wbkg {r['graph']}"
        say(r["unwind_error"])
    step("wipe")
    say("neo4j-admin import")
    # neo4j-admin locks the whole DBMS: the server is stopped around it, as `wbkg load --bulk` would do
    server("stop", heap)
    try:
        _, r["admin_mb"], d = step("admin-import", *dirs)
        r["admin"] = d["write"]
    except RuntimeError as e:  # the anchor failing must not cost the table: it says so
        r["admin"], r["admin_error"] = float("nan"), str(e).splitlines()[0]
        say(f"neo4j-admin import failed: {e}")
    finally:
        server("start", heap)
    say("wbkg load --bulk")
    step("wipe")  # --bulk takes only a database without any node
    try:
        r["bulk"], r["bulk_mb"], _ = timed_cli("load", "--bulk", *dirs)
    except RuntimeError as e:
        r["bulk"], r["bulk_error"] = float("nan"), str(e).splitlines()[0]
        say(f"wbkg load --bulk failed: {e}")
    step("wipe")
    for f in (nt, ttl):
        f.unlink(missing_ok=True)
    return r


def startup(runs: int = 9) -> dict[str, float]:
    """Median wall seconds of ``python -c "import click"``, ``wbkg --help`` and ``wbkg query list``, run in
    turn (one round after another, so a busy moment of the shared machine hits all three alike). Bytecode
    is written and used, as in an installed wheel (pip compiles it): an environment that sets
    PYTHONDONTWRITEBYTECODE would otherwise time the compiling of every module."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmds = {"click": [sys.executable, "-c", "import click"], "help": [WBKG, "--help"],
            "list": [WBKG, "query", "list"]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for round_ in range(runs + 1):  # round 0 warms up and writes the bytecode
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd="/", env=env)
            if round_:
                times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(t) for k, t in times.items()}


def startup_report(start: dict[str, float]) -> list[str]:
    return [f"| `wbkg --help` / `python -c \"import click\"` | <= 3 | {start['help'] / start['click']:.1f} |",
            f"| `wbkg query list` / `python -c \"import click\"` | <= 3 | {start['list'] / start['click']:.1f} |"]


def table(results: list[dict[str, Any]], start: dict[str, float]) -> str:
    """The figures as a Markdown table: ratios against the anchors and the targets of issue #14."""
    rows: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
        ("entities / records", "", lambda r: f"{r['entities']:,} / {r['records']:,}"),
        ("server heap", "1g unless the README says", lambda r: r.get("heap", "1g")),
        ("`wbkg validate`: records/s (peak MB)", ">= 50k/s, <= 2 GB",
         lambda r: f"{r['records'] / r['validate']:,.0f} ({r['validate_mb']:,.0f})"),
        ("load: UNWIND anchor time / `wbkg load` writer time", ">= 0.8",
         lambda r: f"{r['unwind'] / r['load']:.2f} ({r['load']:.1f} s vs {r['unwind']:.1f} s)"),
        ("load: neo4j-admin import time / writer time", "",
         lambda r: f"{r['admin'] / r['load']:.2f} ({r['admin']:.1f} s)"),
        ("`wbkg load --bulk` (validation, import, restart) / neo4j-admin import alone", "",
         lambda r: f"{r['bulk'] / r['admin']:.2f} ({r['bulk']:.1f} s)" if "bulk" in r else "not run"),
        ("reload unchanged / first load", "<= 0.3", lambda r: f"{r['reload'] / r['load']:.2f}"),
        ("load: peak MB (writer process)", "<= 2 GB", lambda r: f"{r['load_mb']:,.0f}"),
        ("canned queries p50 / p95 (ms; the slowest query's median)", "p95 <= 20", query_figures),
        ("canned queries with a parameter (from one entity or country): p95 (ms)", "",
         lambda r: f"{r['anchored_p95']:.1f}" if "anchored_p95" in r else "not measured"),
        ("export nt: time / pyoxigraph serialising alone (peak MB)", "<= 2",
         lambda r: f"{r['export_nt'] / r['ox_nt']:.1f} ({r['export_nt_mb']:,.0f})"),
        ("export nt: time / Neo4j read + pyoxigraph (both whole processes)", "<= 2",
         lambda r: f"{r['export_nt'] / r['floor_nt']:.1f} ({r['export_nt']:.1f} s vs {r['floor_nt']:.1f} s)"),
        ("export Turtle: time / pyoxigraph serialising alone (peak MB)", "<= 2",
         lambda r: f"{r['export_ttl'] / r['ox_ttl']:.1f} ({r['export_ttl_mb']:,.0f})"),
        ("export Turtle: time / Neo4j read + pyoxigraph (both whole processes)", "<= 2",
         lambda r: f"{r['export_ttl'] / r['floor_ttl']:.1f} ({r['export_ttl']:.1f} s vs {r['floor_ttl']:.1f} s)"),
        ("SPARQL twins: rdflib time / wbkg time (queries; load)", ">= 10", sparql_ratio),
    ]
    head = "| measure | target | " + " | ".join(f"{r['size']:,}" for r in results) + " |"
    lines = [head, "|" + "---|" * (2 + len(results))]
    for title, target, fmt in rows:
        lines.append(f"| {title} | {target} | " + " | ".join(fmt(r) for r in results) + " |")
    lines += startup_report(start)
    return "\n".join(lines)


def peak_main(cmd: list[str]) -> int:
    """Run ``cmd``, pass its output through, then print its peak resident memory."""
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    print(f"peak_mb={usage.ru_maxrss / 1024:.1f}")
    return os.waitstatus_to_exitcode(status)


def main(argv: list[str]) -> int:
    if argv[:1] == ["step"]:
        data = STEPS[argv[1]](*argv[2:])
        print(json.dumps(data))
        print(f"peak_mb={_peak_mb():.1f}")
        return 0
    if argv[:1] == ["peak"]:
        return peak_main(argv[1:])
    sizes = [int(s) for a in argv for s in a.split(",") if s] or [10_000]
    WORK.mkdir(parents=True, exist_ok=True)
    start = startup()
    results = []
    for size in sizes:
        results.append(bench_size(size))
        (WORK / "results.json").write_text(json.dumps({"startup": start, "sizes": results}, indent=1))
    print(table(results, start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
