"""Read an RDF export back: SHACL validation of the file, and the inverse of ``rdf.mapping``.

``read_rdf_dataset`` turns typed resources under ``{base}id/`` into node records and reified
``rdf:Statement``s under ``{base}statement/`` into relationship records, then runs them through the
same record checks as YAML data (``loaders.dataset``) and the same SHACL shapes, so an RDF file
is held to exactly the rules of the curated files. Triples outside the mapping (an ontology
merged in with ``--with-ontology``, say) are ignored; triples on our own resources that the
mapping does not produce are reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.term import Node

from wbkg.errors import InvalidData, Problem
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.dataset import _Reader
from wbkg.loaders.safeyaml import LinedDict
from wbkg.ontology.model import PropertyDef
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.mapping import dataset_graph, is_node_iri, node_class
from wbkg.rdf.validate import shacl_problems

# file suffix -> rdflib parser
SUFFIX_FORMATS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".nq": "nquads",
    ".nquads": "nquads", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".xml": "xml",
    ".owl": "xml", ".trig": "trig",
}
QUAD_PARSERS = {"nquads", "trig"}


def _problem(path: Path, message: str, entity: str | None = None, fld: str | None = None) -> Problem:
    return Problem(str(path), None, entity, fld, message)


def parse_rdf_file(path: Path) -> Graph:
    """Parse any supported serialization (format from the suffix) into one Graph (quads merged)."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidData([_problem(path, f"unknown RDF file suffix {path.suffix!r} "
                                          f"(one of: {', '.join(sorted(SUFFIX_FORMATS))})")])
    if not path.is_file():
        raise InvalidData([_problem(path, "no such file")])
    try:
        if fmt in QUAD_PARSERS:
            ds = Dataset()
            ds.parse(path, format=fmt)
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
        else:
            g = Graph()
            g.parse(path, format=fmt)
    except Exception as e:  # rdflib's parsers raise many unrelated types; all mean "not valid RDF"
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise InvalidData([_problem(path, f"not valid {fmt}: {first}")]) from e
    return g


def _resources(g: Graph, v: Vocab) -> list[URIRef]:
    classes = {v.cls(c) for c in v.model.classes}
    return sorted({s for s, o in g.subject_objects(RDF.type)
                   if o in classes and isinstance(s, URIRef) and v.node_id(str(s)) is not None})


def _no_nodes(path: Path, v: Vocab) -> InvalidData:
    return InvalidData([_problem(path, f"no wbkg resources under {v.base}id/ typed with an ontology class; "
                                       "was it exported with another WBKG_BASE_IRI?")])


def validate_rdf_file(path: Path, base: str) -> int:
    """SHACL-validate an RDF file with the project's shapes; return its number of triples."""
    v = vocab(base)
    g = parse_rdf_file(path)
    if not _resources(g, v):
        raise _no_nodes(path, v)
    problems = shacl_problems(g, v, origin=str(path))
    if problems:
        raise InvalidData(problems)
    return len(g)


# -- the inverse mapping -------------------------------------------------------------------------

def _props(g: Graph, v: Vocab, subject: URIRef, defs: dict[str, PropertyDef], by_iri: dict[URIRef, str],
           skip: set[Node], path: Path, ident: str, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pred, obj in sorted(g.predicate_objects(subject)):
        if pred in skip:
            continue
        name = by_iri.get(pred)  # type: ignore[call-overload]
        if name is None or name not in defs:
            problems.append(_problem(path, f"predicate {pred.n3()} is not part of the mapping here", ident))
            continue
        d = defs[name]
        try:
            value = d.kind.value(obj, v)
        except ValueError as e:
            problems.append(_problem(path, str(e), ident, name))
            continue
        if d.many:
            out.setdefault(name, []).append(value)
        elif name in out:
            problems.append(_problem(path, "has more than one value", ident, name))
        else:
            out[name] = value
    for value in out.values():
        if isinstance(value, list):
            value.sort()  # RDF has no order; sorting keeps records (and reloads) deterministic
    return out


def _lined(values: dict[str, Any]) -> LinedDict:
    # RDF has no lines: problems name the file and the id (and field) instead
    rec = LinedDict(values)
    rec.line = None  # type: ignore[assignment]
    rec.lines = {}
    return rec


def read_rdf_dataset(path: Path, base: str) -> RecordSet:
    """The inverse mapping: an RDF export back into checked records, ready for ``loaders.writer.load``."""
    v = vocab(base)
    model = v.model
    g = parse_rdf_file(path)
    resources = _resources(g, v)
    if not resources:
        raise _no_nodes(path, v)
    by_iri = v.prop_by_iri
    rel_by_iri = v.rel_by_iri
    class_by_iri = {v.cls(c): c for c in model.classes}
    problems: list[Problem] = []
    reader = _Reader(model)
    file = str(path)
    for subject in resources:
        ident = v.node_id(str(subject))
        assert ident is not None
        classes = [class_by_iri[o] for o in g.objects(subject, RDF.type) if isinstance(o, URIRef) and o in class_by_iri]
        cls = node_class(model, classes)
        assert cls is not None  # a resource is typed with at least one ontology class
        if any(not model.is_a(cls, c) for c in classes):
            problems.append(_problem(path, f"typed with unrelated classes {sorted(classes)}", ident, "class"))
            continue
        props = _props(g, v, subject, model.properties(cls), by_iri, {RDF.type, *rel_by_iri}, path, ident,
                       problems)
        if props.get("id", ident) != ident:
            problems.append(_problem(path, f"dcterms:identifier {props['id']!r} differs from the IRI", ident, "id"))
            continue
        reader.node(file, _lined({"class": cls, **props}))

    statements = sorted({s for s in g.subjects(RDF.type, RDF.Statement)
                         if isinstance(s, URIRef) and v.statement_id(str(s)) is not None})
    reified: set[tuple[Node, Node, Node]] = set()
    structural: set[Node] = {RDF.type, RDF.subject, RDF.predicate, RDF.object}
    for st in statements:
        rel_id = v.statement_id(str(st))
        assert rel_id is not None
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        rtype = rel_by_iri.get(p) if isinstance(p, URIRef) else None  # type: ignore[call-overload]
        source = v.node_id(str(s)) if isinstance(s, URIRef) else None
        target = v.node_id(str(o)) if isinstance(o, URIRef) else None
        if rtype is None or source is None or target is None:
            problems.append(_problem(path, "a reified statement needs rdf:subject and rdf:object wbkg nodes and "
                                           "an rdf:predicate from the ontology", rel_id))
            continue
        if (s, p, o) not in g:
            problems.append(_problem(path, f"the direct triple of this statement is missing ({rtype})", rel_id))
        reified.add((s, p, o))  # type: ignore[arg-type]
        props = _props(g, v, st, model.relationship_props(rtype), by_iri, structural, path, rel_id, problems)
        if props.pop("id", rel_id) != rel_id:
            problems.append(_problem(path, "dcterms:identifier differs from the statement IRI", rel_id, "id"))
            continue
        reader.relationship(file, _lined({"type": rtype, "from": source, "to": target, "id": rel_id, **props}))
    for s, p, o in sorted(t for t in g if t[1] in rel_by_iri and t not in reified and is_node_iri(v, t[0])):
        problems.append(_problem(path, f"{rel_by_iri[p]} to {o.n3()} has no reified statement "  # type: ignore[index]
                                       "(id, sources, evidence, status)", v.node_id(str(s))))
    problems.extend(reader.problems)
    if not problems:
        reader.resolve()
        problems.extend(reader.problems)
    if problems:
        raise InvalidData(problems)
    ds = reader.ds
    ds.files.append(file)
    locate = {n.id: (file, n.line) for n in ds.nodes.values()}
    locate.update({r.id: (file, r.line) for r in ds.relationships})
    shacl = shacl_problems(dataset_graph(ds, v), v, locate, origin=file)
    if shacl:
        raise InvalidData(shacl)
    return ds
