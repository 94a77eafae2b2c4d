"""The ``SOURCED_BY`` relationships from each node to the Source nodes its ``sources`` property names.

They are derived from the property, not data of their own: a load makes them match it (missing ones merged,
stale ones deleted) in its own transaction, for the nodes it wrote and the nodes that cite a source it wrote,
so a Browser user can expand a node to its sources with one double-click. They carry no properties, belong
to no dataset, and are not counted in the load summary.
"""

from __future__ import annotations

import neo4j

from wbkg.graph.schema import SOURCE_LINK
from wbkg.ontology.model import ROOT_CLASS

_TOUCHED = "(n.id IN $ids OR any(sid IN coalesce(n.sources, []) WHERE sid IN $ids)) AND NOT n.id IN $linked"
_STALE = (f"MATCH (n:{ROOT_CLASS})-[link:{SOURCE_LINK}]->(s) WHERE {_TOUCHED} "
          "AND (s.id IS NULL OR NOT s.id IN coalesce(n.sources, [])) DELETE link")
_MISSING = (f"MATCH (n:{ROOT_CLASS}) WHERE n.sources IS NOT NULL AND {_TOUCHED} "
            "UNWIND n.sources AS sid MATCH (s:Source {id: sid}) "
            f"MERGE (n)-[:{SOURCE_LINK}]->(s)")


def link_sources(tx: neo4j.ManagedTransaction | neo4j.Transaction, ids: list[str],
                 linked: list[str] | None = None) -> None:
    """Make the SOURCED_BY links of the nodes ``ids`` name, and of the nodes citing them, equal to their
    ``sources`` properties; ``linked`` nodes (a staged load's, linked while staging) are left as they are."""
    tx.run(_STALE, ids=ids, linked=linked or []).consume()
    tx.run(_MISSING, ids=ids, linked=linked or []).consume()
