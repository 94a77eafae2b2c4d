"""Read an RDF export back: SHACL validation of the file, and the inverse of ``rdf.mapping``.

``read_rdf_dataset`` turns typed resources under ``{base}id/`` into node records and reified
``rdf:Statement``s under ``{base}statement/`` into relationship records, then runs them through the
same record checks as YAML data (``loaders.dataset``) and the same SHACL shapes, so an RDF file
is held to exactly the rules of the curated files. Triples outside the mapping (an ontology
merged in with ``--with-ontology``, say) are ignored; triples on our own resources that the
mapping does not produce are reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from wbkg.errors import InvalidData, Problem
from wbkg.loaders.dataset import Dataset as RecordSet
from wbkg.loaders.dataset import _Reader
from wbkg.loaders.safeyaml import LinedDict
from wbkg.ontology.model import PropertyDef
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.rdf.mapping import (
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDF_TYPE,
    Triple,
    dataset_graph,
    is_fact,
    node_class,
    rdflib_graph,
    terms,
)
from wbkg.rdf.validate import shacl_problems

# file suffix -> pyoxigraph parser
SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML, ".trig": ox.RdfFormat.TRIG,
}
FORMAT_NAMES = {ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N_TRIPLES: "nt", ox.RdfFormat.N_QUADS: "nquads",
                ox.RdfFormat.JSON_LD: "json-ld", ox.RdfFormat.RDF_XML: "xml", ox.RdfFormat.TRIG: "trig"}


def _problem(path: Path, message: str, entity: str | None = None, fld: str | None = None) -> Problem:
    return Problem(str(path), None, entity, fld, message)


def _not_valid(path: Path, format_name: str, e: Exception) -> InvalidData:
    """A parser's refusal, in one line: the first line of its message."""
    first = (str(e).strip().splitlines() or [type(e).__name__])[0]
    return InvalidData([_problem(path, f"not valid {format_name}: {first}")])


def parse_rdf_file(path: Path) -> list[Triple]:
    """Parse any supported serialization (format from the suffix) into its triples, in document order,
    each once (the quads of every graph merged).

    Nothing but the named file is read: pyoxigraph's JSON-LD parser loads no remote or ``file:`` context
    (it has no document loader: such a context is an error), and an RDF/XML file that declares entities is
    refused before parsing (its expansion would be unbounded: the "billion laughs")."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidData([_problem(path, f"unknown RDF file suffix {path.suffix!r} "
                                          f"(one of: {', '.join(sorted(SUFFIX_FORMATS))})")])
    if not path.is_file():
        raise InvalidData([_problem(path, "no such file")])
    name = FORMAT_NAMES[fmt]
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidData([_problem(path, f"cannot read: {e.strerror or e}")]) from e
    if fmt == ox.RdfFormat.RDF_XML and b"<!ENTITY" in data:
        raise InvalidData([_problem(path, "not valid xml: declares XML entities, which wbkg refuses to expand")])
    try:
        seen: dict[Triple, None] = {}
        for q in ox.parse(data, fmt):
            seen.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
    except (SyntaxError, ValueError) as e:
        raise _not_valid(path, name, e) from e
    return list(seen)


def load_store(path: Path) -> ox.Store:
    """An in-memory pyoxigraph store holding the triples of an RDF file (every graph's, in the default graph),
    with the checks of ``parse_rdf_file``. N-Triples, Turtle and JSON-LD go straight into the store, without a
    Python object per triple (a big export would otherwise take gigabytes); quad formats (every graph merged)
    and RDF/XML (its entity check) go through ``parse_rdf_file``."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt in (None, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) or not path.is_file():
        return triple_store(parse_rdf_file(path))
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError) as e:
        raise _not_valid(path, FORMAT_NAMES[fmt], e) from e
    except OSError as e:
        raise InvalidData([_problem(path, f"cannot read: {e.strerror or e}")]) from e
    return store


def triple_store(triples: Iterable[Triple]) -> ox.Store:
    """An in-memory pyoxigraph store holding ``triples`` in its default graph."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return store


class _Index:
    """Each subject's (predicate, object) pairs in document order."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[Any, list[tuple[Any, Any]]] = {}
        self.triples: set[Triple] = set()
        for t in triples:
            self.by_subject.setdefault(t.subject, []).append((t.predicate, t.object))
            self.triples.add(t)

    def pairs(self, subject: Any) -> list[tuple[Any, Any]]:
        return self.by_subject.get(subject, [])

    def objects(self, subject: Any, predicate: Any) -> list[Any]:
        return [o for p, o in self.pairs(subject) if p == predicate]

    def value(self, subject: Any, predicate: Any) -> Any:
        found = self.objects(subject, predicate)
        return found[0] if len(found) == 1 else None


def _node_id(v: Vocab, term: Any) -> str | None:
    return v.node_id(term.value) if isinstance(term, ox.NamedNode) else None


def _resources(ix: _Index, v: Vocab) -> list[Any]:
    classes = set(terms(v).cls.values())
    return sorted((s for s, pairs in ix.by_subject.items()
                   if _node_id(v, s) is not None and any(p == RDF_TYPE and o in classes for p, o in pairs)),
                  key=lambda s: s.value)


def _no_nodes(path: Path, v: Vocab) -> InvalidData:
    return InvalidData([_problem(path, f"no wbkg resources under {v.base}id/ typed with an ontology class; "
                                       "was it exported with another WBKG_BASE_IRI?")])


def validate_rdf_file(path: Path, base: str) -> int:
    """SHACL-validate an RDF file, as it stands (no ontology mixed in), with the project's shapes;
    return its number of triples."""
    v = vocab(base)
    triples = parse_rdf_file(path)
    if not _resources(_Index(triples), v):
        raise _no_nodes(path, v)
    problems = shacl_problems(rdflib_graph(triples, v), v, origin=str(path))
    if problems:
        raise InvalidData(problems)
    return len(triples)


# -- the inverse mapping -------------------------------------------------------------------------

def _props(ix: _Index, v: Vocab, subject: Any, defs: dict[str, PropertyDef], by_iri: dict[Any, str],
           skip: set[Any], path: Path, ident: str, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pred, obj in ix.pairs(subject):
        if pred in skip:
            continue
        name = by_iri.get(pred)
        if name is None or name not in defs:
            problems.append(_problem(path, f"predicate {pred} is not part of the mapping here", ident))
            continue
        d = defs[name]
        try:
            value = d.kind.value(obj, v)
        except ValueError as e:
            problems.append(_problem(path, str(e), ident, name))
            continue
        if d.many:
            out.setdefault(name, []).append(value)  # document order: the export writes the record's order
        elif name in out:
            problems.append(_problem(path, "has more than one value", ident, name))
        else:
            out[name] = value
    return out


def _lined(values: dict[str, Any]) -> LinedDict:
    # RDF has no lines: problems name the file and the id (and field) instead
    rec = LinedDict(values)
    rec.line = None  # type: ignore[assignment]
    rec.lines = {}
    return rec


def read_rdf_dataset(path: Path, base: str) -> RecordSet:
    """The inverse mapping: an RDF export back into checked records, ready for ``loaders.writer.load``.

    A direct triple must match a statement whose status is a fact (asserted or corroborated), and such a
    statement needs its direct triple: a disputed or denied link stated as a plain triple is refused."""
    v = vocab(base)
    t = terms(v)
    model = v.model
    ix = _Index(parse_rdf_file(path))
    resources = _resources(ix, v)
    if not resources:
        raise _no_nodes(path, v)
    by_iri = {t.prop[n]: n for n in model.all_property_defs()}
    rel_by_iri = {iri: n for n, iri in t.rel.items()}
    class_by_iri = {iri: c for c, iri in t.cls.items()}
    problems: list[Problem] = []
    reader = _Reader(model)
    file = str(path)
    for subject in resources:
        ident = _node_id(v, subject)
        assert ident is not None
        classes = [class_by_iri[o] for o in ix.objects(subject, RDF_TYPE) if o in class_by_iri]
        cls = node_class(model, classes)
        assert cls is not None  # a resource is typed with at least one ontology class
        if any(not model.is_a(cls, c) for c in classes):
            problems.append(_problem(path, f"typed with unrelated classes {sorted(classes)}", ident, "class"))
            continue
        props = _props(ix, v, subject, model.properties(cls), by_iri, {RDF_TYPE, *rel_by_iri}, path, ident,
                       problems)
        if props.get("id", ident) != ident:
            problems.append(_problem(path, f"dcterms:identifier {props['id']!r} differs from the IRI", ident, "id"))
            continue
        reader.node(file, _lined({"class": cls, **props}))

    statements = sorted((s for s, pairs in ix.by_subject.items()
                         if isinstance(s, ox.NamedNode) and v.statement_id(s.value) is not None
                         and (RDF_TYPE, RDF_STATEMENT) in pairs), key=lambda s: s.value)
    stated: set[Triple] = set()  # direct triples that a fact statement accounts for
    reported: set[Triple] = set()  # links only reported (disputed, denied)
    structural = {RDF_TYPE, RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT}
    for st in statements:
        rel_id = v.statement_id(st.value)
        assert rel_id is not None
        s, p, o = ix.value(st, RDF_SUBJECT), ix.value(st, RDF_PREDICATE), ix.value(st, RDF_OBJECT)
        rtype = rel_by_iri.get(p)
        source, target = _node_id(v, s), _node_id(v, o)
        if rtype is None or source is None or target is None:
            problems.append(_problem(path, "a reified statement needs rdf:subject and rdf:object wbkg nodes and "
                                           "an rdf:predicate from the ontology", rel_id))
            continue
        props = _props(ix, v, st, model.relationship_props(rtype), by_iri, structural, path, rel_id, problems)
        if props.pop("id", rel_id) != rel_id:
            problems.append(_problem(path, "dcterms:identifier differs from the statement IRI", rel_id, "id"))
            continue
        direct = ox.Triple(s, p, o)
        if is_fact(props):
            if direct not in ix.triples:
                problems.append(_problem(path, f"the direct triple of this statement is missing ({rtype})", rel_id))
            stated.add(direct)
        else:
            reported.add(direct)
        reader.relationship(file, _lined({"type": rtype, "from": source, "to": target, "id": rel_id, **props}))
    for tr in sorted((tr for tr in ix.triples if tr.predicate in rel_by_iri and tr not in stated
                      and _node_id(v, tr.subject) is not None), key=str):
        rtype = rel_by_iri[tr.predicate]
        why = ("is stated as a fact, but its statements are only disputed or denied" if tr in reported
               else "has no reified statement (id, sources, evidence, status)")
        problems.append(_problem(path, f"{rtype} to {tr.object} {why}", _node_id(v, tr.subject)))
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
