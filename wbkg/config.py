"""One configuration object: each field names the environment variable that sets it.

Precedence: environment, then the config file (``$WBKG_CONFIG`` or ``~/.config/wbkg/config.toml``),
then defaults. The password may also come from the local server's generated password file
(``$WBKG_HOME/password``, mode 0600), written by ``wbkg neo4j install``. It is never printed:
``repr`` and ``describe`` mask it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from wbkg.errors import WbkgError
from wbkg.ontology import DEFAULT_BASE_IRI


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "wbkg"


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def local_bolt_uri(port: int) -> str:
    """The Bolt URI of a server on this machine's loopback address."""
    return f"bolt://127.0.0.1:{port}"


def local_browser_url(port: int) -> str:
    """The Neo4j Browser URL of a server on this machine's loopback address."""
    return f"http://127.0.0.1:{port}/browser/"


def _default_config_file() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "wbkg" / "config.toml"


@dataclass(frozen=True)
class Config:
    uri: str = field(default="bolt://127.0.0.1:7687", metadata={"env": "NEO4J_URI"})
    user: str = field(default="neo4j", metadata={"env": "NEO4J_USER"})
    password: str | None = field(default=None, repr=False, metadata={"env": "NEO4J_PASSWORD"})
    database: str = field(default="neo4j", metadata={"env": "NEO4J_DATABASE"})
    home: Path = field(default_factory=_default_home, metadata={"env": "WBKG_HOME"})
    base_iri: str = field(default=DEFAULT_BASE_IRI, metadata={"env": "WBKG_BASE_IRI"})
    # Ports of the local server (``wbkg neo4j``); without NEO4J_URI, the URI follows bolt_port.
    bolt_port: int = field(default=7687, metadata={"env": "WBKG_NEO4J_BOLT_PORT"})
    http_port: int = field(default=7474, metadata={"env": "WBKG_NEO4J_HTTP_PORT"})
    password_origin: str = field(default="unset", compare=False)

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    def describe(self) -> dict[str, str]:
        """Settings for display; the password shows only where it came from."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USER": self.user,
            "NEO4J_PASSWORD": f"(set, from {self.password_origin})" if self.password else "(not set)",
            "NEO4J_DATABASE": self.database,
            "WBKG_HOME": str(self.home),
            "WBKG_BASE_IRI": self.base_iri,
            "WBKG_NEO4J_BOLT_PORT": str(self.bolt_port),
            "WBKG_NEO4J_HTTP_PORT": str(self.http_port),
        }


def config_file_path() -> Path:
    return Path(os.environ["WBKG_CONFIG"]) if os.environ.get("WBKG_CONFIG") else _default_config_file()


def _read_config_file(path: Path) -> dict[str, str]:
    """Read ``[neo4j]`` keys (uri, user, password, database) and ``[wbkg]`` keys
    (home, base_iri, bolt_port, http_port)."""
    if not path.is_file():
        return {}
    import tomllib  # only when there is a file to read: `wbkg --help` need not load the parser

    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise WbkgError(f"{path}: not a valid TOML config file ({e})") from e
    flat: dict[str, str] = {}
    for section in ("neo4j", "wbkg"):
        for key, value in (doc.get(section) or {}).items():
            flat[key] = str(value)
    return flat


def load_config() -> Config:
    """Build the configuration from environment, config file and defaults; validate it once."""
    from_file = _read_config_file(config_file_path())
    values: dict[str, object] = {}
    origin = "unset"
    for f in fields(Config):
        env = f.metadata.get("env")
        if env is None:
            continue
        if os.environ.get(env):
            values[f.name] = os.environ[env]
            if f.name == "password":
                origin = f"environment {env}"
        elif f.name in from_file:
            values[f.name] = from_file[f.name]
            if f.name == "password":
                origin = f"config file {config_file_path()}"
    if "home" in values:
        values["home"] = Path(str(values["home"])).expanduser()
    ports: dict[str, int] = {}
    for name, env in (("bolt_port", "WBKG_NEO4J_BOLT_PORT"), ("http_port", "WBKG_NEO4J_HTTP_PORT")):
        if name in values:
            raw = str(values[name]).strip()
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise WbkgError(f"{env} {raw!r} must be a TCP port number (1-65535)")
            values[name] = ports[name] = int(raw)
    if "uri" not in values and "bolt_port" in ports:
        values["uri"] = local_bolt_uri(ports["bolt_port"])
    cfg = Config(**values, password_origin=origin)  # type: ignore[arg-type]
    if cfg.password is None and cfg.password_file.is_file():
        cfg = Config(
            **{f.name: getattr(cfg, f.name) for f in fields(Config) if f.name not in ("password", "password_origin")},
            password=cfg.password_file.read_text(encoding="utf-8").strip(),
            password_origin=f"local server password file {cfg.password_file}",
        )
    scheme = cfg.uri.split("://", 1)[0]
    if scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
        raise WbkgError(f"NEO4J_URI {cfg.uri!r} must start with bolt://, neo4j:// (or their +s/+ssc forms)")
    if not cfg.base_iri.endswith(("/", "#")):
        raise WbkgError(f"WBKG_BASE_IRI {cfg.base_iri!r} must end with '/' or '#'")
    return cfg
