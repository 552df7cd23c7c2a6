"""Diagrams drawn with matplotlib: the unrolled RNN and the LSTM cell, colah-style."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_ref.checks import check_positive_int

from ._style import (
    CELL_EDGE,
    CELL_FILL,
    DIM,
    HIGHLIGHT,
    INK,
    INPUT_FILL,
    OUTPUT_FILL,
    arrow_path,
    diagram_axes,
    gate_box,
    label_circle,
    op_circle,
)


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
    if check_positive_int("T", T) > 12:
        raise ValueError(f"T: expected at most 12 steps (the figure's width), got {T}")
    step = 2.0
    left = 3.9 if folded else 0.0
    width = left + step * T + 0.6
    fig = Figure(figsize=(0.9 * width, 0.9 * 4.4))
    ax = diagram_axes(fig, (-0.9, width - 0.3), (-0.4, 4.0))

    def column(x: float, t_label: str) -> None:
        arrow_path(ax, [(x, 0.55), (x, 1.35)])
        arrow_path(ax, [(x, 2.25), (x, 3.05)])
        gate_box(ax, (x, 1.8), 1.1, 0.8, cell, fill=CELL_FILL, edge=CELL_EDGE, fontsize=15)
        label_circle(ax, (x, 0.25), rf"$x_{{{t_label}}}$", INPUT_FILL)
        label_circle(ax, (x, 3.35), rf"$h_{{{t_label}}}$", OUTPUT_FILL)

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
        arrow_path(ax, [(a + 0.65, 1.8), (b - 0.65, 1.8)])
    # State in from the left and out to the right: the chain goes on.
    arrow_path(ax, [(xs[0] - 1.25, 1.8), (xs[0] - 0.65, 1.8)])
    ax.text(xs[0] - 1.3, 2.05, r"$h_0$", ha="center", fontsize=12, color=INK)
    arrow_path(ax, [(xs[-1] + 0.65, 1.8), (xs[-1] + 1.2, 1.8)])
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
#: The same for the 1997 cell, which has no forget gate.
_EQUATIONS_1997 = {**_EQUATIONS, "cell": r"$c_t = c_{t-1} + i_t \odot g_t$"}


def lstm_cell(
    highlight: Literal["cell", "forget", "input", "output"] | None = None,
    *,
    forget_gate: bool = True,
) -> Figure:
    r"""The LSTM cell, colah-style, with one piece optionally highlighted.

    The cell computes the equations of :mod:`lstm_ref.numpy.lstm`; without its
    forget gate it is the original cell of 1997, :math:`c_t = c_{t-1} + i_t \odot g_t`.

    Parameters
    ----------
    highlight : {"cell", "forget", "input", "output"} or None
        The piece drawn in colour while the rest fades, with its equation
        underneath: the cell-state line (the constant error carousel), the
        forget gate, the input gate with its candidate :math:`g_t`, or the
        output gate with :math:`\tanh(c_t)`.
    forget_gate : bool
        Draw the forget gate and its multiplication on the cell line (the
        modern cell, ``torch.nn.LSTM``'s); ``False`` draws the 1997 cell, whose
        cell line is touched only by the ``+``.
    """
    if highlight is not None and highlight not in _PIECES:
        raise ValueError(f"highlight: expected one of {_PIECES} or None, got {highlight!r}")
    if not isinstance(forget_gate, bool):
        raise TypeError(f"forget_gate: expected a bool, got {type(forget_gate).__name__}")
    if highlight == "forget" and not forget_gate:
        raise ValueError("highlight: 'forget' needs forget_gate=True (the 1997 cell has none)")
    fig = Figure(figsize=(8.2, 5.6 if highlight else 5.0))
    ax = diagram_axes(fig, (-0.2, 12.2), (-1.6 if highlight else -0.8, 6.6))

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
    if forget_gate:
        arrow_path(ax, [(0.3, cy), (fx - 0.3, cy)], **cell, arrow=False)
        arrow_path(ax, [(fx + 0.3, cy), (ix + 0.6 - 0.3, cy)], **cell, arrow=False)
    else:
        arrow_path(ax, [(0.3, cy), (ix + 0.6 - 0.3, cy)], **cell, arrow=False)
    arrow_path(ax, [(ix + 0.6 + 0.3, cy), (11.7, cy)], **cell)
    ax.text(0.3, cy + 0.3, r"$c_{t-1}$", fontsize=13, color=INK, alpha=alpha("cell"))
    ax.text(11.3, cy + 0.3, r"$c_t$", fontsize=13, color=INK, alpha=alpha("cell"))
    # The hidden state and the input feed every gate from below.
    shared: dict[str, Any] = {"color": INK, "lw": 1.6, "alpha": 1.0 if highlight is None else 0.55}
    arrow_path(ax, [(0.3, hy), (ox, hy)], **shared, arrow=False)
    arrow_path(ax, [(2.2, -0.35), (2.2, hy)], **shared, arrow=False)
    ax.add_patch(Circle((2.2, hy), 0.06, color=INK, zorder=3, alpha=shared["alpha"]))
    ax.text(0.3, hy + 0.25, r"$h_{t-1}$", fontsize=13, color=INK, alpha=shared["alpha"])
    label_circle(ax, (2.2, -0.55), r"$x_t$", INPUT_FILL, alpha=shared["alpha"])
    gate_feeds = [(ix, "input"), (gx, "input"), (ox, "output")]
    for x, piece in [(fx, "forget")] * forget_gate + gate_feeds:
        arrow_path(
            ax, [(x, hy), (x, gy - 0.32)], **(style(piece) if highlight == piece else shared)
        )
    if forget_gate:  # f_t scales the old cell state
        gate_box(ax, (fx, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("forget"), lw=lw("forget"))
        arrow_path(ax, [(fx, gy + 0.33), (fx, cy - 0.3)], **style("forget"))
        ax.text(fx - 0.45, 3.5, r"$f_t$", fontsize=13, color=INK, alpha=alpha("forget"))
        op_circle(
            ax,
            (fx, cy),
            "×",
            alpha=max(alpha("forget"), alpha("cell")),
            lw=max(lw("forget"), lw("cell")),
        )
    # Input gate and candidate: i_t * g_t is added to the cell.
    mx = ix + 0.6  # where i_t * g_t is formed, under the +
    gate_box(ax, (ix, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("input"), lw=lw("input"))
    gate_box(ax, (gx, gy), 0.8, 0.5, "tanh", fontsize=10, alpha=alpha("input"), lw=lw("input"))
    arrow_path(ax, [(ix, gy + 0.33), (ix, 3.55), (mx - 0.3, 3.55)], **style("input"))
    arrow_path(ax, [(gx, gy + 0.33), (gx, 3.55), (mx + 0.3, 3.55)], **style("input"))
    ax.text(ix - 0.45, 3.0, r"$i_t$", fontsize=13, color=INK, alpha=alpha("input"))
    ax.text(gx + 0.12, 3.0, r"$g_t$", fontsize=13, color=INK, alpha=alpha("input"))
    op_circle(ax, (mx, 3.55), "×", alpha=alpha("input"), lw=lw("input"))
    arrow_path(ax, [(mx, 3.85), (mx, cy - 0.3)], **style("input"))
    op_circle(
        ax, (mx, cy), "+", alpha=max(alpha("input"), alpha("cell")), lw=max(lw("input"), lw("cell"))
    )
    # Output gate: h_t = o_t * tanh(c_t), out to the right and up.
    gate_box(ax, (ox, gy), 0.62, 0.5, r"$\sigma$", alpha=alpha("output"), lw=lw("output"))
    ax.text(ox - 0.15, 3.0, r"$o_t$", fontsize=13, color=INK, alpha=alpha("output"))
    arrow_path(ax, [(tx, cy), (tx, 3.85)], **style("output"))
    op_circle(ax, (tx, 3.55), "tanh", alpha=alpha("output"), lw=lw("output"))
    arrow_path(ax, [(tx, 3.25), (tx, gy + 0.3)], **style("output"))
    arrow_path(ax, [(ox + 0.33, gy), (tx - 0.3, gy)], **style("output"))
    op_circle(ax, (tx, gy), "×", alpha=alpha("output"), lw=lw("output"))
    arrow_path(ax, [(tx, gy - 0.3), (tx, hy), (11.7, hy)], **style("output"))
    arrow_path(ax, [(9.9, hy), (9.9, 6.0)], **style("output"))
    ax.add_patch(Circle((9.9, hy), 0.06, color=INK, zorder=3, alpha=alpha("output")))
    ax.text(11.3, hy + 0.25, r"$h_t$", fontsize=13, color=INK, alpha=alpha("output"))
    label_circle(ax, (9.9, 6.3), r"$h_t$", OUTPUT_FILL, alpha=alpha("output"))
    if highlight is not None:
        equation = _EQUATIONS[highlight] if forget_gate else _EQUATIONS_1997[highlight]
        ax.text(6.0, -1.25, equation, ha="center", va="center", fontsize=13, color=INK)
    return fig
