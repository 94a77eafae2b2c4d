"""The neomodel models are generated from the ontology, agree with it in both directions, and read the real graph.

The ontology's names are database names: a model property is compared by the name it is stored
under (``uid`` is stored as ``id``), so what neomodel reads and writes is exactly what the ontology
declares.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from neomodel import (
    ArrayProperty,
    FloatProperty,
    IntegerProperty,
    RegexProperty,
    StringProperty,
    StructuredNode,
    StructuredRel,
    db,
    get_config,
)
from neomodel.properties import Property
from neomodel.sync_.relationship_manager import RelationshipDefinition, RelationshipDirection

import wbkg.graph.models as models
from wbkg.graph.connection import Graph
from wbkg.graph.modelgen import MODELS_PATH, render_models
from wbkg.graph.models import NODE_MODELS, REL_MODELS, Agent, Claim, Entity, Firm, Owns, Source, State
from wbkg.loaders.writer import load
from wbkg.ontology.model import ROOT_CLASS, PropertyDef, load_model
from wbkg.ontology.types import DATE_PATTERN, ID_PATTERN, ISO_PATTERN, QID_PATTERN, TYPES, URL_PATTERN
from wbkg.rdf.validate import validate_paths

MODEL = load_model()
ONTOLOGY_CLASSES = [ROOT_CLASS, *MODEL.classes]
ABSTRACT = {ROOT_CLASS} | {c for c, d in MODEL.classes.items() if d.abstract}

# ontology property type -> (neomodel property class, regular expression it must check, if any)
EXPECTED_KIND: dict[str, tuple[type[Property], str | None]] = {
    "id": (RegexProperty, ID_PATTERN.pattern),
    "ref": (RegexProperty, ID_PATTERN.pattern),
    "string": (StringProperty, None),
    "text": (StringProperty, None),
    "enum": (StringProperty, None),
    "integer": (IntegerProperty, None),
    "decimal": (FloatProperty, None),
    "percent": (FloatProperty, None),
    "date": (RegexProperty, DATE_PATTERN.pattern),
    "url": (RegexProperty, URL_PATTERN.pattern),
    "qid": (RegexProperty, QID_PATTERN.pattern),
    "iso3166": (RegexProperty, ISO_PATTERN.pattern),
}


def test_committed_models_are_generated_from_the_model() -> None:
    committed = Path(__file__).resolve().parents[1].joinpath(*MODELS_PATH).read_text(encoding="utf-8")
    assert committed == render_models(), "graph/models.py is stale: run wbkg ontology build"


def test_every_type_has_its_expected_neomodel_form() -> None:
    assert set(EXPECTED_KIND) == set(TYPES)


def db_properties(model: type[StructuredNode] | type[StructuredRel]) -> dict[str, Property]:
    """The model's properties keyed by the name they are stored under."""
    return {p.get_db_property_name(name): p
            for name, p in model.defined_properties(aliases=False, rels=False).items()}


def ontology_properties(cls: str) -> dict[str, PropertyDef]:
    if cls == ROOT_CLASS:
        # the root holds what every node has: the common properties minus those some class is exempt from
        common = set.intersection(*(set(MODEL.properties(c)) for c in MODEL.concrete_classes))
        return {n: p for n, p in MODEL.node_properties.items() if n in common}
    return MODEL.properties(cls)


def relationships_of(model: type[StructuredNode]) -> dict[str, RelationshipDefinition]:
    return model.defined_properties(aliases=False, properties=False, rels=True)


def closest_common_class(classes: tuple[str, ...]) -> str:
    chains = [[*MODEL.ancestors(c), ROOT_CLASS] for c in classes]
    return next(c for c in chains[0] if all(c in chain for chain in chains))


def assert_property_agrees(where: str, prop: Property, pdef: PropertyDef) -> None:
    assert prop.required == pdef.required, f"{where}: required is {prop.required}, ontology says {pdef.required}"
    assert isinstance(prop, ArrayProperty) == pdef.many, f"{where}: list-valued must be {pdef.many}"
    item = prop.base_property if isinstance(prop, ArrayProperty) else prop
    kind, expression = EXPECTED_KIND[pdef.type]
    assert type(item) is kind, f"{where}: {type(item).__name__} for a {pdef.type}, expected {kind.__name__}"
    if expression is not None:
        assert item.expression == expression, f"{where}: checks {item.expression!r}, expected {expression!r}"
    choices = getattr(item, "choices", None)
    if pdef.type == "enum":
        assert choices is not None and tuple(choices) == pdef.values, f"{where}: choices {choices}"
    else:
        assert choices is None, f"{where}: a {pdef.type} has no choices"


# -- classes ---------------------------------------------------------------------------------------

def test_every_class_has_a_model_and_every_model_a_class() -> None:
    assert list(NODE_MODELS) == ONTOLOGY_CLASSES
    assert all(model.__name__ == name for name, model in NODE_MODELS.items())
    defined = {obj for _, obj in inspect.getmembers(models, inspect.isclass)
               if issubclass(obj, StructuredNode) and obj is not StructuredNode}
    assert defined == set(NODE_MODELS.values())


def test_abstract_classes_are_abstract_models() -> None:
    # neomodel gives concrete classes their own property caches; abstract ones have none
    concrete = {name for name, model in NODE_MODELS.items() if "__all_properties__" in vars(model)}
    assert concrete == set(MODEL.concrete_classes)
    assert set(NODE_MODELS) - concrete == ABSTRACT


@pytest.mark.parametrize("cls", ONTOLOGY_CLASSES)
def test_labels_agree(cls: str) -> None:
    expected = [ROOT_CLASS] if cls == ROOT_CLASS else MODEL.labels(cls)
    assert NODE_MODELS[cls].__label__ == cls
    assert list(reversed(NODE_MODELS[cls].inherited_labels())) == expected


@pytest.mark.parametrize("cls", ONTOLOGY_CLASSES)
def test_node_properties_agree(cls: str) -> None:
    props = db_properties(NODE_MODELS[cls])
    expected = ontology_properties(cls)
    assert set(props) == set(expected)
    for name, pdef in expected.items():
        assert_property_agrees(f"{cls}.{name}", props[name], pdef)


def test_id_is_the_unique_key_stored_as_id() -> None:
    assert Entity.uid.get_db_property_name("uid") == "id"
    assert Entity.uid.unique_index is True
    assert [n for n, p in db_properties(Firm).items() if p.unique_index] == ["id"]


def test_classes_omitting_sources_have_none() -> None:
    omitting = sorted(c for c, d in MODEL.classes.items() if "sources" in d.omits)
    assert "Source" in omitting
    assert sorted(c for c, m in NODE_MODELS.items() if "sources" not in db_properties(m)) == [ROOT_CLASS, *omitting]
    assert sorted(MODEL.properties("Source")) == sorted(db_properties(Source))
    assert "sources" not in MODEL.properties("Source")


# -- relationship models ---------------------------------------------------------------------------

def test_every_relationship_type_has_a_model_and_back() -> None:
    assert list(REL_MODELS) == list(MODEL.relationships)
    assert len(set(REL_MODELS.values())) == len(MODEL.relationships)
    defined = {obj for _, obj in inspect.getmembers(models, inspect.isclass)
               if issubclass(obj, StructuredRel) and obj is not StructuredRel}
    assert defined == set(REL_MODELS.values()) | {models.Link}


@pytest.mark.parametrize("rtype", list(MODEL.relationships))
def test_relationship_properties_agree(rtype: str) -> None:
    props = db_properties(REL_MODELS[rtype])
    expected = MODEL.relationship_props(rtype)
    assert set(props) == set(expected)
    for name, pdef in expected.items():
        assert_property_agrees(f"{rtype}.{name}", props[name], pdef)


def test_owns_carries_the_share_properties() -> None:
    assert sorted(db_properties(Owns)) == sorted([
        "id", "sources", "evidence", "status", "date", "start", "end", "date_label", "claim",
        "share", "share_min", "share_max", "controlling"])


def test_every_relationship_attribute_names_an_admitted_type() -> None:
    seen = 0
    for cls, model in NODE_MODELS.items():
        for attr, definition in relationships_of(model).items():
            rtype = definition.definition["relation_type"]
            assert rtype in MODEL.relationships, f"{cls}.{attr}: unknown type {rtype}"
            assert attr == rtype.lower(), f"{cls}.{attr} should be named {rtype.lower()}"
            assert MODEL.admits(rtype, "from", cls), f"{cls} may not start a {rtype}"
            assert definition.definition["direction"] == RelationshipDirection.OUTGOING
            assert definition.definition["model"] is REL_MODELS[rtype]
            definition.lookup_node_class()
            target = definition.definition["node_class"]
            assert target is NODE_MODELS[closest_common_class(MODEL.relationships[rtype].to_classes)], \
                f"{cls}.{attr} points at {target.__name__}"
            seen += 1
    # one attribute per (class, type it may start), inherited attributes counted on every class that has them
    assert seen == sum(MODEL.admits(r, "from", c) for c in MODEL.classes for r in MODEL.relationships)


@pytest.mark.parametrize("rtype", list(MODEL.relationships))
def test_every_admitted_class_can_start_its_relationships(rtype: str) -> None:
    attr = rtype.lower()
    for cls in MODEL.concrete_classes:
        has = attr in relationships_of(NODE_MODELS[cls])
        assert has == MODEL.admits(rtype, "from", cls), f"{cls}.{attr} present={has}"


def test_models_do_not_connect_at_import() -> None:
    code = "import wbkg.graph.models; from neomodel import db; assert db.driver is None, 'connected at import'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path.cwd())
    assert done.returncode == 0, done.stderr


# -- against the real database ---------------------------------------------------------------------

TINY = """\
nodes:
  - id: src-test-register
    class: Source
    title: Test company register extract
    publisher: Test Register Office
    kind: official
    date: "2024-03"
  - id: test-holding
    class: Firm
    name: Test Holding Group
    kind: company
    sources: [src-test-register]
  - id: test-radio
    class: Firm
    name: Test Radio Systems
    aliases: [TRS, Test Radio]
    kind: company
    founded: "1993"
    listing: TEST 000001
    sources: [src-test-register]
  - id: test-state
    class: State
    name: Testland
    iso_code: TL
    sources: [src-test-register]
  - id: claim-test-radio-state-owned
    class: Claim
    name: Test Radio is state-owned
    statement: The register is read as showing that a state body controls Test Radio; the firm says otherwise.
    status: disputed
    sources: [src-test-register]
relationships:
  - type: OWNS
    from: test-holding
    to: test-radio
    share: 10.5
    controlling: "no"
    status: disputed
    claim: claim-test-radio-state-owned
    date: "2024-03"
    date_label: early 2024
    evidence: The register lists the holding group as owner of about a tenth of the firm.
    sources: [src-test-register]
  - type: RESTRICTS
    from: test-state
    to: test-radio
    instrument: Test Covered List
    status: asserted
    start: "2022-11"
    evidence: Testland put the firm on its list of banned equipment makers.
    sources: [src-test-register]
  - type: CONCERNS
    from: claim-test-radio-state-owned
    to: test-radio
    status: asserted
    evidence: The claim is about who owns the firm.
    sources: [src-test-register]
"""


@pytest.fixture
def neomodel_graph(clean_db: Graph, tmp_path: Path) -> Iterator[Graph]:
    """The tiny dataset loaded into a clean database, with neomodel using the test's driver."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    summary = load(clean_db, validate_paths([tmp_path], clean_db.cfg.base_iri), progress=False)
    assert summary.created == {"Claim": 1, "Firm": 2, "Source": 1, "State": 1,
                               "CONCERNS": 1, "OWNS": 1, "RESTRICTS": 1}
    get_config().update(database_name=clean_db.cfg.database)
    db.set_connection(driver=clean_db.driver)
    yield clean_db
    # the driver belongs to the fixture; close_connection() would close it, so only let go of it
    db.driver = None


def test_models_read_the_loaded_graph(neomodel_graph: Graph) -> None:
    radio = Firm.nodes.get(uid="test-radio")
    assert isinstance(radio, Firm)
    assert (radio.uid, radio.name, radio.aliases, radio.kind) == (
        "test-radio", "Test Radio Systems", ["TRS", "Test Radio"], "company")
    assert (radio.founded, radio.listing, radio.sources) == ("1993", "TEST 000001", ["src-test-register"])
    assert (radio.description, radio.wikidata) == (None, None)
    assert sorted(radio.labels()) == ["Agent", "Entity", "Firm"]
    assert sorted(f.uid for f in Firm.nodes.all()) == ["test-holding", "test-radio"]

    holding = Firm.nodes.get(uid="test-holding")
    assert [f.uid for f in holding.owns.all()] == ["test-radio"]
    owns = holding.owns.relationship(radio)
    assert isinstance(owns, Owns)
    assert (owns.uid, owns.share, owns.share_min, owns.controlling, owns.status) == (
        "test-holding-owns-test-radio", 10.5, None, "no", "disputed")
    assert (owns.claim, owns.date, owns.date_label, owns.sources) == (
        "claim-test-radio-state-owned", "2024-03", "early 2024", ["src-test-register"])

    state = State.nodes.get(uid="test-state")
    assert state.iso_code == "TL"
    restricts = state.restricts.relationship(radio)
    assert (restricts.instrument, restricts.start, restricts.status) == ("Test Covered List", "2022-11", "asserted")

    # a link typed to the root class comes back as the end node's own class
    claim = Claim.nodes.get(uid="claim-test-radio-state-owned")
    concerned = claim.concerns.all()
    assert [(type(n).__name__, n.uid) for n in concerned] == [("Firm", "test-radio")]
    assert claim.status == "disputed"

    source = Source.nodes.get(uid="src-test-register")
    assert (source.name, source.publisher, source.kind, source.date) == (
        "Test company register extract", "Test Register Office", "official", "2024-03")
    assert not hasattr(source, "sources")
    assert len(Agent.nodes.all()) == 3
    assert sorted(type(n).__name__ for n in Entity.nodes.all()) == ["Claim", "Firm", "Firm", "Source", "State"]


def _neo4j_type(pdef: PropertyDef) -> str:
    kind = f"{pdef.kind.neo4j_type} NOT NULL"
    return f"LIST<{kind}> NOT NULL" if pdef.many else kind


def test_stored_values_have_the_neo4j_type_of_their_ontology_type(neomodel_graph: Graph) -> None:
    # properties the writer adds for its own bookkeeping are not the ontology's: only declared ones are compared
    nodes = neomodel_graph.rows(
        "MATCH (n:Entity) UNWIND keys(n) AS k RETURN n.id AS id, labels(n) AS labels, k, valueType(n[k]) AS t")
    rels = neomodel_graph.rows(
        "MATCH ()-[r]->() UNWIND keys(r) AS k RETURN r.id AS id, type(r) AS rtype, k, valueType(r[k]) AS t")
    checked: list[tuple[str, str, str]] = []
    for row in nodes:
        defs = MODEL.properties(max((lb for lb in row["labels"] if lb in MODEL.classes),
                                    key=lambda c: len(MODEL.ancestors(c))))
        if row["k"] in defs:
            checked.append((row["t"], _neo4j_type(defs[row["k"]]), defs[row["k"]].type))
    for row in rels:
        defs = MODEL.relationship_props(row["rtype"])
        if row["k"] in defs:
            checked.append((row["t"], _neo4j_type(defs[row["k"]]), defs[row["k"]].type))
    assert [(stored, expected) for stored, expected, _ in checked if stored != expected] == []
    # the tiny dataset holds a value of each of these types
    assert {t for _, _, t in checked} == {"id", "string", "text", "enum", "ref", "date", "percent", "iso3166"}
