"""The README's examples work: its SPARQL query over the curated data, its saved-script example parses."""

from __future__ import annotations

import re
from pathlib import Path

from wbkg.loaders.dataset import read_dataset
from wbkg.ontology.vocab import vocab
from wbkg.queries.registry import parse_query
from wbkg.rdf.mapping import dataset_graph

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(lang: str) -> str:
    match = re.search(rf"```{lang}\n(.*?)```", README, re.S)
    assert match, f"README has no {lang} block"
    return "\n".join(line.strip() for line in match.group(1).splitlines())


def test_readme_sparql_example_finds_the_disputed_hytera_ownership() -> None:
    g = dataset_graph(read_dataset([ROOT / "data"]), vocab())
    rows = {(str(r[0]), str(r[1]).rsplit("#", 1)[1], str(r[2])) for r in g.query(_block("sparql"))}
    assert ("Shenzhen Investment Holdings", "owns", "Hytera Communications Corporation Limited") in rows


def test_readme_saved_script_example_is_a_valid_script(tmp_path: Path) -> None:
    blocks = re.findall(r"```cypher\n(.*?)```", README, re.S)
    script = next(b for b in blocks if b.startswith("// name:"))
    path = tmp_path / "suppliers-of.cypher"
    path.write_text(script, encoding="utf-8")
    q = parse_query(path)
    assert (q.name, q.mode, [p.name for p in q.params], [p.type for p in q.params]) == (
        "suppliers-of", "read", ["agency"], ["entity"])
