"""Income bands used across the sector (NCVO UK Civil Society Almanac)."""

from __future__ import annotations

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
