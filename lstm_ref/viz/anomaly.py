"""A series with its labelled anomalies, and the scores and detections of detectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from lstm_ref.checks import check_mask, check_series
from lstm_ref.data import segments

LABEL_COLOR = "#e03131"
SCORE_COLORS = ("#1c7ed6", "#2f9e44", "#f08c00", "#7048e8")


def anomaly_panels(
    series: np.ndarray,
    labels: np.ndarray,
    scores: Mapping[str, np.ndarray] | None = None,
    *,
    thresholds: Mapping[str, float] | None = None,
    time: np.ndarray | None = None,
    boundaries: Mapping[str, float] | None = None,
    xlabel: str = "step",
    ylabel: str = "value",
    log_scores: bool = True,
) -> Figure:
    """The series on top, then one panel per score with its threshold and detections.

    Labelled anomalies are shaded red in every panel; a detection is a step
    whose score exceeds the panel's threshold, marked by a dot on the score.

    Parameters
    ----------
    series : array-like, shape (T,)
    labels : array-like of bool, shape (T,)
    scores : dict of str to array-like of shape (T,), optional
        Name to score (NaN where undefined); one panel each.
    thresholds : dict of str to float, optional
        Name to threshold, for some or all scores.
    time : array-like, shape (T,), optional
        The x coordinates (default: ``0 .. T - 1``).
    boundaries : dict of str to float, optional
        Name to x position of a dashed vertical line (e.g. where the test part begins).
    xlabel, ylabel : str
        Axis labels of the series.
    log_scores : bool
        Log scale for the scores (they are positive and span decades).
    """
    x = check_series("series", series)
    y = check_mask("labels", labels)
    if y.shape != x.shape:
        raise ValueError(f"labels: expected shape {x.shape} like series, got {y.shape}")
    t = np.arange(len(x)) if time is None else check_series("time", time, length=len(x))
    scores = dict(scores or {})
    for name, s in scores.items():
        if np.shape(s) != x.shape:
            raise ValueError(f"scores[{name!r}]: expected shape {x.shape}, got {np.shape(s)}")
    thresholds = dict(thresholds or {})
    unknown = set(thresholds) - set(scores)
    if unknown:
        raise ValueError(f"thresholds: expected names among the scores, got {sorted(unknown)}")

    rows = 1 + len(scores)
    fig = Figure(figsize=(9.0, 2.0 + 1.6 * rows), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    spans: Sequence[tuple[int, int]] = segments(y)
    step = (t[1] - t[0]) if len(t) > 1 else 1.0
    for ax in axes:
        for k, (a, b) in enumerate(spans):
            ax.axvspan(
                t[a],
                t[b - 1] + step,
                color=LABEL_COLOR,
                alpha=0.15,
                lw=0,
                label="labelled anomaly" if k == 0 else None,
            )
        for pos in (boundaries or {}).values():
            ax.axvline(pos, color="0.4", ls="--", lw=0.9)
    for name, pos in (boundaries or {}).items():
        axes[0].annotate(
            name,
            (pos, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize=8,
            color="0.3",
        )
    axes[0].plot(t, x, color="0.15", lw=0.8)
    axes[0].set_ylabel(ylabel)
    if spans:
        axes[0].legend(loc="lower left", fontsize=8, frameon=False)
    for ax, (name, s), color in zip(axes[1:], scores.items(), SCORE_COLORS * rows, strict=False):
        values = np.asarray(s, dtype=float)
        ax.plot(t, values, color=color, lw=0.9)
        ax.set_ylabel(name)
        if log_scores:
            ax.set_yscale("log")
        if name in thresholds:
            tau = thresholds[name]
            with np.errstate(invalid="ignore"):
                hit = values > tau
            ax.axhline(tau, color="0.3", lw=0.9, ls=":", label="threshold")
            ax.plot(t[hit], values[hit], ".", color=LABEL_COLOR, ms=3, label="detection")
            ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
    axes[-1].set_xlabel(xlabel)
    return fig
