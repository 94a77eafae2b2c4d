"""The graph as FollowTheMoney entities (JSON lines: ``id``, ``schema``, ``properties`` as lists of strings).

Classes map to FtM schemata (``CLASS_SCHEMA``), relationships to FtM's interval entities (``Ownership``,
``Membership``, ``Employment``, ``ContractAward``; any other type is an ``UnknownLink`` whose ``role`` names
it). A source is a ``Document``; a node's sources are ``Documentation`` links, a relationship's sources its
``proof``. Claims are ``Note``s. A relationship's status goes into ``status`` and ``summary``, its evidence
into ``description``. Dates keep their precision (FtM dates are prefixes: 2023, 2023-05, 2023-05-17).
What has no FtM property is counted in ``Dropped``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from wbkg.interop.snapshot import Dropped, Node, Rel, Snapshot
from wbkg.ontology.model import Model, PropertyDef

PREFIX = "wbkg-"
TYPED = {"integer", "decimal", "percent", "date"}

CLASS_SCHEMA = {
    "State": "PublicBody", "Agency": "PublicBody", "Firm": "Company", "Organization": "Organization",
    "Person": "Person", "Place": "Address", "Program": "Project", "Agreement": "Contract",
    "Project": "Project", "Procurement": "Contract", "Donation": "Contract", "Event": "Event", "Claim": "Note",
    "Source": "Document", "CoverageGap": "Note",
}
# a class added to the ontology later, until it is mapped here: an agent is a LegalEntity, anything else a Note
FALLBACK_AGENT, FALLBACK = "LegalEntity", "Note"

# our property -> FtM property, per class (the common ones first); any other goes into notes as text
COMMON = {"name": "name", "aliases": "alias", "description": "description", "wikidata": "wikidataId",
          "themes": "keywords"}
CLASS_PROPS: dict[str, dict[str, str]] = {
    "State": {"iso_code": "country"},
    "Agency": {"kind": "classification"},
    "Firm": {"kind": "classification", "listing": "ticker", "founded": "incorporationDate"},
    "Organization": {"kind": "classification", "founded": "incorporationDate"},
    "Person": {"role": "position"},
    "Place": {"kind": "keywords"},
    "Program": {"kind": "keywords", "start": "startDate", "end": "endDate"},
    "Agreement": {"kind": "type", "signed": "contractDate", "signed_label": "notes"},
    "Project": {"kind": "keywords", "value": "amount", "currency": "currency", "start": "startDate",
                "end": "endDate"},
    "Procurement": {"product": "type", "value": "amount", "currency": "currency", "date": "contractDate",
                    "date_label": "notes"},
    "Donation": {"product": "type", "value": "amount", "currency": "currency", "date": "contractDate",
                 "date_label": "notes"},
    "CoverageGap": {"country": "country", "theme": "keywords", "result": "description"},
    "Event": {"kind": "keywords", "date": "date", "start": "startDate", "end": "endDate", "date_label": "notes"},
    "Claim": {"statement": "description", "status": "summary", "description": "notes"},
    "Source": {"title": "title", "publisher": "publisher", "author": "author", "date": "publishedAt",
               "url": "sourceUrl", "via": "notes", "kind": "keywords"},
}
# properties that are not values of the entity itself
STRUCTURAL = {"id", "sources"}

# relationship property -> FtM property, where the interval schema has one (else it goes into the summary)
REL_PROPS = {"date": "date", "start": "startDate", "end": "endDate", "role": "role", "share": "percentage",
             "amount": "amount", "currency": "currency"}
SCHEMA_REL_PROPS = {
    "Ownership": {"date", "startDate", "endDate", "role", "percentage"},
    "Membership": {"date", "startDate", "endDate", "role"},
    "Employment": {"date", "startDate", "endDate", "role"},
    "ContractAward": {"date", "startDate", "endDate", "role", "amount", "currency"},
    "UnknownLink": {"date", "startDate", "endDate", "role"},
}

# relationship type -> (schema, source-side property, target-side property), with the target schemata it needs
EDGE_SCHEMA: dict[str, tuple[str, str, str, frozenset[str]]] = {
    "OWNS": ("Ownership", "owner", "asset", frozenset({"Company"})),
    "MEMBER_OF": ("Membership", "member", "organization", frozenset({"Organization", "PublicBody", "Company"})),
    "AFFILIATED_WITH": ("Employment", "employee", "employer",
                        frozenset({"Organization", "PublicBody", "Company"})),
    "SUPPLIES": ("ContractAward", "supplier", "contract", frozenset({"Contract"})),
}
LEGAL_ENTITIES = frozenset({"PublicBody", "Company", "Organization", "Person", "LegalEntity"})


def ftm_id(our_id: str) -> str:
    return PREFIX + our_id


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _values(value: Any) -> list[str]:
    return [_text(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def _entity(eid: str, schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
    return {"id": eid, "schema": schema, "properties": {k: v for k, v in props.items() if v}}


def _add(props: dict[str, list[str]], key: str, values: list[str]) -> None:
    bucket = props.setdefault(key, [])
    bucket.extend(v for v in values if v not in bucket)


def _lost_type(dropped: Dropped, p: PropertyDef | None, name: str, where: str, n: int = 1) -> None:
    """Text keeps a string whole; a number or date written as text loses its type, which is reported."""
    if p is not None and p.type in TYPED:
        dropped.add(f"the {p.type} type of {name} values (kept as text in {where})", n)


def schema_of(model: Model, cls: str) -> str:
    if cls in CLASS_SCHEMA:
        return CLASS_SCHEMA[cls]
    return FALLBACK_AGENT if model.is_a(cls, "Agent") else FALLBACK


def node_entity(node: Node, model: Model, dropped: Dropped) -> dict[str, Any]:
    schema = schema_of(model, node.cls)
    mapping = {**COMMON, **CLASS_PROPS.get(node.cls, {})}
    props: dict[str, list[str]] = {}
    for key, value in node.props.items():
        if key in STRUCTURAL or value is None:
            continue
        target = mapping.get(key)
        values = _values(value)
        if target is None:  # no FtM property: kept as labelled text in notes, and reported
            target, values = "notes", [f"{key}: {v}" for v in values]
            _lost_type(dropped, model.properties(node.cls).get(key), f"{node.cls}.{key}", "notes", len(values))
        if target == "country":
            values = [v.lower() for v in values]
        if target == "notes" and key in ("date_label", "signed_label"):
            values = [f"date as stated: {v}" for v in values]
        if target == "notes" and key == "via":
            values = [f"seen via {v}" for v in values]
        if target == "summary" and key == "status":
            values = [f"status: {v}" for v in values]
        _add(props, target, values)
    if schema == "Document":
        props["fileName"] = [node.id]  # FtM requires a file name; the source's id names it stably
    if schema == "Contract":
        props["title"] = props.get("name", [node.id])[:1]
    if schema == "Address":
        props["full"] = props.get("name", [node.id])[:1]
    return _entity(ftm_id(node.id), schema, props)


def _summary(rel: Rel, snap: Snapshot, extra: list[str]) -> str:
    parts = [f"status: {rel.props.get('status', 'asserted')}"]
    claim = rel.props.get("claim")
    if claim:
        name = snap.nodes[claim].props.get("name", claim) if claim in snap.nodes else claim
        parts.append(f"claim: {name} ({ftm_id(claim)})")
    return "; ".join(parts + extra)


def _edge_schema(rel: Rel, snap: Snapshot) -> tuple[str, str, str]:
    source_schema = schema_of(snap.model, snap.nodes[rel.source].cls)
    target_schema = schema_of(snap.model, snap.nodes[rel.target].cls)
    if rel.type in EDGE_SCHEMA:
        schema, a, b, targets = EDGE_SCHEMA[rel.type]
        source_ok = source_schema == "Person" if schema == "Employment" else source_schema in LEGAL_ENTITIES
        if target_schema in targets and source_ok:
            return schema, a, b
    return "UnknownLink", "subject", "object"


def rel_entity(rel: Rel, snap: Snapshot, dropped: Dropped) -> dict[str, Any]:
    schema, a, b = _edge_schema(rel, snap)
    props: dict[str, list[str]] = {a: [ftm_id(rel.source)], b: [ftm_id(rel.target)]}
    if schema == "UnknownLink":
        props["role"] = [snap.model.relationships[rel.type].label]
    props["status"] = [str(rel.props.get("status", "asserted"))]
    if rel.props.get("evidence"):
        props["description"] = [str(rel.props["evidence"])]
    props["proof"] = [ftm_id(s) for s in rel.props.get("sources") or []]
    extra: list[str] = []
    for key, value in rel.props.items():
        if key in STRUCTURAL or key in ("status", "claim", "evidence") or value is None:
            continue
        target = REL_PROPS.get(key)
        if target is not None and target in SCHEMA_REL_PROPS[schema] and not (schema == "UnknownLink"
                                                                               and key == "role"):
            _add(props, target, _values(value))
        else:  # no property for it in this schema: said in the summary, and reported
            extra.append(f"{key}: {_text(value)}")
            _lost_type(dropped, snap.model.relationship_props(rel.type).get(key), f"{rel.type}.{key}", "summary")
    props["summary"] = [_summary(rel, snap, extra)]
    return _entity(ftm_id(rel.id), schema, props)


def entities(snap: Snapshot, dropped: Dropped) -> Iterator[dict[str, Any]]:
    """Every FtM entity of the snapshot: nodes, their Documentation links, then relationships."""
    for node in snap.nodes.values():
        yield node_entity(node, snap.model, dropped)
    for node in snap.nodes.values():
        for src in node.props.get("sources") or []:
            yield _entity(ftm_id(f"{node.id}--doc--{src}"), "Documentation",
                          {"document": [ftm_id(src)], "entity": [ftm_id(node.id)], "role": ["source"]})
    for rel in snap.rels:
        yield rel_entity(rel, snap, dropped)


def write_ftm(snap: Snapshot, out: IO[str]) -> tuple[int, Dropped]:
    """Write one entity a line; return the number written and what was dropped."""
    dropped = Dropped()
    snap.report_extra(dropped)
    n = 0
    for e in entities(snap, dropped):
        out.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n, dropped
