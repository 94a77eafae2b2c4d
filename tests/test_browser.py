"""The Neo4j Browser way in: the generated stylesheet and guide, ``wbkg browser``, and an end-to-end run of the
real Browser of the test server in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from helpers import free_port

from wbkg.browser.guide import GRAPH_VIEWS, GUIDE_PATH, SOURCES_QUERY, build_guide, param_block
from wbkg.browser.plugin import CLASS_FILE, install_plugin
from wbkg.browser.serve import MAX_CONNECTIONS, REQUEST_TIMEOUT, GuideServer, guide_url, style_url
from wbkg.browser.style import STYLE_PATH, build_style, class_colours
from wbkg.cli import cli
from wbkg.config import Config
from wbkg.graph.connection import Graph
from wbkg.graph.server import BROWSER_PLUGIN_JAR, browser_settings
from wbkg.loaders.writer import load
from wbkg.ontology.model import load_model
from wbkg.queries.registry import canned_queries
from wbkg.rdf.validate import validate_paths

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MARKER = "WbkgTestMarker"  # the session's marker node (tests/conftest.py): never deleted


def _grass_rules(text: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value} (quotes removed), the way the Browser reads a GraSS file."""
    rules = {}
    for selector, body in re.findall(r"^([\w.]+) \{\n(.*?)\n\}", text, flags=re.S | re.M):
        props = {}
        for line in body.splitlines():
            key, value = line.strip().rstrip(";").split(": ", 1)
            props[key] = value.strip('"')
        rules[selector] = props
    return rules


# --- generated files ---------------------------------------------------------------------------------------------

def test_style_is_up_to_date() -> None:
    assert STYLE_PATH.read_text(encoding="utf-8") == build_style(), \
        "browser/style.grass is stale: run 'wbkg browser --write' (or make generate)"


def test_guide_is_up_to_date() -> None:
    assert GUIDE_PATH.read_text(encoding="utf-8") == build_guide(), \
        "browser/guide.html is stale: run 'wbkg browser --write' (or make generate)"


def test_style_has_a_colour_and_caption_per_class_and_a_caption_per_relationship() -> None:
    model = load_model()
    rules = _grass_rules(STYLE_PATH.read_text(encoding="utf-8"))
    colours = class_colours(model)
    assert len(set(colours.values())) == len(model.concrete_classes)
    for cls in model.concrete_classes:
        rule = rules[f"node.{cls}"]
        assert rule["color"] == colours[cls]
        expected = {"Claim": "{statement}"}.get(cls, "{name}")
        assert rule["caption"] == expected
    for rel in model.relationships:  # the status shows beside the type: a disputed link never looks settled
        assert rules[f"relationship.{rel}"] == {"caption": f"{{status}} · {rel}"}
    assert rules["relationship.SOURCED_BY"] == {"color": "#D5D8DC", "shaft-width": "1px", "caption": "<type>"}
    # ancestors come before descendants, so the most specific class wins in the Browser
    order = list(rules)
    for cls in model.concrete_classes:
        for ancestor in model.ancestors(cls)[1:]:
            assert order.index(f"node.{ancestor}") < order.index(f"node.{cls}")
    assert order.index("node.Entity") < order.index("node.Agent")


def test_guide_lists_every_canned_query_as_runnable_cypher() -> None:
    text = GUIDE_PATH.read_text(encoding="utf-8")
    queries = canned_queries()
    assert text.count("<slide ") == 2 + len(queries)  # the introduction, searching by name, one per query
    blocks = re.findall(r'<pre mode="cypher" class="pre-scrollable code runnable">(.*?)</pre>', text, flags=re.S)
    unescaped = [b.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for b in blocks]
    for q in queries.values():
        assert q.body in unescaped, q.name
        assert f"<h3>{q.title}</h3>" in text
    assert GRAPH_VIEWS["ownership-chain"] in unescaped
    assert SOURCES_QUERY in unescaped
    # names, as on the command line: the queries resolve them
    assert ":param entity => 'Hytera'" in unescaped
    assert ":param country => 'RS';\n:param from => '2019';\n:param to => '2023'" in unescaped
    assert "<h3>Search by name, and a node's sources</h3>" in text


def test_param_block_quotes_values_as_cypher() -> None:
    expected = ":param a => 'O\\'Brien';\n:param b => 2;\n:param c => true"
    assert param_block({"a": "O'Brien", "b": 2, "c": True}) == expected


def test_server_settings_come_with_the_plugin_only(tmp_path: Path) -> None:
    template = (REPO / "graph" / "server" / "neo4j.conf.template").read_text(encoding="utf-8")
    assert "\n${browser_settings}\n" in template
    assert "browser.remote_content_hostname_whitelist=127.0.0.1,localhost\n" in template
    # without the plugin jar: no post-connect command, so a login shows no error, only no guide
    assert browser_settings(tmp_path, 7474) == (
        f"# ({BROWSER_PLUGIN_JAR} is not in {tmp_path}: no wbkg guide or style after login; "
        "'wbkg neo4j start' builds it)")
    (tmp_path / BROWSER_PLUGIN_JAR).write_bytes(b"")
    assert browser_settings(tmp_path, 24474).splitlines() == [
        "server.unmanaged_extension_classes=org.wbkg.browser=/wbkg",
        "dbms.security.http_auth_allowlist=/,/browser.*,/wbkg/.*",
        "browser.post_connect_cmd=style http://127.0.0.1:24474/wbkg/style.grass; "
        "play http://127.0.0.1:24474/wbkg/guide.html",
    ]
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert "post_connect" not in compose  # no plugin in the container: a clean login, the guide by wbkg browser
    assert 'NEO4J_browser_remote__content__hostname__whitelist: "127.0.0.1,localhost"' in compose


def test_plugin_jar_holds_the_extension_and_the_committed_files(tmp_path: Path) -> None:
    classpath = (REPO / ".wbkg" / "test-server" / "neo4j" / "classpath.txt")
    if not classpath.is_file():
        pytest.fail("the test server is not installed: run the Neo4j tests first (they install it)", pytrace=False)
    cp = classpath.read_text(encoding="utf-8").strip()
    assert install_plugin(tmp_path, cp) is True
    with zipfile.ZipFile(tmp_path / BROWSER_PLUGIN_JAR) as z:
        assert z.read("wbkg-browser/guide.html") == GUIDE_PATH.read_bytes()
        assert z.read("wbkg-browser/style.grass") == STYLE_PATH.read_bytes()
        assert z.read(CLASS_FILE)[:4] == bytes.fromhex("CAFEBABE")
        assert {"org/", "org/wbkg/", "org/wbkg/browser/"} <= set(z.namelist())
    assert install_plugin(tmp_path, cp) is False  # current: not rebuilt


def test_the_server_serves_guide_and_style_itself(graph_db: Graph, neo4j_cfg: Config) -> None:
    host = urlsplit(neo4j_cfg.uri).hostname
    base = f"http://{host}:{neo4j_cfg.http_port}/wbkg"
    for name, path in (("guide.html", GUIDE_PATH), ("style.grass", STYLE_PATH)):
        with urllib.request.urlopen(f"{base}/{name}") as r:  # no credentials: on the auth allowlist
            assert r.status == 200
            assert r.read() == path.read_bytes(), f"the test server's plugin is stale: restart it ({name})"
    with pytest.raises(HTTPError) as err:
        urllib.request.urlopen(f"{base}/neo4j.conf")
    assert err.value.code == 404


# --- the guide server (for a Neo4j elsewhere) and the command ---------------------------------------------------------

def _get(port: int, path: str, headers: dict[str, str], method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers)
    return conn.getresponse()


def test_guide_server_serves_both_files_to_the_browsers_origin_only() -> None:
    with GuideServer(free_port(), http_port=24474) as server:
        assert server.httpd.server_address[0] == "127.0.0.1"
        for origin in ("http://127.0.0.1:24474", "http://localhost:24474"):
            for name, path in (("guide.html", GUIDE_PATH), ("style.grass", STYLE_PATH)):
                r = _get(server.port, f"/{name}", {"Origin": origin, "Host": f"127.0.0.1:{server.port}"})
                got = (r.status, r.headers["Access-Control-Allow-Origin"], r.read())
                assert got == (200, origin, path.read_bytes())
        r = _get(server.port, "/guide.html", {"Origin": "http://127.0.0.1:24474",
                                             "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": "pragma,cache-control"}, "OPTIONS")
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Headers"] == "pragma, cache-control, content-type"
        # another origin (another port, another site): refused, no CORS header
        for origin in ("http://127.0.0.1:7474", "https://evil.example", "null"):
            r = _get(server.port, "/guide.html", {"Origin": origin})
            assert (r.status, r.headers["Access-Control-Allow-Origin"], r.read()) == (
                403, None, b"only the Neo4j Browser's own origin may fetch these files\n")
        # no Origin (curl, the CLI): served, without CORS headers
        r = _get(server.port, "/style.grass", {})
        assert (r.status, r.headers["Access-Control-Allow-Origin"]) == (200, None)
        r = _get(server.port, "/etc/passwd", {})
        assert r.status == 404


@pytest.mark.parametrize("host", ["evil.example", "evil.example:7475", "127.0.0.1.evil.example", "10.0.0.1", ""])
def test_guide_server_answers_only_loopback_host_names(host: str) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 sends its own name as Host: refused."""
    with GuideServer(free_port(), http_port=24474) as server:
        r = _get(server.port, "/guide.html", {"Host": host})
        assert (r.status, r.read()) == (421, b"only loopback host names are served\n")
        for ok in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", f"[::1]:{server.port}", "localhost"):
            assert _get(server.port, "/guide.html", {"Host": ok}).status == 200, ok


def test_guide_server_drops_a_half_sent_request_after_its_timeout() -> None:
    with GuideServer(free_port(), http_port=24474) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=REQUEST_TIMEOUT * 3) as s:
            s.sendall(b"GET /guide.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            t0 = time.monotonic()
            assert s.recv(1024) == b""  # the server closed the connection
            waited = time.monotonic() - t0
        assert waited >= REQUEST_TIMEOUT - 1  # it waited its timeout, then let go


def test_guide_server_serves_a_bounded_number_of_connections() -> None:
    with GuideServer(free_port(), http_port=24474, max_connections=3) as server:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(3)]
        try:
            for s in held:
                s.sendall(b"GET /")  # each holds a slot, mid-request
            time.sleep(0.5)
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as extra:
                extra.sendall(b"GET /guide.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                assert extra.recv(1024) == b""  # closed at once: no slot
        finally:
            for s in held:
                s.close()
        time.sleep(0.5)  # the held slots free up once their clients go
        assert _get(server.port, "/guide.html", {}).status == 200
    assert MAX_CONNECTIONS == 16


def test_browser_command_prints_url_login_and_guide(neo4j_cfg: Config) -> None:
    port = free_port()
    result = CliRunner().invoke(cli, ["browser", "--check", "--port", str(port)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    host = urlsplit(neo4j_cfg.uri).hostname
    assert lines[0] == (f"Neo4j Browser: http://{host}:{neo4j_cfg.http_port}/browser/"
                        f"?dbms={urlsplit(neo4j_cfg.uri).scheme}://neo4j@{host}:{urlsplit(neo4j_cfg.uri).port}"
                        f"&db={neo4j_cfg.database}")
    assert lines[1:5] == [f"  connect URL: {neo4j_cfg.uri}", f"  user:        {neo4j_cfg.user}",
                          f"  password:    {neo4j_cfg.password_origin}", f"  database:    {neo4j_cfg.database}"]
    assert f"  :play {guide_url(port)}" in lines
    assert f"  :style {style_url(port)}" in lines
    assert neo4j_cfg.password and neo4j_cfg.password not in result.output


# --- end to end in a real Chromium -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def curated_graph(graph_db: Graph, neo4j_cfg: Config) -> Graph:
    """The curated dataset, alone in the test database (the session's marker node kept)."""
    graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)
    load(graph_db, validate_paths([REPO / "data"], neo4j_cfg.base_iri), progress=False)
    return graph_db


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.is_file() or not shutil.which(str(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (apt-get install -y chromium "
                    "fonts-dejavu-core); the Browser test never skips", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _captions(frame: object) -> tuple[list[str], list[str]]:
    """The node and relationship captions drawn in a result frame's graph (lines of a node joined by spaces)."""
    got = frame.evaluate(  # type: ignore[attr-defined]
        """f => [
            [...f.querySelectorAll('svg g.node')].map(g => [...g.querySelectorAll('text')]
                .map(t => t.textContent.trim()).filter(Boolean).join(' ')),
            [...f.querySelectorAll('svg g.relationship')].map(g => [...g.querySelectorAll('text')]
                .map(t => t.textContent.trim()).filter(Boolean).join(' ')),
        ]"""
    )
    return sorted(got[0]), sorted(got[1])


def _fills(frame: object) -> list[str]:
    return frame.evaluate("f => [...f.querySelectorAll('svg g.node circle.b-outline')]"  # type: ignore[attr-defined]
                          ".map(c => c.getAttribute('fill'))")


@pytest.mark.browser
def test_browser_alone_names_statuses_and_sources(curated_graph: Graph, neo4j_cfg: Config, chromium: object) -> None:
    """No guide server runs: the Neo4j server serves the guide and style itself. Login applies both without an
    error; a name typed as a :param answers; a disputed link reads as disputed; a node's sources are one
    double-click away."""
    host = urlsplit(neo4j_cfg.uri).hostname
    base = f"http://{host}:{neo4j_cfg.http_port}"
    settings = {r["name"]: r["value"] for r in curated_graph.rows(
        "CALL dbms.clientConfig() YIELD name, value WHERE name STARTS WITH 'browser.' RETURN name, value")}
    assert settings.get("browser.post_connect_cmd") == f"style {base}/wbkg/style.grass; play {base}/wbkg/guide.html", \
        "the test server lacks the wbkg Browser plugin: restart it (tests/conftest.py builds the plugin first)"
    with pytest.raises(OSError):  # no guide server anywhere
        socket.create_connection(("127.0.0.1", 7475), timeout=2).close()
    slide = list(canned_queries()).index("ownership-chain") + 3  # 1: introduction, 2: search by name
    colours = class_colours(load_model())

    bolt = f"bolt://{host}:{urlsplit(neo4j_cfg.uri).port}"
    OUTPUT.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    # Offline and private: only the test server is reachable.
    context.route("**/*", lambda route: route.continue_()
                  if urlsplit(route.request.url).hostname == host else route.abort())
    page = context.new_page()
    try:
        page.goto(f"{base}/browser/?dbms={bolt}&db={neo4j_cfg.database}", timeout=90_000)
        page.locator("input[data-testid=boltaddress]").wait_for(timeout=90_000)
        page.fill("input[data-testid=username]", neo4j_cfg.user)
        page.fill("input[data-testid=password]", neo4j_cfg.password or "")
        page.click("button[data-testid=connect]")

        def frame(command: str) -> object:
            return page.locator("[data-testid=frame]", has=page.locator("[data-testid=frameCommand]",
                                                                         has_text=command)).first

        def run(block: object, typed: bool = False) -> None:
            if typed:  # as a user would type the block's text (a click on this one leaves the editor empty)
                page.locator(".monaco-editor").first.click()
                for i, line in enumerate(block.inner_text().splitlines()):  # type: ignore[attr-defined]
                    if i:
                        page.keyboard.press("Shift+Enter")
                    page.keyboard.type(line)
            else:
                block.click()  # type: ignore[attr-defined]
            page.click("button[data-testid=editor-Run]")

        # the post-connect command applied the style and opened the guide, without an error
        style_frame = frame(f":style {base}/wbkg/style.grass")
        style_frame.wait_for(timeout=60_000)
        assert "relationship.OWNS" in style_frame.inner_text()
        guide = frame(f":play {base}/wbkg/guide.html")
        guide.wait_for(timeout=60_000)
        guide.get_by_role("heading", name="wbkg: China's security influence in the Western Balkans").wait_for()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(OUTPUT / "browser-login.png"))
        body = page.inner_text("body")
        for error in ("InvalidGrassError", "No guide by that name", "Failed to fetch", "Error"):
            assert error not in body, error

        # the ownership chain from its slide: a name as the parameter, then the graph view
        guide.locator(f'[data-testid=carousel] li[aria-label="{slide}"]').click()
        guide.get_by_role("heading", name="Ownership chain of a firm").wait_for()
        blocks = guide.locator("pre.runnable")
        assert [blocks.nth(i).inner_text() for i in range(blocks.count())] == [
            ":param entity => 'Hytera';\n:param contested => true;\n:param as_of => null",
            canned_queries()["ownership-chain"].body,
            GRAPH_VIEWS["ownership-chain"]]
        run(blocks.nth(0), typed=True)
        # both commands run as one multi-statement frame; the graph view below answers only if the name resolved
        params = frame(":param as_of")
        params.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        assert "error" not in params.inner_text().lower()
        run(blocks.nth(2))
        result = frame("RETURN path")
        result.locator("svg g.node").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "f => f.querySelectorAll('svg g.node').length === 4", arg=result.element_handle(), timeout=30_000)
        page.wait_for_timeout(1500)  # the force layout settles; only for the screenshot
        page.screenshot(path=str(OUTPUT / "browser-hytera.png"))
        nodes, rels = _captions(result)
        full = ["Chen Qingzhou", "Hytera Communications Corporation Limited", "Shenzhen Investment Holdings",
                "Shenzhen Municipal People's Government"]
        assert len(nodes) == 4
        for shown, name in zip(nodes, full, strict=True):  # cut with an ellipsis where a circle is too small
            assert name.startswith(shown.removesuffix("…").strip()) and shown.startswith(name.split()[0]), \
                (shown, name)
        # each link reads with its status first, the disputed state stake as disputed (captions are cut with an
        # ellipsis where an arrow is short); the Browser draws every link among the nodes shown
        drawn = curated_graph.rows(
            "MATCH path = (:Agent)-[:OWNS*1..6]->(:Entity {id: 'hytera'}) UNWIND nodes(path) AS n "
            "WITH collect(DISTINCT n) AS shown MATCH (a)-[r]->(b) WHERE a IN shown AND b IN shown "
            "RETURN r.status + ' · ' + type(r) AS caption ORDER BY caption")
        expected = [r["caption"] for r in drawn]
        assert len(rels) == len(expected) == 4 and "disputed · OWNS" in expected
        for shown, caption in zip(rels, expected, strict=True):
            assert caption.startswith(shown.removesuffix("…")) and len(shown) >= len("disputed"), (shown, caption)
        assert sorted(_fills(result)) == sorted([colours["Person"], colours["Firm"], colours["Firm"],
                                                 colours["Agency"]])

        # sources one double-click away: expanding Hytera draws its SOURCED_BY links and Source nodes
        hytera = result.locator("svg g.node", has=page.locator("text", has_text="Hytera")).first
        hytera.dblclick()
        page.wait_for_function(
            "f => f.querySelectorAll('svg g.node').length > 4", arg=result.element_handle(), timeout=30_000)
        page.wait_for_timeout(2500)
        page.screenshot(path=str(OUTPUT / "browser-hytera-expanded.png"))
        _, rels = _captions(result)
        cited = curated_graph.rows("MATCH (n:Entity {id: 'hytera'}) RETURN n.sources AS s")[0]["s"]
        assert len(cited) == 4
        # the Browser draws every link among the nodes shown: Hytera's own SOURCED_BY links and those of the other
        # nodes shown (the chain, Hytera's other neighbours) that cite one of Hytera's sources
        sourced = curated_graph.rows(
            "MATCH path = (:Agent)-[:OWNS*1..6]->(h:Entity {id: 'hytera'}) UNWIND nodes(path) AS n "
            "WITH h, collect(DISTINCT n) AS chain MATCH (h)--(m) WITH chain, collect(DISTINCT m) AS around "
            "WITH chain + around AS shown "
            "MATCH (a)-[r:SOURCED_BY]->(b) WHERE a IN shown AND b IN shown "
            "RETURN count(DISTINCT r) AS links, count(DISTINCT CASE WHEN a.id = 'hytera' THEN r END) AS own")[0]
        assert sourced["own"] == len(cited)
        # a caption is cut with an ellipsis where its arrow is short; the derived links alone carry no status
        assert sum(1 for c in rels if c and " · " not in c
                   and "SOURCED_BY".startswith(c.removesuffix("…").strip())) == sourced["links"]
        # Source nodes only link to claims and from nodes: the ones shown are exactly Hytera's
        assert _fills(result).count(colours["Source"]) == len(cited)
    finally:
        context.close()
    for shot in ("browser-login.png", "browser-hytera.png", "browser-hytera-expanded.png"):
        assert os.path.getsize(OUTPUT / shot) > 0
