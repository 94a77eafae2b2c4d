"""Canned queries and saved scripts: the registry's rules, the CLI, each query's exact rows on the curated
dataset, injection attempts, read-only enforcement, timeouts, index seeks, and the README table."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wbkg.cli import cli
from wbkg.errors import QueryError
from wbkg.graph.connection import Graph
from wbkg.loaders.writer import load
from wbkg.queries.readme import queries_table, render_readme, update_readme
from wbkg.queries.registry import canned_queries, get_query, parse_query, split_statements
from wbkg.queries.resolve import resolve
from wbkg.queries.runner import bind, resolve_params, run_query
from wbkg.rdf.validate import validate_paths

DATA = Path(__file__).resolve().parents[1] / "data"
README = DATA.parent / "README.md"
CANNED = ["contested-claims", "country-profile", "coverage", "investment-for-security", "neighbourhood",
          "ownership-chain", "path", "police-presence", "security-agreements", "state-linked-suppliers", "timeline",
          "transnational-repression"]
ANCHORED = [n for n in CANNED if n not in ("contested-claims", "coverage", "transnational-repression")]

logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


def write(tmp_path: Path, text: str, name: str = "script.cypher") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --- the registry's rules ---------------------------------------------------------------------------------------

def test_the_canned_set_loads() -> None:
    assert list(canned_queries()) == CANNED
    for q in canned_queries().values():
        assert q.mode == "read" and q.title and q.description and q.example.startswith(f"wbkg query run {q.name}")


def test_undeclared_parameter_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "// name: s\n// mode: read\nMATCH (n:Entity)\nWHERE n.id = $who\nRETURN n\n")
    with pytest.raises(QueryError) as e:
        parse_query(p)
    assert str(e.value) == f"{p}:4: $who is used but not declared in the header's params"


def test_unused_parameter_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "// name: s\n// params:\n//   - name: who\n//     type: string\n//   - name: n\n"
                        "//     type: integer\n// mode: read\nRETURN $who AS who\n")
    with pytest.raises(QueryError) as e:
        parse_query(p)
    assert str(e.value) == f"{p}:5: parameter 'n' is declared but the body never uses $n"


def test_every_problem_is_reported(tmp_path: Path) -> None:
    p = write(tmp_path, "// name: Bad Name\n// params:\n//   - {name: a, type: text}\n// mode: readonly\n"
                        "// colour: red\nRETURN $b\n")
    with pytest.raises(QueryError) as e:
        parse_query(p)
    assert str(e.value).splitlines() == [
        f"{p}:1: name 'Bad Name' must be lower-case letters, digits and hyphens",
        f"{p}:3: parameter 'a': type 'text' is not one of string, integer, float, boolean, date, entity, country",
        f"{p}:4: mode 'readonly' must be 'read' or 'write'",
        f"{p}:5: unknown header key 'colour' (one of: name, title, description, params, mode, example)",
        f"{p}:6: $b is used but not declared in the header's params",
    ]


def test_no_header(tmp_path: Path) -> None:
    p = write(tmp_path, "MATCH (n) RETURN n\n")
    with pytest.raises(QueryError, match=r":1: no header"):
        parse_query(p)


def test_canned_files_need_every_header_field_and_their_own_name(tmp_path: Path) -> None:
    p = write(tmp_path, "// name: other\n// mode: read\nRETURN 1 AS one\n", "mine.cypher")
    with pytest.raises(QueryError) as e:
        parse_query(p, canned=True)
    assert str(e.value).splitlines() == [
        f"{p}:1: header lacks 'description'",
        f"{p}:1: header lacks 'example'",
        f"{p}:1: header lacks 'title'",
        f"{p}:1: name 'other' differs from the file name 'mine'",
    ]


def test_parameters_in_strings_and_comments_do_not_count(tmp_path: Path) -> None:
    p = write(tmp_path, "// mode: read\nRETURN '$a' AS a, \"$b\" AS b // $c\n/* $d */ , $`odd name` AS e\n")
    with pytest.raises(QueryError) as e:
        parse_query(p)
    assert str(e.value) == f"{p}:3: $odd name is used but not declared in the header's params"


def test_statements_split_outside_strings_comments_and_backticks() -> None:
    body = ("RETURN 'a;b' AS x;\n// c; d\nRETURN \"e\\\";f\" AS `g;h`;\n/* i;\n j */ RETURN 1 AS k ;\n"
            "  ;\n// only a comment;\n")
    sts = split_statements(body, 10)
    assert [(s.text, s.line) for s in sts] == [
        ("RETURN 'a;b' AS x", 10),
        ("// c; d\nRETURN \"e\\\";f\" AS `g;h`", 12),
        ("/* i;\n j */ RETURN 1 AS k", 14),
    ]


def test_parameter_values_are_typed_per_header(tmp_path: Path) -> None:
    p = write(tmp_path, "// params:\n//   - {name: i, type: integer}\n//   - {name: f, type: float, default: '0.5'}\n"
                        "//   - {name: b, type: boolean, default: 'false'}\n//   - {name: d, type: date}\n"
                        "//   - {name: s, type: string, default: ''}\n// mode: read\n"
                        "RETURN $i AS i, $f AS f, $b AS b, $d AS d, $s AS s\n")
    q = parse_query(p)
    assert bind(q, {"i": "3", "d": "2019-09"}) == {"i": 3, "f": 0.5, "b": False, "d": "2019-09", "s": ""}
    assert bind(q, {"i": "3", "d": "2019", "b": "TRUE", "f": "2"}) == {"i": 3, "f": 2.0, "b": True, "d": "2019",
                                                                      "s": ""}
    for raw, message in [({"i": "x", "d": "2019"}, "parameter 'i' must be an integer, got 'x'"),
                         ({"i": "1", "d": "2019-02-30"}, "parameter 'd': '2019-02-30' is not a real calendar date"),
                         ({"i": "1", "d": "19"},
                          "parameter 'd': '19' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
                         ({"i": "1", "d": "２０２０-０５"},
                          "parameter 'd' must be written in ASCII digits (0-9), got '２０２０-０５'"),
                         ({"i": "1_000", "d": "2020"}, "parameter 'i' must be an integer, got '1_000'"),
                         ({"d": "2019"}, "script needs parameter 'i' (integer): add -p i VALUE"),
                         ({"i": "1", "d": "2019", "z": "1"}, "script has no parameter 'z' (declared: i, f, b, d, s)")]:
        with pytest.raises(QueryError) as e:
            bind(q, raw)
        assert str(e.value) == message


def test_unknown_canned_query_suggests_the_closest() -> None:
    with pytest.raises(QueryError) as e:
        get_query("ownership-chian")
    assert str(e.value) == ("no canned query named 'ownership-chian'; did you mean ownership-chain? "
                            "('wbkg query list' shows them all)")


# --- CLI without a server ---------------------------------------------------------------------------------------

LIST_OUTPUT = """\
contested-claims          ()  Contested claims
country-profile           (country)  Profile of a country
coverage                  ()  Coverage of the region, country by theme
investment-for-security   (country)  Chinese-backed infrastructure meeting security cooperation
neighbourhood             (entity, depth=1)  Neighbourhood of an entity
ownership-chain           (entity, contested=True, as_of=null)  Ownership chain of a firm
path                      (from, to)  Shortest paths between two entities
police-presence           (country, as_of=null)  Chinese police presence in a country
security-agreements       (country)  Security agreements and cooperation programmes with China
state-linked-suppliers    (country)  State-linked suppliers of security technology
timeline                  (country, from=1900, to=2100)  Timeline of a country
transnational-repression  ()  Transnational repression
"""


def test_cli_list() -> None:
    r = CliRunner().invoke(cli, ["query", "list"])
    assert r.exit_code == 0, r.output
    assert r.output == LIST_OUTPUT


def test_cli_show_prints_header_then_body() -> None:
    r = CliRunner().invoke(cli, ["query", "show", "ownership-chain"])
    assert r.exit_code == 0, r.output
    text = (Path(__file__).resolve().parents[1] / "queries" / "ownership-chain.cypher").read_text()
    header, body = text.split("\nWITH", 1)
    assert r.output == f"{header}\n\nWITH{body}"
    assert r.output.startswith("// name: ownership-chain\n// title: Ownership chain of a firm\n")


def test_cli_show_unknown() -> None:
    r = CliRunner().invoke(cli, ["query", "show", "nope"])
    assert r.exit_code != 0
    assert isinstance(r.exception, QueryError) and r.exception.exit_code == 2


def test_readme_table_is_current() -> None:
    assert update_readme(README, check=True), "README queries table is stale: run 'wbkg query readme'"
    r = CliRunner().invoke(cli, ["query", "readme", "--check"])
    assert (r.exit_code, r.output) == (0, "README.md: the queries table is current\n")


def test_readme_table_replaces_only_the_marked_region() -> None:
    text = "intro\n<!-- queries-table:start -->\nold\n<!-- queries-table:end -->\noutro\n"
    out = render_readme(text, "| t |")
    assert out == "intro\n<!-- queries-table:start -->\n| t |\n<!-- queries-table:end -->\noutro\n"
    assert queries_table().splitlines()[0] == "| query | parameters | mode | what it answers | example |"
    assert len(queries_table().splitlines()) == 2 + len(CANNED)


# --- against the curated dataset ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def curated(graph_db: Graph) -> Graph:
    """The session's graph holding exactly the curated dataset (the test marker aside).

    Before loading, the index statistics are sampled from the emptied graph: the worst case for the planner,
    which then scans where it should seek. The plans checked below are index seeks only because ``load``
    refreshes the statistics after writing."""
    graph_db.rows("MATCH (n:Entity) DETACH DELETE n", write=True)
    graph_db.rows("CALL db.prepareForReplanning()")
    load(graph_db, validate_paths([DATA], graph_db.cfg.base_iri), progress=False)
    return graph_db


def counts(g: Graph) -> tuple[int, int]:
    row = g.rows("MATCH (n) RETURN count(n) AS n, COUNT { MATCH ()-[r]->() } AS r")[0]
    return row["n"], row["r"]


def rows(g: Graph, name: str, **params: str) -> list[dict[str, Any]]:
    results = run_query(g, get_query(name), dict(params))
    assert len(results) == 1
    return results[0].dicts()


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["query", "run", *args])


@pytest.mark.parametrize("value", [
    "x' }) DETACH DELETE n //",
    'Hytera"; MATCH (n) DETACH DELETE n',
    "hytera}) MATCH (n) DETACH DELETE n RETURN 1 AS x //",
    '" OR "" = "',
    "*:*",
    "name:Hytera~",
])
def test_injection_attempts_change_nothing(curated: Graph, value: str) -> None:
    before = counts(curated)
    r = invoke("ownership-chain", "-p", "entity", value)
    assert r.exit_code != 0
    assert isinstance(r.exception, QueryError) and r.exception.exit_code == 2
    assert str(r.exception).startswith(f"unknown entity {value!r} for parameter 'entity'")
    assert counts(curated) == before


def test_write_in_a_read_script_is_refused(curated: Graph, tmp_path: Path) -> None:
    before = counts(curated)
    p = write(tmp_path, "// name: sneaky\n// mode: read\nMATCH (n:Entity) RETURN count(n) AS c;\n"
                        "CREATE (:Entity {id: 'sneaky', name: 'sneaky'});\nMATCH (n) DETACH DELETE n\n")
    r = invoke("--file", str(p))
    assert r.exit_code != 0 and isinstance(r.exception, QueryError)
    assert str(r.exception) == "a write was attempted in a read-only script; mark the script 'mode: write'"
    assert counts(curated) == before


def test_a_write_script_writes_in_one_transaction(curated: Graph, tmp_path: Path) -> None:
    before = counts(curated)
    p = write(tmp_path, "// mode: write\n// params:\n//   - {name: id, type: string}\n"
                        "CREATE (:Entity {id: $id, name: 'temp'});\nMATCH (n:Entity {id: $id}) RETURN n.name AS name;\n"
                        "MATCH (n:Entity {id: $id}) DETACH DELETE n\n")
    r = invoke("--file", str(p), "-p", "id", "temp-write-test", "--format", "json")
    # several statements: one list per statement that returns columns (the shape follows the script, so
    # that rows can be written as they arrive)
    assert (r.exit_code, r.output) == (0, '[\n  [\n    {\n      "name": "temp"\n    }\n  ]\n]\n')
    assert counts(curated) == before


def test_timeout_gives_a_clear_error(curated: Graph, tmp_path: Path) -> None:
    p = write(tmp_path, "// mode: read\nUNWIND range(1, 1000000000) AS i WITH i WHERE i = -1 RETURN count(*) AS c\n")
    r = invoke("--file", str(p), "--timeout", "0.5")
    assert r.exit_code != 0 and isinstance(r.exception, QueryError)
    assert str(r.exception) == "the query ran past its time limit and was cancelled; raise --timeout or narrow it"


def test_entities_resolve_by_id_name_alias_any_case(curated: Graph) -> None:
    for value in ["hytera", "HYTERA", "Hytera Communications Corporation Limited", "hytera communications "
                  "corporation limited", "HYT"]:
        assert resolve(curated, "entity", value) == "hytera"
    for value in ["RS", "rs", "serbia", "Serbia", "SERBIA"]:
        assert resolve(curated, "country", value) == "serbia"


def test_unknown_entity_lists_the_closest_names(curated: Graph) -> None:
    r = invoke("ownership-chain", "-p", "entity", "Hytra")
    assert r.exit_code != 0 and isinstance(r.exception, QueryError)
    assert str(r.exception).startswith("unknown entity 'Hytra' for parameter 'entity'; closest: Hytera")


def _leftmost(op: Any) -> str:
    while op.get("children"):
        op = op["children"][0]
    return str(op["operatorType"]).split("@")[0]


def _operators(op: Any) -> list[str]:
    return [str(op["operatorType"]).split("@")[0]] + [o for c in op.get("children") or [] for o in _operators(c)]


def _leaves(op: Any) -> list[str]:
    ch = op.get("children") or []
    if not ch:
        return [str(op["operatorType"]).split("@")[0]]
    return [leaf for c in ch for leaf in _leaves(c)]


EXAMPLE_PARAMS = {
    "ownership-chain": {"entity": "hytera"}, "state-linked-suppliers": {"country": "RS"},
    "security-agreements": {"country": "RS"}, "investment-for-security": {"country": "RS"},
    "police-presence": {"country": "RS"}, "timeline": {"country": "RS"}, "country-profile": {"country": "RS"},
    "neighbourhood": {"entity": "hytera", "depth": "2"}, "path": {"from": "hytera", "to": "china"},
}


@pytest.mark.parametrize("name", ANCHORED)
def test_anchored_queries_start_from_an_index_seek(curated: Graph, name: str) -> None:
    q = get_query(name)
    params = resolve_params(curated, q, bind(q, EXAMPLE_PARAMS[name]))
    profile = curated.read(lambda tx: tx.run("PROFILE " + q.statements[0].text, params).consume().profile)
    # The parameter's resolution (queries.resolve.fragment) seeks the id in the unique index and the name in
    # the fulltext index (a procedure call); nothing else is scanned: every other leaf is an index seek, an
    # argument from the outer row, or the projection of the parameter the resolution starts from.
    leaves = _leaves(profile)
    assert "NodeUniqueIndexSeek" in leaves and "ProcedureCall" in _operators(profile)
    assert set(leaves) <= {"NodeUniqueIndexSeek", "NodeIndexSeek", "Argument", "Projection"}


def test_cli_run_formats(curated: Graph) -> None:
    r = invoke("neighbourhood", "-p", "entity", "Hytera", "--format", "json")
    assert r.exit_code == 0, r.output
    as_json = json.loads(r.output)
    r = invoke("neighbourhood", "-p", "entity", "Hytera", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "distance,id,name,class"
    assert len(lines) == 1 + len(as_json)


# --- exact rows of each canned query on the curated dataset (checked against data/*.yaml) ---

COVERAGE_ROWS = [{'country': 'RS', 'theme': 'police-cooperation', 'facts': 8, 'links': 36, 'gaps': [], 'status': 'ok'},
 {'country': 'RS', 'theme': 'police-stations', 'facts': 6, 'links': 46, 'gaps': [], 'status': 'ok'},
 {'country': 'RS', 'theme': 'surveillance', 'facts': 12, 'links': 45, 'gaps': [], 'status': 'ok'},
 {'country': 'RS', 'theme': 'defence', 'facts': 4, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'RS', 'theme': 'infrastructure', 'facts': 14, 'links': 44, 'gaps': [], 'status': 'ok'},
 {'country': 'RS', 'theme': 'diplomacy', 'facts': 7, 'links': 20, 'gaps': [], 'status': 'ok'},
 {'country': 'BA',
  'theme': 'police-cooperation',
  'facts': 2,
  'links': 4,
  'gaps': ['gap-ba-police-cooperation'],
  'status': 'gap recorded'},
 {'country': 'BA',
  'theme': 'police-stations',
  'facts': 2,
  'links': 7,
  'gaps': ['gap-ba-police-stations'],
  'status': 'gap recorded'},
 {'country': 'BA', 'theme': 'surveillance', 'facts': 7, 'links': 19, 'gaps': [], 'status': 'ok'},
 {'country': 'BA', 'theme': 'defence', 'facts': 3, 'links': 6, 'gaps': [], 'status': 'ok'},
 {'country': 'BA', 'theme': 'infrastructure', 'facts': 5, 'links': 14, 'gaps': [], 'status': 'ok'},
 {'country': 'BA', 'theme': 'diplomacy', 'facts': 3, 'links': 6, 'gaps': [], 'status': 'ok'},
 {'country': 'ME',
  'theme': 'police-cooperation',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-me-police-cooperation'],
  'status': 'gap recorded'},
 {'country': 'ME',
  'theme': 'police-stations',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-me-police-stations'],
  'status': 'gap recorded'},
 {'country': 'ME',
  'theme': 'surveillance',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-me-surveillance'],
  'status': 'gap recorded'},
 {'country': 'ME', 'theme': 'defence', 'facts': 3, 'links': 5, 'gaps': [], 'status': 'ok'},
 {'country': 'ME', 'theme': 'infrastructure', 'facts': 3, 'links': 9, 'gaps': [], 'status': 'ok'},
 {'country': 'ME', 'theme': 'diplomacy', 'facts': 4, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'MK', 'theme': 'police-cooperation', 'facts': 3, 'links': 6, 'gaps': [], 'status': 'ok'},
 {'country': 'MK',
  'theme': 'police-stations',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-mk-police-stations'],
  'status': 'gap recorded'},
 {'country': 'MK',
  'theme': 'surveillance',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-mk-surveillance'],
  'status': 'gap recorded'},
 {'country': 'MK', 'theme': 'defence', 'facts': 4, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'MK', 'theme': 'infrastructure', 'facts': 4, 'links': 10, 'gaps': [], 'status': 'ok'},
 {'country': 'MK', 'theme': 'diplomacy', 'facts': 3, 'links': 5, 'gaps': [], 'status': 'ok'},
 {'country': 'AL',
  'theme': 'police-cooperation',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-al-police-cooperation'],
  'status': 'gap recorded'},
 {'country': 'AL',
  'theme': 'police-stations',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-al-police-stations'],
  'status': 'gap recorded'},
 {'country': 'AL',
  'theme': 'surveillance',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-al-surveillance'],
  'status': 'gap recorded'},
 {'country': 'AL', 'theme': 'defence', 'facts': 0, 'links': 0, 'gaps': ['gap-al-defence'], 'status': 'gap recorded'},
 {'country': 'AL', 'theme': 'infrastructure', 'facts': 4, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'AL', 'theme': 'diplomacy', 'facts': 4, 'links': 6, 'gaps': [], 'status': 'ok'},
 {'country': 'XK',
  'theme': 'police-cooperation',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-xk-police-cooperation'],
  'status': 'gap recorded'},
 {'country': 'XK',
  'theme': 'police-stations',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-xk-police-stations'],
  'status': 'gap recorded'},
 {'country': 'XK', 'theme': 'surveillance', 'facts': 3, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'XK', 'theme': 'defence', 'facts': 1, 'links': 3, 'gaps': ['gap-xk-defence'], 'status': 'gap recorded'},
 {'country': 'XK',
  'theme': 'infrastructure',
  'facts': 0,
  'links': 0,
  'gaps': ['gap-xk-infrastructure'],
  'status': 'gap recorded'},
 {'country': 'XK', 'theme': 'diplomacy', 'facts': 5, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'HR', 'theme': 'police-cooperation', 'facts': 8, 'links': 35, 'gaps': [], 'status': 'ok'},
 {'country': 'HR', 'theme': 'police-stations', 'facts': 3, 'links': 37, 'gaps': [], 'status': 'ok'},
 {'country': 'HR',
  'theme': 'surveillance',
  'facts': 1,
  'links': 2,
  'gaps': ['gap-hr-surveillance'],
  'status': 'gap recorded'},
 {'country': 'HR', 'theme': 'defence', 'facts': 1, 'links': 2, 'gaps': ['gap-hr-defence'], 'status': 'gap recorded'},
 {'country': 'HR', 'theme': 'infrastructure', 'facts': 3, 'links': 8, 'gaps': [], 'status': 'ok'},
 {'country': 'HR', 'theme': 'diplomacy', 'facts': 5, 'links': 11, 'gaps': [], 'status': 'ok'}]


EXPECTED: dict[str, Any] = {'coverage': ({}, None, COVERAGE_ROWS),
 'ownership-chain': ({'entity': 'Hytera'},
                     None,
                     [{'ultimate_owner': 'Chen Qingzhou',
                       'owner_kind': 'person',
                       'owner_state': None,
                       'chain': ['Hytera Communications Corporation Limited', 'Chen Qingzhou'],
                       'shares': [None],
                       'effective_share': None,
                       'share_low': None,
                       'share_high': None,
                       'statuses': ['corroborated'],
                       'claims': [],
                       'links': ['chen-qingzhou-owns-hytera']},
                      {'ultimate_owner': "Shenzhen Municipal People's Government",
                       'owner_kind': 'agency',
                       'owner_state': "People's Republic of China",
                       'chain': ['Hytera Communications Corporation Limited',
                                 'Shenzhen Investment Holdings',
                                 "Shenzhen Municipal People's Government"],
                       'shares': [None, None],
                       'effective_share': None,
                       'share_low': None,
                       'share_high': None,
                       'statuses': ['disputed', 'asserted'],
                       'claims': ['claim-hytera-state-owned'],
                       'links': ['shenzhen-investment-holdings-owns-hytera',
                                 'shenzhen-municipal-government-owns-shenzhen-investment-holdings']}]),
 'state-linked-suppliers': ({'country': 'RS'},
                            ['supplier', 'procurement', 'buyers', 'date', 'ownership'],
                            [{'supplier': 'Dahua Technology',
                              'procurement': 'Serbian-funded Dahua recorders for schools in Kosovo',
                              'buyers': ['Office for Kosovo and Metohija of the Government of Serbia'],
                              'date': 'a December (year not shown in the source excerpt)',
                              'ownership': []},
                             {'supplier': 'Huawei Technologies Co., Ltd.',
                              'procurement': 'Belgrade Safe City camera roll-out',
                              'buyers': ['Ministry of Interior of the Republic of Serbia'],
                              'date': '2019',
                              'ownership': ['Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[99.0%, disputed]- Huawei Investment & Holding '
                                            'trade union committee',
                                            'Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[1.0%, corroborated]- Ren Zhengfei']},
                             {'supplier': 'Huawei Technologies Co., Ltd.',
                              'procurement': 'Leaked 2024 order for Huawei police network expansion',
                              'buyers': ['Ministry of Interior of the Republic of Serbia'],
                              'date': '2024-03',
                              'ownership': ['Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[99.0%, disputed]- Huawei Investment & Holding '
                                            'trade union committee',
                                            'Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[1.0%, corroborated]- Ren Zhengfei']},
                             {'supplier': 'Huawei Technologies Co., Ltd.',
                              'procurement': 'Safe City test cameras in Belgrade',
                              'buyers': ['Ministry of Interior of the Republic of Serbia'],
                              'date': None,
                              'ownership': ['Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[99.0%, disputed]- Huawei Investment & Holding '
                                            'trade union committee',
                                            'Huawei Technologies Co., Ltd. <-[asserted]- Huawei Investment & '
                                            'Holding Co., Ltd. <-[1.0%, corroborated]- Ren Zhengfei']}]),
 'security-agreements': ({'country': 'HR'},
                         None,
                         [{'what': 'programme',
                           'kind': 'joint-patrol',
                           'name': 'Safe Tourist Season',
                           'date': '2006',
                           'parties': ['Hungary (participates_in, corroborated)',
                                       "Ministry of Public Security of the People's Republic of China "
                                       '(participates_in, corroborated)',
                                       'Ministry of the Interior of Croatia (organizes, corroborated)'],
                           'sources': ["China Daily report on Chinese police joining Croatia's tourist-season patrols, "
                                       '19 Jul 2019 '
                                       '(http://global.chinadaily.com.cn/a/201907/19/WS5d30fcb7a310d830563ffd15.html)',
                                       'Chinese Police in the Western Balkans',
                                       'Lika-Senj County included as Croatian-Chinese police kick off 2nd joint patrol '
                                       '(https://www.plitvicetimes.com/lika-senj-county-included-croatian-chinese-police-'
                                       'kick-off-2nd-joint-patrol/)',
                                       "People's Daily Online report on China-Croatia joint police patrols, "
                                       '18 Jul 2024 '
                                       '(http://en.people.cn/n3/2024/0718/c90000-20194950.html)']},
                          {'what': 'agreement',
                           'kind': 'agreement',
                           'name': 'China-Croatia joint police patrol agreement',
                           'date': 'between 2018 and 2019 (per CNN as cited by bne IntelliNews)',
                           'parties': ['Croatia (party_to, asserted)',
                                       "People's Republic of China (party_to, asserted)"],
                           'sources': ['Croatia and Serbia deny secret Chinese police presence '
                                       '(https://intellinews.com/croatia-and-serbia-deny-secret-chinese-police-presence-264376/)']}]),
 'investment-for-security': ({'country': 'RS'},
                             ['place', 'level'],
                             [{'place': 'Novi Sad', 'level': 'city'}, {'place': 'Serbia', 'level': 'country'}]),
 'police-presence': ({'country': 'RS'},
                     ['what', 'name', 'year', 'officers', 'places', 'statuses', 'denied_by'],
                     [{'what': 'deployment',
                       'name': 'Serbia-China joint police patrols',
                       'year': '2019',
                       'officers': None,
                       'places': ['Belgrade', 'Novi Sad', 'Smederevo'],
                       'statuses': ['corroborated'],
                       'denied_by': ['Ministry of Interior of the Republic of Serbia',
                                     'Ministry of the Interior of Croatia']},
                      {'what': 'deployment',
                       'name': 'Chinese overseas police service stations',
                       'year': None,
                       'officers': None,
                       'places': ['Belgrade', 'Serbia'],
                       'statuses': ['denied', 'disputed'],
                       'denied_by': ["Ministry of Foreign Affairs of the People's Republic of China",
                                     'Ministry of Interior of the Republic of Serbia',
                                     'Ministry of the Interior of Croatia']},
                      {'what': 'patrol-round',
                       'name': 'First China-Serbia joint patrol mission (2019)',
                       'year': '2019',
                       'officers': 6,
                       'places': ['Belgrade', 'Novi Sad', 'Smederevo'],
                       'statuses': ['asserted', 'corroborated'],
                       'denied_by': []},
                      {'what': 'patrol-round',
                       'name': 'Second China-Serbia joint patrol mission (2023)',
                       'year': '2023',
                       'officers': 9,
                       'places': ['Belgrade', 'Novi Sad', 'Smederevo'],
                       'statuses': ['corroborated'],
                       'denied_by': []}]),
 'contested-claims': ({},
                      ['claim', 'status', 'asserted_by', 'denied_by', 'contradicted_by'],
                      [{'claim': 'claim-belgrade-police-station',
                        'status': 'disputed',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)'],
                        'denied_by': ['Ministry of Interior of the Republic of Serbia'],
                        'contradicted_by': []},
                       {'claim': 'claim-cameras-response-to-protests',
                        'status': 'corrected',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)'],
                        'denied_by': [],
                        'contradicted_by': ['Big Brother comes to Belgrade (https://foreignpolicy.com/2019/06/18/bi'
                                            'g-brother-comes-to-belgrade-huawei-china-facial-recognition-vucic/)',
                                            "Exclusive: Serbia's Safe City, Chinese surveillance, Huawei and facial"
                                            ' recognition (https://www.rferl.org/a/exclusive-safe-city-china-survei'
                                            'llance-huawei-facial-recognition/33501155.html)',
                                            'Timeline (Hiljade kamera) (https://hiljade.kamera.rs/en/timeline/)']},
                       {'claim': 'claim-croatia-chinese-tourists-41pct',
                        'status': 'disputed',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)'],
                        'denied_by': [],
                        'contradicted_by': ["Chinese visitors flock to new Europe's lesser-known destinations for a"
                                            'uthentic experiences (https://funandflip.com/news-detail/amp/chinese-v'
                                            'isitors-flock-to-new-europes-lesserknown-destinations-for-authentic-ex'
                                            'periences.html)']},
                       {'claim': 'claim-huawei-employee-owned',
                        'status': 'disputed',
                        'asserted_by': ['Huawei Technologies Co., Ltd.',
                                        'Huawei interview with Jiang Xisheng on ownership'],
                        'denied_by': [],
                        'contradicted_by': ['Who Owns Huawei? (https://assets.documentcloud.org/documents/5973525/W'
                                            'ho-Owns-Huawei-Christopher-Balding-Donald-Clarke.txt)']},
                       {'claim': 'claim-hytera-state-owned',
                        'status': 'disputed',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)',
                                        'RFE/RL China in Eurasia newsletter, 9 Sep 2024',
                                        'Wikipedia article on Hytera (worddisk.com copy)'],
                        'denied_by': [],
                        'contradicted_by': ['Chinese maker of radios for police, firefighters struggles to outlast '
                                            'Trump trade fight (https://www.followcn.com/us/2019/01/30/chinese-make'
                                            'r-of-radios-for-police-firefighters-struggles-to-outlast-trump-trade-f'
                                            'ight/)']},
                       {'claim': 'claim-overseas-stations-police-outposts',
                        'status': 'denied',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)',
                                        'Safeguard Defenders'],
                        'denied_by': ["Ministry of Foreign Affairs of the People's Republic of China"],
                        'contradicted_by': []},
                       {'claim': 'claim-sava-bridge-completion',
                        'status': 'disputed',
                        'asserted_by': ['RFE/RL on the Sava bridge contract and loan'],
                        'denied_by': [],
                        'contradicted_by': ["People's Daily Online report on the new Sava bridge, 26 Dec 2025 (http"
                                            '://en.people.cn/n3/2025/1226/c90000-20407131.html)']},
                       {'claim': 'claim-stations-230000',
                        'status': 'corrected',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)'],
                        'denied_by': [],
                        'contradicted_by': ["China targets kin to repatriate fraudsters 'voluntarily' (https://www."
                                            'ucanews.com/news/china-targets-kin-to-repatriate-fraudsters-voluntaril'
                                            'y/98767)',
                                            'China tracks fraudsters and strong-arms them to justice (https://latin'
                                            'oreport.com/china-tracks-fraudsters-and-strong-arms-them-to-justice/)']},
                       {'claim': 'claim-stations-serbia-croatia',
                        'status': 'denied',
                        'asserted_by': ['Chinese Police in the Western Balkans (Future CHOICE)',
                                        'Safeguard Defenders'],
                        'denied_by': ['Ministry of Interior of the Republic of Serbia',
                                      'Ministry of the Interior of Croatia'],
                        'contradicted_by': []}]),
 'timeline': ({'country': 'RS', 'from': '2019', 'to': '2019-12'},
              None,
              [{'date': '2019',
                'precision': 'year',
                'date_label': None,
                'kind': 'other',
                'event': "Data-protection commissioner's finding on the Safe City impact assessment",
                'end': None},
               {'date': '2019-09-17',
                'precision': 'day',
                'date_label': None,
                'kind': 'patrol-round',
                'event': 'First China-Serbia joint patrol mission (2019)',
                'end': '2019-10-16'},
               {'date': '2019-09-18',
                'precision': 'day',
                'date_label': None,
                'kind': 'announcement',
                'event': 'Presentation of the first joint Chinese-Serbian patrol in Belgrade',
                'end': None},
               {'date': '2019-12',
                'precision': 'month',
                'date_label': None,
                'kind': 'exercise',
                'event': 'Chinese-Serbian counter-terrorism exercise at the Smederevo steel plant',
                'end': None}]),
 'country-profile': ({'country': 'BA'},
                     ['link', 'count'],
                     [{'link': 'AFFILIATED_WITH', 'count': 2},
                      {'link': 'CONTRACTOR_OF', 'count': 2},
                      {'link': 'DONATES', 'count': 1},
                      {'link': 'FINANCES', 'count': 2},
                      {'link': 'LED_TO', 'count': 1},
                      {'link': 'LOCATED_IN', 'count': 14},
                      {'link': 'ORGANIZES', 'count': 4},
                      {'link': 'PARTICIPATES_IN', 'count': 5},
                      {'link': 'PARTY_TO', 'count': 6},
                      {'link': 'PART_OF', 'count': 12},
                      {'link': 'PROCURES', 'count': 4},
                      {'link': 'RECEIVES', 'count': 3},
                      {'link': 'SUPPLIES', 'count': 3},
                      {'link': 'TARGETS', 'count': 4}]),
 'transnational-repression': ({},
                              ['target', 'kind', 'responsible', 'date', 'status', 'denied_by'],
                              [{'target': '8th General Assembly of the World Uyghur Congress (Sarajevo)',
                                'kind': 'pressure',
                                'responsible': "Embassy of the People's Republic of China in Bosnia and "
                                               'Herzegovina',
                                'date': '2024-10',
                                'status': 'corroborated',
                                'denied_by': []},
                               {'target': '8th General Assembly of the World Uyghur Congress (Sarajevo)',
                                'kind': 'pressure',
                                'responsible': 'Miao Dake',
                                'date': '2024-10',
                                'status': 'asserted',
                                'denied_by': []},
                               {'target': '8th General Assembly of the World Uyghur Congress (Sarajevo)',
                                'kind': 'surveillance',
                                'responsible': "People's Republic of China",
                                'date': '2024-10',
                                'status': 'corroborated',
                                'denied_by': []},
                               {'target': 'Dolkun Isa',
                                'kind': 'intimidation',
                                'responsible': "Embassy of the People's Republic of China in Bosnia and "
                                               'Herzegovina',
                                'date': '2024-10',
                                'status': 'corroborated',
                                'denied_by': []},
                               {'target': 'World Uyghur Congress',
                                'kind': 'hacking',
                                'responsible': "People's Republic of China",
                                'date': '2024-10',
                                'status': 'asserted',
                                'denied_by': []},
                               {'target': 'World Uyghur Congress',
                                'kind': 'intimidation',
                                'responsible': "People's Republic of China",
                                'date': '2024-10',
                                'status': 'corroborated',
                                'denied_by': []},
                               {'target': 'World Uyghur Congress',
                                'kind': 'pressure',
                                'responsible': "People's Republic of China",
                                'date': '2024-10',
                                'status': 'asserted',
                                'denied_by': []},
                               {'target': 'World Uyghur Congress',
                                'kind': 'pressure',
                                'responsible': 'Uzbekistan',
                                'date': '2024-10',
                                'status': 'asserted',
                                'denied_by': []},
                               {'target': 'Edi Rama',
                                'kind': 'pressure',
                                'responsible': 'Democratic Party of Albania',
                                'date': '2026-01-24',
                                'status': 'asserted',
                                'denied_by': []},
                               {'target': 'Serbian anti-corruption protests of 2024-2025',
                                'kind': 'surveillance',
                                'responsible': 'Ministry of Interior of the Republic of Serbia',
                                'date': None,
                                'status': 'asserted',
                                'denied_by': []}]),
 'neighbourhood': ({'entity': 'hytera-america'},
                   None,
                   [{'distance': 1,
                     'id': 'hytera-america-chapter-11-2020',
                     'name': 'Chapter 11 filings of Hytera America and Hytera America (West)',
                     'class': 'Event'},
                    {'distance': 1,
                     'id': 'hytera',
                     'name': 'Hytera Communications Corporation Limited',
                     'class': 'Firm'}]),
 'path': ({'from': 'Hytera', 'to': 'China'},
          None,
          [{'hops': 3,
            'path': 'Hytera Communications Corporation Limited -[LOCATED_IN asserted]-> Shenzhen -[LOCATED_IN '
                    "asserted]-> Guangdong -[LOCATED_IN asserted]-> People's Republic of China"},
           {'hops': 3,
            'path': 'Hytera Communications Corporation Limited <-[OWNS disputed]- Shenzhen Investment Holdings '
                    "<-[OWNS asserted]- Shenzhen Municipal People's Government -[PART_OF asserted]-> "
                    "People's Republic of China"}])}


@pytest.mark.parametrize("name", CANNED)
def test_canned_query_exact_rows(curated: Graph, name: str) -> None:
    params, cols, expected = EXPECTED[name]
    got = rows(curated, name, **params)
    if cols:
        got = [{k: row[k] for k in cols} for row in got]
    assert got == expected


def test_hytera_chain_reaches_the_state_through_a_disputed_link(curated: Graph) -> None:
    r = invoke("ownership-chain", "-p", "entity", "Hytera")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split(" | ")[0].strip() == "ultimate_owner"
    assert any("Shenzhen Municipal People's Government" in ln and "People's Republic of China" in ln
               and "[disputed, asserted]" in ln and "[claim-hytera-state-owned]" in ln for ln in lines)
    assert lines[-1] == "(2 rows)"
    # unknown shares stay unknown: the effective share is null, never 0
    assert [row["effective_share"] for row in rows(curated, "ownership-chain", entity="hytera")] == [None, None]


def test_every_cell_has_three_sourced_facts_or_a_gap_record(curated: Graph) -> None:
    got = rows(curated, "coverage")
    assert len(got) == 42
    assert [r["country"] for r in got[::6]] == ["RS", "BA", "ME", "MK", "AL", "XK", "HR"]
    assert all(r["facts"] >= 3 or r["gaps"] for r in got)
    assert [r for r in got if r["status"] == "missing"] == []
    # every fact counted cites a source
    unsourced = curated.rows("MATCH (f:Entity) WHERE f.themes IS NOT NULL AND size(coalesce(f.sources, [])) = 0 "
                             "RETURN f.id AS id")
    assert unsourced == []


def test_cli_coverage_prints_the_matrix(curated: Graph) -> None:
    r = CliRunner().invoke(cli, ["coverage", "--check"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["country", "police-cooperation", "police-stations", "surveillance", "defence",
                                "infrastructure", "diplomacy"]
    assert lines[1].split() == ["Serbia", "(RS)", "8/36", "6/46", "12/45", "4/8", "14/44", "7/20"]
    assert len(lines) == 8
    md = CliRunner().invoke(cli, ["coverage", "--markdown"])
    assert md.exit_code == 0 and md.output in README.read_text(encoding="utf-8")


HIKVISION = "Hangzhou Hikvision Digital Technology Co., Ltd."
CETC = "China Electronics Technology Group Corporation"
KOSOVO_SUPPLIERS = [
    {"supplier": "Dahua Technology", "ownership": []},
    {"supplier": HIKVISION,
     "ownership": [f"{HIKVISION} <-[control, asserted]- {CETC}",
                   f"{HIKVISION} <-[38.88%, asserted]- CETC HIK Group <-[asserted]- {CETC}",
                   f"{HIKVISION} <-[41.55%, asserted]- CETC HIK Group <-[asserted]- {CETC}"]},
    {"supplier": "Zhejiang Uniview Technologies", "ownership": []},
]


def test_state_linked_suppliers_follow_control_links_in_cypher_and_sparql(curated: Graph) -> None:
    # CETC controls Hikvision without a stake of its own (CONTROLS) and owns it through CETC HIK Group (OWNS)
    from wbkg.ontology.vocab import vocab
    from wbkg.queries.sparql import run_named, store
    from wbkg.rdf.mapping import dataset_triples

    got = [{k: r[k] for k in ("supplier", "ownership")} for r in rows(curated, "state-linked-suppliers",
                                                                      country="kosovo")]
    assert got == KOSOVO_SUPPLIERS
    v = vocab(curated.cfg.base_iri)
    rs = run_named("state-linked-suppliers", {"country": "kosovo"},
                   store(dataset_triples(validate_paths([DATA], v.base), v)), v)
    assert [{k: r[k] for k in ("supplier", "ownership")} for r in rs.dicts()] == KOSOVO_SUPPLIERS


def _sparql_rows(g: Graph, name: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of a canned query's SPARQL twin over the curated dataset mapped to RDF (pyoxigraph)."""
    from wbkg.ontology.vocab import vocab
    from wbkg.queries.sparql import run_named, store
    from wbkg.rdf.mapping import dataset_triples

    v = vocab(g.cfg.base_iri)
    return run_named(name, params, store(dataset_triples(validate_paths([DATA], v.base), v)), v).dicts()


_PATROLS, _STATIONS, _ROUND_2019, _ROUND_2023 = EXPECTED["police-presence"][2]
POLICE_AS_OF = [
    # the programme starts in 2019 and the rounds are dated; the stations network has no date and stays
    ("2018", [_STATIONS]),
    ("2019-10-16", [_PATROLS, _STATIONS, _ROUND_2019]),  # the first round's last day
    ("2019-10-17", [_PATROLS, _STATIONS]),
    ("2023", [_PATROLS, _STATIONS, _ROUND_2023]),
]


@pytest.mark.parametrize(("as_of", "expected"), POLICE_AS_OF)
def test_police_presence_as_of_in_cypher_and_sparql(curated: Graph, as_of: str,
                                                    expected: list[dict[str, Any]]) -> None:
    cols = EXPECTED["police-presence"][1]
    got = rows(curated, "police-presence", country="RS", as_of=as_of)
    assert [{k: r[k] for k in cols} for r in got] == expected
    sparql = _sparql_rows(curated, "police-presence", {"country": "RS", "as_of": as_of})
    assert [{k: r[k] for k in cols} for r in sparql] == expected


TIA_OWNER = {"ultimate_owner": "China Everbright Limited", "owner_kind": "firm", "owner_state": None,
             "chain": ["Tirana International Airport SHPK", "China Everbright Limited"], "shares": [None],
             "effective_share": None, "share_low": None, "share_high": None, "statuses": ["corroborated"],
             "claims": [], "links": ["china-everbright-owns-tirana-international-airport"]}


@pytest.mark.parametrize(("as_of", "expected"), [("2016-09", []), ("2016", [TIA_OWNER]), ("2016-10-07", [TIA_OWNER]),
                                                 ("2016-10-06", []), ("2024", [TIA_OWNER])])
def test_ownership_chain_as_of_on_the_curated_data(curated: Graph, as_of: str, expected: list[dict[str, Any]]) -> None:
    # China Everbright took all the airport's shares on 7 October 2016 (the link's date) and no end is recorded
    params = {"entity": "tirana-international-airport", "as_of": as_of}
    assert rows(curated, "ownership-chain", **params) == expected
    assert _sparql_rows(curated, "ownership-chain", params) == expected


def test_cli_ownership_chain_as_of(curated: Graph) -> None:
    r = invoke("ownership-chain", "-p", "entity", "Hytera", "-p", "as_of", "2019")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "(2 rows)"  # Hytera's links carry no dates: none is excluded
    r = invoke("ownership-chain", "-p", "entity", "Hytera", "-p", "as_of", "2019-13")
    assert r.exit_code != 0 and isinstance(r.exception, QueryError)
    assert str(r.exception) == "parameter 'as_of': '2019-13' is not a real calendar date"


def test_source_lists_give_titles_and_addresses(curated: Graph) -> None:
    # sorted by title, then address; a source without an address (the seed report) is its title alone
    claim = rows(curated, "contested-claims")[0]
    assert (claim["claim"], claim["sources_asserting"], claim["sources_denying"]) == (
        "claim-belgrade-police-station",
        ["Chinese Police in the Western Balkans"],
        ["Croatia and Serbia deny secret Chinese police presence "
         "(https://intellinews.com/croatia-and-serbia-deny-secret-chinese-police-presence-264376/)",
         "Serbia, Croatia Deny Allowing Chinese Police Coercive Powers "
         "(https://tiranachronicle.com/2022/12/serbia-croatia-deny-allowing-chinese-police-coercive-powers/)"])
    first = rows(curated, "transnational-repression")[0]
    assert (first["target"], first["responsible"], first["sources"]) == (
        "8th General Assembly of the World Uyghur Congress (Sarajevo)",
        "Embassy of the People's Republic of China in Bosnia and Herzegovina",
        ["Weekly Brief 25 October (https://www.uyghurcongress.org/en/weekly-brief-25-october-2/)",
         "World Uyghur Congress faces threats from China "
         "(https://www.sentinelassam.com/more-news/international/world-uyghur-congress-faces-threats-from-china)"])
    assert _sparql_rows(curated, "contested-claims", {})[0] == claim
    assert _sparql_rows(curated, "transnational-repression", {})[0] == first



def test_investment_for_security_names_its_sources_by_title(curated: Graph) -> None:
    novi_sad = rows(curated, "investment-for-security", country="RS")[0]
    assert (novi_sad["place"], novi_sad["infrastructure"]) == ("Novi Sad", [
        "Renovation of Novi Sad railway station (2021; sources: A concrete canopy collapses at the Novi Sad railway "
        "station (This Day Story, 1 November) (https://thisdaystory.com/November-1/a-concrete-canopy-collapses-at-"
        "the-novi-sad-railway-station-killing-14-people-and-injuring-3) | Chinese Police in the Western Balkans | "
        "Crollo stazione in Serbia, dagli inquirenti anche un ministro (https://www.giornaledibrescia.it/italia-e-"
        "estero/crollo-stazione-in-serbia-dagli-inquirenti-anche-un-ministro-rvkjxo0r) | Rekonstrukcija željezničke "
        "stanice u Novom Sadu (https://n1info.hr/regija/rekonstrukcija-zeljeznicke-stanice-u-novom-sadu/))"])
    assert _sparql_rows(curated, "investment-for-security", {"country": "RS"})[0] == novi_sad
