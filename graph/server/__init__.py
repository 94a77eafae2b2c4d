"""The local Neo4j Community server: installed from Maven Central, run as a detached JVM.

Everything lives in ``$WBKG_HOME/neo4j`` (``conf/``, ``data/``, ``logs/console.log``, ``run/wbkg.pid``,
``classpath.txt``). ``install`` resolves the server and the Neo4j Browser with Maven (``pom.xml`` beside
this file; the jars stay in ``~/.m2`` and ``classpath.txt`` lists them), writes ``conf/neo4j.conf`` from
``neo4j.conf.template`` and sets the initial password. ``start`` spawns the JVM in its own session, like
``neo4j console``, and returns once Bolt accepts a real login; ``stop`` ends it (SIGTERM, then SIGKILL).

The server listens on 127.0.0.1 only, with authentication on. Progress goes to stderr; the password is
never printed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

import neo4j
from neo4j import exceptions as nx

from wbkg.config import Config, load_config, local_bolt_uri, local_browser_url
from wbkg.errors import ServerError

PACKAGE_DIR = Path(__file__).parent
POM = PACKAGE_DIR / "pom.xml"
CONF_TEMPLATE = PACKAGE_DIR / "neo4j.conf.template"
# The wbkg Browser plugin (browser/plugin.py builds it into the plugins folder): with it, the server itself
# serves the guide and the style at /wbkg/, and the Browser applies them after login; without it the
# Browser settings are left out, so a login is guide-less but shows no error.
BROWSER_PLUGIN_JAR = "wbkg-browser.jar"
BROWSER_MOUNT = "/wbkg"


def browser_settings(plugins_dir: Path, http_port: int) -> str:
    """The neo4j.conf lines for the Browser plugin, or a comment saying why there are none."""
    if not (plugins_dir / BROWSER_PLUGIN_JAR).is_file():
        return (f"# ({BROWSER_PLUGIN_JAR} is not in {plugins_dir}: no wbkg guide or style after login; "
                "'wbkg neo4j start' builds it)")
    base = f"http://127.0.0.1:{http_port}{BROWSER_MOUNT}"
    return "\n".join([
        f"server.unmanaged_extension_classes=org.wbkg.browser={BROWSER_MOUNT}",
        f"dbms.security.http_auth_allowlist=/,/browser.*,{BROWSER_MOUNT}/.*",
        f"browser.post_connect_cmd=style {base}/style.grass; play {base}/guide.html",
    ])
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
MIN_JAVA = 17
MIN_PASSWORD_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"
_SIZE = re.compile(r"^\d+[kmgKMG]?$")
_LOG_ROTATE_BYTES = 10 * 1024 * 1024

# JVMs this process spawned, so that it can reap them (no zombies) and Popen never warns.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def neo4j_version() -> str:
    """The Neo4j version pinned in pom.xml."""
    root = ET.parse(POM).getroot()
    el = root.find("{http://maven.apache.org/POM/4.0.0}properties/{http://maven.apache.org/POM/4.0.0}neo4j.version")
    if el is None or not el.text:
        raise ServerError(f"{POM}: no <neo4j.version> property")
    return el.text.strip()


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def java_version(java: str | None = None) -> tuple[int, str] | None:
    """(major, full version text) of the Java runtime, or None when there is none."""
    java = java or java_executable()
    if not java:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stderr + out.stdout
    m = re.search(r'version "(\d+)(?:\.(\d+))?[^"]*"', text)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_x" is Java 8
        major = int(m.group(2))
    first = text.strip().splitlines()[0] if text.strip() else f"java {major}"
    return major, first


def maven_version() -> str | None:
    """The first line of ``mvn -v`` (e.g. 'Apache Maven 3.8.7'), or None when Maven is missing."""
    mvn = shutil.which("mvn")
    if not mvn:
        return None
    try:
        out = subprocess.run([mvn, "-v", "-B", "-Dstyle.color=never"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.stdout.splitlines():
        clean = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if clean.startswith("Apache Maven"):
            return clean.split(" (")[0]
    return None


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _port_owner(port: int) -> str:
    """' (program, pid N)' for the process listening on a TCP port, when ``ss`` can tell; else ''."""
    ss = shutil.which("ss")
    if not ss:
        return ""
    try:
        out = subprocess.run([ss, "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    m = re.search(r'users:\(\("([^"]+)",pid=(\d+)', out.stdout)
    return f" ({m.group(1)}, pid {m.group(2)})" if m else ""


def _proc_state(pid: int) -> str | None:
    """The state letter of a process from /proc (R, S, Z, ...), or None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (reaping it when it is our child)."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        if proc.poll() is not None:
            del _CHILDREN[pid]
            return False
        return True
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    state = _proc_state(pid)
    return state is not None and state not in ("Z", "X")


_RUN_HEADER = "---- wbkg: starting Neo4j at "


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
        self.home = self.cfg.home / "neo4j"
        self.conf_dir = self.home / "conf"
        self.conf_file = self.conf_dir / "neo4j.conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.run_dir = self.home / "run"
        self.log_file = self.logs_dir / "console.log"
        self.pid_file = self.run_dir / "wbkg.pid"
        self.classpath_file = self.home / "classpath.txt"
        self.auth_file = self.data_dir / "dbms" / "auth.ini"

    # ----- public API -----

    def install(self) -> bool:
        """Resolve the server with Maven, write the configuration, set the initial password.

        Returns False (and says so) when everything was already in place.
        """
        with self._lock():
            have_cp = self._classpath() is not None
            have_auth = self.auth_file.is_file()
            if have_cp and have_auth and self.conf_file.is_file():
                self.say(f"Neo4j {neo4j_version()} is already installed in {self.home}; nothing to do "
                         "(start it with 'wbkg neo4j start')")
                return False
            t0 = time.monotonic()
            java = self._java()
            self._make_dirs()
            if not have_cp:
                self._resolve_with_maven()
            self._write_conf()
            if not have_auth:
                self._set_initial_password(java)
            self.say(f"installed Neo4j {neo4j_version()} Community in {self.home} "
                     f"in {time.monotonic() - t0:.1f} s; start it with 'wbkg neo4j start'")
            return True

    def start(self, wait: bool = True, timeout: float = 180.0) -> ServerStatus:
        """Spawn the server detached; with ``wait``, return once Bolt accepts a login."""
        with self._lock():
            cp = self._classpath()
            if cp is None or not self.conf_file.is_file():
                raise ServerError(f"the local Neo4j server is not installed in {self.home}: "
                                  "run 'wbkg neo4j install' first")
            pid = self._running_pid()
            if pid is not None:
                st = self.status()
                self.say(f"Neo4j is already running (pid {pid}) at {st.bolt_uri}, browser {st.browser_url}")
                return st
            java = self._java()
            for port, env in ((self.cfg.bolt_port, "WBKG_NEO4J_BOLT_PORT"),
                              (self.cfg.http_port, "WBKG_NEO4J_HTTP_PORT")):
                if _port_open(port):
                    raise ServerError(
                        f"port {port} on 127.0.0.1 is already in use by another program{_port_owner(port)}: "
                        f"stop that program, or pick a free port with {env}=<port>"
                    )
            self._make_dirs()
            self._write_conf()
            t0 = time.monotonic()
            # plugins/* as the neo4j launcher script adds it: server plugins such as the wbkg Browser plugin
            pid = self._spawn(java, cp + os.pathsep + str(self.home / "plugins" / "*"))
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
            if not self._terminate(pid, timeout,
                                   on_kill=lambda: self.say(f"Neo4j did not stop within {timeout:.0f} s; killing it")):
                raise ServerError(f"could not stop Neo4j (pid {pid}): kill it with 'kill -9 {pid}'")
            self.pid_file.unlink(missing_ok=True)
            (self.run_dir / "neo4j.pid").unlink(missing_ok=True)
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
            installed=self._classpath() is not None and self.conf_file.is_file(),
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

    # ----- installing -----

    def _java(self) -> str:
        java = java_executable()
        found = java_version(java) if java else None
        if not java or found is None:
            raise ServerError(f"Java {MIN_JAVA}+ is needed for the local Neo4j server and none was found: "
                              "install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
        if found[0] < MIN_JAVA:
            raise ServerError(f"Java {found[0]} at {java} is too old, Neo4j 5 needs Java {MIN_JAVA}+: "
                              "install openjdk-17-jre-headless (or newer) or set JAVA_HOME")
        return java

    def _make_dirs(self) -> None:
        for d in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir, self.home / "import",
                  self.home / "plugins"):
            d.mkdir(parents=True, exist_ok=True)

    def _classpath(self) -> str | None:
        """The resolved classpath, when classpath.txt exists and every jar in it is still there."""
        try:
            cp = self.classpath_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        jars = [j for j in cp.split(os.pathsep) if j]
        if not jars or not all(Path(j).is_file() for j in jars):
            return None
        return cp

    def _resolve_with_maven(self) -> None:
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError("Maven is needed to fetch Neo4j from Maven Central and was not found: "
                              "install it (Debian: apt-get install maven)")
        self.say(f"resolving Neo4j {neo4j_version()} and the Neo4j Browser from Maven Central with Maven "
                 "(jars are cached in ~/.m2; the first time takes a minute or two)")
        t0 = time.monotonic()
        tmp = self.classpath_file.with_suffix(".tmp")
        cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM), "dependency:build-classpath",
               f"-Dmdep.outputFile={tmp}"]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired as e:
            raise ServerError("Maven did not finish within 30 minutes: check network access to "
                              "Maven Central (and ~/.m2/settings.xml proxies)") from e
        if out.returncode != 0 or not tmp.is_file():
            tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-15:])
            raise ServerError(f"Maven could not resolve Neo4j (exit {out.returncode}):\n{tail}\n"
                              "fix: check network access to Maven Central (and ~/.m2/settings.xml proxies), "
                              "then run 'wbkg neo4j install' again")
        tmp.replace(self.classpath_file)
        cp = self._classpath()
        if cp is None:
            raise ServerError(f"Maven wrote an unusable classpath to {self.classpath_file}: "
                              "remove it and run 'wbkg neo4j install' again")
        n = len(cp.split(os.pathsep))
        self.say(f"resolved {n} jars in {time.monotonic() - t0:.1f} s")

    def _write_conf(self) -> None:
        text = Template(CONF_TEMPLATE.read_text(encoding="utf-8")).substitute(
            data_dir=self.data_dir,
            logs_dir=self.logs_dir,
            run_dir=self.run_dir,
            import_dir=self.home / "import",
            plugins_dir=self.home / "plugins",
            browser_settings=browser_settings(self.home / "plugins", self.cfg.http_port),
            bolt_port=self.cfg.bolt_port,
            http_port=self.cfg.http_port,
            heap_size=self.heap_size,
            pagecache_size=self.pagecache_size,
        )
        tmp = self.conf_file.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.conf_file)

    def _set_initial_password(self, java: str) -> None:
        password = self.cfg.password
        if password:
            origin = f"from {self.cfg.password_origin}"
        else:
            password = secrets.token_urlsafe(24)
            pf = self.cfg.password_file
            pf.parent.mkdir(parents=True, exist_ok=True)
            pf.unlink(missing_ok=True)
            fd = os.open(pf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(password + "\n")
            origin = f"generated, stored in {pf} with mode 0600"
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ServerError(f"the Neo4j password ({origin}) is shorter than {MIN_PASSWORD_LENGTH} "
                              "characters, which Neo4j refuses: set a longer NEO4J_PASSWORD, or unset it to "
                              "have one generated")
        if "\n" in password or "\r" in password:
            raise ServerError(f"the Neo4j password ({origin}) contains a line break: choose another one")
        cp = self._classpath()
        assert cp is not None
        # The password travels in a 0600 argument file (picocli's @file), never on a command line; "--" ends
        # the options, so a password that starts with "-" (token_urlsafe gives one in 64) is not read as one.
        argfile = self.run_dir / "set-initial-password.args"
        argfile.unlink(missing_ok=True)
        fd = os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"dbms\nset-initial-password\n--\n{quoted}\n")
        try:
            out = subprocess.run([java, "-cp", cp, ADMIN_TOOL, f"@{argfile}"], capture_output=True, text=True,
                                 env=self._env(), cwd=self.home, timeout=300)
        finally:
            argfile.unlink(missing_ok=True)
        if out.returncode != 0 or not self.auth_file.is_file():
            detail = (out.stdout + out.stderr).replace(password, "****").strip().splitlines()[-5:]
            raise ServerError("setting the initial Neo4j password failed:\n" + "\n".join(detail))
        self.say(f"set the initial password of user 'neo4j' (password {origin})")

    # ----- running -----

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        env.pop("CLASSPATH", None)
        return env

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
        env = self._env()
        env["CLASSPATH"] = cp  # keeps the command line short and readable in ps
        cmd = [java, *self._jvm_options(), ENTRY_POINT, f"--home-dir={self.home}",
               f"--config-dir={self.conf_dir}", "--console-mode"]
        with open(self.log_file, "ab") as log:
            log.write(f"{_RUN_HEADER}{time.strftime('%Y-%m-%d %H:%M:%S %z')} ----\n".encode())
            log.flush()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=env, cwd=self.home, start_new_session=True, close_fds=True)
        _CHILDREN[proc.pid] = proc
        self.pid_file.write_text(f"{proc.pid}\n", encoding="utf-8")
        return proc.pid

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
            if _port_open(self.cfg.bolt_port):
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
            with neo4j.GraphDatabase.driver(uri, auth=(self.cfg.user, password), connection_timeout=15.0) as d:
                d.verify_connectivity()
                d.execute_query("RETURN 1", database_=self.cfg.database)
            return "ok"
        except nx.AuthError:
            time.sleep(1.0)
            return "refused"
        except (nx.Neo4jError, nx.DriverError, OSError):
            return "retry"

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while pid_alive(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _terminate(self, pid: int, grace: float, *, on_kill: Callable[[], None] | None = None) -> bool:
        """SIGTERM, then SIGKILL if ``pid`` outlives ``grace`` seconds; True once it is gone."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if self._wait_gone(pid, grace):
            return True
        if on_kill is not None:
            on_kill()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return self._wait_gone(pid, 15.0)

    def _kill(self, pid: int) -> None:
        self._terminate(pid, 30.0)
        self.pid_file.unlink(missing_ok=True)

    def _is_ours(self, pid: int) -> bool:
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return False
        return ENTRY_POINT.encode() in args and f"--home-dir={self.home}".encode() in args

    def _running_pid(self) -> int | None:
        """The pid of this home's server when it runs (from the pid file, else found in /proc)."""
        try:
            pid: int | None = int(self.pid_file.read_text(encoding="utf-8").strip())
        except (FileNotFoundError, ValueError):
            pid = None
        if pid is not None and self._is_ours(pid) and pid_alive(pid):
            return pid
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and self._is_ours(int(entry.name)) and pid_alive(int(entry.name)):
                if self.run_dir.is_dir():
                    self.pid_file.write_text(f"{entry.name}\n", encoding="utf-8")
                return int(entry.name)
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

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One install/start/stop at a time per home (across processes)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
