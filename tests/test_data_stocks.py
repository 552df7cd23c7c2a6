"""The S&P 500 loader: the rows, columns and returns the chapter relies on."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from lstm_ref.data import SP500_COLUMNS, load_sp500

pytest.importorskip("arch")


def test_load_sp500_has_every_trading_day_but_the_first() -> None:
    frame = load_sp500()
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "date"
    assert tuple(frame.columns) == SP500_COLUMNS
    assert len(frame) == 5030
    assert frame.index[0] == pd.Timestamp("1999-01-05")
    assert frame.index[-1] == pd.Timestamp("2018-12-31")
    assert frame.index.is_monotonic_increasing
    assert not frame.isna().any().any()


def test_returns_are_percent_log_returns_of_the_adjusted_close() -> None:
    frame = load_sp500()
    price = frame["adj_close"].to_numpy()
    r = frame["return"].to_numpy()
    # log P_t - log P_{t-1} and log(P_t / P_{t-1}) differ by rounding only.
    np.testing.assert_allclose(r[1:], 100 * np.log(price[1:] / price[:-1]), atol=1e-10)
    # Summing log returns telescopes back to the price ratio.
    np.testing.assert_allclose(r[1:].sum(), 100 * np.log(price[-1] / price[0]), rtol=1e-9)
    assert 1.0 < r.std() < 1.5  # a daily index return: about 1 % a day


def test_missing_arch_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "arch" or m.startswith("arch.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "arch", None)  # import arch now fails
    with pytest.raises(ImportError, match=r"load_sp500\(\).*pip install arch"):
        load_sp500()
