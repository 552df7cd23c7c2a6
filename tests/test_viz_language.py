"""The n-gram comparison figure of chapter 15."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def test_bpc_by_order_draws_the_orders_and_one_line_per_model(tmp_path: Path) -> None:
    kn = {5: 1.9, 3: 2.6, 4: 2.1}
    fig = viz.bpc_by_order(kn, {"LSTM small": 2.1, "LSTM large": 1.5}, title="test files")
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "bpc.png", dpi=40)  # it renders
    ax = fig.axes[0]
    ngram, small, large = ax.lines
    assert list(ngram.get_xdata()) == [3, 4, 5]  # sorted by order
    np.testing.assert_array_equal(ngram.get_ydata(), [2.6, 2.1, 1.9])
    assert list(small.get_ydata()) == [2.1, 2.1] and list(large.get_ydata()) == [1.5, 1.5]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Kneser-Ney n-gram", "LSTM small", "LSTM large"]
    assert ax.get_title(loc="left") == "test files"


def test_bpc_by_order_rejects_bad_orders() -> None:
    with pytest.raises(ValueError, match="ngram_bpc"):
        viz.bpc_by_order({}, {"LSTM": 2.0})
    with pytest.raises(TypeError, match="ngram_bpc key '5': expected an int, got str"):
        viz.bpc_by_order({"5": 1.9}, {"LSTM": 2.0})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="ngram_bpc key 0: expected an int >= 1, got 0"):
        viz.bpc_by_order({0: 1.9}, {"LSTM": 2.0})
