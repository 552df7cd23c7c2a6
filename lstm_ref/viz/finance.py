"""Figures of financial series: prices and returns, volatility forecasts, scores with intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from lstm_ref.checks import check_series

from ._style import HIGHLIGHT, INK

# Forecast lines, in the order they are given.
_COLOURS = ("#1f77b4", HIGHLIGHT, "#2ca02c", "#9467bd", "#8c564b")


def price_and_returns(
    dates: Sequence[Any] | np.ndarray,
    price: np.ndarray,
    returns: np.ndarray,
    *,
    part_starts: Mapping[str, Any] | None = None,
) -> Figure:
    """A price on a log scale above its daily returns, with the starts of the data's parts marked.

    Parameters
    ----------
    dates : sequence of dates, length T
    price, returns : np.ndarray, shape (T,)
    part_starts : dict of str to date, optional
        E.g. ``{"validation": date, "test": date}``: a dashed line and a label at each.
    """
    price = check_series("price", price)
    returns = check_series("returns", returns, length=len(price))
    if len(dates) != len(price):
        raise ValueError(f"dates: expected {len(price)} dates, got {len(dates)}")
    fig = Figure(figsize=(9.0, 4.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.plot(dates, price, color=INK, lw=1.0)
    top.set_yscale("log")
    for axis_formatter in (top.yaxis.set_major_formatter, top.yaxis.set_minor_formatter):
        axis_formatter(StrMethodFormatter("{x:,.0f}"))  # 2,000 rather than 2×10³
    top.set_ylabel("index level (log scale)")
    bottom.plot(dates, returns, color="#1f77b4", lw=0.5)
    bottom.set_ylabel("daily log return (%)")
    for ax in (top, bottom):
        ax.spines[["top", "right"]].set_visible(False)
        for label, start in (part_starts or {}).items():
            ax.axvline(start, color=HIGHLIGHT, ls="--", lw=1)
            if ax is top:
                ax.annotate(
                    f" {label}",
                    (start, 1.0),
                    xycoords=("data", "axes fraction"),
                    va="top",
                    color=HIGHLIGHT,
                )
    return fig


def volatility_forecasts(
    dates: Sequence[Any] | np.ndarray, returns: np.ndarray, forecasts: Mapping[str, np.ndarray]
) -> Figure:
    r"""Absolute returns against forecast volatilities :math:`\sqrt{h_t}`.

    Parameters
    ----------
    dates : sequence of dates, length T
    returns : np.ndarray, shape (T,)
        Drawn as :math:`|r_t|`, the noisy target a volatility forecast aims at.
    forecasts : dict of str to np.ndarray, each shape (T,)
        Variance forecasts :math:`h_t` per label; at most five.
    """
    returns = check_series("returns", returns)
    if len(dates) != len(returns):
        raise ValueError(f"dates: expected {len(returns)} dates, got {len(dates)}")
    if not 1 <= len(forecasts) <= len(_COLOURS):
        raise ValueError(f"forecasts: expected 1 to {len(_COLOURS)} series, got {len(forecasts)}")
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(dates, np.abs(returns), width=1.0, color="#c8c8c8", label="$|r_t|$")
    for colour, (label, variance) in zip(_COLOURS, forecasts.items(), strict=False):
        h = check_series(f"forecasts[{label!r}]", variance, length=len(returns))
        ax.plot(dates, np.sqrt(h), color=colour, lw=1.2, label=rf"{label} $\sqrt{{h_t}}$")
    ax.set_ylabel("percent")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", frameon=False, ncols=len(forecasts) + 1)
    return fig


def interval_chart(
    intervals: Mapping[str, tuple[float, float, float]],
    *,
    reference: Mapping[str, float] | None = None,
    xlabel: str = "",
) -> Figure:
    """One row per estimate: a dot with its confidence interval as a bar.

    Parameters
    ----------
    intervals : dict of str to (estimate, low, high)
        Drawn top to bottom in the given order (a
        :class:`lstm_ref.apps.finance.DirectionalAccuracy` unpacks to the first three).
    reference : dict of str to float, optional
        Vertical reference lines with their labels, e.g. ``{"coin flip": 0.5}``.
    xlabel : str
    """
    if not intervals:
        raise ValueError("intervals: expected at least one (estimate, low, high)")
    rows = []
    for label, values in intervals.items():
        estimate, low, high = (float(v) for v in tuple(values)[:3])
        if not low <= estimate <= high:
            raise ValueError(
                f"intervals[{label!r}]: expected low <= estimate <= high, "
                f"got {(estimate, low, high)}"
            )
        rows.append((label, estimate, low, high))
    fig = Figure(figsize=(7.5, 0.45 * len(rows) + 1.1), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    for k, (_, estimate, low, high) in zip(y, rows, strict=True):
        ax.plot([low, high], [k, k], color=INK, lw=2, solid_capstyle="butt")
        ax.plot(estimate, k, "o", color=HIGHLIGHT, ms=6, zorder=3)
    for colour, (label, value) in zip(_COLOURS, (reference or {}).items(), strict=False):
        ax.axvline(value, color=colour, ls="--", lw=1, label=label)
    ax.set_yticks(y, [row[0] for row in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if reference:
        ax.legend(loc="lower right", frameon=False, fontsize="small")
    return fig
