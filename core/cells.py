"""Text made safe for the file it is written to: spreadsheets, CSV, XML and Markdown.

Names and descriptions come from public files anyone can edit, so an output must not let them
act on its reader:

- **Formulas** (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with ``=``, ``+``,
  ``-`` or ``@`` (or a tab or carriage return before one) as a formula. Every text cell that starts
  with one of these, or with spaces or line breaks before one, in a CSV or Excel output gets a
  single quote in front (``'=HYPERLINK(...)``), which spreadsheets show as text; numbers are left
  as numbers. Carriage returns inside text become line feeds, which CSV writers quote.
- **Control characters**: XML 1.0 (GraphML, RDF/XML, the xlsx format) cannot hold most of
  ``U+0000``-``U+001F``; they are removed from every text written (tab, line feed and carriage
  return stay, except at the start of a spreadsheet cell).
- **Markdown**: ``<``, ``>``, ``&`` become character references and ``|`` is escaped, so a name
  cannot open an HTML tag or break a table.

Identical tables give byte-identical files: floating-point numbers are written to
:data:`SIGNIFICANT_DIGITS` significant digits (the last bits of a sum vary with the order of its
terms, and some measures, such as eigenvector centrality, are computed from a random start), and
an Excel workbook carries no time of writing.

Writers: :func:`write_csv` and :func:`write_excel`, through :func:`replaced_when_complete` (a
temporary file, so a failure leaves no half-written file); :func:`markdown_text` for Markdown.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "clean_text", "is_money", "markdown_table", "markdown_text", "replaced_when_complete", "significant", "spreadsheet_frame", "spreadsheet_text",
           "write_csv", "write_excel"]

#: First characters a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Significant digits floating-point numbers are written with in CSV and Excel files.
SIGNIFICANT_DIGITS = 12
#: The time stamp every part of a written workbook carries (the zip format's earliest).
_WORKBOOK_TIME = (1980, 1, 1, 0, 0, 0)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MARKDOWN = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\n": " ", "\r": " "}


def clean_text(value: Any) -> Any:
    """``value`` without the characters XML 1.0 cannot hold (anything not text is returned as it is).

    Examples
    --------
    >>> clean_text("Nul\\x00 Club\\x0b")
    'Nul Club'
    >>> clean_text(3.5)
    3.5
    """
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a spreadsheet cell that cannot be a formula: control characters removed and a
    single quote in front of text that starts like a formula.

    Examples
    --------
    >>> spreadsheet_text('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> spreadsheet_text("-2+3"), spreadsheet_text(-2), spreadsheet_text("Café")
    ("'-2+3", -2, 'Café')
    """
    value = clean_text(value)
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR would end the row for many readers
    if value.startswith(FORMULA_STARTS) or value.lstrip(" \t\n").startswith(FORMULA_STARTS[:4]):
        return "'" + value
    return value


def significant(values: np.ndarray) -> np.ndarray:
    """Floating-point ``values`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits.

    Examples
    --------
    >>> significant(np.array([0.017901442864649255, 0.017901442864649262, -2.5e-9, 0.0, np.nan])).tolist()
    [0.0179014428646, 0.0179014428646, -2.5e-09, 0.0, nan]
    """
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        exponent = np.floor(np.log10(np.abs(values)))
        scale = np.power(10.0, SIGNIFICANT_DIGITS - 1 - np.where(np.isfinite(exponent), exponent, 0))
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded) & (values != 0), rounded, values)


def is_money(column: Any) -> bool:
    """Whether an answer's column holds money (``amount``, ``amount_gbp``, ``rent_gbp``, ...): exact
    decimal totals, written as they are rather than rounded to significant digits.

    Examples
    --------
    >>> is_money("amount_gbp"), is_money("gini")
    (True, False)
    """
    return isinstance(column, str) and ("amount" in column or "gbp" in column)


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are :func:`spreadsheet_text` and
    whose floating-point numbers are :func:`significant`, except money (:func:`is_money`), which
    is an exact decimal total already and keeps every penny however large.

    Examples
    --------
    >>> spreadsheet_frame(pd.DataFrame({"name": ["@SUM(A1)", "ok"], "gbp": [-5, 7]})).to_dict("list")
    {'name': ["'@SUM(A1)", 'ok'], 'gbp': [-5, 7]}
    >>> spreadsheet_frame(pd.DataFrame({"amount_gbp": [123456789012.34], "share": [0.1234567890123456]})).iloc[0].tolist()
    [123456789012.34, 0.123456789012]
    """
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype):
            frame[column] = frame[column].map(spreadsheet_text, na_action="ignore")
        elif pd.api.types.is_float_dtype(frame[column].dtype) and not is_money(column):
            frame[column] = significant(frame[column].to_numpy(dtype=np.float64, na_value=np.nan))
    frame.columns = [spreadsheet_text(str(c)) if isinstance(c, str) else c for c in frame.columns]
    return frame


@contextlib.contextmanager
def replaced_when_complete(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that becomes ``path`` only if the block completes.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with replaced_when_complete(path) as partial:
    ...     _ = partial.write_text("whole")
    >>> path.read_text()
    'whole'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        yield Path(name)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (no index) with every text field made :func:`spreadsheet_text`.

    Examples
    --------
    >>> import tempfile
    >>> path = write_csv(pd.DataFrame({"name": ["+44 20 7946 0000"]}), Path(tempfile.mkdtemp()) / "a.csv")
    >>> path.read_text()
    "name\\n'+44 20 7946 0000\\n"
    """
    path = Path(path)
    with replaced_when_complete(path) as partial:
        spreadsheet_frame(frame).to_csv(partial, index=False)
    return path


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one sheet per frame (names cut to Excel's 31 characters), text cells made
    :func:`spreadsheet_text`; the file appears only when complete.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> path = write_excel({"nodes": pd.DataFrame({"name": ["=1+1"]})}, Path(tempfile.mkdtemp()) / "a.xlsx")
    >>> cell = openpyxl.load_workbook(path)["nodes"]["A2"]
    >>> cell.value, cell.data_type
    ("'=1+1", 's')
    """
    path = Path(path)
    with replaced_when_complete(path) as partial:
        # the file is ours to close: pandas leaves its handle open when the workbook fails to save
        with partial.open("wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                spreadsheet_frame(frame).to_excel(writer, sheet_name=clean_text(name)[:31], index=False)
        _without_time_stamps(partial)
    return path


def _without_time_stamps(path: Path) -> None:
    """Rewrite a workbook with fixed zip times and no created/modified dates in its properties."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_WORKBOOK_TIME)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            archive.writestr(fixed, data)


def markdown_text(value: Any) -> str:
    """``value`` as text for a Markdown table cell: no HTML, no table breaks, no control characters.

    Examples
    --------
    >>> markdown_text("<!--<script>alert(1)</script> | A&B")
    '&lt;!--&lt;script&gt;alert(1)&lt;/script&gt; \\\\| A&amp;B'
    """
    text = clean_text(str(value))
    return "".join(_MARKDOWN.get(c, c) for c in text)


_NUMBER_TEXT = re.compile(r"-?[\d,]*\.?\d+%?")


def markdown_table(frame: pd.DataFrame) -> str:
    """A table as Markdown, every value written as it is: a float by the shortest text of its
    :data:`SIGNIFICANT_DIGITS` significant digits, money (:func:`is_money`) by all of them (a total of
    ``115209875.69`` stays that, not tabulate's ``1.1521e+08``), text already formatted left alone;
    columns of numbers aligned right.
    Cells are not escaped here (see :func:`markdown_text`).

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"funder": ["A"], "amount_gbp": [115209875.69], "shown": ["1,250.50"]})))
    | funder   |   amount_gbp |    shown |
    |:---------|-------------:|---------:|
    | A        | 115209875.69 | 1,250.50 |
    """
    def numeric(column: pd.Series) -> bool:
        given = [v for v in column if not (v is None or v == "" or (isinstance(v, float) and np.isnan(v)))]
        return bool(given) and all(
            (isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
            or (isinstance(v, str) and _NUMBER_TEXT.fullmatch(v) is not None) for v in given)

    shown = frame.astype(object).where(frame.notna(), "")
    # measures to the significant digits the CSV answers keep (so last-bit noise writes the same bytes)
    for column in shown.columns:
        if not is_money(column):
            shown[column] = shown[column].map(lambda v: float(significant(np.array([v]))[0])
                                              if isinstance(v, float | np.floating) else v)
    return shown.to_markdown(index=False, disable_numparse=True,
                             colalign=["right" if numeric(shown[c]) else "left" for c in shown.columns])
