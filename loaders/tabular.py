"""Reading the tabular files councils and ONS publish: encodings, BOMs, header blocks, column checks."""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import ijson
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from civicgraph.core.columns import TEXT, arrow_text
from civicgraph.core.errors import ConfigError, SourceEncodingWarning, SourceFormatError
from civicgraph.loaders.limits import Limits, current_limits

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: A valid UTF-8 sequence of two to four bytes: a file holding one is UTF-8, whatever else it holds.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: Defaults of the limits a CSV reader keeps to (see :class:`loaders.limits.Limits`; a build's
#: ``[limits]`` table changes them).
MAX_FIELD_BYTES = Limits().max_field_bytes
MAX_ROWS = Limits().max_rows


def decode_bytes(path: Path) -> str:
    """The text of a file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1.

    A file that is UTF-8 but for a few bad bytes (it holds at least as many valid multi-byte UTF-8
    sequences as bad bytes) is read as UTF-8 with each bad byte replaced by U+FFFD and a :class:`~civicgraph.core.errors.SourceEncodingWarning`
    naming its line, rather than re-decoded whole as Windows-1252 (which would turn every "é"
    into "Ã©" and change identifiers made from names).

    Examples
    --------
    >>> import tempfile, warnings
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("Name\\nCaf\\u00e9".encode("cp1252"))
    >>> decode_bytes(p).splitlines()[1]
    'Café'
    >>> _ = p.write_bytes("Name\\nCaf\\u00e9\\nBad \\x9d byte".encode("utf-8").replace(b"\\xc2\\x9d", b"\\x9d"))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     decode_bytes(p).splitlines()[1:]
    ['Café', 'Bad � byte']
    >>> str(caught[0].message)
    'a.csv line 3: byte 0x9d is not UTF-8; read as U+FFFD'
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceFormatError(f"{path.name}: the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = raw.decode("utf-8-sig", errors="replace")
        bad = text.count("\ufffd") - raw.count("\ufffd".encode())
        if bad <= len(_UTF8_MULTIBYTE.findall(raw)):  # mostly UTF-8: the bad bytes are damage
            line = raw.count(b"\n", 0, error.start) + 1
            warnings.warn(f"{path.name} line {line}: byte 0x{raw[error.start]:02x} is not UTF-8; read as U+FFFD"
                          + (f" ({bad} such bytes)" if bad > 1 else ""), SourceEncodingWarning, stacklevel=2)
            return text
    for encoding in ENCODINGS[1:]:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceFormatError(f"{path.name}: not readable as UTF-8, Windows-1252 or Latin-1")  # pragma: no cover


#: Amounts with thousands separators, by the decimal mark used: ``1,234.50`` or ``1.234,50``.
_GROUPED = {".": re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"),
            ",": re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")}


def check_decimal(decimal: str, *, loader: str) -> None:
    """Refuse a ``decimal`` option of a ``[[source]]`` that is not a decimal mark :func:`parse_amount` reads.

    Examples
    --------
    >>> check_decimal(",", loader="spend")
    >>> check_decimal(";", loader="spend")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.ConfigError: loader 'spend' option decimal: ';' is not supported. Use one of: '.', ','.
    """
    if decimal not in _GROUPED:
        raise ConfigError(f"loader {loader!r} option decimal: {decimal!r} is not supported. "
                          f"Use one of: {', '.join(map(repr, _GROUPED))}.")


def parse_amount(text: str, *, decimal: str = ".") -> float | None:
    """An amount of money from a cell as councils and funders write it, or None if it is not one.

    A pound sign, spaces and accountants' brackets for negatives are allowed; thousands separators
    only where they group three digits. With the UK's decimal point, ``1.000,50`` (a decimal comma)
    and ``1,5`` are not amounts (None: the loader rejects the row) rather than being read as 1.0005
    or 15; ``decimal=","`` reads them the continental way.

    Examples
    --------
    >>> parse_amount("£1,234.50"), parse_amount("(250)"), parse_amount("1.5E+04")
    (1234.5, -250.0, 15000.0)
    >>> parse_amount("1.000,50"), parse_amount("1,5"), parse_amount("nan")
    (None, None, None)
    >>> parse_amount("1.000,50", decimal=",")
    1000.5
    """
    cleaned = text.replace("£", "").replace(" ", "").replace("\u00a0", "").strip()
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    thousands = "," if decimal == "." else "."
    if thousands not in cleaned and decimal == ".":
        try:
            number = float(cleaned)
        except ValueError:
            return None
        return number if np.isfinite(number) else None
    if not _GROUPED[decimal].fullmatch(cleaned):
        return None
    return float(cleaned.replace(thousands, "").replace(decimal, "."))


def parse_amounts(values: pd.Series) -> pd.Series:
    """:func:`parse_amount` (decimal point) of a text column, a column at a time; NaN where not an amount.

    Examples
    --------
    >>> parse_amounts(pd.Series(["1,234.5", "1.000,50", "(£12)", None])).tolist()
    [1234.5, nan, -12.0, nan]
    """
    text = values.astype(TEXT).str.replace(r"[£\s\u00a0]", "", regex=True)
    text = text.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    plain = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(plain, errors="coerce").astype("float64")
    grouped = text.str.contains(",", regex=False).fillna(False).astype(bool)
    valid = ~grouped | text.str.fullmatch(_GROUPED["."].pattern).fillna(False).astype(bool)
    return numbers.where(valid & np.isfinite(numbers))


#: Date layouts UK sources use, tried in turn: ISO first, then day before month (never the US order).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y",
                "%d-%b-%y")


def parse_date(text: str) -> str | None:
    """An ISO date (``YYYY-MM-DD``) from a cell, or None if it is not a real date in a UK layout.

    A date-time keeps its date; an impossible day (30 February) is None, not stored as written.

    Examples
    --------
    >>> parse_date("1/2/2019"), parse_date("2019-02-01T09:30:00Z"), parse_date("1 Feb 2019")
    ('2019-02-01', '2019-02-01', '2019-02-01')
    >>> parse_date("2019-02-30"), parse_date("02/30/2019"), parse_date("soon")
    (None, None, None)
    """
    text = text.strip()
    if len(text) > 10 and text[4:5] == "-" and text[10:11] in ("T", " "):
        text = text[:10]
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date().isoformat()
        except ValueError:
            continue
    return None


def read_csv_text(path: Path, *, header_row: int = 0, max_field_bytes: int | None = None,
                  max_rows: int | None = None) -> pd.DataFrame:
    """Read a CSV file as text cells (no type guessing), whatever its encoding.

    UTF-8 files are parsed by pyarrow (several threads, text kept in Arrow: a national postcode
    directory of 1.6 million rows reads in under a second); others by pandas after decoding.

    Parameters
    ----------
    path : Path
        The file.
    header_row : int
        Zero-based line of the header (after any title block).
    max_field_bytes : int, optional
        Longest cell accepted, in bytes of UTF-8 (default: the limits in force, see :mod:`loaders.limits`).
    max_rows : int, optional
        Most data rows accepted, blank lines included (default: the limits in force).

    Returns
    -------
    DataFrame
        All cells as strings, blanks as NaN, column names stripped of spaces. Blank lines are
        dropped; the index stays the data line number (index 0 is the line after the header).

    Raises
    ------
    SourceFormatError
        An empty or unreadable file, one cut short (its last line has no line end and fewer fields
        than the header), a cell longer than ``max_field_bytes`` or more rows than ``max_rows``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text(" code ,name\\nE01,A\\n\\nE02,\\n")
    >>> read_csv_text(p).to_dict("index")
    {0: {'code': 'E01', 'name': 'A'}, 2: {'code': 'E02', 'name': nan}}
    >>> read_csv_text(p, max_field_bytes=2)
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.SourceFormatError: a.csv row 2, field code: 3 bytes, over the limit of 2 bytes per field ([limits] max_field_bytes)
    """
    limits = current_limits()
    max_field_bytes = limits.max_field_bytes if max_field_bytes is None else max_field_bytes
    max_rows = limits.max_rows if max_rows is None else max_rows
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceFormatError(f"{path.name}: the file is empty")
    frame = _read_utf8_csv(raw, header_row) if b"\r\r" not in raw else None
    if frame is None:
        # some exports end lines with \r\r\n; blank lines are dropped but keep their numbers in the index
        text = re.sub(r"\r+\n", "\n", decode_bytes(path))
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, skiprows=header_row, keep_default_na=False,
                                na_values=[""], skip_blank_lines=False)
        except pd.errors.ParserError as error:
            raise SourceFormatError(f"{path.name}: not a readable CSV file ({str(error).strip()})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _refuse_over_limits(path, frame, first_row=header_row + 2, max_rows=max_rows,
                        max_field_bytes=max_field_bytes if len(raw) > max_field_bytes else None)
    _refuse_cut_short(path, raw, len(frame.columns), header_row + 1 + len(frame))
    return frame.dropna(how="all")


def _refuse_over_limits(path: Path, frame: pd.DataFrame, *, first_row: int, max_rows: int,
                        max_field_bytes: int | None) -> None:
    """Refuse rows past ``max_rows`` and cells longer than ``max_field_bytes`` (None: no cell can be).

    ``first_row`` is the file row of the frame's first row; ``max_rows`` counts from the file's
    first data row, which is ``first_row - frame.index[0]`` for a chunk of a stream."""
    if len(frame) and frame.index[-1] >= max_rows:
        row = first_row - int(frame.index[0]) + max_rows
        raise SourceFormatError(f"{path.name} row {row}: over the limit of {max_rows:,} data rows ([limits] max_rows)")
    if max_field_bytes is None:
        return
    for column in frame.columns:
        lengths = pc.binary_length(arrow_text(frame[column]))
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > max_field_bytes:
            at = pc.index(pc.greater(lengths, max_field_bytes), True).as_py()
            raise SourceFormatError(f"{path.name} row {first_row + at}, field {column}: "
                                    f"{lengths[at].as_py():,} bytes, over the limit of "
                                    f"{max_field_bytes:,} bytes per field ([limits] max_field_bytes)")


def _refuse_cut_short(path: Path, raw: bytes, columns: int, last_row: int) -> None:
    """Refuse a file whose last line has no line end and fewer fields than the header (a download
    or copy cut short): its damaged last row would load as if its missing fields were blank."""
    if raw.endswith((b"\n", b"\r")):
        return
    tail = raw[raw.rfind(b"\n") + 1:].decode("utf-8", errors="replace")
    fields = len(next(csv.reader([tail]), []))
    if tail.count('"') % 2 or fields < columns:
        raise SourceFormatError(f"{path.name} row {last_row}: the last row has {fields} of {columns} fields and "
                                "no line end; the file looks cut short (download or copy it again)")


def _read_utf8_csv(raw: bytes, header_row: int) -> pd.DataFrame | None:
    """A UTF-8 CSV file parsed by pyarrow, every column as text; None if pyarrow cannot read it."""
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(raw), read_options=pa_csv.ReadOptions(skip_rows=header_row),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                  default_column_type=pa.large_string()))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    columns = {name: column.to_pandas(types_mapper={pa.large_string(): TEXT}.get)
               for name, column in zip(table.column_names, table.columns)}
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows)) if columns else None


def stream_csv(path: Path, *, delimiter: str = ",", quoted: bool = True, block_bytes: int = 16 << 20,
               max_field_bytes: int | None = None, max_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """Yield a large UTF-8 CSV (or tab-separated) file in chunks of rows, every cell as text.

    pyarrow parses each block on several threads; the index of each chunk counts data rows from 0
    across the whole file (the header is row 1 of the file, the first data row row 2). Column names
    are stripped of spaces.

    Parameters
    ----------
    path : Path
        The file.
    delimiter : str
        The field separator.
    quoted : bool
        Whether fields may be quoted (a tab-separated register that is not must not treat ``"`` as one).
    block_bytes : int
        Bytes parsed at a time (at least twice ``max_field_bytes``, so a cell at the limit fits a block).
    max_field_bytes : int, optional
        Longest cell accepted, in bytes of UTF-8 (default: the limits in force, see :mod:`loaders.limits`).
    max_rows : int, optional
        Most data rows accepted (default: the limits in force).

    Yields
    ------
    DataFrame
        The next rows, all cells as text, blanks as NaN.

    Raises
    ------
    SourceFormatError
        If the file is not UTF-8 or not a table of this delimiter, holds a cell longer than
        ``max_field_bytes`` or more rows than ``max_rows`` (raised when the reader gets there).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text(" a ,b\\n1,x\\n2,\\n")
    >>> [chunk.to_dict("list") for chunk in stream_csv(p)]
    [{'a': ['1', '2'], 'b': ['x', nan]}]
    >>> [chunk for chunk in stream_csv(p, max_rows=1)]
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.SourceFormatError: a.csv row 3: over the limit of 1 data rows ([limits] max_rows)
    """
    limits = current_limits()
    max_field_bytes = limits.max_field_bytes if max_field_bytes is None else max_field_bytes
    max_rows = limits.max_rows if max_rows is None else max_rows
    block_bytes = max(block_bytes, 2 * max_field_bytes)
    done = 0
    try:
        reader = pa_csv.open_csv(
            path, read_options=pa_csv.ReadOptions(block_size=block_bytes),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                              newlines_in_values=quoted),
            convert_options=pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                  default_column_type=pa.large_string()))
        for batch in reader:
            frame = batch.to_pandas(types_mapper={pa.large_string(): TEXT}.get)
            frame.columns = [str(c).strip() for c in frame.columns]
            frame.index = pd.RangeIndex(done, done + len(frame))
            _refuse_over_limits(path, frame, first_row=done + 2, max_rows=max_rows, max_field_bytes=max_field_bytes)
            done += len(frame)
            yield frame
    except pa.ArrowInvalid as error:
        if "straddles" in str(error):  # one cell (or an unclosed quote) longer than a whole block
            raise SourceFormatError(f"{path.name} after row {done + 1}: a field longer than {block_bytes:,} bytes, over "
                                    f"the limit of {max_field_bytes:,} bytes per field ([limits] max_field_bytes)"
                                    ) from None
        if "utf8" in str(error).lower() or "utf-8" in str(error).lower():
            raise SourceFormatError(f"{path.name}: not UTF-8 text") from None
        raise SourceFormatError(f"{path.name}: not a readable {'tab-separated' if delimiter == chr(9) else 'CSV'} "
                                f"file ({error})") from None


def is_utf8(path: Path, *, block_bytes: int = 16 << 20) -> bool:
    """Whether a file is UTF-8 text (read in blocks: memory stays flat); an empty file is refused.

    Raises
    ------
    SourceFormatError
        If the file holds nothing but white space.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("Café".encode("cp1252"))
    >>> is_utf8(p)
    False
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank = True
    with path.open("rb") as handle:
        try:
            while block := handle.read(block_bytes):
                blank = blank and not block.strip()
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    if blank:
        raise SourceFormatError(f"{path.name}: the file is empty")
    return True


def header(path: Path, *, delimiter: str = ",") -> list[str]:
    """The column names of a CSV file, stripped of spaces (read from its first line only).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text(" a ,b\\n1,2\\n")
    >>> header(p)
    ['a', 'b']
    """
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace")
    return [name.strip().strip('"').strip() for name in first.rstrip("\r\n").split(delimiter)]


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
    check_json_depth(path)
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


#: Default deepest nesting of a JSON source (see :class:`loaders.limits.Limits`): deeper files are
#: refused before they are parsed, whose memory would grow with the depth's square.
MAX_JSON_DEPTH = Limits().max_json_depth
_SYNTAX = np.zeros(256, bool)
_SYNTAX[list(b'[]{}"\\')] = True
_STEP = np.zeros(256, np.int64)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def check_json_depth(path: Path, *, limit: int | None = None, block_bytes: int = 16 << 20) -> None:
    """Refuse a JSON file nested deeper than ``limit`` (brackets inside strings do not count); by
    default the ``max_json_depth`` in force (:mod:`loaders.limits`).

    Read in blocks, a block at a time by numpy (only its quotes, backslashes and brackets are
    looked at), so memory stays flat.

    Raises
    ------
    SourceFormatError
        Naming the file, the byte where the limit is passed, and the limit.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_text('{"a": "[[[[", "b": [[1]]}')
    >>> check_json_depth(p, limit=3)
    >>> _ = p.write_text("[" * 5 + "]" * 5)
    >>> check_json_depth(p, limit=3)
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.SourceFormatError: a.json byte 3: lists and objects nested deeper than the limit of 3 levels ([limits] max_json_depth); ...
    """
    limit = current_limits().max_json_depth if limit is None else limit
    depth, in_string, backslashes, offset = 0, False, 0, 0
    with path.open("rb") as handle:
        while block := handle.read(block_bytes):
            data = np.frombuffer(block, np.uint8)
            where = np.flatnonzero(_SYNTAX[data])  # only quotes, backslashes and brackets matter
            found = data[where]
            if not len(where):
                backslashes, offset = 0, offset + len(data)
                continue
            backslash = found == _BACKSLASH
            # a backslash "links" to the next byte when that byte comes right after it
            link = backslash & (np.append(where[1:], len(data)) == where + 1)
            order = np.arange(len(where))
            last_break = np.maximum.accumulate(np.where(link, -1, order))
            before = np.concatenate(([-1], last_break[:-1]))
            run = order - 1 - before + np.where((before == -1) & (where[0] == 0), backslashes, 0)
            quotes = (found == _QUOTE) & (run % 2 == 0)
            inside = ((np.cumsum(quotes) + in_string) % 2 == 1) | quotes
            step = _STEP[found]
            step[inside] = 0
            levels = depth + np.cumsum(step)
            if levels.max() > limit:
                at = offset + int(where[np.argmax(levels > limit)])
                raise SourceFormatError(f"{path.name} byte {at}: lists and objects nested deeper than the limit of "
                                        f"{limit} levels ([limits] max_json_depth); not a source file this loader reads")
            depth, in_string = int(levels[-1]), bool((np.count_nonzero(quotes) + in_string) % 2)
            trailing = 0
            if link[-1]:
                trailing = len(where) - 1 - int(last_break[-1])
                trailing += backslashes if last_break[-1] == -1 and where[0] == 0 else 0
            backslashes, offset = trailing, offset + len(data)


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


def in_set(values: pd.Series, members: set[str] | frozenset[str]) -> np.ndarray:
    """Whether each cell is one of ``members`` (pandas' ``isin`` on Arrow text against a large set is
    many times slower than asking the set).

    Examples
    --------
    >>> in_set(pd.Series(["a", "b", None]), {"a"}).tolist()
    [True, False, False]
    """
    return np.fromiter((value in members for value in values.tolist()), dtype=bool, count=len(values))


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """:func:`normalise_postcode` of a whole column at once ('' where a cell cannot be a postcode).

    Examples
    --------
    >>> normalise_postcodes(pd.Series([" tw134nd ", "x", None])).tolist()
    ['TW13 4ND', '', '']
    """
    text = values.astype("str").fillna("")
    other_space = text.str.contains(r"[^\S ]", regex=True).to_numpy(dtype=bool, na_value=False).any()
    compact = (text.str.replace(r"\s+", "", regex=True) if other_space else text.str.replace(" ", "", regex=False)).str.upper()
    spaced = compact.str.slice(0, -3) + " " + compact.str.slice(-3)
    return spaced.where(compact.str.len().between(5, 7), "")
