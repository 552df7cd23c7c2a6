"""Pictures of single examples of the book's tasks: what the network sees and must answer."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from lstm_ref.checks import check_series

from ._style import HIGHLIGHT, INK


def echo_example(x: np.ndarray, y: np.ndarray, *, lag: int) -> Figure:
    """One sequence of the echo task: the input bits and the target, ``lag`` steps later.

    Parameters
    ----------
    x, y : np.ndarray
        Input and target of one sequence, shape ``(T,)`` (e.g. ``task.x[0, :, 0]``).
    lag : int
        The task's lag, drawn as arrows from an input to the target it becomes.
    """
    x = check_series("x", x)
    y = check_series("y", y, length=len(x))
    t = np.arange(len(x))
    fig = Figure(figsize=(8.0, 2.6), layout="constrained")
    ax = fig.add_subplot()
    ax.step(t, x, where="mid", color=INK, lw=1.4, label="input $x_t$")
    ax.plot(t[lag:], y[lag:], "o", color=HIGHLIGHT, ms=6, label=f"target $y_t = x_{{t-{lag}}}$")
    for s in range(0, len(x) - lag, max(1, len(x) // 4)):
        ax.annotate(
            "",
            xy=(s + lag, y[s + lag] * 0.85),
            xytext=(s, x[s] * 0.85),
            arrowprops={"arrowstyle": "->", "color": HIGHLIGHT, "alpha": 0.6, "lw": 1},
        )
    ax.set_xlabel("time step $t$")
    ax.set_yticks([-1, 1])
    ax.set_ylim(-1.6, 1.9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper right", ncols=2, frameon=False)
    return fig


def adding_example(x: np.ndarray, target: float) -> Figure:
    """One sequence of the adding problem: the values, the two marked ones, and the target.

    Parameters
    ----------
    x : np.ndarray
        One sequence, shape ``(T, 2)``: column 0 the values, column 1 the markers
        (e.g. ``task.x[0]``).
    target : float
        Its target, the sum of the marked values.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x: expected shape (T, 2) of (value, marker), got {x.shape}")
    values, marked = x[:, 0], x[:, 1] > 0
    t = np.arange(len(values))
    fig = Figure(figsize=(8.0, 2.6), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(t[~marked], values[~marked], color="#b8c4d0", width=0.8, label="value")
    ax.bar(t[marked], values[marked], color=HIGHLIGHT, width=0.8, label="marked value")
    terms = " + ".join(f"{v:.2f}" for v in values[marked])
    ax.set_title(f"target = {terms} = {target:.2f}", fontsize=11, color=INK)
    ax.set_xlabel("time step $t$")
    ax.set_ylim(0, 1.35)
    ax.set_yticks([0, 0.5, 1])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper right", ncols=2, frameon=False)
    return fig
