"""Read dataset files into checked records: types, required fields, references, dates, cycles.

``read_dataset(paths)`` returns a ``Dataset`` or raises ``InvalidData`` listing every problem with
file, line, id and field. It never writes anything; ``loaders.writer`` does that afterwards.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wbkg.errors import InvalidData, Problem
from wbkg.loaders.names import skeleton, suspicious_character
from wbkg.loaders.safeyaml import LinedDict, read_yaml
from wbkg.ontology.model import Model, PropertyDef, Total, load_model
from wbkg.ontology.types import ID_PATTERN, MAX_ID_CHARS, kind_of

TOP_KEYS = {"nodes", "relationships"}
LEAN_KEEP = {"id", "status", "publisher", "state_media_of"}  # read by resolve() besides references and names


@dataclass(slots=True)
class NodeRecord:
    id: str
    cls: str
    props: dict[str, Any]
    file: str
    line: int


@dataclass(slots=True)
class RelRecord:
    id: str
    type: str
    source: str
    target: str
    props: dict[str, Any]
    file: str
    line: int


@dataclass
class Dataset:
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    relationships: list[RelRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # legal but suspicious: printed, never fatal

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        by_class: dict[str, int] = {}
        for n in self.nodes.values():
            by_class[n.cls] = by_class.get(n.cls, 0) + 1
        by_type: dict[str, int] = {}
        for r in self.relationships:
            by_type[r.type] = by_type.get(r.type, 0) + 1
        return dict(sorted(by_class.items())), dict(sorted(by_type.items()))


DATA_SUFFIXES = (".yaml", ".yml")


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The data files under ``paths``: a named file as given, a directory's ``*.yaml``/``*.yml`` files (sorted,
    symbolic links to directories followed). Whatever cannot be read is reported, never skipped in silence: an
    unreadable directory, a dangling link, a link loop, a directory reached twice, a special file."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, int], Path] = {}

    def report(path: Path, message: str) -> None:
        problems.append(Problem(str(path), None, None, None, message))

    def walk(directory: Path) -> None:
        try:
            st = directory.stat()
            key = (st.st_dev, st.st_ino)
        except OSError as e:
            report(directory, f"cannot read directory: {e.strerror or e}")
            return
        if key in seen:
            report(directory, f"directory already read as {seen[key]} (a symbolic link loop or a second link)")
            return
        seen[key] = directory
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as e:
            report(directory, f"cannot read directory: {e.strerror or e}")
            return
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir:
                walk(path)
            elif path.suffix in DATA_SUFFIXES or (entry.is_symlink() and broken(path)):
                given(path)

    def broken(path: Path) -> str | None:
        """What is wrong with a symbolic link that leads nowhere, or None."""
        try:
            path.stat()
        except OSError as e:
            if e.errno == errno.ELOOP:
                return f"symbolic link loop (to {os.readlink(path)})"
            if path.is_symlink():
                return f"dangling symbolic link (to {os.readlink(path)})"
        return None

    def given(path: Path) -> None:
        problem = broken(path) if path.is_symlink() else None
        if problem:
            report(path, problem)
        elif path.is_dir():
            walk(path)
        else:
            files.append(path)  # read_yaml reports a missing, unreadable or special file

    for p in paths:
        try:
            given(p)
        except OSError as e:  # a link loop (ELOOP) or a path that cannot be examined
            report(p, f"cannot read: {e.strerror or e}")
    return files, problems


class _Reader:
    def __init__(self, model: Model, lean: bool = False) -> None:
        self.model = model
        self.lean = lean
        self._kept: dict[str, frozenset[str]] = {}
        self.problems: list[Problem] = []
        self.ds = Dataset()
        self.rel_ids: dict[str, tuple[str, int]] = {}
        # in a worker of a parallel read: the records kept, in order, with their id lines (for the parent)
        self.shipped: list[tuple[NodeRecord | RelRecord, int]] | None = None

    def problem(self, file: str, line: int | None, entity: str | None, fld: str | None, msg: str) -> None:
        self.problems.append(Problem(file, line, entity, fld, msg))

    # -- values ----------------------------------------------------------------------------------
    def value(self, p: PropertyDef, raw: Any, where: tuple[str, int, str | None]) -> tuple[bool, Any]:
        """Check and normalise one value; report and return (False, None) when it is wrong."""
        file, line, ent = where
        if p.many:
            if not isinstance(raw, list):
                self.problem(file, line, ent, p.name, f"must be a list, got {kind_of(raw)} {raw!r}")
                return False, None
            out = []
            for item in raw:
                ok, v = self._scalar(p, item, where)
                if not ok:
                    return False, None
                if v in out:
                    self.problem(file, line, ent, p.name, f"{v!r} is listed twice")
                    return False, None
                out.append(v)
            if p.required and not out:
                self.problem(file, line, ent, p.name, "must list at least one value")
                return False, None
            return True, out
        return self._scalar(p, raw, where)

    def _scalar(self, p: PropertyDef, raw: Any, where: tuple[str, int, str | None]) -> tuple[bool, Any]:
        try:
            return True, p.kind.parse(raw, p)
        except ValueError as e:
            file, line, ent = where
            self.problem(file, line, ent, p.name, str(e))
            return False, None

    def props(self, rec: LinedDict, defs: dict[str, PropertyDef], skip: set[str], file: str,
              ent: str | None) -> tuple[bool, dict[str, Any]]:
        ok = True
        out: dict[str, Any] = {}
        for key in rec:
            if key in skip:
                continue
            line = rec.lines.get(key, rec.line)
            if key not in defs:
                self.problem(file, line, ent, key, f"unknown field (allowed: {', '.join(sorted(defs))})")
                ok = False
                continue
            if rec[key] is None:
                continue
            good, value = self.value(defs[key], rec[key], (file, line, ent))
            ok &= good
            if good:
                out[key] = value
                if defs[key].searchable:  # a name: warn about characters that make it look like another
                    for text in value if defs[key].many else [value]:
                        what = suspicious_character(text)
                        if what:
                            self.ds.warnings.append(Problem(file, line, ent, key, f"{text!r} {what}"))
        for name, d in defs.items():
            if d.required and name not in skip and name not in out and name in defs and rec.get(name) is None:
                self.problem(file, rec.line, ent, name, "required field is missing")
                ok = False
        for lo, hi in self.model.ordered:
            if lo in out and hi in out:
                a, b = out[lo], out[hi]
                if isinstance(a, str):
                    n = min(len(a), len(b))
                    a, b = a[:n], b[:n]
                if b < a:
                    what = (f"{out[hi]} is before {lo} {out[lo]}" if isinstance(a, str)
                            else f"{out[hi]:g} is less than {lo} {out[lo]:g}")
                    self.problem(file, rec.lines.get(hi, rec.line), ent, hi, what)
                    ok = False
        return ok, out

    # -- records ---------------------------------------------------------------------------------
    def file(self, path: Path) -> None:
        name = str(path)
        self.ds.files.append(name)
        doc, problems = read_yaml(path)
        if problems:
            self.problems.extend(problems)
            return
        if not isinstance(doc, LinedDict):
            self.problem(name, 1, None, None, "a data file must be a mapping with 'nodes' and/or 'relationships'")
            return
        unknown = set(doc) - TOP_KEYS
        for key in sorted(unknown):
            self.problem(name, doc.lines[key], None, key, "unknown top-level key (allowed: nodes, relationships)")
        if not set(doc) & TOP_KEYS:
            self.problem(name, doc.line, None, None, "a data file needs 'nodes' and/or 'relationships'")
        for key, handler in (("nodes", self.node), ("relationships", self.relationship)):
            items = doc.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(name, doc.lines[key], None, key, "must be a list of mappings")
                continue
            for item in items:
                if not isinstance(item, LinedDict):
                    self.problem(name, getattr(item, "line", doc.lines[key]), None, key,
                                 f"each entry must be a mapping, got {kind_of(item)}")
                    continue
                handler(name, item)

    def node(self, file: str, rec: LinedDict) -> None:
        m = self.model
        ent = props_ent(rec)
        cls = rec.get("class")
        if cls is None:
            self.problem(file, rec.line, ent, "class", "required field is missing")
            return
        if cls not in m.classes or m.classes[cls].abstract:
            self.problem(file, rec.lines.get("class", rec.line), ent, "class",
                         f"unknown class {cls!r} (one of: {', '.join(m.concrete_classes)})")
            return
        name_from = m.name_field(cls)  # a source is named by its title unless given a short name
        if name_from and rec.get("name") is None and isinstance(rec.get(name_from), str):
            rec["name"] = rec[name_from]
            rec.lines["name"] = rec.lines.get(name_from, rec.line)
        ok, props = self.props(rec, m.properties(cls), {"class"}, file, ent)
        if not ok:
            return
        if self.lean:
            props = self.kept(cls, props, m.properties(cls))
        self.add_node(NodeRecord(props["id"], cls, props, file, rec.line), rec.lines.get("id", rec.line))

    def kept(self, name: str, props: dict[str, Any], defs: dict[str, PropertyDef]) -> dict[str, Any]:
        """A lean read keeps of a checked record only what the whole-dataset checks read (``resolve``):
        references, names, status, the fields of totals and what tells publishers apart."""
        keep = self._kept.get(name)
        if keep is None:
            totals = {f for rdef in self.model.relationships.values() if rdef.total for f in rdef.total.fields}
            keep = self._kept[name] = frozenset(
                k for k, d in defs.items()
                if d.kind.names_range or d.searchable or k in totals or k in LEAN_KEEP)
        return {k: v for k, v in props.items() if k in keep}

    def add_node(self, n: NodeRecord, id_line: int) -> None:
        first = self.ds.nodes.get(n.id)
        if first is not None:
            self.problem(n.file, id_line, n.id, "id", f"duplicate id (first defined at {first.file}:{first.line})")
            return
        self.ds.nodes[n.id] = n
        if self.shipped is not None:
            self.shipped.append((n, id_line))

    def relationship(self, file: str, rec: LinedDict) -> None:
        m = self.model
        rtype = rec.get("type")
        ent = props_ent(rec)
        if rtype is None:
            self.problem(file, rec.line, ent, "type", "required field is missing")
            return
        if rtype not in m.relationships:
            self.problem(file, rec.lines.get("type", rec.line), ent, "type",
                         f"unknown relationship type {rtype!r} (one of: {', '.join(m.relationships)})")
            return
        ends: dict[str, str] = {}
        for end in ("from", "to"):
            v = rec.get(end)
            if not isinstance(v, str) or not ID_PATTERN.match(v):
                self.problem(file, rec.lines.get(end, rec.line), ent, end,
                             "required field is missing" if v is None else f"{v!r} is not an id")
                return
            ends[end] = v
        defs = dict(m.relationship_props(rtype))
        if "id" not in rec:
            rec["id"] = f"{ends['from']}-{rtype.lower().replace('_', '-')}-{ends['to']}"
            rec.lines["id"] = rec.line
        ok, props = self.props(rec, defs, {"type", "from", "to"}, file, props_ent(rec))
        if not ok:
            return
        rid = props.pop("id")
        if self.lean:
            props = self.kept(rtype, props, defs)
        self.add_relationship(RelRecord(rid, rtype, ends["from"], ends["to"], props, file, rec.line),
                              rec.lines.get("id", rec.line))

    def add_relationship(self, r: RelRecord, id_line: int) -> None:
        first = self.rel_ids.get(r.id)
        if first is not None:
            self.problem(r.file, id_line, r.id, "id",
                         f"duplicate relationship id (first at {first[0]}:{first[1]}); give each an explicit id")
            return
        self.rel_ids[r.id] = (r.file, r.line)
        self.ds.relationships.append(r)
        if self.shipped is not None:
            self.shipped.append((r, id_line))

    # -- second pass: references, domains and ranges, cycles ------------------------------------
    def resolve(self) -> None:
        m = self.model
        nodes = self.ds.nodes
        for n in nodes.values():
            self._refs(n.file, n.line, n.id, n.props, m.properties(n.cls))
        for r in self.ds.relationships:
            for end, ref in (("from", r.source), ("to", r.target)):
                target = nodes.get(ref)
                if target is None:
                    self.problem(r.file, r.line, r.id, end, f"refers to unknown id {ref!r}")
                elif not m.admits(r.type, end, target.cls):
                    rdef = m.relationships[r.type]
                    allowed = ", ".join(rdef.from_classes if end == "from" else rdef.to_classes)
                    self.problem(r.file, r.line, r.id, end,
                                 f"{r.type} cannot have a {target.cls} ({ref}) as '{end}' (allowed: {allowed})")
            self._refs(r.file, r.line, r.id, r.props, m.relationship_props(r.type))
        for rtype in m.acyclic_relationships:
            self._cycles(rtype)
        for rtype, rdef in m.relationships.items():
            if rdef.total is not None:
                self._totals(rtype, rdef.total)
        self._confusables()
        self._corroboration()

    def _confusables(self) -> None:
        """Warn where two nodes have names (or aliases) that differ but look the same."""
        names = [name for name, d in self.model.node_properties.items() if d.searchable]
        first: dict[str, tuple[str, NodeRecord]] = {}
        for n in self.ds.nodes.values():
            for name in names:
                value = n.props.get(name)
                for text in value if isinstance(value, list) else [value] if value else []:
                    key = skeleton(text)
                    seen = first.setdefault(key, (text, n))
                    if seen[1].id != n.id and seen[0] != text:
                        other = seen[1]
                        self.ds.warnings.append(Problem(n.file, n.line, n.id, name, (
                            f"{text!r} can be confused with {seen[0]!r} of {other.id} ({other.file}:{other.line})")))

    def _corroboration(self) -> None:
        """``corroborated`` needs sources from at least two independent publishers (see ``publisher_key``)."""
        for r in self.ds.relationships:
            if r.props.get("status") != "corroborated":
                continue
            keys = {publisher_key(self.ds.nodes[s].props) for s in r.props.get("sources", []) if s in self.ds.nodes}
            if len(keys) < 2:
                self.problem(r.file, r.line, r.id, "status",
                             "corroborated needs sources from two independent publishers (a mirror counts as "
                             "its original, state media of one state once); add one or say asserted")

    def _refs(self, file: str, line: int, ent: str, props: dict[str, Any], defs: dict[str, PropertyDef]) -> None:
        for name, value in props.items():
            d = defs[name]
            if not d.kind.names_range:
                continue
            for ref in value if d.many else [value]:
                target = self.ds.nodes.get(ref)
                if target is None:
                    self.problem(file, line, ent, name, f"refers to unknown id {ref!r}")
                elif d.range and not self.model.is_a(target.cls, d.range):
                    self.problem(file, line, ent, name, f"{ref!r} is a {target.cls}, not a {d.range}")

    def _totals(self, rtype: str, total: Total) -> None:
        """Report each node whose incoming links of ``rtype`` add up to more than the bound (at the last link)."""
        into: dict[str, list[tuple[RelRecord, str, float]]] = {}
        for r in self.ds.relationships:
            if r.type != rtype or r.props.get("status") in total.except_status:
                continue
            field_name = next((f for f in total.fields if r.props.get(f) is not None), None)
            if field_name is not None:
                into.setdefault(r.target, []).append((r, field_name, float(r.props[field_name])))
        unit = "%" if all(self.model.relationship_props(rtype)[f].type == "percent" for f in total.fields) else ""
        for target, links in into.items():
            largest: dict[str, float] = {}
            for r, _, value in links:
                largest[r.source] = max(value, largest.get(r.source, value))
            sum_ = sum(largest.values())
            if sum_ > total.at_most + 1e-9:
                last, field_name, _ = links[-1]
                parts = ", ".join(f"{src} {v:g}{unit}" for src, v in largest.items())
                self.problem(last.file, last.line, last.id, field_name,
                             f"{rtype} links into {target} add up to {sum_:g}{unit}, over {total.at_most:g}{unit} "
                             f"({parts}); mark alternatives as {' or '.join(total.except_status) or 'separate'}")

    def _cycles(self, rtype: str) -> None:
        edges: dict[str, list[RelRecord]] = {}
        for r in self.ds.relationships:
            if r.type == rtype:
                edges.setdefault(r.source, []).append(r)
        state: dict[str, int] = {}  # 1 visiting (on the path), 2 done
        # depth first, with a stack of its own: a chain of links can be longer than Python's recursion limit
        for start in sorted(edges):
            if start in state:
                continue
            state[start] = 1
            path = [start]  # the nodes being visited, the current one last
            todo = [iter(edges.get(start, []))]  # each one's links not yet followed
            while todo:
                n = path[-1]
                for r in todo[-1]:
                    target = r.target
                    if target == n:
                        self.problem(r.file, r.line, r.id, "to", f"{rtype} from a node to itself: {n} -> {n}")
                    elif state.get(target) == 1:  # a back edge closes a cycle
                        loop = [*path[path.index(target):-1], n, target]
                        self.problem(r.file, r.line, r.id, "to", f"{rtype} cycle: {' -> '.join(loop)}")
                    elif state.get(target) is None:
                        state[target] = 1
                        path.append(target)
                        todo.append(iter(edges.get(target, [])))
                        break
                else:  # every link of n followed
                    state[n] = 2
                    path.pop()
                    todo.pop()


def publisher_key(source: dict[str, Any]) -> str:
    """Who stands behind a source, for independence: the state for state media, else the publisher.

    A mirror or repost is recorded under its original publisher (``via`` names the mirror), so it shares
    the original's key; a parenthesis in the name is a gloss (``BIRN (Balkan Insight)`` is BIRN).
    """
    if source.get("state_media_of"):
        return f"state:{source['state_media_of']}"
    return " ".join(re.sub(r"\([^)]*\)", "", str(source.get("publisher", ""))).lower().split())


def props_ent(rec: LinedDict) -> str | None:
    """The id a record gives, to name it in messages (an overlong one cut short)."""
    v = rec.get("id")
    if not isinstance(v, str):
        return None
    return v if len(v) <= MAX_ID_CHARS else f"{v[:40]}…"


def read_dataset(paths: Iterable[Path], model: Model | None = None, *, lean: bool = False) -> Dataset:
    """Read and check every file; raise ``InvalidData`` with all problems, or return the dataset.

    ``lean`` (for checking only: ``wbkg validate``) finds the same problems but keeps of each record only
    what the checks across records need, so a big dataset takes a fraction of the memory; its records
    cannot be loaded or exported."""
    reader = _Reader(model or load_model(), lean)
    paths = list(paths)
    files, reader.problems = find_files(paths)
    if not files and not reader.problems:
        raise InvalidData([Problem(", ".join(str(p) for p in paths) or "(no paths)", None, None, None,
                                   "no .yaml files found")])
    if len(files) > 1 and sum(_size(p) for p in files) > PARALLEL_ABOVE and _workers() > 1:
        _read_in_parallel(reader, files)
    else:
        for path in files:
            reader.file(path)
    if not reader.problems:
        reader.resolve()
    if reader.problems:
        raise InvalidData(reader.problems)
    return reader.ds


# -- reading files in parallel -------------------------------------------------------------------------
# Each file is parsed and its records checked on their own (the hot part: YAML events and value checks), so a
# big dataset's files are read by worker processes, one file each at a time, and the parent takes their
# records in file order: it finds duplicate ids across files, then does the checks that need the whole
# dataset (references, cycles, totals, names, corroboration). The result and the problems are those of a
# read in one process, each file's problems in line order.

PARALLEL_ABOVE = 8 * 2**20  # bytes of YAML; below this starting workers costs more than it saves
WORKERS = min(os.cpu_count() or 1, 4)
_WORKER_MODEL: Model | None = None  # set before the workers fork, so they share the parent's model
_WORKER_LEAN = False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _workers() -> int:
    """Worker processes for a parallel read: ``WORKERS``, or 1 (read in this process) where processes
    cannot be forked with the parent's model."""
    import multiprocessing

    return WORKERS if "fork" in multiprocessing.get_all_start_methods() else 1


def _read_file(path: Path) -> tuple[list[tuple[NodeRecord | RelRecord, int]], list[Problem], list[Problem]]:
    """In a worker: the records one file keeps (with their id lines), its problems and its warnings."""
    assert _WORKER_MODEL is not None
    reader = _Reader(_WORKER_MODEL, _WORKER_LEAN)
    reader.shipped = []
    reader.file(path)
    return reader.shipped, reader.problems, reader.ds.warnings


def _read_in_parallel(reader: _Reader, files: list[Path]) -> None:
    import multiprocessing

    global _WORKER_MODEL, _WORKER_LEAN
    _WORKER_MODEL, _WORKER_LEAN = reader.model, reader.lean
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            for path, (records, problems, warnings) in zip(files, pool.imap(_read_file, files), strict=True):
                reader.ds.files.append(str(path))
                reader.ds.warnings.extend(warnings)
                before = len(reader.problems)
                reader.problems.extend(problems)
                for rec, id_line in records:
                    if isinstance(rec, NodeRecord):
                        reader.add_node(rec, id_line)
                    else:
                        reader.add_relationship(rec, id_line)
                reader.problems[before:] = sorted(reader.problems[before:], key=lambda p: p.line or 0)
    finally:
        _WORKER_MODEL = None
