"""``wbkg neo4j install|start|stop|status``: the local Neo4j Community server (see graph.server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wbkg.config import load_config

if TYPE_CHECKING:  # the server module loads the driver: only the commands that run pay for it
    from wbkg.graph.server import LocalServer, ServerStatus


def _server() -> LocalServer:
    # imported here: the server module (and its POSIX process plumbing) is needed only by these commands
    from wbkg.graph.server import LocalServer

    return LocalServer(load_config())


def format_status(st: ServerStatus) -> list[str]:
    """The lines ``wbkg neo4j status`` prints (never the password)."""
    if not st.running:
        state = "stopped" if st.installed else "not installed (run 'wbkg neo4j install')"
        return [
            f"Neo4j local server: {state}",
            f"  bolt:    {st.bolt_uri} (when started)",
            f"  browser: {st.browser_url} (when started)",
            f"  home:    {st.home}",
        ]
    return [
        f"Neo4j local server: running (pid {st.pid})",
        f"  version: {st.version or 'unknown'} {st.edition or ''}".rstrip(),
        f"  bolt:    {st.bolt_uri}",
        f"  browser: {st.browser_url}",
        f"  home:    {st.home}",
    ]


@click.group(name="neo4j")
def neo4j_group() -> None:
    """The local Neo4j 5 Community server (Bolt and Browser on 127.0.0.1 only).

    \b
    Typical use:
      wbkg neo4j install    # once: fetch Neo4j from Maven Central, set a password
      wbkg neo4j start      # returns when Bolt accepts a login
      wbkg neo4j status
      wbkg neo4j stop

    Files live in $WBKG_HOME/neo4j (default ~/.local/share/wbkg/neo4j); the log is
    logs/console.log there. Ports: WBKG_NEO4J_BOLT_PORT (7687) and WBKG_NEO4J_HTTP_PORT (7474).
    Needs Java 17+ and Maven. To use Docker instead: 'docker compose up -d'.
    """


@neo4j_group.command()
def install() -> None:
    """Fetch Neo4j Community and the Browser with Maven, write the config, set the password.

    \b
    The password is NEO4J_PASSWORD when set; otherwise a strong one is generated and
    stored in $WBKG_HOME/password (mode 0600), where wbkg reads it. It is never printed.
    Running it again is a no-op.

    \b
    Examples:
      wbkg neo4j install
      NEO4J_PASSWORD='my-long-secret' wbkg neo4j install
      WBKG_HOME=/tmp/wbkg-demo wbkg neo4j install
    """
    _server().install()


@neo4j_group.command()
@click.option("--no-wait", is_flag=True, help="Return right after spawning the JVM.")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt to accept a login.")
def start(no_wait: bool, timeout: float) -> None:
    """Start the server in the background; wait until Bolt accepts a login.

    \b
    Examples:
      wbkg neo4j start
      WBKG_NEO4J_BOLT_PORT=17687 WBKG_NEO4J_HTTP_PORT=17474 wbkg neo4j start
    """
    _server().start(wait=not no_wait, timeout=timeout)


@neo4j_group.command()
@click.option("--timeout", default=60.0, show_default=True, help="Seconds before SIGTERM becomes SIGKILL.")
def stop(timeout: float) -> None:
    """Stop the server (SIGTERM, then SIGKILL after --timeout). A no-op when it is not running.

    \b
    Example:
      wbkg neo4j stop
    """
    _server().stop(timeout=timeout)


@neo4j_group.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show whether the server runs, its pid, version, edition and ports.

    Exits 0 when it runs, 3 when it does not.

    \b
    Example:
      wbkg neo4j status
    """
    st = _server().status()
    for line in format_status(st):
        click.echo(line)
    if not st.running:
        ctx.exit(3)


def register(group: click.Group) -> None:
    group.add_command(neo4j_group)
