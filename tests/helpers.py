"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def private_server_env(tmp_path: Path) -> tuple[dict[str, str], int, int]:
    """The environment for a private local server in ``tmp_path/home`` on two distinct free ports,
    with every NEO4J_* and WBKG_* setting of the test session removed; (env, bolt port, http port)."""
    bolt, http = free_port(), free_port()
    while http == bolt:
        http = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "WBKG_"))}
    env.update(WBKG_HOME=str(tmp_path / "home"), WBKG_CONFIG=str(tmp_path / "absent.toml"),
               WBKG_NEO4J_BOLT_PORT=str(bolt), WBKG_NEO4J_HTTP_PORT=str(http))
    return env, bolt, http
