"""lstm_ref.apps.finance: intervals, tests and losses against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from lstm_ref.apps import finance


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (406, 754), (1, 1)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    expected = binomtest(k, n).proportion_ci(0.95, method="wilson")
    np.testing.assert_allclose(
        finance.wilson_interval(k, n), (expected.low, expected.high), atol=1e-12
    )


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_estimate_and_narrows_with_confidence(
    kn: tuple[int, int],
) -> None:
    k, n = kn
    low, high = finance.wilson_interval(k, n, 0.95)
    low90, high90 = finance.wilson_interval(k, n, 0.90)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low <= low90 and high90 <= high


def test_wilson_interval_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="successes"):
        finance.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="confidence"):
        finance.wilson_interval(1, 10, 1.5)
    with pytest.raises(TypeError, match="n"):
        finance.wilson_interval(1, 10.0)  # type: ignore[arg-type]


def test_directional_accuracy_counts_sign_agreements_and_zero_as_a_miss() -> None:
    forecast = np.array([0.5, -0.2, 0.1, 0.0, 0.3])
    actual = np.array([1.0, -1.0, -2.0, 1.0, 0.0])
    da = finance.directional_accuracy(forecast, actual)
    assert da.accuracy == pytest.approx(2 / 5) and da.n == 5
    assert (da.low, da.high) == pytest.approx(finance.wilson_interval(2, 5))
    assert da.contains(0.4) and not da.contains(0.99)
    with pytest.raises(ValueError, match="forecast, actual"):
        finance.directional_accuracy(forecast, actual[:3])


def test_a_coin_flip_forecast_has_an_interval_around_one_half() -> None:
    rng = np.random.default_rng(0)
    da = finance.directional_accuracy(rng.normal(size=4000), rng.normal(size=4000))
    assert da.contains(0.5)
    assert da.high - da.low < 0.035


def test_diebold_mariano_matches_a_t_statistic_and_detects_a_real_difference() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 1.0, 500), rng.normal(1.0, 1.0, 500)
    d = a - b
    dm = finance.diebold_mariano(a, b)
    assert dm.statistic == pytest.approx(d.mean() / (d.std() / math.sqrt(len(d))))
    assert dm.mean_difference == pytest.approx(d.mean())
    assert dm.p_value > 0.05  # same distribution
    better = finance.diebold_mariano(a - 0.5, b)
    assert better.statistic < -3 and better.p_value < 1e-3


def test_diebold_mariano_newey_west_widens_for_autocorrelated_differences() -> None:
    rng = np.random.default_rng(2)
    noise = rng.normal(size=2000)
    d = np.convolve(noise, np.ones(10) / 10, mode="valid") + 0.02  # positively autocorrelated
    plain = finance.diebold_mariano(d, np.zeros_like(d))
    robust = finance.diebold_mariano(d, np.zeros_like(d), lags=10)
    assert abs(robust.statistic) < abs(plain.statistic) / 2
    with pytest.raises(ValueError, match="zero variance"):
        finance.diebold_mariano(np.ones(10), np.zeros(10))


def test_qlike_is_minimised_by_the_true_variance() -> None:
    rng = np.random.default_rng(3)
    sigma2 = rng.uniform(0.5, 4.0, 200_000)
    proxy = sigma2 * rng.standard_normal(sigma2.shape) ** 2  # E[r^2] = sigma^2
    scores = {c: finance.qlike(proxy, c * sigma2).mean() for c in (0.7, 0.9, 1.0, 1.1, 1.4)}
    assert min(scores, key=scores.__getitem__) == 1.0
    # Patton's normalised form differs by log(proxy) + 1 only.
    s, h = np.array([1.0, 2.0]), np.array([1.5, 0.5])
    np.testing.assert_allclose(finance.qlike(s, h) - np.log(s) - 1, s / h - np.log(s / h) - 1)
    with pytest.raises(ValueError, match="variance"):
        finance.qlike(s, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="proxy"):
        finance.qlike(-s, h)


def test_log_variance_nll_is_the_mean_qlike_of_squared_returns() -> None:
    rng = np.random.default_rng(4)
    s = torch.tensor(rng.normal(size=(50, 1)))
    r = torch.tensor(rng.normal(size=(50, 1)))
    loss = finance.log_variance_nll(s, r)
    expected = finance.qlike(r.numpy()[:, 0] ** 2, np.exp(s.numpy()[:, 0])).mean()
    assert float(loss) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="log_variance"):
        finance.log_variance_nll(s[:, 0], r)


def _garch_path(n: int, omega: float, alpha: float, beta: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    r = np.empty(n)
    var = omega / (1 - alpha - beta)
    for t in range(n):
        r[t] = math.sqrt(var) * rng.standard_normal()
        var = omega + alpha * r[t] ** 2 + beta * var
    return r


def test_garch_forecast_recovers_parameters_and_follows_the_recursion() -> None:
    pytest.importorskip("arch")
    r = _garch_path(3000, 0.05, 0.10, 0.85, seed=5)
    fc = finance.garch_forecast(r, 2500)
    p = fc.params
    assert fc.variance.shape == (500,)
    assert abs(p["alpha[1]"] - 0.10) < 0.04 and abs(p["beta[1]"] - 0.85) < 0.06
    # One step of sigma^2_t = omega + alpha eps_{t-1}^2 + beta sigma^2_{t-1} with fixed parameters:
    eps = r[2500:] - p["mu"]
    step = p["omega"] + p["alpha[1]"] * eps[:-1] ** 2 + p["beta[1]"] * fc.variance[:-1]
    np.testing.assert_allclose(fc.variance[1:], step, rtol=1e-8)


def test_garch_forecast_never_reads_the_future() -> None:
    pytest.importorskip("arch")
    r = _garch_path(1500, 0.05, 0.10, 0.85, seed=6)
    changed = r.copy()
    changed[1200:] *= 3.0
    a, b = finance.garch_forecast(r, 1000), finance.garch_forecast(changed, 1000)
    assert a.params == b.params  # estimated on the first 1000 only
    np.testing.assert_allclose(a.variance[:201], b.variance[:201])  # days 1000..1200
    assert not np.allclose(a.variance[201:], b.variance[201:])
    gjr = finance.garch_forecast(r, 1000, o=1)
    assert "gamma[1]" in gjr.params
    with pytest.raises(ValueError, match="n_train"):
        finance.garch_forecast(r, 1500)
    with pytest.raises(ValueError, match="o:"):
        finance.garch_forecast(r, 1000, o=2)


def test_next_step_windows_predict_the_day_after_their_inputs() -> None:
    t = np.arange(30, dtype=np.float64)
    features = np.stack([t, -t], axis=1)
    train, val, test = finance.next_step_windows(features, 100 + t, 4, n_train=12, n_val=8)
    for x, y in (train, val, test):
        assert x.shape[1:] == (4, 2) and y.shape[1:] == (1,)
        np.testing.assert_array_equal(y[:, 0], 100 + x[:, -1, 0] + 1)
        assert x.flags.writeable and y.flags.writeable
    assert [y[0, 0] - 100 for _, y in (train, val, test)] == [4, 12, 20]
    assert [y[-1, 0] - 100 for _, y in (train, val, test)] == [11, 19, 29]
    with pytest.raises(ValueError, match="target"):
        finance.next_step_windows(features, t[:-1], 4, n_train=12, n_val=8)
    with pytest.raises(ValueError, match="n_train, n_val"):
        finance.next_step_windows(features, t, 4, n_train=12, n_val=18)


@pytest.mark.parametrize("window", [1, 4, 5])
@pytest.mark.parametrize("centered", [False, True])
def test_moving_average_matches_pandas(window: int, centered: bool) -> None:
    x = np.random.default_rng(7).normal(size=40)
    expected = pd.Series(x).rolling(window, center=centered, min_periods=1).mean()
    np.testing.assert_allclose(
        finance.moving_average(x, window, centered=centered), expected, rtol=1e-12
    )


def test_only_the_centred_moving_average_reads_the_future() -> None:
    x = np.random.default_rng(8).normal(size=50)
    later = x.copy()
    later[30:] += 10.0
    trailing = finance.moving_average(later, 5) - finance.moving_average(x, 5)
    centred = finance.moving_average(later, 5, centered=True) - finance.moving_average(
        x, 5, centered=True
    )
    assert np.all(trailing[:30] == 0)
    assert np.all(centred[28:30] != 0)  # days 28 and 29 already see day 30
    with pytest.raises(ValueError, match="values"):
        finance.moving_average(x[:, None], 5)
