"""Entity and country parameters: a user may give an id, a name or an alias, in any case.

The rule is written once, in Cypher, by ``fragment``: every canned query that takes an ``entity`` or
``country`` parameter begins with it (the query loader checks), so a value typed in the Neo4j Browser
(``:param entity => 'Hytera'``) resolves exactly as ``-p entity Hytera`` does on the command line. Order: the id
through the unique index; for a country the ISO 3166 code through the ``State.iso_code`` index; then an exact
case-insensitive name or alias found through the fulltext index ``entity_names`` (a quoted Lucene phrase,
its quotes and backslashes escaped) and checked in Cypher. A value that names several nodes, or none,
resolves to nothing: the query returns no rows.

The command line runs the same fragment first (``resolve``), so that it can say why a value resolves to
nothing: ambiguous (listing the candidates) or unknown (listing the closest names). Every value travels as a
parameter; only the fixed label of the kind and the parameter's declared name enter the text.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from wbkg.errors import QueryError
from wbkg.graph.schema import FULLTEXT_INDEX
from wbkg.ontology.model import ROOT_CLASS, load_model

if TYPE_CHECKING:  # the runner passes a Graph; importing the driver here would slow `wbkg query list`
    from wbkg.graph.connection import Graph



def _label(kind: str) -> str:
    """The class a parameter of ``kind`` names: any entity, or the ontology's country class."""
    return load_model().country_class if kind == "country" else ROOT_CLASS


def fragment(kind: str, param: str, var: str, carry: tuple[str, ...] = ()) -> str:
    """The Cypher that binds ``var`` to the one node of ``kind`` that ``$param`` names (no row when none or
    several do). ``carry`` lists variables bound before it that later clauses still need."""
    label = _label(kind)
    code = load_model().country_code
    keep = "".join(f"{c}, " for c in carry)
    text = f"{param}_text"
    by_code = (f"     COLLECT {{ MATCH (n:{label}) WHERE n.{code} = toUpper({text}) RETURN n }} AS {param}_by_code,\n"
               if kind == "country" and code else "")
    code_rule = f"            WHEN size({param}_by_code) = 1 THEN {param}_by_code\n" if by_code else ""
    return (
        f"WITH {keep}trim(${param}) AS {text}  // an id, {'an ISO code, ' if kind == 'country' else ''}"
        "or a unique name or alias in any case\n"
        f"WITH {keep}{text}, COLLECT {{ MATCH (n:{label} {{id: {text}}}) RETURN n }} AS {param}_by_id,\n"
        f"{by_code}"
        f"     COLLECT {{\n"
        f"       CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', "
        f"'\"' + replace(replace({text}, '\\\\', '\\\\\\\\'), '\"', '\\\\\"') + '\"') YIELD node\n"
        f"       WHERE node:{label} AND (toLower(node.name) = toLower({text})\n"
        f"             OR any(alias IN coalesce(node.aliases, []) WHERE toLower(alias) = toLower({text})))\n"
        f"       RETURN DISTINCT node ORDER BY node.id\n"
        f"     }} AS {param}_by_name\n"
        f"UNWIND CASE WHEN size({param}_by_id) = 1 THEN {param}_by_id\n"
        f"{code_rule}"
        f"            WHEN size({param}_by_name) = 1 THEN {param}_by_name ELSE [] END AS {var}\n"
    )


def check(query_body: str, kind: str, param: str) -> bool:
    """Whether ``query_body`` resolves ``$param`` with ``fragment`` (into any variable, carrying any)."""
    m = re.search(rf"^WITH ([^\n]*?)trim\(\${param}\) AS .*?^UNWIND .*? END AS (\w+)$", query_body, flags=re.S | re.M)
    if not m:
        return False
    carry = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
    return fragment(kind, param, m.group(2), carry) in query_body + "\n"


def _probe(kind: str) -> str:
    """The fragment followed by what the command line needs to explain the outcome."""
    return (fragment(kind, "value", "found").replace("UNWIND ", "WITH value_by_name, ", 1)
            + "RETURN [x IN found | x.id] AS found, [x IN value_by_name | {id: x.id, name: x.name}] AS named")


_ALL_NAMES = "MATCH (x:{label}) RETURN x.id AS id, x.name AS name, coalesce(x.aliases, []) AS aliases"


def resolve(graph: Graph, kind: str, value: str, param: str = "entity") -> str:
    """The id of the node of ``kind`` ('entity' or 'country') that ``value`` names, by the rule of
    ``fragment``; QueryError saying why otherwise."""
    if not value.strip():
        raise QueryError(f"parameter {param!r} is empty: give an id, a name or an alias")
    row = graph.rows(_probe(kind), {"value": value})[0]
    if row["found"]:
        return str(row["found"][0])
    named = row["named"]
    if len(named) > 1:
        listed = ", ".join(f"{m['id']} ({m['name']})" for m in named)
        raise QueryError(f"{kind} {value!r} for parameter {param!r} is ambiguous: {listed}; give the id")
    raise QueryError(f"unknown {kind} {value!r} for parameter {param!r}"
                     f"{closest_hint(graph, _label(kind), value.strip())}")


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
