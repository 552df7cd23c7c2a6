"""Bad input to the NumPy cells gives an error naming the argument, expected vs got."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from _numpy_cells import CELLS, make_inputs, outputs

from lstm_ref.numpy import DTypeError

NAMES = sorted(CELLS)


def call(name: str, **changes: Any) -> None:
    cell = CELLS[name]
    inputs: dict[str, Any] = make_inputs(cell, T=3, B=4, D=5, H=8)
    inputs.update(changes)
    cell.forward(**inputs)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_initial_state_shape(name: str) -> None:
    message = "h0: expected shape (B, H) = (4, 8), got (4, 7)"
    with pytest.raises(ValueError, match=re.escape(message)):
        call(name, h0=np.zeros((4, 7)))


def test_wrong_cell_state_shape() -> None:
    message = "c0: expected shape (B, H) = (4, 8), got (3, 8)"
    with pytest.raises(ValueError, match=re.escape(message)):
        call("lstm", c0=np.zeros((3, 8)))


@pytest.mark.parametrize("name", NAMES)
def test_wrong_rank_of_x(name: str) -> None:
    message = "x: expected a 3-D array (T, B, D), got shape (4, 5)"
    with pytest.raises(ValueError, match=re.escape(message)):
        call(name, x=np.zeros((4, 5)))


@pytest.mark.parametrize("name", NAMES)
def test_zero_length_sequence(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape("x: expected a sequence of length T >= 1")):
        call(name, x=np.zeros((0, 4, 5)))


@pytest.mark.parametrize(("name", "rows"), [("rnn", "H"), ("lstm", "4H"), ("gru", "3H")])
def test_feature_size_mismatch_between_x_and_W_ih(name: str, rows: str) -> None:
    G = CELLS[name].gates * 8
    message = f"W_ih: expected shape ({rows}, D) = ({G}, 6), got ({G}, 5)"
    with pytest.raises(ValueError, match=re.escape(message)):
        call(name, x=np.zeros((3, 4, 6)))


@pytest.mark.parametrize(("name", "rows"), [("rnn", "H"), ("lstm", "4H"), ("gru", "3H")])
def test_W_hh_not_gates_times_H_by_H(name: str, rows: str) -> None:
    message = f"W_hh: expected shape ({rows}, H), got (7, 8)"
    with pytest.raises(ValueError, match=re.escape(message)):
        call(name, W_hh=np.zeros((7, 8)))


@pytest.mark.parametrize("name", NAMES)
def test_wrong_bias_shape(name: str) -> None:
    G = CELLS[name].gates * 8
    with pytest.raises(ValueError, match=re.escape("b_hh: expected shape")) as info:
        call(name, b_hh=np.zeros(G + 1))
    assert f"= ({G},), got ({G + 1},)" in str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_dtypes(name: str) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T=2, B=2, D=2, H=2)
    inputs["W_hh"] = inputs["W_hh"].astype(np.float32)
    message = "W_hh: expected dtype float64 (the dtype of x), got float32"
    with pytest.raises(DTypeError, match=re.escape(message)):
        cell.forward(**inputs)
    # DTypeError is both a TypeError and a ValueError
    with pytest.raises(TypeError):
        cell.forward(**inputs)
    with pytest.raises(ValueError):
        cell.forward(**inputs)


@pytest.mark.parametrize("name", NAMES)
def test_non_floating_input(name: str) -> None:
    message = "x: expected a floating-point array (float32 or float64), got dtype int64"
    with pytest.raises(DTypeError, match=re.escape(message)):
        call(name, x=np.zeros((3, 4, 5), dtype=np.int64))
    with pytest.raises(DTypeError, match=re.escape("x: expected a NumPy array, got list")):
        call(name, x=[[[0.0] * 5] * 4] * 3)


@pytest.mark.parametrize("name", NAMES)
def test_step_forward_checks_too(name: str) -> None:
    cell = CELLS[name]
    seq = make_inputs(cell, T=1, B=4, D=5, H=8)
    weights = [seq[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")]
    states = [seq[s] for s in cell.states]
    with pytest.raises(ValueError, match=re.escape("x: expected a 2-D array (B, D), got shape")):
        cell.step_forward(seq["x"], *states, *weights)
    with pytest.raises(ValueError, match=re.escape("h_prev: expected shape (B, H) = (4, 8)")):
        cell.step_forward(seq["x"][0], np.zeros((4, 9)), *states[1:], *weights)


@pytest.mark.parametrize("name", NAMES)
def test_backward_checks_upstream_gradients(name: str) -> None:
    cell = CELLS[name]
    result = cell.forward(**make_inputs(cell, T=3, B=4, D=5, H=8))
    outs = outputs(result)
    message = "dy: expected shape (T, B, H) = (3, 4, 8), got (3, 4, 7)"
    with pytest.raises(ValueError, match=re.escape(message)):
        cell.backward(np.zeros((3, 4, 7)), *outs[1:], result[-1])
    with pytest.raises(DTypeError, match=re.escape("dh_n: expected dtype float64")):
        cell.backward(outs[0], outs[1].astype(np.float32), *outs[2:], result[-1])
