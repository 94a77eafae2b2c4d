"""The Neo4j Browser guide: the canned queries of ``queries/`` as runnable Cypher, generated into ``guide.html``.

The page uses the Browser 5 guide format: ``<slide>`` elements make the slides of a carousel, and a
``<pre mode="cypher" class="pre-scrollable code runnable">`` block is copied into the editor when clicked. Each
query's slide sets its parameters first, with the header's example values (``:param name => value``; ids,
since the Browser cannot resolve a name as ``wbkg query run`` does: the example's names are resolved here
against the curated dataset), then shows the query itself.

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
from wbkg.loaders.dataset import Dataset, NodeRecord, read_dataset
from wbkg.ontology.build import write_if_changed
from wbkg.ontology.model import load_model
from wbkg.queries.registry import Param, Query, canned_queries, example_args, param_refs
from wbkg.queries.runner import bind
from wbkg.resources import dataset_dir, packaged

GUIDE_PATH = packaged("browser", "guide.html")
TITLE = "wbkg: China's security influence in the Western Balkans"

# Queries whose result is a table get a graph view next to them, so that the Browser draws (and styles) the
# nodes and relationships behind the rows. Each uses only parameters its canned query declares (checked).
GRAPH_VIEWS: dict[str, str] = {
    "ownership-chain": (
        "MATCH (firm:Entity {id: $entity})\n"
        "MATCH path = (owner:Agent)-[:OWNS*1..6]->(firm)\n"
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
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def resolve_in_dataset(ds: Dataset, kind: str, value: str) -> str:
    """The node id an entity/country example value names, by the rules of ``queries.resolve``:
    id, then (countries) ISO code, then a unique case-insensitive name or alias."""
    want_state = kind == "country"
    model = load_model()
    country, code = model.country_class, model.country_code or ""

    def fits(node_id: str) -> bool:
        return not want_state or model.is_a(ds.nodes[node_id].cls, country)

    if value in ds.nodes and fits(value):
        return value
    if want_state and len(value) == 2:
        codes = [n.id for n in ds.nodes.values() if model.is_a(n.cls, country)
                 and str(n.props.get(code, "")).upper() == value.upper()]
        if len(codes) == 1:
            return codes[0]
    low = value.lower()

    def named_so(n: NodeRecord) -> bool:
        names = [n.props.get("name", ""), *(n.props.get("aliases") or [])]
        return any(str(x).lower() == low for x in names)

    named = sorted(n.id for n in ds.nodes.values() if fits(n.id) and named_so(n))
    if len(named) != 1:
        found = "names several: " + ", ".join(named) if named else "names nothing"
        raise QueryError(f"example value {value!r} ({kind}) {found} in the curated dataset")
    return named[0]


def guide_queries(ds: Dataset, directory: Path | None = None) -> list[GuideQuery]:
    """Every canned query with the values of its example (or its defaults) for each parameter."""
    out = []
    for q in canned_queries(directory).values():
        try:
            values = bind(q, example_args(q))
        except QueryError as e:
            raise QueryError(f"{q.path}: example: {e}") from e
        for p in q.params:
            if p.type in ("entity", "country") and values[p.name] is not None:
                try:
                    values[p.name] = resolve_in_dataset(ds, p.type, str(values[p.name]))
                except QueryError as e:
                    raise QueryError(f"{q.path}: parameter {p.name!r}: {e}") from e
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


def _intro_slide(queries: list[GuideQuery]) -> str:
    items = "\n".join(
        f"<li><b>{html.escape(g.query.title, quote=False)}</b> (<code>{g.query.name}</code>), slide {i}</li>"
        for i, g in enumerate(queries, start=2)
    )
    return "\n".join([
        '<slide class="row-fluid">',
        '<div class="col-sm-12">',
        f"<h3>{html.escape(TITLE, quote=False)}</h3>",
        _p("A sourced knowledge graph: every node and relationship cites its Source nodes, and every "
           "relationship has a status (asserted, corroborated, disputed or denied). Contested statements are "
           "Claim nodes that actors ASSERTS or DENIES and sources CONTRADICTS."),
        _p("Each following slide is one canned query. Click a grey block to copy it into the editor, then "
           "run it (Ctrl+Enter or the run button): first the parameters, then the query."),
        f"<ol start=\"2\">\n{items}\n</ol>",
        _p("Nodes are coloured by class and captioned with their name; relationships show their type. "
           "If the colours are missing, run the style command that wbkg browser prints."),
        "</div>",
        "</slide>",
    ])


def _param_item(p: Param) -> str:
    text = f"<li><code>${p.name}</code> ({p.type})"
    if p.description:
        text += ": " + html.escape(p.description, quote=False)
    if not p.required:
        text += f" (default {html.escape(str(p.default), quote=False)})"
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


def build_guide(ds: Dataset | None = None, directory: Path | None = None) -> str:
    """The guide's HTML; QueryError when a query's example cannot be turned into parameters."""
    ds = ds if ds is not None else read_dataset([dataset_dir()])
    queries = guide_queries(ds, directory)
    text = "\n".join([
        f"<title>{html.escape(TITLE, quote=False)}</title>",
        '<article class="guide">',
        '<carousel class="deck container-fluid">',
        _intro_slide(queries),
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
