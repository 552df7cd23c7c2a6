"""Unit correlations, the best unit per signal, gate saturation, Jacobian norms by lag."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.apps.interpret import (
    Saturation,
    gate_saturation,
    state_jacobian_norms,
    top_units,
    unit_correlations,
)


def test_correlations_find_the_tracking_unit() -> None:
    rng = np.random.default_rng(0)
    signal = (rng.random(500) < 0.3).astype(float)
    values = rng.normal(size=(500, 6))
    values[:, 4] = -2.0 * signal + 0.1 * rng.normal(size=500)  # anti-correlated
    values[:, 5] = 3.0  # a dead unit
    r = unit_correlations(values, signal)
    assert r.shape == (6,)
    assert r[4] < -0.99 and np.all(np.abs(r[:4]) < 0.15) and r[5] == 0.0
    np.testing.assert_allclose(r[0], np.corrcoef(values[:, 0], signal)[0, 1])
    best = top_units(values, {"flag": signal, "noise": values[:, 1]})
    assert best["flag"].unit == 4 and best["flag"].r == pytest.approx(r[4])
    assert best["noise"] == (1, pytest.approx(1.0))
    with pytest.raises(ValueError, match="signal"):
        unit_correlations(values, np.ones(500))
    with pytest.raises(ValueError, match="signal"):
        unit_correlations(values, signal[:10])
    with pytest.raises(ValueError, match="values"):
        unit_correlations(np.zeros(5), signal)


def test_gate_saturation_fractions() -> None:
    gate = np.array([[0.05, 0.5], [0.95, 0.5], [0.05, 0.92], [0.5, 0.08]])
    sat = gate_saturation(gate)
    assert isinstance(sat, Saturation)
    np.testing.assert_allclose(sat.left, [0.5, 0.25])
    np.testing.assert_allclose(sat.right, [0.25, 0.25])
    np.testing.assert_allclose(gate_saturation(gate, low=0.4, high=0.6).left, [0.5, 0.25])
    with pytest.raises(ValueError, match="low, high"):
        gate_saturation(gate, low=0.9, high=0.1)
    with pytest.raises(ValueError, match="gate"):
        gate_saturation(gate * 2 - 1)


def test_jacobian_norms_of_a_linear_recurrence_are_matrix_powers() -> None:
    # s_t = W s_{t-1} + U x_t, so d s_T / d s_{T-k} = W^k exactly.
    gen = torch.Generator().manual_seed(0)
    W = (0.4 * torch.randn(5, 5, generator=gen, dtype=torch.float64)).requires_grad_()
    U = torch.randn(5, 2, generator=gen, dtype=torch.float64)
    x = torch.randn(12, 2, generator=gen, dtype=torch.float64)
    norms = state_jacobian_norms(
        lambda x_t, s: (s[0] @ W.T + x_t @ U.T,), x, (torch.zeros(5, dtype=torch.float64),)
    )
    W_np = W.detach().numpy()
    expected = [np.linalg.norm(np.linalg.matrix_power(W_np, k), 2) for k in range(12)]
    assert norms.shape == (12,) and norms.dtype == np.float64
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert W.grad is None  # the parameters' gradients are left alone


def test_jacobian_norms_of_a_tanh_rnn_match_the_product_of_step_jacobians() -> None:
    # d h_T / d h_{T-k} = prod_{s=T-k+1}^{T} diag(1 - h_s^2) W_hh (chapter 2).
    torch.manual_seed(1)
    cell = torch.nn.RNNCell(3, 6, dtype=torch.float64)
    x = torch.randn(15, 3, dtype=torch.float64)
    norms = state_jacobian_norms(
        lambda x_t, s: (cell(x_t, s[0]),), x, (torch.zeros(6, dtype=torch.float64),)
    )
    with torch.no_grad():
        h, hs = torch.zeros(1, 6, dtype=torch.float64), []
        for x_t in x:
            h = cell(x_t[None], h)
            hs.append(h[0].numpy())
    W_hh = cell.weight_hh.detach().numpy()
    J, expected = np.eye(6), [1.0]
    for h_s in hs[:0:-1]:  # h_T, ..., h_2
        J = J @ (np.diag(1 - h_s**2) @ W_hh)
        expected.append(np.linalg.norm(J, 2))
    np.testing.assert_allclose(norms, expected, rtol=1e-10)


def test_jacobian_norms_along_an_open_carousel_stay_one() -> None:
    # Forget gate pinned at 1 (sigma(1e4) == 1, with zero slope) and no recurrent
    # weights: c_T = c_{T-k} + writes that do not depend on c, so d c_T / d c_{T-k} = I.
    torch.manual_seed(2)
    cell = torch.nn.LSTMCell(2, 4, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_hh.zero_()
        cell.bias_ih[4:8] = 1e4
    zeros = torch.zeros(4, dtype=torch.float64)
    x = torch.randn(30, 2, dtype=torch.float64)
    np.testing.assert_array_equal(state_jacobian_norms(cell, x, (zeros, zeros), which=1), 1.0)
    with torch.no_grad():
        cell.bias_ih[4:8] = -1e4  # the gate shut: nothing of c_{T-k} reaches c_T
    np.testing.assert_array_equal(state_jacobian_norms(cell, x, (zeros, zeros), which=1)[1:], 0.0)


def test_jacobian_norms_reject_bad_input() -> None:
    cell = torch.nn.RNNCell(2, 3)
    step = lambda x_t, s: (cell(x_t, s[0]),)  # noqa: E731
    with pytest.raises(ValueError, match="x: expected"):
        state_jacobian_norms(step, torch.zeros(4, 1, 2), (torch.zeros(3),))
    with pytest.raises(ValueError, match="state: expected"):
        state_jacobian_norms(step, torch.zeros(4, 2), (torch.zeros(1, 3),))
    with pytest.raises(ValueError, match="which: expected"):
        state_jacobian_norms(step, torch.zeros(4, 2), (torch.zeros(3),), which=1)
    with torch.no_grad(), pytest.raises(ValueError, match="step: expected"):
        state_jacobian_norms(step, torch.zeros(4, 2), (torch.zeros(3),))


def test_window_correlations_match_numpy_stretch_by_stretch() -> None:
    from lstm_ref.apps.interpret import window_correlations

    rng = np.random.default_rng(0)
    signal = rng.random(200) > 0.5
    values = np.where(signal, 1.0, -1.0) + rng.normal(0, 0.5, 200)
    values[100:140] = 0.3  # a stretch where the unit does not move
    starts, r = window_correlations(values, signal, window=40, step=20)
    assert list(starts) == list(range(0, 161, 20))
    for start, rk in zip(starts, r, strict=True):
        piece = slice(start, start + 40)
        if start == 100:
            assert np.isnan(rk)
        else:
            assert rk == pytest.approx(np.corrcoef(values[piece], signal[piece])[0, 1])
    with pytest.raises(ValueError, match="values, signal"):
        window_correlations(values, signal[:-1], window=40, step=20)
    with pytest.raises(ValueError, match="window"):
        window_correlations(values, signal, window=500, step=20)
    with pytest.raises(ValueError, match="step"):
        window_correlations(values, signal, window=40, step=0)
