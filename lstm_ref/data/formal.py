r"""Regular formal-language tasks for length generalisation (after Delétang et al. 2023).

Each task reads a string of symbols and answers one class at the end. All four
are *regular*: a finite automaton with two or five states solves them at any
length, so a network that has learnt the automaton generalises from short
training strings to long test strings, and one that has learnt a shortcut
fails there.

``parity``
    Symbols ``{0, 1}``; the answer is the number of ones modulo 2
    (:math:`y = \sum_t x_t \bmod 2`, two states).
``even_pairs``
    Symbols ``{a, b}`` (``0, 1``); is the number of ``ab`` and ``ba`` pairs
    in the string even? Every change of symbol is one such pair, so the
    answer is "the string ends with the symbol it began with" (two states,
    but the first symbol must be remembered).
``cycle_navigation``
    Symbols ``{stay, +1, -1}`` (``0, 1, 2``) move an agent on a cycle of 5
    positions starting at 0; the answer is the final position
    (:math:`y = \sum_t \delta(x_t) \bmod 5`).
``modular_arithmetic``
    Each symbol is an operation and an operand, ``(op, k)`` with
    ``op`` in ``{+, -, *}`` and ``k`` in ``{0, .., 4}`` (15 symbols, id
    ``5 * op + k``), applied left to right to a running value that starts at
    0; the answer is the final value modulo 5. (Delétang et al. write the
    operands and operators as separate tokens; fusing them keeps one answer
    per string of any length and the same five-state automaton.)

Strings are one-hot encoded, batch-major: ``x (N, L, S)`` float32 with ``S``
the number of symbols, ``y (N,)`` int64, as a :class:`~lstm_ref.data.Task`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int

from ._common import Task, one_hot

__all__ = [
    "FORMAL_TASKS",
    "FormalTask",
    "formal_answers",
    "formal_batches",
    "formal_chance",
    "formal_task",
]


class FormalTask(NamedTuple):
    """One task's alphabet, its number of answers and the automaton that answers it."""

    symbols: int
    classes: int
    answer: Callable[[np.ndarray], np.ndarray]


def _parity(s: np.ndarray) -> np.ndarray:
    return s.sum(axis=1) % 2  # y = sum_t x_t mod 2


def _even_pairs(s: np.ndarray) -> np.ndarray:
    changes = (s[:, 1:] != s[:, :-1]).sum(axis=1)  # each ab or ba pair is one change
    return (changes % 2 == 0).astype(np.int64)  # = first symbol equals last


_MOVES = np.array([0, 1, -1])


def _cycle(s: np.ndarray) -> np.ndarray:
    return _MOVES[s].sum(axis=1) % 5  # y = sum_t move(x_t) mod 5


def _modular(s: np.ndarray) -> np.ndarray:
    op, k = s // 5, s % 5
    value = np.zeros(len(s), dtype=np.int64)
    for t in range(s.shape[1]):  # left to right: v <- v (+, -, *) k  mod 5
        results = np.stack([value + k[:, t], value - k[:, t], value * k[:, t]])
        value = results[op[:, t], np.arange(len(s))] % 5
    return value


#: The four tasks by name.
FORMAL_TASKS: dict[str, FormalTask] = {
    "parity": FormalTask(2, 2, _parity),
    "even_pairs": FormalTask(2, 2, _even_pairs),
    "cycle_navigation": FormalTask(3, 5, _cycle),
    "modular_arithmetic": FormalTask(15, 5, _modular),
}


def _spec(name: str) -> FormalTask:
    if name not in FORMAL_TASKS:
        raise ValueError(f"name: expected one of {sorted(FORMAL_TASKS)}, got {name!r}")
    return FORMAL_TASKS[name]


def formal_answers(name: str, strings: np.ndarray) -> np.ndarray:
    """The automaton's answers ``(N,)`` int64 for symbol ids ``strings (N, L)``."""
    spec = _spec(name)
    s = np.asarray(strings)
    if s.ndim != 2 or s.shape[1] == 0:
        raise ValueError(f"strings: expected shape (N, L) with L >= 1, got {s.shape}")
    if not np.issubdtype(s.dtype, np.integer) or s.min() < 0 or s.max() >= spec.symbols:
        raise ValueError(f"strings: expected integer symbol ids in [0, {spec.symbols})")
    return spec.answer(s.astype(np.int64)).astype(np.int64)


def formal_task(name: str, n: int, length: int, *, seed: Seed = None) -> Task:
    """``n`` uniformly random strings of ``length`` symbols and their answers.

    Parameters
    ----------
    name : str
        A key of :data:`FORMAL_TASKS`.
    n, length : int
        Number of strings and symbols per string (``>= 1``).
    seed : int, Generator or None

    Returns
    -------
    Task
        ``x (n, length, S)`` float32 one-hot, ``y (n,)`` int64 in
        ``[0, classes)``, ``lengths (n,)`` all equal to ``length``.
    """
    spec = _spec(name)
    n = check_positive_int("n", n)
    length = check_positive_int("length", length)
    strings = as_generator(seed).integers(0, spec.symbols, size=(n, length))
    y = spec.answer(strings).astype(np.int64)
    return Task(one_hot(strings, spec.symbols), y, np.full(n, length, dtype=np.int64))


def formal_batches(
    name: str, batch_size: int, max_length: int, min_length: int = 1
) -> Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """A batch function ``batch(step, rng) -> (x, y)`` for :func:`lstm_ref.train.fit`.

    Every batch draws one length uniformly from ``min_length .. max_length``
    and ``batch_size`` strings of that length (so no batch needs padding).
    """
    _spec(name)
    batch_size = check_positive_int("batch_size", batch_size)
    max_length = check_positive_int("max_length", max_length)
    min_length = check_positive_int("min_length", min_length)
    if min_length > max_length:
        raise ValueError(
            f"min_length: expected at most max_length = {max_length}, got {min_length}"
        )

    def batch(step: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        length = int(rng.integers(min_length, max_length + 1))
        x, y, _ = formal_task(name, batch_size, length, seed=rng)
        return x, y

    return batch


def formal_chance(name: str, length: int, *, n: int = 20_000, seed: Seed = 0) -> float:
    """Accuracy of always answering the most frequent class at ``length`` (estimated from ``n``)."""
    y = formal_task(name, n, length, seed=seed).y
    return float(np.bincount(y).max() / len(y))
