"""Write a chapter notebook from a compact Python description (authoring aid).

Usage (from a script that describes a chapter)::

    from tools.nbbuild import md, code, write
    write("chapters/01_x.ipynb", [md("# Title"), code("x = 1", tags=["remove-cell"])])

Notebooks are written without outputs, with the kernel spec of this
environment, so that nbval and the site build execute them fresh.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode


def md(text: str) -> NotebookNode:
    """A markdown cell; the text is dedented and stripped."""
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str, tags: list[str] | None = None) -> NotebookNode:
    """A code cell with optional cell tags (``remove-cell``, ``hide-input``, ...)."""
    cell = nbformat.v4.new_code_cell(textwrap.dedent(text).strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write(path: str | Path, cells: list[NotebookNode]) -> None:
    """Write ``cells`` as an output-free notebook at ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    nbformat.validate(nb)
    Path(path).write_text(nbformat.writes(nb) + "\n")
