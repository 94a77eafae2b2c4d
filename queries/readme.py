"""The README's table of canned queries, generated from the headers, between two markers."""

from __future__ import annotations

from pathlib import Path

from wbkg.errors import QueryError
from wbkg.queries.registry import Query, canned_queries

START = "<!-- queries-table:start -->"
END = "<!-- queries-table:end -->"


def _param(q: Query) -> str:
    parts = []
    for p in q.params:
        text = f"`{p.name}` ({p.type}"
        text += ")" if p.required else f", default `{'null' if p.default is None else p.default}`)"
        parts.append(text)
    return ", ".join(parts) or "none"


def _esc(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def queries_table(queries: dict[str, Query] | None = None) -> str:
    """The markdown table: query, parameters, mode, what it answers, an example."""
    qs = queries if queries is not None else canned_queries()
    lines = [
        "| query | parameters | mode | what it answers | example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for q in qs.values():
        lines.append(f"| `{q.name}` | {_param(q)} | {q.mode} | **{_esc(q.title)}.** {_esc(q.description)} "
                     f"| `{_esc(q.example)}` |")
    return "\n".join(lines)


def render_readme(text: str, table: str) -> str:
    """``text`` with the region between the markers replaced by ``table``; QueryError if a marker is missing."""
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise QueryError(f"README lacks the markers {START} … {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def update_readme(path: Path, *, check: bool = False) -> bool:
    """Write the table into ``path``; with ``check``, write nothing. Returns True when the file was current."""
    text = path.read_text(encoding="utf-8")
    new = render_readme(text, queries_table())
    if new == text:
        return True
    if not check:
        path.write_text(new, encoding="utf-8")
    return False
