"""Book-level checks: the table of contents, the notebooks' hygiene, the set-up."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
# Tags that would let a cell escape execution or hide a failure. A chapter that
# shows an error catches it and prints the message, so no tag is ever needed.
ESCAPE_TAGS = {"nbval-skip", "skip-execution", "raises-exception", "nbval-ignore-output"}


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def cells(notebook: Path) -> list[dict[str, Any]]:
    return list(json.loads(notebook.read_text())["cells"])


def test_every_toc_entry_exists() -> None:
    for entry in toc_files():
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(path.exists() for path in candidates), f"_toc.yml lists missing file {entry}"


def test_every_notebook_is_in_the_toc() -> None:
    listed = set(toc_files())
    for notebook in NOTEBOOKS:
        stem = notebook.relative_to(ROOT).with_suffix("").as_posix()
        assert stem in listed, f"{stem} is not in _toc.yml"


def test_chapter_file_names_follow_the_numbering() -> None:
    for notebook in NOTEBOOKS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", notebook.name), notebook.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook: Path) -> None:
    for cell in cells(notebook):
        if cell["cell_type"] == "code":
            assert not cell["outputs"], f"{notebook.name}: a code cell has stored outputs"
            assert cell["execution_count"] is None, f"{notebook.name}: stored execution count"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_escapes_execution(notebook: Path) -> None:
    for cell in cells(notebook):
        tags = set(cell.get("metadata", {}).get("tags", []))
        escaping = tags & ESCAPE_TAGS
        assert not escaping, f"{notebook.name}: tags {sorted(escaping)} skip or hide a cell"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_hidden_asserts_and_glued_numbers(notebook: Path) -> None:
    code = [c for c in cells(notebook) if c["cell_type"] == "code"]
    hidden_asserts = [
        c
        for c in code
        if "remove-cell" in c.get("metadata", {}).get("tags", [])
        and "assert" in "".join(c["source"])
    ]
    assert hidden_asserts, f"{notebook.name}: no hidden (remove-cell) assert cell checks its claims"
    markdown = "".join(
        "".join(c["source"]) for c in cells(notebook) if c["cell_type"] == "markdown"
    )
    sources = "".join("".join(c["source"]) for c in code)
    literal = set(re.findall(r'glue\(\s*"([A-Za-z0-9_]+)"', sources))
    prefixes = tuple(re.findall(r'glue\(\s*f"([A-Za-z0-9_]+)\{', sources))  # glue(f"name_{i}", ...)
    for name in re.findall(r"\{glue:[a-z]+\}`([A-Za-z0-9_]+)", markdown):
        glued = name in literal or (prefixes and name.startswith(prefixes))
        assert glued, f"{notebook.name}: {name} is shown but never glued"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_downloads_nothing(notebook: Path) -> None:
    source = "".join("".join(c["source"]) for c in cells(notebook))
    pattern = r"urlretrieve|urlopen|requests\.get|wget |curl |hf_hub|load_dataset\(|tqdm\.auto"
    assert not re.search(pattern, source), f"{notebook.name} downloads or uses widget progress bars"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    assert re.search(r"^make test\b", (ROOT / ".ci/run").read_text(), re.MULTILINE)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_glued_number_inside_math(notebook: Path) -> None:
    # MathJax would typeset the role's text literally ("glue:text ch10_b1_H").
    for cell in cells(notebook):
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(
            r"\$\$.*?\$\$", lambda m: m[0].replace("$", "§"), "".join(cell["source"]), flags=re.S
        )
        for math in re.findall(r"\$([^$]*)\$", text):
            assert "{glue" not in math, f"{notebook.name}: a glued value inside ${math}$"
        for math in re.findall(r"§§(.*?)§§", text, flags=re.S):
            assert "{glue" not in math, f"{notebook.name}: a glued value inside $${math}$$"
