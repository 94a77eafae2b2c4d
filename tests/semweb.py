"""Third-party semantic-web tools for the standards tests: Apache Jena (ARQ, SHACL) and ROBOT, resolved
from Maven Central with the poms in tests/tools/ (as the local server is: jars cached in ~/.m2, the classpath
in .wbkg/tools/, re-resolved when a pom changes). Run as ``java -cp CLASSPATH MAIN ARGS``."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from functools import cache
from pathlib import Path

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
