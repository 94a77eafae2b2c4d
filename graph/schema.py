"""Neo4j constraints and indexes, derived from the ontology; fixed names, ``IF NOT EXISTS``,
so setting up the schema is re-runnable."""

from __future__ import annotations

from wbkg.ontology.model import ROOT_CLASS, Model, load_model

FULLTEXT_INDEX = "entity_names"


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def schema_statements(model: Model | None = None) -> list[str]:
    """The DDL statements: only labels, types and keys from the model enter the text."""
    m = model or load_model()
    out = [
        f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ROOT_CLASS}) REQUIRE n.id IS UNIQUE",
        f"CREATE INDEX entity_name IF NOT EXISTS FOR (n:{ROOT_CLASS}) ON (n.name)",
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{ROOT_CLASS}) ON EACH [n.name, n.aliases]",
    ]
    for cls in m.classes:
        out.append(f"CREATE CONSTRAINT {_snake(cls)}_id IF NOT EXISTS FOR (n:{cls}) REQUIRE n.id IS UNIQUE")
    out.append("CREATE INDEX state_iso_code IF NOT EXISTS FOR (n:State) ON (n.iso_code)")
    out.append("CREATE INDEX event_date IF NOT EXISTS FOR (n:Event) ON (n.date)")
    for rel in m.relationships:
        out.append(
            f"CREATE CONSTRAINT rel_{rel.lower()}_id IF NOT EXISTS FOR ()-[r:{rel}]-() REQUIRE r.id IS UNIQUE"
        )
    return out


# Each node's links to the Source nodes its `sources` property names (loaders.source_links writes them, so that
# a Browser user can expand a node to its sources). Derived, not part of the model: queries that walk every
# relationship type exclude it, and the RDF export (which follows the model's types) never sees it.
SOURCE_LINK = "SOURCED_BY"
