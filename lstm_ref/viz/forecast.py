"""Forecasts drawn over the series they forecast."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from lstm_ref.checks import check_series


def forecasts(
    actual: Any,
    predictions: Mapping[str, Any],
    *,
    start: int,
    context: int = 48,
    ylabel: str = "",
    title: str = "",
) -> Figure:
    """The end of a series with one or more forecasts of its final part.

    Parameters
    ----------
    actual : pandas.Series or array-like, shape (T,)
        The observed series; a Series' index (e.g. dates) becomes the x axis.
    predictions : dict of str to array-like
        Forecasts of ``actual[start:start + h]``, one per label: an array of
        shape ``(h,)``, or ``(R, h)`` for ``R`` runs (e.g. seeds), drawn as
        their median with a min-max band.
    start : int
        Position of the first forecast step (the forecast origin is the step before).
    context : int
        Observed steps shown before ``start``.
    ylabel, title : str
    """
    values = check_series("actual", actual)
    if not 0 < start < len(values):
        raise ValueError(f"start: expected a position in (0, {len(values)}), got {start}")
    if not predictions:
        raise ValueError("predictions: expected at least one forecast")
    index = np.asarray(getattr(actual, "index", np.arange(len(values))))
    first = max(0, start - context)
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(index[first:], values[first:], color="0.15", lw=1.3, label="observed")
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, forecast) in enumerate(predictions.items()):
        runs = np.atleast_2d(np.asarray(forecast, dtype=np.float64))
        horizon = runs.shape[1]
        if runs.ndim != 2 or start + horizon > len(values):
            raise ValueError(
                f"predictions[{label!r}]: expected shape (h,) or (R, h) with h <= "
                f"{len(values) - start}, got {np.shape(forecast)}"
            )
        x, color = index[start : start + horizon], colors[i % len(colors)]
        ax.plot(x, np.median(runs, axis=0), color=color, lw=1.5, label=label)
        if len(runs) > 1:
            ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=color, alpha=0.2, lw=0)
    ax.axvline(index[start - 1], color="0.5", lw=0.8, ls="--")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=9, ncols=2)
    return fig
