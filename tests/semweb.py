"""Third-party semantic-web tools for the standards tests: Apache Jena (ARQ, SHACL) and ROBOT, resolved
from Maven Central with the poms in tests/tools/ (as the local server is: jars cached in ~/.m2, the classpath
in .wbkg/tools/, re-resolved when a pom changes). Run as ``java -cp CLASSPATH MAIN ARGS``.

And the standard ontologies our alignments name, as their publishers give them: the W3C's PROV-O and ORG
files, shipped as N-Quads by the npm packages ``@vocabulary/prov`` and ``@vocabulary/org`` (zazuko's
rdf-vocabularies, MIT), fetched with ``npm pack`` (which checks the registry's integrity hash) into
.wbkg/tools/ and converted to N-Triples for ROBOT, without their ``owl:imports`` (offline)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from wbkg.graph.server.toolchain import read_classpath, require_java, resolve_classpath

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tests" / "tools"
CACHE = REPO / ".wbkg" / "tools"


@cache
def classpath(tool: str) -> str:
    pom = TOOLS / tool / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    path = CACHE / f"{tool}-{digest}.classpath"
    path.parent.mkdir(parents=True, exist_ok=True)
    return read_classpath(path) or resolve_classpath(path, lambda msg: print(msg, file=sys.stderr), pom)


def java(tool: str, main: str, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run one of the tool's main classes; the caller checks the exit code and output."""
    cmd = [require_java(), "-Xss8m", "-cp", classpath(tool), main, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


# npm package and version of each standard ontology (pinned: a new release is a deliberate change)
VOCABULARIES = {"prov": ("@vocabulary/prov", "1.0.6"), "org": ("@vocabulary/org", "1.0.6")}


@cache
def standard_ontology(name: str) -> Path:
    """The N-Triples file of one standard ontology (``prov``, ``org``), fetched once."""
    package, version = VOCABULARIES[name]
    out = CACHE / f"{name}-{version}.nt"
    if out.is_file():
        return out
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: run `make system-deps` (Debian package npm)")
    work = CACHE / "npm"
    work.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", str(work), "--silent"],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"npm pack {package}@{version} failed:\n{done.stderr[-2000:]}")
    tgz = work / done.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        member = tar.extractfile(f"package/{name}.nq")
        assert member is not None, f"{tgz} holds no package/{name}.nq"
        quads = member.read()
    # owl:imports dropped: the tests merge what they need, and ROBOT would fetch an import from the web
    imports = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
    triples = (q.triple for q in ox.parse(quads, format=ox.RdfFormat.N_QUADS) if q.predicate != imports)
    tmp = out.with_suffix(".tmp")
    ox.serialize(triples, str(tmp), ox.RdfFormat.N_TRIPLES)
    tmp.replace(out)
    return out
