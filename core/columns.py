"""Columns as civicgraph keeps them, and the one definition of a missing value.

A cell is missing when it is None, NaN, NA or NaT, or text with nothing but spaces; lists and dicts
always hold a value, even empty ones. :func:`is_missing` asks it of one cell, :func:`present_mask` of a
whole column at once; both give the same answer for the same value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

#: Text columns as loaders keep them: Arrow-backed, missing as NaN (pandas' default ``str``).
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, NaT or blank text).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing("  "), is_missing(pd.NA), is_missing(0), is_missing([])
    (True, True, True, False, False)
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def present_mask(values: pd.Series) -> np.ndarray:
    """Cells that hold a value: not None, NaN or NA, and not blank text (lists and dicts always do).

    Examples
    --------
    >>> present_mask(pd.Series(["a", " ", None, ["x"], 0], dtype=object)).tolist()
    [True, False, False, True, True]
    """
    mask = values.notna().to_numpy(dtype=bool, copy=True)
    if isinstance(values.dtype, pd.StringDtype):
        mask &= values.str.strip().ne("").to_numpy(dtype=bool, na_value=False)
    elif values.dtype == object:
        text = values.to_numpy(dtype=object)
        blank = np.fromiter((isinstance(v, str) and not v.strip() for v in text[mask]), bool, int(mask.sum()))
        mask[np.flatnonzero(mask)[blank]] = False
    return mask


def arrow_text(values: pd.Series) -> pa.Array:
    """A column of text (Arrow-backed, categorical or objects) as one Arrow ``large_string`` array,
    missing values null; Arrow-backed text is not copied cell by cell.

    Examples
    --------
    >>> arrow_text(pd.Series(["a", None], dtype=TEXT)).to_pylist()
    ['a', None]
    >>> arrow_text(pd.Series(pd.Categorical(["b", "b"]))).to_pylist()
    ['b', 'b']
    """
    if isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        array = pa.array(values.array, from_pandas=True)
        return (array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array).cast(pa.large_string())
    return pa.array(values.astype(object).to_numpy(), type=pa.large_string(), from_pandas=True)
