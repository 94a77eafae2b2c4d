"""``wbkg validate``, ``wbkg load``, ``wbkg ontology build`` and ``wbkg demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wbkg.config import load_config, local_browser_url

if TYPE_CHECKING:
    from wbkg.config import Config
    from wbkg.loaders.dataset import Dataset
    from wbkg.loaders.writer import LoadSummary


def _paths(paths: tuple[Path, ...]) -> list[Path]:
    """The paths given, or the curated dataset shipped with wbkg."""
    from wbkg.resources import dataset_dir  # importlib.resources: not for `wbkg --help`

    return list(paths) if paths else [dataset_dir()]


def _warn(ds: Dataset) -> None:
    """Print what is legal but suspicious in a dataset (confusable names, invisible characters) on stderr."""
    for w in ds.warnings:
        click.echo(f"warning: {w}", err=True)


def _print_counts(title: str, counts: dict[str, int]) -> None:
    click.echo(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rdf", "rdf_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Validate an RDF file (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML, TriG) as it stands "
                   "against the SHACL shapes.")
@click.option("--shacl", is_flag=True,
              help="Also run the SHACL shapes over each file's RDF (a cross-check of the mapping; slower).")
def validate_cmd(paths: tuple[Path, ...], rdf_file: Path | None, shacl: bool) -> None:
    """Check dataset files: YAML syntax, types, enums, dates, references and relationship ends.

    The record checks enforce every constraint of the SHACL shapes (both follow from the ontology);
    --shacl runs the shapes as well, one file at a time.

    Every problem is reported with file, line, id and field; the exit code is 2 when anything
    is wrong. Nothing is written anywhere.

    \b
    Examples:
      wbkg validate data/
      wbkg validate data/hytera.yaml data/sources.yaml
      wbkg validate --shacl data/
      wbkg validate --rdf export.ttl
    """
    cfg = load_config()
    if rdf_file is not None:
        from wbkg.rdf.importer import validate_rdf_file

        n = validate_rdf_file(rdf_file, cfg.base_iri)
        click.echo(f"ok: {rdf_file} conforms to the wbkg shapes ({n} triples)")
        return
    from wbkg.rdf.validate import validate_paths

    ds = validate_paths(_paths(paths), cfg.base_iri, shacl=shacl, lean=True)
    _warn(ds)
    nodes, rels = ds.counts()
    click.echo(f"ok: {len(ds.files)} file(s), {len(ds.nodes)} nodes, {len(ds.relationships)} relationships")
    _print_counts("nodes", nodes)
    _print_counts("relationships", rels)


@click.command("load")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rdf", "rdf_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Load an RDF export made by 'wbkg export rdf' instead of YAML files.")
@click.option("--dataset", "dataset", metavar="NAME",
              help="The dataset these files are (default: the folder's name, e.g. 'data' for data/; "
                   "a single file's name without its suffix).")
@click.option("--dry-run", is_flag=True, help="Print what the load would create, update and remove "
                                              "(with file and line), and write nothing.")
@click.option("--ftm", "ftm_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Import FollowTheMoney entities (JSON lines, as OpenSanctions exports them) as their own dataset.")
@click.option("--review", "review_file", type=click.Path(path_type=Path, dir_okay=False),
              help="With --ftm: where to write the proposed links to curated nodes (default FILE.review.csv).")
@click.option("--bulk", is_flag=True,
              help="First load of a huge dataset into the EMPTY database of the local server ('wbkg neo4j "
                   "start'): neo4j-admin imports it offline (the server is stopped and started again, which "
                   "takes about half a minute: worth it for big datasets only). Refused for a database with "
                   "any node, or another server.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load_cmd(paths: tuple[Path, ...], rdf_file: Path | None, dataset: str | None, dry_run: bool,
             ftm_file: Path | None, review_file: Path | None, bulk: bool, quiet: bool) -> None:
    """Validate, then make the graph's part for a dataset equal to its files (all or nothing).

    Validation runs first; if anything is wrong nothing is written. The schema (constraints and
    indexes) is created if missing. Records are keyed by their stable ids: new ones are created,
    changed ones updated, and what the dataset's files no longer hold is removed (other datasets'
    records and nodes made by hand stay). Loading the same data twice changes nothing. Each load
    leaves a :LoadRecord node (dataset, content digest, source commit, time, counts).

    --bulk is for the first load of a dataset too big for transactions, into the local server's
    empty database: after the same validation, neo4j-admin 'database import full' writes the
    store offline (the server is stopped for it and started again), then the schema, the source
    links and the :LoadRecord are made as a load makes them, so later loads of the same files are
    plain incremental loads. It refuses (exit 2, nothing written) a database holding any node, a
    server other than 'wbkg neo4j start's, and --dry-run, --rdf or --ftm.

    \b
    Examples:
      wbkg load data/
      wbkg load --bulk big-dataset/         # first load, empty local database, via neo4j-admin
      wbkg load --dry-run data/             # the plan, with file:line, nothing written
      wbkg load --dataset sanctions lists/  # name the dataset explicitly
      wbkg load --rdf export.nt
      wbkg load --ftm opensanctions-entities.ftm.json --review links-to-check.csv
    """
    from wbkg.graph.connection import Graph
    from wbkg.loaders.writer import load

    cfg = load_config()
    if bulk:
        _bulk(cfg, paths, rdf_file, ftm_file, dataset, dry_run)
        return
    if ftm_file is not None:
        from wbkg.cli.interop import load_ftm

        load_ftm(ftm_file, review_file, quiet=quiet)
        return
    if rdf_file is not None:
        from wbkg.rdf.importer import read_rdf_dataset

        ds = read_rdf_dataset(rdf_file, cfg.base_iri)
    else:
        from wbkg.rdf.validate import validate_paths

        ds = validate_paths(_paths(paths), cfg.base_iri)
    _warn(ds)
    with Graph(cfg) as graph:
        summary = load(graph, ds, progress=not quiet, dataset=dataset, dry_run=dry_run)
    if dry_run:
        assert summary.plan is not None
        click.echo(f"plan for dataset {summary.dataset!r} in {cfg.database} "
                   f"({len(ds.nodes)} nodes, {len(ds.relationships)} relationships); nothing written")
        for change in summary.plan.changes:
            click.echo(f"  {change}")
    else:
        click.echo(f"loaded {len(ds.nodes)} nodes and {len(ds.relationships)} relationships into {cfg.database}")
    _print_changes(summary)


def _print_changes(summary: LoadSummary) -> None:
    for title, table in (("created", summary.created), ("updated", summary.updated), ("removed", summary.removed)):
        click.echo(f"{title}: " + (", ".join(f"{k} {v}" for k, v in table.items()) if table else "none"))


def _bulk(cfg: Config, paths: tuple[Path, ...], rdf_file: Path | None, ftm_file: Path | None,
          dataset: str | None, dry_run: bool) -> None:
    """``wbkg load --bulk``: validate as a load does, then import with neo4j-admin (interop.bulk)."""
    from wbkg.interop.bulk import BulkRefused, bulk_load, preflight
    from wbkg.rdf.validate import validate_paths

    for given, flag in ((dry_run, "--dry-run"), (rdf_file is not None, "--rdf"), (ftm_file is not None, "--ftm")):
        if given:
            raise BulkRefused(f"--bulk cannot be combined with {flag}: run 'wbkg load {flag} ...' without --bulk")
    preflight(cfg)  # refuse another server, or a database with nodes, before a long validation
    ds = validate_paths(_paths(paths), cfg.base_iri)
    _warn(ds)
    summary = bulk_load(cfg, ds, dataset=dataset)
    click.echo(f"bulk-imported {len(ds.nodes)} nodes and {len(ds.relationships)} relationships into {cfg.database}")
    _print_changes(summary)


@click.group("ontology")
def ontology_group() -> None:
    """The ontology: OWL and SHACL generated from ontology/schema.yaml."""


@ontology_group.command("build")
@click.option("--check", is_flag=True, help="Exit 1 if the committed files differ from the schema.")
def ontology_build(check: bool) -> None:
    """Write ontology/wbkg.ttl (OWL 2), ontology/shapes.ttl (SHACL) and graph/models.py (neomodel) from
    ontology/schema.yaml.

    \b
    Examples:
      wbkg ontology build          # after editing ontology/schema.yaml
      wbkg ontology build --check  # exit 1 when a generated file is stale
    """
    from wbkg.graph.modelgen import MODELS_PATH, render_models
    from wbkg.ontology.build import is_current, render, write_if_changed
    from wbkg.resources import checkout

    root = checkout()
    files = {f"ontology/{name}": text for name, text in render().items()}
    files["/".join(MODELS_PATH)] = render_models()
    if check:
        stale = [name for name, text in files.items() if not is_current(root / name, text)]
    else:
        stale = [name for name, text in files.items() if write_if_changed(root / name, text)]
    if check and stale:
        raise click.ClickException(f"stale: {', '.join(stale)}; run 'wbkg ontology build'")
    click.echo("up to date" if not stale else f"wrote {', '.join(stale)}")


@click.command("demo")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A dataset folder to load instead of the curated dataset shipped with wbkg.")
def demo_cmd(data_dir: Path | None) -> None:
    """The main job: validate and load the curated dataset, then show where to look."""
    from wbkg.graph.connection import Graph
    from wbkg.loaders.writer import load
    from wbkg.rdf.validate import validate_paths

    cfg = load_config()
    ds = validate_paths(_paths((data_dir,) if data_dir else ()), cfg.base_iri)
    _warn(ds)
    with Graph(cfg) as graph:
        info = graph.verify()
        click.echo(f"Neo4j {info['version']} {info['edition']} at {cfg.uri}, database {cfg.database}")
        load(graph, ds)
        counts = graph.rows("MATCH (n:Entity) RETURN count(n) AS nodes")[0]["nodes"], graph.rows(
            "MATCH ()-[r]->() WHERE NOT r:SOURCED_BY RETURN count(r) AS rels")[0]["rels"]
    click.echo(f"graph: {counts[0]} nodes, {counts[1]} relationships")
    click.echo(f"Neo4j Browser: {local_browser_url(cfg.http_port)}")
    click.echo(f"log in with user {cfg.user!r}; the password is in {cfg.password_origin}")
    click.echo("the local server gives its Browser the wbkg style and guide after login; "
               "for another server, 'wbkg browser' serves them")
    click.echo("try: wbkg query run ownership-chain -p entity Hytera")


def register(group: click.Group) -> None:
    for cmd in (validate_cmd, load_cmd, ontology_group, demo_cmd):
        group.add_command(cmd)
