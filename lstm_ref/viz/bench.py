r"""Benchmark reports as figures: the ladder per shape, and where the persistent kernel wins.

Every function takes a report of :func:`lstm_ref.bench.run_benchmark` (or
its JSON file, read back with :func:`json.loads`): a dict whose
``"results"`` are rows with ``impl``, ``T``, ``B``, ``I``, ``H``,
``layers``, ``pass``, ``median_ms`` and ``ratio_vs_torch``, the time over
``torch.nn.LSTM``'s from the same run (below 1: faster than torch.nn).
Ratios are coloured on a log scale, so that twice as fast and twice as slow
lie equally far from 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._style import INK

#: The baseline implementation of every report.
BASELINE = "torch.nn"
SHAPE_KEYS = ("T", "B", "I", "H", "layers")
Row = dict[str, Any]
Case = tuple[tuple[int, ...], str]  # ((T, B, I, H, layers), pass)
_PASS_ORDER = {"fwd": 0, "fwd+bwd": 1}


def _rows(report: Mapping[str, Any], where: Mapping[str, Any] | None) -> list[Row]:
    """The rows of ``report`` whose fields equal ``where``'s; a clear error if none."""
    rows = report.get("results") if isinstance(report, Mapping) else None
    if not isinstance(rows, list):
        raise TypeError(
            f"report: expected a benchmark report dict with 'results', got {report!r:.80}"
        )
    where = dict(where or {})
    chosen = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    if not chosen:
        raise ValueError(f"report: no result rows match where={where} (of {len(rows)} rows)")
    return chosen


def _cases(rows: Sequence[Row]) -> list[Case]:
    """The (shape, pass) cases of ``rows``, forward first, then by T, B, I, H."""
    cases = {(tuple(r[k] for k in SHAPE_KEYS), r["pass"]) for r in rows}
    return sorted(cases, key=lambda c: (_PASS_ORDER.get(c[1], 2), c[1], c[0]))


def _labeller(rows: Sequence[Row]) -> Any:
    """A function naming a shape by the fields that vary among ``rows`` (H if none does).

    I is left out where it always equals H.
    """
    same = all(r["I"] == r["H"] for r in rows)
    varying = [k for k in SHAPE_KEYS if len({r[k] for r in rows}) > 1 and not (k == "I" and same)]
    varying = varying or ["H"]

    def label(shape: tuple[int, ...], sep: str = ", ") -> str:
        return sep.join(f"{k}={shape[SHAPE_KEYS.index(k)]}" for k in varying)

    return label


def _case_rows(rows: Sequence[Row], case: Case) -> list[Row]:
    return [r for r in rows if (tuple(r[k] for k in SHAPE_KEYS), r["pass"]) == case]


def ladder_bars(
    report: Mapping[str, Any], *, title: str = "", where: Mapping[str, Any] | None = None
) -> Figure:
    """The median time of every implementation, one panel per shape and pass.

    Bars in the report's order (``torch.nn`` first, in grey); panels titled by
    what varies between the shapes drawn.

    Parameters
    ----------
    report : dict
        A benchmark report (module docstring).
    title : str
    where : dict, optional
        Draw only the rows with these field values, e.g. ``{"T": 100, "B": 64}``.
    """
    rows = _rows(report, where)
    cases = _cases(rows)
    label = _labeller(rows)
    fig = Figure(figsize=(2.6 * len(cases), 3.2))
    axes = np.atleast_1d(fig.subplots(1, len(cases)))
    for ax, case in zip(axes, cases, strict=True):
        drawn = _case_rows(rows, case)
        names = [r["impl"] for r in drawn]
        colors = ["#888888" if n == BASELINE else "#4c72b0" for n in names]
        ax.barh(names, [r["median_ms"] for r in drawn], color=colors)
        ax.invert_yaxis()
        ax.set_title(f"{label(case[0])}, {case[1]}", fontsize=10)
        ax.set_xlabel("median ms")
        if ax is not axes[0]:
            ax.set_yticklabels([])
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def ratio_lines(
    report: Mapping[str, Any],
    impls: Sequence[str],
    *,
    title: str = "",
    where: Mapping[str, Any] | None = None,
) -> Figure:
    """Each implementation's time over torch.nn's, one line per shape and pass.

    For a few shapes (the CPU set); :func:`ratio_grid` suits many.

    Parameters
    ----------
    report : dict
        A benchmark report (module docstring).
    impls : sequence of str
        The implementations along the x axis, in this order; a missing one
        leaves a gap.
    title : str
    where : dict, optional
        Draw only the rows with these field values.
    """
    rows = _rows(report, where)
    label = _labeller(rows)
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.subplots()
    for case in _cases(rows):
        ratios = {r["impl"]: r["ratio_vs_torch"] for r in _case_rows(rows, case)}
        values = [ratios.get(impl, np.nan) for impl in impls]
        ax.plot(list(impls), values, "o-", label=f"{label(case[0])}, {case[1]}")
    ax.axhline(1, color="#888888", ls="--", label="torch.nn.LSTM")
    ax.set_ylabel("time / torch.nn.LSTM")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _log2_norm(ratios: np.ndarray) -> Normalize:
    """Colours for log2(ratio): centred on 1, spanning at least 0.5 to 2."""
    finite = np.abs(np.log2(ratios[np.isfinite(ratios)]))
    reach = max(1.0, float(finite.max()) if finite.size else 1.0)
    return Normalize(vmin=-reach, vmax=reach)


def _annotate(ax: Any, values: np.ndarray, norm: Normalize) -> None:
    """Print each finite ratio in its cell, in white on the darkest colours."""
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            dark = abs(norm(np.log2(value)) - 0.5) > 0.35
            color = "white" if dark else INK
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=color)


def ratio_grid(
    report: Mapping[str, Any],
    *,
    impls: Sequence[str] | None = None,
    title: str = "",
    where: Mapping[str, Any] | None = None,
) -> Figure:
    """Each implementation's time over torch.nn's for every shape: a map per pass.

    Rows are implementations, columns shapes; blue is faster than
    ``torch.nn``, red slower, and every cell prints its ratio.

    Parameters
    ----------
    report : dict
        A benchmark report (module docstring).
    impls : sequence of str, optional
        The rows, in this order (default: every implementation but
        ``torch.nn``, in the report's order).
    title : str
    where : dict, optional
        Draw only the rows with these field values.
    """
    rows = _rows(report, where)
    if impls is None:
        impls = list(dict.fromkeys(r["impl"] for r in rows if r["impl"] != BASELINE))
    if not impls:
        raise ValueError("impls: expected at least one implementation besides torch.nn")
    label = _labeller(rows)
    passes = sorted({r["pass"] for r in rows}, key=lambda p: (_PASS_ORDER.get(p, 2), p))
    shapes = list(dict.fromkeys(shape for shape, _ in _cases(rows)))
    grids = np.full((len(passes), len(impls), len(shapes)), np.nan)
    for r in rows:
        if r["impl"] in impls:
            shape = tuple(r[k] for k in SHAPE_KEYS)
            at = passes.index(r["pass"]), list(impls).index(r["impl"]), shapes.index(shape)
            grids[at] = r["ratio_vs_torch"]
    norm = _log2_norm(grids)
    width = 1.6 + 0.75 * len(shapes)
    fig = Figure(
        figsize=(width, 0.9 + (0.42 * len(impls) + 0.9) * len(passes)), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(len(passes), 1, squeeze=False)[:, 0])
    for ax, pass_, grid in zip(axes, passes, grids, strict=True):
        image = ax.imshow(np.log2(grid), cmap="RdBu_r", norm=norm, aspect="auto")
        _annotate(ax, grid, norm)
        ax.set_yticks(range(len(impls)), list(impls))
        ax.set_xticks(range(len(shapes)), [label(s, "\n") for s in shapes], fontsize=7)
        ax.set_title(f"{pass_}: time / torch.nn.LSTM", fontsize=9)
    bar = fig.colorbar(image, ax=list(axes), shrink=0.8)
    _ratio_ticks(bar, norm)
    fig.suptitle(title, fontsize=10)
    return fig


def _ratio_ticks(bar: Any, norm: Normalize) -> None:
    """Colour bar ticks at powers of 2, written as ratios."""
    reach = int(np.floor(float(norm.vmax or 1.0)))
    ticks = np.arange(-reach, reach + 1)
    bar.set_ticks(ticks, labels=[f"{2.0**t:g}" for t in ticks])


def persistent_map(
    report: Mapping[str, Any],
    *,
    impl: str = "persistent",
    passes: Sequence[str] = ("fwd", "fwd+bwd"),
    title: str = "",
) -> Figure:
    """The persistent kernel's time over cuDNN's on the B x H grid, a panel per T and pass.

    Blue cells are faster than ``torch.nn`` (cuDNN), red slower; each prints
    its ratio, an empty cell was not measured. A dashed contour marks ratio
    0.5 (twice as fast, the kernel's target) and a solid one ratio 1, where
    the data cross them. The colour bar marks both too.

    Parameters
    ----------
    report : dict
        A benchmark report (module docstring), e.g. ``--grid persistent``'s.
    impl : str
        The implementation to map.
    passes : sequence of str
        One row of panels per pass.
    title : str
    """
    rows = [r for r in _rows(report, {"impl": impl}) if r["pass"] in passes]
    if not rows:
        raise ValueError(f"passes: no {impl!r} rows for passes {list(passes)}")
    steps = sorted({r["T"] for r in rows})
    batches = sorted({r["B"] for r in rows})
    hiddens = sorted({r["H"] for r in rows})
    grids = np.full((len(passes), len(steps), len(batches), len(hiddens)), np.nan)
    for r in rows:
        at = (list(passes).index(r["pass"]), steps.index(r["T"]))
        grids[(*at, batches.index(r["B"]), hiddens.index(r["H"]))] = r["ratio_vs_torch"]
    norm = _log2_norm(grids)
    fig = Figure(
        figsize=(1.2 + (0.55 * len(hiddens) + 1.0) * len(steps), 0.9 + 2.6 * len(passes)),
        layout="constrained",
    )
    axes = fig.subplots(len(passes), len(steps), squeeze=False)
    for (k, s), ax in np.ndenumerate(axes):
        grid = grids[k, s]
        image = ax.imshow(np.log2(grid), cmap="RdBu_r", norm=norm, origin="lower")
        _annotate(ax, grid, norm)
        _contours(ax, grid)
        ax.set_xticks(range(len(hiddens)), [str(h) for h in hiddens])
        ax.set_yticks(range(len(batches)), [str(b) for b in batches])
        ax.set_xlabel("H (= I)")
        if s == 0:
            ax.set_ylabel("B")
        ax.set_title(f"T={steps[s]}, {passes[k]}", fontsize=9)
    bar = fig.colorbar(image, ax=list(axes.ravel()), shrink=0.8, label=f"{impl} / torch.nn.LSTM")
    _ratio_ticks(bar, norm)
    for level, style in LEVELS.items():
        bar.ax.axhline(np.log2(level), color=INK, lw=1.2, ls=style)
    fig.legend(
        handles=[
            Line2D([], [], color=INK, ls=style, label=f"{level:g}")
            for level, style in LEVELS.items()
        ],
        loc="outside lower center",
        ncols=len(LEVELS),
        fontsize=8,
        title="ratio",
        title_fontsize=8,
    )
    fig.suptitle(title, fontsize=10)
    return fig


#: The ratios :func:`persistent_map` draws contours at, and their line styles.
LEVELS = {0.5: "--", 1.0: "-"}


def _contours(ax: Any, grid: np.ndarray) -> None:
    """Contours at :data:`LEVELS` where the grid's values cross them (needs 2 x 2 cells)."""
    if min(grid.shape) < 2:
        return
    finite = grid[np.isfinite(grid)]
    if finite.size < 2:
        return
    for level, style in LEVELS.items():
        if finite.min() < level < finite.max():
            ax.contour(np.ma.masked_invalid(grid), levels=[level], colors=[INK], linestyles=[style])
