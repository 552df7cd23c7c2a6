r"""Scoring and judging anomalies in a time series.

A detector turns a series :math:`x_1, \dots, x_T` into scores :math:`s_t`
(high = unusual); a threshold :math:`\tau` turns scores into detections
:math:`s_t > \tau`; labels :math:`y_t \in \{0, 1\}` judge them.

Scores
    :func:`rolling_zscore` (the baseline: distance from the recent past),
    :func:`forecast_errors` and :class:`GaussianErrors` (a forecaster's
    errors, after Malhotra et al. 2015), :func:`rolling_mean` (spread a
    score over a window).
Judging
    :func:`roc_auc` (every threshold at once), :func:`precision_recall` (one
    threshold), :func:`~lstm_ref.data.ecg.segments` and :func:`event_counts` (whole anomalies
    rather than single points).

Only NumPy is imported.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lstm_ref.checks import check_mask, check_positive_int, check_series
from lstm_ref.data import segments


def _window(window: int, length: int) -> int:
    window = check_positive_int("window", window)
    if window > length:
        raise ValueError(f"window: expected at most the series length {length}, got {window}")
    return window


def rolling_zscore(series: np.ndarray, window: int) -> np.ndarray:
    r"""How many standard deviations each value lies from the preceding ``window`` values.

    .. math::
        s_t = \frac{|x_t - \mu_t|}{\sigma_t}, \qquad
        \mu_t = \frac{1}{w} \sum_{i=t-w}^{t-1} x_i, \qquad
        \sigma_t^2 = \frac{1}{w} \sum_{i=t-w}^{t-1} (x_i - \mu_t)^2

    Only the past enters, so the score could run online. A flat past
    (:math:`\sigma_t = 0`) gives 0 for an equal value and ``inf`` otherwise.

    Parameters
    ----------
    series : array-like, shape (T,)
    window : int
        :math:`w`, the look-back.

    Returns
    -------
    np.ndarray, float64, shape (T,)
        :math:`s_t`; NaN for the first ``window`` steps, which have too little past.
    """
    x = check_series("series", series)
    window = _window(window, len(x) - 1)
    past = sliding_window_view(x, window)[:-1]  # past[i] = x[i : i + w], for t = i + w
    mu = past.mean(axis=1)
    sigma = past.std(axis=1)
    gap = np.abs(x[window:] - mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(gap == 0, 0.0, gap / sigma)
    return np.concatenate([np.full(window, np.nan), z])


def rolling_mean(scores: np.ndarray, window: int) -> np.ndarray:
    r"""Trailing mean of a score: :math:`\bar s_t = \frac{1}{w} \sum_{i=t-w+1}^{t} s_i`.

    An anomaly that lasts longer than the moment it is noticed (a whole
    heartbeat, say) gets its evidence spread over the window.

    Parameters
    ----------
    scores : array-like, shape (T,)
    window : int
        :math:`w`.

    Returns
    -------
    np.ndarray, float64, shape (T,)
        NaN for the first ``window - 1`` steps and wherever the window holds a NaN.
    """
    s = check_series("scores", scores)
    window = _window(window, len(s))
    out = np.full(len(s), np.nan)
    out[window - 1 :] = sliding_window_view(s, window).mean(axis=1)  # NaN in, NaN out
    return out


def forecast_errors(predictions: np.ndarray, series: np.ndarray, input_len: int) -> np.ndarray:
    r"""Line up a windowed forecaster's predictions with the values they predicted.

    Window :math:`i` (from :func:`lstm_ref.data.series.make_windows`) reads
    :math:`x_{i} \dots x_{i+L-1}` and predicts the next :math:`h` values, so
    each :math:`x_t` is predicted :math:`h` times, :math:`k + 1` steps ahead
    for :math:`k = 0 \dots h - 1`. Following Malhotra et al. (2015) the
    errors form a vector per step:

    .. math::
        e_t^{(k)} = x_t - \hat x_t^{(k)}, \qquad
        \hat x_t^{(k)} = \text{prediction } k \text{ of window } i = t - L - k

    Parameters
    ----------
    predictions : array-like, shape (N, h)
        Row :math:`i` predicts ``series[i + L : i + L + h]``.
    series : array-like, shape (T,)
        The values predicted, in the same units; ``N <= T - L - h + 1``.
    input_len : int
        :math:`L`.

    Returns
    -------
    np.ndarray, float64, shape (T, h)
        :math:`e_t^{(k)}`; NaN where no window predicted :math:`x_t` with lead
        :math:`k` (the first :math:`L + k` steps and the last ones).
    """
    x = check_series("series", series)
    pred = np.asarray(predictions, dtype=np.float64)
    if pred.ndim != 2:
        raise ValueError(f"predictions: expected shape (N, h), got {pred.shape}")
    input_len = check_positive_int("input_len", input_len)
    n, h = pred.shape
    if n > len(x) - input_len - h + 1:
        raise ValueError(
            f"predictions: expected at most T - input_len - h + 1 = "
            f"{len(x) - input_len - h + 1} windows for T={len(x)}, got {n}"
        )
    errors = np.full((len(x), h), np.nan)
    for k in range(h):
        t = np.arange(n) + input_len + k
        errors[t, k] = x[t] - pred[:, k]
    return errors


class GaussianErrors:
    r"""A Gaussian fitted to normal error vectors; scores are Mahalanobis distances.

    Malhotra et al. (2015) model the error vectors :math:`e_t \in \mathbb{R}^h`
    of data believed normal as :math:`\mathcal{N}(\mu, \Sigma)` and flag the
    steps whose errors are unlikely under it. The negative log-likelihood is,
    up to constants, the squared Mahalanobis distance

    .. math:: s_t = (e_t - \mu)^\top \Sigma^{-1} (e_t - \mu)

    which accounts for the errors of nearby leads being correlated and far
    leads being larger.

    Attributes
    ----------
    mean_ : np.ndarray, shape (h,)
    cov_ : np.ndarray, shape (h, h)
        Set by :meth:`fit`.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.cov_: np.ndarray | None = None

    def fit(self, errors: np.ndarray) -> GaussianErrors:
        """Estimate :math:`\\mu, \\Sigma` from the complete rows of ``errors (T, h)``."""
        e = np.asarray(errors, dtype=np.float64)
        if e.ndim != 2:
            raise ValueError(f"errors: expected shape (T, h), got {e.shape}")
        complete = e[np.isfinite(e).all(axis=1)]
        if len(complete) <= e.shape[1]:
            raise ValueError(
                f"errors: expected more than h={e.shape[1]} complete rows to fit a "
                f"covariance, got {len(complete)}"
            )
        self.mean_ = complete.mean(axis=0)
        self.cov_ = np.atleast_2d(np.cov(complete, rowvar=False))
        return self

    def score(self, errors: np.ndarray) -> np.ndarray:
        """:math:`s_t` per row of ``errors (T, h)``, shape ``(T,)``; NaN for incomplete rows."""
        if self.mean_ is None or self.cov_ is None:
            raise RuntimeError("GaussianErrors: call fit(errors) before score")
        e = np.asarray(errors, dtype=np.float64)
        if e.ndim != 2 or e.shape[1] != len(self.mean_):
            raise ValueError(
                f"errors: expected shape (T, {len(self.mean_)}) like the fitted ones, got {e.shape}"
            )
        d = e - self.mean_
        # Solve rather than invert: Sigma^{-1} d_t for every row at once.
        return np.einsum("th,th->t", d, np.linalg.solve(self.cov_, d.T).T)


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    r"""Area under the ROC curve: the chance that an anomalous step outscores a normal one.

    .. math::
        \mathrm{AUC} = \frac{1}{n_1 n_0} \sum_{t: y_t = 1} \sum_{u: y_u = 0}
        \left( [s_t > s_u] + \tfrac12 [s_t = s_u] \right)

    computed from ranks (the Mann-Whitney statistic). 1 is a perfect ranking,
    0.5 is chance. No threshold is needed, which makes it the fair summary
    of a score before anyone has chosen one.

    Parameters
    ----------
    labels : array-like of bool or 0/1, shape (T,)
        Both classes must occur.
    scores : array-like, shape (T,)
        Finite.
    """
    y = check_mask("labels", labels)
    s = check_series("scores", scores)
    if len(s) != len(y):
        raise ValueError(f"scores: expected {len(y)} values like labels, got {len(s)}")
    if not np.isfinite(s).all():
        raise ValueError("scores: expected finite values; drop the steps that have no score")
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        raise ValueError(f"labels: expected both classes, got {n1} anomalous of {len(y)}")
    # Ranks 1..T, ties sharing their average rank.
    order = np.argsort(s, kind="stable")
    sorted_s = s[order]
    first = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    last = np.r_[first[1:], len(s)]
    ranks = np.empty(len(s))
    ranks[order] = np.repeat((first + last + 1) / 2.0, last - first)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def precision_recall(labels: np.ndarray, detections: np.ndarray) -> tuple[float, float]:
    r"""Point-level precision and recall of boolean detections.

    .. math::
        \text{precision} = \frac{TP}{TP + FP}, \qquad \text{recall} = \frac{TP}{TP + FN}

    counting steps. Precision is defined as 1 when nothing is detected (no
    false alarm was raised); recall needs at least one labelled step.

    Parameters
    ----------
    labels, detections : array-like of bool or 0/1, shape (T,)

    Returns
    -------
    (float, float)
        ``(precision, recall)``.
    """
    y = check_mask("labels", labels)
    d = check_mask("detections", detections)
    if len(d) != len(y):
        raise ValueError(f"detections: expected {len(y)} values like labels, got {len(d)}")
    if not y.any():
        raise ValueError("labels: expected at least one anomalous step to define recall")
    tp = int((y & d).sum())
    return (tp / int(d.sum()) if d.any() else 1.0), tp / int(y.sum())


class EventCounts(NamedTuple):
    """Anomalies judged as whole events rather than single steps.

    Attributes
    ----------
    found : int
        Labelled segments with at least one detection inside.
    missed : int
        Labelled segments with none.
    false_alarms : int
        Runs of detections that touch no labelled step.
    """

    found: int
    missed: int
    false_alarms: int


def event_counts(labels: np.ndarray, detections: np.ndarray) -> EventCounts:
    """Count found and missed labelled segments, and detection runs outside them.

    An operator is paged once per run of detections and needs one page per
    anomaly, however many steps either spans: this is the count that matters
    to them, where point-level precision and recall weigh long anomalies more.

    Parameters
    ----------
    labels, detections : array-like of bool or 0/1, shape (T,)
    """
    y = check_mask("labels", labels)
    d = check_mask("detections", detections)
    if len(d) != len(y):
        raise ValueError(f"detections: expected {len(y)} values like labels, got {len(d)}")
    hit = [bool(d[a:b].any()) for a, b in segments(y)]
    alarms = sum(not y[a:b].any() for a, b in segments(d))
    return EventCounts(sum(hit), len(hit) - sum(hit), alarms)
