"""Configuration: one name per setting, environment over file over defaults; the password stays hidden."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wbkg.config import load_config
from wbkg.errors import WbkgError

VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "WBKG_HOME", "WBKG_BASE_IRI",
        "WBKG_NEO4J_BOLT_PORT", "WBKG_NEO4J_HTTP_PORT", "WBKG_CONFIG")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for var in VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WBKG_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("WBKG_HOME", str(tmp_path / "home"))
    return monkeypatch


def test_defaults(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = load_config()
    assert (cfg.uri, cfg.user, cfg.password, cfg.database) == ("bolt://127.0.0.1:7687", "neo4j", None, "neo4j")
    assert cfg.base_iri == "https://wbkg.org/"
    assert cfg.describe()["NEO4J_PASSWORD"] == "(not set)"


def test_environment_beats_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[neo4j]\nuri = "neo4j+s://example.databases.neo4j.io"\nuser = "analyst"\n'
                    'password = "from-file-secret"\ndatabase = "wbkg"\n', encoding="utf-8")
    env.setenv("WBKG_CONFIG", str(conf))
    cfg = load_config()
    assert (cfg.uri, cfg.user, cfg.password, cfg.database) == (
        "neo4j+s://example.databases.neo4j.io", "analyst", "from-file-secret", "wbkg")
    env.setenv("NEO4J_USER", "other")
    env.setenv("NEO4J_PASSWORD", "from-env-secret")
    cfg = load_config()
    assert (cfg.user, cfg.password) == ("other", "from-env-secret")
    shown = repr(cfg) + str(cfg.describe())
    assert "from-env-secret" not in shown
    assert cfg.describe()["NEO4J_PASSWORD"] == "(set, from environment NEO4J_PASSWORD)"


def test_local_password_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "password").write_text("generated-secret\n", encoding="utf-8")
    cfg = load_config()
    assert cfg.password == "generated-secret"
    assert cfg.describe()["NEO4J_PASSWORD"] == f"(set, from local server password file {home / 'password'})"


@pytest.mark.parametrize(("var", "value", "message"), [
    ("NEO4J_URI", "http://localhost:7474", "NEO4J_URI 'http://localhost:7474' must start with bolt://, neo4j://"),
    ("WBKG_BASE_IRI", "https://example.org/x", "WBKG_BASE_IRI 'https://example.org/x' must end with '/' or '#'"),
])
def test_bad_settings(env: pytest.MonkeyPatch, var: str, value: str, message: str) -> None:
    env.setenv(var, value)
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value).startswith(message)


def test_broken_config_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text("[neo4j\nuri=", encoding="utf-8")
    env.setenv("WBKG_CONFIG", str(conf))
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value).startswith(f"{conf}: not a valid TOML config file")


# -- malformed settings: one line naming the fix, never a default host, never a traceback --------------------


@pytest.mark.parametrize(("var", "value", "message"), [
    ("NEO4J_URI", "bolt://", "NEO4J_URI 'bolt://' names no host: write it as bolt://HOST:PORT, e.g. "
                             "bolt://127.0.0.1:7687"),
    ("NEO4J_URI", "neo4j://:7687", "NEO4J_URI 'neo4j://:7687' names no host: write it as bolt://HOST:PORT, e.g. "
                                   "bolt://127.0.0.1:7687"),
    ("NEO4J_URI", "bolt://127.0.0.1:99999", "NEO4J_URI 'bolt://127.0.0.1:99999' is malformed (Port out of range "
                                            "0-65535): write it as bolt://HOST:PORT with a port 1-65535 (an IPv6 "
                                            "host in brackets: bolt://[::1]:7687)"),
    ("NEO4J_URI", "bolt://[::1:7687", "NEO4J_URI 'bolt://[::1:7687' is malformed (Invalid IPv6 URL): write it as "
                                      "bolt://HOST:PORT with a port 1-65535 (an IPv6 host in brackets: "
                                      "bolt://[::1]:7687)"),
    ("NEO4J_URI", "bolt://neo4j:secret@db:7687", "NEO4J_URI 'bolt://neo4j:secret@db:7687' must not carry "
                                                 "credentials: set NEO4J_USER and NEO4J_PASSWORD"),
    ("WBKG_BASE_IRI", "wbkg/", "WBKG_BASE_IRI 'wbkg/' must be an absolute http(s) IRI without spaces or "
                               "<>\"{}|\\^` characters, like https://wbkg.org/"),
    ("WBKG_BASE_IRI", "https://example.org/a b/", "WBKG_BASE_IRI 'https://example.org/a b/' must be an absolute "
                                                  "http(s) IRI without spaces or <>\"{}|\\^` characters, like "
                                                  "https://wbkg.org/"),
    ("WBKG_BASE_IRI", "http://[x/", "WBKG_BASE_IRI 'http://[x/' is malformed (Invalid IPv6 URL): use an absolute "
                                    "IRI like https://wbkg.org/"),
    ("NEO4J_DATABASE", "system", "NEO4J_DATABASE 'system' is Neo4j's administration database and holds no graph: "
                                 "set NEO4J_DATABASE to the graph's database (default neo4j)"),
    ("WBKG_NEO4J_BOLT_PORT", "７６８７", "WBKG_NEO4J_BOLT_PORT '７６８７' must be a TCP port number (1-65535)"),
])
def test_malformed_setting_is_one_line_exit_1(env: pytest.MonkeyPatch, tmp_path: Path, var: str, value: str,
                                              message: str) -> None:
    env.setenv(var, value)
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value) == message
    proc = wbkg_process(["query", "run", "neighbourhood", "-p", "entity", "x"], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"error: {message}\n")


def wbkg_process(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``wbkg`` with the test's environment (os.environ as monkeypatched)."""
    return subprocess.run([str(Path(sys.executable).parent / "wbkg"), *args], cwd=cwd, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_home_that_is_a_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a directory\n", encoding="utf-8")
    env.setenv("WBKG_HOME", str(home))
    message = (f"WBKG_HOME '{home}' is a file, not a directory: point WBKG_HOME at a directory "
               "(it is created if missing)")
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value) == message
    proc = wbkg_process(["neo4j", "status"], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"error: {message}\n")


@pytest.mark.parametrize(("text", "problem"), [
    ('neo4j = "bolt://x:7687"\n', "neo4j must be a table: a [neo4j] line followed by key = value lines"),
    ('[neo4j]\npasword = "secret-secret"\n',
     "unknown key 'pasword' in [neo4j] (did you mean 'password'?); the keys are uri, user, password, database"),
    ('[neo4j]\nbolt_port = 7688\n', "key 'bolt_port' belongs in [wbkg], not [neo4j]"),
    ('[neo4j4]\nuri = "bolt://x:7687"\n',
     "unknown section [neo4j4] (did you mean [neo4j]?); the sections are [neo4j] and [wbkg]"),
    ('[neo4j]\nuser = ["a", "b"]\n', "[neo4j] user must be a string, not list"),
    ('[wbkg]\nhttp_port = true\n', "[wbkg] http_port must be a string or a whole number, not bool"),
    ('[neo4j.uri]\nhost = "x"\n', "[neo4j] uri must be a string, not dict"),
])
def test_config_file_of_the_wrong_shape(env: pytest.MonkeyPatch, tmp_path: Path, text: str, problem: str) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(text, encoding="utf-8")
    env.setenv("WBKG_CONFIG", str(conf))
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value) == f"{conf}: {problem}"
    proc = wbkg_process(["neo4j", "status"], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"error: {conf}: {problem}\n")


def test_several_bad_keys_are_all_reported(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[neo4j]\nurl = "bolt://x:7687"\n[wbkg]\nbase-iri = "https://x.org/"\n', encoding="utf-8")
    env.setenv("WBKG_CONFIG", str(conf))
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value) == (
        f"{conf}: unknown key 'url' in [neo4j] (did you mean 'uri'?); the keys are uri, user, password, database; "
        "unknown key 'base-iri' in [wbkg] (did you mean 'base_iri'?); the keys are home, base_iri, bolt_port, "
        "http_port")


@pytest.mark.parametrize("kind", ["directory", "under a file"])
def test_unreadable_config_file(env: pytest.MonkeyPatch, tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        conf = tmp_path / "conf.d"
        conf.mkdir()
        message = f"config file {conf} is a directory: point WBKG_CONFIG at a TOML file"
    else:
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        conf = tmp_path / "plain" / "config.toml"
        message = (f"cannot read the config file {conf}: Not a directory; fix its permissions "
                   "or point WBKG_CONFIG elsewhere")
    env.setenv("WBKG_CONFIG", str(conf))
    with pytest.raises(WbkgError) as e:
        load_config()
    assert str(e.value) == message
    proc = wbkg_process(["neo4j", "status"], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"error: {message}\n")


def test_password_file_readable_by_others_draws_a_warning(env: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[neo4j]\npassword = "from-file-secret"\n', encoding="utf-8")
    env.setenv("WBKG_CONFIG", str(conf))
    conf.chmod(0o600)
    assert load_config().password == "from-file-secret"
    assert capsys.readouterr().err == ""
    conf.chmod(0o644)
    assert load_config().password == "from-file-secret"
    load_config()  # warned once per process
    assert capsys.readouterr().err == (f"warning: {conf} holds the Neo4j password and is readable by others "
                                       f"(mode 0644): run 'chmod 600 {conf}'\n")
    env.setenv("NEO4J_URI", "bolt://")
    proc = wbkg_process(["neo4j", "status"], tmp_path)
    assert proc.stderr.splitlines()[0] == (f"warning: {conf} holds the Neo4j password and is readable by others "
                                           f"(mode 0644): run 'chmod 600 {conf}'")
    assert "from-file-secret" not in proc.stderr


def test_a_config_file_without_password_may_be_public(env: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[neo4j]\nuser = "analyst"\n', encoding="utf-8")
    conf.chmod(0o644)
    env.setenv("WBKG_CONFIG", str(conf))
    assert load_config().user == "analyst"
    assert capsys.readouterr().err == ""
