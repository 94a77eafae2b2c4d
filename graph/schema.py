"""Neo4j constraints and indexes, derived from the ontology; fixed names, ``IF NOT EXISTS``,
so setting up the schema is re-runnable."""

from __future__ import annotations

from wbkg.ontology.model import ROOT_CLASS, Model, load_model

FULLTEXT_INDEX = "entity_names"


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def indexed_properties(model: Model) -> list[tuple[str, str]]:
    """(label, property) of every range index the model declares: common node properties on the root class,
    a class's own properties on that class."""
    out = [(ROOT_CLASS, name) for name, p in model.node_properties.items() if p.indexed]
    out += [(cls, name) for cls, c in model.classes.items() for name, p in c.own.items() if p.indexed]
    return out


def schema_statements(model: Model | None = None) -> list[str]:
    """The DDL statements: only labels, types and keys from the model enter the text."""
    m = model or load_model()
    searchable = [name for name, p in m.node_properties.items() if p.searchable]
    out = [f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ROOT_CLASS}) REQUIRE n.id IS UNIQUE"]
    if searchable:
        out.append(f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{ROOT_CLASS}) "
                   f"ON EACH [{', '.join(f'n.{name}' for name in searchable)}]")
    for cls in m.classes:
        out.append(f"CREATE CONSTRAINT {_snake(cls)}_id IF NOT EXISTS FOR (n:{cls}) REQUIRE n.id IS UNIQUE")
    for label, name in indexed_properties(m):
        out.append(f"CREATE INDEX {_snake(label)}_{name} IF NOT EXISTS FOR (n:{label}) ON (n.{name})")
    for rel in m.relationships:
        out.append(
            f"CREATE CONSTRAINT rel_{rel.lower()}_id IF NOT EXISTS FOR ()-[r:{rel}]-() REQUIRE r.id IS UNIQUE"
        )
    return out
