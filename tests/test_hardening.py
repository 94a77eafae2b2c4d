"""Hostile and broken input to the CLI: read scripts that try to reach the network or other sessions, numbers
and timeouts out of range, outputs that cannot be written, misdirected connections. Each case gets one line
naming the fix and the documented exit code (README, "Errors and exit codes"), never a traceback, and the
graph is unchanged.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import secrets
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from helpers import free_port
from test_bad_input import ROOT, VALID, WBKG, cli_env, fingerprint, wipe

from wbkg.config import Config
from wbkg.errors import QueryError
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.queries.registry import parse_query
from wbkg.rdf.validate import validate_paths

HINT = "; mark the script 'mode: write' to allow it"
LOAD_CSV = f"LOAD CSV makes the server read a file or fetch a URL, which a read script may not do{HINT}"
TERMINATE = f"TERMINATE TRANSACTIONS ends other sessions' work, which a read script may not do{HINT}"
PROCS = "(read scripts may call db.labels, db.schema.* and the index queries)"


def wbkg(args: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run the installed ``wbkg``; stdout and stderr captured unless ``stdout`` is given."""
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([str(WBKG), *args], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, timeout=300,
                          **kw)  # type: ignore[call-overload]


def script(tmp_path: Path, body: str, mode: str = "read", params: str = "", name: str = "s.cypher") -> Path:
    path = tmp_path / name
    path.write_text(f"// name: s\n{params}// mode: {mode}\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base_graph(graph_db: Graph, neo4j_cfg: Config) -> Iterator[Graph]:
    wipe(graph_db)
    load(graph_db, validate_paths([ROOT / VALID], neo4j_cfg.base_iri), progress=False)
    yield graph_db
    wipe(graph_db)


# -- read scripts cannot reach the network, other sessions or the server's administration -----------------------

@pytest.mark.parametrize(("body", "problems"), [
    ("LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS r RETURN r", [(3, LOAD_CSV)]),
    ("load\n  /* spaced out */ csv WITH HEADERS from 'file:///etc/passwd' AS r RETURN r", [(3, LOAD_CSV)]),
    ("RETURN 1 AS one;\n// next\nLOAD CSV FROM 'http://x/' AS r RETURN r", [(5, LOAD_CSV)]),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", [(3, TERMINATE)]),
    ("SHOW TRANSACTIONS YIELD transactionId AS t\nTERMINATE TRANSACTIONS t", [(4, TERMINATE)]),
    ("CALL dbms.killQuery('q')", [(3, f"CALL dbms.killQuery is an administration procedure, which a read script "
                                     f"may not run{HINT} {PROCS}")]),
    ("CALL `dbms`.`security`.createUser('x', 'y', false)",
     [(3, f"CALL dbms.security.createUser is an administration procedure, which a read script may not run{HINT} "
          f"{PROCS}")]),
    ("CALL db.clearQueryCaches()", [(3, f"CALL db.clearQueryCaches is not a known read-only procedure, which a "
                                        f"read script may not run{HINT} {PROCS}")]),
    ("CALL apoc.load.json('http://x/')", [(3, f"CALL apoc.load.json is not a known read-only procedure, which a "
                                              f"read script may not run{HINT} {PROCS}")]),
    ("ALTER USER neo4j SET PASSWORD 'x'", [(3, f"ALTER USER is an administration command, which a read script may "
                                               f"not run{HINT}")]),
    ("USE system CREATE OR REPLACE USER bob SET PASSWORD 'x'",
     [(3, f"CREATE USER is an administration command, which a read script may not run{HINT}")]),
])
def test_a_read_script_that_fetches_or_administers_is_refused(tmp_path: Path, body: str,
                                                              problems: list[tuple[int, str]]) -> None:
    path = script(tmp_path, body)
    with pytest.raises(QueryError) as e:
        parse_query(path)
    assert str(e.value).splitlines() == [f"{path}:{line}: {message}" for line, message in problems]
    parse_query(script(tmp_path, body, mode="write"))  # the same script, marked write, parses


@pytest.mark.parametrize("body", [
    "RETURN 'LOAD CSV FROM x; TERMINATE TRANSACTIONS' AS s // CALL dbms.killQuery('x')",
    "MATCH (n) WHERE n.`load` = 'csv' RETURN n.call AS c, n.terminate AS t /* LOAD CSV */",
    "MATCH (c:Entity) CALL (c) { RETURN c.id AS id } RETURN id",
    "CALL db.labels() YIELD label RETURN label",
    "MATCH (deny:Claim) RETURN deny.alter AS alter",
])
def test_the_words_in_strings_comments_and_names_are_not_refused(tmp_path: Path, body: str) -> None:
    assert parse_query(script(tmp_path, body)).mode == "read"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        _Recorder.requests.append(self.path)
        body = b"a\n1\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def test_load_csv_in_a_read_script_never_reaches_the_url(base_graph: Graph, neo4j_cfg: Config,
                                                         tmp_path: Path) -> None:
    """A loopback HTTP server records requests: the read script is refused before it runs; the same script
    marked 'mode: write' does fetch (so the refusal, not the server, is what kept the URL unread)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.requests.clear()
    url = f"http://127.0.0.1:{server.server_address[1]}/secret.csv"
    before = fingerprint(base_graph)
    try:
        read = script(tmp_path, f"LOAD CSV WITH HEADERS FROM '{url}' AS r RETURN r.a AS a", name="read.cypher")
        proc = wbkg(["query", "run", "--file", str(read), "--format", "csv"], cli_env(neo4j_cfg))
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"error: {read}:3: {LOAD_CSV}\n")
        assert _Recorder.requests == []
        write = script(tmp_path, f"LOAD CSV WITH HEADERS FROM '{url}' AS r RETURN r.a AS a", mode="write",
                       name="write.cypher")
        proc = wbkg(["query", "run", "--file", str(write), "--format", "csv"], cli_env(neo4j_cfg))
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "a\n1\n", "")
        assert _Recorder.requests == ["/secret.csv"]
    finally:
        server.shutdown()
        server.server_close()
    assert fingerprint(base_graph) == before


def test_terminate_transactions_in_a_read_script_is_refused(base_graph: Graph, neo4j_cfg: Config,
                                                            tmp_path: Path) -> None:
    path = script(tmp_path, "SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t")
    proc = wbkg(["query", "run", "--file", str(path)], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"error: {path}:3: {TERMINATE}\n")


# -- numbers, dates and timeouts out of range ---------------------------------------------------------------------

INT = "must be an integer from -9223372036854775808 to 9223372036854775807 (64 bits)"


@pytest.mark.parametrize(("args", "message"), [
    (["neighbourhood", "-p", "entity", "acme", "-p", "depth", str(2**64)],
     f"parameter 'depth' {INT}, got '18446744073709551616'"),
    (["neighbourhood", "-p", "entity", "acme", "-p", "depth", "9" * 5000],
     f"parameter 'depth' {INT}, got '{'9' * 40}'..."),
    (["neighbourhood", "-p", "entity", "acme", "-p", "depth", "２"],
     "parameter 'depth' must be an integer in ASCII digits, got '２'"),
    (["neighbourhood", "-p", "entity", "acme", "-p", "depth", "1_0"],
     "parameter 'depth' must be an integer, got '1_0'"),
    (["timeline", "-p", "country", "RS", "-p", "from", "２０２０"],
     "parameter 'from' must be written in ASCII digits (0-9), got '２０２０'"),
    (["timeline", "-p", "country", "RS", "-p", "to", "٢٠٢٠-٠١"],
     "parameter 'to' must be written in ASCII digits (0-9), got '٢٠٢٠-٠١'"),
    *[(["neighbourhood", "-p", "entity", "acme", "--timeout", t],
       f"--timeout must be a number of seconds above 0 and at most 604800 (a week), got {shown}")
      for t, shown in (("nan", "nan"), ("inf", "inf"), ("1e300", "1e+300"), ("0", "0.0"), ("-5", "-5.0"))],
])
def test_out_of_range_values_are_one_line_exit_2(base_graph: Graph, neo4j_cfg: Config, args: list[str],
                                                 message: str) -> None:
    proc = wbkg(["query", "run", *args], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"error: {message}\n")


def test_a_header_default_beyond_64_bits(tmp_path: Path, neo4j_cfg: Config) -> None:
    params = f"// params:\n//   - {{name: n, type: integer, default: '{2**63}'}}\n"
    path = script(tmp_path, "RETURN $n AS n", params=params)
    proc = wbkg(["query", "run", "--file", str(path)], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", f"error: {path}:3: default: parameter 'n' {INT}, got '9223372036854775808'\n")


def test_float_parameters_are_finite(tmp_path: Path, base_graph: Graph, neo4j_cfg: Config) -> None:
    path = script(tmp_path, "RETURN $x AS x", params="// params:\n//   - {name: x, type: float}\n")
    for value in ("nan", "inf", "1e400", "1,5"):
        proc = wbkg(["query", "run", "--file", str(path), "-p", "x", value], cli_env(neo4j_cfg))
        assert (proc.returncode, proc.stderr) == (2, f"error: parameter 'x' must be a finite float, got '{value}'\n")
    proc = wbkg(["query", "run", "--file", str(path), "-p", "x", "-1.5e3", "--format", "csv"], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout) == (0, "x\n-1500.0\n")


def test_undecodable_bytes_in_a_parameter(base_graph: Graph, neo4j_cfg: Config) -> None:
    proc = subprocess.run([str(WBKG), "query", "run", "neighbourhood", "-p", "entity", b"acme\xff"], cwd=ROOT,
                          env=cli_env(neo4j_cfg), capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", "error: parameter 'entity' is not valid UTF-8 text; pass it in UTF-8\n")


# -- outputs that cannot be written -----------------------------------------------------------------------------

def test_export_onto_a_directory_is_refused_before_the_export(base_graph: Graph, neo4j_cfg: Config,
                                                              tmp_path: Path) -> None:
    proc = wbkg(["export", "rdf", "-q", "-o", str(tmp_path)], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", f"error: {tmp_path} is a directory: name a file in it, e.g. -o {tmp_path / 'wbkg.ttl'}\n")
    assert list(tmp_path.iterdir()) == []
    # refused before connecting: the same with no server at all
    down = dict(cli_env(neo4j_cfg), NEO4J_URI=f"bolt://127.0.0.1:{free_port()}")
    assert wbkg(["export", "rdf", "-q", "-f", "nt", "-o", str(tmp_path)], down).stderr == (
        f"error: {tmp_path} is a directory: name a file in it, e.g. -o {tmp_path / 'wbkg.nt'}\n")


def test_export_to_a_missing_directory(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.ttl"
    proc = wbkg(["export", "rdf", "-q", "-o", str(target)], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", f"error: cannot write {target}: {target.parent} does not exist; create the directory first or "
               "write elsewhere\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["nt", "turtle"])
def test_export_to_dev_full(base_graph: Graph, neo4j_cfg: Config, fmt: str) -> None:
    proc = wbkg(["export", "rdf", "-q", "-f", fmt, "-o", "/dev/full"], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "error: cannot write /dev/full: No space left on device; free some space or write elsewhere\n")
    with open("/dev/full", "wb") as full:
        proc = wbkg(["export", "rdf", "-q", "-f", fmt], cli_env(neo4j_cfg), stdout=full)
    assert (proc.returncode, proc.stderr) == (
        1, "error: cannot write the output: No space left on device; free some space or write elsewhere\n")


def _small_disk() -> None:
    """In the child: files may not grow past 2 kB, as on a disk that is full (EFBIG instead of ENOSPC)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def test_export_onto_a_full_disk_leaves_no_file(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    proc = wbkg(["export", "rdf", "-q", "-f", "nt", "-o", str(target)], cli_env(neo4j_cfg), preexec_fn=_small_disk)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", f"error: cannot write {target}: File too large; free some space or write elsewhere\n")
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .partial


def test_query_results_to_dev_full_and_to_a_closed_pipe(base_graph: Graph, neo4j_cfg: Config,
                                                        tmp_path: Path) -> None:
    path = script(tmp_path, "UNWIND range(1, 100000) AS i RETURN i")
    for fmt in ("csv", "json", "table"):
        with open("/dev/full", "wb") as full:
            proc = wbkg(["query", "run", "--file", str(path), "--format", fmt], cli_env(neo4j_cfg), stdout=full)
        assert (proc.returncode, proc.stderr) == (
            1, "error: cannot write the output: No space left on device; free some space or write elsewhere\n")
    with open("/dev/full", "wb") as full:
        proc = wbkg(["query", "list"], cli_env(neo4j_cfg), stdout=full)
    assert (proc.returncode, proc.stderr) == (
        1, "error: cannot write the output: No space left on device; free some space or write elsewhere\n")
    # a reader that stops early (| head -2): a quiet stop, exit 141 as for any writer whose pipe closed
    run = subprocess.Popen([str(WBKG), "query", "run", "--file", str(path), "--format", "csv"], cwd=ROOT,
                           env=cli_env(neo4j_cfg), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stderr is not None
    assert [run.stdout.readline(), run.stdout.readline()] == [b"i\n", b"1\n"]
    run.stdout.close()
    assert (run.wait(timeout=120), run.stderr.read()) == (141, b"")


# -- results stream --------------------------------------------------------------------------------------------

def test_csv_rows_are_written_as_they_arrive(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    """A query cancelled by its time limit has already written its first rows: they were not held back."""
    path = script(tmp_path, "UNWIND range(1, 2000000000) AS i RETURN i")
    proc = wbkg(["query", "run", "--file", str(path), "--format", "csv", "--timeout", "3"], cli_env(neo4j_cfg))
    assert proc.returncode == 2
    assert proc.stderr == ("error: the query ran past its time limit and was cancelled; raise --timeout or "
                           "narrow it\n")
    lines = proc.stdout.splitlines()
    assert len(lines) > 1000
    assert lines[:-1] == ["i", *map(str, range(1, len(lines) - 1))]  # the last line may be cut mid-row


def test_json_stream_is_what_json_dumps_gives(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path) -> None:
    path = script(tmp_path, "UNWIND range(1, 3) AS i RETURN i, 'é' + i AS s, [i, {k: i}] AS l")
    proc = wbkg(["query", "run", "--file", str(path), "--format", "json"], cli_env(neo4j_cfg))
    rows = [{"i": i, "s": f"é{i}", "l": [i, {"k": i}]} for i in (1, 2, 3)]
    assert (proc.returncode, proc.stdout) == (0, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    empty = script(tmp_path, "UNWIND [] AS i RETURN i", name="empty.cypher")
    assert wbkg(["query", "run", "--file", str(empty), "--format", "json"], cli_env(neo4j_cfg)).stdout == "[]\n"
    several = script(tmp_path, "RETURN 1 AS a;\nUNWIND [] AS b RETURN b;\nRETURN 2 AS c, 3 AS d",
                     name="several.cypher")
    proc = wbkg(["query", "run", "--file", str(several), "--format", "json"], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout) == (0, json.dumps([[{"a": 1}], [], [{"c": 2, "d": 3}]], indent=2) + "\n")
    assert json.loads(proc.stdout) == [[{"a": 1}], [], [{"c": 2, "d": 3}]]


# -- misdirected connections ------------------------------------------------------------------------------------

def test_bolt_pointed_at_the_http_port(base_graph: Graph, neo4j_cfg: Config) -> None:
    port = int(os.environ["WBKG_NEO4J_HTTP_PORT"])
    env = dict(cli_env(neo4j_cfg), NEO4J_URI=f"bolt://127.0.0.1:{port}")
    proc = wbkg(["query", "run", "neighbourhood", "-p", "entity", "acme"], env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        3, "", f"error: NEO4J_URI bolt://127.0.0.1:{port} points at an HTTP port (the Neo4j Browser's), not at "
               "Bolt: use the Bolt port (7687 by default; 'wbkg neo4j status' shows the local server's)\n")


def test_the_right_password_after_three_wrong_ones(base_graph: Graph, neo4j_cfg: Config) -> None:
    """Neo4j locks a user for a few seconds after three failed logins; the fourth, right, login gets a
    connection error (exit 3) that says so. A user of its own, so that the session's user is never locked."""
    # a fresh name each run: Neo4j keeps a user's failure count (in memory) until a login succeeds
    user, password = f"wbkg-rate-limit-probe-{secrets.token_hex(4)}", "probe-password-0123"
    with neo4j.GraphDatabase.driver(neo4j_cfg.uri, auth=(neo4j_cfg.user, neo4j_cfg.password or "")) as d:
        d.execute_query(f"CREATE OR REPLACE USER `{user}` SET PASSWORD $p CHANGE NOT REQUIRED", {"p": password},
                        database_="system")
        try:
            env = dict(cli_env(neo4j_cfg), NEO4J_USER=user)
            for wrong in ("wrong-password-1", "wrong-password-2", "wrong-password-3"):
                proc = wbkg(["query", "run", "neighbourhood", "-p", "entity", "acme"], dict(env, NEO4J_PASSWORD=wrong))
                assert (proc.returncode, proc.stderr) == (
                    3, f"error: Neo4j at {neo4j_cfg.uri} refused the login for user '{user}': set NEO4J_PASSWORD "
                       "(or the config file) to the right password\n")
            proc = wbkg(["query", "run", "neighbourhood", "-p", "entity", "acme"], dict(env, NEO4J_PASSWORD=password))
            assert (proc.returncode, proc.stdout, proc.stderr) == (
                3, "", f"error: Neo4j at {neo4j_cfg.uri} is refusing logins for user '{user}' for a few seconds after "
                       "repeated wrong passwords: wait 5 seconds, then retry with the right NEO4J_PASSWORD\n")
        finally:
            d.execute_query(f"DROP USER `{user}` IF EXISTS", database_="system")


# -- text that cannot be stored ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_lone_surrogate_in_a_data_file(base_graph: Graph, neo4j_cfg: Config, tmp_path: Path, command: str) -> None:
    """YAML's "\\ud800" escape gives a lone surrogate, which UTF-8 (and so Neo4j) cannot carry: refused with
    file and line before anything is written, not a UnicodeEncodeError in the driver."""
    text = (ROOT / VALID / "base.yaml").read_text(encoding="utf-8")
    assert "    name: Acme Holdings\n" in text
    bad = tmp_path / "surrogate.yaml"
    bad.write_text(text.replace("    name: Acme Holdings\n", '    name: "Acme \\ud800 Holdings"\n'), encoding="utf-8")
    line = text[:text.index("    name: Acme Holdings\n")].count("\n") + 1
    before = fingerprint(base_graph)
    proc = wbkg([command, *(["-q"] if command == "load" else []), str(bad)], cli_env(neo4j_cfg))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", f"error: {bad}:{line}: the lone surrogate U+D800 is not a character (an escape such as \\ud800 "
               "in a quoted string?)\n"
               "error: 1 problem(s) in the data; nothing was written\n")
    assert fingerprint(base_graph) == before
