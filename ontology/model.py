"""The ontology model, read once from ``ontology/schema.yaml`` and checked hard.

Everything else (OWL, SHACL, Neo4j schema, neomodel models, validation, RDF) derives from
the ``Model`` returned by ``load_model()``. A bad schema file raises one ``InvalidModel``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wbkg.errors import InvalidModel
from wbkg.ontology.types import ID_PATTERN, TYPES, PropertyType

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")

PROPERTY_TYPES = set(TYPES)
ROOT_CLASS = "Entity"  # implicit root: every node of the graph (Neo4j label :Entity)
__all__ = ["ID_PATTERN", "PROPERTY_TYPES", "ROOT_CLASS", "ClassDef", "Model", "PropertyDef", "RelationshipDef",
           "load_model", "parse_model"]
COLOR_PATTERN = re.compile(r"^#[0-9A-F]{6}$")
RELTYPE_PATTERN = re.compile(r"^[A-Z]+(?:_[A-Z]+)*$")


@dataclass(frozen=True)
class PropertyDef:
    name: str
    type: str
    required: bool = False
    many: bool = False
    values: tuple[str, ...] = ()
    range: str | None = None
    label: str = ""
    comment: str = ""
    align: dict[str, tuple[str, ...]] = field(default_factory=dict)
    predicate: str | None = None  # a standard term (CURIE) the export uses for it instead of a wbkg term
    indexed: bool = False  # a Neo4j range index on the owner's label (its values are length-limited)
    searchable: bool = False  # part of the full-text index of names

    @property
    def kind(self) -> PropertyType:
        """The type object (``ontology.types``) that checks, renders and reads this property's values."""
        return TYPES[self.type]

    @property
    def local_name(self) -> str:
        """The RDF local name: snake_case becomes lowerCamelCase (``date_label`` → ``dateLabel``)."""
        head, *rest = self.name.split("_")
        return head + "".join(p.capitalize() for p in rest)


@dataclass(frozen=True)
class ClassDef:
    name: str
    parent: str | None
    abstract: bool
    label: str
    comment: str
    align: dict[str, tuple[str, ...]]
    own: dict[str, PropertyDef]
    name_from: str | None = None  # the field that names a node when it has no `name` (Source: its title)
    omits: tuple[str, ...] = ()  # common node properties this class does not have (Source: sources)
    style: dict[str, str] = field(default_factory=dict)  # Browser style: color, diameter, caption


@dataclass(frozen=True)
class Total:
    """The links of one type into one node may not add up to more than ``at_most``: each link counts the first
    of ``fields`` it gives, each source node its largest value (stakes at different times do not add up), and
    links whose status is in ``except_status`` are alternatives reported by the sources, not added."""

    fields: tuple[str, ...]
    at_most: float
    except_status: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationshipDef:
    name: str
    from_classes: tuple[str, ...]
    to_classes: tuple[str, ...]
    label: str
    comment: str
    align: dict[str, tuple[str, ...]]
    own: dict[str, PropertyDef]
    acyclic: bool = False  # no node reaches itself along links of this type (no self-loops, no cycles)
    total: Total | None = None  # a bound on the sum of a value over the links into one node (shares)

    @property
    def local_name(self) -> str:
        """The RDF local name: ``DOES_NOT_RECOGNIZE`` → ``doesNotRecognize``."""
        head, *rest = self.name.lower().split("_")
        return head + "".join(p.capitalize() for p in rest)


@dataclass(frozen=True)
class Model:
    title: str
    comment: str
    version: str
    prefixes: dict[str, str]
    node_properties: dict[str, PropertyDef]
    relationship_properties: dict[str, PropertyDef]
    classes: dict[str, ClassDef]
    relationships: dict[str, RelationshipDef]
    # (low, high) field pairs: where a record has both, high may not be less than low (start/end, shares)
    ordered: tuple[tuple[str, str], ...] = ()
    # what a `country` query parameter names: a node of class `country_class`, or its ISO code in `country_code`
    country_class: str = ROOT_CLASS
    country_code: str | None = None
    # Answers of the lookups below, computed once: they sit on every mapping and validation hot path.
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def _cached(self, key: tuple[str, str], compute: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # -- classes ---------------------------------------------------------------------------------
    def ancestors(self, name: str) -> list[str]:
        """The class and its ancestors, most specific first (``Entity`` not included)."""
        chain = []
        current: str | None = name
        while current is not None:
            chain.append(current)
            current = self.classes[current].parent
        return chain

    def labels(self, name: str) -> list[str]:
        """Neo4j labels of a node of class ``name``: ``Entity``, ancestors, then the class itself."""
        return [ROOT_CLASS, *reversed(self.ancestors(name))]

    def is_a(self, name: str, other: str) -> bool:
        if other == ROOT_CLASS:
            return True
        lineage = self._memo.get(("lineage", name))  # on the hot path of validation: no closure per call
        if lineage is None:
            lineage = self._memo[("lineage", name)] = frozenset(self.ancestors(name))
        return other in lineage

    @property
    def concrete_classes(self) -> list[str]:
        return [c for c, d in self.classes.items() if not d.abstract]

    def properties(self, name: str) -> dict[str, PropertyDef]:
        """Every property of a node of class ``name``: common ones, then inherited, then its own."""
        return self._cached(("properties", name), lambda: self._properties(name))  # type: ignore[no-any-return]

    def _properties(self, name: str) -> dict[str, PropertyDef]:
        props = dict(self.node_properties)
        for cls in reversed(self.ancestors(name)):
            for omitted in self.classes[cls].omits:
                props.pop(omitted, None)
            props.update(self.classes[cls].own)
        return props

    def name_field(self, name: str) -> str | None:
        """The field that names a node of class ``name`` when it gives no ``name`` (inherited)."""
        return next((self.classes[c].name_from for c in self.ancestors(name) if self.classes[c].name_from), None)

    @property
    def acyclic_relationships(self) -> list[str]:
        return [name for name, r in self.relationships.items() if r.acyclic]

    # -- relationships ---------------------------------------------------------------------------
    def relationship_props(self, name: str) -> dict[str, PropertyDef]:
        return self._cached(  # type: ignore[no-any-return]
            ("relationship_props", name), lambda: {**self.relationship_properties, **self.relationships[name].own})

    def admits(self, rel: str, end: str, cls: str) -> bool:
        """Whether class ``cls`` may stand at ``end`` ('from' or 'to') of relationship ``rel``."""
        r = self.relationships[rel]
        allowed = r.from_classes if end == "from" else r.to_classes
        return any(self.is_a(cls, a) for a in allowed)

    def all_property_defs(self) -> dict[str, PropertyDef]:
        """One definition per property name across nodes and relationships (types agree: checked)."""
        return self._cached(("all_property_defs", ""), self._all_property_defs)  # type: ignore[no-any-return]

    def _all_property_defs(self) -> dict[str, PropertyDef]:
        out: dict[str, PropertyDef] = {}
        for d in self.node_properties.values():
            out.setdefault(d.name, d)
        for c in self.classes.values():
            for d in c.own.values():
                out.setdefault(d.name, d)
        for d in self.relationship_properties.values():
            out.setdefault(d.name, d)
        for r in self.relationships.values():
            for d in r.own.values():
                out.setdefault(d.name, d)
        return out


def _align(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidModel(f"{where}: align must be a mapping")
    out = {}
    for key, value in raw.items():
        if key not in {"subClassOf", "equivalentClass", "subPropertyOf", "equivalentProperty", "inverseOf"}:
            raise InvalidModel(f"{where}: unknown alignment {key!r}")
        out[key] = tuple(value) if isinstance(value, list) else (str(value),)
    return out


def _prop(name: str, raw: Any, where: str) -> PropertyDef:
    if not isinstance(raw, dict):
        raise InvalidModel(f"{where}.{name}: a property must be a mapping")
    unknown = set(raw) - {"type", "required", "many", "values", "range", "label", "comment", "align", "predicate",
                          "indexed", "searchable"}
    if unknown:
        raise InvalidModel(f"{where}.{name}: unknown keys {sorted(unknown)}")
    ptype = raw.get("type")
    if ptype not in PROPERTY_TYPES:
        raise InvalidModel(f"{where}.{name}: type {ptype!r} is not one of {sorted(PROPERTY_TYPES)}")
    values = tuple(str(v) for v in raw.get("values") or ())
    if TYPES[ptype].lists_values != bool(values):
        raise InvalidModel(f"{where}.{name}: enum properties (and only they) list values")
    if TYPES[ptype].names_range != bool(raw.get("range")):
        raise InvalidModel(f"{where}.{name}: ref properties (and only they) name a range")
    predicate = raw.get("predicate")
    if predicate is not None and (not isinstance(predicate, str) or ":" not in predicate):
        raise InvalidModel(f"{where}.{name}: predicate must be a prefixed name such as rdfs:label")
    if predicate is not None and raw.get("align"):
        raise InvalidModel(f"{where}.{name}: a property exported as the standard {predicate} has no wbkg term "
                           "to align")
    return PropertyDef(
        name=name,
        type=ptype,
        required=bool(raw.get("required", False)),
        many=bool(raw.get("many", False)),
        values=values,
        range=raw.get("range"),
        label=str(raw.get("label") or name.replace("_", " ")),
        comment=" ".join(str(raw.get("comment") or "").split()),
        align=_align(raw.get("align"), f"{where}.{name}"),
        predicate=predicate,
        indexed=bool(raw.get("indexed", False)),
        searchable=bool(raw.get("searchable", False)),
    )


def _props(raw: Any, where: str) -> dict[str, PropertyDef]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidModel(f"{where}: properties must be a mapping")
    return {name: _prop(name, value, where) for name, value in raw.items()}


def _style(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"color", "diameter", "caption"}:
        raise InvalidModel(f"{where}: style must be a mapping of color, diameter and caption")
    if "color" in raw and not COLOR_PATTERN.match(str(raw["color"])):
        raise InvalidModel(f"{where}: style color {raw['color']!r} is not of the form #RRGGBB (upper case)")
    return {k: str(v) for k, v in raw.items()}


def _total(raw: Any, where: str) -> Total | None:
    if raw is None:
        return None
    if (not isinstance(raw, dict) or set(raw) - {"fields", "at_most", "except_status"}
            or not isinstance(raw.get("fields"), list) or not isinstance(raw.get("at_most"), int | float)):
        raise InvalidModel(f"{where}: total must be a mapping of fields (a list), at_most (a number) and "
                           "except_status (a list)")
    return Total(tuple(str(f) for f in raw["fields"]), float(raw["at_most"]),
                 tuple(str(s) for s in raw.get("except_status") or ()))


def _country(raw: Any, origin: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"class", "code"} or "class" not in raw:
        raise InvalidModel(f"{origin}: 'country' must be a mapping of class and code")
    return {"country_class": str(raw["class"]), "country_code": raw.get("code")}


def _ordered(raw: Any, origin: str) -> tuple[tuple[str, str], ...]:
    pairs = raw or []
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise InvalidModel(f"{origin}: 'ordered' must be a list of [low, high] field pairs")
    return tuple((str(lo), str(hi)) for lo, hi in pairs)


def parse_model(doc: Any, origin: str = str(SCHEMA_PATH)) -> Model:
    """Build and check a ``Model`` from the parsed schema document."""
    if not isinstance(doc, dict):
        raise InvalidModel(f"{origin}: the schema must be a mapping")
    meta = doc.get("ontology") or {}
    for section in ("classes", "relationships", "node_properties", "relationship_properties", "prefixes"):
        if not isinstance(doc.get(section) or {}, dict):
            raise InvalidModel(f"{origin}: '{section}' must be a mapping")
    classes: dict[str, ClassDef] = {}
    for name, raw in (doc.get("classes") or {}).items():
        if not isinstance(raw, dict):
            raise InvalidModel(f"{origin}: class {name} must be a mapping")
        classes[name] = ClassDef(
            name=name,
            parent=raw.get("parent"),
            abstract=bool(raw.get("abstract", False)),
            label=str(raw.get("label") or name),
            comment=" ".join(str(raw.get("comment") or "").split()),
            align=_align(raw.get("align"), f"classes.{name}"),
            own=_props(raw.get("properties"), f"classes.{name}"),
            name_from=raw.get("name_from"),
            omits=tuple(raw.get("omits") or ()),
            style=_style(raw.get("style"), f"classes.{name}"),
        )
    relationships: dict[str, RelationshipDef] = {}
    for name, raw in (doc.get("relationships") or {}).items():
        if not RELTYPE_PATTERN.match(name):
            raise InvalidModel(f"{origin}: relationship type {name!r} must be UPPER_SNAKE_CASE")
        if not isinstance(raw, dict):
            raise InvalidModel(f"{origin}: relationship {name} must be a mapping")
        for end in ("from", "to"):
            if not isinstance(raw.get(end) or [], list):
                raise InvalidModel(f"{origin}: relationship {name}: '{end}' must be a list of classes")
        relationships[name] = RelationshipDef(
            name=name,
            from_classes=tuple(raw.get("from") or ()),
            to_classes=tuple(raw.get("to") or ()),
            label=str(raw.get("label") or name.lower()),
            comment=" ".join(str(raw.get("comment") or "").split()),
            align=_align(raw.get("align"), f"relationships.{name}"),
            own=_props(raw.get("properties"), f"relationships.{name}"),
            acyclic=bool(raw.get("acyclic", False)),
            total=_total(raw.get("total"), f"relationships.{name}"),
        )
    model = Model(
        title=str(meta.get("title", "")),
        comment=" ".join(str(meta.get("comment", "")).split()),
        version=str(meta.get("version", "")),
        prefixes=dict(doc.get("prefixes") or {}),
        node_properties=_props(doc.get("node_properties"), "node_properties"),
        relationship_properties=_props(doc.get("relationship_properties"), "relationship_properties"),
        classes=classes,
        relationships=relationships,
        ordered=_ordered(doc.get("ordered"), origin),
        **_country(doc.get("country"), origin),
    )
    _check(model, origin)
    return model


def _check(model: Model, origin: str) -> None:
    """Second pass: every reference resolves, no cycles, one type per property name."""
    for name, c in model.classes.items():
        if c.parent is not None and c.parent not in model.classes:
            raise InvalidModel(f"{origin}: class {name} has unknown parent {c.parent!r}")
        seen = {name}
        parent = c.parent
        while parent is not None:
            if parent in seen:
                raise InvalidModel(f"{origin}: class {name} is its own ancestor")
            seen.add(parent)
            parent = model.classes[parent].parent
    for prop in [*model.node_properties.values(), *model.relationship_properties.values(),
                 *(p for c in model.classes.values() for p in c.own.values()),
                 *(p for r in model.relationships.values() for p in r.own.values())]:
        if prop.range is not None and prop.range not in model.classes:
            raise InvalidModel(f"{origin}: property {prop.name} has unknown range {prop.range!r}")
    for name, r in model.relationships.items():
        for cls in (*r.from_classes, *r.to_classes):
            if cls not in model.classes:
                raise InvalidModel(f"{origin}: relationship {name} names unknown class {cls!r}")
        if not r.from_classes or not r.to_classes:
            raise InvalidModel(f"{origin}: relationship {name} needs 'from' and 'to' classes")
    types: dict[str, str] = {}
    for c in model.classes.values():
        for p in [*model.node_properties.values(), *c.own.values()]:
            _same_type(types, p, origin)
    for p in model.relationship_properties.values():
        _same_type(types, p, origin)
    for r in model.relationships.values():
        for p in r.own.values():
            _same_type(types, p, origin)
    _check_rules(model, origin)
    for prefix_use in _alignment_prefixes(model):
        if prefix_use not in model.prefixes:
            raise InvalidModel(f"{origin}: alignment or predicate uses undeclared prefix {prefix_use!r}")


def _check_rules(model: Model, origin: str) -> None:
    """The rules kept as data (naming field, omitted properties, ordered pairs) name real properties."""
    for name, c in model.classes.items():
        for omitted in c.omits:
            if omitted not in model.node_properties or model.node_properties[omitted].name in ("id", "name"):
                raise InvalidModel(f"{origin}: class {name} omits {omitted!r}, which is not an optional common "
                                   "node property")
        if c.name_from is not None and model.properties(name).get(c.name_from, PropertyDef("", "id")).type not in (
                "string", "text"):
            raise InvalidModel(f"{origin}: class {name} takes its name from {c.name_from!r}, not a text property")
    for rname, r in model.relationships.items():
        if r.total is not None:
            props = model.relationship_props(rname)
            for f in r.total.fields:
                if f not in props or props[f].kind.base not in ("decimal", "percent", "integer"):
                    raise InvalidModel(f"{origin}: relationship {rname} totals {f!r}, not one of its number properties")
    if model.country_class != ROOT_CLASS:
        if model.country_class not in model.classes:
            raise InvalidModel(f"{origin}: country names unknown class {model.country_class!r}")
        code = model.properties(model.country_class).get(model.country_code or "")
        if model.country_code is not None and (code is None or code.type != "iso3166"):
            raise InvalidModel(f"{origin}: country code {model.country_code!r} is not an iso3166 property of "
                               f"{model.country_class}")
    defs = model.all_property_defs()
    for lo, hi in model.ordered:
        if lo not in defs or hi not in defs:
            raise InvalidModel(f"{origin}: ordered pair [{lo}, {hi}] names an unknown property")
        if defs[lo].kind.base != defs[hi].kind.base:
            raise InvalidModel(f"{origin}: ordered pair [{lo}, {hi}] mixes types {defs[lo].type} and {defs[hi].type}")


def _same_type(types: dict[str, str], prop: PropertyDef, origin: str) -> None:
    # enums may differ in values (checked per class by SHACL); the base datatype must agree
    base = prop.kind.base
    if types.setdefault(prop.name, base) != base:
        raise InvalidModel(f"{origin}: property {prop.name} is declared as {types[prop.name]} and {base}")


def _alignment_prefixes(model: Model) -> set[str]:
    aligns = [c.align for c in model.classes.values()] + [r.align for r in model.relationships.values()]
    aligns += [p.align for p in model.all_property_defs().values()]
    used = {term.split(":", 1)[0] for a in aligns for terms in a.values() for term in terms}
    return used | {p.predicate.split(":", 1)[0] for p in model.all_property_defs().values() if p.predicate}


@cache
def load_model(path: Path = SCHEMA_PATH) -> Model:
    """Read and check the schema file once per process."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InvalidModel(f"{path}: cannot read the ontology schema ({e})") from e
    try:
        # libyaml's loader when PyYAML has it (every CLI command reads the schema: 5 ms instead of 90 ms);
        # the pure-Python loader words a broken file's error, as it always has
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise InvalidModel(f"{path}: cannot read the ontology schema ({e})") from e
    return parse_model(doc, str(path))
