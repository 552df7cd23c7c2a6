"""Inside the network: activations over time, text coloured by a unit, gradients against lag."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib as mpl
import numpy as np
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure

from lstm_ref.checks import check_positive_int

from ._style import (
    HTML,
)


def _as_panels(values: np.ndarray | Mapping[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    panels = dict(values) if isinstance(values, Mapping) else {"": values}
    if not panels:
        raise ValueError(f"{name}: expected at least one array, got none")
    out = {}
    for key, v in panels.items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.size == 0:
            raise ValueError(
                f"{name}: expected arrays of shape (T, H), got {arr.shape} for {key!r}"
            )
        out[key] = arr
    return out


def activations(
    values: np.ndarray | Mapping[str, np.ndarray],
    *,
    tokens: Sequence[str] | None = None,
    kind: Literal["heatmap", "traces"] = "heatmap",
    units: Sequence[int] | None = None,
) -> Figure:
    """Gate or cell activations over time, one panel per array.

    Parameters
    ----------
    values : np.ndarray (T, H) or dict of str to np.ndarray (T, H)
        E.g. ``{"forget f_t": f, "input i_t": i, "cell c_t": c}`` from one sequence.
    tokens : sequence of str, optional
        ``T`` labels for the time axis (the input symbols); shown when ``T <= 60``.
    kind : {"heatmap", "traces"}
        Units as rows of an image, or one line per unit.
    units : sequence of int, optional
        Which units to show (default all; traces show at most 8).
    """
    panels = _as_panels(values, "values")
    lengths = {v.shape[0] for v in panels.values()}
    if len(lengths) != 1:
        raise ValueError(f"values: expected arrays with the same T, got {sorted(lengths)}")
    (T,) = lengths
    if tokens is not None and len(tokens) != T:
        raise ValueError(f"tokens: expected {T} labels, got {len(tokens)}")
    if kind not in ("heatmap", "traces"):
        raise ValueError(f"kind: expected 'heatmap' or 'traces', got {kind!r}")
    n = len(panels)
    fig = Figure(figsize=(min(12.0, 3.0 + 0.12 * T), 1.0 + 1.9 * n), layout="constrained")
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, arr) in zip(axes, panels.items(), strict=True):
        cols = list(units) if units is not None else list(range(arr.shape[1]))
        data = arr[:, cols]
        low, high = float(data.min()), float(data.max())
        if kind == "heatmap":
            # Symmetric colours around 0 for signed values (tanh, cell state).
            if low < 0:
                bound = max(abs(low), abs(high))
                norm = Normalize(-bound, bound)
                cmap = "RdBu_r"
            else:
                # Gates live in [0, 1]: keep that scale so panels compare.
                norm, cmap = Normalize(0.0, max(high, 1.0)), "viridis"
            im = ax.imshow(data.T, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
            ax.set_ylabel("unit")
            if len(cols) <= 16:
                ax.set_yticks(range(len(cols)), [str(c) for c in cols], fontsize=8)
            fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04)
        else:
            for c in cols[:8]:
                ax.plot(arr[:, c], lw=1.4, label=f"unit {c}")
            ax.axhline(0.0, color="0.7", lw=0.8, zorder=0)
            ax.legend(fontsize=8, ncols=min(4, len(cols[:8])), loc="upper right", frameon=False)
            ax.spines[["top", "right"]].set_visible(False)
        if title:
            ax.set_title(title, fontsize=11, loc="left")
    axes[-1].set_xlabel("time step t")
    if tokens is not None and T <= 60:
        axes[-1].set_xticks(range(T), [t if t.strip() else "␣" for t in tokens], fontsize=8)
    return fig


def _colour(value: float, cmap: Colormap, norm: Normalize) -> tuple[str, str]:
    """Background hex colour for ``value`` and a readable text colour on it."""
    r, g, b, _ = cmap(norm(value))
    text = "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#ffffff"
    return mpl.colors.to_hex((r, g, b)), text


def _check_text(text: str, values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (len(text),):
        raise ValueError(f"values: expected shape ({len(text)},), one per character, got {v.shape}")
    return v


def activation_html(
    text: str, values: np.ndarray, *, cmap: str = "RdBu_r", vmin: float = -1.0, vmax: float = 1.0
) -> HTML:
    """Text with each character's background coloured by a unit's activation.

    Karpathy, Johnson & Fei-Fei (2015) style: red for positive, blue for
    negative (with the default colour map and range, as for a tanh cell).

    Parameters
    ----------
    text : str
        ``L`` characters.
    values : np.ndarray, shape (L,)
        The unit's value after reading each character.
    cmap, vmin, vmax
        Colour map and the value range it spans.

    Returns
    -------
    HTML
        A ``<pre>`` block; newlines are kept.
    """
    v = _check_text(text, values)
    colormap, norm = mpl.colormaps[cmap], Normalize(vmin, vmax, clip=True)
    spans = []
    for ch, value in zip(text, v, strict=True):
        bg, fg = _colour(value, colormap, norm)
        shown = html.escape(ch) if ch != "\n" else "↵\n"
        spans.append(f'<span style="background:{bg};color:{fg}" title="{value:.3f}">{shown}</span>')
    style = "font-family:monospace;font-size:13px;line-height:1.5;white-space:pre-wrap"
    return HTML(f'<pre style="{style}">{"".join(spans)}</pre>')


def activation_text(
    text: str,
    values: np.ndarray,
    *,
    width: int = 60,
    cmap: str = "RdBu_r",
    vmin: float = -1.0,
    vmax: float = 1.0,
) -> Figure:
    """The matplotlib version of :func:`activation_html`: a grid of coloured characters.

    Lines wrap at ``width`` characters and at newlines (drawn as ↵).
    """
    v = _check_text(text, values)
    width = check_positive_int("width", width)
    cells: list[tuple[int, int, str, float]] = []
    row = col = 0
    for ch, value in zip(text, v, strict=True):
        if col >= width:
            row, col = row + 1, 0
        cells.append((row, col, "↵" if ch == "\n" else ch, float(value)))
        col += 1
        if ch == "\n":
            row, col = row + 1, 0
    rows = max(r for r, *_ in cells) + 1 if cells else 1
    cols = min(width, max((c for _, c, *_ in cells), default=0) + 1)
    fig = Figure(figsize=(0.16 * cols + 1.2, 0.28 * rows + 0.5), layout="constrained")
    ax = fig.add_subplot()
    colormap, norm = mpl.colormaps[cmap], Normalize(vmin, vmax, clip=True)
    for r, c, ch, value in cells:
        bg, fg = _colour(value, colormap, norm)
        ax.add_patch(mpl.patches.Rectangle((c, -r - 1), 1, 1, fc=bg, ec="none"))
        ax.text(
            c + 0.5,
            -r - 0.5,
            ch,
            ha="center",
            va="center",
            family="monospace",
            fontsize=10,
            color=fg,
        )
    ax.set_xlim(0, cols)
    ax.set_ylim(-rows, 0)
    ax.axis("off")
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax, fraction=0.03, pad=0.01)
    return fig


def gradient_vs_lag(
    lags: np.ndarray,
    norms: np.ndarray | Mapping[str, np.ndarray],
    *,
    ylabel: str = r"$\|\partial h_T / \partial h_{T-k}\|$",
) -> Figure:
    """Gradient norm against the time lag, on a log scale.

    Parameters
    ----------
    lags : np.ndarray, shape (K,)
        Time lags ``k``.
    norms : np.ndarray or dict of str to np.ndarray
        Shape ``(K,)`` for one curve or ``(R, K)`` for ``R`` runs (the median
        is drawn with the min-max band); a dict draws one curve per label,
        e.g. per spectral radius of ``W_hh``.
    ylabel : str
    """
    k = np.asarray(lags, dtype=np.float64)
    curves = dict(norms) if isinstance(norms, Mapping) else {"": norms}
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for label, values in curves.items():
        v = np.asarray(values, dtype=np.float64)
        v = v[None, :] if v.ndim == 1 else v
        if v.ndim != 2 or v.shape[1] != k.shape[0]:
            raise ValueError(
                f"norms: expected shape ({k.shape[0]},) or (R, {k.shape[0]}), got {v.shape}"
            )
        # Exact zeros (vanished in float) cannot go on a log axis: floor them.
        v = np.maximum(v, np.finfo(np.float64).tiny)
        (line,) = ax.plot(k, np.median(v, axis=0), lw=1.8, label=label or None)
        if v.shape[0] > 1:
            ax.fill_between(
                k, v.min(axis=0), v.max(axis=0), color=line.get_color(), alpha=0.2, lw=0
            )
    ax.set_yscale("log")
    ax.set_xlabel("time lag k")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if any(curves):
        ax.legend(frameon=False)
    return fig


def gate_saturation_plot(
    fractions: Mapping[str, tuple[np.ndarray, np.ndarray]], *, low: float = 0.1, high: float = 0.9
) -> Figure:
    """Karpathy, Johnson & Fei-Fei (2015)'s saturation plot: one point per unit, a panel per gate.

    Parameters
    ----------
    fractions : dict of str to (left, right)
        For each gate, e.g. ``{"input i": ..., "forget f": ..., "output o": ...}``,
        the fraction of steps each unit spends below ``low`` and above
        ``high``: two arrays of shape ``(H,)`` (a
        :class:`lstm_ref.apps.interpret.Saturation` fits).
    low, high : float
        The thresholds, for the axis labels.
    """
    if not fractions:
        raise ValueError("fractions: expected at least one gate, got none")
    fig = Figure(figsize=(3.2 * len(fractions) + 0.4, 3.4), layout="constrained")
    axes = fig.subplots(1, len(fractions), sharey=True, squeeze=False)[0]
    for ax, (name, (left, right)) in zip(axes, fractions.items(), strict=True):
        x, y = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
        if x.ndim != 1 or x.shape != y.shape:
            raise ValueError(
                f"fractions: expected two arrays of the same shape (H,) for {name!r}, "
                f"got {x.shape} and {y.shape}"
            )
        ax.plot([0, 1], [1, 0], color="0.8", lw=0.8, zorder=0)  # always saturated
        ax.scatter(x, y, s=9, alpha=0.6, lw=0)
        ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), title=name)
        ax.set_xlabel(f"fraction of steps < {low}")
        ax.set_aspect("equal")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel(f"fraction of steps > {high}")
    return fig
