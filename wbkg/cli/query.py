"""``wbkg query list|show|run|readme``: the canned queries of ``queries/`` and users' saved scripts."""

from __future__ import annotations

from pathlib import Path

import click

from wbkg.cli.output import Stdout
from wbkg.errors import QueryError


@click.group(name="query")
def query_group() -> None:
    """Canned Cypher queries and saved scripts (a .cypher file with a header).

    \b
    Examples:
      wbkg query list
      wbkg query show ownership-chain
      wbkg query run ownership-chain -p entity Hytera
      wbkg query run timeline -p country RS -p from 2019 -p to 2020 --format csv
      wbkg query run --file my-script.cypher -p name 'Novi Sad' --format json
    """


@query_group.command("list")
def list_cmd() -> None:
    """List the canned queries: name, parameters and title.

    \b
    Example:
      wbkg query list
    """
    from wbkg.queries.registry import canned_queries

    qs = canned_queries()
    width = max(len(n) for n in qs)
    for q in qs.values():
        params = ", ".join(p.name if p.required else f"{p.name}={'null' if p.default is None else p.default}"
                           for p in q.params)
        click.echo(f"{q.name.ljust(width)}  ({params})  {q.title}")


@query_group.command("show")
@click.argument("name")
def show_cmd(name: str) -> None:
    """Print a canned query: its header, then its Cypher (paste it into the Neo4j Browser).

    \b
    Example:
      wbkg query show ownership-chain
    """
    from wbkg.queries.registry import get_query

    q = get_query(name)
    click.echo(q.header)
    click.echo("")
    click.echo(q.body)


@query_group.command("run")
@click.argument("name", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False),
              help="Run a saved script (a .cypher file with the same header) instead of a canned query.")
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="A parameter value (repeatable). Entities take an id, a name or an alias.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--timeout", type=float, default=None, help="Cancel the transaction after SECONDS.")
def run_cmd(name: str | None, file: Path | None, params: tuple[tuple[str, str], ...], fmt: str,
            timeout: float | None) -> None:
    """Run a canned query by NAME, or a saved script with --file.

    Values travel as parameters, never inside the Cypher text. A script whose header says
    'mode: read' (the default) runs in a read-only transaction: the server refuses any write in it,
    and LOAD CSV, TERMINATE TRANSACTIONS, CALL dbms.* (any procedure but db.labels, db.schema.* and
    the index queries) and administration commands are refused before it runs. --format csv and json
    write rows as they arrive; a table is printed at the end.

    \b
    Examples:
      wbkg query run ownership-chain -p entity Hytera
      wbkg query run neighbourhood -p entity hytera -p depth 2 --format json
      wbkg query run --file mine.cypher -p country Serbia --timeout 10
    """
    from wbkg.graph.connection import Graph
    from wbkg.queries.formats import writer
    from wbkg.queries.registry import get_query, parse_query
    from wbkg.queries.runner import bind, check_timeout, resolve_params, stream

    if (name is None) == (file is None):
        raise click.UsageError("give either a query NAME or --file PATH, not both")
    check_timeout(timeout)
    if file is not None and not file.is_file():
        raise QueryError(f"{file}: no such script file")
    query = parse_query(file) if file is not None else get_query(str(name))
    raw: dict[str, str] = {}
    for k, v in params:
        if k in raw:
            raise QueryError(f"parameter {k!r} given twice")
        raw[k] = v
    values = bind(query, raw)
    stdout = Stdout()
    out = writer(fmt, stdout, statements=len(query.statements))
    with Graph() as graph:
        stream(graph, query, resolve_params(graph, query, values), out, timeout=timeout)
    out.close()
    stdout.flush()


@query_group.command("readme")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the README table is stale.")
def readme_cmd(check: bool) -> None:
    """Regenerate the README's table of canned queries from their headers.

    \b
    Examples:
      wbkg query readme
      wbkg query readme --check
    """
    from wbkg.queries.readme import update_readme
    from wbkg.resources import checkout

    README = checkout() / "README.md"
    current = update_readme(README, check=check)
    if current:
        click.echo(f"{README.name}: the queries table is current")
    elif check:
        raise click.ClickException(f"{README.name}: the queries table is stale; run 'wbkg query readme'")
    else:
        click.echo(f"{README.name}: wrote the queries table")


def register(group: click.Group) -> None:
    group.add_command(query_group)
