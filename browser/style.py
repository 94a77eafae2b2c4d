"""The Neo4j Browser stylesheet (GraSS), generated from the ontology.

Every class gets a colour and a caption, every relationship type a caption, so that the result of a canned
query reads at a glance. Rules go from general to specific (``node.Entity``, then ``node.Agent``, then
``node.Firm``): the Browser applies every rule whose labels a node carries, in stylesheet order, so the
most specific class wins. ``python -m browser.style`` (or ``wbkg browser --write``) rewrites
``browser/style.grass``; a test fails when the committed file is stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from wbkg.ontology.build import write_if_changed
from wbkg.ontology.model import ROOT_CLASS, Model, load_model
from wbkg.resources import packaged

STYLE_PATH = packaged("browser", "style.grass")

# Fills come from each class's `style.color` in ontology/schema.yaml, so a class keeps its colour whatever is
# added around it. A concrete class without one gets a fill from this palette chosen by a digest of its name
# (stable across runs and edits), skipping fills already taken where it can. Abstract classes such as Agent
# have no nodes of their own, so no colour. Borders are derived (darker); the text colour follows the fill.
PALETTE = (
    "#C990C0",
    "#F79767",
    "#57C7E3",
    "#F16667",
    "#D9C8AE",
    "#8DCC93",
    "#ECB5C9",
    "#4C8EDA",
    "#FFC454",
    "#DA7194",
    "#569480",
    "#E4572E",
    "#848484",
    "#A5ABB6",
    "#6B4E9B",
    "#2E86AB",
)
ENTITY_COLOR = "#A5ABB6"
NODE_DEFAULTS = {
    "diameter": "65px",
    "color": ENTITY_COLOR,
    "border-color": "#9AA1AC",
    "border-width": "2px",
    "text-color-internal": "#FFFFFF",
    "font-size": "10px",
}
RELATIONSHIP_DEFAULTS = {
    "color": "#A5ABB6",
    "shaft-width": "2px",
    "font-size": "9px",
    "padding": "3px",
    "text-color-external": "#000000",
    "text-color-internal": "#FFFFFF",
    "caption": "<type>",
}
# Relationship types shown with a property instead of the type; every other type shows <type>.
RELATIONSHIP_CAPTIONS: dict[str, str] = {}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def darker(hex_colour: str, factor: float = 0.8) -> str:
    """The colour scaled towards black (the border of a node)."""
    return "#" + "".join(f"{round(c * factor):02X}" for c in _rgb(hex_colour))


def text_colour(hex_colour: str) -> str:
    """Black on light fills, white on dark ones (relative luminance, sRGB weights)."""
    r, g, b = _rgb(hex_colour)
    return "#2A2C34" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#FFFFFF"


def _depth(model: Model, cls: str) -> int:
    return len(model.ancestors(cls))


def class_colours(model: Model) -> dict[str, str]:
    """One fill per concrete class: its own from the schema, else one chosen by its name."""
    out = {c: model.classes[c].style["color"] for c in model.concrete_classes if "color" in model.classes[c].style}
    for cls in model.concrete_classes:
        if cls not in out:
            free = [c for c in PALETTE if c not in out.values()] or list(PALETTE)
            out[cls] = free[int(hashlib.sha256(cls.encode()).hexdigest(), 16) % len(free)]
    return {cls: out[cls] for cls in model.concrete_classes}


def _block(selector: str, props: dict[str, str]) -> str:
    lines = [f"{selector} {{"]
    for key, value in props.items():
        lines.append(f'  {key}: "{value}";' if key == "caption" else f"  {key}: {value};")
    lines.append("}")
    return "\n".join(lines)


def build_style(model: Model | None = None) -> str:
    """The stylesheet text: defaults, then one rule per class (ancestors first), then per relationship type."""
    model = model or load_model()
    colours = class_colours(model)
    # No comment in the file: the Browser's GraSS parser would take it for part of the first selector.
    blocks = [
        _block("node", NODE_DEFAULTS),
        _block(f"node.{ROOT_CLASS}", {"color": ENTITY_COLOR, "border-color": darker(ENTITY_COLOR),
                                      "text-color-internal": text_colour(ENTITY_COLOR), "caption": "{name}"}),
    ]
    # stable sort: ancestors before descendants, schema order within a depth
    for cls in sorted(model.classes, key=lambda c: _depth(model, c)):
        props: dict[str, str] = {}
        if cls in colours:
            fill = colours[cls]
            props = {"color": fill, "border-color": darker(fill), "text-color-internal": text_colour(fill)}
        style = model.classes[cls].style
        if "diameter" in style:
            props["diameter"] = style["diameter"]
        props["caption"] = style.get("caption", "{name}")
        blocks.append(_block(f"node.{cls}", props))
    blocks.append(_block("relationship", RELATIONSHIP_DEFAULTS))
    for rel in model.relationships:
        blocks.append(_block(f"relationship.{rel}", {"caption": RELATIONSHIP_CAPTIONS.get(rel, "<type>")}))
    return "\n".join(blocks) + "\n"


def write_style(path: Path) -> bool:
    """Rewrite the committed stylesheet at ``path`` (in a checkout); True when it changed."""
    return write_if_changed(path, build_style())
