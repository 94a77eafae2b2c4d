"""A real Neo4j for the tests, found or started once per session; never mocked, never skipped.

Three ways, in this order:
  1. NEO4J_URI is set: use that server (with NEO4J_PASSWORD or the config file).
  2. A Docker engine with compose answers: pytest-docker runs docker-compose.yml (host ports 17687/17474).
  3. Otherwise the local server (``graph.server.LocalServer``) from the test-only home
     ``<repo>/.wbkg/test-server`` on ports 17687 (Bolt) and 17474 (HTTP), so a user's demo server is
     never touched. It is installed (jars reused from ~/.m2) and started if needed, and stopped at the
     end only if a test session started it (and no other test session still uses it).

The session sets NEO4J_URI, NEO4J_PASSWORD, WBKG_HOME and the port variables in os.environ, so CLI
subprocesses and CliRunner calls reach the same server. A database holding nodes that the tests did not
create (no ``:WbkgTestMarker`` node) is never wiped: the session fails instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn
from urllib.parse import urlsplit

import neo4j
import pytest
from neo4j import exceptions as nx

from wbkg.browser.plugin import install_for
from wbkg.config import Config, load_config
from wbkg.errors import WbkgError
from wbkg.graph.connection import Graph
from wbkg.graph.server import LocalServer, neo4j_version, pid_alive

REPO = Path(__file__).resolve().parents[1]
TEST_HOME = REPO / ".wbkg" / "test-server"
# Developers running several checkouts at once give each its own ports.
TEST_BOLT_PORT = int(os.environ.get("WBKG_TEST_BOLT_PORT", "17687"))
TEST_HTTP_PORT = int(os.environ.get("WBKG_TEST_HTTP_PORT", "17474"))
COMPOSE_FILE = REPO / "docker-compose.yml"
MARKER = "WbkgTestMarker"


@dataclass(frozen=True)
class Neo4jTarget:
    """The server the session uses and how it was obtained."""

    how: str  # "environment", "docker" or "local"
    description: str
    uri: str
    http_url: str  # http://host:port, no trailing slash
    expected_version: str | None  # exact version when the session chose the server, else None
    pid: int | None  # the JVM's pid for the local server


_SUMMARY: list[str] = []


def _three_ways(reason: str) -> str:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    return (
        f"no Neo4j for the tests: {reason}\n"
        "The tests need a real Neo4j 5 and never skip; provide it one of three ways:\n"
        "  1. set NEO4J_URI (and NEO4J_PASSWORD) to a running Neo4j 5 server;\n"
        "  2. run a Docker engine with 'docker compose': the suite starts docker-compose.yml;\n"
        f"  3. install Java 17+ and Maven (scripts/system-deps.sh): the suite installs and starts a local\n"
        f"     server in {TEST_HOME} on ports {TEST_BOLT_PORT}/{TEST_HTTP_PORT}."
        + ("\n(CI=true: the CI machine must provide one of these.)" if ci else "")
    )


def _tell(request: pytest.FixtureRequest, msg: str) -> None:
    """Print past pytest's output capture (progress a developer should see while waiting)."""
    capman = request.config.pluginmanager.getplugin("capturemanager")
    with capman.global_and_fixture_disabled() if capman else contextlib.nullcontext():
        print(f"\n{msg}", file=sys.stderr, flush=True)


def _fail(problem: str) -> NoReturn:
    """Fail the session's setup (outside any except block, so with no chained traceback)."""
    pytest.fail(_three_ways(problem), pytrace=False)


def _docker_works() -> bool:
    if not shutil.which("docker"):
        return False
    for cmd in (["docker", "info"], ["docker", "compose", "version"]):
        try:
            if subprocess.run(cmd, capture_output=True, timeout=20).returncode != 0:
                return False
        except (OSError, subprocess.TimeoutExpired):
            return False
    return True


def _compose_image_version() -> str:
    m = re.search(r"image:\s*neo4j:(\d+\.\d+\.\d+)", COMPOSE_FILE.read_text(encoding="utf-8"))
    assert m, f"{COMPOSE_FILE}: no pinned neo4j image"
    return m.group(1)


def _wait_for_login(cfg: Config, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with neo4j.GraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password or ""),
                                            connection_timeout=10.0) as d:
                d.execute_query("RETURN 1", database_=cfg.database)
            return
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            if isinstance(e, nx.AuthError) or time.monotonic() > deadline:
                raise
            time.sleep(1.0)


@contextlib.contextmanager
def _sessions_lock() -> Iterator[Path]:
    """Serialise test sessions sharing the test home; yields the folder of live session files."""
    users = TEST_HOME / "sessions"
    users.mkdir(parents=True, exist_ok=True)
    with open(TEST_HOME / "sessions.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            for entry in users.iterdir():  # forget sessions that died without cleaning up
                if not entry.name.isdigit() or not pid_alive(int(entry.name)):
                    entry.unlink(missing_ok=True)
            yield users
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _exclusive_use(notify: Callable[[str], None]) -> IO[str]:
    """Hold the in-use lock: one test session at a time uses the test ports and database (tests wipe
    it); others wait here. Closing the returned file releases it (so does the process ending)."""
    TEST_HOME.mkdir(parents=True, exist_ok=True)
    use = open(TEST_HOME / "in-use.lock", "w")  # held (flock) for the whole session
    try:
        fcntl.flock(use, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        notify(f"waiting for another test session to finish with the test server in {TEST_HOME} ...")
        fcntl.flock(use, fcntl.LOCK_EX)
    return use


def _start_local(mp: pytest.MonkeyPatch, notify: Callable[[str], None]) -> Iterator[Neo4jTarget]:
    mp.setenv("WBKG_HOME", str(TEST_HOME))
    mp.setenv("WBKG_CONFIG", str(TEST_HOME / "no-config.toml"))  # a user's config file must not leak in
    mp.setenv("WBKG_NEO4J_BOLT_PORT", str(TEST_BOLT_PORT))
    mp.setenv("WBKG_NEO4J_HTTP_PORT", str(TEST_HTTP_PORT))
    mp.delenv("NEO4J_PASSWORD", raising=False)  # the test home has its own generated password
    mp.delenv("NEO4J_USER", raising=False)
    mp.delenv("NEO4J_DATABASE", raising=False)
    started_marker = TEST_HOME / "started-by-tests"
    me = str(os.getpid())
    with _sessions_lock() as users:  # announce this session, so that none stops the server under it
        (users / me).touch()
    use = _exclusive_use(notify)
    try:
        started_here = False
        try:
            with _sessions_lock():
                server = LocalServer(load_config())
                server.install()
                if not server.status().running:
                    install_for(server)  # the Browser guide and style, served by the server (browser/plugin.py)
                    server.start()
                    started_marker.touch()
                    started_here = True
                cfg = load_config()
        except WbkgError as e:
            problem = f"the local server in {TEST_HOME} failed: {e}"
        else:
            problem = None
        if problem:
            _fail(problem)
        mp.setenv("NEO4J_URI", cfg.uri)
        if cfg.password:
            mp.setenv("NEO4J_PASSWORD", cfg.password)
        how = "started by this test session" if started_here else "already running"
        try:
            yield Neo4jTarget(
                how="local",
                description=f"local server ({how}) in {TEST_HOME}",
                uri=cfg.uri,
                http_url=f"http://127.0.0.1:{TEST_HTTP_PORT}",
                expected_version=neo4j_version(),
                pid=server.status().pid,
            )
        finally:
            # Stop it only if a test session started it and no other test session is waiting for it.
            with _sessions_lock() as users:
                (users / me).unlink(missing_ok=True)
                if started_marker.exists() and not any(users.iterdir()):
                    server.stop()
                    started_marker.unlink(missing_ok=True)
    finally:
        with _sessions_lock() as users:
            (users / me).unlink(missing_ok=True)
        use.close()  # releases the in-use lock


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(COMPOSE_FILE)


@pytest.fixture(scope="session")
def docker_cleanup() -> str:
    """Empty: neo4j_server runs 'down -v' itself, before it lets the next test session in."""
    return ""


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest) -> Iterator[Neo4jTarget]:
    """The one real Neo4j of this test session (see the module docstring)."""
    mp = pytest.MonkeyPatch()
    gen: Iterator[Neo4jTarget] | None = None
    use: IO[str] | None = None
    project: str | None = None
    try:
        if os.environ.get("NEO4J_URI"):
            cfg = load_config()
            host = urlsplit(cfg.uri).hostname or "127.0.0.1"
            target: Neo4jTarget | None = Neo4jTarget(
                how="environment", description=f"NEO4J_URI from the environment ({cfg.uri})", uri=cfg.uri,
                http_url=f"http://{host}:{cfg.http_port}", expected_version=None, pid=None)
        elif _docker_works():
            # Plain os.environ, kept to the end: compose needs NEO4J_PASSWORD and the ports to read
            # docker-compose.yml, down to the last 'down -v'.
            os.environ.update(
                WBKG_HOME=str(TEST_HOME), WBKG_CONFIG=str(TEST_HOME / "no-config.toml"),
                WBKG_NEO4J_BOLT_PORT=str(TEST_BOLT_PORT), WBKG_NEO4J_HTTP_PORT=str(TEST_HTTP_PORT),
                NEO4J_PASSWORD=os.environ.get("NEO4J_PASSWORD") or secrets.token_urlsafe(18),
                NEO4J_URI=f"bolt://127.0.0.1:{TEST_BOLT_PORT}",
                WBKG_NEO4J_AUTH_FILE=str(TEST_HOME / "docker-neo4j-auth"),
            )
            # the compose file's Docker secret (NEO4J_AUTH_FILE), readable by this user only
            TEST_HOME.mkdir(parents=True, exist_ok=True)
            auth = TEST_HOME / "docker-neo4j-auth"
            auth.touch(mode=0o600)
            auth.write_text(f"neo4j/{os.environ['NEO4J_PASSWORD']}", encoding="utf-8")
            use = _exclusive_use(lambda msg: _tell(request, msg))
            project = request.getfixturevalue("docker_compose_project_name")
            try:
                request.getfixturevalue("docker_services")  # docker compose up --build --wait
            except Exception as e:  # pytest-docker raises a bare Exception with compose's output
                problem = f"docker compose could not start {COMPOSE_FILE.name}: {e}"
            else:
                problem = None
            if problem:
                _fail(problem)
            target = Neo4jTarget(
                how="docker", description=f"Docker ({COMPOSE_FILE.name} via pytest-docker)",
                uri=f"bolt://127.0.0.1:{TEST_BOLT_PORT}", http_url=f"http://127.0.0.1:{TEST_HTTP_PORT}",
                expected_version=_compose_image_version(), pid=None)
        else:
            gen = _start_local(mp, lambda msg: _tell(request, msg))
            target = next(gen)
        assert target is not None
        cfg = load_config()
        try:
            _wait_for_login(cfg)
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            problem = f"{target.description} did not accept a login ({type(e).__name__}: {e})"
        else:
            problem = None
        if problem:
            _fail(problem)
        _guard_and_mark(cfg)
        with Graph(cfg) as g:
            info = g.verify()
        _SUMMARY.append(f"Neo4j for the tests: {info['version']} {info['edition']} at {cfg.uri}, "
                        f"{target.description}")
        yield target
    finally:
        if gen is not None:
            gen.close()  # runs _start_local's clean-up: stops the server if a test session started it
        if project is not None:  # down before the next session may bring up the same ports
            subprocess.run(["docker", "compose", "-f", str(COMPOSE_FILE), "-p", project, "down", "-v"],
                           capture_output=True, timeout=300)
        if use is not None:
            use.close()
        mp.undo()


def _guard_and_mark(cfg: Config) -> None:
    """Refuse to run against data the tests did not create; otherwise make sure the marker exists."""
    with Graph(cfg) as g:
        row = g.rows(f"MATCH (n) RETURN count(n) AS nodes, count(CASE WHEN n:{MARKER} THEN 1 END) AS markers")[0]
        if row["nodes"] and not row["markers"]:
            pytest.fail(
                f"refusing to use Neo4j at {cfg.uri}: database {cfg.database!r} holds {row['nodes']} nodes and "
                f"no :{MARKER} node, so the tests did not create them and will not wipe them. Point NEO4J_URI "
                "at an empty test database (or unset it to let the suite start its own server).",
                pytrace=False,
            )
        if not row["markers"]:
            g.rows(f"CREATE (:{MARKER} {{created: datetime()}})", write=True)


@pytest.fixture(scope="session")
def neo4j_cfg(neo4j_server: Neo4jTarget) -> Config:
    """The configuration every test and CLI call of this session uses."""
    return load_config()


@pytest.fixture(scope="session")
def graph_db(neo4j_cfg: Config) -> Iterator[Graph]:
    g = Graph(neo4j_cfg)
    yield g
    g.close()


@pytest.fixture
def clean_db(graph_db: Graph) -> Graph:
    """The session's graph with every node and relationship removed, except the test marker."""
    graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)
    return graph_db


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(line)
