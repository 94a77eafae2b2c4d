"""The ``SOURCED_BY`` relationships from each node to the Source nodes its ``sources`` property names.

They are derived from the property, not data of their own: after a load they are made to match it (missing
ones merged, stale ones deleted) in the load's transaction, so a Browser user can expand a node to its sources
with one double-click. They carry no properties and are not counted in the load summary.
"""

from __future__ import annotations

import neo4j

from wbkg.graph.schema import SOURCE_LINK
from wbkg.ontology.model import ROOT_CLASS

_STALE = (f"MATCH (n:{ROOT_CLASS})-[link:{SOURCE_LINK}]->(s) "
          "WHERE s.id IS NULL OR NOT s.id IN coalesce(n.sources, []) DELETE link")
_MISSING = (f"MATCH (n:{ROOT_CLASS}) WHERE n.sources IS NOT NULL "
            "UNWIND n.sources AS sid MATCH (s:Source {id: sid}) "
            f"MERGE (n)-[:{SOURCE_LINK}]->(s)")


def link_sources(tx: neo4j.ManagedTransaction) -> None:
    """Make the graph's SOURCED_BY links equal to its nodes' ``sources`` properties."""
    tx.run(_STALE).consume()
    tx.run(_MISSING).consume()
