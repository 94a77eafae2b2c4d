"""ownership-chain with uncertain stakes, on a small dataset of its own, in Cypher (Neo4j) and SPARQL (the
same files mapped to RDF): a range of shares bounds the effective share, an exact share is both bounds, an
unknown figure gives null (never 0), alternatives from different sources stay side by side, ties are broken
by link ids, ``contested false`` leaves out disputed links (making the owner below an ultimate owner), and
``as_of`` keeps the links in force in a period (a year or a month is all its days; undated links stay)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.ontology.vocab import Vocab
from wbkg.queries.registry import get_query
from wbkg.queries.runner import run_query
from wbkg.queries.sparql import run_named, store
from wbkg.rdf.mapping import dataset_triples
from wbkg.rdf.validate import validate_paths

MARKER = "WbkgTestMarker"
DATA = """\
nodes:
  - {id: src-a, class: Source, name: Source A, title: Report A, publisher: Publisher A, kind: news}
  - {id: src-b, class: Source, name: Source B, title: Report B, publisher: Publisher B, kind: news}
  - {id: target-firm, class: Firm, name: Target Firm, sources: [src-a]}
  - {id: holding, class: Firm, name: Holding Firm, sources: [src-a]}
  - {id: founder-co, class: Firm, name: Founder Company, sources: [src-a]}
  - {id: state-fund, class: Agency, name: State Fund, kind: government, sources: [src-b]}
relationships:
  - {type: OWNS, id: holding-stake-a, from: holding, to: target-firm, share: 40, status: asserted,
     evidence: Report A gives forty percent., sources: [src-a]}
  - {type: OWNS, id: holding-stake-b, from: holding, to: target-firm, share: 45, status: asserted,
     evidence: Report B gives forty-five percent., sources: [src-b]}
  - {type: OWNS, from: founder-co, to: holding, share_min: 50, share_max: 70, status: corroborated,
     evidence: Both reports put the founder company between half and seventy percent., sources: [src-a, src-b]}
  - {type: OWNS, from: state-fund, to: founder-co, end: "2018", status: disputed,
     evidence: "Report B alone says so, and that the fund sold out in 2018.", sources: [src-b]}
  - {type: OWNS, from: state-fund, to: target-firm, share_min: 5, date: "2021-03", status: asserted,
     evidence: "Report B says at least five percent, bought in March 2021.", sources: [src-b]}
"""

COLUMNS = ["ultimate_owner", "chain", "shares", "effective_share", "share_low", "share_high", "statuses", "links"]


def _pick(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        row = {k: r[k] for k in COLUMNS}
        for k in ("effective_share", "share_low", "share_high"):
            row[k] = None if row[k] is None else round(row[k], 6)
        out.append(row)
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ownership")
    (d / "stakes.yaml").write_text(DATA, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def stakes(graph_db: Graph, files: Path) -> Graph:
    graph_db.rows(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n", write=True)
    load(graph_db, validate_paths([files], graph_db.cfg.base_iri), progress=False)
    return graph_db


CONTESTED = [
    {"ultimate_owner": "State Fund", "chain": ["Target Firm", "State Fund"], "shares": [None],
     "effective_share": None, "share_low": 0.05, "share_high": None, "statuses": ["asserted"],
     "links": ["state-fund-owns-target-firm"]},
    {"ultimate_owner": "State Fund", "chain": ["Target Firm", "Holding Firm", "Founder Company", "State Fund"],
     "shares": [40, None, None], "effective_share": None, "share_low": None, "share_high": None,
     "statuses": ["asserted", "corroborated", "disputed"],
     "links": ["holding-stake-a", "founder-co-owns-holding", "state-fund-owns-founder-co"]},
    {"ultimate_owner": "State Fund", "chain": ["Target Firm", "Holding Firm", "Founder Company", "State Fund"],
     "shares": [45, None, None], "effective_share": None, "share_low": None, "share_high": None,
     "statuses": ["asserted", "corroborated", "disputed"],
     "links": ["holding-stake-b", "founder-co-owns-holding", "state-fund-owns-founder-co"]},
]
UNCONTESTED = [
    CONTESTED[0],
    {"ultimate_owner": "Founder Company", "chain": ["Target Firm", "Holding Firm", "Founder Company"],
     "shares": [40, None], "effective_share": None, "share_low": 0.2, "share_high": 0.28,
     "statuses": ["asserted", "corroborated"], "links": ["holding-stake-a", "founder-co-owns-holding"]},
    {"ultimate_owner": "Founder Company", "chain": ["Target Firm", "Holding Firm", "Founder Company"],
     "shares": [45, None], "effective_share": None, "share_low": 0.225, "share_high": 0.315,
     "statuses": ["asserted", "corroborated"], "links": ["holding-stake-b", "founder-co-owns-holding"]},
]


@pytest.mark.parametrize(("contested", "expected"), [("true", CONTESTED), ("false", UNCONTESTED)])
def test_ranges_alternatives_and_contested_links_in_cypher(stakes: Graph, contested: str,
                                                           expected: list[dict[str, Any]]) -> None:
    rows = run_query(stakes, get_query("ownership-chain"), {"entity": "Target Firm", "contested": contested})
    assert _pick(rows[-1].dicts()) == expected


@pytest.mark.parametrize(("contested", "expected"), [("true", CONTESTED), ("false", UNCONTESTED)])
def test_the_sparql_twin_gives_the_same_rows_in_the_same_order(files: Path, contested: str,
                                                                expected: list[dict[str, Any]]) -> None:
    from wbkg.ontology.model import load_model

    v = Vocab("https://wbkg.org/", load_model())
    g = store(dataset_triples(validate_paths([files], v.base), v))
    rs = run_named("ownership-chain", {"entity": "Target Firm", "contested": contested}, g, v)
    assert _pick(rs.dicts()) == expected


# as_of: the fund's stake in the founder company ended in 2018, its direct stake began in March 2021; the
# other links have no dates and always count
AS_OF = [
    ("2018-06", CONTESTED[1:]),  # the 2018 end counts until 2018-12-31; the 2021 stake not yet
    ("2019", UNCONTESTED[1:]),  # neither: the founder company is the ultimate owner
    ("2021-02", UNCONTESTED[1:]),  # the day before the month of purchase is still outside
    ("2021-03-15", UNCONTESTED),  # within the month of purchase: the direct stake counts
    ("2021", UNCONTESTED),
]


@pytest.mark.parametrize(("as_of", "expected"), AS_OF)
def test_as_of_keeps_the_links_in_force_in_cypher(stakes: Graph, as_of: str, expected: list[dict[str, Any]]) -> None:
    rows = run_query(stakes, get_query("ownership-chain"), {"entity": "Target Firm", "as_of": as_of})
    assert _pick(rows[-1].dicts()) == expected


@pytest.mark.parametrize(("as_of", "expected"), AS_OF)
def test_as_of_in_the_sparql_twin(files: Path, as_of: str, expected: list[dict[str, Any]]) -> None:
    from wbkg.ontology.model import load_model

    v = Vocab("https://wbkg.org/", load_model())
    g = store(dataset_triples(validate_paths([files], v.base), v))
    rs = run_named("ownership-chain", {"entity": "Target Firm", "as_of": as_of}, g, v)
    assert _pick(rs.dicts()) == expected
