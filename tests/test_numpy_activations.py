"""Stable sigmoid and tanh: right values, no floating-point warnings, dtype kept."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_ref.numpy import sigmoid, tanh

EXTREMES = [-1e4, -1e3, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("f", [sigmoid, tanh])
def test_no_warning_for_any_finite_input(f: Any, dtype: Any) -> None:
    finfo = np.finfo(dtype)
    x = np.array([*EXTREMES, finfo.max, -finfo.max, finfo.tiny, -finfo.tiny], dtype=dtype)
    with np.errstate(all="raise"):
        out = f(x)
    assert out.dtype == dtype
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_values(dtype: Any) -> None:
    x = np.linspace(-20, 20, 401, dtype=np.float64)
    expected = 1 / (1 + np.exp(-x))  # safe in float64 on this range
    out = sigmoid(x.astype(dtype))
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=0, atol=4 * np.finfo(dtype).eps)
    x_big = np.array([-1e4, 1e4], dtype=dtype)
    np.testing.assert_array_equal(sigmoid(x_big), [0, 1])
    assert sigmoid(np.array(0.0, dtype=dtype)) == 0.5


def test_sigmoid_symmetry() -> None:
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(x) + sigmoid(-x), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_values(dtype: Any) -> None:
    x = np.array([-1e4, -2.0, 0.0, 0.5, 1e4], dtype=dtype)
    out = tanh(x)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, np.tanh(x.astype(np.float64)), rtol=2 * np.finfo(dtype).eps)
