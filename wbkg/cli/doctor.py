"""``wbkg doctor``: check the tools, the configuration and the Neo4j connection, one line each."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import click

from wbkg.config import LOOPBACK, Config, config_file_path, load_config
from wbkg.errors import WbkgError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: skipped because an earlier check failed
    detail: str
    fix: str = ""

    def line(self) -> str:
        if self.ok is None:
            return f"skip  {self.name}: {self.detail}"
        if self.ok:
            return f"ok    {self.name}: {self.detail}"
        return f"FAIL  {self.name}: {self.detail}. fix: {self.fix}"


def _host_port(uri: str) -> tuple[str, int]:
    parts = urlsplit(uri)
    return parts.hostname or "127.0.0.1", parts.port or 7687


def _is_local(host: str) -> bool:
    return host in LOOPBACK


def check_java() -> Check:
    # the server module and the driver are imported by the checks that use them, not by `wbkg --help`
    from wbkg.graph.server.toolchain import MIN_JAVA, java_executable, java_version

    java = java_executable()
    found = java_version(java) if java else None
    if found is None:
        return Check("java", False, "not found",
                     "install Java 17+ (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    if found[0] < MIN_JAVA:
        return Check("java", False, f"{found[1]} at {java} is older than {MIN_JAVA}",
                     "install openjdk-17-jre-headless (or newer) or set JAVA_HOME")
    return Check("java", True, f"{found[1]} ({java})")


def check_maven() -> Check:
    from wbkg.graph.server.toolchain import maven_version

    found = maven_version()
    if found is None:
        return Check("maven", False, "not found", "install Maven (Debian: apt-get install maven)")
    return Check("maven", True, found)


def check_reachable(cfg: Config) -> Check:
    import socket

    host, port = _host_port(cfg.uri)
    try:
        with socket.create_connection((host, port), timeout=5.0):
            pass
    except OSError as e:
        reason = e.strerror or type(e).__name__
        if _is_local(host):
            fix = "start it with 'wbkg neo4j start' (or 'docker compose up -d'), or set NEO4J_URI to a running server"
        else:
            fix = "check NEO4J_URI and that the server is up and reachable from here"
        return Check("server", False, f"nothing answers at {cfg.uri} ({reason})", fix)
    return Check("server", True, f"reachable at {cfg.uri}")


def check_bolt(cfg: Config) -> list[Check]:
    """Authentication, then version/edition, then the database (each needs the one before)."""
    if not cfg.password:
        return [
            Check("authentication", False, "no password configured",
                  "set NEO4J_PASSWORD (or the config file), or run 'wbkg neo4j install' for a local server"),
            Check("neo4j", None, "needs a login"),
            Check("database", None, "needs a login"),
        ]
    from neo4j import exceptions as nx

    from wbkg.errors import ConnectionError
    from wbkg.graph.connection import open_driver

    try:
        driver = open_driver(cfg.uri, cfg.user, cfg.password)
    except ConnectionError as e:
        return [Check("authentication", False, str(e), "correct NEO4J_URI")]
    checks: list[Check] = []
    with driver:
        try:
            driver.verify_connectivity()
        except nx.AuthError:
            return [
                Check("authentication", False,
                      f"Neo4j refused the login of user {cfg.user!r} with the password from {cfg.password_origin}",
                      "set NEO4J_PASSWORD (or the config file) to the server's password"),
                Check("neo4j", None, "needs a login"),
                Check("database", None, "needs a login"),
            ]
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            return [Check("authentication", False, f"Bolt handshake with {cfg.uri} failed ({type(e).__name__})",
                          "check that NEO4J_URI points at a Neo4j 5 Bolt port")]
        checks.append(Check("authentication", True, f"user {cfg.user!r} logged in "
                                                    f"(password from {cfg.password_origin})"))
        try:
            rec = driver.execute_query(
                "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition",
                database_="system",
            ).records[0]
            version, edition = str(rec["version"]), str(rec["edition"])
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            checks.append(Check("neo4j", False, f"could not read the version ({type(e).__name__})",
                                "check the server log"))
            version = edition = ""
        else:
            if version.split(".")[0] == "5":
                checks.append(Check("neo4j", True, f"{version} {edition}"))
            else:
                checks.append(Check("neo4j", False, f"{version} {edition} is not Neo4j 5",
                                    "use a Neo4j 5.x server ('wbkg neo4j install' gives 5.26)"))
        try:
            rows = driver.execute_query(
                "SHOW DATABASES YIELD name, currentStatus WHERE name = $db RETURN currentStatus",
                db=cfg.database, database_="system",
            ).records
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            checks.append(Check("database", False, f"could not list databases ({type(e).__name__})",
                                "check the server log"))
            return checks
        if not rows:
            checks.append(Check("database", False, f"{cfg.database!r} does not exist on {cfg.uri}",
                                "set NEO4J_DATABASE to an existing one (Community edition has only 'neo4j')"))
        elif rows[0]["currentStatus"] != "online":
            checks.append(Check("database", False, f"{cfg.database!r} is {rows[0]['currentStatus']}",
                                f"start it: 'START DATABASE {cfg.database}' on the system database"))
        else:
            checks.append(Check("database", True, f"{cfg.database!r} exists and is online"))
    return checks


def run_checks() -> bool:
    """Print one line per check; True when all are ok."""
    all_ok = True

    def emit(c: Check) -> None:
        nonlocal all_ok
        all_ok = all_ok and bool(c.ok)
        click.echo(c.line())

    emit(check_java())
    emit(check_maven())
    try:
        cfg = load_config()
    except WbkgError as e:
        emit(Check("config", False, str(e), f"correct the environment or {config_file_path()}"))
        return False
    source = config_file_path()
    emit(Check("config", True, f"file {source}" + ("" if source.is_file() else " (absent: environment and defaults)")))
    for key, value in cfg.describe().items():
        click.echo(f"        {key}={value}")
    reach = check_reachable(cfg)
    emit(reach)
    if not reach.ok:
        for name in ("authentication", "neo4j", "database"):
            emit(Check(name, None, "server not reachable"))
        return False
    for c in check_bolt(cfg):
        emit(c)
    return all_ok


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check Java, Maven, the configuration and the Neo4j connection; one line each.

    Each line is 'ok' or 'FAIL ... fix: ...' (the password is never shown).
    Exits 0 only when every check is ok.

    \b
    Examples:
      wbkg doctor
      NEO4J_URI=bolt://127.0.0.1:17687 wbkg doctor
    """
    if not run_checks():
        ctx.exit(1)


def register(group: click.Group) -> None:
    group.add_command(doctor)
