"""A ready-to-open Neo4j database dump of the graph, as ICIJ ships its packages.

The snapshot goes through the neo4j-admin import CSVs into a scratch home (``database import full``); a
scratch server then adds the constraints and indexes and proves the imported graph's fingerprint equals
the snapshot's; ``database dump`` writes the file. A user loads it with ``neo4j-admin database load`` or
Neo4j Desktop's "Import dump", with no Python.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from wbkg.errors import ServerError
from wbkg.interop.admin import scratch_home
from wbkg.interop.neo4j_csv import write_csv
from wbkg.interop.snapshot import Snapshot, fingerprint, read_snapshot
from wbkg.loaders.writer import create_schema


@dataclass(frozen=True)
class DumpResult:
    nodes: int
    rels: int
    fingerprint: str
    size: int


def make_dump(snap: Snapshot, output: Path) -> DumpResult:
    """Write a Neo4j dump of ``snap`` to ``output`` (via ``output.partial``, so it appears only when done)."""
    want = fingerprint(snap)
    tmp = output.with_name(output.name + ".partial")
    with scratch_home() as home:
        folder = home.layout.root / "import" / "csv"
        export = write_csv(snap, folder)
        home.import_csv(export.admin_args(base=folder))
        with home.running() as graph:
            create_schema(graph, snap.model)
            got = fingerprint(read_snapshot(graph, snap.model))
        if got != want:
            raise ServerError("the imported graph differs from the exported one (fingerprints "
                              f"{got[:12]} and {want[:12]}); no dump was written")
        dumped = home.dump(home.layout.root / "dump")
        try:
            shutil.move(str(dumped), tmp)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
    return DumpResult(export.nodes, export.rels, want, output.stat().st_size)
