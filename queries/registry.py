"""Canned queries and saved scripts: ``.cypher`` files whose leading ``//`` comment block is a YAML header.

The header documents the query and declares its parameters; the loader checks it hard (as aiosql does):
a ``$param`` used in the body but not declared, or declared but not used, is an error naming file and line.
A file may hold several statements separated by ``;`` (split outside strings, comments and backticks).

Header format (every line starts with ``//``; the first line not starting with ``//`` begins the body)::

    // name: ownership-chain
    // title: Ownership chain of a firm
    // description: >-
    //   Every OWNS path from a firm up to its ultimate owners ...
    // params:
    //   - name: entity
    //     type: entity
    //     description: the firm, by id, name or alias
    // mode: read
    // example: wbkg query run ownership-chain -p entity Hytera
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wbkg.errors import QueryError
from wbkg.ontology.types import parse_partial_date
from wbkg.queries import resolve

QUERIES_DIR = Path(__file__).resolve().parent

# string, integer, float, boolean, date: typed values. entity: an id, name or alias of any node, passed as its
# id. country: an ISO 3166 code, id, name or alias of a State, passed as the State's id.
PARAM_TYPES = ("string", "integer", "float", "boolean", "date", "entity", "country")
MODES = ("read", "write")
HEADER_KEYS = ("name", "title", "description", "params", "mode", "example")
REQUIRED_CANNED = ("name", "title", "description", "mode", "example")
PARAM_KEYS = ("name", "type", "default", "description")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAM_REF = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|`|(\d+))")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
INT64 = (-(2**63), 2**63 - 1)  # what Bolt can carry
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class Param:
    """A declared parameter: its type, its default (already typed; None when required or null) and where it was
    declared."""

    name: str
    type: str
    default: Any = None
    required: bool = True
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class Statement:
    """One statement of a script, with the file line it starts on and the parameters it uses."""

    text: str
    line: int
    params: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    mode: str
    example: str
    statements: tuple[Statement, ...]
    path: Path
    header: str = ""
    body: str = ""

    @property
    def write(self) -> bool:
        return self.mode == "write"


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def raise_if_any(self) -> None:
        if self.items:
            msgs = [f"{self.path}:{line}: {msg}" for line, msg in sorted(self.items)]
            raise QueryError("\n".join(msgs))


# --- lexing: mask strings and comments so that `;` and `$` are only seen in code -------------------------------

_NOT_NEWLINE = re.compile(r"[^\n]")
_CYPHER_OPENER = re.compile(r"['\"`]|//|/\*")


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of each (start, end) span, newlines excepted, replaced by spaces: the
    lexers' one way of masking, so offsets and line numbers in the result are those of the original."""
    parts, last = [], 0
    for a, b in spans:
        parts += [text[last:a], _NOT_NEWLINE.sub(" ", text[a:b])]
        last = b
    parts.append(text[last:])
    return "".join(parts)


def mask(text: str) -> str:
    """``text`` with the contents of string literals, backtick names and comments replaced by spaces.

    Newlines are kept, so offsets and line numbers in the masked text are those of the original.
    An unterminated string or comment masks to the end (the server reports the syntax error).
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    m = _CYPHER_OPENER.search(text)
    while m:
        i, c = m.start(), m.group()
        if c == "//":
            j = text.find("\n", i)
            j = n if j < 0 else j
            spans.append((i, j))
        elif c == "/*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            spans.append((i, j))
        else:
            j = i + 1
            while j < n:
                if text[j] == "\\" and c != "`":
                    j += 2
                elif text[j] == c:
                    if c == "`" and j + 1 < n and text[j + 1] == "`":  # a doubled backtick is a backtick
                        j += 2
                    else:
                        break
                else:
                    j += 1
            spans.append((i + 1, min(j, n)))
            j += 1
        m = _CYPHER_OPENER.search(text, j)
    return blank_spans(text, spans)


@dataclass(frozen=True)
class Lexer:
    """What the header parser needs to know of a query language: its line-comment marker, how to mask its
    strings, comments (and IRIs) so that ``$param`` and ``;`` are only seen in code, and whether ``;``
    separates statements."""

    comment: str
    mask: Callable[[str], str]
    splits: bool = True


CYPHER = Lexer("//", mask)


def split_statements(body: str, first_line: int = 1, lexer: Lexer = CYPHER) -> list[Statement]:
    """Split a script on ``;`` outside strings, comments and backticks; drop empty statements."""
    masked = lexer.mask(body)
    if not lexer.splits:
        lead = len(masked) - len(masked.lstrip())
        line = first_line + body.count("\n", 0, lead)
        names = frozenset(name for name, _ in param_refs(body, lexer=lexer))
        return [Statement(body.strip(), line, names)] if masked.strip() else []
    out: list[Statement] = []
    start = 0
    for k in [m.start() for m in re.finditer(";", masked)] + [len(body)]:
        seg, seg_masked = body[start:k], masked[start:k]
        if seg_masked.strip():
            lead = len(seg_masked) - len(seg_masked.lstrip())
            line = first_line + body.count("\n", 0, start + lead)
            out.append(Statement(seg.strip(), line, frozenset(name for name, _ in param_refs(seg, lexer=lexer))))
        start = k + 1
    return out


def param_refs(body: str, first_line: int = 1, lexer: Lexer = CYPHER) -> list[tuple[str, int]]:
    """Every ``$name`` used in code (not in strings or comments), with its line."""
    masked = lexer.mask(body)
    refs = []
    for m in _PARAM_REF.finditer(masked):
        if m.group(1):
            name = m.group(1)
        elif m.group(2):
            name = m.group(2)
        else:  # $`quoted name`: the name is in the original text
            end = body.find("`", m.end())
            name = body[m.end():end if end >= 0 else len(body)]
        refs.append((name, first_line + body.count("\n", 0, m.start())))
    return refs


def example_args(query: Query) -> dict[str, str]:
    """The ``-p NAME VALUE`` pairs of a query's example command line."""
    try:
        words = shlex.split(query.example)
    except ValueError as e:
        raise QueryError(f"{query.path}: example is not a valid command line ({e})") from e
    return {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w in ("-p", "--param") and i + 2 < len(words)}


# --- typing parameter values ----------------------------------------------------------------------------------

def _shown(raw: str) -> str:
    """A value for an error message, cut short (a parameter may be megabytes long)."""
    return repr(raw) if len(raw) <= 40 else repr(raw[:40]) + "..."


def coerce(param: Param, raw: str) -> Any:
    """A command-line string typed per the parameter's declared type; QueryError when it does not fit."""
    t, value = param.type, raw.strip()
    if any("\ud800" <= ch <= "\udfff" for ch in raw):  # undecodable bytes in argv arrive as lone surrogates
        raise QueryError(f"parameter {param.name!r} is not valid UTF-8 text; pass it in UTF-8")
    if t in ("integer", "float") and not value.isascii():  # int() and float() would take "２" or "٣"
        raise QueryError(f"parameter {param.name!r} must be {'an' if t == 'integer' else 'a'} {t} in ASCII digits, "
                         f"got {_shown(raw)}")
    if t == "date" and any(ch.isdigit() and not ch.isascii() for ch in value):  # "２０２０" never matches
        raise QueryError(f"parameter {param.name!r} must be written in ASCII digits (0-9), got {_shown(raw)}")
    if t == "integer":
        if not _INTEGER.match(value):
            raise QueryError(f"parameter {param.name!r} must be an integer, got {_shown(raw)}")
        if len(value) > 20 or not INT64[0] <= int(value) <= INT64[1]:
            raise QueryError(f"parameter {param.name!r} must be an integer from {INT64[0]} to {INT64[1]} "
                             f"(64 bits), got {_shown(raw)}")
        return int(value)
    if t == "float":
        number = float(value) if _FLOAT.match(value) else math.nan
        if not math.isfinite(number):
            raise QueryError(f"parameter {param.name!r} must be a finite float, got {_shown(raw)}")
        return number
    if t == "boolean":
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise QueryError(f"parameter {param.name!r} must be a boolean (true/false), got {_shown(raw)}")
    if t == "date":  # the ontology's partial date, parsed by the one date parser
        try:
            return parse_partial_date(value)
        except ValueError as e:
            raise QueryError(f"parameter {param.name!r}: {e}") from None
    return raw


# --- read scripts stay reads: no file or URL fetches, no transaction or user management -----------------------

# Procedures a read script may CALL: they only describe or search this database.
READ_ONLY_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.info", "db.ping",
    "db.schema.visualization", "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships",
    "db.index.vector.querynodes", "db.index.vector.queryrelationships",
})
# Statements that administer the server (users, roles, databases, servers), by their first word(s).
_ADMIN_FIRST = frozenset({"alter", "grant", "deny", "revoke", "start", "stop", "enable", "deallocate",
                          "reallocate", "dryrun"})
_ADMIN_OBJECTS = frozenset({"user", "role", "database", "alias", "server", "users", "roles", "databases"})
_FILLER = frozenset({"or", "replace", "composite", "local", "remote", "if", "not", "exists"})
# Over the masked text: a backtick name, a string (contents blanked), a word, a number, one symbol.
_TOKEN = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|[^\W\d]\w*|\d\w*|\S")
_WRITE_HINT = "; mark the script 'mode: write' to allow it"


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, offset) of each token outside comments: kind 'name' (words and backtick names, which
    are unquoted), 'string' or 'symbol'. Comments are skipped; string contents are not looked into."""
    masked = mask(text)
    out = []
    for m in _TOKEN.finditer(masked):
        tok = m.group()
        if tok.startswith("`") and len(tok) > 1:
            out.append(("name", text[m.start() + 1:m.end() - 1].replace("``", "`"), m.start()))
        elif tok[0] in "'\"" and len(tok) > 1:
            out.append(("string", "", m.start()))
        elif tok[0].isalnum() or tok[0] == "_":
            out.append(("name", tok, m.start()))
        else:
            out.append(("symbol", tok, m.start()))
    return out


def read_only_problems(statement: str, first_line: int = 1) -> list[tuple[int, str]]:
    """What in one statement a read script may not do, with lines: LOAD CSV (the server fetches a file or
    URL), TERMINATE TRANSACTIONS, CALL of a procedure outside READ_ONLY_PROCEDURES (dbms.* administers
    the server), administration commands. Words inside strings, comments and property names do not count."""
    toks = tokens(statement)
    words = [v.lower() if k == "name" else (v if k == "symbol" else "'") for k, v, _ in toks]
    out: list[tuple[int, str]] = []

    def line(i: int) -> int:
        return first_line + statement.count("\n", 0, toks[i][2])

    start = 0
    while start < len(words) and words[start] in ("use", "explain", "profile"):  # USE name, EXPLAIN, PROFILE
        start += 2 if words[start] == "use" else 1
        while start + 1 < len(words) and words[start] == ".":
            start += 2
    if start < len(words) and toks[start][0] == "name":
        head = words[start]
        rest = [w for w in words[start + 1:start + 6] if w not in _FILLER]
        obj = rest[0] if rest and rest[0] in _ADMIN_OBJECTS else None
        if head in _ADMIN_FIRST or (head in ("create", "drop", "rename") and obj):
            what = f"{head.upper()} {obj.upper()}" if obj else head.upper()
            out.append((line(start), f"{what} is an administration command, which a read script may not "
                                     f"run{_WRITE_HINT}"))
    for i, w in enumerate(words):
        if toks[i][0] != "name" or (i and words[i - 1] in (".", ":", "$")):
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "load" and nxt == "csv":
            out.append((line(i), f"LOAD CSV makes the server read a file or fetch a URL, which a read script may "
                                 f"not do{_WRITE_HINT}"))
        elif w == "terminate" and nxt in ("transaction", "transactions"):
            out.append((line(i), f"TERMINATE TRANSACTIONS ends other sessions' work, which a read script may not "
                                 f"do{_WRITE_HINT}"))
        elif w == "call" and i + 1 < len(toks) and toks[i + 1][0] == "name":
            j, parts = i + 1, [toks[i + 1][1]]
            while j + 2 < len(toks) and words[j + 1] == "." and toks[j + 2][0] == "name":
                parts.append(toks[j + 2][1])
                j += 2
            name = ".".join(parts)
            if name.lower() in READ_ONLY_PROCEDURES:
                continue
            why = ("an administration procedure" if name.lower().startswith("dbms.")
                   else "not a known read-only procedure")
            out.append((line(i), f"CALL {name} is {why}, which a read script may not run{_WRITE_HINT} "
                                 "(read scripts may call db.labels, db.schema.* and the index queries)"))
    return out


def read_only_refusals(statements: tuple[Statement, ...] | list[Statement]) -> list[tuple[int, str]]:
    """``read_only_problems`` of every statement, with file lines (a statement's line is that of its first
    code, after any leading comment)."""
    out = []
    for st in statements:
        masked = mask(st.text)
        code_start = len(masked) - len(masked.lstrip())
        out += read_only_problems(st.text, st.line - st.text.count("\n", 0, code_start))
    return out


# --- parsing a file -------------------------------------------------------------------------------------------

def _scalar(node: Node, problems: _Problems, what: str) -> str | None:
    if isinstance(node, ScalarNode):
        return str(node.value)
    problems.add(node.start_mark.line + 1, f"{what} must be a single value")
    return None


def _params(node: Node, problems: _Problems) -> list[Param]:
    if isinstance(node, ScalarNode) and node.value in ("", "null", "~", "[]"):
        return []
    if not isinstance(node, SequenceNode):
        problems.add(node.start_mark.line + 1, "params must be a list of {name, type, default, description}")
        return []
    out: list[Param] = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, MappingNode):
            problems.add(line, "each parameter must be a mapping with name and type")
            continue
        fields: dict[str, tuple[str | None, bool]] = {}
        for k, v in item.value:
            key = str(k.value)
            if key not in PARAM_KEYS:
                problems.add(k.start_mark.line + 1,
                             f"unknown parameter field {key!r} (one of: {', '.join(PARAM_KEYS)})")
                continue
            # a YAML null default (`default: null`) makes the parameter optional with the value null (Cypher's
            # null, an unbound variable in SPARQL); an explicit quoted '' is an empty default
            is_null = isinstance(v, ScalarNode) and v.tag.endswith(":null") and v.value in ("", "null", "~")
            fields[key] = (None if is_null else _scalar(v, problems, f"parameter field {key!r}"), is_null)
        name = fields.get("name", (None, False))[0]
        ptype = fields.get("type", (None, False))[0]
        if not name or not _IDENT.match(name):
            problems.add(line, f"parameter name {name!r} must be an identifier (letters, digits, _)")
            continue
        if ptype not in PARAM_TYPES:
            problems.add(line, f"parameter {name!r}: type {ptype!r} is not one of {', '.join(PARAM_TYPES)}")
            continue
        if any(p.name == name for p in out):
            problems.add(line, f"parameter {name!r} is declared twice")
            continue
        draft = Param(name, ptype, line=line, description=fields.get("description", ("", False))[0] or "")
        default: Any = None
        required = "default" not in fields
        if not required and not fields["default"][1]:
            raw = fields["default"][0] or ""
            try:
                default = coerce(draft, raw) if ptype not in ("entity", "country", "string") else raw
            except QueryError as e:
                problems.add(line, f"default: {e}")
                default, required = None, True  # still declared, so that its uses draw no second error
        out.append(Param(name, ptype, default, required, draft.description, line))
    return out


def parse_query(path: Path, *, canned: bool = False, text: str | None = None, lexer: Lexer = CYPHER) -> Query:
    """Parse and check one ``.cypher`` file (or, with another ``lexer``, a query in another language with the
    same header); raise QueryError naming file and line for every problem."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"{path}: cannot read the script: {e}") from e
    problems = _Problems(path)
    lines = text.split("\n")
    n_header = 0
    while n_header < len(lines) and lines[n_header].lstrip().startswith(lexer.comment):
        n_header += 1
    if n_header == 0:
        problems.add(1, f"no header: the file must start with '{lexer.comment}' comment lines (name, title, "
                        "description, params, mode, example)")
        problems.raise_if_any()
    header_lines = [re.sub(rf"^\s*{re.escape(lexer.comment)} ?", "", ln) for ln in lines[:n_header]]
    meta: dict[str, tuple[Node, int]] = {}
    header = "\n".join(header_lines)
    try:
        try:  # libyaml's composer when PyYAML has it; the pure-Python one words a broken header's error
            root = yaml.compose(header, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            root = yaml.compose(header, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problems.add(mark.line + 1 if mark else 1, f"header is not valid YAML: {getattr(e, 'problem', e)}")
        problems.raise_if_any()
        raise AssertionError from e  # unreachable: raise_if_any raised
    if not isinstance(root, MappingNode):
        problems.add(1, "header must be 'key: value' lines (name, title, description, params, mode, example)")
        problems.raise_if_any()
    assert isinstance(root, MappingNode)
    for k, v in root.value:
        key = str(k.value)
        if key not in HEADER_KEYS:
            problems.add(k.start_mark.line + 1, f"unknown header key {key!r} (one of: {', '.join(HEADER_KEYS)})")
        elif key in meta:
            problems.add(k.start_mark.line + 1, f"header key {key!r} given twice")
        else:
            meta[key] = (v, k.start_mark.line + 1)
    values: dict[str, str] = {}
    for key in ("name", "title", "description", "mode", "example"):
        if key in meta:
            values[key] = (_scalar(meta[key][0], problems, key) or "").strip()
    required = REQUIRED_CANNED if canned else ("mode",)
    for key in required:
        if not values.get(key):
            problems.add(1, f"header lacks {key!r}")
    name = values.get("name") or path.stem
    if "name" in values and not _NAME.match(name):
        problems.add(meta["name"][1], f"name {name!r} must be lower-case letters, digits and hyphens")
    if canned and name != path.stem:
        problems.add(meta.get("name", (None, 1))[1], f"name {name!r} differs from the file name {path.stem!r}")
    mode = values.get("mode", "read")
    if mode not in MODES:
        problems.add(meta["mode"][1], f"mode {mode!r} must be 'read' or 'write'")
    params = _params(meta["params"][0], problems) if "params" in meta else []

    body = "\n".join(lines[n_header:])
    first_body_line = n_header + 1
    statements = split_statements(body, first_body_line, lexer)
    if not statements:
        problems.add(first_body_line, "no statement after the header")
    declared = {p.name: p for p in params}
    used: set[str] = set()
    for ref, line in param_refs(body, first_body_line, lexer):
        used.add(ref)
        if ref not in declared:
            problems.add(line, f"${ref} is used but not declared in the header's params")
    for p in params:
        if p.name not in used:
            problems.add(p.line, f"parameter {p.name!r} is declared but the body never uses ${p.name}")
    if mode != "write":
        for line, message in read_only_refusals(statements):
            problems.add(line, message)
    problems.raise_if_any()
    return Query(
        name=name, title=values.get("title", ""), description=values.get("description", ""),
        params=tuple(params), mode=mode, example=values.get("example", ""), statements=tuple(statements),
        path=path, header="\n".join(lines[:n_header]), body=body.strip("\n"),
    )


@cache
def _load_dir(directory: Path) -> dict[str, Query]:
    out: dict[str, Query] = {}
    for path in sorted(directory.glob("*.cypher")):
        q = parse_query(path, canned=True)
        for p in q.params:
            if p.type in ("entity", "country") and not resolve.check(q.body, p.type, p.name):
                raise QueryError(f"{path}:{p.line}: parameter {p.name!r} ({p.type}) must be resolved in the query "
                                 "by the text of queries.resolve.fragment, so that the Browser resolves names "
                                 "as the command line does")
        out[q.name] = q
    return out


def canned_queries(directory: Path | None = None) -> dict[str, Query]:
    """Every canned query of ``queries/`` (or ``directory``), by name, sorted by name."""
    return dict(_load_dir((directory or QUERIES_DIR).resolve()))


def get_query(name: str, directory: Path | None = None) -> Query:
    """One canned query by name; QueryError listing the known names (and the closest) otherwise."""
    import difflib

    queries = canned_queries(directory)
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"no canned query named {name!r}{hint} ('wbkg query list' shows them all)")
