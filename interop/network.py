"""The graph as a plain network for Gephi and yEd: nodes and edges with flat, typed attributes.

Shared by the GEXF and GraphML writers. Every property of the model becomes one attribute (lists joined
with ``LIST_SEPARATOR``), plus ``class`` and ``country`` on nodes and ``type`` on edges, so nothing is lost;
numbers keep a numeric type. ``country`` is a state's own ISO code, or that of the state reached by
following LOCATED_IN and PART_OF links upwards (empty when there is none).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO, Any

from wbkg.interop.snapshot import Dropped, Snapshot
from wbkg.ontology.model import Model, PropertyDef

LIST_SEPARATOR = "; "
UP = ("LOCATED_IN", "PART_OF")
NUMERIC = {"integer": "long", "decimal": "double", "percent": "double"}


@dataclass(frozen=True)
class Attribute:
    key: str  # the attribute's name
    type: str  # 'string', 'long' or 'double'


def _attributes(defs: dict[str, PropertyDef], first: list[Attribute]) -> list[Attribute]:
    seen = {a.key for a in first}
    out = list(first)
    for name, p in defs.items():
        if name not in seen:
            seen.add(name)
            out.append(Attribute(name, NUMERIC.get(p.type, "string")))
    return out


def node_attributes(model: Model) -> list[Attribute]:
    defs: dict[str, PropertyDef] = {}
    for cls in model.classes:
        defs.update(model.properties(cls))
    first = [Attribute("class", "string"), Attribute("label", "string"), Attribute("country", "string")]
    return _attributes({k: v for k, v in defs.items() if k not in ("id", "name")}, first)


def edge_attributes(model: Model) -> list[Attribute]:
    defs: dict[str, PropertyDef] = {}
    for rtype in model.relationships:
        defs.update(model.relationship_props(rtype))
    return _attributes({k: v for k, v in defs.items() if k != "id"}, [Attribute("type", "string")])


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def countries(snap: Snapshot) -> dict[str, str]:
    """Each node's country code (or the state's name, for a state without a code)."""
    up: dict[str, list[str]] = {}
    for r in snap.rels:
        if r.type in UP:
            up.setdefault(r.source, []).append(r.target)
    out: dict[str, str] = {}
    for node_id in snap.nodes:
        seen, frontier = {node_id}, [node_id]
        while frontier:  # breadth first, so the nearest state wins
            found = [n for n in frontier if snap.nodes[n].cls == "State"]
            if found:
                state = snap.nodes[sorted(found)[0]].props
                out[node_id] = str(state.get("iso_code") or state["name"])
                break
            frontier = sorted({t for n in frontier for t in up.get(n, []) if t not in seen})
            seen.update(frontier)
    return out


def node_values(snap: Snapshot) -> dict[str, dict[str, str]]:
    country = countries(snap)
    out = {}
    for n in snap.nodes.values():
        row = {"class": n.cls, "label": str(n.props.get("name", n.id)), "country": country.get(n.id, "")}
        row.update({k: value_text(v) for k, v in n.props.items() if k not in ("id", "name") and v is not None})
        out[n.id] = row
    return out


def edge_values(snap: Snapshot) -> dict[str, dict[str, str]]:
    out = {}
    for r in snap.rels:
        row = {"type": r.type}
        row.update({k: value_text(v) for k, v in r.props.items() if k != "id" and v is not None})
        out[r.id] = row
    return out


def write_tree(tree: ET.ElementTree, snap: Snapshot, out: IO[bytes]) -> tuple[int, Dropped]:
    """Write a GEXF or GraphML document; return what it holds (nodes and edges) and what it leaves out."""
    tree.write(out, encoding="utf-8", xml_declaration=True)
    dropped = Dropped()
    snap.report_extra(dropped)
    return len(snap.nodes) + len(snap.rels), dropped
