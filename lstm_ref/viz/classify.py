"""Figures for classification: class sizes, a confusion matrix, sequences as heat maps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from lstm_ref.checks import check_padded

from ._style import INK


def _names(name: str, values: Sequence[str], count: int) -> list[str]:
    names = [str(v) for v in values]
    if len(names) != count:
        raise ValueError(f"{name}: expected {count} names, got {len(names)}")
    return names


def class_sizes(counts: np.ndarray | Sequence[int], classes: Sequence[str]) -> Figure:
    """How many examples each class has, as horizontal bars (largest on top).

    Parameters
    ----------
    counts : array-like of int, shape (C,)
    classes : sequence of str, length C
        The class names.
    """
    sizes = np.asarray(counts)
    if sizes.ndim != 1:
        raise ValueError(f"counts: expected shape (C,), got {sizes.shape}")
    names = _names("classes", classes, len(sizes))
    order = np.argsort(sizes, kind="stable")
    fig = Figure(figsize=(6.0, 0.28 * len(sizes) + 0.9), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(np.arange(len(sizes)), sizes[order], color="#9db7d3")
    ax.set_yticks(np.arange(len(sizes)), [names[k] for k in order])
    for row, k in enumerate(order):
        ax.text(sizes[k], row, f" {sizes[k]:,}", va="center", fontsize=9, color=INK)
    ax.set_xlabel("examples")
    ax.set_xlim(0, sizes.max() * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def confusion_heatmap(
    matrix: np.ndarray, classes: Sequence[str], *, title: str | None = None
) -> Figure:
    r"""A confusion matrix with each row scaled to sum to 1 (the recall on the diagonal).

    Colour shows :math:`M_{ij} / \sum_j M_{ij}`, the share of true class
    :math:`i` predicted as :math:`j`; the cells print the raw counts.

    Parameters
    ----------
    matrix : np.ndarray, int, shape (C, C)
        Rows true classes, columns predictions
        (:func:`lstm_ref.apps.classify.confusion_matrix`).
    classes : sequence of str, length C
    title : str, optional
    """
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"matrix: expected a square (C, C) array, got shape {counts.shape}")
    names = _names("classes", classes, len(counts))
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 1.4 + 0.45 * len(counts)
    fig = Figure(figsize=(size + 1.2, size), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if share[i, j] > 0.6 else INK,
            )
    ticks = np.arange(len(counts))
    ax.set_xticks(ticks, names, rotation=60, ha="right")
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=11, color=INK)
    fig.colorbar(image, ax=ax, shrink=0.8, label="share of the true class")
    return fig


def sequence_heatmaps(
    x: np.ndarray, lengths: np.ndarray | Sequence[int], titles: Sequence[str]
) -> Figure:
    """Several multivariate sequences side by side, each as a (feature, time) heat map.

    Parameters
    ----------
    x : np.ndarray, shape (K, T, D)
        ``K`` padded sequences; only each one's first ``lengths[k]`` steps are drawn.
    lengths : array-like of int, shape (K,)
    titles : sequence of str, length K
    """
    values, steps = check_padded(x, lengths)
    names = _names("titles", titles, len(values))
    limit = max(float(np.abs(v[:n]).max()) for v, n in zip(values, steps, strict=True))
    fig = Figure(figsize=(2.3 * len(values) + 0.8, 2.8), layout="constrained")
    axes = fig.subplots(1, len(values), sharey=True, squeeze=False)[0]
    image = None
    for ax, v, n, name in zip(axes, values, steps, names, strict=True):
        image = ax.imshow(
            v[:n].T,
            aspect="auto",
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            origin="lower",
            interpolation="nearest",
        )
        ax.set_title(name, fontsize=10, color=INK)
        ax.set_xlabel("frame")
    axes[0].set_ylabel("feature")
    assert image is not None
    fig.colorbar(image, ax=list(axes), shrink=0.9)
    return fig
