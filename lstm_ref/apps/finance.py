r"""Honest evaluation of financial forecasts: returns, their direction, their variance.

Daily returns are nearly unpredictable, so a forecast's score must come with
its uncertainty and with the baselines a practitioner would try first:

* :func:`directional_accuracy` — how often the sign is right, with a Wilson
  confidence interval (:func:`wilson_interval`);
* :func:`diebold_mariano` — is one forecast's loss really lower than another's?
* :func:`qlike` and :func:`log_variance_nll` — scoring and training variance
  forecasts against the noisy proxy :math:`r_t^2` (Patton 2011);
* :func:`garch_forecast` — the GARCH(1,1) baseline (Bollerslev 1986), fitted
  on the training part only, through the ``arch`` package;
* :func:`next_step_windows` — windows that read the past and predict the next
  day, assigned to train/validation/test by the day they predict;
* :func:`moving_average` — trailing (honest) or centred (it reads the future:
  the look-ahead leak the chapter demonstrates).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from lstm_ref.checks import check_fraction, check_positive_int, check_series
from lstm_ref.data.series import Split, make_windows
from lstm_ref.optional import require

if TYPE_CHECKING:
    import torch


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson score interval for a binomial proportion :math:`\hat p = k / n`.

    .. math::
        \frac{\hat p + \frac{z^2}{2n} \pm z \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4n^2}}}
             {1 + \frac{z^2}{n}}

    with :math:`z` the standard normal quantile of ``(1 + confidence) / 2``.
    Unlike :math:`\hat p \pm z \sqrt{\hat p(1-\hat p)/n}` it stays inside [0, 1]
    and keeps its coverage near 0 and 1 (Wilson 1927).

    Parameters
    ----------
    successes : int
        :math:`k`, between 0 and ``n``.
    n : int
        Number of trials, at least 1.
    confidence : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    (low, high) : tuple of float
    """
    n = check_positive_int("n", n)
    successes = check_positive_int("successes", successes, minimum=0)
    if successes > n:
        raise ValueError(f"successes: expected at most n = {n}, got {successes}")
    z = _normal_quantile(0.5 + check_fraction("confidence", confidence, open_low=True) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At k = 0 (k = n) the bound is exactly 0 (1); rounding must not move it.
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return low, high


class DirectionalAccuracy(NamedTuple):
    """How often a forecast got the sign right, with a confidence interval."""

    accuracy: float
    low: float
    high: float
    n: int

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside ``[low, high]``."""
        return self.low <= value <= self.high


def _same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.ndim != 1 or a.shape != b.shape or len(a) == 0:
        raise ValueError(
            f"{name_a}, {name_b}: expected two non-empty 1-D arrays of the same length, "
            f"got shapes {a.shape} and {b.shape}"
        )


def directional_accuracy(
    forecast: np.ndarray, actual: np.ndarray, confidence: float = 0.95
) -> DirectionalAccuracy:
    r"""Fraction of days whose forecast has the sign of the actual return, with a Wilson interval.

    .. math:: \mathrm{DA} = \frac{1}{n} \sum_t \mathbb 1[\hat r_t \, r_t > 0]

    A zero forecast or a zero return counts as a miss: a forecast of 0 says
    nothing about the direction, so the zero forecast scores 0 here and is
    compared by MSE instead. The interval treats days as independent trials
    (:func:`wilson_interval`).

    Parameters
    ----------
    forecast, actual : np.ndarray, shape (n,)
    confidence : float

    Returns
    -------
    DirectionalAccuracy
        ``(accuracy, low, high, n)``.
    """
    f = np.asarray(forecast, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    _same_shape("forecast", f, "actual", a)
    hits = int(np.count_nonzero(f * a > 0))
    low, high = wilson_interval(hits, len(a), confidence)
    return DirectionalAccuracy(hits / len(a), low, high, len(a))


class DieboldMariano(NamedTuple):
    """A test of equal expected loss: ``mean_difference`` < 0 favours forecast A."""

    statistic: float
    p_value: float
    mean_difference: float


def diebold_mariano(loss_a: np.ndarray, loss_b: np.ndarray, *, lags: int = 0) -> DieboldMariano:
    r"""Diebold–Mariano test that two forecasts have the same expected loss.

    With :math:`d_t = L^A_t - L^B_t` the per-day loss differences,

    .. math::
        \mathrm{DM} = \frac{\bar d}{\sqrt{\hat\sigma^2 / n}}, \qquad
        \hat\sigma^2 = \hat\gamma_0 + 2 \sum_{k=1}^{K} \Bigl(1 - \frac{k}{K+1}\Bigr) \hat\gamma_k,

    two-sided p-value from the standard normal (Diebold & Mariano 1995).
    :math:`\hat\gamma_k` is the lag-:math:`k` autocovariance of :math:`d_t`;
    :math:`K` = ``lags`` > 0 (Newey–West weights) guards against the serial
    correlation that volatility clustering puts into variance-forecast losses.

    Parameters
    ----------
    loss_a, loss_b : np.ndarray, shape (n,)
        Losses of forecasts A and B on the same days.
    lags : int
        :math:`K`, autocovariances in the long-run variance (0: i.i.d. differences).

    Returns
    -------
    DieboldMariano
        ``(statistic, p_value, mean_difference)``.
    """
    a = np.asarray(loss_a, dtype=np.float64)
    b = np.asarray(loss_b, dtype=np.float64)
    _same_shape("loss_a", a, "loss_b", b)
    lags = check_positive_int("lags", lags, minimum=0)
    if len(a) <= lags + 1:
        raise ValueError(f"loss_a: expected more than lags + 1 = {lags + 1} days, got {len(a)}")
    d = a - b
    dev = d - d.mean()
    variance = dev @ dev / len(d)
    for k in range(1, lags + 1):
        variance += 2 * (1 - k / (lags + 1)) * (dev[k:] @ dev[:-k]) / len(d)
    if variance <= 0:
        raise ValueError("loss_a, loss_b: the loss differences have zero variance")
    statistic = d.mean() / math.sqrt(variance / len(d))
    from scipy.stats import norm

    return DieboldMariano(float(statistic), float(2 * norm.sf(abs(statistic))), float(d.mean()))


def qlike(proxy: np.ndarray, variance: np.ndarray) -> np.ndarray:
    r"""QLIKE loss of variance forecasts, per day.

    .. math:: L(\hat\sigma^2, h) = \log h + \hat\sigma^2 / h

    :math:`h` is the forecast variance, :math:`\hat\sigma^2` a noisy but
    unbiased proxy of the true variance (here the squared return). Patton (2011)
    shows QLIKE and MSE are the two classic losses that rank forecasts as the
    true variance would, however noisy the proxy; QLIKE's errors scale with
    the variance level, so calm days count as much as turbulent ones. Patton's
    normalised form :math:`\hat\sigma^2/h - \log(\hat\sigma^2/h) - 1` differs by
    :math:`\log\hat\sigma^2 + 1`, which does not depend on the forecast (and is
    undefined on the rare days with a zero return): both rank forecasts alike.

    Parameters
    ----------
    proxy : np.ndarray, shape (n,)
        Non-negative variance proxy, e.g. :math:`r_t^2`.
    variance : np.ndarray, shape (n,)
        Positive forecasts :math:`h_t`.

    Returns
    -------
    np.ndarray, float64, shape (n,)
        The loss of each day; average it for the score.
    """
    s = np.asarray(proxy, dtype=np.float64)
    h = np.asarray(variance, dtype=np.float64)
    _same_shape("proxy", s, "variance", h)
    if np.any(h <= 0) or not np.all(np.isfinite(h)):
        raise ValueError("variance: expected positive, finite forecasts")
    if np.any(s < 0):
        raise ValueError("proxy: expected non-negative values (a variance proxy such as r**2)")
    return np.log(h) + s / h


def log_variance_nll(log_variance: torch.Tensor, returns: torch.Tensor) -> torch.Tensor:
    r"""Mean QLIKE of a predicted log variance: the Gaussian negative log-likelihood of ``returns``.

    .. math:: \frac{1}{n} \sum_t \bigl(\log h_t + r_t^2 / h_t\bigr), \qquad h_t = e^{s_t}

    This is the average of :func:`qlike` with the proxy :math:`r_t^2`, and twice
    the negative log-likelihood of :math:`r_t \sim \mathcal N(0, h_t)` less its
    constant :math:`\log 2\pi`: a model trained on it is trained on the score
    it is judged by. Predicting :math:`s_t = \log h_t` keeps :math:`h_t > 0`
    without constraints.

    Parameters
    ----------
    log_variance : torch.Tensor, shape (N, 1)
        :math:`s_t`, the model's output.
    returns : torch.Tensor, shape (N, 1)
        :math:`r_t`, the (scaled) returns whose variance is forecast.

    Returns
    -------
    torch.Tensor, scalar
    """
    if log_variance.shape != returns.shape:
        raise ValueError(
            f"log_variance: expected the shape of returns {tuple(returns.shape)}, "
            f"got {tuple(log_variance.shape)}"
        )
    return (log_variance + returns.square() * (-log_variance).exp()).mean()


class GarchForecast(NamedTuple):
    """One-step variance forecasts of a GARCH model and the parameters behind them."""

    variance: np.ndarray
    params: dict[str, float]


def garch_forecast(returns: np.ndarray, n_train: int, *, o: int = 0) -> GarchForecast:
    r"""GARCH(1,1) fitted on the first ``n_train`` returns, then run forward with fixed parameters.

    .. math::
        r_t = \mu + \varepsilon_t, \qquad
        \sigma_t^2 = \omega + \alpha \varepsilon_{t-1}^2
                     + \gamma \varepsilon_{t-1}^2 \mathbb 1[\varepsilon_{t-1} < 0]
                     + \beta \sigma_{t-1}^2

    (Bollerslev 1986; the :math:`\gamma` term, ``o=1``, is GJR-GARCH's
    leverage effect, Glosten, Jagannathan & Runkle 1993). Parameters are
    estimated by Gaussian maximum likelihood on ``returns[:n_train]`` only, by
    ``arch.arch_model(...).fit(last_obs=n_train)``; the variance recursion then
    reads every later return, so the forecast for day :math:`t` uses returns up
    to :math:`t-1` and nothing after.

    Parameters
    ----------
    returns : np.ndarray, shape (T,)
        Returns in percent (the scale ``arch`` expects).
    n_train : int
        Returns used to estimate the parameters, at least 100.
    o : int
        0 for GARCH(1,1), 1 for GJR-GARCH(1,1,1).

    Returns
    -------
    GarchForecast
        ``variance (T - n_train,)``: the forecast of :math:`\sigma_t^2` for
        days ``n_train .. T-1``; ``params``: ``mu``, ``omega``, ``alpha[1]``,
        (``gamma[1]``), ``beta[1]``.
    """
    arch = require("arch", pip_name="arch", needed_for="garch_forecast()")
    r = check_series("returns", returns)
    if not np.all(np.isfinite(r)):
        raise ValueError("returns: expected finite values, got NaN or inf")
    n_train = check_positive_int("n_train", n_train, minimum=100)
    if n_train >= len(r):
        raise ValueError(f"n_train: expected fewer than the {len(r)} returns, got {n_train}")
    if o not in (0, 1):
        raise ValueError(f"o: expected 0 (GARCH) or 1 (GJR-GARCH), got {o}")
    model = arch.arch_model(r, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist="normal")
    result = model.fit(last_obs=n_train, disp="off")
    # Row t of the forecast holds the variance of day t + 1 given days up to t.
    ahead = result.forecast(horizon=1, start=n_train - 1, reindex=False).variance
    variance = ahead.to_numpy()[:-1, 0]
    return GarchForecast(variance, {k: float(v) for k, v in result.params.items()})


def next_step_windows(
    features: np.ndarray, target: np.ndarray, input_len: int, *, n_train: int, n_val: int
) -> Split:
    """Windows of ``input_len`` days of features, each predicting the target of the next day.

    Window ``i`` reads ``features[i : i + input_len]`` and predicts
    ``target[i + input_len]``. It belongs to the part (train, validation, test)
    where the day it predicts lies: days ``< n_train``, then the next
    ``n_val``, then the rest. Inputs may reach back into an earlier part (the
    past is known); no window reads a day at or after the one it predicts.

    Parameters
    ----------
    features : np.ndarray, shape (T,) or (T, F)
        Already scaled (with statistics of the training days only).
    target : np.ndarray, shape (T,)
    input_len : int
    n_train, n_val : int
        Days in the training and validation parts.

    Returns
    -------
    Split
        ``(train, val, test)``, each a tuple ``(x (N, input_len, F), y (N, 1))``
        of writable float32 arrays.
    """
    feats = np.asarray(features, dtype=np.float32)
    tgt = np.asarray(target, dtype=np.float32)
    if tgt.ndim != 1 or len(tgt) != len(feats):
        raise ValueError(
            f"target: expected shape ({len(feats)},) to match features, got {tgt.shape}"
        )
    input_len = check_positive_int("input_len", input_len)
    n_train = check_positive_int("n_train", n_train, minimum=input_len + 1)
    n_val = check_positive_int("n_val", n_val, minimum=0)
    if n_train + n_val >= len(tgt):
        raise ValueError(
            f"n_train, n_val: expected to leave test days of the {len(tgt)}, "
            f"got n_train={n_train}, n_val={n_val}"
        )
    x, _ = make_windows(feats, input_len)
    _, y = make_windows(tgt, input_len)
    cuts = (0, n_train - input_len, n_train + n_val - input_len, len(x))
    return Split(*((np.array(x[a:b]), np.array(y[a:b])) for a, b in pairwise(cuts)))


def moving_average(values: np.ndarray, window: int, *, centered: bool = False) -> np.ndarray:
    r"""Moving average over ``window`` days: trailing (uses the past) or centred (uses the future).

    .. math::
        \text{trailing: } m_t = \frac{1}{w} \sum_{k=0}^{w-1} x_{t-k}, \qquad
        \text{centred: } m_t = \frac{1}{w}
            \sum_{k=-\lfloor w/2 \rfloor}^{w - 1 - \lfloor w/2 \rfloor} x_{t+k}

    A centred average — ``pandas``' ``rolling(w, center=True)``, the smooth
    line of a chart — at day :math:`t` contains days up to
    :math:`t + \lfloor (w-1)/2 \rfloor`: as a model input it leaks the future.
    Near the ends the average is over the days that exist (like
    ``min_periods=1``), so the output has no NaNs.

    Parameters
    ----------
    values : np.ndarray, shape (T,)
    window : int
    centered : bool

    Returns
    -------
    np.ndarray, float64, shape (T,)
    """
    x = check_series("values", values)
    window = check_positive_int("window", window)
    t = np.arange(len(x))
    first = t - (window // 2 if centered else window - 1)
    start = np.clip(first, 0, len(x))
    stop = np.clip(first + window, 0, len(x))
    total = np.concatenate([[0.0], np.cumsum(x)])
    return (total[stop] - total[start]) / (stop - start)
