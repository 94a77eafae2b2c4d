"""neo4j-admin on a scratch server home: ``database import full`` of our CSVs, ``database dump`` and
``database load``, and a short-lived scratch server to finish or read such a database.

A scratch home is a private folder with its own configuration, password and free loopback ports, so the
user's server (or the shared test server) is never stopped or touched. It reuses the jars that
``wbkg neo4j install`` resolved (the classpath of the configured home), or resolves them with Maven.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wbkg.config import Config, load_config, local_bolt_uri
from wbkg.errors import ServerError
from wbkg.graph.connection import Graph
from wbkg.graph.server import LocalServer
from wbkg.graph.server.install import ServerHome, run_admin
from wbkg.graph.server.toolchain import read_classpath, require_java

DATABASE = "neo4j"  # Community edition has one user database
SCRATCH_HEAP = "512m"
SCRATCH_PAGECACHE = "128m"


def _say(msg: str) -> None:
    print(f"scratch server: {msg}", file=sys.stderr, flush=True)


def _free_port(avoid: set[int]) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in avoid:
            return port


class ScratchHome:
    """A throw-away Neo4j home in ``root`` (installed, not started)."""

    def __init__(self, root: Path, base: Config | None = None) -> None:
        base = base or load_config()
        bolt = _free_port(set())
        http = _free_port({bolt})
        self.cfg = dataclasses.replace(base, home=root, bolt_port=bolt, http_port=http, uri=local_bolt_uri(bolt),
                                       password=secrets.token_urlsafe(18), password_origin="the scratch home",
                                       database=DATABASE)
        self.server = LocalServer(self.cfg, say=lambda msg: None)  # install's advice is not for a scratch home
        self.server.heap_size, self.server.pagecache_size = SCRATCH_HEAP, SCRATCH_PAGECACHE
        self.layout = ServerHome(root / "neo4j")
        self.layout.make_dirs()
        # the jars of the configured server, when it was installed: no second Maven run
        have = read_classpath(ServerHome(base.home / "neo4j").classpath_file)
        if have:
            self.layout.classpath_file.write_text(have, encoding="utf-8")
        self.server.install()
        self.server.say = _say

    def admin(self, args: list[str], what: str, timeout: float = 900) -> str:
        """Run neo4j-admin with ``args``; its output, or a ServerError with its last lines."""
        cp = read_classpath(self.layout.classpath_file)
        if cp is None:
            raise ServerError(f"no Neo4j classpath in {self.layout.root}: run 'wbkg neo4j install'")
        out = run_admin(self.layout, require_java(), cp, args, timeout=timeout)
        text = (out.stdout + out.stderr).strip()
        if out.returncode != 0:
            tail = "\n".join(text.splitlines()[-12:])
            raise ServerError(f"neo4j-admin {what} failed (exit {out.returncode}):\n{tail}")
        return text

    def import_csv(self, args: list[str]) -> str:
        return self.admin(args, "database import full")

    def dump(self, to_dir: Path) -> Path:
        to_dir.mkdir(parents=True, exist_ok=True)
        self.admin(["database", "dump", f"--to-path={to_dir}", "--overwrite-destination=true", "--", DATABASE],
                   "database dump")
        return to_dir / f"{DATABASE}.dump"

    def load(self, dump_file: Path) -> None:
        """Load a dump file (any name) into the scratch database, replacing it."""
        folder = self.layout.root / "import" / "dump"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump_file, folder / f"{DATABASE}.dump")
        self.admin(["database", "load", f"--from-path={folder}", "--overwrite-destination=true", "--", DATABASE],
                   "database load")

    @contextmanager
    def running(self) -> Iterator[Graph]:
        """The scratch server started, as a connected Graph; stopped afterwards."""
        self.server.start()
        try:
            with Graph(self.cfg) as graph:
                yield graph
        finally:
            self.server.stop()


@contextmanager
def scratch_home(base: Config | None = None) -> Iterator[ScratchHome]:
    """A scratch home in a temporary folder, removed afterwards (its server stopped first)."""
    root = Path(tempfile.mkdtemp(prefix="wbkg-scratch-"))
    home: ScratchHome | None = None
    try:
        home = ScratchHome(root, base)
        yield home
    finally:
        if home is not None and home.server.status().running:
            home.server.stop()
        shutil.rmtree(root, ignore_errors=True)
