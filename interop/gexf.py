"""The graph as GEXF 1.3 for Gephi: a directed static graph, attributes declared per class (see network)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import IO

from wbkg.interop.network import (
    Attribute,
    edge_attributes,
    edge_values,
    node_attributes,
    node_values,
    write_tree,
)
from wbkg.interop.snapshot import Dropped, Snapshot

NS = "http://gexf.net/1.3"
GEXF_TYPES = {"string": "string", "long": "long", "double": "double"}


def _declare(graph: ET.Element, cls: str, attrs: list[Attribute]) -> dict[str, str]:
    el = ET.SubElement(graph, "attributes", {"class": cls, "mode": "static"})
    ids = {}
    for i, a in enumerate(attrs):
        ids[a.key] = f"{cls[0]}{i}"
        ET.SubElement(el, "attribute", {"id": ids[a.key], "title": a.key, "type": GEXF_TYPES[a.type]})
    return ids


def _values(parent: ET.Element, ids: dict[str, str], row: dict[str, str]) -> None:
    values = ET.SubElement(parent, "attvalues")
    for key, text in row.items():
        if text != "":
            ET.SubElement(values, "attvalue", {"for": ids[key], "value": text})


def build(snap: Snapshot, today: dt.date | None = None) -> ET.ElementTree:
    root = ET.Element("gexf", {"xmlns": NS, "version": "1.3"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": (today or dt.date.today()).isoformat()})
    ET.SubElement(meta, "creator").text = "wbkg"
    ET.SubElement(meta, "description").text = "China's security influence in the Western Balkans (wbkg export)"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    node_ids = _declare(graph, "node", node_attributes(snap.model))
    edge_ids = _declare(graph, "edge", edge_attributes(snap.model))
    nodes = ET.SubElement(graph, "nodes", {"count": str(len(snap.nodes))})
    for node_id, row in node_values(snap).items():
        el = ET.SubElement(nodes, "node", {"id": node_id, "label": row["label"]})
        _values(el, node_ids, row)
    edges = ET.SubElement(graph, "edges", {"count": str(len(snap.rels))})
    rels = {r.id: r for r in snap.rels}
    for rel_id, row in edge_values(snap).items():
        r = rels[rel_id]
        el = ET.SubElement(edges, "edge", {"id": rel_id, "source": r.source, "target": r.target,
                                           "label": r.type})
        _values(el, edge_ids, row)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_gexf(snap: Snapshot, out: IO[bytes]) -> tuple[int, Dropped]:
    return write_tree(build(snap), snap, out)
