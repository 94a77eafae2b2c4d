"""Render the generated ontology files for the default base IRI (``wbkg ontology build``)."""

from __future__ import annotations

from graph.config import DEFAULT_BASE_IRI
from ontology.owl import build_ontology, build_shapes
from ontology.vocab import vocab

HEADER = "# Generated from ontology/schema.yaml by `wbkg ontology build`. Do not edit by hand.\n"


def render(base: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    v = vocab(base)
    return {
        "wbkg.ttl": HEADER + build_ontology(v).serialize(format="turtle"),
        "shapes.ttl": HEADER + build_shapes(v).serialize(format="turtle"),
    }
