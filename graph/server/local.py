"""The local Neo4j Community server of one ``$WBKG_HOME``: install, start, stop, status."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from neo4j import exceptions as nx

from wbkg.config import Config, load_config, local_bolt_uri, local_browser_url
from wbkg.errors import ServerError
from wbkg.graph.connection import open_driver
from wbkg.graph.server.install import ServerHome, private_dir, set_initial_password, write_conf, write_private
from wbkg.graph.server.process import (
    cmdline,
    file_lock,
    live_pids,
    pid_alive,
    port_open,
    port_owner,
    spawn_detached,
    terminate,
)
from wbkg.graph.server.toolchain import neo4j_version, read_classpath, require_java, resolve_classpath

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"
_SIZE = re.compile(r"^\d+[kmgKMG]?$")
_LOG_ROTATE_BYTES = 10 * 1024 * 1024
_RUN_HEADER = "---- wbkg: starting Neo4j at "


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _tail(path: Path, lines: int = 25) -> str:
    """The last lines the latest run wrote to the console log."""
    try:
        all_lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    starts = [i for i, line in enumerate(all_lines) if line.startswith(_RUN_HEADER)]
    run = all_lines[starts[-1] + 1:] if starts else all_lines
    return "\n".join(run[-lines:]) or "(the log is empty)"


@dataclass(frozen=True)
class ServerStatus:
    """What ``wbkg neo4j status`` reports."""

    installed: bool
    running: bool
    pid: int | None
    version: str | None
    edition: str | None
    bolt_port: int
    http_port: int
    home: Path

    @property
    def bolt_uri(self) -> str:
        return local_bolt_uri(self.bolt_port)

    @property
    def browser_url(self) -> str:
        return local_browser_url(self.http_port)


class LocalServer:
    """One local Neo4j server per ``$WBKG_HOME``; ports and password come from the configuration."""

    def __init__(self, cfg: Config | None = None, *, say: Callable[[str], None] = _stderr) -> None:
        self.cfg = cfg or load_config()
        self.heap_size = os.environ.get("WBKG_NEO4J_HEAP") or DEFAULT_HEAP
        self.pagecache_size = os.environ.get("WBKG_NEO4J_PAGECACHE") or DEFAULT_PAGECACHE
        for name, value in (("heap (WBKG_NEO4J_HEAP)", self.heap_size),
                            ("page cache (WBKG_NEO4J_PAGECACHE)", self.pagecache_size)):
            if not _SIZE.match(value):
                raise ServerError(f"{name} size {value!r} is not a size like 512m or 1g")
        self.say = say
        self.layout = ServerHome(self.cfg.home / "neo4j")
        self.home = self.layout.root
        self.conf_file = self.layout.conf_file
        self.log_file = self.layout.log_file
        self.pid_file = self.layout.pid_file
        self.auth_file = self.layout.auth_file

    # ----- public API -----

    def install(self) -> bool:
        """Resolve the server with Maven, write the configuration, set the initial password.

        Returns False (and says so) when everything was already in place.
        """
        with self._lock():
            have_cp = read_classpath(self.layout.classpath_file) is not None
            have_auth = self.auth_file.is_file()
            if have_cp and have_auth and self.conf_file.is_file():
                self.say(f"Neo4j {neo4j_version()} is already installed in {self.home}; nothing to do "
                         "(start it with 'wbkg neo4j start')")
                return False
            t0 = time.monotonic()
            java = require_java()
            self.layout.make_dirs()
            cp = read_classpath(self.layout.classpath_file) or resolve_classpath(self.layout.classpath_file, self.say)
            self._write_conf()
            if not have_auth:
                set_initial_password(self.layout, self.cfg, java, cp, self.say)
            self.layout.make_private(self.cfg.home)
            self.say(f"installed Neo4j {neo4j_version()} Community in {self.home} "
                     f"in {time.monotonic() - t0:.1f} s; start it with 'wbkg neo4j start'")
            return True

    def start(self, wait: bool = True, timeout: float = 180.0) -> ServerStatus:
        """Spawn the server detached; with ``wait``, return once Bolt accepts a login."""
        with self._lock():
            cp = read_classpath(self.layout.classpath_file)
            if cp is None or not self.conf_file.is_file():
                raise ServerError(f"the local Neo4j server is not installed in {self.home}: "
                                  "run 'wbkg neo4j install' first")
            pid = self._running_pid()
            if pid is not None:
                st = self.status()
                self.say(f"Neo4j is already running (pid {pid}) at {st.bolt_uri}, browser {st.browser_url}")
                return st
            java = require_java()
            for port, env in ((self.cfg.bolt_port, "WBKG_NEO4J_BOLT_PORT"),
                              (self.cfg.http_port, "WBKG_NEO4J_HTTP_PORT")):
                if port_open(port):
                    raise ServerError(
                        f"port {port} on 127.0.0.1 is already in use by another program{port_owner(port)}: "
                        f"stop that program, or pick a free port with {env}=<port>"
                    )
            self.layout.make_dirs()
            self._write_conf()
            self.layout.make_private(self.cfg.home)
            t0 = time.monotonic()
            pid = self._spawn(java, cp)
            self.say(f"starting Neo4j {neo4j_version()} (pid {pid}); log: {self.log_file}")
            if wait:
                self._wait_ready(pid, t0, timeout)
            return self.status()

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); False when it was not running."""
        with self._lock():
            pid = self._running_pid()
            if pid is None:
                self.pid_file.unlink(missing_ok=True)
                self.say(f"Neo4j is not running (home {self.home}); nothing to stop")
                return False
            t0 = time.monotonic()
            self.say(f"stopping Neo4j (pid {pid})")
            if not terminate(pid, timeout,
                                   on_kill=lambda: self.say(f"Neo4j did not stop within {timeout:.0f} s; killing it")):
                raise ServerError(f"could not stop Neo4j (pid {pid}): kill it with 'kill -9 {pid}'")
            self.pid_file.unlink(missing_ok=True)
            (self.layout.run_dir / "neo4j.pid").unlink(missing_ok=True)
            self.say(f"stopped Neo4j in {time.monotonic() - t0:.1f} s")
            return True

    def status(self) -> ServerStatus:
        """Whether it runs, its pid, version and edition (from the HTTP discovery document), its ports."""
        pid = self._running_pid()
        bolt_port, http_port = self.cfg.bolt_port, self.cfg.http_port
        version = edition = None
        if pid is not None:
            bolt_port, http_port = self._conf_ports() or (bolt_port, http_port)
            info = self.discovery(http_port)
            if info:
                version, edition = info.get("neo4j_version"), info.get("neo4j_edition")
        return ServerStatus(
            installed=read_classpath(self.layout.classpath_file) is not None and self.conf_file.is_file(),
            running=pid is not None,
            pid=pid,
            version=version,
            edition=edition,
            bolt_port=bolt_port,
            http_port=http_port,
            home=self.home,
        )

    @staticmethod
    def discovery(http_port: int, host: str = "127.0.0.1", timeout: float = 3.0) -> dict[str, str] | None:
        """The JSON discovery document at http://host:port/, or None when nothing answers."""
        req = urllib.request.Request(f"http://{host}:{http_port}/", headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - fixed http URL
                doc = json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    # ----- running -----

    def _jvm_options(self) -> list[str]:
        opts = [f"-Xms{self.heap_size}", f"-Xmx{self.heap_size}"]
        for line in self.conf_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "server.jvm.additional" and value.strip():
                opts.append(value.strip())
        return opts

    def _spawn(self, java: str, cp: str) -> int:
        if self.log_file.is_file() and self.log_file.stat().st_size > _LOG_ROTATE_BYTES:
            self.log_file.replace(self.log_file.with_suffix(".log.1"))
        env = self.layout.env()
        env["CLASSPATH"] = cp  # keeps the command line short and readable in ps
        cmd = [java, *self._jvm_options(), ENTRY_POINT, f"--home-dir={self.home}",
               f"--config-dir={self.layout.conf_dir}", "--console-mode"]
        header = f"{_RUN_HEADER}{time.strftime('%Y-%m-%d %H:%M:%S %z')} ----\n"
        pid = spawn_detached(cmd, env, self.home, self.log_file, header)
        write_private(self.pid_file, f"{pid}\n")
        return pid

    def _wait_ready(self, pid: int, t0: float, timeout: float) -> None:
        deadline = t0 + timeout
        uri = local_bolt_uri(self.cfg.bolt_port)
        password = self.cfg.password
        refusals = 0  # a login refused twice in a row is a wrong password, not a server still starting
        while True:
            if not pid_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited during start-up; last lines of {self.log_file}:\n"
                                  f"{_tail(self.log_file)}\nfix: correct the problem shown above, then run "
                                  "'wbkg neo4j start' again")
            if time.monotonic() > deadline:
                self.say(f"Neo4j did not accept a Bolt login within {timeout:.0f} s; stopping it")
                self._kill(pid)
                raise ServerError(f"Neo4j did not become ready within {timeout:.0f} s; last lines of "
                                  f"{self.log_file}:\n{_tail(self.log_file)}")
            if port_open(self.cfg.bolt_port):
                if not password:
                    self.say(f"Neo4j answers at {uri} after {time.monotonic() - t0:.1f} s, but no password "
                             "is configured to log in: set NEO4J_PASSWORD")
                    return
                outcome = self._try_login(uri, password)
                refusals = refusals + 1 if outcome == "refused" else 0
                if refusals >= 2:
                    raise ServerError(
                        f"Neo4j is up at {uri} but refused the password for user {self.cfg.user!r} "
                        f"(from {self.cfg.password_origin}): set NEO4J_PASSWORD to the password chosen at "
                        "install, or stop it ('wbkg neo4j stop') and reinstall in an empty WBKG_HOME"
                    )
                if outcome == "ok":
                    self.say(f"Neo4j is up at {uri} (browser {local_browser_url(self.cfg.http_port)}) "
                             f"after {time.monotonic() - t0:.1f} s")
                    return
            time.sleep(0.25)

    def _try_login(self, uri: str, password: str) -> str:
        """'ok' once a real login and a query on the default database succeed; 'refused' on a wrong
        password; 'retry' while the server is still starting."""
        try:
            with open_driver(uri, self.cfg.user, password, connection_timeout=15.0) as d:
                d.verify_connectivity()
                d.execute_query("RETURN 1", database_=self.cfg.database)
            return "ok"
        except nx.AuthError:
            time.sleep(1.0)
            return "refused"
        except (nx.Neo4jError, nx.DriverError, OSError):
            return "retry"

    def _write_conf(self) -> None:
        write_conf(self.layout, bolt_port=self.cfg.bolt_port, http_port=self.cfg.http_port,
                   heap_size=self.heap_size, pagecache_size=self.pagecache_size)

    def _kill(self, pid: int) -> None:
        terminate(pid, 30.0)
        self.pid_file.unlink(missing_ok=True)

    def _is_ours(self, pid: int) -> bool:
        args = cmdline(pid)
        return ENTRY_POINT.encode() in args and f"--home-dir={self.home}".encode() in args

    def _running_pid(self) -> int | None:
        """The pid of this home's server when it runs (from the pid file, else found in /proc)."""
        try:
            pid: int | None = int(self.pid_file.read_text(encoding="utf-8").strip())
        except (FileNotFoundError, ValueError):
            pid = None
        if pid is not None and self._is_ours(pid) and pid_alive(pid):
            return pid
        for found in live_pids():
            if self._is_ours(found):
                if self.layout.run_dir.is_dir():
                    write_private(self.pid_file, f"{found}\n")
                return found
        self.pid_file.unlink(missing_ok=True)
        return None

    def _conf_ports(self) -> tuple[int, int] | None:
        """(bolt, http) ports from the written neo4j.conf: those the running server was started with."""
        try:
            text = self.conf_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        bolt = re.search(r"^server\.bolt\.listen_address=.*:(\d+)\s*$", text, re.M)
        http = re.search(r"^server\.http\.listen_address=.*:(\d+)\s*$", text, re.M)
        if not bolt or not http:
            return None
        return int(bolt.group(1)), int(http.group(1))

    def _lock(self) -> AbstractContextManager[None]:
        """One install/start/stop at a time per home (across processes), in private folders."""
        private_dir(self.cfg.home)
        private_dir(self.home)
        return file_lock(self.home / ".lock")
