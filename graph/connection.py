"""The Neo4j connection: one driver per process, managed transactions, errors translated.

Every driver error becomes a ``wbkg.errors.ConnectionError`` or ``QueryError`` with a one-line fix.
Values always travel as parameters; callers never format values into Cypher text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as nx

from wbkg.config import Config, load_config
from wbkg.errors import ConnectionError, QueryError

T = TypeVar("T")

# The driver logs each retry as a warning; without a handler Python would print those (with the address
# and the raw driver error) to stderr. wbkg reports the outcome itself, once, translated.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def _fix_hint(cfg: Config) -> str:
    local = cfg.uri.startswith("bolt://127.0.0.1") or cfg.uri.startswith("bolt://localhost")
    if local:
        return "start it with 'wbkg neo4j start' (or 'docker compose up -d'), or set NEO4J_URI"
    return "check NEO4J_URI and that the server is up"


def translate(e: Exception, cfg: Config) -> Exception:
    """Turn a driver exception into a wbkg error with a one-line fix."""
    if isinstance(e, nx.AuthError):
        return ConnectionError(
            f"Neo4j at {cfg.uri} refused the login for user {cfg.user!r}: "
            "set NEO4J_PASSWORD (or the config file) to the right password"
        )
    if isinstance(e, nx.Neo4jError) and e.code and e.code.endswith("Security.AuthenticationRateLimit"):
        return ConnectionError(
            f"Neo4j at {cfg.uri} is refusing logins for user {cfg.user!r} for a few seconds after repeated "
            "wrong passwords: wait 5 seconds, then retry with the right NEO4J_PASSWORD"
        )
    if isinstance(e, nx.ServiceUnavailable) and "looks like HTTP" in str(e):
        return ConnectionError(
            f"NEO4J_URI {cfg.uri} points at an HTTP port (the Neo4j Browser's), not at Bolt: use the Bolt port "
            "(7687 by default; 'wbkg neo4j status' shows the local server's)"
        )
    if isinstance(e, nx.ServiceUnavailable | OSError):
        return ConnectionError(f"Neo4j is not reachable at {cfg.uri}: {_fix_hint(cfg)}")
    if isinstance(e, nx.ClientError) and e.code and "DatabaseNotFound" in e.code:
        return ConnectionError(
            f"database {cfg.database!r} does not exist on {cfg.uri}: set NEO4J_DATABASE to an existing one "
            "(Community edition has only 'neo4j')"
        )
    if isinstance(e, nx.ClientError) and e.code and "TransactionTimedOut" in e.code:
        return QueryError("the query ran past its time limit and was cancelled; raise --timeout or narrow it")
    if isinstance(e, nx.ClientError) and e.code and "ForbiddenDueToTransactionType" in e.code:
        return QueryError("a write was attempted in a read-only script; mark the script 'mode: write'")
    if isinstance(e, nx.ClientError) and e.code and e.code.endswith("AccessMode"):
        return QueryError("a write was attempted in a read-only script; mark the script 'mode: write'")
    if isinstance(e, nx.CypherSyntaxError):
        return QueryError(f"Cypher syntax error: {e.message.splitlines()[0] if e.message else e}")
    if isinstance(e, nx.Neo4jError):
        first = (e.message or str(e)).splitlines()[0]
        return QueryError(f"Neo4j refused the query ({e.code}): {first}")
    if isinstance(e, nx.DriverError):
        return ConnectionError(f"Neo4j driver error talking to {cfg.uri}: {e}")
    return e


def open_driver(uri: str, user: str, password: str, *, connection_timeout: float = 5.0,
                max_transaction_retry_time: float = 15.0) -> neo4j.Driver:
    """The one place a driver is made; ConnectionError (naming NEO4J_URI) when the URI is unusable."""
    try:
        return neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=connection_timeout,
                                          max_transaction_retry_time=max_transaction_retry_time)
    except (ValueError, nx.ConfigurationError) as e:
        raise ConnectionError(f"NEO4J_URI {uri!r} is not usable: {e}") from e


class Graph:
    """A thin holder of the driver and the configuration, with managed read/write helpers."""

    def __init__(self, cfg: Config | None = None) -> None:
        self.cfg = cfg or load_config()
        if not self.cfg.password:
            raise ConnectionError(
                "no Neo4j password configured: set NEO4J_PASSWORD, add it to the config file, "
                "or run 'wbkg neo4j install' for a local server"
            )
        self.driver = open_driver(self.cfg.uri, self.cfg.user, self.cfg.password)
        self._reached = False

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reach(self) -> None:
        """Once per Graph: fail at once (translated) when the server is down or refuses the login, instead
        of letting managed transactions retry an unreachable server for max_transaction_retry_time."""
        if self._reached:
            return
        try:
            self.driver.verify_connectivity()
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            raise translate(e, self.cfg) from e
        self._reached = True

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[neo4j.Session]:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        self._reach()
        try:
            with self.driver.session(database=self.cfg.database, default_access_mode=mode) as s:
                yield s
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            raise translate(e, self.cfg) from e

    def verify(self) -> dict[str, str]:
        """Check connectivity and authentication; return version, edition and database."""
        self._reach()
        try:
            info = self.driver.get_server_info()
            with self.driver.session(database=self.cfg.database) as s:
                rec = s.run(
                    "CALL dbms.components() YIELD name, versions, edition "
                    "RETURN versions[0] AS version, edition"
                ).single()
        except (nx.Neo4jError, nx.DriverError, OSError) as e:
            raise translate(e, self.cfg) from e
        assert rec is not None
        return {
            "address": str(info.address),
            "version": rec["version"],
            "edition": rec["edition"],
            "database": self.cfg.database,
        }

    def read(self, work: Callable[[neo4j.ManagedTransaction], T], timeout: float | None = None) -> T:
        """Run ``work`` in a managed READ transaction (retried on transient errors)."""
        with self.session(write=False) as s:
            fn = neo4j.unit_of_work(timeout=timeout)(work) if timeout else work
            try:
                return s.execute_read(fn)
            except (nx.Neo4jError, nx.DriverError, OSError) as e:
                raise translate(e, self.cfg) from e

    def write(self, work: Callable[[neo4j.ManagedTransaction], T], timeout: float | None = None) -> T:
        """Run ``work`` in a managed WRITE transaction (retried on transient errors)."""
        with self.session(write=True) as s:
            fn = neo4j.unit_of_work(timeout=timeout)(work) if timeout else work
            try:
                return s.execute_write(fn)
            except (nx.Neo4jError, nx.DriverError, OSError) as e:
                raise translate(e, self.cfg) from e

    def rows(self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False,
             timeout: float | None = None) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts."""

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(cypher, params or {})]

        return self.write(work, timeout) if write else self.read(work, timeout)
