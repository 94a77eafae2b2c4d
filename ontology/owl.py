"""Build the OWL 2 ontology (Turtle) and the SHACL shapes from the model.

``wbkg ontology build`` writes both next to schema.yaml; a test fails when the committed files
differ from what the model gives, so the YAML stays the single source of truth.
"""

from __future__ import annotations

import itertools

from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DC, DCTERMS, PROV, SKOS

from wbkg.ontology.model import ROOT_CLASS, PropertyDef
from wbkg.ontology.types import class_in
from wbkg.ontology.vocab import Vocab

_counter = itertools.count()


def _bnode() -> BNode:
    """Blank nodes with predictable ids, so the generated Turtle is byte-for-byte stable."""
    return BNode(f"b{next(_counter):05d}")


def _reset() -> None:
    global _counter
    _counter = itertools.count()


def _bind(g: Graph, v: Vocab) -> None:
    g.bind("wbkg", Namespace(v.ns))
    g.bind("owl", OWL)
    g.bind("sh", SH)
    g.bind("skos", SKOS)
    g.bind("prov", PROV)
    g.bind("dcterms", DCTERMS)
    g.bind("dc", DC)
    for prefix, iri in v.model.prefixes.items():
        g.bind(prefix, Namespace(iri), override=False)


def _curie(v: Vocab, term: str) -> URIRef:
    prefix, local = term.split(":", 1)
    return URIRef(v.model.prefixes[prefix] + local)


def _union_of(g: Graph, kind: URIRef, members: list[URIRef]) -> BNode:
    """An anonymous class (or datatype) that is the union of ``members``."""
    node = _bnode()
    g.add((node, RDF.type, kind))
    lst = _bnode()
    Collection(g, lst, list(members))
    g.add((node, OWL.unionOf, lst))
    return node


def _union(g: Graph, members: list[URIRef]) -> URIRef | BNode:
    return members[0] if len(members) == 1 else _union_of(g, OWL.Class, members)


def _align(g: Graph, v: Vocab, subject: URIRef, align: dict[str, tuple[str, ...]]) -> None:
    """The alignment axioms, each external term declared with the kind its use gives it (a class, or a
    property of the subject's kind), as OWL 2 DL requires of every term an ontology uses."""
    predicates = {"subClassOf": RDFS.subClassOf, "equivalentClass": OWL.equivalentClass,
                  "subPropertyOf": RDFS.subPropertyOf, "equivalentProperty": OWL.equivalentProperty,
                  "inverseOf": OWL.inverseOf}
    kind = g.value(subject, RDF.type)
    assert kind is not None  # declared before it is aligned
    for key, terms in align.items():
        for term in terms:
            iri = _curie(v, term)
            g.add((subject, predicates[key], iri))
            g.add((iri, RDF.type, OWL.Class if key in ("subClassOf", "equivalentClass") else kind))


# The ontology's licence: the project's (LICENSE, MIT).
LICENSE = URIRef("https://spdx.org/licenses/MIT")


def build_ontology(v: Vocab) -> Graph:
    """The OWL 2 ontology: classes, object properties for relationships, datatype properties."""
    m = v.model
    _reset()
    g = Graph()
    _bind(g, v)
    onto = v.ontology_iri
    g.add((onto, RDF.type, OWL.Ontology))
    # Dublin Core elements (dc:title, dc:description), not dcterms: the dcterms terms are data properties here
    # (wbkg:title and wbkg:description align to them), and OWL 2 DL forbids one term as two kinds of property
    g.add((onto, DC.title, Literal(m.title, lang="en")))
    g.add((onto, DC.description, Literal(m.comment, lang="en")))
    g.add((onto, RDFS.label, Literal(m.title, lang="en")))
    g.add((onto, RDFS.comment, Literal(m.comment, lang="en")))
    g.add((onto, OWL.versionInfo, Literal(m.version)))
    g.add((onto, DCTERMS.license, LICENSE))
    for annotation in (SKOS.notation, SKOS.altLabel, DCTERMS.license, DC.title, DC.description):
        g.add((annotation, RDF.type, OWL.AnnotationProperty))
    # the export states ids with dcterms:identifier, a literal-valued (data) property
    g.add((DCTERMS.identifier, RDF.type, OWL.DatatypeProperty))

    root = v.cls(ROOT_CLASS)
    g.add((root, RDF.type, OWL.Class))
    g.add((root, RDFS.label, Literal("entity", lang="en")))
    g.add((root, RDFS.comment, Literal("Anything that is a node of the wbkg graph.", lang="en")))
    for name, c in m.classes.items():
        iri = v.cls(name)
        g.add((iri, RDF.type, OWL.Class))
        g.add((iri, RDFS.label, Literal(c.label, lang="en")))
        g.add((iri, RDFS.comment, Literal(c.comment, lang="en")))
        g.add((iri, RDFS.subClassOf, v.cls(c.parent) if c.parent else root))
        _align(g, v, iri, c.align)
    concrete = m.concrete_classes
    for a in concrete:  # concrete classes are pairwise disjoint
        for b in concrete:
            if a < b:
                g.add((v.cls(a), OWL.disjointWith, v.cls(b)))

    for name, r in m.relationships.items():
        iri = v.rel(name)
        g.add((iri, RDF.type, OWL.ObjectProperty))
        g.add((iri, RDFS.label, Literal(r.label, lang="en")))
        if r.comment:
            g.add((iri, RDFS.comment, Literal(r.comment, lang="en")))
        g.add((iri, RDFS.domain, _union(g, [v.cls(c) for c in r.from_classes])))
        g.add((iri, RDFS.range, _union(g, [v.cls(c) for c in r.to_classes])))
        g.add((iri, SKOS.notation, Literal(name)))  # the Neo4j relationship type
        _align(g, v, iri, r.align)

    # Properties: one declaration per name, with the union of the classes that use it as domain.
    domains: dict[str, list[URIRef]] = {}
    for name in m.concrete_classes:
        for p in m.properties(name):
            domains.setdefault(p, []).append(v.cls(name))
    for r in m.relationships.values():
        for p in {**m.relationship_properties, **r.own}:
            if RDF.Statement not in domains.setdefault(p, []):
                domains[p].append(RDF.Statement)
    for pname, pdef in m.all_property_defs().items():
        if pdef.predicate is not None:
            continue  # exported as a standard term (schema.yaml's `predicate`), declared above
        iri = v.prop(pname)
        doms = domains.get(pname, [])
        if set(doms) == {v.cls(c) for c in m.concrete_classes}:
            doms = [root]
        if RDF.Statement in doms:
            # rdf:Statement is reserved vocabulary in OWL 2 DL: a property that statements carry gets no domain
            # (the SHACL StatementShape says where it belongs)
            doms = []
        _declare_property(g, v, iri, pdef, _union(g, doms) if doms else None)
    return g


def _declare_property(g: Graph, v: Vocab, iri: URIRef, p: PropertyDef, domain: URIRef | BNode | None) -> None:
    g.add((iri, RDF.type, OWL.ObjectProperty if p.kind.object_property else OWL.DatatypeProperty))
    g.add((iri, RDFS.range, p.kind.owl_range(g, p, v, _bnode)))
    g.add((iri, RDFS.label, Literal(p.label, lang="en")))
    if p.comment:
        g.add((iri, RDFS.comment, Literal(p.comment, lang="en")))
    if domain is not None:
        g.add((iri, RDFS.domain, domain))
    _align(g, v, iri, p.align)


# -- SHACL ---------------------------------------------------------------------------------------

def _property_shape(g: Graph, v: Vocab, owner: URIRef, p: PropertyDef) -> None:
    shape = _bnode()
    g.add((owner, SH.property, shape))
    g.add((shape, SH.path, v.prop(p.name)))
    g.add((shape, SH.name, Literal(p.name)))
    if p.required:
        g.add((shape, SH.minCount, Literal(1)))
    if not p.many:
        g.add((shape, SH.maxCount, Literal(1)))
    p.kind.shacl(g, shape, p, v, _bnode)


def build_shapes(v: Vocab) -> Graph:
    """SHACL shapes: one node shape per class, one per relationship type and one for statements."""
    m = v.model
    _reset()
    g = Graph()
    _bind(g, v)
    shapes = Namespace(f"{v.base}shapes#")
    g.bind("wbkgsh", shapes)
    for name in m.concrete_classes:
        shape = shapes[f"{name}Shape"]
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetClass, v.cls(name)))
        g.add((shape, SH.closed, Literal(False)))
        for p in m.properties(name).values():
            _property_shape(g, v, shape, p)
    for name, r in m.relationships.items():
        shape = shapes[f"{name}Shape"]
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetSubjectsOf, v.rel(name)))
        _class_in(g, v, shape, r.from_classes)
        prop = _bnode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, v.rel(name)))
        _class_in(g, v, prop, r.to_classes)
    # Every relationship is reified as an rdf:Statement carrying its provenance.
    st = shapes["StatementShape"]
    g.add((st, RDF.type, SH.NodeShape))
    g.add((st, SH.targetClass, RDF.Statement))
    for path in (RDF.subject, RDF.predicate, RDF.object):
        prop = _bnode()
        g.add((st, SH.property, prop))
        g.add((prop, SH.path, path))
        g.add((prop, SH.minCount, Literal(1)))
        g.add((prop, SH.maxCount, Literal(1)))
        g.add((prop, SH.nodeKind, SH.IRI))
    seen: dict[str, PropertyDef] = dict(m.relationship_properties)
    for r in m.relationships.values():
        for pname, p in r.own.items():
            seen.setdefault(pname, PropertyDef(**{**p.__dict__, "required": False}))
    for p in seen.values():
        _property_shape(g, v, st, p)
    return g


def _class_in(g: Graph, v: Vocab, shape: URIRef | BNode, wanted: tuple[str, ...]) -> None:
    class_in(g, v, shape, wanted, _bnode)
