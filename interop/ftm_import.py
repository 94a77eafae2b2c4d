"""Read FollowTheMoney entities (JSON lines, as OpenSanctions exports them) into records of our classes.

The entities become their own dataset: ids ``ftm-<FtM id>``, every node and link citing one Source node
for the file (``src-ftm-<name>``) and keeping its FtM id. Schemata with no wbkg class (Sanction, Address,
...) are skipped and counted. ``review`` proposes links to curated nodes with the same Wikidata QID, or the
same normalised name (or alias) and class; they are reported for a person to judge, never merged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j

from wbkg.errors import InvalidData, Problem
from wbkg.graph.connection import Graph
from wbkg.interop.snapshot import Dropped
from wbkg.loaders.dataset import Dataset, NodeRecord, RelRecord
from wbkg.ontology.model import ROOT_CLASS
from wbkg.ontology.types import DATE_PATTERN, QID_PATTERN

NODE_PREFIX = "ftm-"
SCHEMA_CLASS = {"Person": "Person", "Company": "Firm", "Organization": "Organization",
                "LegalEntity": "Organization", "PublicBody": "Agency"}
CLASS_KIND = {"Firm": "company", "Organization": "other", "Agency": "other"}
# FtM interval schema -> (our type, property of the source end, property of the target end)
LINK_TYPE = {"Ownership": ("OWNS", "owner", "asset"), "Membership": ("MEMBER_OF", "member", "organization"),
             "Employment": ("AFFILIATED_WITH", "employee", "employer"),
             "Directorship": ("AFFILIATED_WITH", "director", "organization")}


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())
    return s.strip("-") or "x"


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded: 'HYTERA Communications, Ltd.' ~ 'hytera communications ltd'.
    Letters of every script are kept (only their combining marks go), so a Cyrillic name never folds to ''."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@dataclass
class Match:
    imported: str
    imported_name: str
    cls: str
    curated: str
    curated_name: str
    reason: str  # 'wikidata Q123' or 'name'


@dataclass
class FtmImport:
    dataset: Dataset
    source_id: str
    ftm_ids: dict[str, str] = field(default_factory=dict)  # our id -> FtM id
    skipped: Dropped = field(default_factory=Dropped)
    matches: list[Match] = field(default_factory=list)


def _first(props: dict[str, Any], key: str) -> str | None:
    values = props.get(key) or []
    return str(values[0]) if values else None


def _date(value: str | None) -> str | None:
    """An FtM date (a prefix of an ISO date-time) cut to our YYYY, YYYY-MM or YYYY-MM-DD."""
    if not value:
        return None
    cut = value[:10]
    return cut if DATE_PATTERN.match(cut) else None


def _node_props(cls: str, props: dict[str, Any], source_id: str, ftm_id: str) -> dict[str, Any]:
    names = [str(n) for n in props.get("name") or []]
    aliases = list(dict.fromkeys(names[1:] + [str(a) for a in props.get("alias") or []]))
    out: dict[str, Any] = {"id": NODE_PREFIX + slug(ftm_id), "name": names[0], "sources": [source_id]}
    if aliases:
        out["aliases"] = [a for a in aliases if a != names[0]]
    qid = _first(props, "wikidataId")
    if qid and QID_PATTERN.match(qid):
        out["wikidata"] = qid
    text = _first(props, "description") or _first(props, "summary") or _first(props, "notes")
    out["description"] = f"Imported from FollowTheMoney entity {ftm_id}." + (f" {text}" if text else "")
    if cls in CLASS_KIND:
        out["kind"] = CLASS_KIND[cls]
    if cls == "Person" and _first(props, "position"):
        out["role"] = _first(props, "position")
    if cls in ("Firm", "Organization") and _date(_first(props, "incorporationDate")):
        out["founded"] = _date(_first(props, "incorporationDate"))
    return out


def read_ftm(path: Path, name: str | None = None, publisher: str | None = None) -> FtmImport:
    """Read ``path`` (one FtM entity a line) into a dataset of our records; raise InvalidData naming the
    line of every entity that cannot be read."""
    file = str(path)
    dataset_name = name or path.stem
    source_id = f"src-ftm-{slug(dataset_name)}"
    problems: list[Problem] = []
    entities: list[tuple[int, dict[str, Any]]] = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(Problem(file, line_no, None, None, f"not a JSON object: {err.msg}"))
                continue
            if not isinstance(e, dict) or not isinstance(e.get("id"), str) or not isinstance(e.get("schema"), str) \
                    or not isinstance(e.get("properties", {}), dict):
                problems.append(Problem(file, line_no, None, None, "an FtM entity needs a string id and schema "
                                                                   "and a properties object"))
                continue
            entities.append((line_no, e))
    datasets = sorted({d for _, e in entities for d in e.get("datasets") or [] if isinstance(d, str)})
    imp = FtmImport(Dataset(files=[file]), source_id)
    ds = imp.dataset
    ds.nodes[source_id] = NodeRecord(source_id, "Source", {
        "id": source_id, "name": f"FollowTheMoney dataset {dataset_name}",
        "title": f"FollowTheMoney export {path.name}",
        "publisher": publisher or (", ".join(datasets) if datasets else dataset_name), "kind": "reference",
        "description": f"Entities imported with 'wbkg load --ftm' from {path.name}"
                       + (f" (datasets: {', '.join(datasets)})" if datasets else "") + ".",
    }, file, 1)
    ours: dict[str, str] = {}
    for line_no, e in entities:
        cls = SCHEMA_CLASS.get(e["schema"])
        if cls is None:
            continue
        props = e.get("properties") or {}
        if not props.get("name"):
            problems.append(Problem(file, line_no, e["id"], "name", f"a {e['schema']} needs a name"))
            continue
        node_id = NODE_PREFIX + slug(e["id"])
        if node_id in ds.nodes:
            problems.append(Problem(file, line_no, e["id"], "id", f"gives the id {node_id} a second time"))
            continue
        ours[e["id"]] = node_id
        imp.ftm_ids[node_id] = e["id"]
        ds.nodes[node_id] = NodeRecord(node_id, cls, _node_props(cls, props, source_id, e["id"]), file, line_no)
    for line_no, e in entities:
        schema = e["schema"]
        if schema in SCHEMA_CLASS:
            continue
        if schema not in LINK_TYPE:
            imp.skipped.add("FtM entities of schemata with no wbkg class", detail=schema)
            continue
        rtype, a, b = LINK_TYPE[schema]
        props = e.get("properties") or {}
        ends = [_first(props, a), _first(props, b)]
        if not all(x in ours for x in ends):
            problems.append(Problem(file, line_no, e["id"], a if ends[0] not in ours else b,
                                    "refers to an entity that is not in the file or has no wbkg class"))
            continue
        source, target = ours[str(ends[0])], ours[str(ends[1])]
        rel: dict[str, Any] = {"sources": [source_id], "status": "asserted",
                               "evidence": f"The FtM {schema} record {e['id']} links these two entities."}
        pct = _first(props, "percentage")
        if rtype == "OWNS" and pct:
            try:
                rel["share"] = float(pct.rstrip("%"))
            except ValueError:
                problems.append(Problem(file, line_no, e["id"], "percentage", f"{pct!r} is not a number"))
        for ftm_key, key in (("startDate", "start"), ("endDate", "end"), ("date", "date")):
            if _date(_first(props, ftm_key)):
                rel[key] = _date(_first(props, ftm_key))
        if rtype == "AFFILIATED_WITH" and _first(props, "role"):
            rel["role"] = _first(props, "role")
        rel_id = NODE_PREFIX + slug(e["id"])
        ds.relationships.append(RelRecord(rel_id, rtype, source, target, rel, file, line_no))
    if problems:
        raise InvalidData(problems)
    return imp


def review(graph: Graph, imp: FtmImport) -> list[Match]:
    """Curated nodes that look like the imported ones: same Wikidata QID, or same normalised name or alias
    and class. Imported nodes (ids ``ftm-``) are never candidates."""
    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(
            f"MATCH (n:{ROOT_CLASS}) WHERE NOT n.id STARTS WITH $prefix "
            "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.wikidata AS wikidata, labels(n) AS labels "
            "ORDER BY n.id", prefix=NODE_PREFIX)]

    curated = graph.read(work)
    by_qid: dict[str, list[dict[str, Any]]] = {}
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in curated:
        if c["wikidata"]:
            by_qid.setdefault(c["wikidata"], []).append(c)
        for label in c["labels"]:
            for text in [c["name"], *(c["aliases"] or [])]:
                if text and normalise_name(text):
                    by_name.setdefault((label, normalise_name(text)), []).append(c)
    matches: list[Match] = []
    for rec in imp.dataset.nodes.values():
        if rec.id == imp.source_id:
            continue
        seen: set[str] = set()
        found: list[tuple[dict[str, Any], str]] = []
        qid = rec.props.get("wikidata")
        for c in by_qid.get(qid, []) if qid else []:
            found.append((c, f"wikidata {qid}"))
        for text in [rec.props["name"], *(rec.props.get("aliases") or [])]:
            for c in by_name.get((rec.cls, normalise_name(text)), []) if normalise_name(text) else []:
                found.append((c, "name"))
        for c, reason in found:
            if c["id"] not in seen:
                seen.add(c["id"])
                matches.append(Match(rec.id, rec.props["name"], rec.cls, c["id"], c["name"], reason))
    imp.matches = matches
    return matches


def write_review(matches: list[Match], path: Path, ftm_ids: dict[str, str]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["imported_id", "ftm_id", "imported_name", "class", "curated_id", "curated_name", "match"])
        for m in matches:
            w.writerow([m.imported, ftm_ids.get(m.imported, ""), m.imported_name, m.cls, m.curated, m.curated_name,
                        m.reason])
