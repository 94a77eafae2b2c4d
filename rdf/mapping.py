"""The one mapping between graph records and RDF triples, used by the export, by SPARQL over
``data/`` and by SHACL validation, so all three give the same triples.

A node becomes a resource typed with its class. A relationship becomes its direct triple
(``:a wbkg:owns :b``) plus an RDF-reified ``rdf:Statement`` that carries its id, sources, evidence,
dates and status (standard RDF reification, queryable with plain SPARQL 1.1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from wbkg.loaders.dataset import Dataset
from wbkg.ontology.model import Model, PropertyDef
from wbkg.ontology.vocab import Vocab

Triple = tuple[Node, Node, Node]


def _values(v: Vocab, p: PropertyDef, value: Any) -> Iterator[Node]:
    for item in value if p.many else [value]:
        yield p.kind.term(item, v)


def node_triples(v: Vocab, cls: str, props: dict[str, Any]) -> Iterator[Triple]:
    subject = v.node(props["id"])
    yield subject, RDF.type, v.cls(cls)
    defs = v.model.properties(cls)
    for name, value in props.items():
        if value is None or name not in defs:
            continue
        predicate = v.prop(name)
        for obj in _values(v, defs[name], value):
            yield subject, predicate, obj


def relationship_triples(v: Vocab, rtype: str, source: str, target: str, rel_id: str,
                         props: dict[str, Any]) -> Iterator[Triple]:
    s, p, o = v.node(source), v.rel(rtype), v.node(target)
    yield s, p, o
    st = v.statement(rel_id)
    yield st, RDF.type, RDF.Statement
    yield st, RDF.subject, s
    yield st, RDF.predicate, p
    yield st, RDF.object, o
    yield st, v.prop("id"), Literal(rel_id)
    defs = v.model.relationship_props(rtype)
    for name, value in props.items():
        if value is None or name == "id" or name not in defs:
            continue
        predicate = v.prop(name)
        for obj in _values(v, defs[name], value):
            yield st, predicate, obj


def prefixes(v: Vocab) -> dict[str, str]:
    """The prefixes bound in every graph and export, used as the JSON-LD context and by SPARQL."""
    return {
        "wbkg": v.ns, "id": f"{v.base}id/", "st": f"{v.base}statement/",
        "rdfs": str(RDFS), "skos": str(SKOS), "owl": str(OWL), "xsd": str(XSD),
        "dcterms": str(DCTERMS), "prov": str(PROV),
    }


def bind_prefixes(g: Graph, v: Vocab) -> None:
    for prefix, iri in prefixes(v).items():
        g.bind(prefix, iri, override=True, replace=True)


def new_graph(v: Vocab) -> Graph:
    g = Graph()
    bind_prefixes(g, v)
    return g


def dataset_graph(ds: Dataset, v: Vocab) -> Graph:
    """The curated dataset as RDF, straight from the files (no Neo4j needed)."""
    g = new_graph(v)
    for n in ds.nodes.values():
        for t in node_triples(v, n.cls, n.props):
            g.add(t)
    for r in ds.relationships:
        for t in relationship_triples(v, r.type, r.source, r.target, r.id, r.props):
            g.add(t)
    return g


def is_node_iri(v: Vocab, term: Node) -> bool:
    return isinstance(term, URIRef) and v.node_id(str(term)) is not None


def node_class(model: Model, labels: list[str]) -> str | None:
    """The most specific ontology class among a node's labels (``Entity:Agent:Firm`` -> ``Firm``)."""
    classes = [lb for lb in labels if lb in model.classes]
    if not classes:
        return None
    return max(classes, key=lambda c: len(model.ancestors(c)))
