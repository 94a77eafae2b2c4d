"""The ``SOURCED_BY`` relationships from each node to the Source nodes its ``sources`` property names.

They are derived from the property, not data of their own: a load makes them match it (missing ones merged,
stale ones deleted) in its own transaction, for the nodes it wrote and the nodes that cite a source it wrote,
so a Browser user can expand a node to its sources with one double-click. They carry no properties, belong
to no dataset, and are not counted in the load summary.
"""

from __future__ import annotations

from collections.abc import Iterable

import neo4j

from wbkg.graph.schema import SOURCE_LINK
from wbkg.loaders.dataset import NodeRecord
from wbkg.ontology.model import ROOT_CLASS, Model

SOURCE_CLASS = "Source"  # the label a node a ``sources`` value names must carry to be linked

_TOUCHED = "(n.id IN $ids OR any(sid IN coalesce(n.sources, []) WHERE sid IN $ids)) AND NOT n.id IN $linked"
_STALE = (f"MATCH (n:{ROOT_CLASS})-[link:{SOURCE_LINK}]->(s) WHERE {_TOUCHED} "
          "AND (s.id IS NULL OR NOT s.id IN coalesce(n.sources, [])) DELETE link")
_MISSING = (f"MATCH (n:{ROOT_CLASS}) WHERE n.sources IS NOT NULL AND {_TOUCHED} "
            f"UNWIND n.sources AS sid MATCH (s:{SOURCE_CLASS} {{id: sid}}) "
            f"MERGE (n)-[:{SOURCE_LINK}]->(s)")


def link_sources(tx: neo4j.ManagedTransaction | neo4j.Transaction, ids: list[str],
                 linked: list[str] | None = None) -> None:
    """Make the SOURCED_BY links of the nodes ``ids`` name, and of the nodes citing them, equal to their
    ``sources`` properties; ``linked`` nodes (a staged load's, linked while staging) are left as they are."""
    tx.run(_STALE, ids=ids, linked=linked or []).consume()
    tx.run(_MISSING, ids=ids, linked=linked or []).consume()


def source_pairs(nodes: Iterable[NodeRecord], model: Model) -> list[tuple[str, str]]:
    """The (node id, source id) pairs ``link_sources`` would link among ``nodes`` alone, with no graph to ask:
    each id a node's ``sources`` names that is a node of class Source (or a subclass) among them, once. A staged
    load (loaders.writer) links its staged nodes by them, and a bulk import (interop.bulk) writes them as
    relationships of its own, so they arrive with the nodes."""
    records = list(nodes)
    sources = {n.id for n in records if model.is_a(n.cls, SOURCE_CLASS)}
    out: list[tuple[str, str]] = []
    for n in records:
        seen: set[str] = set()
        for sid in n.props.get("sources") or []:
            if sid in sources and sid not in seen:
                seen.add(sid)
                out.append((n.id, sid))
    return out
