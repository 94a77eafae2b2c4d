"""Validation of dataset files: the record checks of ``loaders.dataset`` and, on request, the SHACL shapes
(pyshacl) over the same data turned into RDF (so it sits above both the records and the RDF mapping).

The record checks enforce every constraint the shapes state (both follow from ``ontology/schema.yaml``:
types, patterns, enums, ranges, cardinalities, the classes at each end of a relationship), so SHACL over
YAML repeats them; it is a cross-check of the RDF mapping, not a second validation of the data. It never
runs over a whole-dataset graph: one file at a time, with the nodes the file cites (so ``sh:class`` sees
their classes), so its memory is bounded by the largest file. SHACL results are mapped back to file,
line, id and field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import RDF, SH, Graph, URIRef
from rdflib.term import Node

from wbkg.errors import InvalidData, Problem
from wbkg.loaders.dataset import Dataset, NodeRecord, RelRecord, read_dataset
from wbkg.ontology.model import PropertyDef
from wbkg.ontology.owl import build_shapes
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.mapping import Triple, node_triples, rdflib_graph, relationship_triples


@cache
def shapes_graph(base: str) -> Graph:
    return build_shapes(vocab(base))


def shacl_problems(data: Graph, v: Vocab, locate: dict[str, tuple[str, int]] | None = None,
                   origin: str = "(rdf)") -> list[Problem]:
    """Run the project's shapes over ``data`` as it stands (no ontology mixed in, no inference: the shapes
    name the classes the data states); one Problem per violation."""
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes_graph(v.base), inference="none",
                                         abort_on_first=False, allow_warnings=True)
    if conforms:
        return []
    problems = []
    names = {**{str(v.prop(n)): n for n in v.model.all_property_defs()},
             **{str(v.rel(n)): n for n in v.model.relationships}}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        ident = _ident(v, focus)
        file, line = (locate or {}).get(ident or "", (origin, None))
        field = names.get(str(path), str(path)) if path is not None else None
        problems.append(Problem(file, line, ident, field, f"SHACL: {message}"))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.entity or "", p.field or ""))


def _ident(v: Vocab, focus: Node | None) -> str | None:
    if not isinstance(focus, URIRef):
        return None
    return v.node_id(str(focus)) or v.statement_id(str(focus)) or str(focus)


def file_graphs(ds: Dataset, v: Vocab) -> Iterator[tuple[str, Graph]]:
    """Each file's records as RDF, with the nodes they refer to that live elsewhere (so ``sh:class`` sees
    their classes): the graphs SHACL validates one at a time."""
    m = v.model
    nodes: dict[str, list[NodeRecord]] = {}
    rels: dict[str, list[RelRecord]] = {}
    for n in ds.nodes.values():
        nodes.setdefault(n.file, []).append(n)
    for r in ds.relationships:
        rels.setdefault(r.file, []).append(r)
    for file in ds.files:
        triples: list[Triple] = []
        refs: set[str] = set()
        for n in nodes.get(file, []):
            triples.extend(node_triples(v, n.cls, n.props))
            refs.update(_refs(n.props, m.properties(n.cls)))
        for r in rels.get(file, []):
            triples.extend(relationship_triples(v, r.type, r.source, r.target, r.id, r.props))
            refs.update((r.source, r.target))
            refs.update(_refs(r.props, m.relationship_props(r.type)))
        for ref in refs:
            target = ds.nodes[ref]
            if target.file != file:  # whole: its class alone would make it a target lacking its fields
                triples.extend(node_triples(v, target.cls, target.props))
        yield file, rdflib_graph(triples, v)


def _refs(props: dict[str, Any], defs: dict[str, PropertyDef]) -> Iterator[str]:
    for name, value in props.items():
        d = defs.get(name)
        if d is not None and d.type == "ref":
            yield from (value if d.many else [value])


def validate_paths(paths: Iterable[Path], base: str, shacl: bool = False, *, lean: bool = False) -> Dataset:
    """Read and check dataset files; with ``shacl``, also run the shapes file by file. Raise ``InvalidData``
    with every problem, or return the dataset (with ``lean``, one only to count: see ``read_dataset``)."""
    ds = read_dataset(paths, lean=lean and not shacl)  # the shapes judge whole records
    if not shacl:
        return ds
    v = vocab(base)
    locate = {n.id: (n.file, n.line) for n in ds.nodes.values()}
    locate.update({r.id: (r.file, r.line) for r in ds.relationships})
    # a graph holds the nodes its file cites, whose own citations it lacks: each record is judged in its file
    problems = [p for file, g in file_graphs(ds, v) for p in shacl_problems(g, v, locate, file) if p.file == file]
    if problems:
        raise InvalidData(problems)
    return ds
