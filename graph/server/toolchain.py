"""The toolchain the local server needs: Java to run it, Maven to fetch it, the pinned Neo4j version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from wbkg.errors import ServerError

POM = Path(str(files(__package__).joinpath("pom.xml")))
MIN_JAVA = 17


def neo4j_version() -> str:
    """The Neo4j version pinned in pom.xml."""
    root = ET.parse(POM).getroot()
    el = root.find("{http://maven.apache.org/POM/4.0.0}properties/{http://maven.apache.org/POM/4.0.0}neo4j.version")
    if el is None or not el.text:
        raise ServerError(f"{POM}: no <neo4j.version> property")
    return el.text.strip()


def java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def java_version(java: str | None = None) -> tuple[int, str] | None:
    """(major, full version text) of the Java runtime, or None when there is none."""
    java = java or java_executable()
    if not java:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stderr + out.stdout
    m = re.search(r'version "(\d+)(?:\.(\d+))?[^"]*"', text)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_x" is Java 8
        major = int(m.group(2))
    first = text.strip().splitlines()[0] if text.strip() else f"java {major}"
    return major, first


def require_java() -> str:
    """The Java executable, or a ServerError saying how to install a recent enough one."""
    java = java_executable()
    found = java_version(java) if java else None
    if not java or found is None:
        raise ServerError(f"Java {MIN_JAVA}+ is needed for the local Neo4j server and none was found: "
                          "install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    if found[0] < MIN_JAVA:
        raise ServerError(f"Java {found[0]} at {java} is too old, Neo4j 5 needs Java {MIN_JAVA}+: "
                          "install openjdk-17-jre-headless (or newer) or set JAVA_HOME")
    return java


def maven_version() -> str | None:
    """The first line of ``mvn -v`` (e.g. 'Apache Maven 3.8.7'), or None when Maven is missing."""
    mvn = shutil.which("mvn")
    if not mvn:
        return None
    try:
        out = subprocess.run([mvn, "-v", "-B", "-Dstyle.color=never"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.stdout.splitlines():
        clean = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if clean.startswith("Apache Maven"):
            return clean.split(" (")[0]
    return None


def read_classpath(classpath_file: Path) -> str | None:
    """The resolved classpath, when the file exists and every jar in it is still there."""
    try:
        cp = classpath_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    jars = [j for j in cp.split(os.pathsep) if j]
    if not jars or not all(Path(j).is_file() for j in jars):
        return None
    return cp


def resolve_classpath(classpath_file: Path, say: Callable[[str], None], pom: Path = POM) -> str:
    """Resolve ``pom``'s dependencies with Maven (jars cached in ~/.m2) and write their classpath."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServerError("Maven is needed to fetch Neo4j from Maven Central and was not found: "
                          "install it (Debian: apt-get install maven)")
    say(f"resolving Neo4j {neo4j_version()} and the Neo4j Browser from Maven Central with Maven "
        "(jars are cached in ~/.m2; the first time takes a minute or two)")
    t0 = time.monotonic()
    tmp = classpath_file.with_suffix(".tmp")
    cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom), "dependency:build-classpath",
           f"-Dmdep.outputFile={tmp}"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired as e:
        raise ServerError("Maven did not finish within 30 minutes: check network access to "
                          "Maven Central (and ~/.m2/settings.xml proxies)") from e
    if out.returncode != 0 or not tmp.is_file():
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-15:])
        raise ServerError(f"Maven could not resolve Neo4j (exit {out.returncode}):\n{tail}\n"
                          "fix: check network access to Maven Central (and ~/.m2/settings.xml proxies), "
                          "then run 'wbkg neo4j install' again")
    tmp.replace(classpath_file)
    cp = read_classpath(classpath_file)
    if cp is None:
        raise ServerError(f"Maven wrote an unusable classpath to {classpath_file}: "
                          "remove it and run 'wbkg neo4j install' again")
    say(f"resolved {len(cp.split(os.pathsep))} jars in {time.monotonic() - t0:.1f} s")
    return cp
