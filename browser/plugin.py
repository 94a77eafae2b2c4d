"""The guide and stylesheet as a Neo4j server plugin: an unmanaged extension (``extension/WbkgBrowser.java``)
packed with ``guide.html`` and ``style.grass`` into ``wbkg-browser.jar`` in the server's plugins folder.

The Neo4j server then answers ``/wbkg/guide.html`` and ``/wbkg/style.grass`` on its own HTTP port, so the
Browser's post-connect command (``graph/server/neo4j.conf.template``) finds them whenever the server runs:
no guide server to remember, and no error at login. The server is configured for the extension only when
the jar is present, so a server without it logs in cleanly, guide-less. The jar is rebuilt only when the
Java source, the guide or the style change (their digest is stored beside it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from wbkg.browser.guide import GUIDE_PATH
from wbkg.browser.style import STYLE_PATH
from wbkg.errors import WbkgError
from wbkg.graph.server import BROWSER_PLUGIN_JAR, LocalServer
from wbkg.resources import packaged

SOURCE = packaged("browser", "extension", "WbkgBrowser.java")
CLASS_FILE = "org/wbkg/browser/WbkgBrowser.class"
API_JAR = "jakarta.ws.rs-api"  # javax.ws.rs, the JAX-RS API the server's Jersey implements


def _inputs() -> list[tuple[str, bytes]]:
    return [(f"wbkg-browser/{p.name}", p.read_bytes()) for p in (GUIDE_PATH, STYLE_PATH)]


def _digest() -> str:
    h = hashlib.sha256(SOURCE.read_bytes())
    for name, data in _inputs():
        h.update(name.encode() + b"\0" + data)
    return h.hexdigest()


def _api_jar(classpath: str) -> str:
    for entry in classpath.split(os.pathsep):
        if Path(entry).name.startswith(API_JAR + "-") and entry.endswith(".jar"):
            return entry
    raise WbkgError(f"the server's classpath has no {API_JAR} jar to compile the Browser plugin against; "
                    "run 'wbkg neo4j install' again")


def install_plugin(plugins_dir: Path, classpath: str) -> bool:
    """Build ``wbkg-browser.jar`` into ``plugins_dir`` unless it is current; True when it was (re)built."""
    jar = plugins_dir / BROWSER_PLUGIN_JAR
    stamp = jar.with_suffix(".sha256")
    digest = _digest()
    if jar.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
        return False
    javac = shutil.which("javac")
    if javac is None:
        raise WbkgError("javac (a JDK) is needed to build the Browser plugin: install openjdk-17-jdk-headless")
    plugins_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wbkg-plugin-") as tmp:
        out = subprocess.run([javac, "--release", "17", "-nowarn", "-cp", _api_jar(classpath), "-d", tmp,
                              str(SOURCE)], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise WbkgError(f"javac could not compile {SOURCE}: {out.stderr.strip().splitlines()[:1]}")
        part = jar.with_suffix(".tmp")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            # directory entries, as the jar tool writes them: Jersey finds the package by scanning for them
            for depth in range(1, CLASS_FILE.count("/") + 1):
                z.writestr("/".join(CLASS_FILE.split("/")[:depth]) + "/", "")
            z.write(Path(tmp) / CLASS_FILE, CLASS_FILE)
            for name, data in _inputs():
                z.writestr(name, data)
        part.replace(jar)
    stamp.write_text(digest + "\n", encoding="utf-8")
    return True


def install_for(server: LocalServer) -> bool:
    """Build the plugin into a local server's plugins folder (before it starts, which reads the folder);
    a no-op when the server is not installed yet."""
    try:
        classpath = server.layout.classpath_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return False
    return install_plugin(server.layout.plugins_dir, classpath)
