"""Reading the tabular files councils and ONS publish: encodings, BOMs, header blocks, column checks."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ijson
import pandas as pd

from graph.errors import SourceFormatError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode_bytes(path: Path) -> str:
    """The text of a file, trying UTF-8 (with or without BOM), then Windows-1252, then Latin-1.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("Name\\nCaf\\u00e9".encode("cp1252"))
    >>> decode_bytes(p).splitlines()[1]
    'Café'
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceFormatError(f"{path.name}: the file is empty")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceFormatError(f"{path.name}: not readable as UTF-8, Windows-1252 or Latin-1")  # pragma: no cover


def read_csv_text(path: Path, *, header_row: int = 0) -> pd.DataFrame:
    """Read a CSV file as text cells (no type guessing), whatever its encoding.

    Parameters
    ----------
    path : Path
        The file.
    header_row : int
        Zero-based line of the header (after any title block).

    Returns
    -------
    DataFrame
        All cells as strings, blanks as NaN, column names stripped of spaces. Blank lines are
        dropped; the index stays the data line number (index 0 is the line after the header).
    """
    # some exports end lines with \r\r\n; blank lines are dropped but keep their numbers in the index
    text = re.sub(r"\r+\n", "\n", decode_bytes(path))
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, skiprows=header_row, keep_default_na=False,
                            na_values=[""], skip_blank_lines=False)
    except pd.errors.ParserError as error:
        raise SourceFormatError(f"{path.name}: not a readable CSV file ({error})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all")


def find_header_row(path: Path, required: Iterable[str], *, search_lines: int = 50) -> int:
    """The line holding the header, for files that start with a title block (council spend files).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = p.write_text("Payments over 500\\n,,\\nBody,Supplier Name\\nX,Y\\n")
    >>> find_header_row(p, ["Supplier Name"])
    2
    """
    wanted = {c.lower() for c in required}
    for number, line in enumerate(decode_bytes(path).splitlines()[:search_lines]):
        cells = {cell.strip().strip('"').lower() for cell in line.split(",")}
        if wanted <= cells:
            return number
    raise SourceFormatError(
        f"{path.name}: no header row with the columns {', '.join(sorted(required))} in the first {search_lines} lines"
    )


def require_columns(frame: pd.DataFrame, path: Path, options: Iterable[Iterable[str]], what: str) -> list[str]:
    """Pick the first set of column names that the frame has; else raise naming what is missing.

    Parameters
    ----------
    frame : DataFrame
        The table read.
    path : Path
        Its file, for the message.
    options : iterable of iterable of str
        Alternative column layouts (e.g. 2017 and 2022 ward columns), first match wins.
    what : str
        What the table is, for the message.

    Returns
    -------
    list of str
        The matching layout.

    Examples
    --------
    >>> require_columns(pd.DataFrame(columns=["a", "b"]), Path("x.csv"), [["a", "c"], ["a", "b"]], "demo")
    ['a', 'b']
    """
    options = [list(o) for o in options]
    for layout in options:
        if all(c in frame.columns for c in layout):
            return layout
    closest = min(options, key=lambda layout: sum(c not in frame.columns for c in layout))
    missing = [c for c in closest if c not in frame.columns]
    raise SourceFormatError(
        f"{path.name} row 1 (header): missing column(s) {', '.join(missing)} for a {what}; "
        f"found {', '.join(map(str, frame.columns[:12]))}"
    )


def stream_json_items(path: Path, prefix: str | None = None, *, what: str = "records") -> Iterator[tuple[int, Any]]:
    """Yield ``(number, item)`` from a large JSON file one item at a time (ijson), BOM or not.

    Parameters
    ----------
    path : Path
        The file.
    prefix : str, optional
        ijson path of the items (``"item"`` for a top-level list, ``"grants.item"`` for a
        360Giving package). By default a top-level list's items.
    what : str
        What the items are, for the message if the file is cut short.

    Raises
    ------
    SourceFormatError
        If the file is empty or not valid JSON (naming how many items were read first).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_text('[{"a": 1}, {"a": 2}]')
    >>> [item["a"] for _, item in stream_json_items(p)]
    [1, 2]
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
        if not head.strip():
            raise SourceFormatError(f"{path.name}: the file is empty")
        handle.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        count = 0
        try:
            for item in ijson.items(handle, prefix or "item", use_float=True):
                yield count, item
                count += 1
        except ijson.JSONError as error:
            reason = str(error).splitlines()[0]
            raise SourceFormatError(f"{path.name}: not valid JSON after {count} {what} ({reason}); "
                                    "is the file truncated?") from None


def first_json_character(path: Path) -> bytes:
    """The first non-blank byte of a JSON file after any BOM: ``b"["`` for a list, ``b"{"`` for an object."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]


def normalise_postcode(value: str) -> str:
    """A postcode in the single-space form (``TW3 1AA``), upper case; '' if it cannot be one.

    Examples
    --------
    >>> normalise_postcode(" tw134nd ")
    'TW13 4ND'
    """
    compact = "".join(str(value).split()).upper()
    if not 5 <= len(compact) <= 7:
        return ""
    return f"{compact[:-3]} {compact[-3:]}"
