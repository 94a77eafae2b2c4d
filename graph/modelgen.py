"""Write ``graph/models.py``, the neomodel models, from the ontology model (``wbkg ontology build``).

The models are generated rather than written by hand so that they cannot drift from ``schema.yaml``;
``tests/test_models.py`` fails when the committed file differs from what the model gives. Each property's
neomodel form comes from its type object (``ontology.types``); this module only lays the classes out:
- every node class is a ``StructuredNode`` subclass named as in the ontology, under its parent (``Entity``
  at the root), declaring only what it adds to its parent, so labels follow the ontology (``:Entity:Agent:Firm``);
- every relationship type is a ``StructuredRel`` subclass of ``Link`` (the properties all relationships have);
- a relationship is a ``RelationshipTo`` attribute named by its type in lower case, on each ``from`` class (once,
  on the highest listed class), pointing at the closest common class of its ``to`` classes;
- neomodel reserves the attribute ``id``, so the identifier is the attribute ``uid`` stored as ``id``.
"""

from __future__ import annotations

import textwrap
from typing import Any

from wbkg.ontology.model import ROOT_CLASS, Model, PropertyDef, load_model

MODELS_PATH = ("graph", "models.py")  # inside a checkout
WIDTH = 120
# Names neomodel gives a meaning on every node or relationship object; a property of that name would shadow it.
RESERVED = {"nodes", "labels", "save", "delete", "refresh", "cypher", "element_id", "inflate", "deflate",
            "create", "get_or_create", "create_or_update", "start_node", "end_node", "pk", "DoesNotExist"}

HEADER = '''\
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
'''


def _camel(rtype: str) -> str:
    return "".join(part.capitalize() for part in rtype.split("_"))


def _call(name: str, args: list[str], indent: str) -> str:
    """``name(args…)`` on one line when it fits, else one argument per line."""
    one = f"{name}({', '.join(args)})"
    if len(indent) + len(one) <= WIDTH - 20:
        return one
    inner = indent + "    "
    return f"{name}(\n" + "".join(f"{inner}{a},\n" for a in args) + f"{indent})"


def _pattern_name(p: PropertyDef) -> str:
    return p.type.upper()


def _value(p: PropertyDef, key: str, value: Any, indent: str) -> str:
    """The source text of one argument: a type's own pattern by its constant, choices through ``choices``."""
    if key == "expression" and p.kind.pattern is not None and value == p.kind.pattern.pattern:
        return _pattern_name(p)
    if key == "choices" and isinstance(value, dict) and all(k == v for k, v in value.items()):
        words = ", ".join(f'"{v}"' for v in value)
        # the argument sits one level in when the call is split over lines (as it is whenever this wraps)
        hang = indent + "    " + " " * len("choices=choices(")
        lines = textwrap.wrap(words, WIDTH - len(hang) - 2, break_on_hyphens=False, break_long_words=False)
        return "choices(" + f"\n{hang}".join(lines) + ")"
    return repr(value)


def _property(p: PropertyDef, indent: str, *, unique: bool = False) -> str:
    cls, kwargs = p.kind.neomodel(p)
    args = [f"{k}={_value(p, k, v, indent)}" for k, v in kwargs.items()]
    outer: list[str] = []
    if p.name == "id":
        outer.append('db_property="id"')
    if unique:
        outer.append("unique_index=True")
    if p.required:
        outer.append("required=True")
    if p.many:
        return _call("ArrayProperty", [_call(cls, args, indent), *outer], indent)
    return _call(cls, [*args, *outer], indent)


def _attr(name: str) -> str:
    if name in RESERVED:
        raise ValueError(f"property {name!r} would shadow neomodel's own {name!r}: rename it in schema.yaml")
    return "uid" if name == "id" else name


def _docstring(text: str, indent: str) -> list[str]:
    text = text[:1].upper() + text[1:]
    text = text if text.endswith(".") else text + "."
    text = text.replace("\\", "\\\\").replace('"""', "'''")
    lines = textwrap.wrap(f'"""{text}"""', WIDTH - len(indent))
    return [f"{indent}{line}" for line in lines] + [""]


def _body(lines: list[str]) -> list[str]:
    while lines and lines[-1] == "":
        lines.pop()
    return lines or ["    pass"]


def _closest_common(model: Model, classes: tuple[str, ...]) -> str:
    chains = [[*model.ancestors(c), ROOT_CLASS] for c in classes]
    return next(c for c in chains[0] if all(c in chain for chain in chains))


def _relationship_attrs(model: Model, cls: str) -> list[str]:
    """The ``RelationshipTo`` lines a class declares: types it may start, unless an ancestor already does."""
    out = []
    parent = model.classes[cls].parent
    for rtype, r in model.relationships.items():
        if model.admits(rtype, "from", cls) and not (parent and model.admits(rtype, "from", parent)):
            target = _closest_common(model, r.to_classes)
            out.append(f'    {_attr(rtype.lower())} = RelationshipTo("{target}", "{rtype}", model={_camel(rtype)})')
    return out


def render_models(model: Model | None = None) -> str:
    """The text of ``graph/models.py`` for ``model`` (the project's ontology by default)."""
    m = model or load_model()
    out = [HEADER, "from __future__ import annotations", ""]
    used: set[str] = {"RelationshipTo", "StructuredNode", "StructuredRel"}
    body: list[str] = ["", "", "def choices(*values: str) -> dict[str, str]:",
                       '    """neomodel wants a mapping of stored value to display label; ours are the same."""',
                       "    return {v: v for v in values}", "", "",
                       "# -- relationship models " + "-" * (WIDTH - 28), "", ""]

    patterns: dict[str, str] = {}

    def props(defs: dict[str, PropertyDef], unique_id: bool = False) -> list[str]:
        lines = []
        for name, p in defs.items():
            text = _property(p, "    ", unique=unique_id and name == "id")
            used.update(w for w in ("ArrayProperty", p.kind.neomodel(p)[0]) if w in text)
            if p.kind.pattern is not None and _pattern_name(p) in text:
                patterns[_pattern_name(p)] = p.type
            lines.append(f"    {_attr(name)} = {text}")
        return lines

    body += ["class Link(StructuredRel):", '    """Properties every relationship has."""', "",
             *props(m.relationship_properties), "", ""]
    for rtype, r in m.relationships.items():
        body += [f"class {_camel(rtype)}(Link):", *_body([*_docstring(r.comment or r.label, "    "),
                                                          *props(r.own)]), "", ""]

    body += ["# -- node models " + "-" * (WIDTH - 21), "", ""]
    omitted = {o for c in m.classes.values() for o in c.omits}
    root = {n: p for n, p in m.node_properties.items() if n not in omitted}
    body += [f"class {ROOT_CLASS}(StructuredNode):", '    """Every node of the graph."""', "",
             "    __abstract_node__ = True", f'    __label__ = "{ROOT_CLASS}"', "",
             *props(root, unique_id=True), "", ""]
    for cls in sorted(m.classes, key=lambda c: len(m.ancestors(c))):  # parents first, schema order within
        c = m.classes[cls]
        inherited = m.properties(c.parent) if c.parent else root
        own = {n: p for n, p in m.properties(cls).items() if inherited.get(n) != p}
        lines = _docstring(c.comment or c.label, "    ")
        if c.abstract:
            lines += ["    __abstract_node__ = True", f'    __label__ = "{cls}"', ""]
        lines += props(own)
        rels = _relationship_attrs(m, cls)
        lines += [""] + rels if rels and own else rels
        body += [f"class {cls}({c.parent or ROOT_CLASS}):", *_body(lines), "", ""]

    body += ["NODE_MODELS: dict[str, type[StructuredNode]] = {",
             *(f'    "{name}": {name},' for name in [ROOT_CLASS, *m.classes]), "}", "",
             "REL_MODELS: dict[str, type[StructuredRel]] = {",
             *(f'    "{rtype}": {_camel(rtype)},' for rtype in m.relationships), "}"]
    out += ["from neomodel import (", *(f"    {name}," for name in sorted(used)), ")", "",
            "from wbkg.ontology.types import TYPES", "",
            "# the patterns of the ontology's types (ontology/types.py), checked by neomodel on save",
            *(f'{const} = TYPES["{ptype}"].pattern.pattern  # type: ignore[union-attr]'
              for const, ptype in sorted(patterns.items()))]
    return "\n".join(out + body) + "\n"
