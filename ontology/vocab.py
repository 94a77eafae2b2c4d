"""The one place IRIs are made. A misspelled term fails here instead of minting a stray IRI.

Layout under the configurable base IRI (``WBKG_BASE_IRI``, default ``https://wbkg.org/``):
- ``{base}ontology#Term``  classes, relationship predicates and properties
- ``{base}id/{id}``        nodes (entities, claims, sources)
- ``{base}statement/{id}`` the reified statement of a relationship, carrying its sources,
                           evidence, dates and status
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Namespace, URIRef

from wbkg.ontology import DEFAULT_BASE_IRI
from wbkg.ontology.model import ROOT_CLASS, Model, load_model
from wbkg.ontology.types import WIKIDATA_BASE

__all__ = ["WIKIDATA", "UnknownTerm", "Vocab", "special_predicates", "vocab"]

WIKIDATA = Namespace(WIKIDATA_BASE)


def special_predicates(model: Model) -> dict[str, URIRef]:
    """Properties exported with a standard term (their ``predicate`` in schema.yaml) instead of a wbkg one."""
    return {name: URIRef(model.prefixes[p.predicate.split(":", 1)[0]] + p.predicate.split(":", 1)[1])
            for name, p in model.all_property_defs().items() if p.predicate}



class UnknownTerm(KeyError):
    pass


@dataclass(frozen=True)
class Vocab:
    base: str
    model: Model

    @property
    def ns(self) -> str:
        return f"{self.base}ontology#"

    @property
    def ontology_iri(self) -> URIRef:
        return URIRef(f"{self.base}ontology")

    def cls(self, name: str) -> URIRef:
        if name != ROOT_CLASS and name not in self.model.classes:
            raise UnknownTerm(f"no class {name!r} in the ontology")
        return URIRef(self.ns + name)

    def rel(self, name: str) -> URIRef:
        try:
            return URIRef(self.ns + self.model.relationships[name].local_name)
        except KeyError:
            raise UnknownTerm(f"no relationship type {name!r} in the ontology") from None

    def prop(self, name: str) -> URIRef:
        special = self.model._cached(("special_predicates", ""), lambda: special_predicates(self.model))
        if name in special:
            return special[name]  # type: ignore[no-any-return]
        defs = self.model.all_property_defs()
        if name not in defs:
            raise UnknownTerm(f"no property {name!r} in the ontology")
        return URIRef(self.ns + defs[name].local_name)

    def node(self, node_id: str) -> URIRef:
        return URIRef(f"{self.base}id/{node_id}")

    def statement(self, rel_id: str) -> URIRef:
        return URIRef(f"{self.base}statement/{rel_id}")

    def node_id(self, iri: str) -> str | None:
        prefix = f"{self.base}id/"
        return iri[len(prefix):] if iri.startswith(prefix) else None

    def statement_id(self, iri: str) -> str | None:
        prefix = f"{self.base}statement/"
        return iri[len(prefix):] if iri.startswith(prefix) else None

    def term_name(self, iri: str) -> str | None:
        return iri[len(self.ns):] if iri.startswith(self.ns) else None

    @property
    def rel_by_iri(self) -> dict[URIRef, str]:
        return {self.rel(n): n for n in self.model.relationships}

    @property
    def prop_by_iri(self) -> dict[URIRef, str]:
        return {self.prop(n): n for n in self.model.all_property_defs()}


@cache
def vocab(base: str = DEFAULT_BASE_IRI) -> Vocab:
    return Vocab(base=base, model=load_model())
