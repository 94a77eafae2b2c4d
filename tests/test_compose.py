"""docker-compose.yml, checked without a Docker engine (none runs here or in CI): parsed with PyYAML and held
to what the README promises: the local server's Neo4j release, the password only as a Docker secret
(NEO4J_AUTH_FILE), a healthcheck that keeps it out of every command line, data and logs on volumes, ports on
127.0.0.1 only. The compose file itself is not run by these tests; the test session runs it when a Docker
engine answers (tests/conftest.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _neo4j() -> dict[str, Any]:
    return _compose()["services"]["neo4j"]


def test_image_is_the_local_servers_release() -> None:
    pom = (REPO / "graph" / "server" / "pom.xml").read_text(encoding="utf-8")
    version = re.search(r"<neo4j.version>([\d.]+)</neo4j.version>", pom)
    assert version
    assert _neo4j()["image"] == f"neo4j:{version.group(1)}-community"


def test_password_only_as_a_docker_secret() -> None:
    svc, top = _neo4j(), _compose()
    env = svc["environment"]
    assert env["NEO4J_AUTH_FILE"] == "/run/secrets/neo4j_auth"
    assert "NEO4J_AUTH" not in env and not any("PASSWORD" in k for k in env)
    assert not any("NEO4J_PASSWORD" in str(v) for v in env.values())
    assert svc["secrets"] == ["neo4j_auth"]
    assert top["secrets"] == {"neo4j_auth": {"file": "${WBKG_NEO4J_AUTH_FILE:-./.wbkg/docker/neo4j-auth}"}}


def test_healthcheck_logs_in_without_the_password_in_argv(tmp_path: Path) -> None:
    check = _neo4j()["healthcheck"]
    kind, command = check["test"]
    assert kind == "CMD-SHELL"
    shell = command.replace("$$", "$")  # compose's escape for a literal $
    # cypher-shell gets the password from its environment (NEO4J_PASSWORD), not from -p/--password
    words = shell.split()
    assert "-p" not in words and "--password" not in words and "NEO4J_AUTH" not in shell
    assert shell == ('NEO4J_PASSWORD="$(cut -d/ -f2- /run/secrets/neo4j_auth)" '
                     "cypher-shell -a bolt://127.0.0.1:7687 -u neo4j 'RETURN 1' >/dev/null")
    # the extraction, run by a real sh on a secret file of the image's format (user/password; '/' allowed)
    secret = tmp_path / "neo4j_auth"
    secret.write_text("neo4j/pass/with/slashes and spaces", encoding="utf-8")
    extract = shell.split('"', 2)[1].replace("/run/secrets/neo4j_auth", str(secret))
    out = subprocess.run(["sh", "-c", f'printf %s "{extract}"'], capture_output=True, text=True, check=True)
    assert out.stdout == "pass/with/slashes and spaces"
    assert (check["interval"], check["retries"]) == ("5s", 30)


def test_data_and_logs_persist_and_ports_stay_on_loopback() -> None:
    svc, top = _neo4j(), _compose()
    assert svc["volumes"] == ["wbkg-data:/data", "wbkg-logs:/logs"]
    assert set(top["volumes"]) == {"wbkg-data", "wbkg-logs"}
    assert svc["ports"] == ["127.0.0.1:${WBKG_NEO4J_HTTP_PORT:-7474}:7474",
                            "127.0.0.1:${WBKG_NEO4J_BOLT_PORT:-7687}:7687"]


def test_make_demo_skips_the_local_server_when_neo4j_uri_is_set() -> None:
    """The Makefile's neo4j target, run for real (wbkg replaced by echo, the venv taken as built)."""
    def neo4j_target(uri: str) -> str:
        out = subprocess.run(["make", "-s", "-o", "install", "neo4j", "WBKG=echo wbkg"], cwd=REPO, text=True,
                             capture_output=True, check=True, env={"PATH": "/usr/bin:/bin", "NEO4J_URI": uri})
        return out.stdout

    assert neo4j_target("bolt://127.0.0.1:7687") == ""
    assert neo4j_target("") == "wbkg neo4j install\nwbkg neo4j start\n"


def test_readme_docker_path_ends_in_make_demo_against_the_container() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Neo4j in Docker", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == [
        "export NEO4J_PASSWORD='a-long-secret'    # at least 8 characters",
        "(umask 077; mkdir -p .wbkg/docker; printf 'neo4j/%s' \"$NEO4J_PASSWORD\" > .wbkg/docker/neo4j-auth)",
        "docker compose up -d --wait              # Neo4j 5.26 on 127.0.0.1:7687 and :7474, healthy",
        "export NEO4J_URI=bolt://127.0.0.1:7687   # wbkg (and make) now use the container",
        "make demo                                # validate and load into it; no local server",
        "wbkg browser                             # the guide and style for the container's Browser",
    ]
    assert "printf 'neo4j/%s' \"$NEO4J_PASSWORD\" > .wbkg/docker/neo4j-auth" in COMPOSE.read_text(encoding="utf-8")
