"""Configuration: one name per setting, environment over file over defaults; the password stays hidden."""

from __future__ import annotations

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
