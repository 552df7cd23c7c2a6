"""Figures of Part VI: costs by sequence length, accuracy by string length, runs by model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure


def _check_lengths(x: Sequence[float], series: Mapping[str, Sequence[float]], name: str) -> None:
    if not series:
        raise ValueError(f"{name}: expected at least one series")
    for label, ys in series.items():
        if len(ys) != len(x):
            raise ValueError(
                f"{name}: expected {len(x)} values for {label!r} (one per x), got {len(ys)}"
            )


def lines_by_length(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    logy: bool = True,
) -> Figure:
    """One line per series over ``x`` on a log-2 horizontal axis (sequence lengths).

    Parameters
    ----------
    x : sequence of float, length K
    series : dict of str to sequence of float, each of length K
    xlabel, ylabel, title : str
    logy : bool
        Logarithmic vertical axis.
    """
    _check_lengths(x, series, "series")
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.subplots()
    for k, (label, ys) in enumerate(series.items()):
        ax.plot(x, ys, "o-", color=f"C{k}", label=label)
    ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xticks(list(x), [f"{int(v):,}" for v in x])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def generation_panels(
    positions: Mapping[str, Sequence[int]],
    seconds: Mapping[str, Sequence[float]],
    state_bytes: Mapping[str, Sequence[float]],
) -> Figure:
    """Per-token time (left) and the state kept (right) against tokens generated, per model."""
    fig = Figure(figsize=(9.6, 3.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    for k, label in enumerate(positions):
        _check_lengths(positions[label], {label: seconds[label]}, "seconds")
        _check_lengths(positions[label], {label: state_bytes[label]}, "state_bytes")
        left.plot(positions[label], 1e3 * np.asarray(seconds[label]), color=f"C{k}", label=label)
        right.plot(
            positions[label], np.asarray(state_bytes[label]) / 1024, color=f"C{k}", label=label
        )
    left.set_ylabel("CPU ms per token")
    right.set_ylabel("state kept (KiB)")
    left.set_ylim(bottom=0)
    for ax in (left, right):
        ax.set_xlabel("tokens generated")
        ax.spines[["top", "right"]].set_visible(False)
    left.legend(frameon=False)
    return fig


def accuracy_by_length(
    lengths: Sequence[int],
    accuracy: Mapping[str, Mapping[str, np.ndarray]],
    chance: Mapping[str, Sequence[float]],
    *,
    train_length: int | None = None,
) -> Figure:
    """One panel per task: each model's accuracy by test length, mean and min-max over seeds.

    Parameters
    ----------
    lengths : sequence of int, length K
    accuracy : dict task -> dict model -> array (seeds, K)
    chance : dict task -> sequence of K majority-class accuracies (dashed)
    train_length : int, optional
        Longest training string, marked by a vertical line.
    """
    if not accuracy:
        raise ValueError("accuracy: expected at least one task")
    fig = Figure(figsize=(9.6, 2.4 * ((len(accuracy) + 1) // 2) + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots((len(accuracy) + 1) // 2, 2, sharex=True)).ravel()
    for ax, (task, models) in zip(axes, accuracy.items(), strict=False):
        for k, (label, seq) in enumerate(models.items()):
            runs = np.atleast_2d(np.asarray(seq, dtype=float))
            if runs.shape[1] != len(lengths):
                raise ValueError(
                    f"accuracy: expected {len(lengths)} lengths for {task}/{label}, "
                    f"got {runs.shape[1]}"
                )
            ax.fill_between(lengths, runs.min(0), runs.max(0), color=f"C{k}", alpha=0.15)
            ax.plot(lengths, runs.mean(0), "o-", color=f"C{k}", label=label, ms=3)
        ax.plot(lengths, chance[task], "k--", lw=1, label="chance (majority class)")
        if train_length is not None:
            ax.axvline(train_length, color="0.6", lw=1)
        ax.set_title(task.replace("_", " "), fontsize=10, loc="left")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("accuracy")
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(accuracy) :]:
        ax.set_visible(False)
    for ax in axes[-2:]:
        ax.set_xlabel("test string length")
    axes[0].legend(frameon=False, fontsize=8, ncol=2)
    return fig


def runs_by_model(values: Mapping[str, Sequence[float]], *, ylabel: str, title: str = "") -> Figure:
    """Every run of every model as a dot, with the mean as a short line (seeds side by side)."""
    if not values:
        raise ValueError("values: expected at least one model")
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    for k, seq in enumerate(values.values()):
        runs = np.asarray(seq, dtype=float)
        ax.hlines(runs.mean(), k - 0.3, k + 0.3, color=f"C{k}", lw=2)
        ax.plot(
            np.full(len(runs), k) + np.linspace(-0.15, 0.15, len(runs)),
            runs,
            "o",
            color=f"C{k}",
            ms=4,
        )
    ax.set_xticks(range(len(values)), list(values))
    ax.set_ylabel(ylabel)
    lows = min(np.min(v) for v in values.values())
    highs = max(np.max(v) for v in values.values())
    ax.set_ylim(lows - 0.1 * (highs - lows) - 1e-9, highs + 0.1 * (highs - lows) + 1e-9)
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig
