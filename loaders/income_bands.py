"""Income bands used across the sector (NCVO UK Civil Society Almanac)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Upper bounds (GBP, exclusive) of each band, in order.
BANDS = (("micro", 10_000), ("small", 100_000), ("medium", 1_000_000), ("large", 10_000_000),
         ("major", 100_000_000), ("super-major", float("inf")))


def income_band(income_gbp: float | None) -> str:
    """The NCVO band of an annual income in GBP; ``unknown`` when there is none.

    Examples
    --------
    >>> income_band(9_999), income_band(10_000), income_band(450_000), income_band(None)
    ('micro', 'small', 'medium', 'unknown')
    """
    if income_gbp is None:
        return "unknown"
    for band, upper in BANDS:
        if income_gbp < upper:
            return band
    return "super-major"  # pragma: no cover - the last bound is infinite


def income_bands(incomes_gbp: pd.Series) -> pd.Series:
    """:func:`income_band` of a whole column of incomes (NaN is ``unknown``).

    Examples
    --------
    >>> income_bands(pd.Series([9_999, 10_000, None, 2e8])).tolist()
    ['micro', 'small', 'unknown', 'super-major']
    """
    values = pd.to_numeric(incomes_gbp, errors="coerce").to_numpy(dtype=float)
    uppers = np.array([upper for _, upper in BANDS])
    names = np.array([band for band, _ in BANDS] + ["unknown"], dtype=object)
    position = np.where(np.isnan(values), len(BANDS), np.searchsorted(uppers, values, side="right"))
    return pd.Series(names[position], index=incomes_gbp.index, dtype="str")
