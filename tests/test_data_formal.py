"""The regular formal-language tasks: answers match their automata, batches are well formed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lstm_ref.data import (
    FORMAL_TASKS,
    formal_answers,
    formal_batches,
    formal_chance,
    formal_task,
)


def _automaton(name: str, string: list[int]) -> int:
    """A plain finite-state walk over one string, written independently of the module."""
    state = 0
    first = string[0]
    for symbol in string:
        if name == "parity":
            state ^= symbol
        elif name == "cycle_navigation":
            state = (state + {0: 0, 1: 1, 2: -1}[symbol]) % 5
        elif name == "modular_arithmetic":
            op, k = divmod(symbol, 5)
            state = [state + k, state - k, state * k][op] % 5
    if name == "even_pairs":
        pairs = sum(1 for a, b in itertools.pairwise(string) if a != b)
        assert (pairs % 2 == 0) == (string[-1] == first)
        return int(pairs % 2 == 0)
    return state


@pytest.mark.parametrize("name", sorted(FORMAL_TASKS))
def test_answers_match_a_plain_automaton(name):
    spec = FORMAL_TASKS[name]
    x, y, lengths = formal_task(name, 200, 13, seed=3)
    assert x.shape == (200, 13, spec.symbols) and x.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int64 and np.all(lengths == 13)
    strings = x.argmax(-1)
    assert np.all(x.sum(-1) == 1)
    assert [_automaton(name, list(s)) for s in strings] == y.tolist()
    assert set(np.unique(y)) <= set(range(spec.classes))
    assert np.array_equal(formal_answers(name, strings), y)


def test_known_answers():
    assert formal_answers("parity", np.array([[1, 0, 1, 1], [0, 0, 0, 0]])).tolist() == [1, 0]
    assert formal_answers("even_pairs", np.array([[0, 1, 1, 0], [0, 1, 1, 1]])).tolist() == [1, 0]
    assert formal_answers("cycle_navigation", np.array([[1, 1, 2, 1, 1, 1, 1]])).tolist() == [0]
    # (+3) (*4) (-2): ((0 + 3) * 4 - 2) mod 5 = 0
    assert formal_answers("modular_arithmetic", np.array([[3, 14, 7]])).tolist() == [0]


def test_seeded_and_batches():
    a, b = formal_task("parity", 10, 5, seed=1), formal_task("parity", 10, 5, seed=1)
    assert np.array_equal(a.x, b.x)
    batch = formal_batches("cycle_navigation", 8, 40, min_length=30)
    seen = {batch(step, np.random.default_rng(step))[0].shape[1] for step in range(20)}
    assert min(seen) >= 30 and max(seen) <= 40 and len(seen) > 3
    x, y = batch(0, np.random.default_rng(0))
    assert x.shape[0] == 8 and y.shape == (8,)


def test_chance():
    assert abs(formal_chance("parity", 50) - 0.5) < 0.02
    assert formal_chance("even_pairs", 1) == 1.0  # one symbol: no pairs, always even
    assert abs(formal_chance("cycle_navigation", 500) - 0.2) < 0.02


def test_errors():
    with pytest.raises(ValueError, match="name: expected one of"):
        formal_task("dyck", 3, 4)
    with pytest.raises(ValueError, match="length"):
        formal_task("parity", 3, 0)
    with pytest.raises(TypeError, match="n: expected an int"):
        formal_task("parity", 2.5, 4)
    with pytest.raises(ValueError, match="min_length"):
        formal_batches("parity", 4, 10, min_length=11)
    with pytest.raises(ValueError, match="strings"):
        formal_answers("parity", np.array([[0, 2]]))
    with pytest.raises(ValueError, match="strings"):
        formal_answers("parity", np.zeros((2, 0), dtype=int))
