"""Result sets as a text table, JSON or CSV (what ``wbkg query run --format`` prints)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from wbkg.queries.runner import ResultSet

FORMATS = ("table", "json", "csv")


def cell(value: Any) -> str:
    """One value as table text: null, true/false, lists in brackets, maps in braces."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, list):
        return "[" + ", ".join(cell(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {cell(v)}" for k, v in value.items()) + "}"
    return str(value)


def table(rs: ResultSet) -> str:
    head = list(rs.columns)
    body = [[cell(v) for v in row] for row in rs.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(head)]

    def line(vals: list[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()

    out = [line(head), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in body]
    out.append(f"({len(rs.rows)} row{'' if len(rs.rows) == 1 else 's'})")
    return "\n".join(out)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return cell(value)


def render(results: list[ResultSet], fmt: str) -> str:
    """The text to print. JSON: the rows of one statement as a list of objects; several statements, a list
    of such lists. Table and CSV: one block per statement, separated by a blank line."""
    if fmt == "json":
        sets = [rs.dicts() for rs in results]
        return json.dumps(sets[0] if len(sets) == 1 else sets, ensure_ascii=False, indent=2)
    if fmt == "csv":
        blocks = []
        for rs in results:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(rs.columns)
            w.writerows([_csv_cell(v) for v in row] for row in rs.rows)
            blocks.append(buf.getvalue().rstrip("\n"))
        return "\n\n".join(blocks)
    return "\n\n".join(table(rs) for rs in results)
