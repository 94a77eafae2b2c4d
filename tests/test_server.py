"""The Neo4j server the tests run against, and the local server's life cycle: real processes, no mocks."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import neo4j
import pytest
from conftest import Neo4jTarget
from helpers import free_port, private_server_env
from neo4j import exceptions as nx

from wbkg.config import Config, load_config
from wbkg.errors import ServerError
from wbkg.graph.server import LocalServer, neo4j_version, pid_alive

_SCRIPT = Path(sys.executable).parent / "wbkg"
WBKG = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from wbkg.cli import main; main()"]
DEAD_FIX = ("fix: start it with 'wbkg neo4j start' (or 'docker compose up -d'), "
            "or set NEO4J_URI to a running server")


def wbkg(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WBKG, *args], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else dict(os.environ))


def _decode_addr(hex_addr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    raw = bytes.fromhex(hex_addr)
    # /proc/net/tcp{,6} print each 32-bit word in host (little-endian) order
    fixed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(fixed)


def listening_sockets(pid: int | None = None) -> list[tuple[str, int]]:
    """(address, port) of TCP sockets in LISTEN state, of one process (by its fd inodes) or of all."""
    inodes: set[str] | None = None
    if pid is not None:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or (inodes is not None and inode not in inodes):
                continue
            addr_hex, port_hex = local.split(":")
            addr = _decode_addr(addr_hex)
            if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
                addr = addr.ipv4_mapped
            found.append((str(addr), int(port_hex, 16)))
    return sorted(found)


def _is_loopback(addr: str) -> bool:
    return ipaddress.ip_address(addr).is_loopback


# ----- the session's server -----


def test_browser_is_served(neo4j_server: Neo4jTarget) -> None:
    with urllib.request.urlopen(f"{neo4j_server.http_url}/browser/", timeout=30) as resp:
        assert resp.status == 200
        html = resp.read().decode("utf-8")
    assert "<title>Neo4j Browser</title>" in html


def test_discovery_document(neo4j_server: Neo4jTarget) -> None:
    req = urllib.request.Request(f"{neo4j_server.http_url}/", headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        doc = json.loads(resp.read())
    assert doc["neo4j_edition"] == "community"
    assert doc["neo4j_version"].startswith("5.26.")
    if neo4j_server.expected_version is not None:  # the session chose the server: exact values
        assert doc["neo4j_version"] == neo4j_server.expected_version
        assert doc["bolt_direct"] == neo4j_server.uri
        assert doc["bolt_routing"] == neo4j_server.uri.replace("bolt://", "neo4j://")


def test_login_with_configured_password_and_default_refused(neo4j_cfg: Config) -> None:
    assert neo4j_cfg.password
    with neo4j.GraphDatabase.driver(neo4j_cfg.uri, auth=(neo4j_cfg.user, neo4j_cfg.password)) as d:
        records = d.execute_query("RETURN 40 + 2 AS answer", database_=neo4j_cfg.database).records
    assert [r["answer"] for r in records] == [42]
    with pytest.raises(nx.AuthError) as e:
        with neo4j.GraphDatabase.driver(neo4j_cfg.uri, auth=("neo4j", "neo4j")) as d:
            d.verify_connectivity()
    assert e.value.code == "Neo.ClientError.Security.Unauthorized"


def test_listens_on_loopback_only(neo4j_server: Neo4jTarget, neo4j_cfg: Config) -> None:
    if neo4j_server.pid is not None:  # the local server: every socket the JVM listens on
        socks = listening_sockets(neo4j_server.pid)
        assert sorted(port for _, port in socks) == sorted([neo4j_cfg.bolt_port, neo4j_cfg.http_port])
        assert all(_is_loopback(addr) for addr, _ in socks), socks
    else:  # Docker publishes on the host: whoever listens on the two ports, only on loopback
        host = neo4j_cfg.uri.split("://", 1)[1].split(":")[0]
        ports = {int(neo4j_cfg.uri.rsplit(":", 1)[1]), int(neo4j_server.http_url.rsplit(":", 1)[1])}
        socks = [(a, p) for a, p in listening_sockets() if p in ports]
        if host in ("127.0.0.1", "localhost"):
            assert {p for _, p in socks} == ports
        assert all(_is_loopback(addr) for addr, _ in socks), socks


def test_doctor_all_ok(neo4j_server: Neo4jTarget, neo4j_cfg: Config) -> None:
    r = wbkg("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    checks = [line for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert [c.split(":")[0] for c in checks] == [
        "ok    java", "ok    maven", "ok    config", "ok    server", "ok    authentication", "ok    neo4j",
        "ok    database"]
    assert f"ok    server: reachable at {neo4j_cfg.uri}" in checks
    assert "ok    database: 'neo4j' exists and is online" in checks
    version = neo4j_server.expected_version
    assert any(c == f"ok    neo4j: {version} community" if version else c.startswith("ok    neo4j: 5.26.")
               for c in checks)
    assert f"        NEO4J_URI={neo4j_cfg.uri}" in r.stdout.splitlines()
    assert "        NEO4J_PASSWORD=(set, from " in r.stdout
    assert "fix:" not in r.stdout
    assert neo4j_cfg.password and neo4j_cfg.password not in r.stdout + r.stderr


def test_doctor_dead_port_gives_one_fix(neo4j_cfg: Config) -> None:
    port = free_port()
    r = wbkg("doctor", env={**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{port}"})
    assert r.returncode == 1
    fixes = [line for line in r.stdout.splitlines() if "fix:" in line]
    assert fixes == [f"FAIL  server: nothing answers at bolt://127.0.0.1:{port} (Connection refused). {DEAD_FIX}"]
    assert r.stdout.splitlines()[-3:] == [
        "skip  authentication: server not reachable",
        "skip  neo4j: server not reachable",
        "skip  database: server not reachable",
    ]
    assert neo4j_cfg.password and neo4j_cfg.password not in r.stdout + r.stderr


def test_doctor_wrong_password_gives_auth_fix(neo4j_cfg: Config) -> None:
    r = wbkg("doctor", env={**os.environ, "NEO4J_PASSWORD": "not-the-password-1"})
    assert r.returncode == 1
    fixes = [line for line in r.stdout.splitlines() if "fix:" in line]
    assert fixes == [
        "FAIL  authentication: Neo4j refused the login of user 'neo4j' with the password from environment "
        "NEO4J_PASSWORD. fix: set NEO4J_PASSWORD (or the config file) to the server's password"]
    assert "not-the-password-1" not in r.stdout + r.stderr


def test_session_local_server_status(neo4j_server: Neo4jTarget, neo4j_cfg: Config) -> None:
    r = wbkg("neo4j", "status")
    out = r.stdout + r.stderr
    assert neo4j_cfg.password and neo4j_cfg.password not in out
    if neo4j_server.how != "local":  # the session's server is not a local one; WBKG_HOME's may be anything
        assert r.returncode in (0, 3)
        assert r.stdout.splitlines()[0].startswith("Neo4j local server: ")
        return
    assert r.returncode == 0, out
    assert r.stdout.splitlines() == [
        f"Neo4j local server: running (pid {neo4j_server.pid})",
        f"  version: {neo4j_version()} community",
        f"  bolt:    bolt://127.0.0.1:{neo4j_cfg.bolt_port}",
        f"  browser: http://127.0.0.1:{neo4j_cfg.http_port}/browser/",
        f"  home:    {neo4j_cfg.home / 'neo4j'}",
    ]
    again = wbkg("neo4j", "start")
    assert again.returncode == 0
    assert again.stderr.splitlines() == [
        f"Neo4j is already running (pid {neo4j_server.pid}) at bolt://127.0.0.1:{neo4j_cfg.bolt_port}, "
        f"browser http://127.0.0.1:{neo4j_cfg.http_port}/browser/"]


# ----- a second, private instance: install, start, status, stop -----


def _jvms_of(home: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"--home-dir={home}".encode() in args:
            pids.append(int(entry.name))
    return pids


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def readable_by_others(root: Path) -> list[str]:
    """Files and folders under ``root`` that group or others may read, write or enter."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_symlink() and mode_of(p) & 0o077)


def test_second_instance_life_cycle(tmp_path: Path) -> None:
    """Install, start, status, stop in a private WBKG_HOME on free ports; afterwards no JVM remains."""
    env, bolt, http = private_server_env(tmp_path)
    home = tmp_path / "home" / "neo4j"

    r = wbkg("neo4j", "install", env=env, timeout=1800)
    assert r.returncode == 0, r.stderr
    password_file = tmp_path / "home" / "password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert (mode_of(tmp_path / "home"), mode_of(home)) == (0o700, 0o700)
    assert mode_of(home / "data" / "dbms" / "auth.ini") & 0o077 == 0
    assert readable_by_others(home) == []
    # a home made by an older wbkg (0755, auth.ini 0644) is tightened by the next start
    (tmp_path / "home").chmod(0o755)
    home.chmod(0o755)
    (home / "data" / "dbms" / "auth.ini").chmod(0o644)
    password = password_file.read_text(encoding="utf-8").strip()
    assert len(password) >= 24
    assert password not in r.stdout + r.stderr
    assert r.stderr.splitlines()[-1].startswith(f"installed Neo4j {neo4j_version()} Community in {home} in ")

    again = wbkg("neo4j", "install", env=env)
    assert again.returncode == 0
    assert again.stderr.splitlines() == [
        f"Neo4j {neo4j_version()} is already installed in {home}; nothing to do "
        "(start it with 'wbkg neo4j start')"]

    before = wbkg("neo4j", "status", env=env)
    assert before.returncode == 3
    assert before.stdout.splitlines()[0] == "Neo4j local server: stopped"

    old_env = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        cfg = load_config()
        said: list[str] = []
        server = LocalServer(cfg, say=said.append)
        with socket.socket() as squatter:  # something else holds the HTTP port: a clear refusal
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", http))
            squatter.listen()
            with pytest.raises(ServerError) as e:
                server.start()
        assert str(e.value).startswith(f"port {http} on 127.0.0.1 is already in use by another program")
        assert str(e.value).endswith("stop that program, or pick a free port with WBKG_NEO4J_HTTP_PORT=<port>")
        # started in this process (not via the CLI) so that this process reaps the JVM
        st = server.start()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    try:
        assert (st.running, st.version, st.edition, st.bolt_port, st.http_port) == (
            True, neo4j_version(), "community", bolt, http)
        assert st.pid is not None and pid_alive(st.pid)
        assert _jvms_of(home) == [st.pid]
        assert said[-1].startswith(f"Neo4j is up at bolt://127.0.0.1:{bolt} "
                                   f"(browser http://127.0.0.1:{http}/browser/) after ")
        assert not any(password in line for line in said)
        assert (home / "run" / "wbkg.pid").read_text().strip() == str(st.pid)
        assert (mode_of(tmp_path / "home"), mode_of(home)) == (0o700, 0o700)
        assert mode_of(home / "data" / "dbms" / "auth.ini") == 0o600
        assert readable_by_others(home) == []  # including what the running server wrote (umask 077)

        socks = listening_sockets(st.pid)
        assert sorted(p for _, p in socks) == sorted([bolt, http])
        assert all(_is_loopback(addr) for addr, _ in socks), socks

        status = wbkg("neo4j", "status", env=env)
        assert status.returncode == 0
        assert status.stdout.splitlines() == [
            f"Neo4j local server: running (pid {st.pid})",
            f"  version: {neo4j_version()} community",
            f"  bolt:    bolt://127.0.0.1:{bolt}",
            f"  browser: http://127.0.0.1:{http}/browser/",
            f"  home:    {home}",
        ]
        assert password not in status.stdout + status.stderr

        with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", auth=("neo4j", password)) as d:
            assert d.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        stop = wbkg("neo4j", "stop", env=env)
    assert stop.returncode == 0, stop.stderr
    assert stop.stderr.splitlines()[0] == f"stopping Neo4j (pid {st.pid})"
    assert stop.stderr.splitlines()[-1].startswith("stopped Neo4j in ")
    assert not pid_alive(st.pid)  # reaps it: this process was its parent
    assert not Path(f"/proc/{st.pid}").exists()
    assert _jvms_of(home) == []
    assert not (home / "run" / "wbkg.pid").exists()

    after = wbkg("neo4j", "status", env=env)
    assert after.returncode == 3
    assert after.stdout.splitlines()[0] == "Neo4j local server: stopped"
    twice = wbkg("neo4j", "stop", env=env)
    assert twice.returncode == 0
    assert twice.stderr.splitlines() == [f"Neo4j is not running (home {home}); nothing to stop"]


def test_a_password_that_looks_like_an_option(tmp_path: Path) -> None:
    """A password starting with '-' (a generated one does, one time in 64) is set as given, not read as an
    option of neo4j-admin; the server then accepts exactly that password."""
    env, bolt, _ = private_server_env(tmp_path)
    password = "-looks-like-an-option_0123456789"
    env["NEO4J_PASSWORD"] = password
    r = wbkg("neo4j", "install", env=env, timeout=1800)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-2] == "set the initial password of user 'neo4j' (password from environment " \
                                        "NEO4J_PASSWORD)"
    start = wbkg("neo4j", "start", env=env)
    try:
        assert start.returncode == 0, start.stderr
        with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", auth=("neo4j", password)) as d:
            assert d.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        stop = wbkg("neo4j", "stop", env=env)
    assert stop.returncode == 0, stop.stderr
    assert _jvms_of(tmp_path / "home" / "neo4j") == []
