"""Time series for sequence models: sliding windows, chronological splits, scaling.

A forecast is only honest if the model never sees the future: split first,
in time order (:func:`chronological_split`), fit the scaler on the training
part only (:class:`StandardScaler`), then cut each part into windows
(:func:`make_windows`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lstm_ref.checks import check_fraction, check_positive_int


def make_windows(
    series: np.ndarray, input_len: int, horizon: int = 1, *, stride: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (input window, following values) pairs.

    Window ``i`` reads ``series[s : s + input_len]`` and its target is
    ``series[s + input_len : s + input_len + horizon]``, with ``s = i * stride``.

    Parameters
    ----------
    series : array-like, shape (T,) or (T, F)
    input_len : int
        Steps the model reads.
    horizon : int
        Steps ahead to predict.
    stride : int
        Steps between window starts.

    Returns
    -------
    x : np.ndarray, float32, shape (N, input_len, F)
        ``F = 1`` for a 1-D series.
    y : np.ndarray, float32, shape (N, horizon) for a 1-D series, (N, horizon, F) otherwise
        With ``N = (T - input_len - horizon) // stride + 1``.
    """
    values = np.asarray(series, dtype=np.float32)
    if values.ndim not in (1, 2):
        raise ValueError(f"series: expected shape (T,) or (T, F), got {values.shape}")
    input_len = check_positive_int("input_len", input_len)
    horizon = check_positive_int("horizon", horizon)
    stride = check_positive_int("stride", stride)
    span = input_len + horizon
    if len(values) < span:
        raise ValueError(
            f"series: expected at least input_len + horizon = {span} steps, got {len(values)}"
        )
    flat = values.ndim == 1
    values2d = values[:, None] if flat else values
    # (N, F, span) view of every window, then time back on axis 1.
    windows = sliding_window_view(values2d, span, axis=0)[::stride].transpose(0, 2, 1)
    # Copies, not views: a window view is read-only (torch warns on it) and
    # may look contiguous when a dimension has length 1.
    x = windows[:, :input_len].copy()
    y = windows[:, input_len:].copy()
    return x, (y[..., 0] if flat else y)


class Split(NamedTuple):
    """Three consecutive parts of a series: unpack as ``train, val, test = split``."""

    train: Any
    val: Any
    test: Any


def _count(name: str, part: float, total: int) -> int:
    """``part`` of ``total`` steps: a fraction (float) of them, or a count (int)."""
    if isinstance(part, float | np.floating):
        return round(check_fraction(name, part) * total)
    if isinstance(part, bool) or not isinstance(part, int | np.integer):
        raise TypeError(f"{name}: expected a fraction or a count, got {type(part).__name__}")
    return check_positive_int(name, part, minimum=0)


def chronological_split(data: Any, *, val: float = 0.15, test: float = 0.15) -> Split:
    """Split along the first axis in time order: train, then validation, then test.

    Parameters
    ----------
    data : np.ndarray, pandas Series/DataFrame, or any sequence, length T
    val, test : float or int
        Fraction of ``T`` (float) or number of steps (int) for each part; the
        training part is what is left, at the start.

    Returns
    -------
    Split
        ``(train, val, test)``, slices of ``data`` (positional for pandas objects).
    """
    total = len(data)
    n_val, n_test = _count("val", val, total), _count("test", test, total)
    n_train = total - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"val, test: expected to leave at least one training step of {total}, "
            f"got val={n_val} and test={n_test}"
        )
    rows = data.iloc if hasattr(data, "iloc") else data
    return Split(rows[:n_train], rows[n_train : n_train + n_val], rows[n_train + n_val :])


class StandardScaler:
    r"""Standardise features with statistics of the training data only.

    .. math:: z = (x - \mu) / \sigma, \qquad \mu, \sigma \text{ per feature over the training steps}

    A constant feature gets :math:`\sigma = 1`, so it is shifted, not blown up.

    Attributes
    ----------
    mean_, scale_ : np.ndarray, shape (F,) or () for a 1-D series
        Set by :meth:`fit`.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, train: np.ndarray) -> StandardScaler:
        """Learn mean and standard deviation along axis 0 of ``train (T,)`` or ``(T, F)``."""
        values = np.asarray(train, dtype=np.float64)
        if values.ndim not in (1, 2) or len(values) == 0:
            raise ValueError(
                f"train: expected a non-empty (T,) or (T, F) array, got {values.shape}"
            )
        self.mean_ = values.mean(axis=0)
        std = values.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("StandardScaler: call fit(train) before transform")
        return self.mean_, self.scale_

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``(values - mean_) / scale_``, float32, same shape as ``values``."""
        mean, scale = self._fitted()
        return ((np.asarray(values, dtype=np.float64) - mean) / scale).astype(np.float32)

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """``values * scale_ + mean_``, float32: back to the original units."""
        mean, scale = self._fitted()
        return (np.asarray(values, dtype=np.float64) * scale + mean).astype(np.float32)

    def fit_transform(self, train: np.ndarray) -> np.ndarray:
        """:meth:`fit` on ``train``, then :meth:`transform` it."""
        return self.fit(train).transform(train)
