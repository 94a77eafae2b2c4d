"""The ``wbkg`` command: a thin layer that parses, calls the library, and formats.

Each concern has its own module here; this one assembles the group and turns every
``WbkgError`` into a one-line message (one line per problem for invalid data), never a traceback.
"""

from __future__ import annotations

import errno
import sys
from importlib import import_module

import click

from wbkg.cli.output import OutputClosed, Stdout, cannot_write, silence_stdout
from wbkg.errors import InvalidData, OutputError, WbkgError

# Modules that each define ``register(group)``; listed once so ``--help`` shows them all.
COMMAND_MODULES = ("neo4j", "doctor", "data", "query", "rdf", "interop", "browser", "coverage")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="wbkg")
def cli() -> None:
    """wbkg: a sourced knowledge graph of China's security influence in the Western Balkans.

    \b
    Start here:
      wbkg neo4j install && wbkg neo4j start   # a local Neo4j 5 Community server
      wbkg load data/                          # validate and load the curated dataset
      wbkg query list                          # the canned queries
      wbkg browser                             # open the Neo4j Browser with our guide

    Connection settings come from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE,
    or from ~/.config/wbkg/config.toml (see README).
    """


for _name in COMMAND_MODULES:
    try:
        _module = import_module(f"wbkg.cli.{_name}")
    except ModuleNotFoundError as _e:  # a concern not built yet must not break the others
        if _e.name != f"wbkg.cli.{_name}":
            raise
        continue
    _module.register(cli)


def report(e: WbkgError) -> None:
    if isinstance(e, InvalidData):
        for p in e.problems:
            click.echo(f"error: {p}", err=True)
    click.echo(f"error: {e}", err=True)


def main() -> None:
    try:
        rv = cli.main(standalone_mode=False)
        Stdout().flush()
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as other tools do
        silence_stdout()
        sys.exit(141)
    except WbkgError as e:
        if isinstance(e, OutputError):
            silence_stdout()
        if not isinstance(e, OutputClosed):
            report(e)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as e:  # printing to a full disk or /dev/full (other OS errors are translated where they occur)
        if e.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            raise
        silence_stdout()
        report(cannot_write("the output", e))
        sys.exit(OutputError.exit_code)
