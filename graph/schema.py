"""Neo4j constraints and indexes, derived from the ontology; fixed names, ``IF NOT EXISTS``,
so setting up the schema is re-runnable. The loader's own bookkeeping (its lock, its load records and
the staging of big loads) has a few more, so that those lookups are index seeks too."""

from __future__ import annotations

import re

from wbkg.ontology.model import ROOT_CLASS, Model, load_model

FULLTEXT_INDEX = "entity_names"
# Labels of the loader's bookkeeping nodes: never :Entity, so no query or count sees them as data.
LOAD_LOCK = "LoadLock"
LOAD_RECORD = "LoadRecord"
STAGED = "Staged"
_NAME = re.compile(r"CREATE (?:FULLTEXT )?(?:CONSTRAINT|INDEX) (\S+)")


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
    out += [
        f"CREATE CONSTRAINT load_lock_name IF NOT EXISTS FOR (n:{LOAD_LOCK}) REQUIRE n.name IS UNIQUE",
        f"CREATE CONSTRAINT load_record_id IF NOT EXISTS FOR (n:{LOAD_RECORD}) REQUIRE n.load_id IS UNIQUE",
        f"CREATE INDEX staged_load_id IF NOT EXISTS FOR (n:{STAGED}) ON (n.wbkg_load, n.id)",
    ]
    return out


def schema_names(model: Model | None = None) -> set[str]:
    """The names of the constraints and indexes ``schema_statements`` creates."""
    return {m.group(1) for stmt in schema_statements(model) if (m := _NAME.match(stmt))}
