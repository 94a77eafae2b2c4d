"""``wbkg export ftm|bods|gexf|graphml|csv`` and ``wbkg neo4j dump``: the graph in other tools' formats.

Each export reads the graph in one read transaction (a consistent snapshot), writes to a ``.partial``
file that replaces the target only when complete (so a failed export leaves no file and exits non-zero),
and reports on stderr what the format could not say.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from wbkg.config import load_config

if TYPE_CHECKING:  # the snapshot module loads the driver and the loaders: only the commands that run pay for it
    from wbkg.interop.snapshot import Dropped, Snapshot


def _snapshot() -> Snapshot:
    from wbkg.graph.connection import Graph
    from wbkg.interop.snapshot import read_snapshot

    with Graph(load_config()) as graph:
        return read_snapshot(graph)


@contextmanager
def _partial(output: str) -> Iterator[Path]:
    """A ``.partial`` path beside ``output`` that replaces it only once the block completes."""
    path = Path(output)
    tmp = path.with_name(path.name + ".partial")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _text_output(output: str) -> Iterator[IO[str]]:
    """Standard output, or a file that appears only once it is complete."""
    if output == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with _partial(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        yield out


@contextmanager
def _binary_output(output: str) -> Iterator[IO[bytes]]:
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _partial(output) as tmp, tmp.open("wb") as out:
        yield out


def _report(fmt: str, what: str, output: str, dropped: Dropped) -> None:
    for line in dropped.lines(fmt):
        click.echo(line, err=True)
    click.echo(f"exported {what} as {fmt}" + ("" if output == "-" else f" to {output}"), err=True)


OUTPUT = click.option("--output", "-o", "output", default="-", show_default=True,
                      help="File to write, or '-' for standard output.")


def _text_export(fmt: str, output: str, write: Callable[[Snapshot, IO[str]], tuple[str, Dropped]]) -> None:
    snap = _snapshot()
    with _text_output(output) as out:
        what, dropped = write(snap, out)
    _report(fmt, what, output, dropped)


@click.command("ftm")
@OUTPUT
def export_ftm(output: str) -> None:
    """Export the graph as FollowTheMoney entities (JSON lines), for Aleph and OpenSanctions tools.

    States and agencies become PublicBody, firms Company, people Person, ownership Ownership (owner,
    asset, percentage, dates), sources Document with Documentation links (a relationship's sources are its
    proof), claims Note; a link's status goes into status and summary, its evidence into description.
    Values with no FtM property are kept as text in notes or summary and counted on stderr.

    \b
    Examples:
      wbkg export ftm -o wbkg.ftm.json
      wbkg export ftm | ftm validate      # with followthemoney installed
    """
    from wbkg.interop.ftm import write_ftm

    def write(snap: Snapshot, out: IO[str]) -> tuple[str, Dropped]:
        n, dropped = write_ftm(snap, out)
        return f"{n} entities", dropped

    _text_export("ftm", output, write)


@click.command("bods")
@OUTPUT
def export_bods(output: str) -> None:
    """Export the ownership network as Beneficial Ownership Data Standard 0.4 statements (JSON).

    Agents at either end of an OWNS link become entity statements (states as 'state', agencies as
    'stateBody') or person statements; each OWNS becomes a relationship statement with a shareholding
    interest whose share is exact, minimum or maximum. Sources fill 'source' (type, url, assertedBy) and
    one linking annotation each; disputed and denied links carry an annotation naming the claim. Years and
    months are rounded to full dates with a 'transformation' annotation. The rest of the graph, which BODS
    cannot describe, is counted on stderr.

    \b
    Examples:
      wbkg export bods -o wbkg.bods.json
      wbkg export bods | python -m json.tool | less
    """
    from wbkg.interop.bods import write_bods

    def write(snap: Snapshot, out: IO[str]) -> tuple[str, Dropped]:
        n, dropped = write_bods(snap, out)
        return f"{n} statements", dropped

    _text_export("bods", output, write)


def _xml_export(fmt: str, output: str, write: Callable[[Snapshot, IO[bytes]], tuple[int, Dropped]]) -> None:
    snap = _snapshot()
    with _binary_output(output) as out:
        _, dropped = write(snap, out)
    nodes, rels = snap.counts()
    _report(fmt, f"{nodes} nodes and {rels} edges", output, dropped)


@click.command("gexf")
@OUTPUT
def export_gexf(output: str) -> None:
    """Export the graph as GEXF 1.3, for Gephi.

    Nodes carry class, label and country (the state they lie in, by LOCATED_IN and PART_OF) and every
    other property; edges carry type, status, sources, evidence, claim and dates. Lists are joined with
    '; '; numbers keep a numeric type. In Gephi: File > Open, then partition by 'class' or 'status'.

    \b
    Examples:
      wbkg export gexf -o wbkg.gexf
    """
    from wbkg.interop.gexf import write_gexf

    _xml_export("gexf", output, write_gexf)


@click.command("graphml")
@OUTPUT
def export_graphml(output: str) -> None:
    """Export the graph as GraphML, for yEd, Cytoscape or networkx.

    The same attributes as the GEXF export (class, label, country on nodes; type, status, sources on
    edges; every other property too), as typed GraphML keys.

    \b
    Examples:
      wbkg export graphml -o wbkg.graphml
      python -c "import networkx as nx; print(nx.read_graphml('wbkg.graphml'))"
    """
    from wbkg.interop.graphml import write_graphml

    _xml_export("graphml", output, write_graphml)


@click.command("csv")
@click.option("--output", "-o", "output", default="wbkg-csv", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the CSV files and import.args into.")
def export_csv(output: str) -> None:
    """Export the graph as neo4j-admin 5 import CSVs: one file per class and per relationship type.

    Headers are typed from the ontology (id:ID, :LABEL, share:double, sources:string[], :START_ID,
    :END_ID, :TYPE); lists are joined with '|'. import.args in the folder holds the matching
    neo4j-admin arguments. The files appear only once all are written.

    \b
    Examples:
      wbkg export csv -o wbkg-csv
      cd wbkg-csv && neo4j-admin database import full @import.args    # server stopped
    """
    from wbkg.interop.neo4j_csv import ARGS_FILE, write_csv

    snap = _snapshot()
    folder = Path(output)
    ours = ("nodes_*.csv", "relationships_*.csv", ARGS_FILE)
    if folder.exists():
        foreign = [p.name for p in folder.iterdir() if not any(p.match(g) for g in ours)]
        if foreign:
            raise click.ClickException(f"{folder} holds other files ({', '.join(sorted(foreign)[:3])}); "
                                       "choose an empty or new folder")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        export = write_csv(snap, tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for old in [p for g in ours for p in folder.glob(g)]:
            old.unlink()
        for new in tmp.iterdir():
            new.replace(folder / new.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    from wbkg.interop.snapshot import Dropped

    _report("csv", f"{export.nodes} nodes in {len(export.node_files)} files and {export.rels} relationships in "
                   f"{len(export.rel_files)} files", str(folder), Dropped())


@click.command("dump")
@click.option("--output", "-o", "output", default="wbkg.dump", show_default=True,
              type=click.Path(dir_okay=False), help="The dump file to write.")
def neo4j_dump(output: str) -> None:
    """Write a Neo4j database dump of the graph, loadable without Python.

    The graph (one consistent snapshot) is imported with neo4j-admin into a scratch server home on
    free loopback ports, given its constraints and indexes, checked against the source by fingerprint,
    and dumped. The running server is not touched. Needs Java and the jars of 'wbkg neo4j install'.

    \b
    Examples:
      wbkg neo4j dump -o wbkg.dump
      mkdir load && cp wbkg.dump load/neo4j.dump     # then, with that Neo4j stopped:
      neo4j-admin database load --from-path=load --overwrite-destination neo4j
    """
    from wbkg.interop.dump import make_dump

    snap = _snapshot()
    result = make_dump(snap, Path(output))
    click.echo(f"dumped {result.nodes} nodes and {result.rels} relationships to {output} "
               f"({result.size // 1024} KiB, fingerprint {result.fingerprint[:16]})", err=True)


def load_ftm(path: Path, review_file: Path | None, *, quiet: bool = False) -> None:
    """``wbkg load --ftm``: read, validate (records and SHACL), propose links for review, load."""
    from wbkg.errors import InvalidData
    from wbkg.graph.connection import Graph
    from wbkg.interop.ftm_import import read_ftm, review, write_review
    from wbkg.loaders.writer import load
    from wbkg.ontology.vocab import vocab
    from wbkg.rdf.mapping import dataset_graph
    from wbkg.rdf.validate import shacl_problems

    cfg = load_config()
    imp = read_ftm(path)
    ds = imp.dataset
    v = vocab(cfg.base_iri)
    locate = {n.id: (n.file, n.line) for n in ds.nodes.values()}
    locate.update({r.id: (r.file, r.line) for r in ds.relationships})
    problems = shacl_problems(dataset_graph(ds, v), v, locate, origin=str(path))
    if problems:
        raise InvalidData(problems)
    review_path = review_file or Path(f"{path.name}.review.csv")
    with Graph(cfg) as graph:
        matches = review(graph, imp)
        summary = load(graph, ds, progress=not quiet, dataset=imp.source_id)
    write_review(matches, review_path, imp.ftm_ids)
    for line in imp.skipped.lines("ftm import"):
        click.echo(line, err=True)
    click.echo(f"loaded {len(ds.nodes)} nodes and {len(ds.relationships)} relationships from {path} as the dataset "
               f"{imp.source_id} into {cfg.database}")
    created = {k: n for k, n in summary.created.items() if n}
    click.echo("created: " + (", ".join(f"{k} {n}" for k, n in created.items()) if created else "none"))
    click.echo(f"{len(matches)} proposed link(s) to curated nodes for review in {review_path} (nothing merged)")


def register(group: click.Group) -> None:
    export = group.commands.get("export")
    if not isinstance(export, click.Group):  # the RDF module owns the group; without it, make one
        @click.group("export")
        def export_group() -> None:
            """Export the live graph from Neo4j."""

        group.add_command(export_group)
        export = export_group
    for cmd in (export_ftm, export_bods, export_gexf, export_graphml, export_csv):
        export.add_command(cmd)
    neo4j = group.commands.get("neo4j")
    if isinstance(neo4j, click.Group):
        neo4j.add_command(neo4j_dump)
