"""The standard-library source corpus: which files, split by file, deterministic, capped."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_ref.data import PythonSource, load_python_source, python_source_files, stdlib_dir


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
