"""Where wbkg's files are: those shipped inside the package, and the checkout a generator writes to.

Runtime code reads only what the package ships (``importlib.resources``), whatever the working
directory. Generators (``wbkg ontology build``, ``wbkg browser --write``, ``wbkg query readme``)
rewrite files of the repository, so they need a checkout, found from the working directory; they
never write into an installed package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from wbkg.errors import NotACheckout


def packaged(*parts: str) -> Path:
    """A file or folder shipped in the installed ``wbkg`` package (read it; never write it)."""
    # wbkg installs as plain files (a wheel or an editable checkout), never as a zip import,
    # so the resource is a real path.
    return Path(str(files("wbkg").joinpath(*parts)))


def dataset_dir() -> Path:
    """The curated dataset shipped with the package (``wbkg.data``), the default for validate and load."""
    return packaged("data")


def is_checkout(directory: Path) -> bool:
    """True when ``directory`` is the root of a clone of the wbkg repository."""
    return (directory / "wbkg" / "__init__.py").is_file() and (directory / "ontology" / "schema.yaml").is_file() \
        and (directory / "pyproject.toml").is_file()


def checkout(start: Path | None = None) -> Path:
    """The root of the wbkg checkout that holds the working directory (or ``start``)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if is_checkout(directory):
            return directory
    raise NotACheckout(f"{here} is not inside a wbkg checkout: generators rewrite the repository's files, "
                       "so run this from a clone of the wbkg repository (or use 'make generate' there)")
