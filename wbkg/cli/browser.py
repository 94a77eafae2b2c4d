"""``wbkg browser``: where the Neo4j Browser is, how to log in, and a local server for our guide and style."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import click

from wbkg.browser.urls import DEFAULT_PORT, guide_url, post_connect_cmd, style_url
from wbkg.config import LOOPBACK, Config, load_config


def browser_url(cfg: Config) -> str | None:
    """The Browser of the configured server with the connect URL and user filled in; None for a remote
    server (its Browser, if any, is wherever its operator put it)."""
    parts = urlsplit(cfg.uri)
    if parts.hostname not in LOOPBACK:
        return None
    dbms = f"{parts.scheme}://{quote(cfg.user, safe='')}@{parts.hostname}:{parts.port or cfg.bolt_port}"
    return f"http://{parts.hostname}:{cfg.http_port}/browser/?dbms={quote(dbms, safe=':/@')}&db={cfg.database}"


def describe(cfg: Config, port: int) -> list[str]:
    """The lines ``wbkg browser`` prints; the password only by where it comes from."""
    url = browser_url(cfg)
    if cfg.password:
        where = cfg.password_origin
    else:
        where = f"not set: set NEO4J_PASSWORD, or run 'wbkg neo4j install' (writes {cfg.password_file})"
    lines = [
        f"Neo4j Browser: {url}" if url else
        f"Neo4j Browser: open the Browser of {cfg.uri} (e.g. https://browser.neo4j.io/ for Aura)",
        f"  connect URL: {cfg.uri}",
        f"  user:        {cfg.user}",
        f"  password:    {where}",
        f"  database:    {cfg.database}",
        f"Guide and style served on http://127.0.0.1:{port}/ (127.0.0.1 only)",
        f"  style: {style_url(port)}",
        f"  guide: {guide_url(port)}",
        "After login the Browser applies the style and opens the guide by itself when the server sets",
        f"  browser.post_connect_cmd={post_connect_cmd(port)}",
        "  (the local server and docker-compose.yml do, for the default port). Otherwise type in its editor:",
        f"  :style {style_url(port)}",
        f"  :play {guide_url(port)}",
    ]
    return lines


def register(group: click.Group) -> None:
    group.add_command(browser_cmd)


@click.command("browser")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              envvar="WBKG_BROWSER_PORT", help="Port on 127.0.0.1 for the guide and style (env WBKG_BROWSER_PORT).")
@click.option("--check", is_flag=True,
              help="Print the instructions, check the port can be served, then exit instead of serving.")
@click.option("--write", "write_files", is_flag=True,
              help="Regenerate browser/style.grass and browser/guide.html from the ontology and queries, then exit.")
def browser_cmd(port: int, check: bool, write_files: bool) -> None:
    """Show how to open the Neo4j Browser and serve the wbkg guide and stylesheet.

    Prints the Browser URL, the login (the password only by where it comes from) and how to open
    the guide, then serves browser/guide.html and browser/style.grass on 127.0.0.1 until Ctrl-C.

    \b
    Examples:
      wbkg browser                # serve on 127.0.0.1:7475 until Ctrl-C
      wbkg browser --port 8475    # another port (then type the :style / :play commands it prints)
      wbkg browser --check        # print and exit
      wbkg browser --write        # regenerate the style and the guide
    """
    if write_files:
        from wbkg.browser.guide import write_guide
        from wbkg.browser.style import write_style
        from wbkg.resources import checkout

        browser_dir = checkout() / "browser"
        for path, write in ((browser_dir / "style.grass", write_style), (browser_dir / "guide.html", write_guide)):
            click.echo(f"{path}: {'written' if write(path) else 'up to date'}")
        return
    from wbkg.browser.serve import GuideServer

    cfg = load_config()
    server = GuideServer(port)
    for line in describe(cfg, server.port):
        click.echo(line)
    if check:
        server.stop()
        return
    click.echo("Serving; press Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.httpd.server_close()
