"""``wbkg export ftm|bods|gexf|graphml|csv`` and ``wbkg neo4j dump``: the graph in other tools' formats.

Each export reads the graph in one read transaction (a consistent snapshot), writes to a ``.partial``
file that replaces the target only when complete (so a failed export leaves no file and exits non-zero),
and reports on stderr what the format could not say.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from wbkg.config import load_config
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


def register(group: click.Group) -> None:
    export = group.commands.get("export")
    if not isinstance(export, click.Group):  # the RDF module owns the group; without it, make one
        @click.group("export")
        def export_group() -> None:
            """Export the live graph from Neo4j."""

        group.add_command(export_group)
        export = export_group
    for cmd in (export_ftm, export_bods, export_gexf, export_graphml):
        export.add_command(cmd)
