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

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")

PROPERTY_TYPES = {
    "id", "string", "text", "integer", "decimal", "percent", "date", "url", "qid", "iso3166", "enum", "ref",
}
ROOT_CLASS = "Entity"  # implicit root: every node of the graph (Neo4j label :Entity)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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


@dataclass(frozen=True)
class RelationshipDef:
    name: str
    from_classes: tuple[str, ...]
    to_classes: tuple[str, ...]
    label: str
    comment: str
    align: dict[str, tuple[str, ...]]
    own: dict[str, PropertyDef]

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
        return other == ROOT_CLASS or other in self.ancestors(name)

    @property
    def concrete_classes(self) -> list[str]:
        return [c for c, d in self.classes.items() if not d.abstract]

    def properties(self, name: str) -> dict[str, PropertyDef]:
        """Every property of a node of class ``name``: common ones, then inherited, then its own."""
        return self._cached(("properties", name), lambda: self._properties(name))  # type: ignore[no-any-return]

    def _properties(self, name: str) -> dict[str, PropertyDef]:
        props = dict(self.node_properties)
        if name == "Source":
            props.pop("sources")
        for cls in reversed(self.ancestors(name)):
            props.update(self.classes[cls].own)
        return props

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
    unknown = set(raw) - {"type", "required", "many", "values", "range", "label", "comment", "align"}
    if unknown:
        raise InvalidModel(f"{where}.{name}: unknown keys {sorted(unknown)}")
    ptype = raw.get("type")
    if ptype not in PROPERTY_TYPES:
        raise InvalidModel(f"{where}.{name}: type {ptype!r} is not one of {sorted(PROPERTY_TYPES)}")
    values = tuple(str(v) for v in raw.get("values") or ())
    if (ptype == "enum") != bool(values):
        raise InvalidModel(f"{where}.{name}: enum properties (and only they) list values")
    if (ptype == "ref") != bool(raw.get("range")):
        raise InvalidModel(f"{where}.{name}: ref properties (and only they) name a range")
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
    )


def _props(raw: Any, where: str) -> dict[str, PropertyDef]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidModel(f"{where}: properties must be a mapping")
    return {name: _prop(name, value, where) for name, value in raw.items()}


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
    for prefix_use in _alignment_prefixes(model):
        if prefix_use not in model.prefixes:
            raise InvalidModel(f"{origin}: alignment uses undeclared prefix {prefix_use!r}")


def _same_type(types: dict[str, str], prop: PropertyDef, origin: str) -> None:
    # enums may differ in values (checked per class by SHACL); the base datatype must agree
    base = "string" if prop.type == "enum" else prop.type
    if types.setdefault(prop.name, base) != base:
        raise InvalidModel(f"{origin}: property {prop.name} is declared as {types[prop.name]} and {base}")


def _alignment_prefixes(model: Model) -> set[str]:
    aligns = [c.align for c in model.classes.values()] + [r.align for r in model.relationships.values()]
    aligns += [p.align for p in model.all_property_defs().values()]
    return {term.split(":", 1)[0] for a in aligns for terms in a.values() for term in terms}


@cache
def load_model(path: Path = SCHEMA_PATH) -> Model:
    """Read and check the schema file once per process."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InvalidModel(f"{path}: cannot read the ontology schema ({e})") from e
    return parse_model(doc, str(path))
