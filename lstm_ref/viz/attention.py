"""Where a decoder looks: attention weights as a source-by-target map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def attention_map(
    weights: np.ndarray,
    source: Sequence[str],
    target: Sequence[str],
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""The attention weights :math:`a_t(s)` of one translation as a grey-scale map.

    Row :math:`t` is an output token, column :math:`s` a source token; a dark
    cell means step :math:`t` took most of its context from token :math:`s`.
    Each row sums to 1 (:class:`lstm_ref.apps.seq2seq.LuongAttention`,
    :class:`lstm_ref.apps.seq2seq.BahdanauAttention`).

    Parameters
    ----------
    weights : np.ndarray, shape (T, S)
        Weights of ``T`` output steps over ``S`` source tokens (e.g.
        ``decoded.weights[0, :T, :S]`` from :func:`lstm_ref.apps.seq2seq.greedy_decode`).
    source : sequence of str, length S
        The source tokens, written along the x axis.
    target : sequence of str, length T
        The output tokens, written down the y axis.
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into these axes (e.g. to put two maps side by side) instead of a
        new figure sized to the map; their figure is returned.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"weights: expected shape (T, S), got {w.shape}")
    if w.shape != (len(target), len(source)):
        raise ValueError(
            f"weights: expected shape (len(target), len(source)) = "
            f"({len(target)}, {len(source)}), got {w.shape}"
        )
    if w.size and (w.min() < 0 or w.max() > 1):
        raise ValueError(f"weights: expected values in [0, 1], got {w.min():.3g}..{w.max():.3g}")
    if ax is None:
        # Half an inch a token, and room for the labels and the colour bar: a map
        # of a three-word number stays large enough to read.
        cell = 0.5
        fig = Figure(
            figsize=(2.6 + cell * max(len(source), 4), 1.8 + cell * max(len(target), 4)),
            layout="constrained",
        )
        ax = fig.add_subplot()
    else:
        fig = cast(Figure, ax.get_figure(root=True))  # axes always sit on a figure
    image = ax.imshow(w, cmap="Greys", vmin=0.0, vmax=1.0, aspect="equal")
    ax.set_xticks(range(len(source)), list(source), rotation=60, ha="right", fontsize=10)
    ax.set_yticks(range(len(target)), list(target), fontsize=10)
    ax.set_xlabel("source (English)")
    ax.set_ylabel("output (German)")
    ax.tick_params(length=0)
    if title:
        ax.set_title(title, fontsize=11)
    fig.colorbar(image, ax=ax, shrink=0.8, label="attention weight $a_t(s)$")
    return fig
