"""Forecasters and errors: baselines, SARIMA and ETS, the LSTM forecaster, no look-ahead."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lstm_ref.apps.forecast import (
    ETS,
    SARIMA,
    LSTMForecaster,
    SeasonalNaive,
    mae,
    recursive_forecast,
    rmse,
)


def _seasonal(n: int = 144, seed: int = 0) -> np.ndarray:
    """Trend + yearly sine + a little noise: what SARIMA and ETS are built for."""
    t = np.arange(n, dtype=np.float64)
    noise = np.random.default_rng(seed).standard_normal(n)
    return 10 + 0.1 * t + 2 * np.sin(2 * np.pi * t / 12) + 0.1 * noise


def test_errors_in_the_series_units() -> None:
    forecast, actual = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 2.0, 1.0, 4.0])
    assert mae(forecast, actual) == pytest.approx(0.75)
    assert rmse(forecast, actual) == pytest.approx(np.sqrt(5 / 4))
    with pytest.raises(ValueError, match="forecast, actual"):
        mae(forecast, actual[:3])
    with pytest.raises(ValueError, match="forecast, actual"):
        rmse([], [])


def test_seasonal_naive_repeats_the_last_season() -> None:
    series = np.arange(30.0)
    naive = SeasonalNaive(period=12).fit(series[:20])
    np.testing.assert_array_equal(naive.one_step(series, 25), series[13:18])
    np.testing.assert_array_equal(
        naive.forecast(series[:24], 14), np.concatenate([series[12:24], series[12:14]])
    )
    with pytest.raises(ValueError, match="start"):
        naive.one_step(series, 11)
    with pytest.raises(ValueError, match="history"):
        naive.forecast(series[:5], 3)
    with pytest.raises(ValueError, match="period"):
        SeasonalNaive(period=0)
    with pytest.raises(ValueError, match="series"):
        naive.one_step(np.ones((30, 2)), 20)


@pytest.mark.parametrize("make", [SARIMA, lambda: ETS(period=12)], ids=["SARIMA", "ETS"])
def test_classical_models_forecast_a_seasonal_series(make: type) -> None:
    series = _seasonal()
    model = make().fit(series[:120])
    one = model.one_step(series, 120)
    many = model.forecast(series[:120], 24)
    assert one.shape == many.shape == (24,)
    # The noise has standard deviation 0.1, the season an amplitude of 2.
    assert mae(one, series[120:]) < 0.15
    assert mae(many, series[120:]) < 0.15
    # One step of a one-step forecast is a forecast of horizon one from the past only.
    for start in (120, 131):
        assert one[start - 120] == pytest.approx(model.forecast(series[:start], 1)[0])


def test_classical_models_must_be_fitted_first() -> None:
    series = _seasonal()
    with pytest.raises(RuntimeError, match="fit"):
        SARIMA().one_step(series, 100)
    with pytest.raises(RuntimeError, match="fit"):
        ETS(period=12).forecast(series, 3)
    with pytest.raises(ValueError, match="order"):
        SARIMA(order=(1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="train"):
        ETS(period=12).fit(series[:20])


class _PlusOne(nn.Module):
    """Predicts the last value of the window plus one."""

    def __init__(self) -> None:
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1, :] + 1


def test_recursive_forecast_feeds_forecasts_back() -> None:
    context = np.array([[0.0, 1.0, 2.0], [10.0, 10.0, 10.0]])
    out = recursive_forecast(_PlusOne(), context, 4)
    np.testing.assert_array_equal(out, [[3, 4, 5, 6], [11, 12, 13, 14]])
    np.testing.assert_array_equal(recursive_forecast(_PlusOne(), context[0], 2), [3, 4])
    with pytest.raises(ValueError, match="horizon"):
        recursive_forecast(_PlusOne(), context, 0)
    with pytest.raises(ValueError, match="context"):
        recursive_forecast(_PlusOne(), np.zeros((2, 3, 1)), 2)


def test_on_changes_the_lstm_continues_a_trend_on_levels_it_cannot() -> None:
    line = 0.5 * np.arange(120.0)
    levels = LSTMForecaster(8, 8).fit(line[:100], steps=150, seed=0)
    changes = LSTMForecaster(8, 8, difference=True).fit(line[:100], steps=150, seed=0)
    # The scaler sees the training part only: the mean change of the line.
    assert changes.scaler_ is not None and changes.scaler_.mean_ == pytest.approx(0.5)
    assert np.abs(changes.forecast(line[:100], 20) - line[100:]).max() < 0.05
    on_levels = levels.forecast(line[:100], 20)
    assert np.abs(on_levels - line[100:]).max() > 5
    assert on_levels.max() < line[:100].max()  # it stays inside the range it was trained on


@pytest.mark.parametrize("difference", [False, True])
def test_lstm_one_step_reads_only_the_past(difference: bool) -> None:
    series = _seasonal(80)
    model = LSTMForecaster(12, 8, difference=difference)
    model.fit(series[:50], val=series[50:60], steps=30, seed=1)
    assert model.history_ is not None and model.history_.eval_step  # validated on val
    one = model.one_step(series, 60)
    assert one.shape == (20,)
    for start in (60, 70):
        assert one[start - 60] == pytest.approx(model.forecast(series[:start], 1)[0], rel=1e-6)
    changed = series.copy()
    changed[70:] += 100.0  # the future may change: forecasts up to step 70 must not
    np.testing.assert_array_equal(model.one_step(changed, 60)[:11], one[:11])


def test_lstm_forecaster_errors() -> None:
    series = _seasonal(60)
    with pytest.raises(RuntimeError, match="fit"):
        LSTMForecaster(12, 8).one_step(series, 30)
    with pytest.raises(TypeError, match="difference"):
        LSTMForecaster(12, 8, difference=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="train"):
        LSTMForecaster(12, 8, difference=True).fit(series[:13], steps=1)
    model = LSTMForecaster(12, 8, difference=True).fit(series[:40], steps=2)
    with pytest.raises(ValueError, match="start"):
        model.one_step(series, 12)  # needs 13 earlier values: 12 changes
    with pytest.raises(ValueError, match="history"):
        model.forecast(series[:12], 3)
