"""``wbkg coverage``: the country x theme matrix of the curated dataset, from the canned ``coverage`` query."""

from __future__ import annotations

import click


@click.command(name="coverage")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (the README's matrix).")
@click.option("--check", is_flag=True, help="Exit 1 when a cell has fewer than 3 facts and no gap record.")
def coverage_cmd(markdown: bool, check: bool) -> None:
    """Show how well each country and theme is covered: facts/links per cell, +gap, or MISSING.

    A fact is a node with a `themes` value; it counts for a country when it, or a node linked to it,
    is the country or lies in it (PART_OF/LOCATED_IN, up to four links). '+gap' marks a cell under three
    facts with a recorded search that found little or nothing; MISSING a cell nobody has searched.

    \b
    Examples:
      wbkg coverage
      wbkg coverage --markdown
      wbkg coverage --check
    """
    from wbkg.graph.connection import Graph
    from wbkg.queries.coverage import coverage_rows, missing_cells, render_matrix

    with Graph() as graph:
        rows = coverage_rows(graph)
    click.echo(render_matrix(rows, markdown=markdown))
    missing = missing_cells(rows)
    if check and missing:
        raise click.ClickException(f"{len(missing)} cell(s) neither covered nor searched: {', '.join(missing)}")


def register(group: click.Group) -> None:
    group.add_command(coverage_cmd)
