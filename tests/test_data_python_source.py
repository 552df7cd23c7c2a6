"""The standard-library source corpus: which files, split by file, deterministic, capped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstm_ref.data import (
    PythonSource,
    load_python_source,
    long_context_positions,
    python_source_files,
    source_signals,
    stdlib_dir,
)


def _tree(root: Path, n: int = 60) -> None:
    for k in range(n):
        (root / "pkg").mkdir(exist_ok=True)
        (root / "pkg" / f"m{k}.py").write_text(f"x{k} = {k}\n" * 20)
    for skipped in ("test", "idlelib", "encodings", "site-packages/foo"):
        (root / skipped).mkdir(parents=True)
        (root / skipped / "skipme.py").write_text("skip = 1\n")
    (root / "empty.py").write_text("\n")
    (root / "latin.py").write_bytes(b"s = '\xe9'\n")
    (root / "notes.txt").write_text("not python\n")


def test_files_leave_out_tests_idle_generated_and_third_party(tmp_path: Path) -> None:
    _tree(tmp_path)
    files = python_source_files(tmp_path)
    assert files == sorted(files)
    assert "pkg/m0.py" in files and "empty.py" in files
    assert not [f for f in files if "skipme" in f or f.endswith(".txt")]


def test_split_is_by_file_disjoint_and_deterministic(tmp_path: Path) -> None:
    _tree(tmp_path)
    source = load_python_source(None, held_out=0.2, root=tmp_path)
    assert isinstance(source, PythonSource)
    parts = (source.train_files, source.validation_files, source.test_files)
    assert all(parts)
    assert sum(len(p) for p in parts) == 60  # the empty and the Latin-1 file are dropped
    assert len(set().union(*parts)) == 60
    for text, names in zip(source[:3], parts, strict=True):
        assert text == "".join((tmp_path / n).read_text() for n in names)
    assert load_python_source(None, held_out=0.2, root=tmp_path) == source


def test_max_chars_caps_each_part(tmp_path: Path) -> None:
    _tree(tmp_path)
    full = load_python_source(None, held_out=0.2, root=tmp_path)
    capped = load_python_source(1_000, held_out=0.2, root=tmp_path)
    file_size = len(full.train) // len(full.train_files)
    assert 1_000 <= len(capped.train) < 1_000 + file_size
    assert len(capped.train) < len(full.train)
    # The cap keeps a prefix of the same file order.
    assert capped.train_files == full.train_files[: len(capped.train_files)]


def test_standard_library() -> None:
    source = load_python_source(200_000)
    assert stdlib_dir().is_dir()
    assert 200_000 <= len(source.train) < 400_000
    assert 10_000 <= len(source.test) and 10_000 <= len(source.validation)
    every = source.train_files + source.validation_files + source.test_files
    assert not [f for f in every if f.startswith(("test/", "idlelib/", "encodings/"))]
    assert "def " in source.train and "import " in source.test


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="held_out"):
        load_python_source(held_out=0.5, root=tmp_path)
    with pytest.raises(TypeError, match="held_out"):
        load_python_source(held_out="0.1", root=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_chars"):
        load_python_source(0, root=tmp_path)
    with pytest.raises(ValueError, match=r"no \.py files"):
        load_python_source(root=tmp_path)
    with pytest.raises(ValueError, match="root"):
        python_source_files(tmp_path / "absent")


SOURCE = """def f(a, b):
    if a:
        return "a (string)"
    return g(a, [b,
                 1])
"""


def test_source_signals_per_character() -> None:
    sig = source_signals(SOURCE)
    assert all(len(a) == len(SOURCE) for a in sig)
    inside = "".join(c for c, s in zip(SOURCE, sig.in_string, strict=True) if s)
    assert inside == '"a (string)"'
    quote = SOURCE.index('"a (')
    assert sig.string_start[quote + 11] == quote and (sig.string_start >= 0).sum() == 1
    # Brackets inside the string do not count; the list spans two lines.
    at = SOURCE.index("1])")
    assert sig.bracket_depth[at] == 2 and sig.bracket_depth[SOURCE.index("(string")] == 0
    assert sig.opener[at + 1] == SOURCE.index("[b") and sig.opener[at + 2] == SOURCE.index("(a, [")
    # A closing bracket already counts as closed.
    assert sig.bracket_depth[at + 1] == 1 and sig.bracket_depth[at + 2] == 0
    assert sig.indent_depth[SOURCE.index('return "')] == 2
    assert sig.indent_depth[SOURCE.index("return g")] == 1 and sig.indent_depth[0] == 0
    assert sig.column[SOURCE.index("if")] == 4
    assert sig.leading[SOURCE.index("if")] and not sig.leading[SOURCE.index("if") + 1]
    # The continuation line "1])" is indented 17 on the page, at block depth 1.
    assert sig.indent_width[at] == 17 and sig.indent_depth[at] == 1
    assert sig.indent_width[SOURCE.index("1])") - 1] == 17 and sig.indent_width[0] == 0
    names = {SOURCE[s : s + 1] for s in sig.name_start[sig.name_start >= 0].tolist()}
    assert names == {"f", "a", "b", "g"}  # keywords are not names
    with pytest.raises(ValueError, match="tokenize"):
        source_signals("x = (1,\n")
    with pytest.raises(TypeError, match="text"):
        source_signals(b"x = 1\n")  # type: ignore[arg-type]


def test_long_context_positions() -> None:
    text = SOURCE + "value_x = 1\n" + "y = 2\n" * 3 + "z = value_x\n"
    masks = long_context_positions(text, reach=8, known_names={"g"})
    assert list(masks) == ["closing bracket", "closing quote", "indentation", "local name"]
    pick = {k: "".join(text[i] for i in np.flatnonzero(m)) for k, m in masks.items()}
    assert pick["closing bracket"] == "])"  # ")" of f(a, b) is 5 characters from its opener
    assert pick["closing quote"] == '"'
    # "return" at column 8, then columns 8-16 of the list's second line and its "1".
    assert pick["indentation"] == "r" + " " * 9 + "1"
    # value_x seen again far back; a, b, f are one letter (nothing after the first), g is known.
    assert pick["local name"] == "alue_x"
    assert not long_context_positions(text, reach=100)["local name"].any()
