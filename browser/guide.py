"""The Neo4j Browser guide: the canned queries of ``queries/`` as runnable Cypher, generated into ``guide.html``.

The page uses the Browser 5 guide format: ``<slide>`` elements make the slides of a carousel, and a
``<pre mode="cypher" class="pre-scrollable code runnable">`` block is copied into the editor when clicked. Each
query's slide sets its parameters first, with the header's example values (``:param name => value``; names
as on the command line, since every canned query resolves ids, names and aliases itself), then shows the query.

``python -m browser.guide`` (or ``wbkg browser --write``) rewrites ``browser/guide.html``; a test fails when
the committed file is stale.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wbkg.errors import QueryError
from wbkg.graph.schema import FULLTEXT_INDEX
from wbkg.ontology.build import write_if_changed
from wbkg.queries.registry import Param, Query, canned_queries, example_args, param_refs
from wbkg.queries.resolve import fragment
from wbkg.queries.runner import bind
from wbkg.resources import packaged

GUIDE_PATH = packaged("browser", "guide.html")
TITLE = "wbkg: China's security influence in the Western Balkans"

# Queries whose result is a table get a graph view next to them, so that the Browser draws (and styles) the
# nodes and relationships behind the rows. Each uses only parameters its canned query declares (checked).
GRAPH_VIEWS: dict[str, str] = {
    "ownership-chain": (
        fragment("entity", "entity", "firm")
        + "MATCH path = (owner:Agent)-[:OWNS*1..6]->(firm)\n"
        "WHERE NOT EXISTS { MATCH (:Agent)-[:OWNS]->(owner) }\n"
        "RETURN path"
    ),
}

# The Browser strips these from remote guides (its cleanHtml); a guide that contains them would lose text.
_BROWSER_STRIPPED = (
    re.compile(r"""(\s+(on[^\s=]+)[^\s=]*\s*=\s*("[^"]*"|'[^']*'|[\w\-.:]+\s*))""", re.IGNORECASE),
    re.compile(r"<script\b", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
)


@dataclass(frozen=True)
class GuideQuery:
    """A canned query with the parameter values its slide sets."""

    query: Query
    params: dict[str, Any]


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a parameter value (strings single-quoted and escaped)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def guide_queries(directory: Path | None = None) -> list[GuideQuery]:
    """Every canned query with the values of its example (or its defaults) for each parameter. Names stay
    names: the queries resolve them in Cypher, as the command line does."""
    out = []
    for q in canned_queries(directory).values():
        try:
            values = bind(q, example_args(q))
        except QueryError as e:
            raise QueryError(f"{q.path}: example: {e}") from e
        out.append(GuideQuery(q, values))
    for name, view in GRAPH_VIEWS.items():
        match = [g for g in out if g.query.name == name]
        if not match:
            raise QueryError(f"browser/guide.py: a graph view names the unknown canned query {name!r}")
        undeclared = {ref for ref, _ in param_refs(view)} - {p.name for p in match[0].query.params}
        if undeclared:
            raise QueryError(f"browser/guide.py: the graph view of {name!r} uses undeclared parameters "
                             f"{sorted(undeclared)}")
    return out


def param_block(params: dict[str, Any]) -> str:
    """The Browser commands that set the parameters (one ``:param`` each, run together)."""
    return ";\n".join(f":param {name} => {cypher_literal(value)}" for name, value in params.items())


def _pre(code: str) -> str:
    return f'<figure><pre mode="cypher" class="pre-scrollable code runnable">{html.escape(code, quote=False)}</pre>' \
           "</figure>"


def _p(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


SEARCH_TITLE = "Search by name, and a node's sources"
SEARCH_QUERY = (
    f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $q) YIELD node, score\n"
    "RETURN node.id AS id, node.name AS name,\n"
    "       [l IN labels(node) WHERE NOT l IN ['Entity', 'Agent']][0] AS class, score\n"
    "ORDER BY score DESC, id\n"
    "LIMIT 10"
)
SOURCES_QUERY = (
    fragment("entity", "entity", "n")
    + "MATCH (n)-[cites:SOURCED_BY]->(source:Source)\n"
    "RETURN n, cites, source"
)


def _intro_slide(queries: list[GuideQuery]) -> str:
    items = "\n".join(
        f"<li><b>{html.escape(g.query.title, quote=False)}</b> (<code>{g.query.name}</code>), slide {i}</li>"
        for i, g in enumerate(queries, start=3)
    )
    return "\n".join([
        '<slide class="row-fluid">',
        '<div class="col-sm-12">',
        f"<h3>{html.escape(TITLE, quote=False)}</h3>",
        _p("A sourced knowledge graph: every node and relationship cites its Source nodes, and every "
           "relationship has a status (asserted, corroborated, disputed or denied). Contested statements are "
           "Claim nodes that actors ASSERTS or DENIES and sources CONTRADICTS."),
        _p("Each following slide is one canned query. Click a grey block to copy it into the editor, then "
           "run it (Ctrl+Enter or the run button): first the parameters, then the query. Parameters take an "
           "id, a name or an alias, as on the command line."),
        f"<ol start=\"2\">\n<li><b>{html.escape(SEARCH_TITLE, quote=False)}</b>, slide 2</li>\n{items}\n</ol>",
        _p("Nodes are coloured by class and captioned with their name. Relationships are captioned with their "
           "status and type, so a disputed or denied link reads disputed · OWNS or denied · DEPLOYED_TO, never "
           "as a plain fact. Each node has SOURCED_BY links to its Source nodes: double-click a node to expand "
           "them."),
        "</div>",
        "</slide>",
    ])


def _search_slide() -> str:
    return "\n".join([
        '<slide class="row-fluid">',
        '<div class="col-sm-12">',
        f"<h3>{html.escape(SEARCH_TITLE, quote=False)}</h3>",
        _p(f"Names and aliases of every node are in the fulltext index {FULLTEXT_INDEX}. The canned queries "
           "use it to resolve a parameter: an id, or a name or alias that names one node, in any case. To find a "
           "name you remember only in part, search the index with Lucene syntax: a trailing * for a prefix, "
           "~ for a fuzzy match, quotes for a phrase."),
        _pre(param_block({"q": "hyt*"})),
        _pre(SEARCH_QUERY),
        _p("A node and the sources it cites, drawn as a graph (double-click a source to see what else cites it):"),
        _pre(param_block({"entity": "Hytera"})),
        _pre(SOURCES_QUERY),
        "</div>",
        "</slide>",
    ])


def _param_item(p: Param) -> str:
    text = f"<li><code>${p.name}</code> ({p.type})"
    if p.description:
        text += ": " + html.escape(p.description, quote=False)
    if not p.required:
        text += f" (default {html.escape('null' if p.default is None else str(p.default), quote=False)})"
    return text + "</li>"


def _query_slide(g: GuideQuery) -> str:
    q = g.query
    parts = [
        '<slide class="row-fluid">',
        '<div class="col-sm-12">',
        f"<h3>{html.escape(q.title, quote=False)}</h3>",
        _p(q.description),
    ]
    if q.params:
        rows = "\n".join(_param_item(p) for p in q.params)
        parts += [f"<ul>\n{rows}\n</ul>", _p("1. Set the example parameters:"), _pre(param_block(g.params)),
                  _p("2. Run the query:")]
    if q.write:
        parts.append(_p("This query writes to the database."))
    parts.append(_pre(q.body))
    if q.name in GRAPH_VIEWS:
        parts += [_p("The same, drawn as a graph:"), _pre(GRAPH_VIEWS[q.name])]
    parts += [
        f"<p>From the command line: <code>{html.escape(q.example, quote=False)}</code></p>",
        "</div>",
        "</slide>",
    ]
    return "\n".join(parts)


def build_guide(directory: Path | None = None) -> str:
    """The guide's HTML; QueryError when a query's example cannot be turned into parameters."""
    queries = guide_queries(directory)
    text = "\n".join([
        f"<title>{html.escape(TITLE, quote=False)}</title>",
        '<article class="guide">',
        '<carousel class="deck container-fluid">',
        _intro_slide(queries),
        _search_slide(),
        *(_query_slide(g) for g in queries),
        "</carousel>",
        "</article>",
    ]) + "\n"
    for pattern in _BROWSER_STRIPPED:
        found = pattern.search(text)
        if found:
            raise QueryError(f"the guide contains {found.group(0).strip()!r}, which the Neo4j Browser strips "
                             "from remote guides: reword it")
    return text


def write_guide(path: Path) -> bool:
    """Rewrite the committed guide at ``path`` (in a checkout); True when it changed."""
    return write_if_changed(path, build_guide())
