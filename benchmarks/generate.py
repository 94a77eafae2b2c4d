"""A synthetic dataset in our own YAML format, with the curated dataset's proportions (a benchmark tool).

``generate(out, entities)`` writes files that ``wbkg validate`` accepts, holding ``entities`` nodes:
- as many of each class, relationships per node, of each relationship type and of each (from class,
  type, to class) pairing as ``data/`` has, scaled (largest remainders, so the totals are exact; at the
  curated size every count equals the curated one);
- each optional field on the same share of records as in ``data/``, statuses in the same mix, a claim
  on every disputed or denied link;
- ownership in multi-level chains: firms in blocks of five, each owning the next with a share, the head
  of each chain owned by a state, agency, organization or person;
- PART_OF acyclic (a node is part of one with a lower index), no relationship from a node to itself.
Every value is made up (``syn-`` ids, "Synthetic Firm 12", example.org addresses); nothing is copied
from any source. Files hold at most ``per_file`` records, so memory in the reader is bounded by one file.

    python -m benchmarks.generate OUT_DIR ENTITIES
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wbkg.loaders.dataset import Dataset, read_dataset
from wbkg.ontology.model import Model, PropertyDef, load_model
from wbkg.resources import dataset_dir

PER_FILE = 5000
CHAIN = 5  # firms per ownership chain: four levels of OWNS below the chain's owner


@dataclass(frozen=True)
class Profile:
    """The proportions of a dataset: what the generator scales."""

    nodes: int
    classes: dict[str, int]
    pairs: dict[tuple[str, str, str], int]  # (type, from class, to class) -> count
    node_fields: dict[str, Counter[str]]  # class -> field -> records that have it
    rel_fields: dict[str, Counter[str]]  # type -> field -> records that have it
    statuses: dict[str, int]

    @property
    def relationships(self) -> int:
        return sum(self.pairs.values())


def profile(ds: Dataset) -> Profile:
    classes = Counter(n.cls for n in ds.nodes.values())
    pairs = Counter((r.type, ds.nodes[r.source].cls, ds.nodes[r.target].cls) for r in ds.relationships)
    node_fields: dict[str, Counter[str]] = {}
    for n in ds.nodes.values():
        node_fields.setdefault(n.cls, Counter()).update(n.props.keys())
    rel_fields: dict[str, Counter[str]] = {}
    for r in ds.relationships:
        rel_fields.setdefault(r.type, Counter()).update(r.props.keys())
    statuses = Counter(r.props["status"] for r in ds.relationships)
    return Profile(len(ds.nodes), dict(sorted(classes.items())), dict(sorted(pairs.items())), node_fields,
                   rel_fields, dict(statuses.most_common()))


def curated_profile() -> Profile:
    return profile(read_dataset([dataset_dir()]))


def apportion(weights: dict[Any, int], total: int) -> dict[Any, int]:
    """``total`` split in proportion to ``weights`` by largest remainders (sums exactly to ``total``)."""
    whole = sum(weights.values())
    shares = {k: w * total / whole for k, w in weights.items()}
    out = {k: int(s) for k, s in shares.items()}
    for k in sorted(shares, key=lambda k: (out[k] - shares[k], str(k)))[: total - sum(out.values())]:
        out[k] += 1
    return out


def plan(p: Profile, entities: int) -> tuple[dict[str, int], dict[tuple[str, str, str], int]]:
    """How many nodes of each class and relationships of each pairing a dataset of ``entities`` nodes has."""
    classes = apportion(p.classes, entities)
    pairs = apportion(p.pairs, round(entities * p.relationships / p.nodes))
    return classes, pairs


def _has(count: int, of: int, i: int) -> bool:
    """Whether record ``i`` carries a field that ``count`` of ``of`` curated records carry (evenly spread)."""
    return (i * count) // of != ((i + 1) * count) // of


def _slug(name: str) -> str:
    return name.lower().replace("_", "-")


def node_id(cls: str, i: int) -> str:
    return f"syn-{_slug(cls)}-{i}"


class _Writer:
    def __init__(self, model: Model, p: Profile, classes: dict[str, int]) -> None:
        self.m = model
        self.p = p
        self.classes = classes
        self.sources = classes.get("Source", 0)
        self.claims = classes.get("Claim", 0)
        if self.sources == 0:
            raise ValueError("too small: a dataset needs at least one Source")
        self.owned: Counter[str] = Counter()  # the stakes given so far into each asset (at most 100%)

    def value(self, owner: str, pd: PropertyDef, i: int) -> Any:
        v = self._value(owner, pd, i)
        return [v] if pd.many and not isinstance(v, list) else v

    def _value(self, owner: str, pd: PropertyDef, i: int) -> Any:
        t = pd.type
        if t == "ref":
            if pd.range == "Source":
                refs = [node_id("Source", i % self.sources)]
                if self.sources > 1 and i % 3 == 0:
                    refs.append(node_id("Source", (i + 1) % self.sources))
                return refs if pd.many else refs[0]
            return node_id(pd.range or "Claim", i % max(1, self.classes.get(pd.range or "Claim", 1)))
        if t == "string":
            text = f"Synthetic {owner} {i} {pd.name.replace('_', ' ')}"
            return [text, f"{text} (other)"] if pd.many else text
        if t == "text":
            return (f"Synthetic {owner.lower()} number {i}, made up by the scale benchmark: it stands for a "
                    f"record of this kind and describes nothing real.")
        if t == "integer":
            return 1 + i % 500
        if t in ("decimal", "percent"):
            return float(1 + i % 99)
        if t == "date":
            year = 1990 + i % 30
            return [f"{year}", f"{year}-{1 + i % 12:02d}", f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"][i % 3]
        if t == "url":
            return f"https://example.org/synthetic/{_slug(owner)}/{i}"
        if t == "qid":
            return f"Q{100000 + i}"
        if t == "iso3166":  # X?: user-assigned codes, never a real country's (the curated anchors stay unique)
            return "X" + chr(65 + i % 26)
        if t == "enum":
            choice = pd.values[i % len(pd.values)]
            return [choice] if pd.many else choice
        raise ValueError(f"no synthetic values for property type {t!r}")

    def fields(self, owner: str, defs: dict[str, PropertyDef], seen: Counter[str], of: int, i: int,
               skip: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, pd in defs.items():
            if name in skip:
                continue
            if pd.required or _has(seen.get(name, 0), of, i):
                out[name] = self.value(owner, pd, i)
        if "end" in out:  # ordered pairs stay in order
            out["start"] = f"{1990 + i % 30}"
            out["end"] = f"{1991 + i % 30}"
        return out

    def node(self, cls: str, i: int) -> dict[str, Any]:
        defs = self.m.properties(cls)
        rec: dict[str, Any] = {"id": node_id(cls, i), "class": cls}
        skip = {"id", "name"} if cls == "Source" else {"id"}  # a source is named by its title
        rec.update(self.fields(cls, defs, self.p.node_fields.get(cls, Counter()), self.p.classes[cls], i, skip))
        if "name" in rec:
            rec["name"] = f"Synthetic {cls} {i}"
        return rec

    def status(self, k: int) -> str:
        """The k-th status in the curated mix, evenly spread."""
        total = sum(self.p.statuses.values())
        pos = (k * 7919) % total
        for status, n in self.p.statuses.items():
            if pos < n:
                return status
            pos -= n
        raise AssertionError("unreachable")

    def relationship(self, rtype: str, k: int, source: str, target: str) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": f"syn-{_slug(rtype)}-{k}", "type": rtype, "from": source, "to": target}
        defs = self.m.relationship_props(rtype)
        seen = self.p.rel_fields.get(rtype, Counter())
        of = sum(n for (t, _, _), n in self.p.pairs.items() if t == rtype)
        rec.update(self.fields(rtype, defs, seen, of, k, {"id", "claim", "status", "share", "share_min",
                                                          "share_max"}))
        rec["status"] = self.status(k)
        if rec["status"] == "corroborated":
            # the evidence rule: two independent publishers (each synthetic source has its own publisher)
            if self.sources > 1:
                rec["sources"] = [node_id("Source", k % self.sources), node_id("Source", (k + 1) % self.sources)]
            else:
                rec["status"] = "asserted"
        if rec["status"] in ("disputed", "denied") and self.claims:
            rec["claim"] = node_id("Claim", k % self.claims)
        if rtype == "OWNS":
            # the validator refuses stakes into one asset above 100%: give what is left, or no share at all
            share = min(float(10 + (k * 37) % 90), 100.0 - self.owned[target])
            if share > 0:
                rec["share"] = share
                self.owned[target] += share
        return rec


def _ends(rtype: str, a: str, b: str, na: int, nb: int, k: int) -> tuple[int, int]:
    """Indices of the k-th relationship of a pairing: chains for OWNS, downward for PART_OF."""
    if rtype == "OWNS" and b == "Firm" and nb >= CHAIN:
        chains = nb // CHAIN
        if a == "Firm":  # firm 5g+j owns firm 5g+j+1: four levels per chain
            g, j = (k // (CHAIN - 1)) % chains, k % (CHAIN - 1)
            return g * CHAIN + j, g * CHAIN + j + 1
        return k % na, (k % chains) * CHAIN
    if rtype == "PART_OF" and na > 1:
        s = 1 + k % (na - 1)  # part of a node with a lower index: no cycle, whatever the classes
        return s, (k * 7) % min(s, nb)
    s, t = k % na, (k * 7919 + 13) % nb
    if a == b and s == t:
        t = (t + 1) % nb
    return s, t


def records(entities: int, p: Profile | None = None,
            model: Model | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file stem, record) for every synthetic node, then every relationship."""
    p = p or curated_profile()
    m = model or load_model()
    classes, pairs = plan(p, entities)
    w = _Writer(m, p, classes)
    for cls, n in classes.items():
        for i in range(n):
            yield f"nodes-{_slug(cls)}", w.node(cls, i)
    counters: Counter[str] = Counter()
    for (rtype, a, b), n in pairs.items():
        na, nb = classes.get(a, 0), classes.get(b, 0)
        if n and (na == 0 or nb == 0 or (a == b and nb < 2)):
            raise ValueError(f"too small for {n} {rtype} from {a} to {b}: {na} and {nb} nodes")
        for k in range(n):
            s, t = _ends(rtype, a, b, na, nb, k)
            yield f"rels-{_slug(rtype)}", w.relationship(rtype, counters[rtype], node_id(a, s), node_id(b, t))
            counters[rtype] += 1


def _yaml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a YAML double-quoted scalar: never coerced
    return repr(value)


def _render(rec: dict[str, Any]) -> str:
    items = iter(rec.items())
    key, value = next(items)
    lines = [f"  - {key}: {_yaml(value)}"]
    lines.extend(f"    {k}: {_yaml(v)}" for k, v in items)
    return "\n".join(lines) + "\n"


def generate(out: Path, entities: int, per_file: int = PER_FILE) -> list[Path]:
    """Write the synthetic dataset into ``out`` (created; existing synthetic files replaced)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("syn-*.yaml"):
        old.unlink()
    written: list[Path] = []
    parts: Counter[str] = Counter()
    current: str | None = None
    buf: list[str] = []

    def flush() -> None:
        if current is None or not buf:
            return
        path = out / f"syn-{current}-{parts[current]:04d}.yaml"
        key = "nodes" if current.startswith("nodes-") else "relationships"
        path.write_text(f"# synthetic benchmark data (benchmarks/generate.py)\n{key}:\n" + "".join(buf),
                        encoding="utf-8")
        written.append(path)
        parts[current] += 1
        buf.clear()

    for stem, rec in records(entities):
        if stem != current or len(buf) >= per_file:
            flush()
            current = stem
        buf.append(_render(rec))
    flush()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m benchmarks.generate OUT_DIR ENTITIES", file=sys.stderr)
        return 2
    files = generate(Path(argv[0]), int(argv[1]))
    print(f"wrote {len(files)} files to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
