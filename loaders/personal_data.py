"""Personal contact details kept out of the graph: e-mail addresses and phone numbers in free text.

Directory descriptions, workbook notes and grant descriptions are written by people and often name
someone to contact ("call Jo on 07700 900123"). The graph is shared in workshops and exports, so
by default such details are replaced as the sources are loaded by ``[email withheld]`` and
``[phone withheld]``; ``keep_contacts = true`` under ``[build]`` keeps them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from civicgraph.loaders.base import LoadResult

__all__ = ["EMAIL", "FREE_TEXT_FIELDS", "PHONE", "redact_contacts", "redact_text"]

#: Attributes that hold free text a person wrote.
FREE_TEXT_FIELDS = ("description", "note", "title", "purpose")
#: An e-mail address.
EMAIL = r"[\w.+-]+@[\w-]+(\.[\w-]+)+"
#: A UK phone number: +44, 0044 or 0, then ten or eleven digits in all, spaced or hyphenated.
PHONE = r"(\+44\s?\(0\)\s?|\+44\s?|\b0044\s?|\b0)(\d[ -]?){8,9}\d\b"


def _redacted(values: pd.Series) -> pd.Series:
    return (values.str.replace(EMAIL, "[email withheld]", regex=True)
            .str.replace(PHONE, "[phone withheld]", regex=True))


def redact_text(text: str) -> str:
    """``text`` with e-mail addresses and UK phone numbers withheld.

    Examples
    --------
    >>> redact_text("Call Jo on 07700 900123 or +44 (0)20 7946 0000, jo.bloggs@example.org.uk; charity 1048347")
    'Call Jo on [phone withheld] or [phone withheld], [email withheld]; charity 1048347'
    """
    return str(_redacted(pd.Series([text], dtype=object)).iloc[0])


def redact_contacts(result: LoadResult) -> LoadResult:
    """A loader's result with e-mail addresses and phone numbers withheld from its free text
    (:data:`FREE_TEXT_FIELDS` of nodes and edges), a column at a time.

    Examples
    --------
    >>> from pathlib import Path
    >>> nodes = pd.DataFrame({"id": ["a"], "kind": ["Service"], "description": ["ring 020 8583 2000"]})
    >>> result = LoadResult("open-referral", Path("d.json"), nodes, pd.DataFrame(), pd.DataFrame())
    >>> redact_contacts(result).nodes["description"].tolist()
    ['ring [phone withheld]']
    """
    frames = {}
    for name in ("nodes", "edges"):
        frame = getattr(result, name)
        columns = [c for c in FREE_TEXT_FIELDS if c in frame.columns]
        if columns:
            frame = frame.copy(deep=False)
            for column in columns:
                frame[column] = _redacted_column(frame[column])
        frames[name] = frame
    return dataclasses.replace(result, **frames)


def _redacted_column(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype):
        return _redacted(values)
    cells = values.to_numpy(dtype=object, copy=True)
    text = np.fromiter((isinstance(v, str) for v in cells), bool, len(cells))
    if text.any():
        cells[text] = _redacted(pd.Series(cells[text], dtype=object)).to_numpy()
    return pd.Series(cells, index=values.index, dtype=object)
