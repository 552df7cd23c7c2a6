"""Figures for video: clips as rows of frames, predicted frames under the true ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ._style import INK


def frame_rows(
    rows: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    first_frame: int = 0,
    title: str | None = None,
) -> Figure:
    """Rows of frames, one row per clip or per model, frame ``t`` in column ``t``.

    Parameters
    ----------
    rows : sequence of np.ndarray, each shape (T, S, S)
        Values in ``[0, 1]`` (1 is ink, drawn dark). Every row has the same
        shape; a prediction is drawn under the frames it predicts.
    labels : sequence of str
        One label per row, written at its left.
    first_frame : int
        Number of the first column, for the ``t = ...`` titles.
    title : str, optional
        Figure title.
    """
    frames = [np.asarray(r, dtype=np.float64) for r in rows]
    if not frames:
        raise ValueError("rows: expected at least one row of frames, got none")
    shape = frames[0].shape
    for k, f in enumerate(frames):
        if f.ndim != 3 or f.shape != shape:
            raise ValueError(f"rows[{k}]: expected shape {shape} (T, S, S), got {f.shape}")
    if len(labels) != len(frames):
        raise ValueError(f"labels: expected {len(frames)} labels, got {len(labels)}")
    T = shape[0]
    fig = Figure(figsize=(1.6 + 0.9 * T, 0.25 + 0.95 * len(frames)), layout="constrained")
    axes = fig.subplots(len(frames), T, squeeze=False)
    for r, (row, label) in enumerate(zip(frames, labels, strict=True)):
        for t in range(T):
            ax = axes[r, t]
            ax.imshow(row[t], cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"t = {first_frame + t}", fontsize=8, color=INK)
        axes[r, 0].set_ylabel(
            str(label), fontsize=8, color=INK, rotation=0, ha="right", va="center"
        )
    if title:
        fig.suptitle(title, fontsize=10, color=INK)
    return fig
