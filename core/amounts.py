"""Money as published: exact totals per currency, never one currency added to another.

Amounts are kept as the floats a source gives (``1250.5``); a float holds any amount of up to 15
significant digits exactly enough that its shortest text is the published decimal. Sums of floats
are not exact (``0.1 + 0.2``), so totals here are made in whole minor units (pence, cents) and given
back as the float whose text is the exact decimal total: no ``18303977.009999998`` in a CSV.

A total in GBP counts GBP only, unless the caller passes a rate for another currency (GBP per unit),
in which case the output names the rate used.

Databases that sum floats (the Cypher database, Neo4j) also get each amount as a whole number of
hundredths of its currency (:data:`HUNDREDTHS`, :func:`hundredths`): integers sum exactly there.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BASE_CURRENCY", "HUNDREDTHS", "exact_sum", "hundredths", "in_base_currency", "money_text",
           "other_currencies"]

#: The currency the analyses' ``amount_gbp`` columns are in.
BASE_CURRENCY = "GBP"
#: The exact money column of the Cypher database and Neo4j: ``amount`` in hundredths of its currency.
HUNDREDTHS = "amount_hundredths"
#: Most decimal places an amount is summed exactly at; finer fractions are rounded to this.
MAX_DECIMALS = 6


def _scale(amounts: np.ndarray) -> int:
    """The smallest power of ten (up to ``10**MAX_DECIMALS``) that makes every amount a whole number."""
    finite = amounts[np.isfinite(amounts)]
    for decimals in range(MAX_DECIMALS + 1):
        scale = 10 ** decimals
        if np.array_equal(np.round(finite * scale) / scale, finite):
            return scale
    return 10 ** MAX_DECIMALS


def exact_sum(amounts: pd.Series | np.ndarray | list[float], by: pd.Series | None = None) -> float | pd.Series:
    """The exact decimal total of amounts (missing ones left out), or one total per group of ``by``.

    Parameters
    ----------
    amounts : Series, array or list of float
        Amounts as published (a currency's units, e.g. GBP).
    by : Series, optional
        Group labels, aligned with ``amounts``.

    Returns
    -------
    float or Series
        The total as the float whose shortest text is the exact decimal sum.

    Examples
    --------
    >>> sum([0.1, 0.2]), exact_sum([0.1, 0.2])
    (0.30000000000000004, 0.3)
    >>> exact_sum(pd.Series([1.5, 2.25, 4.0]), by=pd.Series(["a", "a", "b"])).to_dict()
    {'a': 3.75, 'b': 4.0}
    """
    values = np.asarray(pd.to_numeric(pd.Series(np.asarray(amounts, dtype=object)), errors="coerce"), dtype=float)
    present = ~np.isnan(values)
    scale = _scale(values[present])
    units = np.where(present, np.round(np.where(present, values, 0.0) * scale), 0).astype(np.int64)
    if by is None:
        return int(units.sum()) / scale
    totals = pd.Series(units, index=by.index if isinstance(by, pd.Series) else None).groupby(
        np.asarray(by, dtype=object), sort=True).sum()
    return totals / scale


def hundredths(amount: Any) -> int | None:
    """An amount as a whole number of hundredths of its currency unit (pence, cents), for exact sums.

    Parameters
    ----------
    amount : float, int or None
        An amount as published.

    Returns
    -------
    int or None
        ``amount * 100`` exactly; None when the amount is missing, not finite or has a fraction finer
        than a hundredth (such an amount cannot be counted exactly in hundredths, so it is not counted
        at all rather than rounded).

    Examples
    --------
    >>> hundredths(18303977.01), hundredths(0.29), hundredths(5), hundredths(-12.5)
    (1830397701, 29, 500, -1250)
    >>> hundredths(1.005) is None, hundredths(None) is None, hundredths(float("nan")) is None
    (True, True, True)
    """
    if amount is None or isinstance(amount, bool):
        return None
    try:
        value = Decimal(str(amount)).scaleb(2)  # a float's shortest text is the decimal it was read from
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def money_text(amount: float) -> str:
    """An amount for reading: every digit it has, at least two decimals, thousands separated.

    Examples
    --------
    >>> money_text(115209875.69), money_text(2000.0), money_text(0.125), money_text(-5)
    ('115,209,875.69', '2,000.00', '0.125', '-5.00')
    """
    value = Decimal(repr(float(amount)))
    return f"{value.quantize(Decimal('0.01')) if value.as_tuple().exponent > -2 else value:,}"


def in_base_currency(amounts: pd.Series, currencies: pd.Series, *,
                     rates: Mapping[str, float] | None = None) -> pd.Series:
    """Each amount in GBP: as it is if in GBP, times the rate if its currency has one, else missing.

    Parameters
    ----------
    amounts, currencies : Series
        Aligned; a missing currency is unknown, so the amount is not counted as GBP.
    rates : mapping, optional
        GBP per unit of another currency (``{"USD": 0.79}``), as the user configured them.

    Examples
    --------
    >>> in_base_currency(pd.Series([10.0, 20.0, 5.0]), pd.Series(["GBP", "USD", None])).tolist()
    [10.0, nan, nan]
    >>> in_base_currency(pd.Series([20.0]), pd.Series(["USD"]), rates={"USD": 0.5}).tolist()
    [10.0]
    """
    rate = currencies.astype(object).map({**(rates or {}), BASE_CURRENCY: 1.0}).astype(float)
    return pd.to_numeric(amounts, errors="coerce").astype(float) * rate


def other_currencies(amounts: pd.Series, currencies: pd.Series, by: pd.Series, *,
                     rates: Mapping[str, float] | None = None) -> pd.Series:
    """Per group, the totals not counted in GBP, each in its own currency: ``"USD 2000.0; EUR 5.5"``;
    a currency converted at a configured rate is named with the rate (``"USD 2000.0 at 0.79 GBP"``).

    Examples
    --------
    >>> other_currencies(pd.Series([10.0, 20.0, 1.0]), pd.Series(["GBP", "USD", "USD"]),
    ...                  pd.Series(["f", "f", "f"])).to_dict()
    {'f': 'USD 21.0'}
    """
    currency = currencies.astype(object).where(currencies.notna(), "unknown currency")
    others = (currency != BASE_CURRENCY).to_numpy()
    if not others.any():
        return pd.Series(dtype=object)
    frame = pd.DataFrame({"by": np.asarray(by, dtype=object)[others], "currency": currency.to_numpy()[others],
                          "amount": np.asarray(amounts, dtype=float)[others]})
    totals = exact_sum(frame["amount"], by=frame["by"].astype(str) + "\0" + frame["currency"].astype(str))
    rows = []
    for label, total in totals.items():
        group, code = label.split("\0")
        note = f" at {rates[code]} GBP" if rates and code in rates else ""
        rows.append((group, f"{code} {total}{note}"))
    table = pd.DataFrame(rows, columns=["by", "text"])
    return table.groupby("by")["text"].agg("; ".join)
