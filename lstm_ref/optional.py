"""Importing the optional packages that data sets and baselines come from.

The real-data loaders read files installed with a package (statsmodels, arch,
sktime, Faker, ...). Those packages are pinned in ``requirements/book.txt``
but are not dependencies of ``lstm_ref`` itself, so a loader imports its
package on first use and, when it is missing, says which ``pip install``
fixes it instead of failing with a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType


def _missing(module: str, *, pip_name: str, needed_for: str) -> ImportError:
    return ImportError(
        f"{needed_for} reads its data from the {pip_name!r} package, which is not "
        f"installed (import {module!r} failed): run `pip install {pip_name}`, "
        "or `make install` for the book's whole pinned environment"
    )


def require(module: str, *, pip_name: str, needed_for: str) -> ModuleType:
    """Import ``module``, or raise an ``ImportError`` naming the install that fixes it.

    Parameters
    ----------
    module : str
        Dotted module name to import, e.g. ``"statsmodels.api"``.
    pip_name : str
        The distribution to install, e.g. ``"statsmodels"``.
    needed_for : str
        What the caller loads, for the message, e.g. ``"load_co2()"``.

    Returns
    -------
    types.ModuleType
        The imported module.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        raise _missing(module, pip_name=pip_name, needed_for=needed_for) from err


def package_dir(package: str, *, pip_name: str, needed_for: str) -> Path:
    """The folder an installed package lives in, found *without* importing it.

    For data files shipped inside a package whose import is slow (sktime
    takes seconds): only the file is read, the package never runs.

    Parameters
    ----------
    package : str
        Top-level package name, e.g. ``"sktime"``.
    pip_name, needed_for : str
        As for :func:`require`, for the error message.

    Returns
    -------
    pathlib.Path
        The package's directory.

    Raises
    ------
    ImportError
        If the package is not installed, naming the ``pip install`` that fixes it.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise _missing(package, pip_name=pip_name, needed_for=needed_for)
    return Path(next(iter(spec.submodule_search_locations)))
