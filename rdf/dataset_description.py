"""The dataset description carried by every RDF export: DCAT and VoID, from ``DATASET``.

``DATASET`` is the one place the release metadata lives in code; CITATION.cff and data/CHANGELOG.md repeat
it for people and tools, and tests/test_citation.py checks that they agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import RDF, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from wbkg.ontology.vocab import Vocab
from wbkg.rdf.mapping import Triple

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib's DCAT namespace predates it

DATASET = {
    "title": "wbkg: a sourced knowledge graph of China's security influence in the Western Balkans",
    "description": (
        "Joint police patrols, police service stations, surveillance technology, defence agreements and arms, "
        "Chinese-financed infrastructure and diplomatic alignment in Serbia, Bosnia and Herzegovina, Montenegro, "
        "North Macedonia, Albania, Kosovo and Croatia; every node and link cites its sources, disputes and "
        "searches that found nothing are recorded. Appearing in the graph implies no wrongdoing."),
    "version": "2026.12.0",
    "issued": "2026-12-01",  # the "as of" date: the sources were read up to this day
    "licence": "https://creativecommons.org/licenses/by/4.0/",
    "publisher": "wbkg project",
}


def dataset_iri(v: Vocab) -> URIRef:
    return URIRef(f"{v.base}dataset")


def dataset_triples(v: Vocab) -> Iterator[Triple]:
    """The description of the dataset as a dcat:Dataset and void:Dataset under ``{base}dataset``."""
    ds = dataset_iri(v)
    publisher = URIRef(f"{v.base}dataset#publisher")
    yield ds, RDF.type, DCAT.Dataset
    yield ds, RDF.type, VOID.Dataset
    yield ds, DCTERMS.title, Literal(DATASET["title"], lang="en")
    yield ds, DCTERMS.description, Literal(DATASET["description"], lang="en")
    yield ds, DCAT_VERSION, Literal(DATASET["version"])
    yield ds, DCTERMS.issued, Literal(DATASET["issued"], datatype=XSD.date)
    yield ds, DCTERMS.license, URIRef(DATASET["licence"])
    yield ds, DCTERMS.publisher, publisher
    yield publisher, RDF.type, FOAF.Organization
    yield publisher, FOAF.name, Literal(DATASET["publisher"])
    yield ds, VOID.uriSpace, Literal(f"{v.base}id/")
