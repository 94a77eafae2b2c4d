"""Result sets as a text table, JSON or CSV (what ``wbkg query run --format`` prints).

CSV and JSON are written row by row as the rows arrive (``writer``), so memory stays flat however many
rows a query returns; the table needs every row for its column widths and is written at the end.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Protocol

from wbkg.queries.runner import ResultSet

FORMATS = ("table", "json", "csv")


class TextOut(Protocol):
    """Where a writer writes: a text file, standard output, a StringIO."""

    def write(self, text: str, /) -> int: ...


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
        return json.dumps(value, ensure_ascii=False, default=str)
    return cell(value)


class CsvWriter:
    """One CSV block per statement (header, rows), blocks separated by a blank line."""

    def __init__(self, out: TextOut) -> None:
        self.out = out
        self.csv = csv.writer(out, lineterminator="\n")
        self.blocks = 0

    def begin(self, columns: list[str]) -> None:
        if self.blocks:
            self.out.write("\n")
        self.blocks += 1
        self.csv.writerow(columns)

    def row(self, values: list[Any]) -> None:
        self.csv.writerow([_csv_cell(v) for v in values])

    def close(self) -> None:
        return None


class JsonWriter:
    """The rows of one statement as a list of objects; with ``nested``, a list of such lists (one per
    statement that returns columns). Byte for byte what ``json.dumps(..., indent=2)`` gives."""

    def __init__(self, out: TextOut, *, nested: bool) -> None:
        self.out = out
        self.nested = nested
        self.indent = "  " if nested else ""
        self.sets = 0
        self.rows = 0  # rows of the current set
        self.columns: list[str] = []

    def _close_set(self) -> None:
        self.out.write("[]" if not self.rows else f"\n{self.indent}]")

    def begin(self, columns: list[str]) -> None:
        if self.sets:
            self._close_set()
        if self.nested:
            self.out.write("[\n  " if not self.sets else ",\n  ")
        elif self.sets:  # a second set in a flat list cannot be written: the caller chose nested wrongly
            raise ValueError("JsonWriter(nested=False) given a second result set")
        self.sets += 1
        self.rows = 0
        self.columns = columns

    def row(self, values: list[Any]) -> None:
        obj = dict(zip(self.columns, values, strict=True))
        text = json.dumps(obj, ensure_ascii=False, indent=2, default=str)
        pad = self.indent + "  "
        self.out.write(("[\n" if not self.rows else ",\n") + pad + text.replace("\n", "\n" + pad))
        self.rows += 1

    def close(self) -> None:
        if self.sets:
            self._close_set()
            self.out.write("\n]\n" if self.nested else "\n")


class TableWriter:
    """Text tables: every row is kept, for the column widths, and the tables are written at the end."""

    def __init__(self, out: TextOut) -> None:
        self.out = out
        self.results: list[ResultSet] = []

    def begin(self, columns: list[str]) -> None:
        self.results.append(ResultSet(columns, []))

    def row(self, values: list[Any]) -> None:
        self.results[-1].rows.append(values)

    def close(self) -> None:
        if self.results:
            self.out.write("\n\n".join(table(rs) for rs in self.results) + "\n")


def writer(fmt: str, out: TextOut, *, statements: int = 1) -> CsvWriter | JsonWriter | TableWriter:
    """A sink (see ``wbkg.queries.runner.stream``) writing ``fmt`` to ``out``; call ``close`` at the end.
    JSON nests one list per statement when the script has several statements."""
    if fmt == "json":
        return JsonWriter(out, nested=statements > 1)
    if fmt == "csv":
        return CsvWriter(out)
    if fmt == "table":
        return TableWriter(out)
    raise ValueError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")


def render(results: list[ResultSet], fmt: str) -> str:
    """The text to print (without the final newline). JSON: the rows of one result set as a list of
    objects; several, a list of such lists. Table and CSV: one block per result set, separated by a
    blank line."""
    buf = io.StringIO()
    sink = writer(fmt, buf, statements=len(results))
    for rs in results:
        sink.begin(list(rs.columns))
        for r in rs.rows:
            sink.row(list(r))
    sink.close()
    return buf.getvalue().removesuffix("\n")
