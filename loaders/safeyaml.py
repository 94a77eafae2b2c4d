"""A YAML reader for untrusted data files: safe, bounded, and aware of line numbers.

It composes the YAML node tree with PyYAML's composer (over libyaml's parser when installed, else the
pure-Python ``SafeLoader``) and converts it itself, so that:
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
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wbkg.errors import Problem
from wbkg.ontology.types import CONTROL_PATTERN, SURROGATE_PATTERN

MAX_FILE_BYTES = 5_000_000
MAX_SCALAR_CHARS = 20_000
MAX_DEPTH = 20

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
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
    """Composer checks shared by both loaders: anchors and aliases are refused before anything could expand,
    and nesting is bounded while composing, so "[[[[…" fails with a line number instead of exhausting the
    stack."""

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
    """The pure-Python reader: its syntax errors carry PyYAML's usual message and line."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(_Checked, yaml.composer.Composer, CParser, yaml.resolver.Resolver):  # type: ignore[misc]
        """The same checks over libyaml's parser (about ten times faster on the curated data)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _compose(text: str) -> Node | None:
    """The node tree, composed by libyaml's parser when it is installed; a syntax error is reported by the
    pure-Python reader, with its usual message and line."""
    if yaml.__with_libyaml__:
        fast = _FastLoader(text)
        try:
            return fast.get_single_node()
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


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


def _convert(node: Node) -> Any:
    line = node.start_mark.line + 1
    if node.tag not in _ALLOWED_TAGS:
        raise YamlProblem(line, f"YAML tag {node.tag!r} is not allowed in data files")
    if isinstance(node, ScalarNode):
        value = node.value
        if len(value) > MAX_SCALAR_CHARS:
            raise YamlProblem(line, f"a value of {len(value)} characters exceeds the limit of {MAX_SCALAR_CHARS}")
        surrogate = SURROGATE_PATTERN.search(value)
        if surrogate:
            raise YamlProblem(line, f"the lone surrogate U+{ord(surrogate.group()):04X} is not a character "
                                    "(an escape such as \\ud800 in a quoted string?)")
        tag = node.tag[len(_CORE):]
        if tag in ("int", "float") and not node.style:  # plain (None, or "" from libyaml)
            _plain_number(value, line, tag)
        if tag in ("str", "timestamp"):
            return value
        if tag == "null":
            return None
        if tag == "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == "int":
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == "float":
            return _CONSTRUCTOR.construct_yaml_float(node)
        return value
    if isinstance(node, SequenceNode):
        out = LinedList(_convert(child) for child in node.value)
        out.line = line
        return out
    if isinstance(node, MappingNode):
        d = LinedDict()
        d.line = line
        d.lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "mapping keys must be plain strings")
            key = key_node.value
            control = CONTROL_PATTERN.search(key) or SURROGATE_PATTERN.search(key)
            if control:
                raise YamlProblem(key_node.start_mark.line + 1,
                                  f"a key contains the control character U+{ord(control.group()):04X}")
            if key in d:
                raise YamlProblem(key_node.start_mark.line + 1, f"key {key!r} appears twice in one mapping")
            d[key] = _convert(value_node)
            d.lines[key] = key_node.start_mark.line + 1
        return d
    raise YamlProblem(line, "unsupported YAML node")


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
        root = _compose(text)
        if root is None:
            return None, [Problem(name, None, None, None, "file holds no YAML document")]
        return _convert(root), []
    except YamlProblem as e:
        return None, [Problem(name, e.line, None, None, e.message)]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [e.context, e.problem]))
        return None, [Problem(name, line, None, None, f"YAML syntax error: {what}")]
    except yaml.YAMLError as e:
        return None, [Problem(name, None, None, None, f"YAML error: {e}")]
