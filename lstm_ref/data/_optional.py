"""Importing the packages that ship the application data sets.

The real-data loaders read files installed with a package (statsmodels, arch,
sktime, Faker, ...). Those packages are pinned in ``requirements/book.txt``
but are not dependencies of ``lstm_ref`` itself, so a loader imports its
package on first use and, when it is missing, says which ``pip install``
fixes it instead of failing with a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType


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
        raise ImportError(
            f"{needed_for} reads its data from the {pip_name!r} package, which is not "
            f"installed (import {module!r} failed): run `pip install {pip_name}`, "
            "or `make install` for the book's whole pinned environment"
        ) from err
