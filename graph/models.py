"""neomodel models of the wbkg ontology. Generated from ontology/schema.yaml by `wbkg ontology build`
(graph/modelgen.py): do not edit by hand; tests/test_models.py fails when this file is stale.

Use them over a wbkg connection (nothing here connects at import)::

    from neomodel import db
    from wbkg.config import load_config
    from wbkg.graph.connection import Graph
    from wbkg.graph.models import Firm

    with Graph(load_config()) as graph:
        db.set_connection(driver=graph.driver)
        hytera = Firm.nodes.get(uid="hytera")
        owners = [(owner.name, hytera.owns.relationship(owner)) for owner in hytera.owns.all()]

Labels follow the ontology (a ``Firm`` node carries ``:Entity:Agent:Firm``); neomodel reserves the attribute
``id``, so the identifier is ``uid``, stored as the database property ``id``. A relationship is an attribute
named by its type in lower case on the classes it may start from; its end nodes come back as their own class.
"""

from __future__ import annotations

from neomodel import (
    ArrayProperty,
    FloatProperty,
    IntegerProperty,
    RegexProperty,
    RelationshipTo,
    StringProperty,
    StructuredNode,
    StructuredRel,
)

from wbkg.ontology.types import TYPES

# the patterns of the ontology's types (ontology/types.py), checked by neomodel on save
DATE = TYPES["date"].pattern.pattern  # type: ignore[union-attr]
ID = TYPES["id"].pattern.pattern  # type: ignore[union-attr]
ISO3166 = TYPES["iso3166"].pattern.pattern  # type: ignore[union-attr]
QID = TYPES["qid"].pattern.pattern  # type: ignore[union-attr]
REF = TYPES["ref"].pattern.pattern  # type: ignore[union-attr]
URL = TYPES["url"].pattern.pattern  # type: ignore[union-attr]


def choices(*values: str) -> dict[str, str]:
    """neomodel wants a mapping of stored value to display label; ours are the same."""
    return {v: v for v in values}


# -- relationship models --------------------------------------------------------------------------------------------


class Link(StructuredRel):
    """Properties every relationship has."""

    uid = RegexProperty(expression=ID, db_property="id", required=True)
    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    evidence = StringProperty(required=True)
    status = StringProperty(choices=choices("asserted", "corroborated", "disputed", "denied"), required=True)
    date = RegexProperty(expression=DATE)
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)
    date_label = StringProperty()
    claim = RegexProperty(expression=REF)


class Owns(Link):
    """Holds shares in or controls a firm."""

    share = FloatProperty()
    share_min = FloatProperty()
    share_max = FloatProperty()
    controlling = StringProperty(choices=choices("yes", "no"))


class Controls(Link):
    """Controls a firm or an organization without a known stake: for links where the sources speak of control (directly
    or through an intermediary) rather than of shares held. A known stake is an OWNS."""


class PartOf(Link):
    """Is a unit, round, component or subdivision of."""


class LocatedIn(Link):
    """Located in."""


class PartyTo(Link):
    """Signed or is bound by an agreement."""


class ParticipatesIn(Link):
    """Participates in."""

    role = StringProperty()
    officers = IntegerProperty()


class Organizes(Link):
    """Organizes, runs or launched."""


class Finances(Link):
    """Lends, grants or invests money for a project; the loan agreement itself is an Agreement of kind loan."""

    amount = FloatProperty()
    currency = StringProperty()
    financing = StringProperty(choices=choices("loan", "grant", "equity", "other"))


class Donates(Link):
    """Donates."""


class Receives(Link):
    """Receives."""


class ContractorOf(Link):
    """Contractor of."""

    role = StringProperty()


class Supplies(Link):
    """Is the supplier or maker of what was procured."""


class Procures(Link):
    """Bought or ordered."""


class DeployedTo(Link):
    """Has officers, stations or systems operating in a place."""

    officers = IntegerProperty()


class Targets(Link):
    """Targets."""

    kind = StringProperty(
        choices=choices("intimidation", "surveillance", "detention", "hacking", "pressure", "repatriation"),
        required=True,
    )


class Restricts(Link):
    """Lists, bans or sanctions a firm."""

    instrument = StringProperty(required=True)


class Litigates(Link):
    """Litigates against."""

    case = StringProperty()


class ConvictedIn(Link):
    """Pleaded guilty or was convicted or sentenced in a court event."""


class Recognizes(Link):
    """Recognizes."""


class DoesNotRecognize(Link):
    """Does not recognize."""


class MemberOf(Link):
    """Member of."""


class AffiliatedWith(Link):
    """Holds a post in or works for."""

    role = StringProperty()


class Asserts(Link):
    """Asserts."""


class Denies(Link):
    """Denies."""


class Contradicts(Link):
    """Contradicts."""


class Concerns(Link):
    """Concerns."""


class LedTo(Link):
    """One event caused or prompted another."""


# -- node models ---------------------------------------------------------------------------------------------------


class Entity(StructuredNode):
    """Every node of the graph."""

    __abstract_node__ = True
    __label__ = "Entity"

    uid = RegexProperty(expression=ID, db_property="id", unique_index=True, required=True)
    name = StringProperty(required=True)
    aliases = ArrayProperty(StringProperty())
    description = StringProperty()
    wikidata = RegexProperty(expression=QID)
    themes = ArrayProperty(
        StringProperty(
        choices=choices("police-cooperation", "police-stations", "surveillance", "defence", "infrastructure",
                        "diplomacy"),
    ),
    )


class Agent(Entity):
    """Anything that can act, own, sign or deny."""

    __abstract_node__ = True
    __label__ = "Agent"

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)

    owns = RelationshipTo("Firm", "OWNS", model=Owns)
    controls = RelationshipTo("Agent", "CONTROLS", model=Controls)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)
    party_to = RelationshipTo("Agreement", "PARTY_TO", model=PartyTo)
    participates_in = RelationshipTo("Entity", "PARTICIPATES_IN", model=ParticipatesIn)
    organizes = RelationshipTo("Entity", "ORGANIZES", model=Organizes)
    finances = RelationshipTo("Project", "FINANCES", model=Finances)
    donates = RelationshipTo("Donation", "DONATES", model=Donates)
    receives = RelationshipTo("Donation", "RECEIVES", model=Receives)
    procures = RelationshipTo("Procurement", "PROCURES", model=Procures)
    targets = RelationshipTo("Entity", "TARGETS", model=Targets)
    litigates = RelationshipTo("Agent", "LITIGATES", model=Litigates)
    convicted_in = RelationshipTo("Event", "CONVICTED_IN", model=ConvictedIn)
    member_of = RelationshipTo("Entity", "MEMBER_OF", model=MemberOf)
    asserts = RelationshipTo("Claim", "ASSERTS", model=Asserts)
    denies = RelationshipTo("Claim", "DENIES", model=Denies)


class Place(Entity):
    """A city, municipality, region, street or site; located in a state or another place."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    kind = StringProperty(
        choices=choices("city", "municipality", "region", "street", "site", "country-region"),
        required=True,
    )

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Program(Entity):
    """A standing initiative or programme: the Belt and Road Initiative, the Global Security Initiative, a joint-patrol
    programme, Safe City, the overseas police service station network, the community with a shared future."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    kind = StringProperty(
        choices=choices("initiative", "joint-patrol", "surveillance", "police-network", "diplomatic", "other"),
        required=True,
    )
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)
    targets = RelationshipTo("Entity", "TARGETS", model=Targets)


class Agreement(Entity):
    """A memorandum of understanding, a bilateral police or security agreement, a contract or a joint statement."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    kind = StringProperty(
        choices=choices("mou", "agreement", "contract", "joint-statement", "partnership", "loan", "concession"),
        required=True,
    )
    signed = RegexProperty(expression=DATE)
    signed_label = StringProperty()
    value = FloatProperty()
    currency = StringProperty()

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)


class Project(Entity):
    """An infrastructure project such as a railway, a station, a bridge or a plant."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    kind = StringProperty(
        choices=choices("railway", "station", "bridge", "plant", "building", "network", "other"),
        required=True,
    )
    value = FloatProperty()
    currency = StringProperty()
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Procurement(Entity):
    """Security, surveillance or military technology that a firm supplies to an agency or a state. An arms transfer is a
    procurement of category `weapons`: the weapon system is its product, the buyer PROCURES it, the maker SUPPLIES
    it."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    product = StringProperty(required=True)
    category = StringProperty(
        choices=choices("surveillance", "communications", "policing", "weapons", "other"),
    )
    delivered = RegexProperty(expression=DATE)
    delivered_label = StringProperty()
    quantity = IntegerProperty()
    value = FloatProperty()
    currency = StringProperty()
    date = RegexProperty(expression=DATE)
    date_label = StringProperty()

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Donation(Entity):
    """Equipment, vehicles or money given free by one party (DONATES) to another (RECEIVES)."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    product = StringProperty(required=True)
    quantity = IntegerProperty()
    value = FloatProperty()
    currency = StringProperty()
    date = RegexProperty(expression=DATE)
    date_label = StringProperty()

    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class CoverageGap(Entity):
    """A search that found nothing: for one country and one theme, what was searched, in which corpus, when, and what
    came back. It tells "not found" from "not looked for"; it is not a fact about the country."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    country = RegexProperty(expression=ISO3166, required=True)
    theme = StringProperty(
        choices=choices("police-cooperation", "police-stations", "surveillance", "defence", "infrastructure",
                        "diplomacy"),
        required=True,
    )
    searched = RegexProperty(expression=DATE, required=True)
    corpus = StringProperty(required=True)
    queries = ArrayProperty(StringProperty(), required=True)
    result = StringProperty(required=True)


class Event(Entity):
    """Something that happened at a time: a patrol round, a collapse, a bombing, a state visit, an assembly, a guilty
    plea, a protest, a detention, a closure."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    kind = StringProperty(
        choices=choices("patrol-round", "exercise", "collapse", "bombing", "state-visit", "assembly", "court", "plea",
                        "verdict", "sentencing", "protest", "detention", "closure", "publication", "designation",
                        "announcement", "resignation", "death", "other"),
        required=True,
    )
    date = RegexProperty(expression=DATE)
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)
    date_label = StringProperty()
    ordinal = IntegerProperty()
    officers = IntegerProperty()
    deaths = IntegerProperty()

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)
    led_to = RelationshipTo("Event", "LED_TO", model=LedTo)


class Claim(Entity):
    """A statement that an actor denies or that sources contradict. Actors and sources are linked to it by ASSERTS,
    DENIES and CONTRADICTS; the relationships that embody it carry its id in `claim`."""

    sources = ArrayProperty(RegexProperty(expression=REF), required=True)
    statement = StringProperty(required=True)
    status = StringProperty(choices=choices("disputed", "denied", "corrected"), required=True)

    concerns = RelationshipTo("Entity", "CONCERNS", model=Concerns)


class Source(Entity):
    """A document that supports facts in the graph."""

    title = StringProperty(required=True)
    publisher = StringProperty(required=True)
    author = StringProperty()
    date = RegexProperty(expression=DATE)
    url = RegexProperty(expression=URL)
    original_url = RegexProperty(expression=URL)
    via = StringProperty()
    language = StringProperty()
    retrieved = RegexProperty(expression=DATE)
    state_media_of = RegexProperty(expression=ISO3166)
    kind = StringProperty(
        choices=choices("official", "court-record", "news-agency", "news", "state-media", "ngo-report", "analysis",
                        "reference", "seed", "search-log"),
        required=True,
    )

    asserts = RelationshipTo("Claim", "ASSERTS", model=Asserts)
    contradicts = RelationshipTo("Claim", "CONTRADICTS", model=Contradicts)


class State(Agent):
    """A state, whether or not widely recognised."""

    iso_code = RegexProperty(expression=ISO3166)

    restricts = RelationshipTo("Firm", "RESTRICTS", model=Restricts)
    recognizes = RelationshipTo("State", "RECOGNIZES", model=Recognizes)
    does_not_recognize = RelationshipTo("State", "DOES_NOT_RECOGNIZE", model=DoesNotRecognize)


class Agency(Agent):
    """A public body such as a ministry, a police force or a public security bureau; part of a state or of another
    agency."""

    kind = StringProperty(
        choices=choices("ministry", "police", "public-security-bureau", "intelligence", "regulator", "court",
                        "prosecutor", "government", "legislature", "embassy", "armed-forces", "local-government",
                        "other"),
        required=True,
    )

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)
    restricts = RelationshipTo("Firm", "RESTRICTS", model=Restricts)


class Firm(Agent):
    """A company or consortium."""

    kind = StringProperty(choices=choices("company", "consortium", "bank", "state-enterprise"))
    listing = StringProperty()
    founded = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    contractor_of = RelationshipTo("Project", "CONTRACTOR_OF", model=ContractorOf)
    supplies = RelationshipTo("Procurement", "SUPPLIES", model=Supplies)


class Organization(Agent):
    """A non-governmental, international or diaspora organization, a think tank or a news organization."""

    kind = StringProperty(
        choices=choices("ngo", "international-organization", "think-tank", "diaspora-association", "media",
                        "alliance", "police-service-station", "other"),
        required=True,
    )
    founded = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)


class Person(Agent):
    """A named individual."""

    role = StringProperty()

    affiliated_with = RelationshipTo("Agent", "AFFILIATED_WITH", model=AffiliatedWith)


NODE_MODELS: dict[str, type[StructuredNode]] = {
    "Entity": Entity,
    "Agent": Agent,
    "State": State,
    "Agency": Agency,
    "Firm": Firm,
    "Organization": Organization,
    "Person": Person,
    "Place": Place,
    "Program": Program,
    "Agreement": Agreement,
    "Project": Project,
    "Procurement": Procurement,
    "Donation": Donation,
    "CoverageGap": CoverageGap,
    "Event": Event,
    "Claim": Claim,
    "Source": Source,
}

REL_MODELS: dict[str, type[StructuredRel]] = {
    "OWNS": Owns,
    "CONTROLS": Controls,
    "PART_OF": PartOf,
    "LOCATED_IN": LocatedIn,
    "PARTY_TO": PartyTo,
    "PARTICIPATES_IN": ParticipatesIn,
    "ORGANIZES": Organizes,
    "FINANCES": Finances,
    "DONATES": Donates,
    "RECEIVES": Receives,
    "CONTRACTOR_OF": ContractorOf,
    "SUPPLIES": Supplies,
    "PROCURES": Procures,
    "DEPLOYED_TO": DeployedTo,
    "TARGETS": Targets,
    "RESTRICTS": Restricts,
    "LITIGATES": Litigates,
    "CONVICTED_IN": ConvictedIn,
    "RECOGNIZES": Recognizes,
    "DOES_NOT_RECOGNIZE": DoesNotRecognize,
    "MEMBER_OF": MemberOf,
    "AFFILIATED_WITH": AffiliatedWith,
    "ASSERTS": Asserts,
    "DENIES": Denies,
    "CONTRADICTS": Contradicts,
    "CONCERNS": Concerns,
    "LED_TO": LedTo,
}
