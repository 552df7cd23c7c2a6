"""Unit correlations, the best unit per signal, gate saturation."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.interpret import Saturation, gate_saturation, top_units, unit_correlations


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
