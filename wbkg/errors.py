"""One exception family: the CLI turns each into a one-line message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class WbkgError(Exception):
    """Base of every error wbkg reports to a user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str
    line: int | None
    entity: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.entity:
            parts.append(f"id={self.entity}")
        if self.field:
            parts.append(f"field={self.field}")
        return f"{' '.join(parts)}: {self.message}"


class InvalidData(WbkgError):
    """A dataset (YAML or RDF) failed validation; nothing was written."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data; nothing was written")


class InvalidModel(WbkgError):
    """The ontology's own schema file is inconsistent."""


class QueryError(WbkgError):
    """A canned query or user script is malformed, or its parameters are wrong."""

    exit_code = 2


class ConnectionError(WbkgError):  # noqa: A001 - deliberately shadows the builtin inside wbkg
    """Neo4j cannot be reached or refuses us; the message says how to fix it."""

    exit_code = 3


class OutputError(WbkgError):
    """Results or an export could not be written (missing directory, a directory, a full disk)."""

    exit_code = 1


class ServerError(WbkgError):
    """The local Neo4j server could not be installed, started or stopped."""

    exit_code = 4


class NotACheckout(WbkgError):
    """A developer command (a generator) was run outside a clone of the repository."""

    exit_code = 2
