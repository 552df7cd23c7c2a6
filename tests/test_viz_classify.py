"""The classification figures: they draw, and reject malformed input by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def _renders(fig: Figure, tmp_path: Path) -> None:
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "figure.png", dpi=40)


def test_class_sizes(tmp_path: Path) -> None:
    fig = viz.class_sizes([5, 30, 12], ["a", "b", "c"])
    _renders(fig, tmp_path)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c", "b"]  # largest on top
    with pytest.raises(ValueError, match="classes: expected 3 names, got 2"):
        viz.class_sizes([5, 30, 12], ["a", "b"])


def test_confusion_heatmap(tmp_path: Path) -> None:
    matrix = np.array([[8, 2, 0], [1, 3, 0], [0, 0, 5]])
    fig = viz.confusion_heatmap(matrix, ["x", "y", "z"], title="t")
    _renders(fig, tmp_path)
    image = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(np.diag(image), [0.8, 0.75, 1.0])  # rows scaled to 1
    shown = sorted(t.get_text() for t in fig.axes[0].texts)
    assert shown == sorted(["8", "2", "1", "3", "5"])  # zero cells stay empty
    with pytest.raises(ValueError, match=r"matrix: expected a square \(C, C\) array"):
        viz.confusion_heatmap(matrix[:2], ["x", "y"])


def test_sequence_heatmaps(tmp_path: Path) -> None:
    x = np.random.default_rng(0).normal(size=(2, 6, 3))
    fig = viz.sequence_heatmaps(x, [6, 4], ["first", "second"])
    _renders(fig, tmp_path)
    shapes = [ax.get_images()[0].get_array().shape for ax in fig.axes if ax.get_images()]
    assert shapes == [(3, 6), (3, 4)]  # features by time, each cut at its length
    with pytest.raises(ValueError, match=r"lengths: expected shape \(2,\) with values in \[1, 6\]"):
        viz.sequence_heatmaps(x, [7, 4], ["a", "b"])
    with pytest.raises(ValueError, match="titles: expected 2 names, got 1"):
        viz.sequence_heatmaps(x, [6, 4], ["a"])
