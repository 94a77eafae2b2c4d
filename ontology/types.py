"""Property types as objects: the one place that knows what a value of each type may be.

Each type of ``schema.yaml`` (``id``, ``string``, ``text``, ``integer``, ``decimal``, ``percent``, ``date``
(a partial date), ``url``, ``qid``, ``iso3166``, ``enum``, ``ref``) is one object here that
- checks and normalises a raw value as a data file gives it (``parse``; a ``ValueError`` says what is wrong),
- renders it as an RDF term (``term``, a pyoxigraph term: the export's and SPARQL's currency) and reads one
  back (``value``, from a pyoxigraph term as the RDF parser gives it),
- gives its OWL range and SHACL constraints (``owl_range``, ``shacl``),
- gives its Neo4j value type and its neomodel property (``neo4j_type``, ``neomodel``).
Loaders, the OWL/SHACL builder, the RDF mapping, the RDF importer, the generated neomodel models and the
CLI's date parameters all go through these objects, so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import BNode, Graph
    from rdflib.term import Node

    from wbkg.ontology.model import PropertyDef
    from wbkg.ontology.vocab import Vocab

    NewNode = Callable[[], BNode]
    RdfTerm = ox.NamedNode | ox.BlankNode | ox.Literal

# rdflib and pyoxigraph are imported where a method renders RDF, never with this module: the CLI's commands
# that only check values (``query list``, parameters) then start without loading either (about 130 ms).
WIKIDATA_BASE = _WIKIDATA = "http://www.wikidata.org/entity/"
_XSD = "http://www.w3.org/2001/XMLSchema#"

# Patterns are written with [0-9], never \d: in Python \d also matches other scripts' digits ("２０２０").
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
ISO_PATTERN = re.compile(r"^[A-Z]{2}$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
# C0/C1 control characters other than tab and newline: invisible, and they break exports and terminals
CONTROL_PATTERN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SURROGATE_PATTERN = re.compile(r"[\ud800-\udfff]")

# Neo4j stores integers as signed 64-bit numbers.
MAX_INTEGER = 2**63 - 1
# Ids are keys of unique indexes and parts of IRIs; indexed strings are keys of range indexes, whose entries
# Neo4j limits to about 8 kB. Both are refused at validation, with file and line, rather than by the server.
MAX_ID_CHARS = 120
MAX_INDEXED_CHARS = 1000

DATE_DATATYPES = {4: _XSD + "gYear", 7: _XSD + "gYearMonth", 10: _XSD + "date"}
_DATE_TYPES_ORDERED = (_XSD + "date", _XSD + "gYearMonth", _XSD + "gYear")
# The root class, as in ontology.model (which imports this module, so it cannot be imported from there).
_ROOT_CLASS = "Entity"


def parse_partial_date(value: str) -> str:
    """``value`` (YYYY, YYYY-MM or YYYY-MM-DD, ASCII digits) when it names a real calendar date; else a
    ``ValueError`` saying what is wrong. The one date parser of wbkg: data files, RDF and CLI parameters."""
    m = DATE_PATTERN.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


def date_precision(value: str) -> str:
    """``year``, ``month`` or ``day``: how precisely a partial date is known."""
    return {4: "year", 7: "month", 10: "day"}[len(value)]


def check_text(raw: Any) -> str:
    """``raw`` when it is text without control characters or lone surrogates; else a ``ValueError``."""
    if not isinstance(raw, str):
        raise ValueError(f"must be text, got {kind_of(raw)} {raw!r}")
    if raw.isascii() and raw.isprintable():  # the common case, in one C scan: no control character at all
        return raw
    surrogate = SURROGATE_PATTERN.search(raw)
    if surrogate:
        raise ValueError(f"contains the lone surrogate U+{ord(surrogate.group()):04X}")
    control = CONTROL_PATTERN.search(raw)
    if control:
        raise ValueError(f"contains the control character U+{ord(control.group()):04X}")
    return raw


def kind_of(value: Any) -> str:
    """A YAML user's name for a value's type (never a Python class name such as LinedDict)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


def _one_line(raw: Any) -> str:
    text = check_text(raw)
    stripped = text.strip()
    if "\n" in text or not stripped:
        raise ValueError("must be one non-empty line of text")
    if stripped.isascii():  # ASCII is its own NFC form
        return stripped
    return unicodedata.normalize("NFC", stripped)  # one spelling of "é", whichever way it was typed


def _decimal_text(value: float | int) -> str:
    # Always with a decimal point ("30.0", not "30"): Turtle and TriG write xsd:decimal as a bare
    # number that must contain a point, so any other lexical form would not survive a round trip.
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{float(value):f}".rstrip("0")
        text = text + "0" if text.endswith(".") else text
    return text


@cache
def _ox() -> Any:
    """pyoxigraph, imported when a value is first rendered or read as RDF (cached: the export calls this for
    every value it renders)."""
    import pyoxigraph

    return pyoxigraph


@cache
def _ox_datatype(iri: str) -> ox.NamedNode:
    """One pyoxigraph datatype IRI per datatype, made once: the export renders millions of values."""
    return _ox().NamedNode(iri)


def _literal_text(obj: RdfTerm) -> str:
    if not isinstance(obj, _ox().Literal):
        raise ValueError(f"{obj} must be a literal")
    return obj.value


def class_in(g: Graph, v: Vocab, shape: Node, wanted: tuple[str, ...], new_node: NewNode) -> None:
    """SHACL: the value node is an instance of one of the concrete classes under ``wanted`` (``sh:class``,
    or ``sh:or`` of them). An export types each node with its own (concrete) class only, so the shapes name
    those: a standalone export validates without the ontology's subclass axioms mixed in."""
    from rdflib import SH
    from rdflib.collection import Collection

    m = v.model
    classes = [c for c in m.concrete_classes if any(w == _ROOT_CLASS or m.is_a(c, w) for w in wanted)]
    if len(classes) == 1:
        g.add((shape, SH["class"], v.cls(classes[0])))
        return
    alternatives: list[Node] = []
    for c in classes:
        alt = new_node()
        g.add((alt, SH["class"], v.cls(c)))
        alternatives.append(alt)
    lst = new_node()
    Collection(g, lst, alternatives)
    g.add((shape, SH["or"], lst))


class PropertyType:
    """A literal-valued type stored as one line of text (``string``); subclasses refine it."""

    name = "string"
    base = "string"  # properties of one name must agree on this (an enum is a string with a closed list)
    datatype = _XSD + "string"
    language: str | None = None  # the language tag of its literals (our own prose)
    pattern: re.Pattern[str] | None = None
    neo4j_type = "STRING"
    object_property = False  # an OWL object property (its values are IRIs) rather than a datatype property
    lists_values = False  # the schema lists the allowed `values` (enum)
    names_range = False  # the schema names the `range` class of the nodes referred to (ref)

    # -- data files ---------------------------------------------------------------------------------------
    def parse(self, raw: Any, p: PropertyDef) -> Any:
        """The normalised value of ``raw`` (as YAML gives it), or a ``ValueError`` saying what is wrong."""
        text = _one_line(raw)
        if (p.indexed or p.searchable) and len(text) > MAX_INDEXED_CHARS:
            raise ValueError(f"a value of {len(text)} characters is longer than the limit of {MAX_INDEXED_CHARS} "
                             "for an indexed field")
        return text

    # -- RDF -------------------------------------------------------------------------------------------
    def term(self, value: Any, v: Vocab) -> RdfTerm:
        ox = _ox()
        if self.language is not None:
            return ox.Literal(value, language=self.language)
        if self.datatype == _XSD + "string":
            return ox.Literal(value)
        return ox.Literal(value, datatype=_ox_datatype(self.datatype))

    def value(self, obj: RdfTerm, v: Vocab) -> Any:
        """The record value (as a data file would give it) of one RDF object, or a ``ValueError``."""
        return _literal_text(obj)

    def owl_range(self, g: Graph, p: PropertyDef, v: Vocab, new_node: NewNode) -> Node:
        from rdflib import URIRef

        return URIRef(self.datatype)

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        g.add((shape, SH.pattern, Literal(r"^[^\n]*$")))

    # -- Neo4j ------------------------------------------------------------------------------------------
    def neomodel(self, p: PropertyDef) -> tuple[str, dict[str, Any]]:
        """The neomodel property class that holds one value, and its arguments (besides ``required``)."""
        if self.pattern is not None:
            return "RegexProperty", {"expression": self.pattern.pattern}
        return "StringProperty", {}


class IdType(PropertyType):
    name = base = "id"
    pattern = ID_PATTERN

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = _one_line(raw)
        if len(text) > MAX_ID_CHARS:
            raise ValueError(f"an id of {len(text)} characters is longer than the limit of {MAX_ID_CHARS}")
        if not ID_PATTERN.match(text):
            raise ValueError(f"{text!r} is not an id (lower-case letters, digits and single hyphens)")
        return text

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        g.add((shape, SH.pattern, Literal(ID_PATTERN.pattern)))


class TextType(PropertyType):
    """A paragraph: whitespace (line breaks included) is folded to single spaces."""

    name = base = "text"
    language = "en"  # our own prose, in English: RDF tags it @en

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = check_text(raw)
        if not text.strip():
            raise ValueError("must not be empty")
        return unicodedata.normalize("NFC", " ".join(text.split()))

    def owl_range(self, g: Graph, p: PropertyDef, v: Vocab, new_node: NewNode) -> Node:
        from rdflib import RDF

        return RDF.PlainLiteral  # OWL 2's datatype of literals with or without a language tag

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import RDF, SH, Literal
        from rdflib.collection import Collection

        g.add((shape, SH.datatype, RDF.langString))
        lst = new_node()
        Collection(g, lst, [Literal(self.language)])
        g.add((shape, SH.languageIn, lst))


class IntegerType(PropertyType):
    name = base = "integer"
    datatype = _XSD + "integer"
    neo4j_type = "INTEGER"

    def parse(self, raw: Any, p: PropertyDef) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"must be a whole number, got {raw!r}")
        if raw < 0:
            raise ValueError(f"must not be negative, got {raw}")
        if raw > MAX_INTEGER:
            raise ValueError(f"{raw} is too large: whole numbers go up to {MAX_INTEGER} (64 bits)")
        return raw

    def term(self, value: Any, v: Vocab) -> RdfTerm:
        return _ox().Literal(str(int(value)), datatype=_ox_datatype(self.datatype))

    def value(self, obj: RdfTerm, v: Vocab) -> int:
        text = _literal_text(obj)
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValueError(f"{text!r} is not an integer")
        return int(text)

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        g.add((shape, SH.minInclusive, Literal(0)))

    def neomodel(self, p: PropertyDef) -> tuple[str, dict[str, Any]]:
        return "IntegerProperty", {}


class DecimalType(PropertyType):
    name = base = "decimal"
    datatype = _XSD + "decimal"
    neo4j_type = "FLOAT"
    bounds: tuple[float, float] | None = None

    def parse(self, raw: Any, p: PropertyDef) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"must be a number, got {raw!r}")
        try:
            value = float(raw)
        except OverflowError:
            raise ValueError(f"{raw} is too large for a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        if self.bounds is not None and not self.bounds[0] <= value <= self.bounds[1]:
            raise ValueError(f"share {raw} is outside {self.bounds[0]:g}-{self.bounds[1]:g}")
        return value

    def term(self, value: Any, v: Vocab) -> RdfTerm:
        return _ox().Literal(_decimal_text(value), datatype=_ox_datatype(self.datatype))

    def value(self, obj: RdfTerm, v: Vocab) -> float:
        text = _literal_text(obj)
        try:
            return float(Decimal(text))
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a decimal") from None

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, XSD, Literal, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        if self.bounds is not None:
            g.add((shape, SH.minInclusive, Literal(int(self.bounds[0]), datatype=XSD.decimal)))
            g.add((shape, SH.maxInclusive, Literal(int(self.bounds[1]), datatype=XSD.decimal)))

    def neomodel(self, p: PropertyDef) -> tuple[str, dict[str, Any]]:
        return "FloatProperty", {}


class PercentType(DecimalType):
    name = base = "percent"
    bounds = (0.0, 100.0)


class PartialDateType(PropertyType):
    """A date at the precision the source gives: a year, a month or a day; typed xsd:gYear, xsd:gYearMonth
    or xsd:date in RDF, stored as its text in Neo4j (so ``date >= '2020'`` compares as the text sorts)."""

    name = base = "date"
    pattern = DATE_PATTERN

    def parse(self, raw: Any, p: PropertyDef) -> str:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)  # an unquoted year
        return parse_partial_date(_one_line(raw))

    def term(self, value: Any, v: Vocab) -> RdfTerm:
        return _ox().Literal(value, datatype=_ox_datatype(DATE_DATATYPES[len(value)]))

    def value(self, obj: RdfTerm, v: Vocab) -> str:
        return parse_partial_date(_literal_text(obj))

    def owl_range(self, g: Graph, p: PropertyDef, v: Vocab, new_node: NewNode) -> Node:
        from rdflib import RDFS

        # xsd:date, gYearMonth and gYear are not in the OWL 2 datatype map: the OWL range of a date is any
        # literal, and the SHACL shapes keep the precise types
        return RDFS.Literal

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, URIRef
        from rdflib.collection import Collection

        alternatives: list[Node] = []
        for datatype in _DATE_TYPES_ORDERED:
            alt = new_node()
            g.add((alt, SH.datatype, URIRef(datatype)))
            alternatives.append(alt)
        lst = new_node()
        Collection(g, lst, alternatives)
        g.add((shape, SH["or"], lst))


class UrlType(PropertyType):
    """An http(s) address without user name or password (a source's address is published with the data)."""

    name = base = "url"
    datatype = _XSD + "anyURI"
    pattern = URL_PATTERN

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = _one_line(raw)
        if not URL_PATTERN.match(text):
            raise ValueError(f"{text!r} is not an http(s) address")
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise ValueError(f"{text!r} is not a well-formed http(s) address") from None
        if parts.username is not None or parts.password is not None:
            raise ValueError("an address must not carry a user name or password")
        return text

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))


class QidType(PropertyType):
    """A Wikidata item id; in RDF the item's IRI."""

    name = base = "qid"
    pattern = QID_PATTERN
    object_property = True

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = _one_line(raw)
        if not QID_PATTERN.match(text):
            raise ValueError(f"{text!r} is not a Wikidata id (Q followed by digits)")
        return text

    def term(self, value: Any, v: Vocab) -> RdfTerm:
        return _ox().NamedNode(_WIKIDATA + value)

    def value(self, obj: RdfTerm, v: Vocab) -> str:
        if not isinstance(obj, _ox().NamedNode) or not obj.value.startswith(_WIKIDATA):
            raise ValueError(f"{obj} is not a Wikidata entity IRI")
        return obj.value[len(_WIKIDATA):]

    def owl_range(self, g: Graph, p: PropertyDef, v: Vocab, new_node: NewNode) -> Node:
        from rdflib import OWL

        return OWL.Thing

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal

        g.add((shape, SH.nodeKind, SH.IRI))
        g.add((shape, SH.pattern, Literal(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")))


class Iso3166Type(PropertyType):
    name = base = "iso3166"
    pattern = ISO_PATTERN

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = _one_line(raw)
        if not ISO_PATTERN.match(text):
            raise ValueError(f"{text!r} is not an ISO 3166-1 alpha-2 code")
        return text

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal, URIRef

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        g.add((shape, SH.pattern, Literal(ISO_PATTERN.pattern)))


class EnumType(PropertyType):
    """One of the property's ``values``."""

    name = "enum"
    base = "string"
    lists_values = True

    def parse(self, raw: Any, p: PropertyDef) -> str:
        text = _one_line(raw)
        if text not in p.values:
            raise ValueError(f"{text!r} is not one of: {', '.join(p.values)}")
        return text

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH, Literal, URIRef
        from rdflib.collection import Collection

        g.add((shape, SH.datatype, URIRef(self.datatype)))
        lst = new_node()
        Collection(g, lst, [Literal(x) for x in p.values])
        g.add((shape, SH["in"], lst))

    def neomodel(self, p: PropertyDef) -> tuple[str, dict[str, Any]]:
        return "StringProperty", {"choices": {x: x for x in p.values}}


class RefType(IdType):
    """The id of a node of class ``range``; in RDF the node's IRI."""

    name = base = "ref"
    object_property = True
    names_range = True

    def term(self, value: Any, v: Vocab) -> RdfTerm:
        return _ox().NamedNode(f"{v.base}id/{value}")

    def value(self, obj: RdfTerm, v: Vocab) -> str:
        ident = v.node_id(obj.value) if isinstance(obj, _ox().NamedNode) else None
        if ident is None:
            raise ValueError(f"{obj} is not a wbkg node IRI")
        return ident

    def owl_range(self, g: Graph, p: PropertyDef, v: Vocab, new_node: NewNode) -> Node:
        return v.cls(p.range or _ROOT_CLASS)

    def shacl(self, g: Graph, shape: Node, p: PropertyDef, v: Vocab, new_node: NewNode) -> None:
        from rdflib import SH

        class_in(g, v, shape, (p.range or _ROOT_CLASS,), new_node)
        g.add((shape, SH.nodeKind, SH.IRI))


TYPES: dict[str, PropertyType] = {t.name: t for t in (
    IdType(), PropertyType(), TextType(), IntegerType(), DecimalType(), PercentType(), PartialDateType(),
    UrlType(), QidType(), Iso3166Type(), EnumType(), RefType(),
)}
PARTIAL_DATE = TYPES["date"]
