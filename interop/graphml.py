"""The graph as GraphML for yEd, Cytoscape and networkx: typed keys for every attribute (see network)."""

from __future__ import annotations

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

NS = "http://graphml.graphdrawing.org/xmlns"


def _keys(root: ET.Element, domain: str, attrs: list[Attribute]) -> dict[str, str]:
    ids = {}
    for i, a in enumerate(attrs):
        ids[a.key] = f"{domain[0]}{i}"
        ET.SubElement(root, "key", {"id": ids[a.key], "for": domain, "attr.name": a.key, "attr.type": a.type})
    return ids


def _data(parent: ET.Element, ids: dict[str, str], row: dict[str, str]) -> None:
    for key, text in row.items():
        if text != "":
            ET.SubElement(parent, "data", {"key": ids[key]}).text = text


def build(snap: Snapshot) -> ET.ElementTree:
    root = ET.Element("graphml", {"xmlns": NS})
    node_ids = _keys(root, "node", node_attributes(snap.model))
    edge_ids = _keys(root, "edge", edge_attributes(snap.model))
    graph = ET.SubElement(root, "graph", {"id": "wbkg", "edgedefault": "directed"})
    for node_id, row in node_values(snap).items():
        _data(ET.SubElement(graph, "node", {"id": node_id}), node_ids, row)
    rels = {r.id: r for r in snap.rels}
    for rel_id, row in edge_values(snap).items():
        r = rels[rel_id]
        _data(ET.SubElement(graph, "edge", {"id": rel_id, "source": r.source, "target": r.target}), edge_ids, row)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_graphml(snap: Snapshot, out: IO[bytes]) -> tuple[int, Dropped]:
    return write_tree(build(snap), snap, out)
