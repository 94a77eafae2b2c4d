"""A streaming JSON-LD writer: one document with our whole prefix map as ``@context`` and a ``@graph`` of
node objects, one per run of triples sharing a subject, written as the triples arrive.

The output is compact (``id:hytera``, ``wbkg:owns``) yet needs no context but its own inline one, and is
deterministic: the same triples in the same order give the same bytes. A subject whose triples are not
adjacent gets more than one node object, which JSON-LD merges on reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

import pyoxigraph as ox

from wbkg.rdf.mapping import RDF_TYPE, XSD_STRING, Triple

_KEYWORD_TYPE = "@type"


class _Compactor:
    def __init__(self, context: dict[str, str]) -> None:
        # longest namespace first, so that "st:" wins over a shorter prefix of the same IRI
        self.spaces = sorted(((iri, k) for k, iri in context.items()), key=lambda x: -len(x[0]))

    def iri(self, iri: str) -> str:
        for ns, prefix in self.spaces:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def node(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return self.iri(term.value) if isinstance(term, ox.NamedNode) else f"_:{term.value}"

    def value(self, term: Any) -> Any:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(term.datatype.value)}
        return {"@id": self.node(term)}


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def write_jsonld(triples: Iterable[Triple], out: IO[bytes], context: dict[str, str]) -> None:
    c = _Compactor(context)
    out.write(("{\n  \"@context\": " + _dump(context) + ",\n  \"@graph\": [").encode("utf-8"))
    first = True
    current: dict[str, Any] | None = None

    def flush(obj: dict[str, Any]) -> None:
        nonlocal first
        out.write((("\n    " if first else ",\n    ") + _dump(obj)).encode("utf-8"))
        first = False

    for t in triples:
        subject = c.node(t.subject)  # type: ignore[arg-type]
        if current is None or current["@id"] != subject:
            if current is not None:
                flush(current)
            current = {"@id": subject}
        if t.predicate == RDF_TYPE and not isinstance(t.object, ox.Literal):
            current.setdefault(_KEYWORD_TYPE, []).append(c.node(t.object))  # type: ignore[arg-type]
        else:
            current.setdefault(c.iri(t.predicate.value), []).append(c.value(t.object))
    if current is not None:
        flush(current)
    out.write(b"\n  ]\n}\n")
