"""A YAML reader for untrusted data files: safe, bounded, and aware of line numbers.

It builds the document itself from the events of libyaml's parser (PyYAML's C binding), in one loop
with no node tree, so that:
- no tag other than the core schema's is accepted (``!!python/object`` and friends are refused);
- anchors and aliases are refused (no exponential "billion laughs" expansion);
- files that are too large, not UTF-8, or binary are refused before parsing;
- every mapping remembers the line of each key, so errors name file, line and field.
Scalars that look like dates keep the text as written (``2019`` stays a year, not an int). Numbers are what
the file says: the YAML 1.1 forms PyYAML would silently convert (octal ``010`` → 8, ``1_000``, sexagesimal
``33:44`` → 2024, hex ``0x7E8``, binary ``0b101``) are refused with their line, as are lone surrogates and
control characters written as escapes in keys. Sizes are measured on the bytes actually read, and only
regular files are read (a link to ``/dev/zero`` is reported, not read until memory runs out).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import Node, ScalarNode

from wbkg.errors import Problem
from wbkg.ontology.types import CONTROL_PATTERN, SURROGATE_PATTERN

MAX_FILE_BYTES = 5_000_000
MAX_SCALAR_CHARS = 20_000
MAX_DEPTH = 20

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
# The numbers YAML 1.2's core schema and JSON agree on: plain decimal integers (no leading zero) and decimals.
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|"
                          r"^\.(?:nan|NaN|NAN)$")


class LinedDict(dict):  # type: ignore[type-arg]
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int
    lines: dict[str, int]


class LinedList(list):  # type: ignore[type-arg]
    line: int


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Checked:
    """The same refusals for the pure-Python reader: anchors and aliases before anything could expand, and
    nesting bounded while composing, so "[[[[…" fails with a line number instead of exhausting the stack."""

    depth = 0
    check_event: Any
    peek_event: Any

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(event.start_mark.line + 1, "YAML aliases (*name) are not allowed in data files")
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlProblem(event.start_mark.line + 1, "YAML anchors (&name) are not allowed in data files")
        if self.depth >= MAX_DEPTH:
            raise YamlProblem(event.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1


class _NoAliasLoader(_Checked, yaml.SafeLoader):
    """The pure-Python reader, used only to word the error of a file that libyaml rejected (PyYAML's usual
    message and line; libyaml scans ahead, so it may stop at its own limits before our checks see them)."""


@lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The core-schema tag of a plain (unquoted) scalar; keys and enum values repeat, hence the cache."""
    return str(_RESOLVER.resolve(ScalarNode, value, (True, False)))


def _plain_number(value: str, line: int, tag: str) -> None:
    """Refuse a number written in one of the YAML 1.1 forms that PyYAML would convert silently."""
    if (_PLAIN_INT if tag == "int" else _PLAIN_FLOAT).match(value):
        return
    text = value.lstrip("-+")
    if "_" in value:
        form = "number with digit-group underscores"
    elif ":" in value:
        form = "sexagesimal (base 60) number"
    elif text[:2] in ("0x", "0X"):
        form = "hexadecimal number"
    elif text[:2] in ("0b", "0B"):
        form = "binary number"
    else:
        form = "octal number (a leading zero)"
    scalar = ScalarNode(f"{_CORE}{tag}", value)
    number = _CONSTRUCTOR.construct_yaml_int(scalar) if tag == "int" else _CONSTRUCTOR.construct_yaml_float(scalar)
    raise YamlProblem(line, f"{value!r} is a YAML 1.1 {form}, read as {number!r}: write it in plain decimal "
                            "digits, or quote it if it is text")


@lru_cache(maxsize=4096)
def _key_problem(key: str) -> str | None:
    """Why a mapping key is refused (a control character or a lone surrogate), or None; keys repeat."""
    control = CONTROL_PATTERN.search(key) or SURROGATE_PATTERN.search(key)
    return f"a key contains the control character U+{ord(control.group()):04X}" if control else None


def _scalar(tag: str, value: str, line: int, plain: bool) -> Any:
    if tag not in _ALLOWED_TAGS:
        raise YamlProblem(line, f"YAML tag {tag!r} is not allowed in data files")
    if len(value) > MAX_SCALAR_CHARS:
        raise YamlProblem(line, f"a value of {len(value)} characters exceeds the limit of {MAX_SCALAR_CHARS}")
    kind = tag[len(_CORE):]
    if plain and kind in ("int", "float"):
        _plain_number(value, line, kind)
    if kind in ("str", "timestamp"):
        return value
    if kind == "null":
        return None
    node = ScalarNode(tag, value)
    if kind == "bool":
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if kind == "int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    if kind == "float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    return value


def _build(parser: Any) -> Any:
    """The document as LinedDict / LinedList / scalars, built straight from libyaml's events.

    No node tree and no recursion: one loop over the events with a stack of open collections (the hot path:
    a quoted scalar in a mapping costs a few comparisons). Anchors and aliases are refused before anything
    could expand, and nesting is bounded while building. Returns ``_EMPTY`` for a stream without a
    document."""
    get = parser.get_event
    event = get()  # StreamStart
    event = get()
    if isinstance(event, StreamEndEvent):
        return _EMPTY
    document = event  # a DocumentStart
    stack: list[tuple[Any, str | None]] = []  # the enclosing collections, with their pending keys
    top: Any = None  # the open collection (None at the root)
    key: str | None = None  # in a mapping, the key awaiting its value (None: a key comes next)
    is_map = False
    root: Any = _EMPTY
    while True:
        event = get()
        cls = type(event)
        if cls is ScalarEvent:
            if event.anchor is not None:
                raise YamlProblem(event.start_mark.line + 1, "YAML anchors (&name) are not allowed in data files")
            value = event.value
            tag = event.tag
            if tag is None or tag == "!":
                tag = _plain_tag(value) if event.implicit[0] else _STR
            if is_map and key is None:
                if tag not in _ALLOWED_TAGS:
                    raise YamlProblem(event.start_mark.line + 1, f"YAML tag {tag!r} is not allowed in data files")
                problem = _key_problem(value)
                if problem:
                    raise YamlProblem(event.start_mark.line + 1, problem)
                if value in top:
                    raise YamlProblem(event.start_mark.line + 1, f"key {value!r} appears twice in one mapping")
                key = _intern(value)  # a dataset has few distinct keys and many records: one copy of each
                top.lines[key] = event.start_mark.line + 1
                continue
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(event.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
            if event.style == '"':  # only an escape in a double-quoted scalar can make a lone surrogate
                surrogate = SURROGATE_PATTERN.search(value)
                if surrogate:
                    raise YamlProblem(event.start_mark.line + 1,
                                      f"the lone surrogate U+{ord(surrogate.group()):04X} is not a character "
                                      "(an escape such as \\ud800 in a quoted string?)")
            if tag != _STR or len(value) > MAX_SCALAR_CHARS:
                value = _scalar(tag, value, event.start_mark.line + 1, plain=not event.style)
            elif len(value) <= _SHARED_CHARS:  # ids, codes and statuses recur across records: one copy each
                value = _intern(value)
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            value = top
            top, key = stack.pop()
            is_map = type(top) is LinedDict
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            line = event.start_mark.line + 1
            if event.anchor is not None:
                raise YamlProblem(line, "YAML anchors (&name) are not allowed in data files")
            if is_map and key is None:
                raise YamlProblem(line, "mapping keys must be plain strings")
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(line, f"nesting deeper than {MAX_DEPTH} levels")
            if event.tag is not None and event.tag != "!" and event.tag not in _ALLOWED_TAGS:
                raise YamlProblem(line, f"YAML tag {event.tag!r} is not allowed in data files")
            stack.append((top, key))
            is_map = cls is MappingStartEvent
            top = LinedDict() if is_map else LinedList()
            if is_map:
                top.lines = {}
            top.line = line
            key = None
            continue
        elif cls is DocumentEndEvent:
            break
        else:  # an alias
            raise YamlProblem(event.start_mark.line + 1, "YAML aliases (*name) are not allowed in data files")
        if top is None:
            root = value
        elif is_map:
            top[key] = value
            key = None
        else:
            top.append(value)
    event = get()
    if not isinstance(event, StreamEndEvent):
        raise yaml.composer.ComposerError("expected a single document in the stream", document.start_mark,
                                          "but found another document", event.start_mark)
    return root


_EMPTY = object()
_SHARED_CHARS = 48
_intern = sys.intern
_STR = f"{_CORE}str"


def _parse(text: str) -> Any:
    """The document, parsed by libyaml; a syntax error is worded by the pure-Python reader, as before."""
    parser = CParser(text)
    try:
        return _build(parser)
    except yaml.YAMLError:
        # The pure-Python parser words the error with PyYAML's usual message and line; what it accepts and
        # libyaml refused (an escape such as \\ud800) then meets our own checks, which word it.
        loader = _NoAliasLoader(text)
        try:
            return _build(loader)
        finally:
            loader.dispose()
    finally:
        parser.dispose()


class NotReadable(Exception):
    """A path that is not a regular file, or a file holding more bytes than the limit."""


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, reading at most ``limit + 1`` of them: the size is measured on what is
    read, never trusted from ``st_size`` (0 for ``/proc`` files and devices). Special files are refused before
    they are opened (opening a FIFO would block)."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise NotReadable(f"not a regular file ({_file_kind(mode)}); only regular .yaml files are read")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced between the check and the open
            raise NotReadable("not a regular file; only regular .yaml files are read")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise NotReadable(f"file is over the limit of {limit} bytes")
    return raw


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one data file. Returns (document, problems); the document is None when unreadable."""
    name = str(path)
    try:
        raw = read_bounded(path)
    except NotReadable as e:
        return None, [Problem(name, None, None, None, str(e))]
    except OSError as e:
        return None, [Problem(name, None, None, None, f"cannot read file: {e.strerror or e}")]
    if b"\x00" in raw:
        return None, [Problem(name, None, None, None, "file is binary (contains NUL bytes), not YAML text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = raw[: e.start].count(b"\n") + 1
        return None, [Problem(name, bad_line, None, None, f"file is not valid UTF-8 (byte 0x{raw[e.start]:02x})")]
    if not text.strip():
        return None, [Problem(name, None, None, None, "file is empty")]
    try:
        doc = _parse(text)
        if doc is _EMPTY:
            return None, [Problem(name, None, None, None, "file holds no YAML document")]
        return doc, []
    except YamlProblem as e:
        return None, [Problem(name, e.line, None, None, e.message)]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [e.context, e.problem]))
        return None, [Problem(name, line, None, None, f"YAML syntax error: {what}")]
    except yaml.YAMLError as e:
        return None, [Problem(name, None, None, None, f"YAML error: {e}")]
