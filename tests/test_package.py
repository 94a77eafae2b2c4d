"""The wheel is the product: built from the checkout, installed into a fresh virtualenv, and run from a
directory outside the repository, against the session's real Neo4j. Nothing may rely on the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from wbkg.cli import cli
from wbkg.config import Config
from wbkg.graph.connection import Graph
from wbkg.rdf.validate import validate_paths

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the fresh venv's bin/
    outside: Path  # a working directory outside the repository


def _run(cmd: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("package")
    assert REPO not in work.resolve().parents, f"{work} must lie outside the repository"
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"),
                  str(REPO)], cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("wbkg-*.whl")
    made = _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    assert made.returncode == 0, made.stderr
    pip = _run([str(work / "venv" / "bin" / "pip"), "install", "--quiet", str(wheel)], cwd=work)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    outside = work / "elsewhere"
    outside.mkdir()
    yield Installed(wheel, work / "venv" / "bin", outside)


def _wbkg(inst: Installed, *args: str) -> subprocess.CompletedProcess[str]:
    done = _run([str(inst.bin / "wbkg"), *args], cwd=inst.outside)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_wheel_holds_only_the_wbkg_package(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert {n.split("/", 1)[0] for n in names} == {"wbkg", "wbkg-0.1.0.dist-info"}
    shipped = {Path(n).name for n in names if n.startswith("wbkg/data/") and n.endswith(".yaml")}
    assert shipped == {p.name for p in (REPO / "data").glob("*.yaml")}
    for generated in ("wbkg/ontology/wbkg.ttl", "wbkg/ontology/shapes.ttl", "wbkg/ontology/schema.yaml",
                      "wbkg/browser/style.grass", "wbkg/browser/guide.html", "wbkg/graph/server/pom.xml"):
        assert generated in names


def test_installed_package_is_imported_from_the_venv(installed: Installed) -> None:
    done = _run([str(installed.bin / "python"), "-c", "import wbkg; print(wbkg.__file__)"], cwd=installed.outside)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed.bin.parent)


def test_help_and_query_list_outside_the_repository(installed: Installed) -> None:
    done = _wbkg(installed, "--help")
    assert done.returncode == 0 and done.stdout.startswith("Usage: wbkg"), done.stderr
    done = _wbkg(installed, "query", "list")
    assert (done.returncode, done.stdout) == (0, CliRunner().invoke(cli, ["query", "list"]).output)


def test_validate_defaults_to_the_shipped_dataset(installed: Installed, neo4j_cfg: Config) -> None:
    ds = validate_paths([REPO / "data"], neo4j_cfg.base_iri)
    done = _wbkg(installed, "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (f"ok: {len(ds.files)} file(s), {len(ds.nodes)} nodes, "
                                           f"{len(ds.relationships)} relationships")


def test_sparql_on_the_shipped_dataset(installed: Installed) -> None:
    args = ["sparql", "ownership-chain", "-p", "entity", "Hytera"]
    done = _wbkg(installed, *args)
    expected = CliRunner().invoke(cli, args)
    assert (done.returncode, done.stdout) == (0, expected.output)
    assert "Hytera" in done.stdout


def test_demo_loads_the_shipped_dataset(installed: Installed, clean_db: Graph, neo4j_cfg: Config) -> None:
    ds = validate_paths([REPO / "data"], neo4j_cfg.base_iri)
    done = _wbkg(installed, "demo")
    assert done.returncode == 0, done.stderr
    assert f"graph: {len(ds.nodes)} nodes, {len(ds.relationships)} relationships" in done.stdout.splitlines()


def test_generators_refuse_to_write_outside_a_checkout(installed: Installed) -> None:
    for args in (["ontology", "build"], ["browser", "--write"], ["query", "readme"]):
        done = _wbkg(installed, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr == (f"error: {installed.outside.resolve()} is not inside a wbkg checkout: generators "
                               "rewrite the repository's files, so run this from a clone of the wbkg repository "
                               "(or use 'make generate' there)\n")
