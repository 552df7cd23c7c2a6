"""The look shared by every figure: one palette and the drawing primitives of the diagrams."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from matplotlib.axes import Axes
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


def show_figures_in_ipython() -> None:
    """Let a notebook display the Figures this package returns, without pyplot.

    Jupyter renders a matplotlib Figure as an image only once pyplot has set
    up the inline backend; a chapter that never imports pyplot would show
    ``<Figure size ...>`` instead. Registering the PNG printer for Figure
    ourselves makes the returned figures display either way. Outside IPython
    this does nothing.
    """
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure

    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


# --------------------------------------------------------------------------- #
# Drawing primitives.
# --------------------------------------------------------------------------- #


def diagram_axes(fig: Figure, xlim: tuple[float, float], ylim: tuple[float, float]) -> Axes:
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def gate_box(
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


def op_circle(
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


def arrow_path(
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


def label_circle(
    ax: Axes, xy: tuple[float, float], text: str, fill: str, alpha: float = 1.0
) -> None:
    """An input/output label in a pale circle (colah's blue and purple)."""
    ax.add_patch(Circle(xy, 0.3, fc=fill, ec="#8899aa", lw=1.0, alpha=alpha, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=12, color=INK, alpha=alpha, zorder=4)
