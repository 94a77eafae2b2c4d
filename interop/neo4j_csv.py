"""The graph as neo4j-admin 5 import CSVs: one node file per class, one relationship file per type.

Headers are typed from the ontology (``share:double``, ``sources:string[]``, ``id:ID``, ``:LABEL``,
``:START_ID``/``:END_ID``/``:TYPE``), so an import gives back the same properties with the same types.
Lists are joined with ``ARRAY_DELIMITER``; a value that contains it is refused rather than split. Properties
outside the ontology (a loader's bookkeeping) get columns typed from their values, so nothing is lost.
``import.args`` beside the files holds the matching ``neo4j-admin database import full`` arguments.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wbkg.errors import InvalidData, Problem
from wbkg.interop.snapshot import ORIGIN, Snapshot
from wbkg.ontology.model import PropertyDef

ARRAY_DELIMITER = "|"
TYPES = {"integer": "long", "decimal": "double", "percent": "double"}
ARGS_FILE = "import.args"


@dataclass
class CsvExport:
    folder: Path
    node_files: list[str] = field(default_factory=list)
    rel_files: list[str] = field(default_factory=list)
    nodes: int = 0
    rels: int = 0

    def admin_args(self, database: str = "neo4j", base: Path | None = None) -> list[str]:
        """The arguments of ``neo4j-admin database import full`` for these files (relative to ``base``,
        or absolute)."""
        where = (lambda name: name) if base is None else (lambda name: str(base / name))
        return (["database", "import", "full"]
                + [f"--nodes={where(f)}" for f in self.node_files]
                + [f"--relationships={where(f)}" for f in self.rel_files]
                + [f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true", "--overwrite-destination=true",
                   "--", database])


def _column(name: str, p: PropertyDef) -> str:
    return f"{name}:{TYPES.get(p.type, 'string')}{'[]' if p.many else ''}"


PY_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _extra_columns(records: list[Any], problems: list[Problem]) -> dict[str, str]:
    """Columns for properties outside the ontology (a loader's bookkeeping), typed from their values, so
    that an import gives them back unchanged."""
    types: dict[str, set[str]] = {}
    for rec in records:
        for key, value in rec.extra.items():
            items = value if isinstance(value, list) else [value]
            kinds = {PY_TYPES.get(type(v), "?") for v in items} or {"string"}
            types.setdefault(key, set()).update(f"{k}[]" if isinstance(value, list) else k for k in kinds)
    out = {}
    for key, kinds in sorted(types.items()):
        if len(kinds) != 1 or "?" in next(iter(kinds)):
            problems.append(Problem(ORIGIN, None, None, key, f"values of mixed or unsupported types {sorted(kinds)}"))
            continue
        out[key] = next(iter(kinds))
    return out


def _cell(value: Any, owner: str, name: str, problems: list[Problem]) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        items = [_cell(v, owner, name, problems) for v in value]
        if any(ARRAY_DELIMITER in item for item in items):
            problems.append(Problem(ORIGIN, None, owner, name,
                                    f"a list value contains {ARRAY_DELIMITER!r}, the CSV array delimiter"))
        return ARRAY_DELIMITER.join(items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(snap: Snapshot, folder: Path) -> CsvExport:
    """Write the CSV files and ``import.args`` into ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    export = CsvExport(folder)
    problems: list[Problem] = []
    model = snap.model
    by_class: dict[str, list[Any]] = {}
    for n in snap.nodes.values():
        by_class.setdefault(n.cls, []).append(n)
    for cls, nodes in sorted(by_class.items()):
        defs = {k: p for k, p in model.properties(cls).items() if k != "id"}
        extra = _extra_columns(nodes, problems)
        name = f"nodes_{cls}.csv"
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", ":LABEL", *(_column(k, p) for k, p in defs.items()),
                        *(f"{k}:{t}" for k, t in extra.items())])
            for n in nodes:
                w.writerow([n.id, ARRAY_DELIMITER.join(n.labels),
                            *(_cell(n.props.get(k), n.id, k, problems) for k in defs),
                            *(_cell(n.extra.get(k), n.id, k, problems) for k in extra)])
        export.node_files.append(name)
        export.nodes += len(nodes)
    by_type: dict[str, list[Any]] = {}
    for r in snap.rels:
        by_type.setdefault(r.type, []).append(r)
    for rtype, rels in sorted(by_type.items()):
        defs = {k: p for k, p in model.relationship_props(rtype).items() if k != "id"}
        extra = _extra_columns(rels, problems)
        name = f"relationships_{rtype}.csv"
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", ":TYPE", "id:string", *(_column(k, p) for k, p in defs.items()),
                        *(f"{k}:{t}" for k, t in extra.items())])
            for r in rels:
                w.writerow([r.source, r.target, rtype, r.id, *(_cell(r.props.get(k), r.id, k, problems) for k in defs),
                            *(_cell(r.extra.get(k), r.id, k, problems) for k in extra)])
        export.rel_files.append(name)
        export.rels += len(rels)
    if problems:
        raise InvalidData(problems)
    (folder / ARGS_FILE).write_text("".join(f"{a}\n" for a in export.admin_args()), encoding="utf-8")
    return export
