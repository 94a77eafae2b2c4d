"""Reliability and security of loading and querying: connection faults, query safety (parameters only,
read-only scripts, time limits), interrupted loads, and secrets (never printed, never committed, loopback)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers import free_port, private_server_env
from test_bad_input import BASE_COUNTS, ROOT, VALID, WBKG, cli_env, counts, fingerprint, wipe

from wbkg.config import Config
from wbkg.errors import ConnectionError, QueryError
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.rdf.validate import validate_paths

# Values a careless query builder would let out of their quotes.
INJECTIONS = [
    "x' OR 1=1 //",
    'x"}) DETACH DELETE n //',
    "}) MATCH (m) DETACH DELETE m; //",
    "`Entity`) DETACH DELETE n //",
    "$name $entity {name}",
    "a\\'b\\\\",
    "Нови Сад 新疆 😀 ‮رقم",
    "CALL dbms.security.createUser('x','y',false)",
    "/* comment */ RETURN 1;",
]


def wbkg(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WBKG), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def base_graph(graph_db: Graph, neo4j_cfg: Config) -> Iterator[Graph]:
    wipe(graph_db)
    load(graph_db, validate_paths([ROOT / VALID], neo4j_cfg.base_iri), progress=False)
    yield graph_db
    wipe(graph_db)


# -- 3. connection faults ------------------------------------------------------------------------------

def fault_env(cfg: Config, fault: str) -> tuple[dict[str, str], str]:
    env = cli_env(cfg)
    if fault == "server down":
        port = free_port()
        env["NEO4J_URI"] = f"bolt://127.0.0.1:{port}"
        return env, (f"error: Neo4j is not reachable at bolt://127.0.0.1:{port}: start it with 'wbkg neo4j start' "
                     "(or 'docker compose up -d'), or set NEO4J_URI")
    if fault == "wrong password":
        env["NEO4J_PASSWORD"] = "not-the-password-9f3c"
        return env, (f"error: Neo4j at {cfg.uri} refused the login for user '{cfg.user}': set NEO4J_PASSWORD "
                     "(or the config file) to the right password")
    env["NEO4J_DATABASE"] = "nosuchdb"
    return env, (f"error: database 'nosuchdb' does not exist on {cfg.uri}: set NEO4J_DATABASE to an existing one "
                 "(Community edition has only 'neo4j')")


# one wrong-password attempt per command: the server locks the user after 3 failures in a row
@pytest.mark.parametrize("fault", ["server down", "wrong password", "unknown database"])
@pytest.mark.parametrize("args", [["load", "-q", str(VALID)],
                                  ["query", "run", "neighbourhood", "-p", "entity", "acme"]])
def test_connection_fault_is_one_line_with_the_fix(fault: str, args: list[str], base_graph: Graph,
                                                   neo4j_cfg: Config) -> None:
    before = fingerprint(base_graph)
    env, message = fault_env(neo4j_cfg, fault)
    proc = wbkg(args, env)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [message]
    assert proc.stdout == ""
    assert "not-the-password" not in proc.stderr
    assert fingerprint(base_graph) == before


def test_graph_rows_raises_connection_error_when_down(neo4j_cfg: Config) -> None:
    port = free_port()
    cfg = Config(uri=f"bolt://127.0.0.1:{port}", user=neo4j_cfg.user, password="x" * 12)
    with Graph(cfg) as g, pytest.raises(ConnectionError) as e:
        g.rows("RETURN 1")
    assert str(e.value) == (f"Neo4j is not reachable at bolt://127.0.0.1:{port}: start it with 'wbkg neo4j start' "
                            "(or 'docker compose up -d'), or set NEO4J_URI")


def test_transient_errors_are_retried(graph_db: Graph) -> None:
    """Managed transactions re-run the unit of work on a transient error (here a deadlock-like one raised
    by the first attempt); the caller sees only the successful result."""
    from neo4j.exceptions import TransientError

    attempts: list[int] = []

    def work(tx: object) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise TransientError("simulated transient failure")
        return len(attempts)

    assert graph_db.read(work) == 2  # type: ignore[arg-type]
    assert len(attempts) == 2


# -- 4. query safety -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def injected(base_graph: Graph, neo4j_cfg: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    """The base graph plus a firm per injection string as its name (loaded through the normal loader)."""
    nodes: list[dict[str, object]] = [{"id": "src-a", "class": "Source", "title": "A report",
                                       "publisher": "Someone", "kind": "news"}]  # as in the base dataset
    nodes += [{"id": f"firm-{i}", "class": "Firm", "name": text, "aliases": [text + " alias"],
               "description": text, "sources": ["src-a"]} for i, text in enumerate(INJECTIONS)]
    path = tmp_path_factory.mktemp("inj") / "injections.yaml"
    path.write_text(yaml.safe_dump({"nodes": nodes}, allow_unicode=True), encoding="utf-8")
    load(base_graph, validate_paths([path], neo4j_cfg.base_iri), progress=False)
    yield base_graph
    base_graph.rows("MATCH (n:Firm) WHERE n.id STARTS WITH 'firm-' DETACH DELETE n", write=True)


def test_injection_strings_are_stored_verbatim(injected: Graph) -> None:
    rows = injected.rows("MATCH (n:Firm) WHERE n.id STARTS WITH 'firm-' "
                         "RETURN n.id AS id, n.name AS name, n.aliases AS aliases")
    assert {r["id"]: (r["name"], r["aliases"]) for r in rows} == {
        f"firm-{i}": (t, [t + " alias"]) for i, t in enumerate(INJECTIONS)}
    assert counts(injected) == (BASE_COUNTS[0] + len(INJECTIONS), BASE_COUNTS[1])


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_as_parameters_match_exactly(injected: Graph, text: str) -> None:
    before = fingerprint(injected)
    assert injected.rows("MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", {"name": text}) == [
        {"id": f"firm-{INJECTIONS.index(text)}"}]
    assert fingerprint(injected) == before


SCRIPT = """// name: by-name
// title: Entities by exact name
// description: test script
// params:
//   - name: name
//     type: string
//     description: the exact name
// mode: read
MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id
"""


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_through_wbkg_query_run(injected: Graph, neo4j_cfg: Config, tmp_path: Path, text: str) -> None:
    before = fingerprint(injected)
    script = tmp_path / "by-name.cypher"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = wbkg(["query", "run", "--file", str(script), "-p", "name", text, "--format", "json"], cli_env(neo4j_cfg))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"id": f"firm-{INJECTIONS.index(text)}"}]
    assert fingerprint(injected) == before


def test_a_write_in_a_read_transaction_is_refused(base_graph: Graph) -> None:
    before = fingerprint(base_graph)
    with pytest.raises(QueryError) as e:
        base_graph.rows("CREATE (:X {id: 'sneaky'})")
    assert str(e.value) == "a write was attempted in a read-only script; mark the script 'mode: write'"
    assert fingerprint(base_graph) == before


def test_a_read_script_cannot_write(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    before = fingerprint(base_graph)
    script = tmp_path / "sneaky.cypher"
    script.write_text(SCRIPT.replace("MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id",
                                     "CREATE (n:Entity {id: 'sneaky', name: $name}) RETURN n.id AS id"),
                      encoding="utf-8")
    proc = wbkg(["query", "run", "--file", str(script), "-p", "name", "x"], cli_env(neo4j_cfg))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: a write was attempted in a read-only script; mark the script 'mode: write'"]
    assert fingerprint(base_graph) == before


def running(graph: Graph, fragment: str) -> int:
    """How many other transactions are running a statement containing ``fragment``."""
    return int(graph.rows("SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $fragment "
                          "AND NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN count(*) AS c",
                          {"fragment": fragment})[0]["c"])


LONG = "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(*) AS c"
TIMEOUT_MESSAGE = "the query ran past its time limit and was cancelled; raise --timeout or narrow it"


def test_a_long_query_is_cancelled_cleanly(base_graph: Graph) -> None:
    before = fingerprint(base_graph)
    with pytest.raises(QueryError) as e:
        base_graph.rows(LONG, timeout=0.5)
    assert str(e.value) == TIMEOUT_MESSAGE
    assert base_graph.rows("RETURN 1 AS one") == [{"one": 1}]
    assert running(base_graph, "range(1, 1000000000)") == 0
    assert fingerprint(base_graph) == before


def test_wbkg_query_run_timeout(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    script = tmp_path / "long.cypher"
    script.write_text(SCRIPT.replace("//   - name: name\n//     type: string\n//     description: the exact name\n", "")
                      .replace("// params:\n", "").replace(
                          "MATCH (n:Entity) WHERE n.name = $name RETURN n.id AS id", LONG), encoding="utf-8")
    proc = wbkg(["query", "run", "--file", str(script), "--timeout", "0.5"], cli_env(neo4j_cfg))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"error: {TIMEOUT_MESSAGE}"]
    assert base_graph.rows("RETURN 1 AS one") == [{"one": 1}]


# -- 2. interrupted load -------------------------------------------------------------------------------

BIG_FIRMS = 2_000


def big_dataset(path: Path) -> tuple[int, int]:
    nodes: list[dict[str, object]] = [{"id": "src-big", "class": "Source", "title": "T", "publisher": "P",
                                       "kind": "news"},
                                      {"id": "state-big", "class": "State", "name": "Big", "sources": ["src-big"]}]
    nodes += [{"id": f"big-{i}", "class": "Firm", "name": f"Firm {i}", "sources": ["src-big"]}
              for i in range(BIG_FIRMS)]
    rels = [{"type": "OWNS", "from": "state-big", "to": f"big-{i}", "status": "asserted", "evidence": "e",
             "sources": ["src-big"]} for i in range(BIG_FIRMS)]
    path.write_text(json.dumps({"nodes": nodes, "relationships": rels}), encoding="utf-8")
    return len(nodes), len(rels)


def open_loads(graph: Graph) -> int:
    """How many load transactions are open (the writer tags them with metaData.wbkg = 'load')."""
    return int(graph.rows("SHOW TRANSACTIONS YIELD metaData WHERE metaData.wbkg = 'load' RETURN count(*) AS c")
               [0]["c"])


def wait_for_open_write(graph: Graph, limit: float = 300) -> None:
    """Until the load's writing transaction is open (it holds the load lock from its first statement)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if open_loads(graph):
            return
        time.sleep(0.01)
    raise AssertionError("the load never started writing")


def test_a_killed_load_leaves_nothing_and_a_rerun_completes(base_graph: Graph, neo4j_cfg: Config,
                                                            tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    n_nodes, n_rels = big_dataset(big)
    before, before_counts = fingerprint(base_graph), counts(base_graph)
    proc = subprocess.Popen([str(WBKG), "load", "-q", str(big)], cwd=ROOT, env=cli_env(neo4j_cfg),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_open_write(base_graph)
        assert proc.poll() is None  # killed while its transaction is writing
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # the server notices the dropped connection and rolls the transaction back
    deadline = time.monotonic() + 60
    while open_loads(base_graph) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fingerprint(base_graph) == before
    assert base_graph.rows("MATCH (n:Firm) WHERE n.id STARTS WITH 'big-' RETURN count(n) AS c") == [{"c": 0}]

    done = wbkg(["load", "-q", str(big)], cli_env(neo4j_cfg), timeout=600)
    assert done.returncode == 0, done.stderr
    assert counts(base_graph) == (before_counts[0] + n_nodes, before_counts[1] + n_rels)
    graph_cleanup = "MATCH (n:Entity) WHERE n.id STARTS WITH 'big-' OR n.id IN ['src-big', 'state-big'] DETACH DELETE n"
    base_graph.rows(graph_cleanup, write=True)
    # the re-run left its record
    assert base_graph.rows("MATCH (r:LoadRecord {dataset: 'big'}) RETURN r.created AS created, r.removed AS removed"
                           ) == [{"created": n_nodes + n_rels, "removed": 0}]
    base_graph.rows("MATCH (r:LoadRecord {dataset: 'big'}) DELETE r", write=True)
    assert fingerprint(base_graph) == before


def test_a_load_whose_server_stops_leaves_nothing_and_a_rerun_completes(tmp_path: Path) -> None:
    """Stop the server (cleanly, as 'wbkg neo4j stop' does) while a load is writing, on a private instance."""
    import os

    from wbkg.config import load_config
    from wbkg.graph.server import LocalServer

    env, bolt, http = private_server_env(tmp_path)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        server = LocalServer(load_config(), say=lambda _: None)
        server.install()
        server.start()  # started in this process, so that this process reaps the JVM
        cfg = load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    env.update(NEO4J_URI=cfg.uri, NEO4J_PASSWORD=cfg.password or "")
    big = tmp_path / "big.yaml"
    n_nodes, n_rels = big_dataset(big)
    try:
        with Graph(cfg) as graph:
            load(graph, validate_paths([ROOT / VALID], cfg.base_iri), progress=False)
            before, before_counts = fingerprint(graph), counts(graph)
            proc = subprocess.Popen([str(WBKG), "load", "-q", str(big)], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                wait_for_open_write(graph)
                assert proc.poll() is None
                server.stop()
            finally:
                _, err = proc.communicate(timeout=180)
        assert proc.returncode == 3, err
        assert "Traceback" not in err
        assert err.splitlines()[-1].startswith("error: Neo4j")
        server.start()
        with Graph(cfg) as graph:
            assert fingerprint(graph) == before
            assert graph.rows("MATCH (n:Firm) WHERE n.id STARTS WITH 'big-' RETURN count(n) AS c") == [{"c": 0}]
            done = wbkg(["load", "-q", str(big)], env, timeout=600)
            assert done.returncode == 0, done.stderr
            assert counts(graph) == (before_counts[0] + n_nodes, before_counts[1] + n_rels)
    finally:
        server.stop()


# -- 5. secrets ----------------------------------------------------------------------------------------

def test_the_password_is_never_printed(base_graph: Graph, neo4j_cfg: Config) -> None:
    password = neo4j_cfg.password
    assert password and len(password) >= 8
    env = cli_env(neo4j_cfg)
    outputs = [wbkg(args, env) for args in (["doctor"], ["neo4j", "status"], ["--help"], ["load", "--help"],
                                             ["load", str(VALID)], ["query", "run", "--help"])]
    wrong = dict(env, NEO4J_PASSWORD=password[::-1])
    outputs.append(wbkg(["load", "-q", str(VALID)], wrong))
    assert outputs[4].returncode == 0, outputs[4].stderr
    assert outputs[-1].returncode == 3
    for proc in outputs:
        assert password not in proc.stdout + proc.stderr
        assert password[::-1] not in proc.stdout + proc.stderr
    assert password not in repr(neo4j_cfg)


def test_no_credential_is_committed(neo4j_cfg: Config) -> None:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    literal = re.compile(r"NEO4J_AUTH\s*[=:]\s*[\"']?neo4j/(?!\$\{?NEO4J_PASSWORD)")
    offenders = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if (neo4j_cfg.password and neo4j_cfg.password in text) or literal.search(text):
            offenders.append(name)
    assert offenders == []


def test_compose_publishes_on_loopback_only_with_auth() -> None:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = doc["services"]
    ports = [p for svc in services.values() for p in svc.get("ports", [])]
    assert ports
    for p in ports:
        spec = p if isinstance(p, str) else f"{p.get('host_ip', '')}:{p.get('published')}:{p.get('target')}"
        assert spec.startswith("127.0.0.1:"), spec
    for svc in services.values():
        env = svc.get("environment", {})
        auth = env.get("NEO4J_AUTH") if isinstance(env, dict) else next(
            (e.split("=", 1)[1] for e in env if e.startswith("NEO4J_AUTH=")), None)
        if auth is not None:
            assert auth != "none"
            assert "${NEO4J_PASSWORD" in auth


def listening(port: int) -> set[str]:
    """Local addresses listening on TCP ``port`` (from /proc/net/tcp and tcp6)."""
    out: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                out.add(addr)
    return out


def test_the_local_server_listens_on_loopback_only_with_auth(neo4j_cfg: Config) -> None:
    from urllib.parse import urlsplit

    host, port = urlsplit(neo4j_cfg.uri).hostname, urlsplit(neo4j_cfg.uri).port
    if host not in ("127.0.0.1", "localhost") or port is None:
        pytest.fail(f"the test server at {neo4j_cfg.uri} is not local; this test needs a local one")
    # 0100007F: 127.0.0.1 in /proc/net/tcp; the IPv6 form is ::ffff:127.0.0.1
    assert listening(port) and listening(port) <= {"0100007F", "0000000000000000FFFF00000100007F"}
    cfg = Config(uri=neo4j_cfg.uri, user=neo4j_cfg.user, password="definitely-wrong", database=neo4j_cfg.database)
    with Graph(cfg) as g, pytest.raises(ConnectionError):
        g.rows("RETURN 1")


def test_progress_output_has_no_password(base_graph: Graph, neo4j_cfg: Config) -> None:
    proc = wbkg(["load", str(VALID)], cli_env(neo4j_cfg))
    assert proc.returncode == 0, proc.stderr
    assert neo4j_cfg.password and neo4j_cfg.password not in proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0] == "loaded 4 nodes and 2 relationships into neo4j"
