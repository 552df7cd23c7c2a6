"""Shared helpers for the lstm_ref.numpy tests: the three cells described as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import lstm_ref.numpy as lnp


@dataclass(frozen=True)
class Cell:
    """A recurrent cell's functions and sizes, so one test covers RNN, LSTM and GRU."""

    name: str
    gates: int  # rows of W_ih per hidden unit: 1, 4, 3
    states: tuple[str, ...]  # initial-state argument names of the sequence forward
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    step_forward: Callable[..., Any]
    step_backward: Callable[..., Any]


CELLS = {
    "rnn": Cell(
        "rnn",
        1,
        ("h0",),
        lnp.rnn_forward,
        lnp.rnn_backward,
        lnp.rnn_step_forward,
        lnp.rnn_step_backward,
    ),
    "lstm": Cell(
        "lstm",
        4,
        ("h0", "c0"),
        lnp.lstm_forward,
        lnp.lstm_backward,
        lnp.lstm_step_forward,
        lnp.lstm_step_backward,
    ),
    "gru": Cell(
        "gru",
        3,
        ("h0",),
        lnp.gru_forward,
        lnp.gru_backward,
        lnp.gru_step_forward,
        lnp.gru_step_backward,
    ),
}


def make_inputs(
    cell: Cell, T: int, B: int, D: int, H: int, dtype: Any = np.float64, seed: int = 0
) -> dict[str, np.ndarray]:
    """Random inputs of a sequence forward, by argument name (non-zero initial states)."""
    rng = np.random.default_rng(seed)
    G = cell.gates * H
    arrays = {
        "x": rng.standard_normal((T, B, D)),
        **{s: rng.standard_normal((B, H)) for s in cell.states},
        "W_ih": rng.uniform(-1, 1, (G, D)),
        "W_hh": rng.uniform(-1, 1, (G, H)),
        "b_ih": rng.uniform(-1, 1, G),
        "b_hh": rng.uniform(-1, 1, G),
    }
    return {k: v.astype(dtype) for k, v in arrays.items()}


def outputs(result: tuple[Any, ...]) -> list[np.ndarray]:
    """A forward's output arrays, flattened, without the cache: [y, h_n(, c_n)]."""
    flat: list[np.ndarray] = []
    for item in result[:-1]:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return flat
