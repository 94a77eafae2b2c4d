"""Render the generated ontology files for the default base IRI (``wbkg ontology build``)."""

from __future__ import annotations

from pathlib import Path

from wbkg.ontology import DEFAULT_BASE_IRI
from wbkg.ontology.owl import build_ontology, build_shapes
from wbkg.ontology.vocab import vocab

HEADER = "# Generated from ontology/schema.yaml by `wbkg ontology build`. Do not edit by hand.\n"


def render(base: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    v = vocab(base)
    return {
        "wbkg.ttl": HEADER + build_ontology(v).serialize(format="turtle"),
        "shapes.ttl": HEADER + build_shapes(v).serialize(format="turtle"),
    }


def is_current(path: Path, text: str) -> bool:
    """Whether a generated file already holds exactly ``text``."""
    return path.is_file() and path.read_text(encoding="utf-8") == text


def write_if_changed(path: Path, text: str) -> bool:
    """Rewrite a generated file unless it is current; True when it was written."""
    if is_current(path, text):
        return False
    path.write_text(text, encoding="utf-8")
    return True
