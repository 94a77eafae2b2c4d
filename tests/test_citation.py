"""A dataset users can cite: CITATION.cff, the data changelog and the RDF dataset description agree."""

from __future__ import annotations

from pathlib import Path

import yaml

from wbkg.rdf.dataset_description import DATASET

ROOT = Path(__file__).resolve().parents[1]


def test_citation_matches_the_dataset_description() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["type"] == "dataset"
    assert cff["title"] == DATASET["title"]
    assert cff["version"] == DATASET["version"]
    assert cff["date-released"] == DATASET["issued"]
    assert cff["license"] == "CC-BY-4.0" and DATASET["licence"] == "https://creativecommons.org/licenses/by/4.0/"


def test_changelog_opens_with_the_current_version() -> None:
    changelog = (ROOT / "data" / "CHANGELOG.md").read_text(encoding="utf-8")
    first = next(line for line in changelog.splitlines() if line.startswith("## "))
    assert first == f"## {DATASET['version']} ({DATASET['issued']})"


def test_data_licence_states_cc_by_and_the_disclaimer() -> None:
    text = (ROOT / "LICENSE-DATA.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "implies no wrongdoing" in text and "Reporting a correction" in text


def test_rdf_dataset_description_is_dcat_and_void() -> None:
    from rdflib import RDF, Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from wbkg.ontology.vocab import vocab
    from wbkg.rdf.dataset_description import DCAT_VERSION, VOID, dataset_iri, dataset_triples

    v = vocab("https://wbkg.org/")
    g = Graph()
    for t in dataset_triples(v):
        g.add(t)
    ds = dataset_iri(v)
    assert (ds, RDF.type, DCAT.Dataset) in g and (ds, RDF.type, VOID.Dataset) in g
    assert g.value(ds, DCAT_VERSION) == Literal(DATASET["version"])
    assert g.value(ds, DCTERMS.license) == URIRef(DATASET["licence"])
    assert str(g.value(ds, DCTERMS.issued)) == DATASET["issued"]
    assert g.value(ds, DCTERMS.title) is not None and g.value(ds, DCTERMS.publisher) is not None
