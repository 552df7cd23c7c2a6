"""The launch buttons: every chapter starts with the install cell, which is inert here.

``tools/add_launch_cell.py`` writes the cell from ``_config.yml`` (repository URL
and branch) and ``requirements/book.txt`` (the data packages' pins); these tests
fail when a chapter's first cell is not what the script would write now.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
FIX = "run `python tools/add_launch_cell.py` to update the chapters"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "add_launch_cell", ROOT / "tools/add_launch_cell.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()
CELL = tool.launch_cell()
SOURCE = "".join(CELL["source"])


def test_there_are_18_chapters() -> None:
    assert len(NOTEBOOKS) >= 18


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_launch_cell(notebook: Path) -> None:
    text = notebook.read_text(encoding="utf-8")
    first = json.loads(text)["cells"][0]
    assert first == CELL, f"{notebook.name}: first cell is not the current launch cell; {FIX}"
    assert tool.dumps(json.loads(text)) == text, f"{notebook.name}: not stored as the script writes"


def test_the_cell_is_hidden_and_short() -> None:
    assert CELL["metadata"]["tags"] == ["remove-cell"]
    assert CELL["outputs"] == [] and CELL["execution_count"] is None
    assert max(len(line) for line in SOURCE.splitlines()) <= 88


def test_the_cell_uses_the_url_and_pins_kept_elsewhere() -> None:
    url, branch = tool.repository()
    assert url in SOURCE and f'"{branch}"' in SOURCE
    for pin in tool.pinned():
        name, version = pin.split("==")
        assert f"{name}=={version}" in (ROOT / "requirements/book.txt").read_text()
        assert f'"{pin}"' in SOURCE


def test_the_script_is_idempotent() -> None:
    notebook = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    once = tool.with_launch_cell(notebook, CELL)
    assert tool.with_launch_cell(once, CELL) == once
    stale = {**CELL, "source": ["# an older version\n"]}
    assert tool.with_launch_cell({**once, "cells": [stale, *once["cells"][1:]]}, CELL) == once
    assert tool.main(["--check"]) == 0, FIX


def test_a_launch_cell_out_of_place_is_an_error() -> None:
    notebook = {"cells": [{"id": "c000"}, CELL]}
    with pytest.raises(ValueError, match="install-lstm-ref"):
        tool.with_launch_cell(notebook, CELL)


def test_missing_pins_and_urls_are_named(tmp_path: Path) -> None:
    requirements = tmp_path / "book.txt"
    requirements.write_text("numpy==2.0.0\n")
    with pytest.raises(ValueError, match="Faker"):
        tool.pinned(requirements=requirements)
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  branch: main\n")
    with pytest.raises(ValueError, match=r"repository\.url"):
        tool.repository(config)


def test_the_cell_does_nothing_where_lstm_ref_is_installed(tmp_path: Path) -> None:
    # A fresh interpreter, as a kernel would be: nothing is run, nothing heavy imported.
    probe = (
        "import sys, os, subprocess\n"
        "subprocess.run = None\n"
        "before = set(sys.modules)\n"
        f"exec({SOURCE!r})\n"
        "new = set(sys.modules) - before\n"
        "print(os.getcwd() == sys.argv[1], sorted(m for m in new if '.' not in m))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    unchanged, modules = run.stdout.split(" ", 1)
    assert unchanged == "True"
    assert not {"torch", "numpy", "matplotlib", "lstm_ref"} & set(ast.literal_eval(modules))


def test_on_a_hosted_notebook_it_clones_installs_and_moves_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> None:
        assert check
        calls.append(list(command))
        if command[:2] == ["git", "clone"]:
            (Path(command[-1]) / "chapters").mkdir(parents=True)

    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "lstm_ref" else real_find_spec(name, *args)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    exec(SOURCE, {})
    url, branch = tool.repository()
    folder = url.rsplit("/", 1)[-1]
    assert calls[0] == ["git", "clone", "--depth=1", "--branch", branch, url, folder]
    assert calls[1][:4] == [sys.executable, "-m", "pip", "install"]
    assert f"./{folder}[all]" in calls[1] and set(tool.pinned()) <= set(calls[1])
    no_deps = tool.pinned(tool.HOSTED_NO_DEPS, requirements=tool.NO_DEPS_REQUIREMENTS)
    assert "--no-deps" in calls[2] and set(no_deps) <= set(calls[2])
    assert Path.cwd() == tmp_path / folder / "chapters"


def test_binder_installs_the_pinned_book() -> None:
    lines = (ROOT / "binder/requirements.txt").read_text().splitlines()
    entries = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert "-r ../requirements/book.txt" in entries and "-e ." in entries
    runtime = (ROOT / "binder/runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match and int(match[1]) >= 10, f"binder/runtime.txt: expected python-3.x, got {runtime}"


def test_the_cell_installs_every_package_a_loader_reads_its_data_from() -> None:
    # Each real-data loader names the package that carries its file (pip_name="...");
    # a chapter on a hosted notebook needs all of them.
    def key(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    sources = "".join(path.read_text() for path in (ROOT / "lstm_ref").rglob("*.py"))
    needed = {key(name) for name in re.findall(r'pip_name="([^"]+)"', sources)}
    assert needed, "no loader names its package any more: update this test"
    missing = needed - {key(name) for name in (*tool.HOSTED_PACKAGES, *tool.HOSTED_NO_DEPS)}
    assert not missing, f"add {sorted(missing)} to HOSTED_PACKAGES in tools/add_launch_cell.py"
