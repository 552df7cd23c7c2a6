"""Figures of Part VI: they draw what they are given and refuse mismatched lengths."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def test_lines_by_length() -> None:
    fig = viz.lines_by_length([64, 128], {"a": [1.0, 2.0], "b": [3.0, 1.0]}, xlabel="T", ylabel="y")
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="expected 2 values for 'a'"):
        viz.lines_by_length([64, 128], {"a": [1.0]}, xlabel="T", ylabel="y")
    with pytest.raises(ValueError, match="at least one series"):
        viz.lines_by_length([64], {}, xlabel="T", ylabel="y")


def test_generation_panels() -> None:
    fig = viz.generation_panels({"m": [1, 2]}, {"m": [0.1, 0.2]}, {"m": [10, 20]})
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="state_bytes"):
        viz.generation_panels({"m": [1, 2]}, {"m": [0.1, 0.2]}, {"m": [10]})


def test_accuracy_by_length() -> None:
    runs = {"t": {"A": np.full((5, 3), 0.9), "B": np.full((5, 3), 0.5)}}
    fig = viz.accuracy_by_length([10, 20, 30], runs, {"t": [0.5, 0.5, 0.5]}, train_length=10)
    assert fig.axes[0].get_title(loc="left") == "t"
    with pytest.raises(ValueError, match="expected 3 lengths"):
        viz.accuracy_by_length([10, 20, 30], {"t": {"A": np.ones((5, 2))}}, {"t": [0.5] * 3})


def test_runs_by_model() -> None:
    fig = viz.runs_by_model({"A": [1.0, 1.2], "B": [2.0, 2.1]}, ylabel="bpc")
    low, high = fig.axes[0].get_ylim()
    assert low < 1.0 and high > 2.1
    with pytest.raises(ValueError, match="at least one model"):
        viz.runs_by_model({}, ylabel="bpc")
