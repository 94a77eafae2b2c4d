"""The coverage matrix: the rows of the canned ``coverage`` query pivoted to country x theme.

A cell reads ``facts/links`` (fact nodes of the theme that reach the country through their links, and the
relationships touching them); ``+gap`` marks a cell with fewer than three facts that has a CoverageGap
record (searched, little or nothing found), ``MISSING`` one with neither (not looked for).
"""

from __future__ import annotations

from typing import Any

from wbkg.graph.connection import Graph
from wbkg.queries.registry import get_query
from wbkg.queries.runner import run_query

COUNTRY_NAMES = {"RS": "Serbia", "BA": "Bosnia and Herzegovina", "ME": "Montenegro", "MK": "North Macedonia",
                 "AL": "Albania", "XK": "Kosovo", "HR": "Croatia"}


def coverage_rows(graph: Graph) -> list[dict[str, Any]]:
    """One row per (country, theme), in the query's order."""
    return run_query(graph, get_query("coverage"), {})[-1].dicts()


def cell_text(row: dict[str, Any]) -> str:
    text = f"{row['facts']}/{row['links']}"
    if row["status"] == "gap recorded":
        return text + " +gap"
    if row["status"] == "missing":
        return text + " MISSING"
    return text


def render_matrix(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """The matrix as an aligned text table, or as a Markdown table (for the README)."""
    themes = list(dict.fromkeys(r["theme"] for r in rows))
    countries = list(dict.fromkeys(r["country"] for r in rows))
    cells = {(r["country"], r["theme"]): cell_text(r) for r in rows}
    header = ["country", *themes]
    body = [[f"{COUNTRY_NAMES.get(c, c)} ({c})", *(cells[(c, t)] for t in themes)] for c in countries]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in [header, *body])


def missing_cells(rows: list[dict[str, Any]]) -> list[str]:
    """The cells with fewer than three facts and no gap record, as COUNTRY/theme."""
    return [f"{r['country']}/{r['theme']}" for r in rows if r["status"] == "missing"]
