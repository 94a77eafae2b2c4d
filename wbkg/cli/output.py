"""Writing results: a failed write (full disk, /dev/full, a closed pipe) is one clear error, not a traceback."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import IO

from wbkg.errors import OutputError


class OutputClosed(OutputError):
    """The reader of standard output went away (``| head``); not an OSError, so that the connection layer
    does not take it for a dropped server connection."""

    exit_code = 141  # 128 + SIGPIPE, what a shell reports for a writer whose pipe closed


def cannot_write(where: str, e: OSError) -> OutputError:
    reason = e.strerror or str(e)
    full = "free some space or write elsewhere"
    writable = "choose a writable place"
    fix = {errno.ENOSPC: full, errno.EDQUOT: full, errno.EFBIG: full, errno.EACCES: writable,
           errno.EROFS: writable}.get(e.errno or 0, "write elsewhere")
    return OutputError(f"cannot write {where}: {reason}; {fix}")


class Stdout:
    """Standard output as a text sink whose write errors become OutputError (a closed pipe: OutputClosed,
    which ``wbkg.cli.main`` ends quietly on, as ``head`` expects)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise OutputClosed("the output was closed") from None
        except OSError as e:
            raise cannot_write("the output", e) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise OutputClosed("the output was closed") from None
        except OSError as e:
            raise cannot_write("the output", e) from None


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again and print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class GuardedBinary:
    """A binary stream whose write errors become OutputError naming ``where`` (what serializers write to)."""

    def __init__(self, stream: IO[bytes], where: str) -> None:
        self.stream = stream
        self.where = where

    def write(self, data: bytes) -> int:
        try:
            return self.stream.write(data)
        except BrokenPipeError:
            raise OutputClosed("the output was closed") from None
        except OSError as e:
            raise cannot_write(self.where, e) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise OutputClosed("the output was closed") from None
        except OSError as e:
            raise cannot_write(self.where, e) from None


def check_output_path(path: Path, example_name: str) -> bool:
    """Refuse, before any work, an output path that cannot become a file: a directory, or one inside a
    directory that does not exist. True when it is (or will be) a regular file, which is then written
    through a temporary file and renamed; False for a device or pipe (``/dev/full``, a FIFO), written in place."""
    if path.is_dir():
        raise OutputError(f"{path} is a directory: name a file in it, e.g. -o {path / example_name}")
    parent = path.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(f"cannot write {path}: {parent} {what}; create the directory first or write elsewhere")
    if path.exists() and not path.is_file():
        return False
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the directory {parent} is not writable; choose a writable place")
    return True
