"""Small helpers the chapters use to show code and numbers to the reader.

The book prints the lines of ``lstm_ref`` that implement an equation right
next to it, and writes small numbers in the prose as ``3·10⁻⁵``. Both live
here so that every chapter does it the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _source(function: Callable[..., Any]) -> list[str]:
    return inspect.getsource(function).splitlines()


def show_lines(function: Callable[..., Any], *needles: str) -> None:
    """Print the lines of ``function``'s source that contain any of ``needles``, stripped."""
    if not needles:
        raise ValueError("needles: expected at least one string to look for, got none")
    found = [line.strip() for line in _source(function) if any(n in line for n in needles)]
    if not found:
        raise ValueError(f"needles: none of {needles!r} occurs in {function.__qualname__}")
    print("\n".join(found))


def show_between(function: Callable[..., Any], start: str, stop: str) -> None:
    """Print ``function``'s source from the line with ``start`` to the line with ``stop``.

    The block is dedented to the indentation of its first line.
    """
    lines = _source(function)
    first = next((k for k, line in enumerate(lines) if start in line), None)
    if first is None:
        raise ValueError(f"start: {start!r} does not occur in {function.__qualname__}")
    last = next((k for k in range(first, len(lines)) if stop in lines[k]), None)
    if last is None:
        raise ValueError(f"stop: {stop!r} does not occur after {start!r}")
    indent = len(lines[first]) - len(lines[first].lstrip())
    print("\n".join(line[indent:] for line in lines[first : last + 1]))


def body(function: Callable[..., Any]) -> str:
    """The source of ``function`` after its docstring (the whole source if it has none)."""
    return inspect.getsource(function).split('"' * 3)[-1].strip("\n")


def sci(value: float) -> str:
    """A number for the prose with one significant digit: ``1.2e-09`` becomes ``"1·10⁻⁹"``."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}·10" + str(int(exponent)).translate(_SUPERSCRIPTS)
