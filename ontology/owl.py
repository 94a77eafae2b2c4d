"""Build the OWL 2 ontology (Turtle) and the SHACL shapes from the model.

``wbkg ontology build`` writes both next to schema.yaml; a test fails when the committed files
differ from what the model gives, so the YAML stays the single source of truth.
"""

from __future__ import annotations

import itertools

from rdflib import OWL, RDF, RDFS, SH, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DC, DCTERMS, PROV, SKOS
from rdflib.term import Node

from wbkg.ontology.model import ID_PATTERN, ROOT_CLASS, PropertyDef
from wbkg.ontology.vocab import SPECIAL_PREDICATES, Vocab

DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)
XSD_OF = {
    "id": XSD.string, "string": XSD.string, "text": XSD.string, "enum": XSD.string, "iso3166": XSD.string,
    "integer": XSD.integer, "decimal": XSD.decimal, "percent": XSD.decimal, "url": XSD.anyURI,
}
_counter = itertools.count()


def _bnode() -> BNode:
    """Blank nodes with predictable ids, so the generated Turtle is byte-for-byte stable."""
    return BNode(f"b{next(_counter):05d}")


def _reset() -> None:
    global _counter
    _counter = itertools.count()


PATTERNS = {"id": ID_PATTERN.pattern, "qid": r"^Q[1-9][0-9]*$", "iso3166": r"^[A-Z]{2}$"}


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
        if pname in SPECIAL_PREDICATES:
            continue
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
    if p.type == "ref":
        g.add((iri, RDF.type, OWL.ObjectProperty))
        g.add((iri, RDFS.range, v.cls(p.range or ROOT_CLASS)))
    else:
        g.add((iri, RDF.type, OWL.DatatypeProperty))
        # xsd:date, gYearMonth and gYear are not in the OWL 2 datatype map: the OWL range of a date is any
        # literal, and the SHACL shapes keep the precise types
        g.add((iri, RDFS.range, RDFS.Literal if p.type == "date" else
               RDF.PlainLiteral if p.type == "text" else XSD_OF[p.type]))
    g.add((iri, RDFS.label, Literal(p.label, lang="en")))
    if p.comment:
        g.add((iri, RDFS.comment, Literal(p.comment, lang="en")))
    if domain is not None:
        g.add((iri, RDFS.domain, domain))
    _align(g, v, iri, p.align)


# -- SHACL ---------------------------------------------------------------------------------------

def _value_constraints(g: Graph, v: Vocab, shape: BNode, p: PropertyDef) -> None:
    if p.type == "ref":
        _class_in(g, v, shape, None, (p.range or ROOT_CLASS,))
        g.add((shape, SH.nodeKind, SH.IRI))
    elif p.type == "qid":
        g.add((shape, SH.nodeKind, SH.IRI))
        g.add((shape, SH.pattern, Literal(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")))
    elif p.type == "date":
        alternatives: list[Node] = []
        for dt in DATE_TYPES:
            alt = _bnode()
            g.add((alt, SH.datatype, dt))
            alternatives.append(alt)
        lst = _bnode()
        Collection(g, lst, alternatives)
        g.add((shape, SH["or"], lst))
    elif p.type == "text":  # our own prose, in English: the export tags it @en
        g.add((shape, SH.datatype, RDF.langString))
        lst = _bnode()
        Collection(g, lst, [Literal("en")])
        g.add((shape, SH.languageIn, lst))
    else:
        g.add((shape, SH.datatype, XSD_OF[p.type]))
    if p.type == "enum":
        lst = _bnode()
        Collection(g, lst, [Literal(x) for x in p.values])
        g.add((shape, SH["in"], lst))
    if p.type == "percent":
        g.add((shape, SH.minInclusive, Literal(0, datatype=XSD.decimal)))
        g.add((shape, SH.maxInclusive, Literal(100, datatype=XSD.decimal)))
    if p.type == "integer":
        g.add((shape, SH.minInclusive, Literal(0)))
    if p.type in PATTERNS and p.type != "qid":
        g.add((shape, SH.pattern, Literal(PATTERNS[p.type])))
    if p.type == "string":
        g.add((shape, SH.pattern, Literal(r"^[^\n]*$")))


def _property_shape(g: Graph, v: Vocab, owner: URIRef, p: PropertyDef) -> None:
    shape = _bnode()
    g.add((owner, SH.property, shape))
    g.add((shape, SH.path, v.prop(p.name)))
    g.add((shape, SH.name, Literal(p.name)))
    if p.required:
        g.add((shape, SH.minCount, Literal(1)))
    if not p.many:
        g.add((shape, SH.maxCount, Literal(1)))
    _value_constraints(g, v, shape, p)


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
        _class_in(g, v, shape, None, r.from_classes)
        prop = _bnode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, v.rel(name)))
        _class_in(g, v, prop, None, r.to_classes)
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


def _class_in(g: Graph, v: Vocab, shape: URIRef | BNode, _: None, wanted: tuple[str, ...]) -> None:
    # An export types each node with its own (concrete) class only, so the shapes name those: a standalone
    # export validates without the ontology's subclass axioms mixed in.
    m = v.model
    classes = [c for c in m.concrete_classes if any(w == ROOT_CLASS or m.is_a(c, w) for w in wanted)]
    if len(classes) == 1:
        g.add((shape, SH["class"], v.cls(classes[0])))
        return
    alternatives: list[Node] = []
    for c in classes:
        alt = _bnode()
        g.add((alt, SH["class"], v.cls(c)))
        alternatives.append(alt)
    lst = _bnode()
    Collection(g, lst, alternatives)
    g.add((shape, SH["or"], lst))
