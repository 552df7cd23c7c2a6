"""The book's shared figures, drawn with matplotlib (no external images).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot,
so nothing is shown or kept open behind the caller's back: a notebook
displays the returned figure, a script calls ``fig.savefig(...)``. Text
coloured by activation and animations come back as :class:`HTML`, a string
that notebooks render (no CDN, no widgets: it plays in a static site).

Diagrams
    :func:`unrolled_rnn`, :func:`lstm_cell` (``highlight=`` one piece)
Inside the network
    :func:`activations`, :func:`activation_html`, :func:`activation_text`,
    :func:`gradient_vs_lag`
Training
    :func:`training_curves`
Animation
    :func:`animate_traces`, :func:`animation_html`
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

import matplotlib as mpl
import numpy as np
from matplotlib.animation import Animation, FuncAnimation
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

# One palette for every diagram: colah-like pastel boxes, dark ink.
INK = "#2b2b2b"
CELL_FILL, CELL_EDGE = "#e8f3e8", "#7fae7f"
GATE_FILL, GATE_EDGE = "#fbe7a1", "#c9a227"
OP_FILL, OP_EDGE = "#f7c6cf", "#c0576b"
INPUT_FILL, OUTPUT_FILL = "#cfe3f7", "#e3d3f2"
HIGHLIGHT = "#d9480f"
DIM = 0.22


class HTML(str):
    """A string of HTML that Jupyter displays as HTML (``_repr_html_``), no IPython needed."""

    def _repr_html_(self) -> str:
        return str(self)


class HistoryLike(Protocol):
    """What :func:`training_curves` reads from a :class:`lstm_ref.train.History`."""

    step: list[int]
    train_loss: list[float]
    eval_step: list[int]
    val_loss: list[float]
    val_metrics: dict[str, list[float]]


# --------------------------------------------------------------------------- #
# Drawing primitives.
# --------------------------------------------------------------------------- #


def _diagram_axes(fig: Figure, xlim: tuple[float, float], ylim: tuple[float, float]) -> Axes:
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(
    ax: Axes,
    xy: tuple[float, float],
    w: float,
    h: float,
    text: str = "",
    *,
    fill: str = GATE_FILL,
    edge: str = GATE_EDGE,
    fontsize: float = 13,
    alpha: float = 1.0,
    lw: float = 1.4,
    pad: float = 0.08,
) -> None:
    """A rounded box centred at ``xy`` with centred text."""
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle=f"round,pad={pad},rounding_size={min(w, h) * 0.25}",
            fc=fill,
            ec=edge,
            lw=lw,
            alpha=alpha,
            zorder=3,
        )
    )
    if text:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=INK,
            alpha=alpha,
            zorder=4,
        )


def _op(
    ax: Axes,
    xy: tuple[float, float],
    text: str,
    *,
    r: float = 0.3,
    alpha: float = 1.0,
    lw: float = 1.4,
) -> None:
    """A point-wise operation: a pink circle with the operator inside."""
    ax.add_patch(Circle(xy, r, fc=OP_FILL, ec=OP_EDGE, lw=lw, alpha=alpha, zorder=3))
    size = 15 if len(text) == 1 else 9
    ax.text(*xy, text, ha="center", va="center", fontsize=size, color=INK, alpha=alpha, zorder=4)


def _path(
    ax: Axes,
    points: Sequence[tuple[float, float]],
    *,
    color: str = INK,
    lw: float = 1.6,
    alpha: float = 1.0,
    arrow: bool = True,
    zorder: float = 2,
) -> None:
    """A polyline through ``points`` with an arrow head at the end."""
    xs, ys = zip(*points, strict=True)
    ax.plot(
        xs[:-1], ys[:-1], color=color, lw=lw, alpha=alpha, zorder=zorder, solid_capstyle="round"
    )
    ax.add_patch(
        FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>" if arrow else "-",
            mutation_scale=12,
            color=color,
            lw=lw,
            alpha=alpha,
            zorder=zorder,
            shrinkA=0,
            shrinkB=0,
        )
    )


def _op_label(ax: Axes, xy: tuple[float, float], text: str, fill: str, alpha: float = 1.0) -> None:
    """An input/output label in a pale circle (colah's blue and purple)."""
    ax.add_patch(Circle(xy, 0.3, fc=fill, ec="#8899aa", lw=1.0, alpha=alpha, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=12, color=INK, alpha=alpha, zorder=4)


# --------------------------------------------------------------------------- #
# Diagrams.
# --------------------------------------------------------------------------- #


def unrolled_rnn(T: int = 4, *, cell: str = "A", folded: bool = True) -> Figure:
    r"""A recurrent network unrolled over ``T`` steps.

    .. math:: h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    The same cell (same weights) reads :math:`x_t` and :math:`h_{t-1}` and
    writes :math:`h_t`. With ``folded=True`` the folded network (a cell with a
    loop) is drawn first, then "=", then the unrolled chain.

    Parameters
    ----------
    T : int
        Steps to unroll (1 to 12).
    cell : str
        The label inside each cell box.
    folded : bool
        Draw the folded network to the left.
    """
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= 12:
        raise ValueError(f"T: expected an int in [1, 12], got {T!r}")
    step = 2.0
    left = 3.9 if folded else 0.0
    width = left + step * T + 0.6
    fig = Figure(figsize=(0.9 * width, 0.9 * 4.4))
    ax = _diagram_axes(fig, (-0.9, width - 0.3), (-0.4, 4.0))

    def column(x: float, t_label: str) -> None:
        _path(ax, [(x, 0.55), (x, 1.35)])
        _path(ax, [(x, 2.25), (x, 3.05)])
        _box(ax, (x, 1.8), 1.1, 0.8, cell, fill=CELL_FILL, edge=CELL_EDGE, fontsize=15)
        _op_label(ax, (x, 0.25), rf"$x_{{{t_label}}}$", INPUT_FILL)
        _op_label(ax, (x, 3.35), rf"$h_{{{t_label}}}$", OUTPUT_FILL)

    if folded:
        column(0.0, "t")
        # The loop: out of the right side, round, back into the left side.
        loop = FancyArrowPatch(
            (0.64, 2.1),
            (0.64, 1.5),
            connectionstyle="arc3,rad=-1.7",
            arrowstyle="-|>",
            mutation_scale=12,
            color=INK,
            lw=1.6,
            zorder=2,
        )
        ax.add_patch(loop)
        ax.text(1.95, 1.8, "=", ha="center", va="center", fontsize=24, color=INK)
    xs = [left + step * t for t in range(T)]
    for t, x in enumerate(xs):
        column(x, str(t + 1))
    for a, b in itertools.pairwise(xs):
        _path(ax, [(a + 0.65, 1.8), (b - 0.65, 1.8)])
    # State in from the left and out to the right: the chain goes on.
    _path(ax, [(xs[0] - 1.25, 1.8), (xs[0] - 0.65, 1.8)])
    ax.text(xs[0] - 1.3, 2.05, r"$h_0$", ha="center", fontsize=12, color=INK)
    _path(ax, [(xs[-1] + 0.65, 1.8), (xs[-1] + 1.2, 1.8)])
    return fig


_PIECES = ("cell", "forget", "input", "output")

_EQUATIONS = {
    "cell": r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
    "forget": r"$f_t = \sigma(W_{if}\, x_t + b_{if} + W_{hf}\, h_{t-1} + b_{hf})$",
    "input": r"$i_t = \sigma(W_{ii}\, x_t + b_{ii} + W_{hi}\, h_{t-1} + b_{hi}),\quad"
    r"g_t = \tanh(W_{ig}\, x_t + b_{ig} + W_{hg}\, h_{t-1} + b_{hg})$",
    "output": r"$o_t = \sigma(W_{io}\, x_t + b_{io} + W_{ho}\, h_{t-1} + b_{ho}),\quad"
    r"h_t = o_t \odot \tanh(c_t)$",
}


def lstm_cell(highlight: Literal["cell", "forget", "input", "output"] | None = None) -> Figure:
    r"""The LSTM cell, colah-style, with one piece optionally highlighted.

    .. math::
        f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    Parameters
    ----------
    highlight : {"cell", "forget", "input", "output"} or None
        The piece drawn in colour while the rest fades, with its equation
        underneath: the cell-state line (the constant error carousel), the
        forget gate, the input gate with its candidate :math:`g_t`, or the
        output gate with :math:`\tanh(c_t)`.
    """
    if highlight is not None and highlight not in _PIECES:
        raise ValueError(f"highlight: expected one of {_PIECES} or None, got {highlight!r}")
    fig = Figure(figsize=(8.2, 5.6 if highlight else 5.0))
    ax = _diagram_axes(fig, (-0.2, 12.2), (-1.6 if highlight else -0.8, 6.6))

    def style(piece: str) -> dict[str, Any]:
        """Line style of a piece: bright when highlighted, faded when another one is."""
        if highlight is None:
            return {"color": INK, "lw": 1.6, "alpha": 1.0}
        if piece == highlight:
            return {"color": HIGHLIGHT, "lw": 2.8, "alpha": 1.0}
        return {"color": INK, "lw": 1.6, "alpha": DIM}

    def alpha(piece: str) -> float:
        return 1.0 if highlight in (None, piece) else DIM

    def lw(piece: str) -> float:
        return 2.6 if highlight == piece else 1.4

    cy, hy, gy = 4.6, 1.2, 2.5  # heights of the cell line, the hidden line, the gates
    fx, ix, gx, ox, tx = 3.0, 4.6, 5.9, 7.5, 8.9  # forget, input, candidate, output, tanh(c)
    ax.add_patch(
        FancyBboxPatch(
            (1.5, 0.45),
            8.9,
            4.95,
            boxstyle="round,pad=0.1,rounding_size=0.5",
            fc=CELL_FILL,
            ec=CELL_EDGE,
            lw=1.6,
            zorder=0,
            alpha=1.0 if highlight is None else 0.6,
        )
    )
    # The cell state: a straight line through the cell, touched only by x and +.
    cell = style("cell")
    _path(ax, [(0.3, cy), (fx - 0.3, cy)], **cell, arrow=False)
    _path(ax, [(fx + 0.3, cy), (ix + 0.6 - 0.3, cy)], **cell, arrow=False)
    _path(ax, [(ix + 0.6 + 0.3, cy), (11.7, cy)], **cell)
    ax.text(0.3, cy + 0.3, r"$c_{t-1}$", fontsize=13, color=INK, alpha=alpha("cell"))
    ax.text(11.3, cy + 0.3, r"$c_t$", fontsize=13, color=INK, alpha=alpha("cell"))
    # The hidden state and the input feed every gate from below.
    shared: dict[str, Any] = {"color": INK, "lw": 1.6, "alpha": 1.0 if highlight is None else 0.55}
    _path(ax, [(0.3, hy), (ox, hy)], **shared, arrow=False)
    _path(ax, [(2.2, -0.35), (2.2, hy)], **shared, arrow=False)
    ax.add_patch(Circle((2.2, hy), 0.06, color=INK, zorder=3, alpha=shared["alpha"]))
    ax.text(0.3, hy + 0.25, r"$h_{t-1}$", fontsize=13, color=INK, alpha=shared["alpha"])
    _op_label(ax, (2.2, -0.55), r"$x_t$", INPUT_FILL, alpha=shared["alpha"])
    for x, piece in ((fx, "forget"), (ix, "input"), (gx, "input"), (ox, "output")):
        _path(ax, [(x, hy), (x, gy - 0.32)], **(style(piece) if highlight == piece else shared))
    # Forget gate: f_t scales the old cell state.
    _box(ax, (fx, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("forget"), lw=lw("forget"))
    _path(ax, [(fx, gy + 0.33), (fx, cy - 0.3)], **style("forget"))
    ax.text(fx - 0.45, 3.5, r"$f_t$", fontsize=13, color=INK, alpha=alpha("forget"))
    _op(
        ax,
        (fx, cy),
        "×",
        alpha=max(alpha("forget"), alpha("cell")),
        lw=max(lw("forget"), lw("cell")),
    )
    # Input gate and candidate: i_t * g_t is added to the cell.
    mx = ix + 0.6  # where i_t * g_t is formed, under the +
    _box(ax, (ix, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("input"), lw=lw("input"))
    _box(ax, (gx, gy), 0.8, 0.5, "tanh", fontsize=10, alpha=alpha("input"), lw=lw("input"))
    _path(ax, [(ix, gy + 0.33), (ix, 3.55), (mx - 0.3, 3.55)], **style("input"))
    _path(ax, [(gx, gy + 0.33), (gx, 3.55), (mx + 0.3, 3.55)], **style("input"))
    ax.text(ix - 0.45, 3.0, r"$i_t$", fontsize=13, color=INK, alpha=alpha("input"))
    ax.text(gx + 0.12, 3.0, r"$g_t$", fontsize=13, color=INK, alpha=alpha("input"))
    _op(ax, (mx, 3.55), "×", alpha=alpha("input"), lw=lw("input"))
    _path(ax, [(mx, 3.85), (mx, cy - 0.3)], **style("input"))
    _op(
        ax, (mx, cy), "+", alpha=max(alpha("input"), alpha("cell")), lw=max(lw("input"), lw("cell"))
    )
    # Output gate: h_t = o_t * tanh(c_t), out to the right and up.
    _box(ax, (ox, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("output"), lw=lw("output"))
    ax.text(ox - 0.15, 3.0, r"$o_t$", fontsize=13, color=INK, alpha=alpha("output"))
    _path(ax, [(tx, cy), (tx, 3.85)], **style("output"))
    _op(ax, (tx, 3.55), "tanh", alpha=alpha("output"), lw=lw("output"))
    _path(ax, [(tx, 3.25), (tx, gy + 0.3)], **style("output"))
    _path(ax, [(ox + 0.33, gy), (tx - 0.3, gy)], **style("output"))
    _op(ax, (tx, gy), "×", alpha=alpha("output"), lw=lw("output"))
    _path(ax, [(tx, gy - 0.3), (tx, hy), (11.7, hy)], **style("output"))
    _path(ax, [(9.9, hy), (9.9, 6.0)], **style("output"))
    ax.add_patch(Circle((9.9, hy), 0.06, color=INK, zorder=3, alpha=alpha("output")))
    ax.text(11.3, hy + 0.25, r"$h_t$", fontsize=13, color=INK, alpha=alpha("output"))
    _op_label(ax, (9.9, 6.3), r"$h_t$", OUTPUT_FILL, alpha=alpha("output"))
    if highlight is not None:
        ax.text(6.0, -1.25, _EQUATIONS[highlight], ha="center", va="center", fontsize=13, color=INK)
    return fig


# --------------------------------------------------------------------------- #
# Inside the network.
# --------------------------------------------------------------------------- #


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
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width: expected an int >= 1, got {width!r}")
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


# --------------------------------------------------------------------------- #
# Training curves.
# --------------------------------------------------------------------------- #


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
    titles = ["training loss" + (f" (mean of {smooth})" if smooth > 1 else "")]
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


# --------------------------------------------------------------------------- #
# Animation.
# --------------------------------------------------------------------------- #


# matplotlib's player styles its buttons with Font Awesome from a CDN; a static
# site must not fetch anything, so the icons become plain characters.
_ICONS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "|\u25c0\u25c0",
    "fa-step-backward": "|\u25c0",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "\u275a\u275a",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u25b6|",
    "fa-fast-forward": "\u25b6\u25b6|",
    "fa-plus": "+",
}
_ICON = re.compile(r'<i class="fa ([a-z -]+)"></i>')
_CDN_LINK = re.compile(r"<link[^>]*https?://[^>]*>")


def animation_html(anim: Animation, *, loop: bool = True) -> HTML:
    """An animation as self-contained JS/HTML for a static site.

    The frames are embedded as PNG images and the player needs nothing from
    the network (matplotlib's link to a Font Awesome CDN is removed and its
    icons replaced by characters).
    """
    page = anim.to_jshtml(default_mode="loop" if loop else "once")
    page = _CDN_LINK.sub("", page)
    page = _ICON.sub(lambda m: _ICONS.get(m.group(1), m.group(1)), page)
    return HTML(page)


def animate_traces(
    values: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    tokens: Sequence[str] | None = None,
    interval: int = 120,
    title: str = "",
) -> HTML:
    """Lines that draw themselves step by step, e.g. a cell state and its gates.

    Parameters
    ----------
    values : np.ndarray, shape (T, K)
        ``K`` traces over ``T`` steps (keep ``T`` small: every step is a frame).
    labels : sequence of str, optional
        ``K`` legend labels.
    tokens : sequence of str, optional
        ``T`` input symbols, shown as the current input in the title.
    interval : int
        Milliseconds per frame.
    title : str

    Returns
    -------
    HTML
        See :func:`animation_html`.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[:, None] if v.ndim == 1 else v
    if v.ndim != 2 or len(v) == 0:
        raise ValueError(f"values: expected shape (T, K), got {np.shape(values)}")
    T, K = v.shape
    if labels is not None and len(labels) != K:
        raise ValueError(f"labels: expected {K} labels, got {len(labels)}")
    if tokens is not None and len(tokens) != T:
        raise ValueError(f"tokens: expected {T} labels, got {len(tokens)}")
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.add_subplot()
    pad = 0.05 * (float(v.max() - v.min()) or 1.0)
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylim(float(v.min()) - pad, float(v.max()) + pad)
    ax.set_xlabel("time step t")
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    lines = [
        ax.plot([], [], lw=1.8, marker="o", ms=3, label=(labels[k] if labels else None))[0]
        for k in range(K)
    ]
    if labels:
        ax.legend(frameon=False, loc="upper left", fontsize=9)
    heading = ax.set_title(title, fontsize=11)

    def draw(t: int) -> list[Any]:
        for k, line in enumerate(lines):
            line.set_data(np.arange(t + 1), v[: t + 1, k])
        if tokens is not None:
            heading.set_text(f"{title}  t = {t}, input {tokens[t]!r}".strip())
        return [*lines, heading]

    anim = FuncAnimation(fig, draw, frames=T, interval=interval, blit=False)
    return animation_html(anim)


__all__ = [
    "HTML",
    "activation_html",
    "activation_text",
    "activations",
    "animate_traces",
    "animation_html",
    "gradient_vs_lag",
    "lstm_cell",
    "training_curves",
    "unrolled_rnn",
]
