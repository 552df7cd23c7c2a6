"""The Mauna Loa CO2 loader: monthly means, the empty months filled and named."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from lstm_ref.data import load_co2


def test_weekly_series_keeps_its_gaps() -> None:
    weekly = load_co2(monthly=False)
    assert weekly.shape == (2284,) and weekly.dtype == np.float64
    assert weekly.index[0] == pd.Timestamp("1958-03-29")
    assert weekly.index[-1] == pd.Timestamp("2001-12-29")
    assert int(weekly.isna().sum()) == 59
    assert len(weekly.attrs["interpolated"]) == 0


def test_monthly_means_have_no_gaps_and_name_the_filled_months() -> None:
    weekly, monthly = load_co2(monthly=False), load_co2()
    assert monthly.name == "co2" and monthly.shape == (526,)
    assert monthly.index[0] == pd.Timestamp("1958-03-01")
    assert monthly.index[-1] == pd.Timestamp("2001-12-01")
    assert not monthly.isna().any()
    filled = monthly.attrs["interpolated"]
    expected = ["1958-06-01", "1958-10-01", "1964-02-01", "1964-03-01", "1964-04-01"]
    assert list(filled) == [pd.Timestamp(d) for d in expected]
    # A measured month is the mean of its measured weeks.
    jan_2000 = weekly["2000-01-01":"2000-01-31"]
    assert monthly["2000-01-01"] == pytest.approx(jan_2000.mean())
    # An empty month lies on the straight line between its neighbours.
    before, after = monthly["1958-05-01"], monthly["1958-07-01"]
    assert monthly["1958-06-01"] == pytest.approx((before + after) / 2)
    # Months with weeks are never touched by the interpolation.
    measured = ~monthly.index.isin(filled)
    month_means = weekly.resample("MS").mean()
    np.testing.assert_allclose(monthly[measured], month_means[measured])


def test_bad_argument_and_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match="monthly"):
        load_co2(monthly="yes")  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "statsmodels.datasets.co2", None)
    with pytest.raises(ImportError, match=r"load_co2\(\).*pip install statsmodels"):
        load_co2()
