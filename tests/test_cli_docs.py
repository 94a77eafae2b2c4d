"""Every command explains itself: --help works and each command has a help text (sqlite-utils' habit)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from wbkg.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


COMMANDS = _commands(cli)


def test_expected_commands_exist() -> None:
    top = {c[0] for c in COMMANDS}
    assert {"neo4j", "doctor", "validate", "load", "ontology", "demo"} <= top


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_help(path: tuple[str, ...]) -> None:
    cmd: click.Command = cli
    for part in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[part]
    assert cmd.help and len(cmd.help.strip()) > 20, f"wbkg {' '.join(path)} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {' '.join(path)}" in result.output
