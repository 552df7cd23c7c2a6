"""Seasonal real-world series for forecasting: atmospheric CO2 at Mauna Loa.

The data ship with statsmodels (``statsmodels.datasets.co2``): weekly averages
of continuous measurements of the CO2 mole fraction in air at Mauna Loa
Observatory, Hawaii, in parts per million (ppm), from March 1958 to December
2001 (Keeling & Whorf 2004, Scripps Institution of Oceanography, distributed
by CDIAC; public domain). Nothing is downloaded: the file is read from the
installed package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstm_ref.checks import check_type
from lstm_ref.optional import require

if TYPE_CHECKING:
    import pandas


def load_co2(*, monthly: bool = True) -> pandas.Series:
    """Mauna Loa CO2 in ppm, as monthly means (default) or the raw weekly series.

    The weekly series has 2,284 Saturdays from 1958-03-29 to 2001-12-29, of
    which 59 carry no measurement (NaN). A monthly mean averages the weeks
    that were measured; the 5 months without a single measurement
    (1958-06, 1958-10 and 1964-02 to 1964-04) are filled by linear
    interpolation between their neighbours. Their dates are kept in
    ``series.attrs["interpolated"]``, so a caller can say what was filled.

    Parameters
    ----------
    monthly : bool
        Monthly means (526 months, 1958-03 to 2001-12, no gaps) or the weekly
        series with its NaNs left in place.

    Returns
    -------
    pandas.Series, float64, shape (526,) or (2284,)
        Indexed by date (month starts for monthly data), named ``"co2"``.
    """
    check_type("monthly", monthly, bool)
    co2 = require("statsmodels.datasets.co2", pip_name="statsmodels", needed_for="load_co2()")
    weekly = co2.load_pandas().data["co2"].astype("float64")
    weekly.index.name = "date"
    if not monthly:
        weekly.attrs["interpolated"] = weekly.index[:0]
        return weekly
    means = weekly.resample("MS").mean()
    empty = means.index[means.isna().to_numpy()]
    series = means.interpolate(method="linear")
    series.attrs["interpolated"] = empty
    return series.rename("co2")
