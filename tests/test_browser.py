"""The Neo4j Browser way in: the generated stylesheet and guide, ``wbkg browser``, and an end-to-end run of the
real Browser of the test server in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from helpers import free_port

from wbkg.browser.guide import GRAPH_VIEWS, GUIDE_PATH, build_guide, param_block
from wbkg.browser.serve import DEFAULT_PORT, GuideServer, guide_url, post_connect_cmd, style_url
from wbkg.browser.style import STYLE_PATH, build_style, class_colours
from wbkg.cli import cli
from wbkg.config import Config
from wbkg.graph.connection import Graph
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
    for rel in model.relationships:
        assert rules[f"relationship.{rel}"] == {"caption": "<type>"}
    # ancestors come before descendants, so the most specific class wins in the Browser
    order = list(rules)
    for cls in model.concrete_classes:
        for ancestor in model.ancestors(cls)[1:]:
            assert order.index(f"node.{ancestor}") < order.index(f"node.{cls}")
    assert order.index("node.Entity") < order.index("node.Agent")


def test_guide_lists_every_canned_query_as_runnable_cypher() -> None:
    text = GUIDE_PATH.read_text(encoding="utf-8")
    queries = canned_queries()
    assert text.count("<slide ") == 1 + len(queries)
    blocks = re.findall(r'<pre mode="cypher" class="pre-scrollable code runnable">(.*?)</pre>', text, flags=re.S)
    unescaped = [b.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for b in blocks]
    for q in queries.values():
        assert q.body in unescaped, q.name
        assert f"<h3>{q.title}</h3>" in text
    assert GRAPH_VIEWS["ownership-chain"] in unescaped
    assert ":param entity => 'hytera'" in unescaped
    assert ":param country => 'serbia';\n:param from => '2019';\n:param to => '2023'" in unescaped


def test_param_block_quotes_values_as_cypher() -> None:
    expected = ":param a => 'O\\'Brien';\n:param b => 2;\n:param c => true"
    assert param_block({"a": "O'Brien", "b": 2, "c": True}) == expected


def test_server_settings_point_at_the_guide_server() -> None:
    template = (REPO / "graph" / "server" / "neo4j.conf.template").read_text(encoding="utf-8")
    assert f"browser.post_connect_cmd={post_connect_cmd(DEFAULT_PORT)}\n" in template
    assert "browser.remote_content_hostname_whitelist=127.0.0.1,localhost\n" in template
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    port = "${WBKG_BROWSER_PORT:-7475}"
    assert (f'NEO4J_browser_post__connect__cmd: "style http://127.0.0.1:{port}/style.grass; '
            f'play http://127.0.0.1:{port}/guide.html"') in compose
    assert 'NEO4J_browser_remote__content__hostname__whitelist: "127.0.0.1,localhost"' in compose


# --- the guide server and the command ------------------------------------------------------------------------------

def test_guide_server_serves_both_files_with_cors_on_loopback() -> None:
    with GuideServer(free_port()) as server:
        assert server.httpd.server_address[0] == "127.0.0.1"
        origin = {"Origin": "http://127.0.0.1:7474"}
        for name, path in (("guide.html", GUIDE_PATH), ("style.grass", STYLE_PATH)):
            with urllib.request.urlopen(urllib.request.Request(f"{server.base_url}/{name}", headers=origin)) as r:
                assert r.status == 200
                assert r.headers["Access-Control-Allow-Origin"] == "*"
                assert r.read() == path.read_bytes()
        preflight = urllib.request.Request(f"{server.base_url}/guide.html", method="OPTIONS", headers={
            **origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "pragma,cache-control"})
        with urllib.request.urlopen(preflight) as r:
            assert r.status == 204
            assert r.headers["Access-Control-Allow-Headers"] == "pragma, cache-control, content-type"
        with pytest.raises(HTTPError) as err:
            urllib.request.urlopen(f"{server.base_url}/etc/passwd")
        assert err.value.code == 404


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


@pytest.mark.browser
def test_browser_login_guide_and_styled_ownership_chain(curated_graph: Graph, neo4j_cfg: Config,
                                                        chromium: object) -> None:
    settings = {r["name"]: r["value"] for r in curated_graph.rows(
        "CALL dbms.clientConfig() YIELD name, value WHERE name STARTS WITH 'browser.' RETURN name, value")}
    assert settings.get("browser.post_connect_cmd") == post_connect_cmd(DEFAULT_PORT), \
        "the test server lacks the wbkg Browser settings (graph/server/neo4j.conf.template, docker-compose.yml)"
    assert "127.0.0.1" in settings["browser.remote_content_hostname_whitelist"].split(",")
    queries = list(canned_queries())
    slide = queries.index("ownership-chain") + 2  # slide 1 is the introduction

    host = urlsplit(neo4j_cfg.uri).hostname
    bolt = f"bolt://{host}:{urlsplit(neo4j_cfg.uri).port}"
    OUTPUT.mkdir(exist_ok=True)
    with GuideServer(DEFAULT_PORT):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        # Offline and private: only the test server and the guide server are reachable.
        context.route("**/*", lambda route: route.continue_()
                      if urlsplit(route.request.url).hostname == host else route.abort())
        page = context.new_page()
        try:
            page.goto(f"http://{host}:{neo4j_cfg.http_port}/browser/?dbms={bolt}&db={neo4j_cfg.database}",
                      timeout=90_000)
            page.locator("input[data-testid=boltaddress]").wait_for(timeout=90_000)
            assert page.locator("input[data-testid=boltaddress]").input_value() == f"{host}:{urlsplit(bolt).port}"
            page.fill("input[data-testid=username]", neo4j_cfg.user)
            page.fill("input[data-testid=password]", neo4j_cfg.password or "")
            page.click("button[data-testid=connect]")

            def frame(command: str) -> object:
                return page.locator("[data-testid=frame]", has=page.locator("[data-testid=frameCommand]",
                                                                             has_text=command)).first

            # the post-connect command applied the style and opened the guide
            style_frame = frame(f":style {style_url(DEFAULT_PORT)}")
            style_frame.wait_for(timeout=60_000)
            assert "node.Firm" in style_frame.inner_text()
            guide = frame(f":play {guide_url(DEFAULT_PORT)}")
            guide.wait_for(timeout=60_000)
            guide.get_by_role("heading", name="wbkg: China's security influence in the Western Balkans").wait_for()

            # run the ownership chain from its slide: the parameters, then the graph view
            guide.locator(f'[data-testid=carousel] li[aria-label="{slide}"]').click()
            guide.get_by_role("heading", name="Ownership chain of a firm").wait_for()
            blocks = guide.locator("pre.runnable")
            assert [blocks.nth(i).inner_text() for i in range(blocks.count())] == [
                ":param entity => 'hytera'", canned_queries()["ownership-chain"].body, GRAPH_VIEWS["ownership-chain"]]
            blocks.nth(0).click()
            page.click("button[data-testid=editor-Run]")
            frame(":param entity").wait_for(timeout=30_000)
            assert json.loads(frame(":param entity").locator("pre").first.inner_text()) == {"entity": "hytera"}
            blocks.nth(2).click()
            page.click("button[data-testid=editor-Run]")
            result = frame("RETURN path")
            result.locator("svg g.node").first.wait_for(timeout=60_000)
            page.wait_for_function(
                "f => f.querySelectorAll('svg g.node').length === 4", arg=result.element_handle(), timeout=30_000)
            page.wait_for_timeout(1500)  # the force layout settles; only for the screenshot
            page.screenshot(path=str(OUTPUT / "browser-hytera.png"))

            nodes, rels = _captions(result)
            # Captions are names, cut with an ellipsis where a circle is too small.
            full = ["Chen Qingzhou", "Hytera Communications Corporation Limited", "Shenzhen Investment Holdings",
                    "Shenzhen Municipal People's Government"]
            assert len(nodes) == 4
            for shown, name in zip(nodes, full, strict=True):
                assert name.startswith(shown.removesuffix("…").strip()) and shown.startswith(name.split()[0]), \
                    (shown, name)
            assert rels == ["AFFILIATED_WITH", "OWNS", "OWNS", "OWNS"]
            # colours from the stylesheet: Firm, Agency and Person fills
            colours = class_colours(load_model())
            fills = result.evaluate("f => [...f.querySelectorAll('svg g.node circle.b-outline')]"
                                    ".map(c => c.getAttribute('fill'))")
            assert sorted(fills) == sorted([colours["Person"], colours["Firm"], colours["Firm"], colours["Agency"]])
        finally:
            context.close()
    assert os.path.getsize(OUTPUT / "browser-hytera.png") > 0
