r"""Daily S&P 500 prices and their log returns, from the file the ``arch`` package ships.

The returns are in percent, the scale volatility models are usually fitted on:

.. math:: r_t = 100 \, \log(P_t / P_{t-1})

with :math:`P_t` the adjusted close of trading day :math:`t`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstm_ref.optional import require

if TYPE_CHECKING:
    import pandas

#: Columns of the frame :func:`load_sp500` returns.
SP500_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume", "return")


def load_sp500() -> pandas.DataFrame:
    r"""The S&P 500 index, one row per trading day from 1999-01-04 to 2018-12-31.

    Read from ``arch.data.sp500`` (5,031 days), the data set of ``arch``'s
    volatility examples; the first day has no return and is dropped.

    Returns
    -------
    pandas.DataFrame, 5,030 rows, indexed by ``date`` (``datetime64``)
        ``open``, ``high``, ``low``, ``close``, ``adj_close`` : float64
            Index levels of the day (``adj_close`` is the close adjusted for
            dividends and splits; for an index it equals ``close``).
        ``volume`` : int64
            Shares traded.
        ``return`` : float64
            Log return in percent, :math:`100 \log(P_t / P_{t-1})` of ``adj_close``.

    Raises
    ------
    ImportError
        If ``arch`` is not installed (the message names ``pip install arch``).
    """
    sp500 = require("arch.data.sp500", pip_name="arch", needed_for="load_sp500()")
    raw = sp500.load()
    frame = raw.rename(columns=lambda name: name.lower().replace(" ", "_"))
    frame.index = frame.index.rename("date")
    frame["return"] = 100.0 * np.log(frame["adj_close"]).diff()
    return frame.iloc[1:][list(SP500_COLUMNS)]
