"""The README's examples work: its SPARQL query over the curated data, its saved-script example parses."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from wbkg.loaders.dataset import read_dataset
from wbkg.ontology.vocab import vocab
from wbkg.queries.registry import parse_query
from wbkg.rdf.mapping import dataset_triples

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    found = re.findall(rf"```{lang}\n(.*?)```", README, re.S)
    assert found, f"README has no {lang} block"
    return ["\n".join(line.strip() for line in b.splitlines()) for b in found]


def _select(query: str) -> list[tuple[str | None, ...]]:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                      for t in dataset_triples(read_dataset([ROOT / "data"]), vocab()))
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(None if sol[i] is None else sol[i].value for i in range(len(result.variables)))
            for sol in result]


def test_readme_sparql_examples_separate_facts_from_what_is_only_reported() -> None:
    facts, reported = _blocks("sparql")
    owned = {(o, f) for o, f, _ in _select(facts)}
    assert ("Shenzhen Investment Holdings", "Hytera Communications Corporation Limited") not in owned  # disputed
    assert ("Chen Qingzhou", "Hytera Communications Corporation Limited") in owned
    rows = _select(reported)
    assert {(a, link.rsplit("#", 1)[1], b, status) for a, link, b, status, _, _ in rows} >= {
        ("Shenzhen Investment Holdings", "owns", "Hytera Communications Corporation Limited", "disputed"),
        ("Fuzhou Public Security Bureau", "organizes", "Chinese overseas police service stations", "denied"),
    }
    assert len({(a, link, b) for a, link, b, *_ in rows}) == 10


def test_readme_saved_script_example_is_a_valid_script(tmp_path: Path) -> None:
    blocks = re.findall(r"```cypher\n(.*?)```", README, re.S)
    script = next(b for b in blocks if b.startswith("// name:"))
    path = tmp_path / "suppliers-of.cypher"
    path.write_text(script, encoding="utf-8")
    q = parse_query(path)
    assert (q.name, q.mode, [p.name for p in q.params], [p.type for p in q.params]) == (
        "suppliers-of", "read", ["agency"], ["entity"])
