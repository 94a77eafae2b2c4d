"""Property-based: generated valid datasets, and generated corruptions of them, either load completely
(exact node and relationship counts, names stored as written) or are refused with ``InvalidData`` and
nothing written. No other exception, whatever the input."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import counts, fingerprint, wipe

from wbkg.config import Config
from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.rdf.validate import validate_paths

# Any printable text, including quotes, braces, backticks, '$', '//', ';' and non-Latin scripts.
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=25).filter(
    lambda s: s.strip() != "")
SHARES = st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100, allow_nan=False))


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    src = {"id": "src-a", "class": "Source", "title": draw(NAMES), "publisher": draw(NAMES), "kind": "news"}
    states = [{"id": f"state-{i}", "class": "State", "name": draw(NAMES), "sources": ["src-a"]}
              for i in range(draw(st.integers(1, 3)))]
    firms = [{"id": f"firm-{i}", "class": "Firm", "name": draw(NAMES), "aliases": draw(st.lists(NAMES, max_size=2,
              unique_by=str.strip)), "sources": ["src-a"]} for i in range(draw(st.integers(0, 4)))]
    places = [{"id": f"place-{i}", "class": "Place", "name": draw(NAMES), "kind": "city", "sources": ["src-a"]}
              for i in range(draw(st.integers(0, 3)))]
    for f in firms:
        if not f["aliases"]:
            del f["aliases"]
    rels: list[dict[str, Any]] = []
    for f in firms:
        owner = draw(st.sampled_from(states))
        rel = {"type": "OWNS", "from": owner["id"], "to": f["id"], "status": "asserted",
               "evidence": draw(NAMES), "sources": ["src-a"]}
        share = draw(SHARES)
        if share is not None:
            rel["share"] = share
        rels.append(rel)
    for p in places:
        rels.append({"type": "LOCATED_IN", "from": p["id"], "to": draw(st.sampled_from(states))["id"],
                     "status": "asserted", "evidence": draw(NAMES), "sources": ["src-a"]})  # one source
    return {"nodes": [src, *states, *firms, *places], "relationships": rels}


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def corrupt(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return corrupt


# (name, how) -> every one of these makes the dataset invalid
CORRUPTIONS: dict[str, Any] = {
    "share over 100": _set(("relationships", 0, "share"), 100.5),
    "impossible date": _set(("relationships", 0, "date"), "2023-02-30"),
    "unknown class": _set(("nodes", 1, "class"), "Country"),
    "dangling reference": _set(("relationships", 0, "to"), "nobody"),
    "missing name": lambda d: d["nodes"][1].pop("name"),
    "duplicate id": lambda d: d["nodes"].append(dict(d["nodes"][1])),
    "upper-case id": _set(("nodes", 1, "id"), "State-X"),
    "integer name": _set(("nodes", 1, "name"), 7),
    "unknown field": _set(("nodes", 1, "ceo"), "x"),
    "source not a Source": _set(("nodes", 1, "sources"), ["state-0"]),
    "bad status": _set(("relationships", 0, "status"), "rumour"),
    "end before start": lambda d: d["relationships"][0].update(start="2020-05", end="2020-04"),
}
TEXT_CORRUPTIONS = ["anchor", "python tag", "NUL byte", "bad UTF-8"]


def _write(doc: dict[str, Any], how: str | None, cut: int) -> bytes:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
    if how == "anchor":
        return text.replace(b"- id: src-a", b"- &s\n  id: src-a", 1)
    if how == "python tag":
        return text.replace(b"  name: ", b"  name: !!python/object/apply:os.getpid []\n  old_name: ", 1)
    if how == "NUL byte":
        return text[:cut % len(text)] + b"\x00" + text[cut % len(text):]
    if how == "bad UTF-8":
        return text[:cut % len(text)] + b"\xc3\x28" + text[cut % len(text):]
    if how == "truncated":
        return text[:cut % len(text)]
    return text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(doc=datasets(),
       how=st.sampled_from([None, None, "truncated", *CORRUPTIONS, *TEXT_CORRUPTIONS]),
       cut=st.integers(0, 10_000))
def test_loads_completely_or_writes_nothing(graph_db: Graph, neo4j_cfg: Config, doc: dict[str, Any],
                                            how: str | None, cut: int) -> None:
    if how in ("share over 100", "impossible date", "dangling reference", "bad status", "end before start") \
            and not doc["relationships"]:
        doc["nodes"].append({"id": "firm-x", "class": "Firm", "name": "X", "sources": ["src-a"]})
        doc["relationships"].append({"type": "OWNS", "from": "state-0", "to": "firm-x", "status": "asserted",
                                     "evidence": "e", "sources": ["src-a"]})
    if how in CORRUPTIONS:
        CORRUPTIONS[how](doc)
    wipe(graph_db)
    before = fingerprint(graph_db)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_bytes(_write(doc, how, cut))
        try:
            ds = validate_paths([path], neo4j_cfg.base_iri)
            load(graph_db, ds, progress=False)
        except InvalidData as e:
            assert how is not None, f"a valid dataset was refused: {[str(p) for p in e.problems]}"
            assert e.problems and all(str(p).startswith(str(path)) for p in e.problems)
            assert fingerprint(graph_db) == before
            return
    assert how in (None, "truncated"), f"corruption {how!r} was accepted"
    assert counts(graph_db) == (len(ds.nodes), len(ds.relationships))
    if how is None:
        assert counts(graph_db) == (len(doc["nodes"]), len(doc["relationships"]))
        stored = {r["id"]: r["name"] for r in graph_db.rows("MATCH (n:Entity) RETURN n.id AS id, n.name AS name")}
        assert stored == {n["id"]: n.get("name", n.get("title", "")).strip() for n in doc["nodes"]}
