"""Installing the local server into a home: its folder layout, ``neo4j.conf``, the initial password,
and running ``neo4j-admin`` (``org.neo4j.cli.AdminTool``) from the resolved jars."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from wbkg.config import Config
from wbkg.errors import ServerError

CONF_TEMPLATE = Path(str(files(__package__).joinpath("neo4j.conf.template")))
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
MIN_PASSWORD_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if needed, and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)


def write_private(path: Path, text: str) -> None:
    """Write a small file that only its owner may read (mode 0600 from creation)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


@dataclass(frozen=True)
class ServerHome:
    """The folders and files of one local server (``$WBKG_HOME/neo4j``)."""

    root: Path

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / "neo4j.conf"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "wbkg.pid"

    @property
    def classpath_file(self) -> Path:
        return self.root / "classpath.txt"

    @property
    def auth_file(self) -> Path:
        return self.data_dir / "dbms" / "auth.ini"

    def make_dirs(self) -> None:
        for d in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir, self.root / "import",
                  self.root / "plugins"):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)

    def make_private(self, wbkg_home: Path) -> None:
        """$WBKG_HOME and the server's folder 0700, and no file in the server's folder readable by others:
        the store holds every record, data/dbms/auth.ini the password hashes. Homes made by older
        versions (0755, auth.ini 0644) are tightened on the next install or start."""
        private_dir(wbkg_home)
        private_dir(self.root)
        for root, dirs, names in os.walk(self.root):
            for name in dirs + names:
                path = os.path.join(root, name)
                with contextlib.suppress(OSError):
                    mode = os.lstat(path).st_mode
                    if mode & 0o077 and not stat.S_ISLNK(mode):
                        os.chmod(path, stat.S_IMODE(mode) & 0o700)

    def env(self) -> dict[str, str]:
        """The environment the server and neo4j-admin run with."""
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.root)
        env["NEO4J_CONF"] = str(self.conf_dir)
        env.pop("CLASSPATH", None)
        return env


def write_conf(home: ServerHome, *, bolt_port: int, http_port: int, heap_size: str, pagecache_size: str) -> None:
    """Write ``conf/neo4j.conf`` from the template (atomically)."""
    text = Template(CONF_TEMPLATE.read_text(encoding="utf-8")).substitute(
        data_dir=home.data_dir,
        logs_dir=home.logs_dir,
        run_dir=home.run_dir,
        import_dir=home.root / "import",
        plugins_dir=home.root / "plugins",
        bolt_port=bolt_port,
        http_port=http_port,
        heap_size=heap_size,
        pagecache_size=pagecache_size,
    )
    tmp = home.conf_file.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(home.conf_file)


def run_admin(home: ServerHome, java: str, classpath: str, argfile_lines: list[str],
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run neo4j-admin with its arguments in a 0600 argument file (picocli's @file), never on a command
    line, so that a secret among them never shows in ``ps``."""
    argfile = home.run_dir / "neo4j-admin.args"
    argfile.unlink(missing_ok=True)
    fd = os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(f"{line}\n" for line in argfile_lines))
    try:
        return subprocess.run([java, "-cp", classpath, ADMIN_TOOL, f"@{argfile}"], capture_output=True,
                              text=True, env=home.env(), cwd=home.root, timeout=timeout, umask=0o077)
    finally:
        argfile.unlink(missing_ok=True)


def set_initial_password(home: ServerHome, cfg: Config, java: str, classpath: str,
                         say: Callable[[str], None]) -> None:
    """Set the password of user neo4j: NEO4J_PASSWORD, or one generated and stored 0600 in WBKG_HOME."""
    password = cfg.password
    if password:
        origin = f"from {cfg.password_origin}"
    else:
        password = secrets.token_urlsafe(24)
        pf = cfg.password_file
        private_dir(pf.parent)
        pf.unlink(missing_ok=True)
        fd = os.open(pf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(password + "\n")
        origin = f"generated, stored in {pf} with mode 0600"
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServerError(f"the Neo4j password ({origin}) is shorter than {MIN_PASSWORD_LENGTH} "
                          "characters, which Neo4j refuses: set a longer NEO4J_PASSWORD, or unset it to "
                          "have one generated")
    if "\n" in password or "\r" in password:
        raise ServerError(f"the Neo4j password ({origin}) contains a line break: choose another one")
    # "--" ends the options, so a password that starts with "-" (token_urlsafe gives one in 64) is not
    # read as one.
    quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
    out = run_admin(home, java, classpath, ["dbms", "set-initial-password", "--", quoted])
    if out.returncode != 0 or not home.auth_file.is_file():
        detail = (out.stdout + out.stderr).replace(password, "****").strip().splitlines()[-5:]
        raise ServerError("setting the initial Neo4j password failed:\n" + "\n".join(detail))
    say(f"set the initial password of user 'neo4j' (password {origin})")
