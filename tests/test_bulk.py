"""``wbkg load --bulk``: neo4j-admin imports into the empty database of a local server of this module's own
(never the session's shared test server, which it does not use); the graph it leaves is compared, property by
property and type by type, with what a normal ``wbkg load`` of the same files leaves in the same server.

The server runs in a temporary WBKG_HOME on ports WBKG_BULK_BOLT_PORT/WBKG_BULK_HTTP_PORT (27687/27474).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from helpers import free_port

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
BULK_BOLT = int(os.environ.get("WBKG_BULK_BOLT_PORT", "27687"))
BULK_HTTP = int(os.environ.get("WBKG_BULK_HTTP_PORT", "27474"))
_SCRIPT = Path(sys.executable).parent / "wbkg"
WBKG = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from wbkg.cli import main; main()"]
NONE = ["created: none", "updated: none", "removed: none"]
ODD = """\
nodes:
  - id: src-odd
    class: Source
    title: An odd source
    publisher: Nobody
    kind: seed
    aliases: ["a pipe | inside", "another"]
  - {id: odd-town, class: Place, name: Odd Town, aliases: [], kind: city, sources: [src-odd]}
  - {id: odd-city, class: Place, name: Odd City, aliases: ["pipe|in it", "plain"], kind: city,
     sources: [src-odd, src-odd-2]}
  - id: src-odd-2
    class: Source
    title: "A second, \\"quoted\\" source, with a comma"
    publisher: Somebody
    kind: seed
    themes: []
relationships:
  - type: LOCATED_IN
    from: odd-town
    to: odd-city
    status: asserted
    evidence: Said so.
    date_label: "as \\"stated\\", |pipe|"
    sources: [src-odd, src-odd-2]
"""


def wbkg(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WBKG, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def bulk_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of this module's own local server (installed and started here, stopped at the end)."""
    root = tmp_path_factory.mktemp("bulk")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "WBKG_"))}
    env.update(WBKG_HOME=str(root / "home"), WBKG_CONFIG=str(root / "absent.toml"),
               WBKG_NEO4J_BOLT_PORT=str(BULK_BOLT), WBKG_NEO4J_HTTP_PORT=str(BULK_HTTP))
    installed = wbkg("neo4j", "install", env=env, timeout=1800)
    assert installed.returncode == 0, installed.stderr
    try:
        started = wbkg("neo4j", "start", env=env)
        assert started.returncode == 0, started.stderr
        yield env
    finally:
        stopped = wbkg("neo4j", "stop", env=env)
        assert stopped.returncode == 0, stopped.stderr


def rows(env: dict[str, str], cypher: str, **params: Any) -> list[dict[str, Any]]:
    password = (Path(env["WBKG_HOME"]) / "password").read_text(encoding="utf-8").strip()
    with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{BULK_BOLT}", auth=("neo4j", password)) as d:
        return [r.data() for r in d.execute_query(cypher, params, database_="neo4j").records]


def _typed(value: Any) -> Any:
    """A value with its type: 30 (an integer) and 30.0 (a float) differ, as do a list and a text."""
    return [_typed(v) for v in value] if isinstance(value, list) else [type(value).__name__, value]


def dump(env: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every node but the load records (labels, typed properties) and every relationship (type, ends, typed
    properties), sorted."""
    nodes = rows(env, "MATCH (n) WHERE NOT n:LoadRecord RETURN labels(n) AS labels, properties(n) AS props")
    rels = rows(env, "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props")
    return (sorted(json.dumps([sorted(n["labels"]), {k: _typed(v) for k, v in sorted(n["props"].items())}],
                              ensure_ascii=False) for n in nodes),
            sorted(json.dumps([r["type"], r["a"], r["b"], {k: _typed(v) for k, v in sorted(r["props"].items())}],
                              ensure_ascii=False) for r in rels))


def load_records(env: dict[str, str]) -> list[dict[str, Any]]:
    return [r["props"] for r in rows(env, "MATCH (r:LoadRecord) RETURN properties(r) AS props ORDER BY r.finished")]


def wipe(env: dict[str, str]) -> None:
    """Every node and relationship removed (the constraints and indexes stay)."""
    rows(env, "MATCH (n) DETACH DELETE n")
    assert rows(env, "MATCH (n) RETURN count(n) AS c") == [{"c": 0}]


def server_pid(env: dict[str, str]) -> str:
    status = wbkg("neo4j", "status", env=env)
    assert status.returncode == 0, status.stdout
    return status.stdout.splitlines()[0]  # 'Neo4j local server: running (pid N)'


def _compare_with_a_normal_load(env: dict[str, str], folder: Path) -> tuple[list[str], list[str]]:
    """Bulk-load ``folder`` into the empty database, reload it, then wipe and load it normally: the same graph
    each time, the reload changes nothing, and the load records agree but for their id, times and mode."""
    bulk = wbkg("load", "--bulk", str(folder), env=env)
    assert bulk.returncode == 0, bulk.stderr
    assert "bulk: running neo4j-admin database import full into database 'neo4j'" in bulk.stderr
    assert not any(line.startswith("bulk:") for line in bulk.stdout.splitlines())
    after_bulk = dump(env)
    [bulk_record] = load_records(env)

    reload = wbkg("load", "-q", str(folder), env=env)
    assert reload.returncode == 0, reload.stderr
    assert reload.stdout.splitlines()[1:] == NONE
    assert dump(env) == after_bulk
    assert load_records(env)[-1]["created"] == 0

    wipe(env)
    normal = wbkg("load", "-q", str(folder), env=env)
    assert normal.returncode == 0, normal.stderr
    after_normal = dump(env)
    assert (len(after_bulk[0]), len(after_bulk[1])) == (len(after_normal[0]), len(after_normal[1]))
    assert after_bulk == after_normal
    # the same counts and the same created table as the normal load printed
    loaded = normal.stdout.splitlines()
    assert bulk.stdout.splitlines() == [loaded[0].replace("loaded ", "bulk-imported ", 1), *loaded[1:]]
    [normal_record] = load_records(env)
    assert (bulk_record["mode"], normal_record["mode"]) == ("bulk", "single")
    differ = {"load_id", "started", "finished", "mode"}
    assert sorted(bulk_record) == sorted(normal_record)
    assert {k: v for k, v in bulk_record.items() if k not in differ} == \
        {k: v for k, v in normal_record.items() if k not in differ}
    return after_normal


def test_bulk_load_of_the_curated_data_equals_a_normal_load(bulk_env: dict[str, str]) -> None:
    nodes, rels = _compare_with_a_normal_load(bulk_env, DATA)
    assert len(nodes) > 600 and len(rels) > 1000  # the curated graph, with its SOURCED_BY links
    assert any(r.startswith('["SOURCED_BY"') for r in rels)
    assert [r["c"] for r in rows(bulk_env, "MATCH (:Entity)-[r:SOURCED_BY]->(:Source) RETURN count(r) AS c")] == \
        [sum(1 for r in rels if r.startswith('["SOURCED_BY"'))]


def test_values_a_csv_cell_cannot_carry(bulk_env: dict[str, str], tmp_path: Path) -> None:
    """Empty lists and list items holding the CSV array delimiter are set after the import, as a load sets them."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "odd.yaml").write_text(ODD, encoding="utf-8")
    wipe(bulk_env)
    _compare_with_a_normal_load(bulk_env, folder)
    got = rows(bulk_env, "MATCH (n:Entity) WHERE n.id IN ['odd-town', 'odd-city', 'src-odd-2'] "
                         "RETURN n.id AS id, n.aliases AS aliases, n.themes AS themes ORDER BY id")
    assert got == [{"id": "odd-city", "aliases": ["pipe|in it", "plain"], "themes": None},
                   {"id": "odd-town", "aliases": [], "themes": None},
                   {"id": "src-odd-2", "aliases": None, "themes": []}]


def test_refusals_write_nothing(bulk_env: dict[str, str], tmp_path: Path) -> None:
    """A database with nodes, another server, --dry-run and --rdf: exit 2, one line, nothing changed, the
    server not restarted."""
    before, pid = dump(bulk_env), server_pid(bulk_env)
    n = rows(bulk_env, "MATCH (n) RETURN count(n) AS c")[0]["c"]
    assert n > 0

    full = wbkg("load", "--bulk", str(DATA), env=bulk_env)
    assert (full.returncode, full.stdout) == (2, "")
    assert full.stderr.splitlines() == [
        f"error: database 'neo4j' at bolt://127.0.0.1:{BULK_BOLT} is not empty ({n} nodes) and --bulk would "
        "replace it: use wbkg load without --bulk"]

    port = free_port()
    elsewhere = wbkg("load", "--bulk", str(DATA), env={**bulk_env, "NEO4J_URI": f"bolt://127.0.0.1:{port}"})
    assert (elsewhere.returncode, elsewhere.stdout) == (2, "")
    assert elsewhere.stderr.splitlines() == [
        f"error: --bulk imports only into the local server of 'wbkg neo4j start' (bolt://127.0.0.1:{BULK_BOLT}, "
        f"home {bulk_env['WBKG_HOME']}), and NEO4J_URI points at bolt://127.0.0.1:{port}: use wbkg load without "
        "--bulk"]

    # a server that answers at the configured port but is not this home's (as a Docker container would)
    password = (Path(bulk_env["WBKG_HOME"]) / "password").read_text(encoding="utf-8").strip()
    other = tmp_path / "other-home"
    docker_like = wbkg("load", "--bulk", str(DATA), env={**bulk_env, "WBKG_HOME": str(other),
                                                         "NEO4J_PASSWORD": password})
    assert (docker_like.returncode, docker_like.stdout) == (2, "")
    assert docker_like.stderr.splitlines() == [
        f"error: no local server is installed in {other / 'neo4j'} (a Docker or other server cannot be imported "
        "into offline): use wbkg load without --bulk, or run 'wbkg neo4j install' and 'wbkg neo4j start'"]

    for flag, extra in (("--dry-run", []), ("--rdf", [str(tmp_path / "export.nt")])):
        combined = wbkg("load", "--bulk", flag, *extra, env=bulk_env)
        assert (combined.returncode, combined.stdout) == (2, "")
        assert combined.stderr.splitlines() == [
            f"error: --bulk cannot be combined with {flag}: run 'wbkg load {flag} ...' without --bulk"]

    assert dump(bulk_env) == before
    assert server_pid(bulk_env) == pid


def test_invalid_data_and_a_failed_import_leave_the_empty_database(bulk_env: dict[str, str], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from wbkg.config import load_config
    from wbkg.interop.bulk import BulkRefused, bulk_load
    from wbkg.rdf.validate import validate_paths

    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "odd.yaml").write_text(ODD, encoding="utf-8")
    made = wbkg("load", "-q", str(folder), env=bulk_env)  # for the schema: an empty database may have one
    assert made.returncode == 0, made.stderr
    wipe(bulk_env)
    pid = server_pid(bulk_env)
    schema = rows(bulk_env, "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"]
    assert schema

    bad = wbkg("load", "--bulk", str(REPO / "tests" / "bad_data" / "bad-enum.yaml"), env=bulk_env)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.splitlines()[-1].endswith("problem(s) in the data; nothing was written")
    assert "bulk:" not in bad.stderr
    assert server_pid(bulk_env) == pid  # never stopped

    # neo4j-admin itself fails: a relationship to a node the files lack (which validation would have caught)
    for key in [k for k in os.environ if k.startswith(("NEO4J_", "WBKG_"))]:
        monkeypatch.delenv(key)
    for key, value in bulk_env.items():
        if key.startswith("WBKG_"):
            monkeypatch.setenv(key, value)
    cfg = load_config()
    ds = validate_paths([folder], cfg.base_iri)
    ds.relationships[0].target = "no-such-node"
    with pytest.raises(BulkRefused) as e:
        bulk_load(cfg, ds, say=lambda msg: None)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("neo4j-admin database import failed (exit ")
    assert "no-such-node" in msg
    log = Path(bulk_env["WBKG_HOME"]) / "neo4j" / "logs" / "bulk-import.log"
    assert msg.endswith(f"; the database is unchanged (empty); the server is running again; full output in {log}")
    assert "IMPORT FAILED" in log.read_text(encoding="utf-8")
    assert server_pid(bulk_env) != pid  # stopped for the import and started again
    assert rows(bulk_env, "MATCH (n) RETURN count(n) AS c") == [{"c": 0}]
    assert rows(bulk_env, "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"] == schema
    home = Path(bulk_env["WBKG_HOME"]) / "neo4j"
    assert [p.name for p in home.iterdir() if p.name.startswith("bulk-")] == []
    assert [p.name for p in (home / "import").iterdir()] == []
    # and the database takes a load as before
    ok = wbkg("load", "-q", str(folder), env=bulk_env)
    assert ok.returncode == 0, ok.stderr
