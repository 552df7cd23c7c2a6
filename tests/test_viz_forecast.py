"""The forecast figure: observed series, forecasts, bands over runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def test_forecasts_draws_each_forecast_over_its_dates(tmp_path: Path) -> None:
    dates = pd.date_range("1990-01-01", periods=60, freq="MS")
    actual = pd.Series(np.arange(60.0), index=dates)
    runs = np.stack([np.arange(48.0, 60.0) + k for k in (-1, 0, 2)])
    fig = viz.forecasts(actual, {"one": np.arange(48.0, 60.0), "seeds": runs}, start=48, context=12)
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "forecast.png", dpi=40)  # it renders
    ax = fig.axes[0]
    observed, one, seeds = ax.lines[:3]
    assert len(observed.get_xdata()) == 24  # 12 of context + the 12 forecast steps
    assert list(one.get_xdata()) == list(dates[48:])
    np.testing.assert_array_equal(seeds.get_ydata(), np.arange(48.0, 60.0))  # the median run
    assert len(ax.collections) == 1  # one band, for the runs
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["observed", "one", "seeds"]


def test_forecasts_rejects_bad_arguments() -> None:
    actual = np.arange(20.0)
    with pytest.raises(ValueError, match="start"):
        viz.forecasts(actual, {"a": np.zeros(3)}, start=0)
    with pytest.raises(ValueError, match="predictions"):
        viz.forecasts(actual, {}, start=10)
    with pytest.raises(ValueError, match=r"predictions\['a'\]"):
        viz.forecasts(actual, {"a": np.zeros(11)}, start=10)
    with pytest.raises(ValueError, match="actual"):
        viz.forecasts(np.zeros((20, 2)), {"a": np.zeros(3)}, start=10)
