"""Figures of chapter 13: each renders, draws what it is given and rejects bad shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def _render(fig: Figure, tmp_path: Path) -> None:
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "figure.png", dpi=40)


def test_price_and_returns(tmp_path: Path) -> None:
    dates = pd.date_range("2000-01-03", periods=100, freq="B")
    r = np.random.default_rng(0).normal(size=100)
    price = 100 * np.exp(np.cumsum(r) / 100)
    fig = viz.price_and_returns(dates, price, r, part_starts={"test": dates[80]})
    top, _ = fig.axes
    assert top.get_yscale() == "log"
    assert any(t.get_text().strip() == "test" for t in top.texts)
    _render(fig, tmp_path)
    with pytest.raises(ValueError, match="returns"):
        viz.price_and_returns(dates, price, r[:-1])


def test_volatility_forecasts_draws_the_square_root_of_each_variance(tmp_path: Path) -> None:
    dates = pd.date_range("2000-01-03", periods=50, freq="B")
    r = np.random.default_rng(1).normal(size=50)
    h = np.full(50, 4.0)
    fig = viz.volatility_forecasts(dates, r, {"GARCH": h, "LSTM": 2 * h})
    lines = fig.axes[0].get_lines()
    assert [float(line.get_ydata()[0]) for line in lines] == [2.0, pytest.approx(2 * np.sqrt(2))]
    _render(fig, tmp_path)
    with pytest.raises(ValueError, match="forecasts"):
        viz.volatility_forecasts(dates, r, {"GARCH": h[:-1]})
    with pytest.raises(ValueError, match="forecasts"):
        viz.volatility_forecasts(dates, r, {})


def test_interval_chart_has_a_row_per_estimate(tmp_path: Path) -> None:
    fig = viz.interval_chart(
        {"a": (0.5, 0.45, 0.55), "b": (0.9, 0.88, 0.92, 754)}, reference={"coin": 0.5}, xlabel="DA"
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "DA"
    _render(fig, tmp_path)
    with pytest.raises(ValueError, match="low <= estimate <= high"):
        viz.interval_chart({"a": (0.6, 0.45, 0.55)})
    with pytest.raises(ValueError, match="at least one"):
        viz.interval_chart({})
