"""neomodel models mirroring ``ontology/schema.yaml``, written out by hand.

The ontology stays the single source of truth: ``tests/test_models.py`` checks both directions
(every class, property, required flag, enum value, relationship type and label set of the ontology
has its counterpart here, and nothing here lacks one in the ontology).

Conventions
- Labels follow the ontology: a ``Firm`` node carries ``:Entity:Agent:Firm``. The abstract classes
  ``Entity`` and ``Agent`` set ``__label__`` themselves because neomodel gives abstract classes none.
- neomodel reserves the Python attribute ``id`` (on nodes and relationships alike), so the stable
  identifier is the attribute ``uid`` stored as the database property ``id``:
  ``Firm.nodes.get(uid="hytera")``.
- Relationships are ``RelationshipTo`` attributes on the classes the ontology lists as ``from``,
  named by the type in lower case; where ``to`` lists several classes they point at the closest
  common class (``Entity`` or ``Agent``) and neomodel inflates each end node to its own class.
- Nothing here connects to a database: the caller sets the connection
  (``neomodel.db.set_connection(driver=graph.driver)``).
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

from wbkg.loaders.dataset import DATE_PATTERN, ISO_PATTERN, QID_PATTERN, URL_PATTERN
from wbkg.ontology.model import ID_PATTERN

ID = ID_PATTERN.pattern
DATE = DATE_PATTERN.pattern
QID = QID_PATTERN.pattern
ISO3166 = ISO_PATTERN.pattern
URL = URL_PATTERN.pattern
THEMES = ("police-cooperation", "police-stations", "surveillance", "defence", "infrastructure", "diplomacy")


def choices(*values: str) -> dict[str, str]:
    """neomodel wants a mapping of stored value to display label; ours are the same."""
    return {v: v for v in values}


# -- relationship models ---------------------------------------------------------------------------

class Link(StructuredRel):
    """Properties every relationship has: identity, provenance, dates and status."""

    uid = RegexProperty(expression=ID, db_property="id", required=True)
    sources = ArrayProperty(RegexProperty(expression=ID), required=True)
    evidence = StringProperty(required=True)
    status = StringProperty(required=True, choices=choices("asserted", "corroborated", "disputed", "denied"))
    date = RegexProperty(expression=DATE)
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)
    date_label = StringProperty()
    claim = RegexProperty(expression=ID)


class Owns(Link):
    share = FloatProperty()
    share_min = FloatProperty()
    share_max = FloatProperty()
    controlling = StringProperty(choices=choices("yes", "no"))


class PartOf(Link):
    pass


class LocatedIn(Link):
    pass


class PartyTo(Link):
    pass


class ParticipatesIn(Link):
    role = StringProperty()
    officers = IntegerProperty()


class Organizes(Link):
    pass


class Finances(Link):
    amount = FloatProperty()
    currency = StringProperty()
    financing = StringProperty(choices=choices("loan", "grant", "equity", "other"))


class Donates(Link):
    pass


class Receives(Link):
    pass


class ContractorOf(Link):
    role = StringProperty()


class Supplies(Link):
    pass


class Procures(Link):
    pass


class DeployedTo(Link):
    officers = IntegerProperty()


class Targets(Link):
    kind = StringProperty(
        required=True,
        choices=choices("intimidation", "surveillance", "detention", "hacking", "pressure", "repatriation"),
    )


class Restricts(Link):
    instrument = StringProperty(required=True)


class Litigates(Link):
    case = StringProperty()


class ConvictedIn(Link):
    pass


class Recognizes(Link):
    pass


class DoesNotRecognize(Link):
    pass


class MemberOf(Link):
    pass


class AffiliatedWith(Link):
    role = StringProperty()


class Asserts(Link):
    pass


class Denies(Link):
    pass


class Contradicts(Link):
    pass


class Concerns(Link):
    pass


class LedTo(Link):
    pass


# -- node models -----------------------------------------------------------------------------------

class Entity(StructuredNode):
    """Every node of the graph (label ``:Entity``)."""

    __abstract_node__ = True
    __label__ = "Entity"

    uid = RegexProperty(expression=ID, db_property="id", unique_index=True, required=True)
    name = StringProperty(required=True)
    aliases = ArrayProperty(StringProperty())
    description = StringProperty()
    wikidata = RegexProperty(expression=QID)
    themes = ArrayProperty(StringProperty(choices=choices(*THEMES)))


class CitesSources:
    """Mixed into every class but ``Source``: the node cites the Source nodes that support it."""

    sources = ArrayProperty(RegexProperty(expression=ID), required=True)


class Agent(Entity, CitesSources):
    """Anything that can act, own, sign or deny."""

    __abstract_node__ = True
    __label__ = "Agent"

    owns = RelationshipTo("Firm", "OWNS", model=Owns)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)
    party_to = RelationshipTo("Agreement", "PARTY_TO", model=PartyTo)
    participates_in = RelationshipTo("Entity", "PARTICIPATES_IN", model=ParticipatesIn)
    organizes = RelationshipTo("Entity", "ORGANIZES", model=Organizes)
    finances = RelationshipTo("Project", "FINANCES", model=Finances)
    procures = RelationshipTo("Procurement", "PROCURES", model=Procures)
    donates = RelationshipTo("Donation", "DONATES", model=Donates)
    receives = RelationshipTo("Donation", "RECEIVES", model=Receives)
    targets = RelationshipTo("Entity", "TARGETS", model=Targets)
    litigates = RelationshipTo("Agent", "LITIGATES", model=Litigates)
    convicted_in = RelationshipTo("Event", "CONVICTED_IN", model=ConvictedIn)
    member_of = RelationshipTo("Entity", "MEMBER_OF", model=MemberOf)
    asserts = RelationshipTo("Claim", "ASSERTS", model=Asserts)
    denies = RelationshipTo("Claim", "DENIES", model=Denies)


class State(Agent):
    iso_code = RegexProperty(expression=ISO3166)

    restricts = RelationshipTo("Firm", "RESTRICTS", model=Restricts)
    recognizes = RelationshipTo("State", "RECOGNIZES", model=Recognizes)
    does_not_recognize = RelationshipTo("State", "DOES_NOT_RECOGNIZE", model=DoesNotRecognize)


class Agency(Agent):
    kind = StringProperty(
        required=True,
        choices=choices("ministry", "police", "public-security-bureau", "intelligence", "regulator", "court",
                        "prosecutor", "government", "legislature", "embassy", "armed-forces", "local-government",
                        "other"),
    )

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)
    restricts = RelationshipTo("Firm", "RESTRICTS", model=Restricts)


class Firm(Agent):
    kind = StringProperty(choices=choices("company", "consortium", "bank", "state-enterprise"))
    listing = StringProperty()
    founded = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    contractor_of = RelationshipTo("Project", "CONTRACTOR_OF", model=ContractorOf)
    supplies = RelationshipTo("Procurement", "SUPPLIES", model=Supplies)


class Organization(Agent):
    kind = StringProperty(
        required=True,
        choices=choices("ngo", "international-organization", "think-tank", "diaspora-association", "media",
                        "alliance", "police-service-station", "other"),
    )
    founded = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)


class Person(Agent):
    role = StringProperty()

    affiliated_with = RelationshipTo("Agent", "AFFILIATED_WITH", model=AffiliatedWith)


class Place(Entity, CitesSources):
    kind = StringProperty(
        required=True, choices=choices("city", "municipality", "region", "street", "site", "country-region"),
    )

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Program(Entity, CitesSources):
    kind = StringProperty(
        required=True,
        choices=choices("initiative", "joint-patrol", "surveillance", "police-network", "diplomatic", "other"),
    )
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    deployed_to = RelationshipTo("Entity", "DEPLOYED_TO", model=DeployedTo)
    targets = RelationshipTo("Entity", "TARGETS", model=Targets)


class Agreement(Entity, CitesSources):
    kind = StringProperty(
        required=True,
        choices=choices("mou", "agreement", "contract", "joint-statement", "partnership", "loan", "concession"),
    )
    signed = RegexProperty(expression=DATE)
    signed_label = StringProperty()
    value = FloatProperty()
    currency = StringProperty()

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)


class Project(Entity, CitesSources):
    kind = StringProperty(
        required=True, choices=choices("railway", "station", "bridge", "plant", "building", "network", "other"),
    )
    value = FloatProperty()
    currency = StringProperty()
    start = RegexProperty(expression=DATE)
    end = RegexProperty(expression=DATE)

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Procurement(Entity, CitesSources):
    product = StringProperty(required=True)
    category = StringProperty(choices=choices("surveillance", "communications", "policing", "weapons", "other"))
    delivered = RegexProperty(expression=DATE)
    delivered_label = StringProperty()
    quantity = IntegerProperty()
    value = FloatProperty()
    currency = StringProperty()
    date = RegexProperty(expression=DATE)
    date_label = StringProperty()

    part_of = RelationshipTo("Entity", "PART_OF", model=PartOf)
    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class Donation(Entity, CitesSources):
    product = StringProperty(required=True)
    quantity = IntegerProperty()
    value = FloatProperty()
    currency = StringProperty()
    date = RegexProperty(expression=DATE)
    date_label = StringProperty()

    located_in = RelationshipTo("Entity", "LOCATED_IN", model=LocatedIn)


class CoverageGap(Entity, CitesSources):
    country = RegexProperty(expression=ISO3166, required=True)
    theme = StringProperty(required=True, choices=choices(*THEMES))
    searched = RegexProperty(expression=DATE, required=True)
    corpus = StringProperty(required=True)
    queries = ArrayProperty(StringProperty(), required=True)
    result = StringProperty(required=True)


class Event(Entity, CitesSources):
    kind = StringProperty(
        required=True,
        choices=choices("patrol-round", "exercise", "collapse", "bombing", "state-visit", "assembly", "court",
                        "plea", "verdict", "sentencing", "protest", "detention", "closure", "publication",
                        "designation", "announcement", "resignation", "death", "other"),
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


class Claim(Entity, CitesSources):
    statement = StringProperty(required=True)
    status = StringProperty(required=True, choices=choices("disputed", "denied", "corrected"))

    concerns = RelationshipTo("Entity", "CONCERNS", model=Concerns)


class Source(Entity):
    """A document; the one class that does not itself cite sources."""

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
        required=True,
        choices=choices("official", "court-record", "news-agency", "news", "state-media", "ngo-report", "analysis",
                        "reference", "seed", "search-log"),
    )

    asserts = RelationshipTo("Claim", "ASSERTS", model=Asserts)
    contradicts = RelationshipTo("Claim", "CONTRADICTS", model=Contradicts)


NODE_MODELS: dict[str, type[StructuredNode]] = {
    cls.__name__: cls
    for cls in (Entity, Agent, State, Agency, Firm, Organization, Person, Place, Program, Agreement, Project,
                Procurement, Donation, CoverageGap, Event, Claim, Source)
}

REL_MODELS: dict[str, type[StructuredRel]] = {
    "OWNS": Owns,
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
