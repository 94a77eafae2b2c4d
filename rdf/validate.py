"""Full validation: the record checks of ``loaders.dataset``, then the SHACL shapes (pyshacl) over
the same data turned into RDF (so it sits above both the records and the RDF mapping). SHACL results
are mapped back to file, line, id and field.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, SH, Graph, URIRef
from rdflib.term import Node

from wbkg.errors import InvalidData, Problem
from wbkg.loaders.dataset import Dataset, read_dataset
from wbkg.ontology.owl import build_shapes
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.mapping import dataset_graph


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


def validate_paths(paths: Iterable[Path], base: str) -> Dataset:
    """Read, check and SHACL-validate dataset files; raise ``InvalidData`` or return the dataset."""
    ds = read_dataset(paths)
    v = vocab(base)
    locate = {n.id: (n.file, n.line) for n in ds.nodes.values()}
    locate.update({r.id: (r.file, r.line) for r in ds.relationships})
    problems = shacl_problems(dataset_graph(ds, v), v, locate)
    if problems:
        raise InvalidData(problems)
    return ds
