"""Entity and country parameters: a user may give an id, a name or an alias, in any case.

Order: the id through the unique index (``MATCH (x:Entity {id: $v})``); for a country also the ISO code
through the ``State.iso_code`` index; then an exact case-insensitive name or alias match found through the
fulltext index ``entity_names`` and checked in Cypher. Nothing found: a QueryError listing the closest names.
Every value travels as a parameter; the Lucene query string is escaped and quoted as a phrase.
"""

from __future__ import annotations

import difflib
import re

from wbkg.errors import QueryError
from wbkg.graph.connection import Graph
from wbkg.graph.schema import FULLTEXT_INDEX
from wbkg.ontology.model import ROOT_CLASS, load_model

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_ISO = re.compile(r"^[A-Za-z]{2}$")

# Only these fixed texts enter the query; the label and key come from the model, never from the user.
_BY_ID = "MATCH (x:{label} {{id: $value}}) RETURN x.id AS id"
_BY_ISO = "MATCH (x:{label}) WHERE x.{code} = toUpper($value) RETURN x.id AS id ORDER BY x.id"
_BY_NAME = (
    "CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node "
    "WHERE node:{label} AND (toLower(node.name) = toLower($value) "
    "OR any(a IN coalesce(node.aliases, []) WHERE toLower(a) = toLower($value))) "
    "RETURN DISTINCT node.id AS id, node.name AS name ORDER BY id"
)
_ALL_NAMES = "MATCH (x:{label}) RETURN x.id AS id, x.name AS name, coalesce(x.aliases, []) AS aliases"


def lucene_phrase(value: str) -> str:
    """``value`` as an exact Lucene phrase query, every special character escaped."""
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", value) + '"'


def resolve(graph: Graph, kind: str, value: str, param: str = "entity") -> str:
    """The id of the node of ``kind`` ('entity' or 'country') that ``value`` names; QueryError otherwise."""
    model = load_model()
    label = model.country_class if kind == "country" else ROOT_CLASS
    value = value.strip()
    if not value:
        raise QueryError(f"parameter {param!r} is empty: give an id, a name or an alias")
    found = graph.rows(_BY_ID.format(label=label), {"value": value})
    if found:
        return str(found[0]["id"])
    if kind == "country" and model.country_code and _ISO.match(value):
        found = graph.rows(_BY_ISO.format(label=label, code=model.country_code), {"value": value})
        if len(found) == 1:
            return str(found[0]["id"])
    matches = graph.rows(_BY_NAME.format(label=label),
                         {"index": FULLTEXT_INDEX, "lucene": lucene_phrase(value), "value": value})
    if len(matches) == 1:
        return str(matches[0]["id"])
    if len(matches) > 1:
        listed = ", ".join(f"{m['id']} ({m['name']})" for m in matches)
        raise QueryError(f"{kind} {value!r} for parameter {param!r} is ambiguous: {listed}; give the id")
    raise QueryError(f"unknown {kind} {value!r} for parameter {param!r}{closest_hint(graph, label, value)}")


def closest_hint(graph: Graph, label: str, value: str) -> str:
    """'; closest: …' with up to five names (or aliases) nearest to ``value``, or '' when none is close."""
    by_lower: dict[str, str] = {}
    for row in graph.rows(_ALL_NAMES.format(label=label)):
        for text in [row["name"], row["id"], *row["aliases"]]:
            if text:
                by_lower.setdefault(str(text).lower(), f"{row['name']} [{row['id']}]")
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=8, cutoff=0.4)
    names: list[str] = []
    for c in close:
        if by_lower[c] not in names:
            names.append(by_lower[c])
    if not names:
        return "; no id, name or alias is close"
    return "; closest: " + ", ".join(names[:5])
