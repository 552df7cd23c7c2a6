"""Figures for recognition without segmentation: CTC's per-step posteriors under the input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ._style import INK

_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def ctc_alignment(
    features: np.ndarray,
    posteriors: np.ndarray,
    labels: Sequence[str],
    *,
    stride: int = 1,
    bounds: Sequence[int] | np.ndarray | None = None,
    blank: int = 0,
    image: bool = False,
    title: str | None = None,
    feature_label: str = "feature",
) -> Figure:
    """The input as an image, and below it the probability of every class at every output step.

    A CTC recogniser's posteriors are mostly blank, with one sharp *spike*
    per label; each spike is marked with its label.

    Parameters
    ----------
    features : np.ndarray, shape (T, D)
        The input, time along axis 0 (drawn as a ``D x T`` image).
    posteriors : np.ndarray, shape (T', C)
        Probabilities (rows sum to 1) at the ``T' = ceil(T / stride)`` output steps.
    labels : sequence of str, length C
        A name per class; the blank's is used in the legend.
    stride : int
        Input steps per output step (output step ``tau`` is drawn at ``stride * tau``).
    bounds : array-like of int, optional
        Input steps where the true units begin and end, drawn as dashed lines.
    blank : int
    image : bool
        Draw the input as a grey-scale picture (row 0 on top) rather than a
        diverging heat map of features (feature 0 at the bottom).
    title : str, optional
    feature_label : str
        The upper panel's y-axis label.
    """
    values = np.asarray(features, dtype=np.float64)
    probs = np.asarray(posteriors, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"features: expected shape (T, D), got {values.shape}")
    if probs.ndim != 2 or probs.shape[0] != -(-values.shape[0] // stride):
        raise ValueError(
            f"posteriors: expected shape (ceil(T / stride), C) = "
            f"({-(-values.shape[0] // stride)}, C), got {probs.shape}"
        )
    if len(labels) != probs.shape[1]:
        raise ValueError(f"labels: expected {probs.shape[1]} names, got {len(labels)}")
    fig = Figure(figsize=(9.0, 4.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1.0, 1.1))
    if image:
        top.imshow(values.T, aspect="auto", cmap="gray_r", origin="upper", interpolation="nearest")
    else:
        limit = float(np.abs(values).max()) or 1.0
        top.imshow(
            values.T,
            aspect="auto",
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            origin="lower",
            interpolation="nearest",
        )
    top.set_ylabel(feature_label)
    steps = np.arange(probs.shape[0]) * stride + (stride - 1) / 2
    bottom.plot(
        steps, probs[:, blank], color="#bbbbbb", lw=1.2, ls="--", label=f"blank {labels[blank]}"
    )
    for c in range(probs.shape[1]):
        if c == blank:
            continue
        colour = _PALETTE[(c - 1) % len(_PALETTE)]
        bottom.plot(steps, probs[:, c], color=colour, lw=1.3)
        best = probs.argmax(axis=1)
        for tau in np.flatnonzero((best == c) & (np.r_[-1, best[:-1]] != c)):
            bottom.annotate(
                labels[c],
                (steps[tau], probs[tau, c]),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=10,
                color=colour,
                fontweight="bold",
            )
    for ax in (top, bottom):
        for b in bounds if bounds is not None else ():
            ax.axvline(b - 0.5, color=INK, lw=0.8, ls=":")
    bottom.set_ylim(0, 1.12)
    bottom.set_ylabel("probability")
    bottom.set_xlabel("input step")
    bottom.set_xlim(-0.5, values.shape[0] - 0.5)
    bottom.legend(loc="center right", fontsize=8, frameon=False)
    bottom.spines[["top", "right"]].set_visible(False)
    if title:
        top.set_title(title, fontsize=11, color=INK)
    return fig


def rates_by_group(
    groups: Sequence[str],
    rates: Mapping[str, Sequence[float] | np.ndarray],
    *,
    xlabel: str = "",
    ylabel: str = "error rate",
) -> Figure:
    """Grouped bars: one group per entry of ``groups``, one bar per method in ``rates``.

    Parameters
    ----------
    groups : sequence of str, length G
    rates : mapping of str to array-like of float, each of length G
        Method name to its rate in each group.
    """
    names = [str(g) for g in groups]
    if not rates:
        raise ValueError("rates: expected at least one method, got none")
    for method, values in rates.items():
        if len(values) != len(names):
            raise ValueError(f"rates: {method!r} has {len(values)} values, expected {len(names)}")
    fig = Figure(
        figsize=(1.2 + 0.9 * len(names) * max(1, len(rates)) / 2, 3.2), layout="constrained"
    )
    ax = fig.add_subplot()
    width = 0.8 / len(rates)
    for k, (method, values) in enumerate(rates.items()):
        x = np.arange(len(names)) + (k - (len(rates) - 1) / 2) * width
        ax.bar(x, np.asarray(values, dtype=np.float64), width, label=method, color=_PALETTE[k % 10])
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    top = max(float(np.max(np.asarray(v, dtype=np.float64))) for v in rates.values())
    ax.set_ylim(0, 1.35 * top if top > 0 else 1.0)  # headroom for the legend
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncol=min(len(rates), 2))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def digit_images(images: np.ndarray, titles: Sequence[str]) -> Figure:
    """Grey-scale images side by side (ink dark), each with a title.

    Parameters
    ----------
    images : np.ndarray, shape (K, H, W)
        Values in ``[0, 1]``, row 0 on top.
    titles : sequence of str, length K
    """
    pictures = np.asarray(images, dtype=np.float64)
    if pictures.ndim != 3:
        raise ValueError(f"images: expected shape (K, H, W), got {pictures.shape}")
    if len(titles) != len(pictures):
        raise ValueError(f"titles: expected {len(pictures)} titles, got {len(titles)}")
    width = pictures.shape[2] / pictures.shape[1]
    fig = Figure(figsize=(0.3 + 1.3 * width * len(pictures), 1.7), layout="constrained")
    axes = fig.subplots(1, len(pictures), squeeze=False)[0]
    for ax, picture, title in zip(axes, pictures, titles, strict=True):
        ax.imshow(picture, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(str(title), fontsize=9, color=INK)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
