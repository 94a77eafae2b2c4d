"""The one mapping between graph records and RDF triples, used by the export, by SPARQL over
``data/`` and by SHACL validation, so all three give the same triples.

A node becomes a resource typed with its class. A relationship becomes an RDF-reified
``rdf:Statement`` that carries its id, sources, evidence, dates and status (standard RDF reification,
queryable with plain SPARQL 1.1), plus its direct triple (``:a wbkg:owns :b``) only when the link is a
fact we hold (status ``asserted`` or ``corroborated``): a disputed or denied link is never stated as
true, it exists only as its statement.

Triples are pyoxigraph terms (the fast serialisers and SPARQL engine); ``rdflib_graph`` turns them into
an rdflib Graph where rdflib is needed (pyshacl). Values of a list property (sources, aliases) are
written in the order of the record, so an export read back in document order keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node

from wbkg.loaders.dataset import Dataset
from wbkg.ontology.model import Model, PropertyDef
from wbkg.ontology.vocab import Vocab

Triple = ox.Triple
# The statuses of a link we state as a fact; the others (disputed, denied) are only reported.
FACT_STATUSES = ("asserted", "corroborated")

_XSD = str(XSD)
XSD_STRING = ox.NamedNode(_XSD + "string")
RDF_TYPE = ox.NamedNode(str(RDF.type))
RDF_STATEMENT = ox.NamedNode(str(RDF.Statement))
RDF_SUBJECT = ox.NamedNode(str(RDF.subject))
RDF_PREDICATE = ox.NamedNode(str(RDF.predicate))
RDF_OBJECT = ox.NamedNode(str(RDF.object))


def is_fact(props: dict[str, Any]) -> bool:
    """Whether a relationship is stated as a direct triple (see the module docstring)."""
    return props.get("status") in FACT_STATUSES


class Terms:
    """The pyoxigraph terms of one vocabulary, made once (the export makes millions of triples)."""

    def __init__(self, v: Vocab) -> None:
        m = v.model
        self.v = v
        self.cls = {c: ox.NamedNode(str(v.cls(c))) for c in m.classes}
        self.rel = {r: ox.NamedNode(str(v.rel(r))) for r in m.relationships}
        self.prop = {p: ox.NamedNode(str(v.prop(p))) for p in m.all_property_defs()}
        self._node = f"{v.base}id/"
        self._statement = f"{v.base}statement/"

    def node(self, node_id: str) -> ox.NamedNode:
        return ox.NamedNode(self._node + node_id)

    def statement(self, rel_id: str) -> ox.NamedNode:
        return ox.NamedNode(self._statement + rel_id)


_TERMS: dict[int, tuple[Vocab, Terms]] = {}


def terms(v: Vocab) -> Terms:
    hit = _TERMS.get(id(v))
    if hit is None or hit[0] is not v:
        hit = _TERMS[id(v)] = (v, Terms(v))
    return hit[1]


def _property_triples(t: Terms, subject: ox.NamedNode, defs: dict[str, PropertyDef],
                      props: dict[str, Any], skip: str | None = None) -> Iterator[Triple]:
    for name, value in props.items():
        if value is None or name == skip or name not in defs:
            continue
        p = defs[name]
        predicate = t.prop[name]
        for item in value if p.many else (value,):
            yield ox.Triple(subject, predicate, p.kind.term(item, t.v))


def node_triples(v: Vocab, cls: str, props: dict[str, Any]) -> Iterator[Triple]:
    t = terms(v)
    subject = t.node(props["id"])
    yield ox.Triple(subject, RDF_TYPE, t.cls[cls])
    yield from _property_triples(t, subject, v.model.properties(cls), props)


def relationship_triples(v: Vocab, rtype: str, source: str, target: str, rel_id: str,
                         props: dict[str, Any], *, direct: bool | None = None) -> Iterator[Triple]:
    """The statement of one relationship, and its direct triple when ``direct`` (by default: when it is a
    fact). The export passes ``direct=False`` for the second of two parallel links, whose direct triple
    the first one already wrote."""
    t = terms(v)
    s, p, o = t.node(source), t.rel[rtype], t.node(target)
    if is_fact(props) if direct is None else direct:
        yield ox.Triple(s, p, o)
    st = t.statement(rel_id)
    yield ox.Triple(st, RDF_TYPE, RDF_STATEMENT)
    yield ox.Triple(st, RDF_SUBJECT, s)
    yield ox.Triple(st, RDF_PREDICATE, p)
    yield ox.Triple(st, RDF_OBJECT, o)
    yield ox.Triple(st, t.prop["id"], ox.Literal(rel_id))
    yield from _property_triples(t, st, v.model.relationship_props(rtype), props, skip="id")


def dataset_triples(ds: Dataset, v: Vocab) -> Iterator[Triple]:
    """The curated dataset as RDF, straight from the records (no Neo4j needed), each triple once."""
    for n in ds.nodes.values():
        yield from node_triples(v, n.cls, n.props)
    stated: set[tuple[str, str, str]] = set()
    for r in ds.relationships:
        key = (r.source, r.type, r.target)
        direct = is_fact(r.props) and key not in stated
        if direct:
            stated.add(key)
        yield from relationship_triples(v, r.type, r.source, r.target, r.id, r.props, direct=direct)


def prefixes(v: Vocab) -> dict[str, str]:
    """The prefixes bound in every graph and export, used as the JSON-LD context and by SPARQL."""
    return {
        "wbkg": v.ns, "id": f"{v.base}id/", "st": f"{v.base}statement/",
        "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS), "owl": str(OWL), "xsd": str(XSD),
        "dcterms": str(DCTERMS), "prov": str(PROV),
    }


def sparql_prologue(v: Vocab) -> str:
    """``PREFIX`` lines for every prefix of ``prefixes``."""
    return "".join(f"PREFIX {k}: <{iri}>\n" for k, iri in prefixes(v).items())


# -- rdflib, where it is needed (pyshacl, the ontology builder) -----------------------------------------

def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return RdfLiteral(term.value, lang=term.language)
    if term.datatype == XSD_STRING:
        return RdfLiteral(term.value)
    return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, RdfLiteral)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def rdflib_graph(triples: Iterable[Triple], v: Vocab) -> Graph:
    g = new_graph(v)
    for tr in triples:
        g.add((to_rdflib(tr.subject), to_rdflib(tr.predicate), to_rdflib(tr.object)))  # type: ignore[arg-type]
    return g


def from_rdflib_graph(g: Graph) -> Iterator[Triple]:
    for s, p, o in g:
        yield ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))  # type: ignore[arg-type]


def bind_prefixes(g: Graph, v: Vocab) -> None:
    for prefix, iri in prefixes(v).items():
        g.bind(prefix, iri, override=True, replace=True)


def new_graph(v: Vocab) -> Graph:
    g = Graph()
    bind_prefixes(g, v)
    return g


def dataset_graph(ds: Dataset, v: Vocab) -> Graph:
    """The curated dataset as an rdflib Graph (for pyshacl and for tests comparing graphs)."""
    return rdflib_graph(dataset_triples(ds, v), v)


def is_node_iri(v: Vocab, term: Node) -> bool:
    return isinstance(term, URIRef) and v.node_id(str(term)) is not None


def node_class(model: Model, labels: list[str]) -> str | None:
    """The most specific ontology class among a node's labels (``Entity:Agent:Firm`` -> ``Firm``)."""
    classes = [lb for lb in labels if lb in model.classes]
    if not classes:
        return None
    return max(classes, key=lambda c: len(model.ancestors(c)))
