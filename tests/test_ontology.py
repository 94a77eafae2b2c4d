"""The generated ontology files are current, well formed, aligned, and the shapes really validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyshacl import validate as shacl_validate
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, ORG, PROV

from wbkg.errors import InvalidModel
from wbkg.ontology import DEFAULT_BASE_IRI
from wbkg.ontology.build import render
from wbkg.ontology.model import PROPERTY_TYPES, ROOT_CLASS, load_model, parse_model
from wbkg.ontology.vocab import special_predicates, vocab

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
WBKG = Namespace(f"{DEFAULT_BASE_IRI}ontology#")
# a plain Namespace: pytest probes module attributes, and rdflib's strict SDO warns on each probe
SDO = Namespace("https://schema.org/")
MODEL = load_model()


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "wbkg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


# -- the committed files are what the model gives --------------------------------------------------

@pytest.mark.parametrize("name", ["wbkg.ttl", "shapes.ttl"])
def test_committed_file_is_current(name: str) -> None:
    rendered = render()
    assert sorted(rendered) == ["shapes.ttl", "wbkg.ttl"]
    committed = (ONTOLOGY_DIR / name).read_text(encoding="utf-8")
    assert committed == rendered[name], f"ontology/{name} is stale: run wbkg ontology build"


def test_render_is_stable() -> None:
    assert render() == render()


# -- classes and relationship predicates -----------------------------------------------------------

def test_declares_exactly_the_model_classes(onto: Graph) -> None:
    # the external classes our alignments name are declared too (OWL 2 DL), outside our namespace
    named = {c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(str(WBKG))}
    assert named == {WBKG[c] for c in [ROOT_CLASS, *MODEL.classes]}
    assert len(named) == 1 + len(MODEL.classes)


def test_declares_exactly_the_relationship_predicates(onto: Graph) -> None:
    notations = {str(n): s for s, n in onto.subject_objects(SKOS.notation)}
    assert set(notations) == set(MODEL.relationships)
    assert len(set(notations.values())) == len(MODEL.relationships)  # one predicate per type
    for rtype, iri in notations.items():
        assert (iri, RDF.type, OWL.ObjectProperty) in onto
        assert iri == WBKG[MODEL.relationships[rtype].local_name]
    assert notations["DOES_NOT_RECOGNIZE"] == WBKG.doesNotRecognize
    assert notations["PART_OF"] == WBKG.partOf


def test_ontology_header(onto: Graph) -> None:
    iri = URIRef(f"{DEFAULT_BASE_IRI}ontology")
    assert (iri, RDF.type, OWL.Ontology) in onto
    assert onto.value(iri, OWL.versionInfo) == Literal(MODEL.version)
    # Dublin Core elements, not dcterms (data properties here: one term cannot be two kinds of property in DL)
    assert onto.value(iri, DC.title) == Literal(MODEL.title, lang="en")
    assert onto.value(iri, DC.description) == Literal(MODEL.comment, lang="en")
    assert onto.value(iri, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")
    assert (iri, DCTERMS.title, None) not in onto


@pytest.mark.parametrize("cls", [ROOT_CLASS, *MODEL.classes])
def test_every_class_has_english_label_and_comment(onto: Graph, cls: str) -> None:
    for predicate in (RDFS.label, RDFS.comment):
        values = list(onto.objects(WBKG[cls], predicate))
        assert len(values) == 1, f"{cls} {predicate}: {values}"
        assert isinstance(values[0], Literal) and values[0].language == "en" and str(values[0]).strip()
    if cls != ROOT_CLASS:
        assert onto.value(WBKG[cls], RDFS.label) == Literal(MODEL.classes[cls].label, lang="en")


def test_class_hierarchy(onto: Graph) -> None:
    assert (WBKG.Firm, RDFS.subClassOf, WBKG.Agent) in onto
    assert (WBKG.Agent, RDFS.subClassOf, WBKG.Entity) in onto
    assert (WBKG.Place, RDFS.subClassOf, WBKG.Entity) in onto
    assert (WBKG.Firm, OWL.disjointWith, WBKG.Person) in onto
    concrete = len(MODEL.concrete_classes)
    assert len(list(onto.triples((None, OWL.disjointWith, None)))) == concrete * (concrete - 1) // 2 == 105


ALIGNMENTS = [
    (WBKG.Agent, OWL.equivalentClass, FOAF.Agent),
    (WBKG.Person, RDFS.subClassOf, FOAF.Person),
    (WBKG.Person, RDFS.subClassOf, SDO.Person),
    (WBKG.State, RDFS.subClassOf, SDO.Country),
    (WBKG.Agency, RDFS.subClassOf, ORG.OrganizationalUnit),
    (WBKG.Agency, RDFS.subClassOf, SDO.GovernmentOrganization),
    (WBKG.Firm, RDFS.subClassOf, ORG.FormalOrganization),
    (WBKG.Firm, RDFS.subClassOf, SDO.Corporation),
    (WBKG.Organization, RDFS.subClassOf, ORG.Organization),
    (WBKG.Place, RDFS.subClassOf, PROV.Location),
    (WBKG.Program, RDFS.subClassOf, PROV.Plan),
    (WBKG.Event, RDFS.subClassOf, SDO.Event),
    (WBKG.Claim, RDFS.subClassOf, PROV.Entity),
    (WBKG.Source, OWL.equivalentClass, DCTERMS.BibliographicResource),
    (WBKG.Source, RDFS.subClassOf, PROV.Entity),
    (WBKG.owns, RDFS.subPropertyOf, SDO.owns),
    (WBKG.memberOf, RDFS.subPropertyOf, ORG.memberOf),
    (WBKG.partOf, RDFS.subPropertyOf, SDO.isPartOf),  # not org:subOrganizationOf: events are part of things too
    (WBKG.organizes, OWL.inverseOf, SDO.organizer),  # schema:organizer points from the event to its organiser
    (WBKG.concerns, RDFS.subPropertyOf, DCTERMS.subject),
    (WBKG.sources, RDFS.subPropertyOf, PROV.wasInfluencedBy),  # events have sources: not prov:wasDerivedFrom
    (WBKG.title, RDFS.subPropertyOf, DCTERMS.title),
]


# publisher and author are names (strings): dcterms:publisher and dcterms:creator would make them agents
NOT_ALIGNED = [
    (WBKG.publisher, RDFS.subPropertyOf, DCTERMS.publisher),
    (WBKG.author, RDFS.subPropertyOf, DCTERMS.creator),
    (WBKG.partOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
    (WBKG.Project, RDFS.subClassOf, SDO.Project),  # a schema:Project is an Organization
    (WBKG.organizes, RDFS.subPropertyOf, SDO.organizer),
    (WBKG.sources, RDFS.subPropertyOf, PROV.wasDerivedFrom),  # its domain, prov:Entity, is disjoint with Activity
]


@pytest.mark.parametrize("triple", NOT_ALIGNED, ids=lambda t: f"{t[0].split('#')[-1]}-{t[2].n3()}")
def test_no_alignment_contradicting_the_standards(onto: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple not in onto


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].split('#')[-1]}-{t[2].n3()}")
def test_alignment(onto: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in onto


_ALIGN_PREDICATES = {"subClassOf": RDFS.subClassOf, "equivalentClass": OWL.equivalentClass,
                     "subPropertyOf": RDFS.subPropertyOf, "equivalentProperty": OWL.equivalentProperty,
                     "inverseOf": OWL.inverseOf}


def _curie(term: str) -> URIRef:
    prefix, local = term.split(":", 1)
    return URIRef(MODEL.prefixes[prefix] + local)


def test_every_alignment_in_the_schema_reaches_the_ontology(onto: Graph) -> None:
    v = vocab(DEFAULT_BASE_IRI)
    declared = [(v.cls(n), c.align) for n, c in MODEL.classes.items()]
    declared += [(v.rel(n), r.align) for n, r in MODEL.relationships.items()]
    declared += [(v.prop(n), p.align) for n, p in MODEL.all_property_defs().items()]
    wanted = {(s, _ALIGN_PREDICATES[k], _curie(t)) for s, align in declared for k, terms in align.items()
              for t in terms}
    stated = {t for t in onto if t[1] in _ALIGN_PREDICATES.values() and not str(t[2]).startswith(str(WBKG))}
    assert wanted == stated


def test_properties_exported_as_standard_terms_have_no_wbkg_term(onto: Graph) -> None:
    # schema.yaml's `predicate`: the export states these with the standard term itself
    assert special_predicates(MODEL) == {"id": DCTERMS.identifier, "name": RDFS.label, "aliases": SKOS.altLabel,
                                         "wikidata": OWL.sameAs}
    v = vocab(DEFAULT_BASE_IRI)
    assert [v.prop(n) for n in ("id", "name", "aliases", "wikidata")] == [DCTERMS.identifier, RDFS.label,
                                                                        SKOS.altLabel, OWL.sameAs]
    for local in ("id", "name", "aliases", "wikidata"):
        assert (WBKG[local], None, None) not in onto


def test_alignments_cover_the_five_vocabularies(onto: Graph) -> None:
    used = {str(o) for p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf)
            for o in onto.objects(None, p) if isinstance(o, URIRef) and not str(o).startswith(str(WBKG))}
    for ns in (SDO, ORG, FOAF, PROV, DCTERMS):
        assert any(u.startswith(str(ns)) for u in used), f"no alignment to {ns}"


# -- the SHACL shapes ------------------------------------------------------------------------------

PREFIXES = f"""\
@prefix wbkg: <{WBKG}> .
@prefix id: <{DEFAULT_BASE_IRI}id/> .
@prefix st: <{DEFAULT_BASE_IRI}statement/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

DATA = PREFIXES + """
id:src-test a wbkg:Source ; dcterms:identifier "src-test" ; rdfs:label "Test register" ;
    wbkg:title "Test register" ; wbkg:publisher "Test office" ; wbkg:kind "official" ;
    wbkg:date "2024-03"^^xsd:gYearMonth .
id:test-holding a wbkg:Firm ; dcterms:identifier "test-holding" ; rdfs:label "Test Holding" ;
    wbkg:sources id:src-test .
id:test-radio a wbkg:Firm ; dcterms:identifier "test-radio" ; {name}
    wbkg:founded "1993"^^xsd:gYear ; wbkg:sources id:src-test .
id:test-holding wbkg:owns id:test-radio .
st:test-holding-owns-test-radio a rdf:Statement ;
    rdf:subject id:test-holding ; rdf:predicate wbkg:owns ; rdf:object id:test-radio ;
    dcterms:identifier "test-holding-owns-test-radio" ; wbkg:sources id:src-test ;
    wbkg:evidence "The register lists the holding as a minority owner."@en ; wbkg:status "asserted" ;
    wbkg:share {share} ; wbkg:date "2024-03"^^xsd:gYearMonth .
"""


def _validate(data: str, shapes: Graph, onto: Graph) -> tuple[bool, Graph]:
    # the data as it stands: no ontology mixed in (the shapes name the classes the data states)
    conforms, report, _ = shacl_validate(Graph().parse(data=data, format="turtle"), shacl_graph=shapes,
                                         inference="none", abort_on_first=False)
    return bool(conforms), report


def _results(report: Graph) -> set[tuple[Any, ...]]:
    return {(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
             report.value(r, SH.sourceConstraintComponent))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


def test_shapes_accept_correct_data(shapes: Graph, onto: Graph) -> None:
    conforms, report = _validate(DATA.format(name='rdfs:label "Test Radio" ;', share="30.0"), shapes, onto)
    assert conforms, report.serialize(format="turtle")


def test_shapes_reject_share_150_and_missing_name(shapes: Graph, onto: Graph) -> None:
    conforms, report = _validate(DATA.format(name="", share="150.0"), shapes, onto)
    assert not conforms
    assert _results(report) == {
        (URIRef(f"{DEFAULT_BASE_IRI}statement/test-holding-owns-test-radio"), WBKG.share,
         SH.MaxInclusiveConstraintComponent),
        (URIRef(f"{DEFAULT_BASE_IRI}id/test-radio"), RDFS.label, SH.MinCountConstraintComponent),
    }


def test_shapes_reject_a_relationship_from_a_class_not_admitted(shapes: Graph, onto: Graph) -> None:
    data = DATA.format(name='rdfs:label "Test Radio" ;', share="30.0") + (
        "id:src-test wbkg:owns id:test-radio .\n")  # a Source cannot own
    conforms, report = _validate(data, shapes, onto)
    assert not conforms
    # OWNS admits Agents: the shape lists the concrete Agent classes an export states (sh:or of sh:class)
    assert _results(report) == {(URIRef(f"{DEFAULT_BASE_IRI}id/src-test"), None, SH.OrConstraintComponent)}


# -- a bad schema raises one clear InvalidModel ----------------------------------------------------

def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "prefixes": {"prov": "http://www.w3.org/ns/prov#"},
        "node_properties": {"id": {"type": "id", "required": True},
                            "sources": {"type": "ref", "range": "Source", "many": True}},
        "classes": {"Source": {"label": "source"},
                    "Actor": {"label": "actor", "align": {"subClassOf": "prov:Agent"}},
                    "Person": {"parent": "Actor", "properties": {"age": {"type": "integer"}}}},
        "relationships": {"KNOWS": {"from": ["Person"], "to": ["Actor"]}},
    }
    doc.update(changes)
    return doc


def test_a_small_good_schema_parses() -> None:
    m = parse_model(_doc(), "test.yaml")
    assert m.labels("Person") == ["Entity", "Actor", "Person"]
    assert sorted(m.properties("Person")) == ["age", "id", "sources"]
    assert m.admits("KNOWS", "to", "Person") is True


def _classes(**changes: Any) -> dict[str, Any]:
    return {**_doc()["classes"], **changes}


TYPES = str(sorted(PROPERTY_TYPES))
BAD_SCHEMAS = {
    "unknown parent": (_doc(classes=_classes(Person={"parent": "Human"})),
                       "test.yaml: class Person has unknown parent 'Human'"),
    "unknown range": (_doc(node_properties={"sources": {"type": "ref", "range": "Document"}}),
                      "test.yaml: property sources has unknown range 'Document'"),
    "cycle": (_doc(classes=_classes(Actor={"parent": "Person"})),
              "test.yaml: class Actor is its own ancestor"),
    "wrong property type": (_doc(classes=_classes(Person={"properties": {"age": {"type": "float"}}})),
                            f"classes.Person.age: type 'float' is not one of {TYPES}"),
    "two types for one name": (
        _doc(relationships={"KNOWS": {"from": ["Person"], "to": ["Actor"],
                                      "properties": {"age": {"type": "string"}}}}),
        "test.yaml: property age is declared as integer and string"),
    "unknown class in a relationship": (_doc(relationships={"KNOWS": {"from": ["Person"], "to": ["Robot"]}}),
                                        "test.yaml: relationship KNOWS names unknown class 'Robot'"),
    "relationship without ends": (_doc(relationships={"KNOWS": {"from": ["Person"]}}),
                                  "test.yaml: relationship KNOWS needs 'from' and 'to' classes"),
    "relationship type in lower case": (_doc(relationships={"knows": {"from": ["Person"], "to": ["Actor"]}}),
                                        "test.yaml: relationship type 'knows' must be UPPER_SNAKE_CASE"),
    "enum without values": (_doc(classes=_classes(Person={"properties": {"kind": {"type": "enum"}}})),
                            "classes.Person.kind: enum properties (and only they) list values"),
    "undeclared prefix": (_doc(classes=_classes(Actor={"align": {"subClassOf": "foaf:Agent"}})),
                          "test.yaml: alignment or predicate uses undeclared prefix 'foaf'"),
    "a predicate with an undeclared prefix": (
        _doc(node_properties={"id": {"type": "id", "required": True, "predicate": "dcterms:identifier"}}),
        "test.yaml: alignment or predicate uses undeclared prefix 'dcterms'"),
    "a predicate that is no prefixed name": (
        _doc(node_properties={"id": {"type": "id", "required": True, "predicate": "identifier"}}),
        "node_properties.id: predicate must be a prefixed name such as rdfs:label"),
    "a predicate and an alignment": (
        _doc(node_properties={"id": {"type": "id", "required": True, "predicate": "prov:value",
                                     "align": {"subPropertyOf": "prov:value"}}}),
        "node_properties.id: a property exported as the standard prov:value has no wbkg term to align"),
    "unknown alignment": (_doc(classes=_classes(Actor={"align": {"sameAs": "prov:Agent"}})),
                          "classes.Actor: unknown alignment 'sameAs'"),
    "class not a mapping": (_doc(classes=_classes(Actor="an agent")),
                            "test.yaml: class Actor must be a mapping"),
    "schema not a mapping": (["classes"], "test.yaml: the schema must be a mapping"),
    "omitting a required common property": (_doc(classes=_classes(Source={"omits": ["id"]})),
                                            "test.yaml: class Source omits 'id', which is not an optional common "
                                            "node property"),
    "named from a number": (_doc(classes=_classes(Person={"parent": "Actor", "name_from": "age",
                                                          "properties": {"age": {"type": "integer"}}})),
                            "test.yaml: class Person takes its name from 'age', not a text property"),
    "a colour not #RRGGBB": (_doc(classes=_classes(Actor={"style": {"color": "red"}})),
                             "classes.Actor: style color 'red' is not of the form #RRGGBB (upper case)"),
    "an ordered pair naming nothing": (_doc(ordered=[["age", "death"]]),
                                       "test.yaml: ordered pair [age, death] names an unknown property"),
    "a country code that is no ISO code": (_doc(country={"class": "Person", "code": "age"}),
                                           "test.yaml: country code 'age' is not an iso3166 property of Person"),
    "an ordered pair of two types": (_doc(ordered=[["age", "id"]]),
                                     "test.yaml: ordered pair [age, id] mixes types integer and id"),
}


def test_rules_kept_as_data_are_read_from_the_schema() -> None:
    assert MODEL.name_field("Source") == "title"
    assert "sources" not in MODEL.properties("Source")
    assert "sources" in MODEL.properties("Firm")
    assert {"OWNS", "PART_OF"} <= set(MODEL.acyclic_relationships)
    assert ("start", "end") in MODEL.ordered and ("share_min", "share_max") in MODEL.ordered
    assert MODEL.node_properties["name"].indexed and MODEL.node_properties["name"].searchable
    assert (MODEL.country_class, MODEL.country_code) == ("State", "iso_code")


@pytest.mark.parametrize("case", list(BAD_SCHEMAS))
def test_bad_schema_raises_invalid_model(case: str) -> None:
    doc, message = BAD_SCHEMAS[case]
    with pytest.raises(InvalidModel) as caught:
        parse_model(doc, "test.yaml")
    assert str(caught.value) == message
