"""Training curves from one or many :class:`lstm_ref.history.History` objects.

Every training of the package records one: :func:`lstm_ref.train.fit` and the
applications built on the training core, and the NumPy reference's
:meth:`lstm_ref.numpy.model.LSTMModel.fit`, so the same figure draws any of them,
side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


class HistoryLike(Protocol):
    """What :func:`training_curves` reads from a :class:`lstm_ref.history.History`.

    ``step`` and ``train_loss`` have one entry per training step,
    ``eval_step``, ``val_loss`` and each list of ``val_metrics`` one per
    evaluation (all empty when there was none).
    """

    step: list[int]
    train_loss: list[float]
    eval_step: list[int]
    val_loss: list[float]
    val_metrics: dict[str, list[float]]


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average (the first points average what exists so far)."""
    if window <= 1 or len(values) < 2:
        return values
    c = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    start = np.maximum(idx - window, 0)
    return (c[idx] - c[start]) / (idx - start)


def _band(ax: Axes, runs: list[tuple[np.ndarray, np.ndarray]], label: str, color: Any) -> None:
    """Median over runs with a min-max band, on the steps all runs reached."""
    n = min(len(x) for x, _ in runs)
    if n == 0:
        return
    x = runs[0][0][:n]
    ys = np.stack([y[:n] for _, y in runs])
    ax.plot(x, np.median(ys, axis=0), color=color, lw=1.6, label=label or None)
    if len(runs) > 1:
        ax.fill_between(x, ys.min(axis=0), ys.max(axis=0), color=color, alpha=0.2, lw=0)


def training_curves(
    histories: HistoryLike
    | Sequence[HistoryLike]
    | Mapping[str, HistoryLike | Sequence[HistoryLike]],
    *,
    metric: str | None = None,
    smooth: int = 20,
    baseline: float | None = None,
    log: bool = True,
) -> Figure:
    """Training and validation loss (and one metric) against the step.

    Parameters
    ----------
    histories : History, list of History, or dict of label to either
        A list holds runs of one setting (e.g. seeds): drawn as the median
        with a min-max band. A dict draws one coloured curve per label.
    metric : str, optional
        A validation metric to plot in a third panel (e.g. ``"accuracy"``).
    smooth : int
        Moving-average window for the noisy per-step training loss.
    baseline : float, optional
        A horizontal line at the trivial predictor's loss.
    log : bool
        Log scale for the losses.
    """
    groups: dict[str, list[HistoryLike]]
    if isinstance(histories, Mapping):
        groups = {k: list(v) if isinstance(v, Sequence) else [v] for k, v in histories.items()}
    elif isinstance(histories, Sequence):
        groups = {"": list(histories)}
    else:
        groups = {"": [histories]}
    if not groups or any(len(runs) == 0 for runs in groups.values()):
        raise ValueError("histories: expected at least one History per label")
    has_val = any(h.eval_step for runs in groups.values() for h in runs)
    if metric is not None and not all(metric in h.val_metrics for r in groups.values() for h in r):
        raise ValueError(f"metric: {metric!r} was not recorded in every History")
    ncols = 1 + int(has_val) + int(metric is not None)
    fig = Figure(figsize=(4.2 * ncols, 3.4), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, runs) in enumerate(groups.items()):
        color = colors[i % len(colors)]
        _band(
            axes[0],
            [(np.asarray(h.step), _smooth(np.asarray(h.train_loss, float), smooth)) for h in runs],
            label,
            color,
        )
        if has_val:
            _band(
                axes[1],
                [(np.asarray(h.eval_step), np.asarray(h.val_loss, float)) for h in runs],
                label,
                color,
            )
        if metric is not None:
            _band(
                axes[-1],
                [(np.asarray(h.eval_step), np.asarray(h.val_metrics[metric], float)) for h in runs],
                label,
                color,
            )
    titles = ["training loss" + (f" (running mean over {smooth} steps)" if smooth > 1 else "")]
    titles += ["validation loss"] * int(has_val) + [f"validation {metric}"] * int(
        metric is not None
    )
    for j, (ax, title) in enumerate(zip(axes, titles, strict=True)):
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        is_loss = j < 1 + int(has_val)
        if is_loss and log:
            ax.set_yscale("log")
        if is_loss and baseline is not None:
            ax.axhline(baseline, color="0.4", ls="--", lw=1.0, label="baseline")
    if any(groups) or baseline is not None:
        axes[0].legend(frameon=False, fontsize=9)
    return fig


def seed_runs(
    runs: Mapping[str, Sequence[tuple[Sequence[float], Sequence[float]]]],
    *,
    ylabel: str,
    solved_share: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    baseline: float | None = None,
) -> Figure:
    """Every run of every setting as a thin line, and the share of runs solved by each step.

    Parameters
    ----------
    runs : dict of label to list of (steps, values)
        One colour per label (a setting), one thin line per run (a seed).
    ylabel : str
        What ``values`` are, e.g. ``"validation accuracy"``.
    solved_share : dict of label to (steps, share), optional
        For each setting, the fraction of its runs solved at or before each
        step (e.g. :func:`lstm_ref.apps.forget_bias.solved_fraction`), drawn as
        a step line in a second panel, in the setting's colour.
    baseline : float, optional
        A dashed horizontal line (e.g. the accuracy of guessing).
    """
    if not runs or any(len(r) == 0 for r in runs.values()):
        raise ValueError("runs: expected at least one run per label")
    if solved_share is not None and set(solved_share) != set(runs):
        raise ValueError(
            f"solved_share: expected the labels of runs {sorted(runs)}, got {sorted(solved_share)}"
        )
    panels = 1 + int(solved_share is not None)
    fig = Figure(figsize=(4.2 * panels, 3.4), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, group) in enumerate(runs.items()):
        color = colors[i % len(colors)]
        for k, (x, y) in enumerate(group):
            axes[0].plot(x, y, color=color, lw=0.9, alpha=0.7, label=label if k == 0 else None)
        if solved_share is not None:
            steps, share = solved_share[label]
            axes[1].step(steps, share, where="post", color=color, lw=1.6, label=label)
    axes[0].set_ylabel(ylabel)
    if baseline is not None:
        axes[0].axhline(baseline, color="0.4", ls="--", lw=1.0, label="chance")
    axes[0].legend(frameon=False, fontsize=9)
    if solved_share is not None:
        axes[1].set_ylabel("fraction of runs solved")
        axes[1].set_ylim(-0.03, 1.03)
        axes[1].legend(frameon=False, fontsize=9)
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig
