"""The Python standard library's own source code, as text for a character language model.

Every Python installation carries its standard library as ``.py`` files, so
this corpus is always there, offline, under the Python Software Foundation
License (the same licence as Python itself). We skip the test suites, IDLE,
installed third-party packages and two machine-generated parts (the codec
tables in ``encodings`` and the documentation dump in ``pydoc_data``), and
split **by file**: a held-out file was never seen in any part during
training, so held-out numbers measure generalisation to new modules, not
memorised neighbours of training lines.

>>> source = load_python_source(max_chars=200_000)  # doctest: +SKIP
>>> len(source.train), len(source.validation), len(source.test)  # doctest: +SKIP
(200..., 10..., 10...)
"""

from __future__ import annotations

import hashlib
import io
import keyword
import sysconfig
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lstm_ref.checks import check_fraction, check_positive_int, check_type

#: Directory names whose files are left out (test suites, IDLE, third-party
#: packages, machine-generated codec tables and documentation).
EXCLUDED_DIRS = frozenset(
    {"test", "tests", "idlelib", "site-packages", "dist-packages", "encodings", "pydoc_data"}
)


class PythonSource(NamedTuple):
    """Source text split by file; each part is its files' contents, concatenated.

    Attributes
    ----------
    train, validation, test : str
        The concatenated files of each part (every file ends with a newline).
    train_files, validation_files, test_files : tuple of str
        The files of each part, as paths relative to the library directory,
        in the order they were concatenated.
    """

    train: str
    validation: str
    test: str
    train_files: tuple[str, ...]
    validation_files: tuple[str, ...]
    test_files: tuple[str, ...]


def stdlib_dir() -> Path:
    """The directory of this Python's standard library (``sysconfig``'s ``stdlib`` path)."""
    return Path(sysconfig.get_paths()["stdlib"])


def python_source_files(root: str | Path | None = None) -> list[str]:
    """The ``.py`` files under ``root`` (default :func:`stdlib_dir`) outside :data:`EXCLUDED_DIRS`.

    Returns
    -------
    list of str
        Paths relative to ``root`` with ``/`` separators, sorted.
    """
    base = stdlib_dir() if root is None else Path(root)
    if not base.is_dir():
        raise ValueError(f"root: expected a directory, got {str(base)!r}")
    found = []
    for path in base.rglob("*.py"):
        parts = path.relative_to(base).parts
        if not EXCLUDED_DIRS.intersection(parts[:-1]) and path.is_file():
            found.append("/".join(parts))
    return sorted(found)


def _file_key(name: str) -> int:
    """A stable pseudo-random number for a file name (the same on every machine and run)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def load_python_source(
    max_chars: int | None = 3_000_000,
    *,
    held_out: float = 0.05,
    root: str | Path | None = None,
) -> PythonSource:
    """The standard library's source, split by file into train, validation and test text.

    Files are visited in a fixed pseudo-random order (by a hash of their
    path, so packages are mixed and the order does not depend on the file
    system). A file goes to *test* if its hash falls in the first
    ``held_out`` of the range, to *validation* if in the next ``held_out``,
    else to *train*. Each part stops growing once it holds its share of
    ``max_chars`` (``held_out * max_chars`` for the held-out parts), which
    keeps the cost of a chapter fixed whatever the Python version.

    Parameters
    ----------
    max_chars : int or None
        Characters of training text at most (``None``: every file). The
        validation and test parts get ``held_out * max_chars`` each.
    held_out : float
        Fraction of files (and of ``max_chars``) for validation and for test,
        in ``(0, 0.5)``.
    root : str or Path, optional
        Read the ``.py`` files under this directory instead of the standard
        library (tests use a small tree).

    Returns
    -------
    PythonSource
        ``train``, ``validation`` and ``test`` text and their file lists.
    """
    if max_chars is not None:
        max_chars = check_positive_int("max_chars", max_chars)
    held_out = check_fraction("held_out", held_out, high=0.5, open_low=True)
    base = stdlib_dir() if root is None else Path(root)
    names = sorted(python_source_files(base), key=lambda name: (_file_key(name), name))
    if not names:
        raise ValueError(f"root: no .py files under {str(base)!r}")
    caps = {"test": held_out, "validation": held_out, "train": 1.0}
    texts: dict[str, list[str]] = {part: [] for part in caps}
    files: dict[str, list[str]] = {part: [] for part in caps}
    sizes = dict.fromkeys(caps, 0)
    for name in names:
        u = _file_key(name) / 2**64
        part = "test" if u < held_out else "validation" if u < 2 * held_out else "train"
        if max_chars is not None and sizes[part] >= caps[part] * max_chars:
            continue
        try:
            text = (base / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # a few old modules are Latin-1; not worth a special case
            continue
        if not text.strip():
            continue  # empty __init__.py files teach nothing
        text = text if text.endswith("\n") else text + "\n"
        texts[part].append(text)
        files[part].append(name)
        sizes[part] += len(text)
    if not texts["validation"] or not texts["test"]:
        raise ValueError(
            f"held_out: {held_out} of {len(names)} files left the validation or test part empty"
        )
    return PythonSource(
        train="".join(texts["train"]),
        validation="".join(texts["validation"]),
        test="".join(texts["test"]),
        train_files=tuple(files["train"]),
        validation_files=tuple(files["validation"]),
        test_files=tuple(files["test"]),
    )


class SourceSignals(NamedTuple):
    """Ground truth about every character of Python source, from the standard ``tokenize`` module.

    Each array has shape ``(L,)``, one entry per character of the text.

    Attributes
    ----------
    in_string : np.ndarray, bool
        The character belongs to a string literal (quotes and prefix included).
    string_start : np.ndarray, int64
        For the last character of a string literal (its closing quote), the
        offset of the literal's first character; -1 elsewhere.
    bracket_depth : np.ndarray, int64
        Brackets ``( [ {`` open before this character (a closing bracket
        already counts as closed).
    opener : np.ndarray, int64
        For a closing bracket, the offset of the bracket it closes; -1 elsewhere.
    indent_depth : np.ndarray, int64
        Block depth (INDENT minus DEDENT tokens) of the character's line.
    column : np.ndarray, int64
        Position in the line (0 for the first character).
    leading : np.ndarray, bool
        The character is part of its line's leading whitespace, or the first
        character after it.
    name_start : np.ndarray, int64
        For a character of an identifier (not a keyword), the offset of the
        identifier's first character; -1 elsewhere.
    indent_width : np.ndarray, int64
        How many spaces and tabs the character's line starts with: the
        indentation on the page, which inside a string literal (a docstring's
        indented lines) is not the block depth.
    """

    in_string: np.ndarray
    string_start: np.ndarray
    bracket_depth: np.ndarray
    opener: np.ndarray
    indent_depth: np.ndarray
    column: np.ndarray
    leading: np.ndarray
    name_start: np.ndarray
    indent_width: np.ndarray


def source_signals(text: str) -> SourceSignals:
    """Where strings, brackets and blocks are in ``text`` (valid Python source), per character.

    Raises
    ------
    ValueError
        If ``text`` does not tokenize (an unterminated string or bracket).
    """
    check_type("text", text, str)
    # tokenize splits lines as io does (on \n, \r\n, \r), not as str.splitlines.
    lines = io.StringIO(text, newline="").readlines()
    line_start = np.cumsum([0] + [len(line) for line in lines])
    L = len(text)
    in_string = np.zeros(L, dtype=bool)
    string_start = np.full(L, -1, dtype=np.int64)
    opener = np.full(L, -1, dtype=np.int64)
    name_start = np.full(L, -1, dtype=np.int64)
    step = np.zeros(L + 1, dtype=np.int64)  # +1 after an opener, -1 at a closer
    line_depth = np.zeros(len(lines) + 1, dtype=np.int64)
    depth, open_at = 0, []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            if tok.type == tokenize.ENDMARKER:
                break
            begin = int(line_start[tok.start[0] - 1] + tok.start[1])
            end = int(line_start[tok.end[0] - 1] + tok.end[1])
            if tok.type == tokenize.INDENT:
                depth += 1
            elif tok.type == tokenize.DEDENT:
                depth -= 1
            elif tok.type == tokenize.STRING:
                in_string[begin:end] = True
                string_start[end - 1] = begin
            elif tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
                name_start[begin:end] = begin
            elif tok.type == tokenize.OP and tok.string in "([{":
                open_at.append(begin)
                step[begin + 1] += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                opener[begin] = open_at.pop()
                step[begin] -= 1
            line_depth[tok.start[0] - 1 : tok.end[0]] = depth
    except (tokenize.TokenError, IndentationError, IndexError) as e:
        raise ValueError(f"text: expected Python source that tokenizes, got: {e}") from None
    line_of = np.repeat(np.arange(len(lines)), [len(line) for line in lines])
    column = np.arange(L) - line_start[line_of]
    stripped = np.array([len(line) - len(line.lstrip(" \t")) for line in lines], dtype=np.int64)
    return SourceSignals(
        in_string=in_string,
        string_start=string_start,
        bracket_depth=np.cumsum(step)[:L],
        opener=opener,
        indent_depth=line_depth[line_of],
        column=column,
        leading=column <= stripped[line_of],
        name_start=name_start,
        indent_width=stripped[line_of],
    )


def long_context_positions(
    text: str, *, reach: int = 8, known_names: Iterable[str] = ()
) -> dict[str, np.ndarray]:
    """Characters whose prediction needs more than the last ``reach`` characters.

    An n-gram model of order ``reach + 1`` sees only the ``reach`` characters
    before the one it predicts. These are the places where that is not
    enough (Karpathy, Johnson & Fei-Fei 2015 looked at the same ones):

    ``"closing bracket"``
        ``) ] }`` more than ``reach`` characters after the bracket it closes.
    ``"closing quote"``
        The last character of a string literal longer than ``reach``.
    ``"indentation"``
        Leading whitespace at column ``>= reach`` and the first character
        after it: how deep the line goes depends on the block it is in.
    ``"local name"``
        Characters after the first of an identifier that does not occur in
        ``known_names`` (e.g. the training text's) but did occur earlier in
        ``text``, more than ``reach`` characters back: it can only be copied.

    Returns
    -------
    dict of str to np.ndarray, bool, shape (L,)
        One mask per kind, in the order above.
    """
    reach = check_positive_int("reach", reach)
    sig = source_signals(text)
    at = np.arange(len(text))
    known = set(known_names)
    local = np.zeros(len(text), dtype=bool)
    first_seen: dict[str, int] = {}
    starts = np.flatnonzero(sig.name_start == at)
    for begin in starts.tolist():
        end = begin + 1
        while end < len(text) and sig.name_start[end] == begin:
            end += 1
        name = text[begin:end]
        if name in known:
            continue
        if name in first_seen and begin - first_seen[name] > reach:
            local[begin + 1 : end] = True
        first_seen.setdefault(name, begin)
    return {
        "closing bracket": (sig.opener >= 0) & (at - sig.opener > reach),
        "closing quote": (sig.string_start >= 0) & (at - sig.string_start > reach),
        "indentation": sig.leading & (sig.column >= reach),
        "local name": local,
    }
