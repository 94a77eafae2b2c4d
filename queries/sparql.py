"""SPARQL twins of the canned Cypher queries, run in process with rdflib (no Neo4j).

Each ``queries/NAME.rq`` sits beside ``queries/NAME.cypher`` and returns the same columns and rows.
Its header is the Cypher one with ``#`` for ``//`` (YAML: name, title, description, params, mode,
example), checked by the same code (``queries.registry.parse_query``): parameters are written
``$name`` in the body (SPARQL's other variable sigil) and every other variable ``?x``, so an
undeclared or unused parameter is reported with file and line just as for Cypher. The body uses
the prefixes of ``rdf.mapping.prefixes`` (wbkg, id, st, rdfs, skos, owl, xsd, dcterms, prov) without
declaring them, so the base IRI stays configurable.

Parameter values are typed as the header says and bound with ``initBindings``, never formatted
into the text. ``entity`` and ``country`` parameters are resolved to an id first, over the same
graph, as the Cypher runner does over Neo4j.

List-valued columns. SPARQL results hold single terms, so a column that Cypher returns as a list is
projected as one string and split back here. The projected variable names the column plus a suffix that
says how (the suffix is dropped from the column name, so ``?chain__list`` gives the column ``chain``):

- ``NAME__list``: text items joined with ``ITEM_SEPARATOR`` (U+001F, written ``"\\u001f"`` in a query),
  in the order the query produced them: the twins feed ``GROUP_CONCAT`` from a sub-select with ``ORDER BY``
  (rdflib keeps that order; the SPARQL spec does not promise it, hence ``__sorted``), or ``CONCAT`` the
  items of a fixed-length path in path order.
- ``NAME__sorted``: the same, then sorted here by code point (the order of Cypher's ``ORDER BY`` on
  strings), for lists that Cypher sorts by the item itself.
- ``NAME__numbers``: numbers (as ``STR`` gives them) in the order given, with ``null`` for a missing one.

The empty string is the empty list; an unbound cell stays null.

rdflib notes the twins rely on: a grouped sub-select over no solutions yields one empty group in rdflib
(the spec says none), so a sub-select that must join carries ``HAVING (COUNT(*) > 0)``; and a FILTER
inside a nested OPTIONAL cannot see the variables outside it (the spec's scoping), so such tests sit at
the level where every variable is bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Variable
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from wbkg.errors import QueryError
from wbkg.ontology.vocab import Vocab
from wbkg.queries.registry import QUERIES_DIR, Query, parse_query
from wbkg.queries.runner import ResultSet, bind
from wbkg.rdf.mapping import prefixes
from wbkg.resources import dataset_dir

ITEM_SEPARATOR = "\x1f"
LIST_SUFFIXES = ("__list", "__sorted", "__numbers")


@dataclass(frozen=True)
class SparqlQuery:
    query: Query  # the header, checked as a Cypher header is
    text: str  # the SPARQL body

    @property
    def name(self) -> str:
        return self.query.name

    @property
    def path(self) -> Path:
        return self.query.path


def parse_query_file(path: Path) -> SparqlQuery:
    """Read a ``.rq`` file; raise QueryError with file and line on a bad header or parameter."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"{path}: cannot read ({e})") from e
    lines = text.split("\n")
    n = 0
    while n < len(lines) and lines[n].lstrip().startswith("#"):
        n += 1
    header = [re.sub(r"^\s*# ?", "// ", ln, count=1) for ln in lines[:n]]
    q = parse_query(path, canned=True, text="\n".join([*header, *lines[n:]]))
    return SparqlQuery(query=q, text="\n".join(lines[n:]))


def query_names(directory: Path = QUERIES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.rq"))


def load_query(name: str, directory: Path = QUERIES_DIR) -> SparqlQuery:
    path = directory / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(query_names(directory)) or "none"
        raise QueryError(f"no SPARQL query {name!r} in {directory} (known: {known})")
    return parse_query_file(path)


def resolve(g: Graph, v: Vocab, kind: str, value: str, param: str) -> str:
    """The id of the node that ``value`` names, in the order ``queries.resolve`` uses over Neo4j: the id,
    then (a country) the ISO 3166 code, then an exact case-insensitive name or alias."""
    value = value.strip()
    if not value:
        raise QueryError(f"parameter {param!r} is empty: give an id, a name or an alias")
    country, code = v.model.country_class, v.model.country_code
    allowed = set(g.subjects(RDF.type, v.cls(country))) if kind == "country" else None

    def fits(s: Node) -> bool:
        return (s, DCTERMS.identifier, None) in g and (allowed is None or s in allowed)

    if fits(v.node(value)):
        return value
    if kind == "country" and code and len(value) == 2 and value.isalpha():
        hits = sorted({str(g.value(s, DCTERMS.identifier)) for s in g.subjects(v.prop(code),
                                                                                Literal(value.upper())) if fits(s)})
        if len(hits) == 1:
            return hits[0]
    wanted = value.lower()
    found = sorted({str(g.value(s, DCTERMS.identifier)) for p in (RDFS.label, SKOS.altLabel)
                    for s, o in g.subject_objects(p) if str(o).lower() == wanted and fits(s)})
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(f"{kind} {value!r} for parameter {param!r} is ambiguous: {', '.join(found)}; give the id")
    raise QueryError(f"unknown {kind} {value!r} for parameter {param!r}")


def bindings(q: SparqlQuery, given: dict[str, str], g: Graph, v: Vocab) -> dict[str, Node]:
    """Typed initBindings from ``-p NAME VALUE`` strings, checked and defaulted as for Cypher."""
    out: dict[str, Node] = {}
    values = bind(q.query, given)
    for p in q.query.params:
        value = values[p.name]
        if value is None:
            continue  # a null default stays unbound, as a null parameter in Cypher
        if p.type in ("entity", "country"):
            value = resolve(g, v, p.type, str(value), p.name)
        out[p.name] = Literal(value)
    return out


def to_python(term: Node | None) -> Any:
    """A plain value for a result cell: numbers as int/float, dates and text as their lexical form."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger):
            return int(term)
        if term.datatype in (XSD.decimal, XSD.double, XSD.float):
            return float(term)
        if term.datatype == XSD.boolean:
            return term.toPython()
        return str(term)
    return str(term)


def run(q: SparqlQuery, params: dict[str, str], g: Graph, v: Vocab) -> ResultSet:
    """Run a SPARQL query; return its columns and rows of plain values (as ``queries.runner`` does)."""
    init = {Variable(k): val for k, val in bindings(q, params, g, v).items()}
    try:
        result = g.query(q.text, initNs=prefixes(v), initBindings=init)  # type: ignore[arg-type]
    except Exception as e:  # rdflib's parser raises pyparsing errors; report them as query errors
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise QueryError(f"{q.path}: SPARQL error: {first}") from e
    names = [str(c) for c in (result.vars or [])]
    columns, kinds = zip(*map(list_column, names), strict=True) if names else ((), ())
    rows = [[cell(row[i], kinds[i]) for i in range(len(names))] for row in result]  # type: ignore[index]
    return ResultSet(list(columns), rows)


def list_column(name: str) -> tuple[str, str | None]:
    """The column name and list kind (``list``, ``sorted``, ``numbers``) of a projected variable."""
    for suffix in LIST_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix[2:]
    return name, None


def cell(term: Node | None, kind: str | None) -> Any:
    """One result cell: a plain value, or a list split back from its joined text (see the module docstring)."""
    value = to_python(term)
    if kind is None or value is None:
        return value
    items = str(value).split(ITEM_SEPARATOR) if str(value) != "" else []
    if kind == "sorted":
        return sorted(items)
    if kind == "numbers":
        return [None if x == "null" else int(x) if re.fullmatch(r"[+-]?\d+", x) else float(x) for x in items]
    return items


def run_named(name: str, params: dict[str, str], g: Graph, v: Vocab) -> ResultSet:
    return run(load_query(name), params, g, v)


def load_data(data_file: Path | None, v: Vocab) -> Graph:
    """The graph to query: an RDF export, or the curated dataset mapped straight from ``data/``."""
    if data_file is not None:
        from wbkg.rdf.importer import parse_rdf_file

        return parse_rdf_file(data_file)
    from wbkg.loaders.dataset import read_dataset
    from wbkg.rdf.mapping import dataset_graph

    return dataset_graph(read_dataset([dataset_dir()]), v)
