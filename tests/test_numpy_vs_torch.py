"""lstm_ref.numpy agrees with torch autograd on torch.nn.RNN, LSTM and GRU.

Weights are copied into the torch modules; initial states are non-zero; the
loss weights every output (y and the final states) with random upstream
gradients, so every backward path is exercised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _numpy_cells import CELLS, Cell, make_inputs, outputs
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.numpy import relative_error

torch = pytest.importorskip("torch")

TOLERANCE = {np.float64: 1e-9, np.float32: 1e-5}
MODULES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def torch_forward_backward(
    cell: Cell, inputs: dict[str, np.ndarray], upstream: list[np.ndarray]
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """Outputs and input/weight gradients from torch.nn.<cell> and autograd."""
    D = inputs["x"].shape[2]
    H = inputs["W_hh"].shape[1]
    dtype = torch.float64 if inputs["x"].dtype == np.float64 else torch.float32
    module = getattr(torch.nn, MODULES[cell.name])(D, H, dtype=dtype)
    with torch.no_grad():
        for ours, theirs in [
            ("W_ih", "weight_ih_l0"),
            ("W_hh", "weight_hh_l0"),
            ("b_ih", "bias_ih_l0"),
            ("b_hh", "bias_hh_l0"),
        ]:
            getattr(module, theirs).copy_(torch.from_numpy(inputs[ours]))
    x = torch.tensor(inputs["x"], requires_grad=True)
    states = [torch.tensor(inputs[s][None], requires_grad=True) for s in cell.states]
    y, final = module(x, tuple(states) if cell.name == "lstm" else states[0])
    finals = list(final) if cell.name == "lstm" else [final]
    outs = [y] + [f[0] for f in finals]
    loss = sum((o * torch.from_numpy(u)).sum() for o, u in zip(outs, upstream, strict=True))
    loss.backward()  # type: ignore[union-attr]
    grads = {
        "x": x.grad,
        "W_ih": module.weight_ih_l0.grad,
        "W_hh": module.weight_hh_l0.grad,
        "b_ih": module.bias_ih_l0.grad,
        "b_hh": module.bias_hh_l0.grad,
    }
    grads.update({s: t.grad[0] for s, t in zip(cell.states, states, strict=True)})
    return [o.detach().numpy() for o in outs], {k: v.numpy() for k, v in grads.items()}


@given(
    name=st.sampled_from(sorted(CELLS)),
    T=st.integers(1, 6),
    B=st.integers(1, 4),
    D=st.integers(1, 6),
    H=st.integers(1, 6),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**16),
)
def test_outputs_and_every_gradient_match_torch(
    name: str, T: int, B: int, D: int, H: int, dtype: Any, seed: int
) -> None:
    cell = CELLS[name]
    inputs = make_inputs(cell, T, B, D, H, dtype, seed)
    result = cell.forward(**inputs)
    ours = outputs(result)
    rng = np.random.default_rng(seed + 1)
    upstream = [rng.standard_normal(o.shape).astype(dtype) for o in ours]
    grads = cell.backward(*upstream, result[-1])

    theirs, torch_grads = torch_forward_backward(cell, inputs, upstream)
    tol = TOLERANCE[dtype]
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == dtype
        assert relative_error(a, b) < tol
    assert grads.keys() == inputs.keys()
    for key, expected in torch_grads.items():
        assert grads[key].dtype == dtype, key
        assert grads[key].shape == expected.shape, key
        assert relative_error(grads[key], expected) < tol, key


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_torch_agreement_at_a_wider_shape(name: str, dtype: Any) -> None:
    """One larger case (D ≠ H, longer sequence) on top of the random small ones."""
    cell = CELLS[name]
    inputs = make_inputs(cell, T=30, B=5, D=7, H=11, dtype=dtype, seed=3)
    result = cell.forward(**inputs)
    upstream = [np.ones_like(o) for o in outputs(result)]
    grads = cell.backward(*upstream, result[-1])
    theirs, torch_grads = torch_forward_backward(cell, inputs, upstream)
    tol = TOLERANCE[dtype]
    for a, b in zip(outputs(result), theirs, strict=True):
        assert relative_error(a, b) < tol
    for key, expected in torch_grads.items():
        assert relative_error(grads[key], expected) < tol, key
