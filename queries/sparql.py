"""SPARQL twins of the canned Cypher queries, run in process on a pyoxigraph store (no Neo4j).

Each ``queries/NAME.rq`` sits beside ``queries/NAME.cypher`` and returns the same columns and rows, in the
same order where the query orders. Its header is the Cypher one with ``#`` for ``//`` (YAML: name, title,
description, params, mode, example), checked by the same code (``queries.registry.parse_query``) with a
SPARQL lexer of its own (``mask``: IRIs ``<…>``, ``#`` comments, short and long strings), so an undeclared or
unused parameter is reported with file and line just as for Cypher. Parameters are written ``$name`` in the
body (SPARQL's other variable sigil) and every other variable ``?x``. Each file declares its ``PREFIX``es
(for the default base IRI), so it runs unchanged in Apache Jena ARQ or Oxigraph; under another
``WBKG_BASE_IRI`` the runner moves our prefixes (wbkg, id, st) to it (``rebase``).

Parameter values are typed as the header says and written into the query as single RDF terms in
N-Triples syntax (``substitute``, as Jena's ParameterizedSparqlString does: quoting and escaping by
pyoxigraph, so a value never becomes query text). ``entity`` and ``country`` parameters are resolved to an
id first, over the same store, as the Cypher runner does over Neo4j. ``SERVICE`` is refused: a query never
reaches another endpoint. ``wbkg sparql NAME`` runs only canned queries; ``--file`` runs your own.

List-valued columns. SPARQL results hold single terms, so a column that Cypher returns as a list is
projected as one string and split back here. The projected variable names the column plus a suffix that
says how (the suffix is dropped from the column name, so ``?chain__list`` gives the column ``chain``):

- ``NAME__list``: text items joined with ``ITEM_SEPARATOR`` (U+001F, written ``"\\u001f"`` in a query),
  in the order the query produced them: the twins feed ``GROUP_CONCAT`` from a sub-select with ``ORDER BY``
  (rdflib, Oxigraph and Jena keep that order; the SPARQL spec does not promise it, hence ``__sorted``), or
  ``CONCAT`` the items of a fixed-length path in path order.
- ``NAME__sorted``: the same, then sorted here by code point (the order of Cypher's ``ORDER BY`` on
  strings), for lists that Cypher sorts by the item itself.
- ``NAME__numbers``: numbers (as ``STR`` gives them) in the order given, with ``null`` for a missing one.

The empty string is the empty list; an unbound cell stays null.

Notes the twins rely on: a grouped sub-select over no solutions yields one empty group in some engines
(the spec says none), so a sub-select that must join carries ``HAVING (COUNT(*) > 0)``; a FILTER inside a
nested OPTIONAL cannot see the variables outside it (the spec's scoping), so such tests sit at the level
where every variable is bound; and a disputed or denied link has no direct triple (``rdf.mapping``), so a
twin that must follow every link, as Cypher does, reads it from its ``rdf:Statement``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from wbkg.errors import QueryError
from wbkg.ontology import DEFAULT_BASE_IRI
from wbkg.ontology.types import ID_PATTERN
from wbkg.ontology.vocab import Vocab, vocab
from wbkg.queries.registry import _NAME, QUERIES_DIR, Lexer, Query, blank_spans, parse_query
from wbkg.queries.runner import ResultSet, bind
from wbkg.rdf.mapping import prefixes
from wbkg.resources import dataset_dir

ITEM_SEPARATOR = "\x1f"
LIST_SUFFIXES = ("__list", "__sorted", "__numbers")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {_XSD + t for t in ("decimal", "double", "float")}


# -- lexing ------------------------------------------------------------------------------------------------------

def mask(text: str) -> str:
    """``text`` with the insides of SPARQL strings (short and long, either quote), IRIs ``<…>`` and ``#``
    comments replaced by spaces (newlines kept, so lines and offsets stay those of the original).

    ``<`` opens an IRI only when the characters up to the next ``>`` may form one (no space, quote, brace,
    pipe, caret, backtick or backslash: the IRIREF production), so ``?a < ?b`` stays a comparison. A ``#``
    inside an IRI or a string is not a comment. An unterminated string masks to the end (the SPARQL parser
    reports the error)."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    m = _SPARQL_OPENER.search(text)
    while m:
        i, c = m.start(), m.group()
        if c in ("'", '"'):
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    break  # a short string ends at the line's end at the latest
                j += 2 if text[j] == "\\" else 1
            spans.append((i + len(quote), min(j, n)))
            j += len(quote)
        elif c == "<":
            iri = _IRIREF.match(text, i)
            if iri:
                spans.append((i + 1, iri.end() - 1))
                j = iri.end()
            else:
                j = i + 1
        else:  # "#"
            j = text.find("\n", i)
            j = n if j < 0 else j
            spans.append((i, j))
        m = _SPARQL_OPENER.search(text, j)
    return blank_spans(text, spans)


_SPARQL_OPENER = re.compile(r"['\"<#]")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
SPARQL = Lexer("#", mask, splits=False)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


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


def parse_query_file(path: Path, *, canned: bool = True) -> SparqlQuery:
    """Read a ``.rq`` file; raise QueryError with file and line on a bad header or parameter, or on a
    ``SERVICE`` clause (a query never reaches out to another endpoint)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"{path}: cannot read ({e})") from e
    q = parse_query(path, canned=canned, text=text, lexer=SPARQL)
    masked = mask(text)
    hit = _SERVICE.search(masked)
    if hit:
        line = text.count("\n", 0, hit.start()) + 1
        raise QueryError(f"{path}:{line}: SERVICE is refused: wbkg runs SPARQL over local data only")
    return SparqlQuery(query=q, text=q.body)


def query_names(directory: Path = QUERIES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.rq"))


def load_query(name: str, directory: Path = QUERIES_DIR) -> SparqlQuery:
    """A canned SPARQL query by name: never a path (``--file`` runs your own)."""
    if not _NAME.match(name):
        raise QueryError(f"{name!r} is not a canned query name (lower-case letters, digits and hyphens); "
                         "run your own file with --file")
    path = directory / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(query_names(directory)) or "none"
        raise QueryError(f"no SPARQL query {name!r} in {directory} (known: {known})")
    return parse_query_file(path)


def rebase(text: str, v: Vocab) -> str:
    """The query with its ``PREFIX`` declarations of our namespaces (written for the default base IRI, so
    that a file runs unchanged elsewhere) moved to the configured base."""
    if v.base == DEFAULT_BASE_IRI:
        return text
    default = prefixes(vocab(DEFAULT_BASE_IRI))
    ours = prefixes(v)
    masked = mask(text)
    out, last = [], 0
    for m in _PREFIX_DECL.finditer(text):
        name = m.group(1) or ""
        if masked[m.start():m.start() + 6].upper() != "PREFIX" or default.get(name) != m.group(2):
            continue
        out += [text[last:m.start(2)], ours[name]]
        last = m.end(2)
    return "".join([*out, text[last:]])


def substitute(text: str, values: dict[str, ox.Literal]) -> str:
    """The query with each ``$name`` in code replaced by its value written as one RDF term (N-Triples
    syntax: quotes and escapes by pyoxigraph, so a value can never become query text), as Jena's
    ``ParameterizedSparqlString`` does. Unbound parameters stay variables."""
    masked = mask(text)
    out, last = [], 0
    for m in _PARAM.finditer(masked):
        value = values.get(m.group(1))
        if value is None:
            continue
        out += [text[last:m.start()], str(value)]
        last = m.end()
    return "".join([*out, text[last:]])


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# -- running -----------------------------------------------------------------------------------------------------

def _text(term: Any) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def resolve(g: ox.Store, v: Vocab, kind: str, value: str, param: str) -> str:
    """The id of the node that ``value`` names, in the order ``queries.resolve`` uses over Neo4j: the id,
    then (a country) the ISO 3166 code, then an exact case-insensitive name or alias."""
    value = value.strip()
    if not value:
        raise QueryError(f"parameter {param!r} is empty: give an id, a name or an alias")
    p = prefixes(v)
    identifier = ox.NamedNode(p["dcterms"] + "identifier")
    rdf_type = ox.NamedNode(p["rdf"] + "type")
    country, code = v.model.country_class, v.model.country_code
    state = ox.NamedNode(str(v.cls(country)))

    def fits(s: Any) -> bool:
        if not any(True for _ in g.quads_for_pattern(s, identifier, None)):
            return False
        return kind != "country" or any(True for _ in g.quads_for_pattern(s, rdf_type, state))

    def ident(s: Any) -> str:
        return _text(next(iter(g.quads_for_pattern(s, identifier, None))).object) or ""

    if ID_PATTERN.match(value) and fits(ox.NamedNode(f"{v.base}id/{value}")):  # a name is no IRI
        return value
    if kind == "country" and code and len(value) == 2 and value.isalpha():
        iso = ox.NamedNode(str(v.prop(code)))
        hits = sorted({ident(q.subject) for q in g.quads_for_pattern(None, iso, ox.Literal(value.upper()))
                       if fits(q.subject)})
        if len(hits) == 1:
            return hits[0]
    wanted = value.lower()
    found = sorted({ident(q.subject) for pred in (p["rdfs"] + "label", p["skos"] + "altLabel")
                    for q in g.quads_for_pattern(None, ox.NamedNode(pred), None)
                    if (_text(q.object) or "").lower() == wanted and fits(q.subject)})
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(f"{kind} {value!r} for parameter {param!r} is ambiguous: {', '.join(found)}; give the id")
    raise QueryError(f"unknown {kind} {value!r} for parameter {param!r}")


def _term(value: Any) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    return ox.Literal(str(value))


def bindings(q: SparqlQuery, given: dict[str, str], g: ox.Store, v: Vocab) -> dict[str, ox.Literal]:
    """Typed substitutions from ``-p NAME VALUE`` strings, checked and defaulted as for Cypher."""
    out: dict[str, ox.Literal] = {}
    values = bind(q.query, given)
    for p in q.query.params:
        value = values[p.name]
        if value is None:
            continue  # a null default stays unbound, as a null parameter in Cypher
        if p.type in ("entity", "country"):
            value = resolve(g, v, p.type, str(value), p.name)
        out[p.name] = _term(value)
    return out


def to_python(term: Any) -> Any:
    """A plain value for a result cell: numbers as int/float, dates and text as their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in _INTEGERS:
            return int(term.value)
        if dt in _FLOATS:
            return float(term.value)
        if dt == _XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return term.value


def run(q: SparqlQuery, params: dict[str, str], g: ox.Store, v: Vocab) -> ResultSet:
    """Run a SPARQL query; return its columns and rows of plain values (as ``queries.runner`` does)."""
    text = substitute(rebase(q.text, v), bindings(q, params, g, v))
    try:
        result = g.query(text)
    except (SyntaxError, ValueError, OSError) as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise QueryError(f"{q.path}: SPARQL error: {first}") from e
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{q.path}: only SELECT queries are supported")
    names = [var.value for var in result.variables]
    columns, kinds = zip(*map(list_column, names), strict=True) if names else ((), ())
    rows = [[cell(row[i], kinds[i]) for i in range(len(names))] for row in result]
    return ResultSet(list(columns), rows)


def list_column(name: str) -> tuple[str, str | None]:
    """The column name and list kind (``list``, ``sorted``, ``numbers``) of a projected variable."""
    for suffix in LIST_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix[2:]
    return name, None


def cell(term: Any, kind: str | None) -> Any:
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


def run_named(name: str, params: dict[str, str], g: ox.Store, v: Vocab) -> ResultSet:
    return run(load_query(name), params, g, v)


def run_file(path: Path, params: dict[str, str], g: ox.Store, v: Vocab) -> ResultSet:
    """Run your own ``.rq`` file (same header as a canned one; SERVICE refused)."""
    return run(parse_query_file(path, canned=False), params, g, v)


def store(triples: Any) -> ox.Store:
    """An in-memory pyoxigraph store holding ``triples`` in its default graph."""
    from wbkg.rdf.importer import triple_store

    return triple_store(triples)


def load_data(data_file: Path | None, v: Vocab) -> ox.Store:
    """The store to query: an RDF export, or the curated dataset mapped straight from ``data/``."""
    if data_file is not None:
        from wbkg.rdf.importer import load_store

        return load_store(data_file)
    from wbkg.loaders.dataset import read_dataset
    from wbkg.rdf.mapping import dataset_triples

    return store(dataset_triples(read_dataset([dataset_dir()]), v))
