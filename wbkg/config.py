"""One configuration object: each field names the environment variable that sets it.

Precedence: environment, then the config file (``$WBKG_CONFIG`` or ``~/.config/wbkg/config.toml``),
then defaults. The password may also come from the local server's generated password file
(``$WBKG_HOME/password``, mode 0600), written by ``wbkg neo4j install``. It is never printed:
``repr`` and ``describe`` mask it.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

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


def _file_sections() -> dict[str, tuple[str, ...]]:
    """The keys each config-file section admits: a field whose variable starts NEO4J_ lives in [neo4j],
    the others in [wbkg]."""
    out: dict[str, list[str]] = {"neo4j": [], "wbkg": []}
    for f in fields(Config):
        env = f.metadata.get("env")
        if env:
            out["neo4j" if env.startswith("NEO4J_") else "wbkg"].append(f.name)
    return {k: tuple(v) for k, v in out.items()}


_WARNED: set[Path] = set()


def _warn_if_others_can_read(path: Path) -> None:
    """A config file holding the password should be private, as ssh insists for its keys; warn once."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o077 and path not in _WARNED:
        _WARNED.add(path)
        print(f"warning: {path} holds the Neo4j password and is readable by others (mode {mode:04o}): "
              f"run 'chmod 600 {path}'", file=sys.stderr)


def _read_config_file(path: Path) -> dict[str, str]:
    """Read ``[neo4j]`` keys (uri, user, password, database) and ``[wbkg]`` keys
    (home, base_iri, bolt_port, http_port); a misspelt or misplaced key is an error, never ignored."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise WbkgError(f"config file {path} is a directory: point WBKG_CONFIG at a TOML file") from None
    except OSError as e:
        raise WbkgError(f"cannot read the config file {path}: {e.strerror}; fix its permissions "
                        "or point WBKG_CONFIG elsewhere") from None
    import tomllib  # only when there is a file to read: `wbkg --help` need not load the parser

    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise WbkgError(f"{path}: not a valid TOML config file ({e})") from e
    sections = _file_sections()
    home_of = {key: sec for sec, keys in sections.items() for key in keys}
    problems: list[str] = []
    flat: dict[str, str] = {}
    for section, table in doc.items():
        if section not in sections:
            close = difflib.get_close_matches(section, list(sections), n=1)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            problems.append(f"unknown section [{section}]{hint}; the sections are [neo4j] and [wbkg]")
            continue
        if not isinstance(table, dict):
            problems.append(f"{section} must be a table: a [{section}] line followed by key = value lines")
            continue
        for key, value in table.items():
            if key not in sections[section]:
                if key in home_of:
                    problems.append(f"key {key!r} belongs in [{home_of[key]}], not [{section}]")
                else:
                    close = difflib.get_close_matches(key, list(sections[section]), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(f"unknown key {key!r} in [{section}]{hint}; "
                                    f"the keys are {', '.join(sections[section])}")
            elif isinstance(value, bool) or not isinstance(value, str | int):
                problems.append(f"[{section}] {key} must be a string"
                                + (" or a whole number" if key.endswith("_port") else "")
                                + f", not {type(value).__name__}")
            else:
                flat[key] = str(value)
    if problems:
        raise WbkgError(f"{path}: " + "; ".join(problems))
    if "password" in flat:
        _warn_if_others_can_read(path)
    return flat


def _check_uri(uri: str) -> None:
    """A Bolt or Neo4j URI with an explicit host and a valid port: an empty host would make the driver
    send the password to whatever listens on localhost's default port."""
    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    if scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
        raise WbkgError(f"NEO4J_URI {uri!r} must start with bolt://, neo4j:// (or their +s/+ssc forms)")
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as e:
        raise WbkgError(f"NEO4J_URI {uri!r} is malformed ({e}): write it as bolt://HOST:PORT with a port "
                        "1-65535 (an IPv6 host in brackets: bolt://[::1]:7687)") from None
    if not parts.hostname:
        raise WbkgError(f"NEO4J_URI {uri!r} names no host: write it as bolt://HOST:PORT, "
                        "e.g. bolt://127.0.0.1:7687")
    if port == 0:
        raise WbkgError(f"NEO4J_URI {uri!r}: port 0 is not a TCP port number (1-65535)")
    if parts.username is not None or parts.password is not None:
        raise WbkgError(f"NEO4J_URI {uri!r} must not carry credentials: set NEO4J_USER and NEO4J_PASSWORD")


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def _check_base_iri(iri: str) -> None:
    """An absolute http(s) IRI that RDF serializers can write and parsers read back."""
    try:
        parts = urlsplit(iri)
    except ValueError as e:
        raise WbkgError(f"WBKG_BASE_IRI {iri!r} is malformed ({e}): use an absolute IRI like "
                        "https://wbkg.org/") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or _IRI_FORBIDDEN.search(iri):
        raise WbkgError(f"WBKG_BASE_IRI {iri!r} must be an absolute http(s) IRI without spaces or <>\"{{}}|\\^` "
                        "characters, like https://wbkg.org/")
    if not iri.endswith(("/", "#")):
        raise WbkgError(f"WBKG_BASE_IRI {iri!r} must end with '/' or '#'")


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
            if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
                raise WbkgError(f"{env} {raw!r} must be a TCP port number (1-65535)")
            values[name] = ports[name] = int(raw)
    if "uri" not in values and "bolt_port" in ports:
        values["uri"] = local_bolt_uri(ports["bolt_port"])
    home = Path(str(values.get("home", _default_home())))
    if home.exists() and not home.is_dir():
        raise WbkgError(f"WBKG_HOME {str(home)!r} is a file, not a directory: point WBKG_HOME at a directory "
                        "(it is created if missing)")
    cfg = Config(**values, password_origin=origin)  # type: ignore[arg-type]
    if cfg.password is None and cfg.password_file.is_file():
        try:
            password = cfg.password_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise WbkgError(f"cannot read the local server password file {cfg.password_file} ({e}): "
                            "fix its permissions, or set NEO4J_PASSWORD") from None
        cfg = Config(
            **{f.name: getattr(cfg, f.name) for f in fields(Config) if f.name not in ("password", "password_origin")},
            password=password,
            password_origin=f"local server password file {cfg.password_file}",
        )
    _check_uri(cfg.uri)
    if cfg.database.lower() == "system":
        raise WbkgError("NEO4J_DATABASE 'system' is Neo4j's administration database and holds no graph: "
                        "set NEO4J_DATABASE to the graph's database (default neo4j)")
    _check_base_iri(cfg.base_iri)
    return cfg
