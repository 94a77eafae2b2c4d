"""``wbkg export rdf`` and ``wbkg sparql``: the graph as linked data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from wbkg.cli.output import GuardedBinary, cannot_write, check_output_path
from wbkg.config import load_config

_EXTENSIONS = {"turtle": "ttl", "nt": "nt", "nquads": "nq", "jsonld": "jsonld", "xml": "rdf", "trig": "trig"}


@click.group("export")
def export_group() -> None:
    """Export the live graph from Neo4j (RDF: wbkg export rdf --help)."""


@export_group.command("rdf")
@click.option("--format", "-f", "fmt", type=click.Choice(["turtle", "nt", "nquads", "jsonld", "xml", "trig"]),
              default="turtle", show_default=True, help="RDF serialization.")
@click.option("--output", "-o", "output", default="-", show_default=True,
              help="File to write, or '-' for standard output.")
@click.option("--with-ontology", is_flag=True,
              help="Add the OWL ontology (in its own named graph for trig and nquads).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export_rdf(fmt: str, output: str, with_ontology: bool, quiet: bool) -> None:
    """Export the graph from Neo4j as RDF.

    Nodes become resources under {base}id/ typed with their ontology class; each relationship is
    its direct triple plus a reified rdf:Statement under {base}statement/ carrying its id, sources,
    evidence, dates and status. N-Triples and N-Quads are streamed as rows arrive (memory bounded);
    a progress bar goes to stderr. The base is WBKG_BASE_IRI.

    \b
    Examples:
      wbkg export rdf -f turtle -o wbkg.ttl
      wbkg export rdf -f nt | gzip > wbkg.nt.gz
      wbkg export rdf -f trig --with-ontology -o wbkg.trig
      wbkg export rdf -f jsonld -o wbkg.jsonld
    """
    from wbkg.graph.connection import Graph
    from wbkg.ontology.vocab import vocab
    from wbkg.rdf.export import write_export

    cfg = load_config()
    v = vocab(cfg.base_iri)
    progress = not quiet
    path = Path(output)
    regular = output == "-" or check_output_path(path, f"wbkg.{_EXTENSIONS[fmt]}")
    with Graph(cfg) as graph:

        def export_to(stream: IO[bytes], where: str) -> int:
            out = GuardedBinary(stream, where)
            count = write_export(graph, v, fmt, out, with_ontology=with_ontology, progress=progress)  # type: ignore[arg-type]
            out.flush()
            return count

        if output == "-":
            n = export_to(sys.stdout.buffer, "the output")
        else:
            # a regular file is written beside itself and renamed; a device or pipe in place
            tmp = path.with_name(path.name + ".partial") if regular else path
            try:
                with tmp.open("wb") as f:
                    n = export_to(f, output)
                if regular:
                    tmp.replace(path)
            except OSError as e:  # opening, closing or renaming
                raise cannot_write(output, e) from None
            finally:
                if regular:
                    tmp.unlink(missing_ok=True)
    click.echo(f"exported {n} {'quads' if fmt in ('nquads', 'trig') else 'triples'} as {fmt}"
               + ("" if output == "-" else f" to {output}"), err=True)


@click.command("sparql")
@click.argument("name")
@click.option("--param", "-p", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A query parameter (repeatable).")
@click.option("--data", "data_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="An RDF export to query (default: the curated dataset in ./data, mapped directly).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def sparql_cmd(name: str, params: tuple[tuple[str, str], ...], data_file: Path | None, fmt: str) -> None:
    """Run the SPARQL twin of a canned query, in process, with no Neo4j.

    NAME is a query in queries/NAME.rq (the twin of queries/NAME.cypher). Parameters are bound
    with initBindings, never formatted into the query text.

    \b
    Examples:
      wbkg sparql ownership-chain -p entity Hytera
      wbkg sparql timeline --data wbkg.ttl -f csv
    """
    from wbkg.ontology.vocab import vocab
    from wbkg.queries.formats import render
    from wbkg.queries.sparql import load_data, run_named

    cfg = load_config()
    v = vocab(cfg.base_iri)
    g = load_data(data_file, v)
    click.echo(render([run_named(name, dict(params), g, v)], fmt))


def register(group: click.Group) -> None:
    group.add_command(export_group)
    group.add_command(sparql_cmd)
