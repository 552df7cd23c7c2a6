"""Properties of the NumPy RNN, LSTM and GRU: gradients, steps, batches, dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _numpy_cells import CELLS, Cell, make_inputs, outputs
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.numpy import check_gradients, numerical_gradient, relative_error

NAMES = sorted(CELLS)


@pytest.mark.parametrize("name", NAMES)
def test_sequence_backward_matches_central_differences(name: str) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T=4, B=2, D=3, H=3, seed=1)
    errors = check_gradients(cell.forward, cell.backward, inputs)
    assert errors.keys() == inputs.keys()
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("name", NAMES)
def test_step_backward_matches_central_differences(name: str) -> None:
    cell = CELLS[name]
    seq = make_inputs(cell, T=1, B=3, D=2, H=4, seed=2)
    inputs = {"x": seq["x"][0], **{s.replace("0", "_prev"): seq[s] for s in cell.states}}
    inputs.update({k: seq[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")})
    errors = check_gradients(cell.step_forward, cell.step_backward, inputs)
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_detects_a_wrong_backward() -> None:
    cell = CELLS["lstm"]
    inputs = make_inputs(cell, T=3, B=2, D=2, H=2, seed=0)

    def wrong_backward(*args: Any) -> dict[str, np.ndarray]:
        grads = cell.backward(*args)
        return {**grads, "W_hh": 1.01 * grads["W_hh"]}

    errors = check_gradients(cell.forward, wrong_backward, inputs, names=["W_hh", "x"])
    assert errors["x"] < 1e-7
    assert errors["W_hh"] > 1e-3


def test_numerical_gradient_of_a_known_function() -> None:
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    grad = numerical_gradient(lambda a: float(np.sum(a**3)), x)
    assert relative_error(grad, 3 * x**2) < 1e-9
    assert np.array_equal(x, [[0.5, -1.0], [2.0, 3.0]])  # the caller's array is untouched


def test_relative_error_definition() -> None:
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # max|a-b| / max(|a|+|b|) over the whole array, not element-wise
    assert relative_error([1e-3, 1.0], [2e-3, 1.0]) == pytest.approx(1e-3 / 2.0)
    with pytest.raises(ValueError, match="shape"):
        relative_error(np.zeros(2), np.zeros(3))


def run_step_by_step(
    cell: Cell, inputs: dict[str, np.ndarray], upstream: list[np.ndarray]
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """The sequence forward and backward written as T calls of the step functions."""
    weights = [inputs[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")]
    states = [inputs[s] for s in cell.states]
    ys, caches = [], []
    for x_t in inputs["x"]:
        *states, cache = cell.step_forward(x_t, *states, *weights)
        ys.append(states[0])
        caches.append(cache)

    dy, *dstates = upstream
    totals = {k: np.zeros_like(inputs[k]) for k in ("W_ih", "W_hh", "b_ih", "b_hh")}
    dx = np.zeros_like(inputs["x"])
    for t in reversed(range(len(caches))):
        dstates[0] = dstates[0] + dy[t]
        grads = cell.step_backward(*dstates, caches[t])
        dx[t] = grads["x"]
        dstates = [grads["h_prev"], grads["c_prev"]] if cell.name == "lstm" else [grads["h_prev"]]
        for k in totals:
            totals[k] += grads[k]
    grads = {"x": dx, **dict(zip(cell.states, dstates, strict=True)), **totals}
    return [np.stack(ys), *states], grads


@given(
    name=st.sampled_from(NAMES),
    T=st.integers(1, 5),
    B=st.integers(1, 3),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_step_by_step_equals_whole_sequence(
    name: str, T: int, B: int, D: int, H: int, seed: int
) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T, B, D, H, seed=seed)
    result = cell.forward(**inputs)
    rng = np.random.default_rng(seed)
    upstream = [rng.standard_normal(o.shape) for o in outputs(result)]
    grads = cell.backward(*upstream, result[-1])

    step_outputs, step_grads = run_step_by_step(cell, inputs, upstream)
    for a, b in zip(outputs(result), step_outputs, strict=True):
        assert relative_error(a, b) < 1e-12
    for key in inputs:
        assert relative_error(grads[key], step_grads[key]) < 1e-12, key


@given(
    name=st.sampled_from(NAMES),
    T=st.integers(1, 4),
    B=st.integers(2, 4),
    seed=st.integers(0, 2**16),
)
def test_batch_elements_are_independent(name: str, T: int, B: int, seed: int) -> None:
    """Row b of a batched run equals a run on example b alone (forward and input gradients)."""
    cell = CELLS[name]
    inputs = make_inputs(cell, T, B, D=3, H=2, seed=seed)
    result = cell.forward(**inputs)
    upstream = [np.ones_like(o) for o in outputs(result)]
    grads = cell.backward(*upstream, result[-1])
    batch_axis = {"x": 1, **dict.fromkeys(cell.states, 0)}
    for b in range(B):
        alone = {
            k: np.take(v, [b], axis=batch_axis[k]) if k in batch_axis else v
            for k, v in inputs.items()
        }
        alone_result = cell.forward(**alone)
        alone_outputs = outputs(alone_result)
        alone_grads = cell.backward(*[np.ones_like(o) for o in alone_outputs], alone_result[-1])
        for batched, single in zip(outputs(result), alone_outputs, strict=True):
            axis = batched.ndim - 2  # y: (T, B, H); states: (B, H)
            assert relative_error(np.take(batched, [b], axis=axis), single) < 1e-12
        for k, axis in batch_axis.items():
            assert relative_error(np.take(grads[k], [b], axis=axis), alone_grads[k]) < 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name: str) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T=3, B=2, D=3, H=4, dtype=np.float32)
    result = cell.forward(**inputs)
    assert all(o.dtype == np.float32 for o in outputs(result))
    assert all(a.dtype == np.float32 for a in result[-1] if isinstance(a, np.ndarray))
    grads = cell.backward(*[np.ones_like(o) for o in outputs(result)], result[-1])
    assert {k: g.dtype for k, g in grads.items()} == dict.fromkeys(inputs, np.dtype(np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_none_upstream_gradients_mean_zeros(name: str) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T=3, B=2, D=2, H=3)
    result = cell.forward(**inputs)
    outs = outputs(result)
    with_zeros = cell.backward(
        np.ones_like(outs[0]), *[np.zeros_like(o) for o in outs[1:]], result[-1]
    )
    with_none = cell.backward(np.ones_like(outs[0]), *[None for _ in outs[1:]], result[-1])
    for key in inputs:
        np.testing.assert_array_equal(with_zeros[key], with_none[key])


@pytest.mark.parametrize("name", NAMES)
def test_bias_gradients_are_separate_arrays(name: str) -> None:
    """b_ih and b_hh may have equal gradients but must not alias (optimisers update in place)."""
    cell = CELLS[name]
    inputs = make_inputs(cell, T=2, B=2, D=2, H=2)
    result = cell.forward(**inputs)
    grads = cell.backward(*[np.ones_like(o) for o in outputs(result)], result[-1])
    assert not np.shares_memory(grads["b_ih"], grads["b_hh"])


def test_lstm_forget_gate_carries_the_cell_when_open() -> None:
    """With f = 1 and i = 0 the cell state is copied unchanged: the constant error carousel."""
    cell = CELLS["lstm"]
    inputs = make_inputs(cell, T=50, B=2, D=3, H=4)
    H = 4
    inputs["W_ih"][:] = 0
    inputs["W_hh"][:] = 0
    inputs["b_hh"][:] = 0
    inputs["b_ih"][:] = 0
    inputs["b_ih"][0:H] = -1e4  # input gate shut
    inputs["b_ih"][H : 2 * H] = 1e4  # forget gate open
    _, (_, c_n), cache = cell.forward(**inputs)
    np.testing.assert_array_equal(c_n, inputs["c0"])
    grads = cell.backward(None, None, np.ones_like(c_n), cache)
    # the gradient neither fades nor grows on its way back
    np.testing.assert_array_equal(grads["c0"], np.ones_like(c_n))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_gates_raise_no_floating_point_errors(name: str, dtype: Any) -> None:
    """Pre-activations around ±1e4 saturate every gate without overflow or invalid values."""
    cell = CELLS[name]
    inputs = make_inputs(cell, T=3, B=2, D=3, H=4, dtype=dtype)
    for key in ("W_ih", "W_hh", "b_ih", "b_hh"):
        inputs[key] = inputs[key] * dtype(1e4)
    with np.errstate(all="raise"):
        result = cell.forward(**inputs)
        grads = cell.backward(*[np.ones_like(o) for o in outputs(result)], result[-1])
    assert all(np.all(np.isfinite(g)) for g in grads.values())
