"""Bad input never reaches the graph: every malformed file in tests/bad_data/ is refused by ``wbkg validate``
and ``wbkg load`` with one message per problem (file, line, id, field), no traceback, and the database
fingerprint unchanged. Nothing in a data file is ever executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wbkg.cli import main
from wbkg.config import Config
from wbkg.errors import InvalidData
from wbkg.graph.connection import Graph
from wbkg.graph.schema import SOURCE_LINK
from wbkg.loaders import dataset
from wbkg.loaders.dataset import read_dataset
from wbkg.loaders.safeyaml import MAX_FILE_BYTES, read_yaml
from wbkg.loaders.writer import load
from wbkg.rdf.validate import validate_paths

ROOT = Path(__file__).resolve().parents[1]
BAD = Path("tests/bad_data")  # relative to ROOT, as a user would type it
VALID = BAD / "_valid"
WBKG = Path(sys.executable).parent / "wbkg"
D = str(BAD)

# file (or directory) under tests/bad_data -> the exact problem lines ``wbkg validate`` prints ("error: " cut)
EXPECTED: dict[str, list[str]] = {
    "anchor.yaml": [
        "{D}/anchor.yaml:2: YAML anchors (&name) are not allowed in data files",
    ],
    "bad-enum.yaml": [
        "{D}/bad-enum.yaml:19 id=serbia-owns-acme field=status: 'rumoured' is not one of: asserted, corroborated, disputed, denied",  # noqa: E501
    ],
    "bad-iso.yaml": [
        "{D}/bad-iso.yaml:10 id=serbia field=iso_code: 'SRB' is not an ISO 3166-1 alpha-2 code",
    ],
    "bad-url.yaml": [
        "{D}/bad-url.yaml:7 id=src-a field=url: 'javascript:alert(1)' is not an http(s) address",
    ],
    "bad-wikidata.yaml": [
        "{D}/bad-wikidata.yaml:10 id=acme field=wikidata: 'X12' is not a Wikidata id (Q followed by digits)",
    ],
    "billion-laughs.yaml": [
        "{D}/billion-laughs.yaml:4: YAML anchors (&name) are not allowed in data files",
    ],
    "binary.yaml": [
        "{D}/binary.yaml: file is binary (contains NUL bytes), not YAML text",
    ],
    "bool-integer.yaml": [
        "{D}/bool-integer.yaml:11 id=collapse field=officers: must be a whole number, got True",
    ],
    "broken-yaml.yaml": [
        "{D}/broken-yaml.yaml:10: YAML syntax error: while parsing a flow sequence expected ',' or ']', but got ':'",
    ],
    "claim-not-a-claim.yaml": [
        "{D}/claim-not-a-claim.yaml:16 id=serbia-owns-acme field=claim: 'acme' is a Firm, not a Claim",
    ],
    "control-chars.yaml": [
        "{D}/control-chars.yaml:9 id=acme field=name: contains the control character U+0007",
    ],
    "custom-tag.yaml": [
        "{D}/custom-tag.yaml:9: YAML tag '!include' is not allowed in data files",
    ],
    "dangling-reference.yaml": [
        "{D}/dangling-reference.yaml:12 id=nobody-at-all-owns-acme field=from: refers to unknown id 'nobody-at-all'",
    ],
    "duplicate-id.yaml": [
        "{D}/duplicate-id.yaml:11 id=acme field=id: duplicate id (first defined at {D}/duplicate-id.yaml:7)",
    ],
    "duplicate-key.yaml": [
        "{D}/duplicate-key.yaml:10: key 'name' appears twice in one mapping",
    ],
    "corroborated-one-publisher.yaml": [
        "{D}/corroborated-one-publisher.yaml:37 id=serbia-owns-acme field=status: corroborated needs sources from two independent publishers (a mirror counts as its original, state media of one state once); add one or say asserted",  # noqa: E501
    ],
    "empty-sources.yaml": [
        "{D}/empty-sources.yaml:10 id=acme field=sources: must list at least one value",
    ],
    "empty.yaml": [
        "{D}/empty.yaml: file is empty",
    ],
    "end-before-start.yaml": [
        "{D}/end-before-start.yaml:19 id=patrols-2 field=end: 2018-01-01 is before start 2020-05-01",
    ],
    "huge-string.yaml": [
        "{D}/huge-string.yaml:10: a value of 25000 characters exceeds the limit of 20000",
    ],
    "impossible-date.yaml": [
        "{D}/impossible-date.yaml:19 id=serbia-owns-acme field=date: '2023-02-30' is not a real calendar date",
    ],
    "inf.yaml": [
        "{D}/inf.yaml:11 id=bridge field=value: must be a finite number",
    ],
    "list-string.yaml": [
        "{D}/list-string.yaml:9 id=acme field=name: must be text, got a list ['Acme', 'Acme Ltd']",
    ],
    "many-problems.yaml": [
        "{D}/many-problems.yaml:10 id=acme field=kind: 'charity' is not one of: company, consortium, bank, state-enterprise",  # noqa: E501
        "{D}/many-problems.yaml:11 id=acme field=founded: '2019-13' is not a real calendar date",
        "{D}/many-problems.yaml:12 id=acme field=wikidata: 'Q0' is not a Wikidata id (Q followed by digits)",
        "{D}/many-problems.yaml:14 id=bad_id field=id: 'bad_id' is not an id (lower-case letters, digits and single hyphens)",  # noqa: E501
    ],
    "missing-from.yaml": [
        "{D}/missing-from.yaml:16 field=from: required field is missing",
    ],
    "missing-required.yaml": [
        "{D}/missing-required.yaml:7 id=acme field=name: required field is missing",
    ],
    "nan.yaml": [
        "{D}/nan.yaml:19 id=serbia-owns-acme field=share: must be a finite number",
    ],
    "negative-integer.yaml": [
        "{D}/negative-integer.yaml:11 id=collapse field=deaths: must not be negative, got -3",
    ],
    "nodes-not-list.yaml": [
        "{D}/nodes-not-list.yaml:1 field=nodes: must be a list of mappings",
    ],
    "not-utf8.yaml": [
        "{D}/not-utf8.yaml:4: file is not valid UTF-8 (byte 0xff)",
    ],
    "part-of-cycle.yaml": [
        "{D}/part-of-cycle.yaml:35 id=unit-part-of-ministry field=to: PART_OF cycle: ministry -> police -> unit -> ministry",  # noqa: E501
    ],
    "python-tag.yaml": [
        "{D}/python-tag.yaml:9: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in data files",  # noqa: E501
    ],
    "rel-class-not-admitted.yaml": [
        "{D}/rel-class-not-admitted.yaml:17 id=acme-owns-belgrade field=to: OWNS cannot have a Place (belgrade) as 'to' (allowed: Firm)",  # noqa: E501
    ],
    "rel-duplicate-id.yaml": [
        "{D}/rel-duplicate-id.yaml:22 id=serbia-owns-acme field=id: duplicate relationship id (first at {D}/rel-duplicate-id.yaml:16); give each an explicit id",  # noqa: E501
    ],
    "share-min-max.yaml": [
        "{D}/share-min-max.yaml:20 id=serbia-owns-acme field=share_max: 40 is less than share_min 60",
    ],
    "share-out-of-range.yaml": [
        "{D}/share-out-of-range.yaml:19 id=serbia-owns-acme field=share: share 150 is outside 0-100",
    ],
    "source-not-a-source.yaml": [
        "{D}/source-not-a-source.yaml:11 id=other field=sources: 'acme' is a Firm, not a Source",
    ],
    "tab-indent.yaml": [
        "{D}/tab-indent.yaml:2: YAML syntax error: while scanning for the next token found character '\\t' that cannot start any token",  # noqa: E501
    ],
    "top-level-list.yaml": [
        "{D}/top-level-list.yaml:1: a data file must be a mapping with 'nodes' and/or 'relationships'",
    ],
    "unknown-class.yaml": [
        "{D}/unknown-class.yaml:8 id=acme field=class: unknown class 'Company' (one of: State, Agency, Firm, Organization, Person, Place, Program, Agreement, Project, Procurement, Donation, CoverageGap, Event, Claim, Source)",  # noqa: E501
    ],
    "unknown-field.yaml": [
        "{D}/unknown-field.yaml:10 id=acme field=ceo: unknown field (allowed: aliases, description, founded, id, kind, listing, name, sources, themes, wikidata)",  # noqa: E501
    ],
    "unknown-rel-type.yaml": [
        "{D}/unknown-rel-type.yaml:16 field=type: unknown relationship type 'SPONSORS' (one of: OWNS, CONTROLS, PART_OF, LOCATED_IN, PARTY_TO, PARTICIPATES_IN, ORGANIZES, FINANCES, DONATES, RECEIVES, CONTRACTOR_OF, SUPPLIES, PROCURES, DEPLOYED_TO, TARGETS, RESTRICTS, LITIGATES, CONVICTED_IN, RECOGNIZES, DOES_NOT_RECOGNIZE, MEMBER_OF, AFFILIATED_WITH, ASSERTS, DENIES, CONTRADICTS, CONCERNS, LED_TO)",  # noqa: E501
    ],
    "unknown-top-key.yaml": [
        "{D}/unknown-top-key.yaml:7 field=edges: unknown top-level key (allowed: nodes, relationships)",
    ],
    "uppercase-id.yaml": [
        "{D}/uppercase-id.yaml:7 id=Acme field=id: 'Acme' is not an id (lower-case letters, digits and single hyphens)",
    ],
    "vague-date.yaml": [
        "{D}/vague-date.yaml:10 id=acme field=founded: 'last summer' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",  # noqa: E501
    ],
    "wrong-type.yaml": [
        "{D}/wrong-type.yaml:11 id=round-1 field=ordinal: must be a whole number, got 'first'",
    ],
    "fullwidth-date.yaml": [
        "{D}/fullwidth-date.yaml:10 id=acme field=founded: '２０２０-０５' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",  # noqa: E501
    ],
    "int-beyond-64-bits.yaml": [
        "{D}/int-beyond-64-bits.yaml:11 id=collapse field=deaths: 9223372036854775808 is too large: whole numbers go up to 9223372036854775807 (64 bits)",  # noqa: E501
    ],
    "lone-surrogate.yaml": [
        "{D}/lone-surrogate.yaml:9: the lone surrogate U+D800 is not a character (an escape such as \\ud800 in a quoted string?)",  # noqa: E501
    ],
    "long-id.yaml": [
        "{D}/long-id.yaml:7 id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… field=id: an id of 19003 characters is longer than the limit of 120",  # noqa: E501
    ],
    "long-name.yaml": [
        "{D}/long-name.yaml:9 id=acme field=name: a value of 1503 characters is longer than the limit of 1000 for an indexed field",  # noqa: E501
    ],
    "owns-cycle.yaml": [
        "{D}/owns-cycle.yaml:26 id=acme-holding-owns-acme field=to: OWNS cycle: acme -> acme-holding -> acme",
    ],
    "owns-self-loop.yaml": [
        "{D}/owns-self-loop.yaml:20 id=acme-owns-acme field=to: OWNS from a node to itself: acme -> acme",
    ],
    "shares-over-100.yaml": [
        "{D}/shares-over-100.yaml:27 id=acme-holding-owns-acme field=share_min: OWNS links into acme add up to 150%, over 100% (serbia 90%, acme-holding 60%); mark alternatives as disputed or denied",  # noqa: E501
    ],
    "url-credentials.yaml": [
        "{D}/url-credentials.yaml:7 id=src-a field=url: an address must not carry a user name or password",
    ],
    "yaml11-hex.yaml": [
        "{D}/yaml11-hex.yaml:10: '0x7E8' is a YAML 1.1 hexadecimal number, read as 2024: write it in plain decimal digits, or quote it if it is text",  # noqa: E501
    ],
    "yaml11-octal.yaml": [
        "{D}/yaml11-octal.yaml:11: '010' is a YAML 1.1 octal number (a leading zero), read as 8: write it in plain decimal digits, or quote it if it is text",  # noqa: E501
    ],
    "yaml11-sexagesimal.yaml": [
        "{D}/yaml11-sexagesimal.yaml:10: '33:44' is a YAML 1.1 sexagesimal (base 60) number, read as 2024: write it in plain decimal digits, or quote it if it is text",  # noqa: E501
    ],
    "yaml11-underscore.yaml": [
        "{D}/yaml11-underscore.yaml:11: '1_000' is a YAML 1.1 number with digit-group underscores, read as 1000: write it in plain decimal digits, or quote it if it is text",  # noqa: E501
    ],
    "dup-two-files": [
        "{D}/dup-two-files/b.yaml:2 id=acme field=id: duplicate id (first defined at {D}/dup-two-files/a.yaml:7)",
    ],
}
BASE_COUNTS = (4, 2)  # nodes, relationships of tests/bad_data/_valid


def expected_lines(name: str) -> list[str]:
    lines = [line.replace("{D}", D) for line in EXPECTED[name]]
    return [f"error: {line}" for line in lines] + [f"error: {len(lines)} problem(s) in the data; nothing was written"]


def fingerprint(graph: Graph) -> str:
    """A hash of every node (labels, properties) and relationship (type, ends, properties), canonically sorted."""
    nodes = graph.rows("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = graph.rows("MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props")
    dump = sorted(json.dumps({"labels": sorted(n["labels"]), "props": n["props"]}, sort_keys=True, default=str)
                  for n in nodes)
    dump += sorted(json.dumps(r, sort_keys=True, default=str) for r in rels)
    return hashlib.sha256("\n".join(dump).encode()).hexdigest()


def counts(graph: Graph) -> tuple[int, int]:
    n = graph.rows("MATCH (n:Entity) RETURN count(n) AS c")[0]["c"]
    # the dataset's own links; the SOURCED_BY links the loader derives from them are not counted
    r = graph.rows(f"MATCH (:Entity)-[r]->(:Entity) WHERE NOT r:{SOURCE_LINK} RETURN count(r) AS c")[0]["c"]
    return n, r


def wipe(graph: Graph) -> None:
    """Delete the data, keeping the test session's marker node (tests/conftest.py)."""
    graph.rows("MATCH (n) WHERE NOT n:WbkgTestMarker DETACH DELETE n", write=True)


def cli_env(cfg: Config) -> dict[str, str]:
    """The environment for a ``wbkg`` subprocess talking to the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "WBKG_"))}
    env.update(NEO4J_URI=cfg.uri, NEO4J_USER=cfg.user, NEO4J_PASSWORD=cfg.password or "",
               NEO4J_DATABASE=cfg.database, WBKG_HOME=str(cfg.home), WBKG_CONFIG="/nonexistent/wbkg.toml")
    return env


def run_main(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``wbkg ARGS`` in-process through ``wbkg.cli.main`` (its real error handling); (exit code, output)."""
    monkeypatch.setattr(sys, "argv", ["wbkg", *args])
    code = 0
    try:
        main()
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(scope="module")
def base_graph(graph_db: Graph, neo4j_cfg: Config) -> Iterator[Graph]:
    """The server holding the small valid dataset; the CLI's environment points at it."""
    wipe(graph_db)
    load(graph_db, validate_paths([ROOT / VALID], neo4j_cfg.base_iri), progress=False)
    assert counts(graph_db) == BASE_COUNTS
    yield graph_db
    wipe(graph_db)


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch, neo4j_cfg: Config) -> pytest.MonkeyPatch:
    monkeypatch.chdir(ROOT)
    for key, value in cli_env(neo4j_cfg).items():
        if key.startswith(("NEO4J_", "WBKG_")):
            monkeypatch.setenv(key, value)
    return monkeypatch


def corpus() -> list[str]:
    return sorted(p.name for p in (ROOT / BAD).iterdir() if not p.name.startswith("_"))


def test_the_corpus_is_complete() -> None:
    assert corpus() == sorted(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_reports_each_problem(name: str, at_root: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_main(["validate", f"{D}/{name}"], at_root, capsys)
    assert code == 2
    assert out.splitlines() == expected_lines(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_refuses_and_leaves_the_graph_alone(name: str, base_graph: Graph, at_root: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(base_graph)
    code, out = run_main(["load", "-q", f"{D}/{name}"], at_root, capsys)
    assert code == 2
    assert out.splitlines() == expected_lines(name)
    assert fingerprint(base_graph) == before
    assert counts(base_graph) == BASE_COUNTS


@pytest.mark.parametrize("name", ["python-tag.yaml", "billion-laughs.yaml", "binary.yaml", "not-utf8.yaml",
                                  "lone-surrogate.yaml", "long-id.yaml"])
@pytest.mark.parametrize("command", ["validate", "load"])
def test_real_process_exits_2_without_traceback(name: str, command: str, base_graph: Graph, neo4j_cfg: Config,
                                                tmp_path: Path) -> None:
    """The installed ``wbkg`` in a subprocess, run from an empty directory: the YAML tag that would run
    ``touch wbkg-pwned-marker`` there runs nothing."""
    before = fingerprint(base_graph)
    proc = subprocess.run([str(WBKG), command, str(ROOT / BAD / name)], cwd=tmp_path, env=cli_env(neo4j_cfg),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [line.replace(D, str(ROOT / BAD)) for line in expected_lines(name)]
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
    assert fingerprint(base_graph) == before


def test_python_tag_is_never_constructed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    doc, problems = read_yaml(ROOT / BAD / "python-tag.yaml")
    assert doc is None
    assert [p.line for p in problems] == [9]
    assert not (tmp_path / "wbkg-pwned-marker").exists()


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("nodes:\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1), encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        read_dataset([big])
    assert [str(p) for p in e.value.problems] == [
        f"{big}: file is over the limit of {MAX_FILE_BYTES} bytes"]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("nodes: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidData) as e:
        read_dataset([deep])
    assert [str(p) for p in e.value.problems] == [f"{deep}:1: nesting deeper than 20 levels"]


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidData) as e:
        read_dataset([tmp_path / "absent.yaml"])
    absent = tmp_path / "absent.yaml"
    assert [str(p) for p in e.value.problems] == [f"{absent}: cannot read file: No such file or directory"]


def class_clash(tmp_path: Path) -> Path:
    """Valid on its own, but 'serbia' is a State in the graph: the write fails after 600 Firms were merged
    in the same transaction."""
    rows: list[dict[str, Any]] = [{"id": "src-a", "class": "Source", "title": "A report", "publisher": "Someone",
                                   "kind": "news"}]
    rows += [{"id": f"firm-{i}", "class": "Firm", "name": f"Firm {i}", "sources": ["src-a"]} for i in range(600)]
    rows.append({"id": "serbia", "class": "Place", "name": "Serbia", "kind": "country-region", "sources": ["src-a"]})
    path = tmp_path / "clash.yaml"
    path.write_text(json.dumps({"nodes": rows}), encoding="utf-8")  # JSON is YAML
    return path


def test_a_load_failing_in_the_database_rolls_back_everything(base_graph: Graph, at_root: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    before = fingerprint(base_graph)
    code, out = run_main(["load", "-q", str(class_clash(tmp_path))], at_root, capsys)
    assert code == 2
    assert out.splitlines() == [
        f"error: {tmp_path / 'clash.yaml'}:1 id=serbia field=class: id 'serbia' is already a State in the graph, "
        "not a Place; a load never changes a node's class (delete that node first)",
        "error: 1 problem(s) in the data; nothing was written"]
    assert fingerprint(base_graph) == before


def test_a_relationship_id_never_moves(base_graph: Graph, at_root: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    before = fingerprint(base_graph)
    moved = tmp_path / "moved.yaml"
    text = (ROOT / VALID / "base.yaml").read_text(encoding="utf-8")
    moved.write_text(text.replace("    from: serbia\n", "    id: serbia-owns-acme\n    from: croatia\n")
                     .replace("relationships:", "  - {id: croatia, class: State, name: Croatia, sources: [src-a]}\n"
                              "relationships:"), encoding="utf-8")
    code, out = run_main(["load", "-q", str(moved)], at_root, capsys)
    assert code == 2
    assert out.splitlines()[0].endswith("id=serbia-owns-acme field=id: relationship id 'serbia-owns-acme' "
                                        "already links serbia -> acme in the graph; give this link its own id")
    assert fingerprint(base_graph) == before


def _outcome(paths: list[Path], lean: bool = False) -> list[str] | Any:
    """The problems of reading ``paths`` as text, or the dataset when there are none."""
    try:
        return read_dataset(paths, lean=lean)
    except InvalidData as e:
        return [str(p) for p in e.problems]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parallel_and_lean_reads_find_what_a_full_read_finds(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big dataset's files are read by worker processes, and `wbkg validate` keeps only what the checks
    across records need (loaders.dataset): with the curated files and a bad case, each finds the problems
    (text and order) of a full read in one process."""
    paths = [ROOT / "data", ROOT / BAD / name]
    alone = _outcome(paths)
    assert isinstance(alone, list) and alone  # every case is a bad one, next to the curated data too
    assert _outcome(paths, lean=True) == alone
    monkeypatch.setattr(dataset, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(dataset, "WORKERS", 2)
    assert _outcome(paths) == alone
    assert _outcome(paths, lean=True) == alone


def test_a_lean_read_keeps_only_what_the_checks_across_records_read() -> None:
    full, lean = read_dataset([ROOT / "data"]), read_dataset([ROOT / "data"], lean=True)
    assert list(lean.nodes) == list(full.nodes)
    assert [r.id for r in lean.relationships] == [r.id for r in full.relationships]
    assert lean.counts() == full.counts()
    assert sorted({k for n in lean.nodes.values() for k in n.props}) == [
        "aliases", "id", "name", "publisher", "sources", "state_media_of", "status"]
    assert sorted({k for r in lean.relationships for k in r.props}) == ["claim", "share", "sources", "status"]


def test_a_parallel_read_of_the_curated_data_is_the_same_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = read_dataset([ROOT / "data"])
    monkeypatch.setattr(dataset, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(dataset, "WORKERS", 2)
    parallel = read_dataset([ROOT / "data"])
    assert parallel == alone
    assert (len(parallel.nodes), len(parallel.relationships), len(parallel.files)) == (640, 699, 19)


def test_a_parallel_read_names_a_duplicate_across_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(dataset, "WORKERS", 2)
    assert _outcome([ROOT / BAD / "dup-two-files"]) == [
        line.removeprefix("error: ").replace(D, str(ROOT / BAD))
        for line in expected_lines("dup-two-files")[:-1]]


def _chain(path: Path, length: int, back_to: int | None) -> Path:
    """Agencies a0 … a{length-1}, each PART_OF the next; with ``back_to``, the last one PART_OF a{back_to}."""
    nodes = ["  - {id: src-a, class: Source, title: A report, publisher: Someone, kind: news}"]
    nodes += [f"  - {{id: a{i}, class: Agency, name: Agency {i}, kind: police, sources: [src-a]}}"
              for i in range(length)]
    ends = [(i, i + 1) for i in range(length - 1)] + ([(length - 1, back_to)] if back_to is not None else [])
    rels = [f"  - {{type: PART_OF, from: a{a}, to: a{b}, status: asserted, evidence: Said so., sources: [src-a]}}"
            for a, b in ends]
    path.write_text("nodes:\n" + "\n".join(nodes) + "\nrelationships:\n" + "\n".join(rels) + "\n")
    return path


def test_a_chain_longer_than_the_recursion_limit_is_checked(tmp_path: Path) -> None:
    """The cycle check walks a PART_OF chain of 5,000 links (Python's recursion limit is 1,000) and finds the
    cycle its last link closes."""
    length = 5000
    assert length > sys.getrecursionlimit()
    ds = read_dataset([_chain(tmp_path / "chain.yaml", length, None)])
    assert (len(ds.nodes), len(ds.relationships)) == (length + 1, length - 1)
    bad = _chain(tmp_path / "loop.yaml", length, length - 3)
    assert _outcome([bad]) == [
        f"{bad}:{2 * length + 3} id=a4999-part-of-a4997 field=to: "  # nodes from line 2, links from line 5,004
        "PART_OF cycle: a4997 -> a4998 -> a4999 -> a4997"]


def test_a_parallel_read_keeps_each_files_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name's invisible character is warned in the worker that reads its file; the parent keeps the warning."""
    (tmp_path / "a.yaml").write_text(
        "nodes:\n  - {id: src-a, class: Source, title: A report, publisher: Someone, kind: news}\n",
        encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        'nodes:\n  - {id: acme, class: Firm, name: "Ac\\u200bme", sources: [src-a]}\n', encoding="utf-8")
    alone = read_dataset([tmp_path])
    monkeypatch.setattr(dataset, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(dataset, "WORKERS", 2)
    parallel = read_dataset([tmp_path])
    assert [str(w) for w in parallel.warnings] == [str(w) for w in alone.warnings] == [
        f"{tmp_path / 'b.yaml'}:2 id=acme field=name: 'Ac\\u200bme' contains the invisible character U+200B "
        "(ZERO WIDTH SPACE)"]
    assert parallel == alone
