"""Windowing, chronological splits and scaling of time series, without leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.data import StandardScaler, chronological_split, make_windows


def test_windows_of_a_1d_series() -> None:
    x, y = make_windows(np.arange(10), input_len=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 2)
    assert x.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y[0], [3, 4])
    np.testing.assert_array_equal(x[-1, :, 0], [5, 6, 7])
    np.testing.assert_array_equal(y[-1], [8, 9])


def test_windows_of_a_2d_series_with_stride() -> None:
    series = np.stack([np.arange(20), 100 + np.arange(20)], axis=1)
    x, y = make_windows(series, input_len=4, horizon=1, stride=3)
    assert x.shape == (6, 4, 2) and y.shape == (6, 1, 2)
    np.testing.assert_array_equal(x[1, :, 1], [103, 104, 105, 106])
    np.testing.assert_array_equal(y[1, 0], [7, 107])


@given(
    T=st.integers(2, 60),
    input_len=st.integers(1, 10),
    horizon=st.integers(1, 5),
    stride=st.integers(1, 4),
)
def test_windows_never_look_ahead(T: int, input_len: int, horizon: int, stride: int) -> None:
    if input_len + horizon > T:
        with pytest.raises(ValueError, match="series"):
            make_windows(np.arange(T), input_len, horizon, stride=stride)
        return
    x, y = make_windows(np.arange(T), input_len, horizon, stride=stride)
    assert len(x) == (T - input_len - horizon) // stride + 1
    # Every target comes strictly after every input of its window, right after the last one.
    assert (y.min(axis=1) > x[..., 0].max(axis=1)).all()
    np.testing.assert_array_equal(y[:, 0], x[:, -1, 0] + 1)


def test_window_errors() -> None:
    with pytest.raises(ValueError, match="series"):
        make_windows(np.zeros((3, 3, 3)), 1)
    with pytest.raises(ValueError, match="input_len"):
        make_windows(np.zeros(10), 0)
    with pytest.raises(TypeError, match="horizon"):
        make_windows(np.zeros(10), 2, 1.5)  # type: ignore[arg-type]


def test_chronological_split_keeps_time_order() -> None:
    data = np.arange(100)
    train, val, test = chronological_split(data, val=0.2, test=0.1)
    assert len(train) == 70 and len(val) == 20 and len(test) == 10
    assert train.max() < val.min() and val.max() < test.min()
    np.testing.assert_array_equal(np.concatenate([train, val, test]), data)
    train, val, test = chronological_split(data, val=5, test=0)
    assert len(train) == 95 and len(val) == 5 and len(test) == 0


def test_chronological_split_of_pandas_is_positional() -> None:
    s = pd.Series(np.arange(10.0), index=pd.date_range("2000-01-01", periods=10, freq="D"))
    train, _, test = chronological_split(s, val=0.2, test=0.2)
    assert list(train.index) == list(s.index[:6]) and list(test.index) == list(s.index[8:])


def test_chronological_split_errors() -> None:
    with pytest.raises(ValueError, match="val"):
        chronological_split(np.arange(10), val=1.5)
    with pytest.raises(ValueError, match="at least one training step"):
        chronological_split(np.arange(10), val=5, test=5)
    with pytest.raises(TypeError, match="test"):
        chronological_split(np.arange(10), test="a")  # type: ignore[arg-type]


def test_scaler_uses_training_statistics_only() -> None:
    rng = np.random.default_rng(0)
    series = np.concatenate([rng.normal(0, 1, 800), rng.normal(10, 5, 200)])  # the future drifts
    train, _, test = chronological_split(series, val=0.1, test=0.1)
    scaler = StandardScaler().fit(train)
    assert scaler.mean_ == pytest.approx(train.mean()) and scaler.scale_ == pytest.approx(
        train.std()
    )
    z = scaler.transform(test)
    assert z.mean() > 3  # the drift shows: nothing of the test part leaked into the statistics
    np.testing.assert_allclose(scaler.inverse_transform(z), test, rtol=1e-5, atol=1e-5)
    zt = scaler.fit_transform(train)
    assert abs(zt.mean()) < 1e-6 and zt.std() == pytest.approx(1.0, rel=1e-5)


def test_scaler_per_feature_and_constant_columns() -> None:
    data = np.stack([np.arange(10.0), np.full(10, 3.0)], axis=1)
    z = StandardScaler().fit_transform(data)
    assert z.shape == (10, 2) and z.dtype == np.float32
    np.testing.assert_allclose(z[:, 1], 0.0)
    with pytest.raises(RuntimeError, match="fit"):
        StandardScaler().transform(data)
    with pytest.raises(ValueError, match="train"):
        StandardScaler().fit(np.zeros(0))


@pytest.mark.parametrize("shape", [(30,), (30, 2)])
def test_make_windows_returns_writable_arrays(shape: tuple[int, ...]) -> None:
    series = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    x, y = make_windows(series, 5, horizon=1)
    assert x.flags.writeable and y.flags.writeable
    assert x.flags.c_contiguous and y.flags.c_contiguous
