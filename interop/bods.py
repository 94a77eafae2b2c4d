"""The ownership network as Beneficial Ownership Data Standard 0.4 statements (a JSON array).

Every agent at either end of an OWNS relationship gets an entity statement (states as ``state``, agencies as
``stateBody``, firms as ``registeredEntity``, organizations as ``legalEntity``) or a person statement; each
OWNS becomes a relationship statement whose interest carries the share as ``exact``, ``minimum`` or
``maximum``. Sources become the statement's ``source`` (type, url, assertedBy) plus one ``linking``
annotation per source; disputed and denied links carry a ``commenting`` annotation naming the claim. BODS
wants full dates: a year or a month is rounded to its first day, with a ``transformation`` annotation.
What BODS cannot say (the rest of the graph) is counted in ``Dropped``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import IO, Any

from wbkg.interop.snapshot import Dropped, Node, Rel, Snapshot

BODS_VERSION = "0.4"
PUBLISHER = {"name": "wbkg (Western Balkans security-influence knowledge graph)"}
ENTITY_TYPE = {"State": {"type": "state"}, "Firm": {"type": "registeredEntity"},
               "Organization": {"type": "legalEntity", "subtype": "other"}}
AGENCY_SUBTYPE = {"ministry": "governmentDepartment", "government": "governmentDepartment"}
# our source kinds that are official records; everything else is a third party's report
OFFICIAL_KINDS = {"official", "court-record"}
OWNERSHIP = "OWNS"


def statement_id(*parts: str) -> str:
    """A stable identifier of 64 hex characters (BODS wants 32 to 64)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def full_date(value: str, pointer: str, annotations: list[dict[str, Any]], today: str) -> str:
    """A YYYY-MM-DD date; a year or a month is rounded to its first day and the rounding annotated."""
    if len(value) == 10:
        return value
    rounded = value + ("-01-01" if len(value) == 4 else "-01")
    annotations.append({
        "statementPointerTarget": pointer, "motivation": "transformation", "creationDate": today,
        "createdBy": PUBLISHER,
        "description": f"The source gives {value} ({'year' if len(value) == 4 else 'month'} precision); "
                       f"BODS needs a full date, so it was rounded to {rounded}."})
    return rounded


def _source(snap: Snapshot, ids: list[str], status: str | None, evidence: str | None) -> dict[str, Any]:
    srcs = [snap.nodes[s].props for s in ids if s in snap.nodes]
    kinds = {p.get("kind") for p in srcs}
    out: dict[str, Any] = {"type": ["officialRegister"] if kinds and kinds <= OFFICIAL_KINDS else ["thirdParty"]}
    parts = [f"status: {status}"] if status else []
    if evidence:
        parts.append(evidence)
    parts.append("sources: " + "; ".join(f"{p.get('title')} ({p.get('publisher')})" for p in srcs))
    out["description"] = " ".join(x if x.endswith(".") else x + "." for x in parts)
    urls = [p["url"] for p in srcs if p.get("url")]
    if urls:
        out["url"] = urls[0]
    publishers = list(dict.fromkeys(str(p.get("publisher")) for p in srcs if p.get("publisher")))
    if publishers:
        out["assertedBy"] = [{"name": name} for name in publishers]
    return out


def _linking(snap: Snapshot, ids: list[str], today: str) -> list[dict[str, Any]]:
    out = []
    for s in ids:
        p = snap.nodes[s].props if s in snap.nodes else {"title": s}
        # a linking annotation must carry a url; a source without one is named in a comment instead
        ann: dict[str, Any] = {"statementPointerTarget": "/source",
                               "motivation": "linking" if p.get("url") else "commenting", "creationDate": today,
                               "createdBy": PUBLISHER,
                               "description": f"source {s}: {p.get('title')} ({p.get('publisher')}"
                                              + (f", {p['date']}" if p.get("date") else "") + ")"}
        if p.get("url"):
            ann["url"] = p["url"]
        out.append(ann)
    return out


def _statement(record_id: str, record_type: str, subject: str, details: dict[str, Any], source: dict[str, Any],
               annotations: list[dict[str, Any]], today: str) -> dict[str, Any]:
    st: dict[str, Any] = {
        "statementId": statement_id(record_type, record_id),
        "declarationSubject": subject,
        "statementDate": today,
        "recordId": record_id,
        "recordType": record_type,
        "recordStatus": "new",
        "recordDetails": details,
        "source": source,
        "publicationDetails": {"publicationDate": today, "bodsVersion": BODS_VERSION, "publisher": PUBLISHER},
    }
    if annotations:
        st["annotations"] = annotations
    return st


def _identifiers(node: Node) -> list[dict[str, str]]:
    ids = [{"id": node.id, "schemeName": "wbkg identifier"}]
    if node.props.get("wikidata"):
        ids.append({"id": node.props["wikidata"], "schemeName": "Wikidata",
                    "uri": f"https://www.wikidata.org/wiki/{node.props['wikidata']}"})
    return ids


def agent_statement(snap: Snapshot, node: Node, today: str, dropped: Dropped) -> dict[str, Any]:
    annotations: list[dict[str, Any]] = []
    p = node.props
    if node.cls == "Person":
        names = [{"type": "legal", "fullName": p["name"]}]
        names += [{"type": "alternative", "fullName": a} for a in p.get("aliases") or []]
        details: dict[str, Any] = {"isComponent": False, "personType": "knownPerson", "names": names,
                                   "identifiers": _identifiers(node)}
        if p.get("role"):
            dropped.add("Person.role values (BODS persons have no role)")
        record_type = "person"
    else:
        if node.cls == "Agency":
            subtype = AGENCY_SUBTYPE.get(p.get("kind", ""), "stateAgency")
            etype: dict[str, Any] = {"type": "stateBody", "subtype": subtype, "details": str(p.get("kind"))}
        else:
            etype = dict(ENTITY_TYPE.get(node.cls, {"type": "legalEntity", "subtype": "other"}))
            if p.get("kind"):
                etype["details"] = str(p["kind"])
        details = {"isComponent": False, "entityType": etype, "name": p["name"], "identifiers": _identifiers(node)}
        if p.get("aliases"):
            details["alternateNames"] = list(p["aliases"])
        if node.cls == "State" and p.get("iso_code"):
            details["jurisdiction"] = {"name": p["name"], "code": p["iso_code"]}
        if p.get("founded"):
            details["foundingDate"] = full_date(p["founded"], "/recordDetails/foundingDate", annotations, today)
        if p.get("listing"):
            dropped.add("Firm.listing values (BODS publicListing needs exchange and ticker apart)")
        record_type = "entity"
    if p.get("description"):
        annotations.append({"statementPointerTarget": "/recordDetails", "motivation": "commenting",
                            "creationDate": today, "createdBy": PUBLISHER, "description": p["description"]})
    sources = list(p.get("sources") or [])
    annotations += _linking(snap, sources, today)
    return _statement(node.id, record_type, node.id, details, _source(snap, sources, None, None), annotations,
                      today)


def ownership_statement(snap: Snapshot, rel: Rel, today: str) -> dict[str, Any]:
    p = rel.props
    annotations: list[dict[str, Any]] = []
    interest: dict[str, Any] = {"type": "shareholding", "directOrIndirect": "unknown"}
    share = {k: p[our] for our, k in (("share", "exact"), ("share_min", "minimum"), ("share_max", "maximum"))
             if p.get(our) is not None}
    if share:
        interest["share"] = share
    if p.get("controlling") == "yes":
        interest["details"] = "controlling holder"
    elif p.get("controlling") == "no":
        interest["details"] = "non-controlling holder"
    if p.get("date_label"):
        interest["details"] = "; ".join(filter(None, [interest.get("details"), f"date as stated: {p['date_label']}"]))
    for ours, key in (("start", "startDate"), ("date", "startDate"), ("end", "endDate")):
        if p.get(ours) and key not in interest:
            interest[key] = full_date(p[ours], f"/recordDetails/interests/0/{key}", annotations, today)
    details = {"isComponent": False, "subject": rel.target, "interestedParty": rel.source, "interests": [interest]}
    status = str(p.get("status", "asserted"))
    if status in ("disputed", "denied"):
        claim = p.get("claim")
        name = snap.nodes[claim].props.get("name") if claim and claim in snap.nodes else None
        annotations.append({"statementPointerTarget": "", "motivation": "commenting", "creationDate": today,
                            "createdBy": PUBLISHER,
                            "description": f"This link is {status}"
                                           + (f": see claim {claim} ({name})" if claim else "") + "."})
    sources = list(p.get("sources") or [])
    annotations += _linking(snap, sources, today)
    return _statement(rel.id, "relationship", rel.target, details,
                      _source(snap, sources, status, p.get("evidence")), annotations, today)


def statements(snap: Snapshot, today: str, dropped: Dropped) -> list[dict[str, Any]]:
    owns = [r for r in snap.rels if r.type == OWNERSHIP]
    ends = sorted({r.source for r in owns} | {r.target for r in owns})
    out = [agent_statement(snap, snap.nodes[i], today, dropped) for i in ends]
    out += [ownership_statement(snap, r, today) for r in owns]
    for r in snap.rels:
        if r.type != OWNERSHIP:
            dropped.add("relationships that are not ownership, which BODS cannot describe",
                        detail=r.type)
    others = [n for n in snap.nodes.values() if n.id not in set(ends) and n.cls != "Source"]
    for n in others:
        dropped.add("nodes outside the ownership network (sources are kept in the statements)",
                    detail=n.cls)
    return out


def write_bods(snap: Snapshot, out: IO[str], today: dt.date | None = None) -> tuple[int, Dropped]:
    dropped = Dropped()
    snap.report_extra(dropped)
    sts = statements(snap, (today or dt.date.today()).isoformat(), dropped)
    json.dump(sts, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(sts), dropped
