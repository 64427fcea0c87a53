"""The review file: pairs a person decides, kept across rebuilds.

A CSV file, one row per pair of identifiers, that an officer opens in a spreadsheet and marks
``accept`` (the two are one organisation) or ``reject`` (they are not) in the ``decision`` column.
Every build reads the decisions and applies them; after a successful build the file is rewritten
with the decided rows exactly as they were and the pairs now awaiting a decision.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.tabular import decode_bytes

REVIEW_COLUMNS = ["left_id", "left_name", "right_id", "right_name", "score", "evidence", "decision",
                  "decided_by", "note"]
DECISIONS = ("accept", "reject")


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The order-free key of a pair of identifiers.

    Examples
    --------
    >>> pair_key("LOCAL-HNS-x", "GB-CHC-1")
    ('GB-CHC-1', 'LOCAL-HNS-x')
    """
    return (a, b) if a <= b else (b, a)


#: How a piece of evidence against a pair begins (:mod:`resolve.scoring`, :mod:`resolve.resolution`);
#: every other piece is evidence for it.
AGAINST = ("another body", "different places", "place in one name only", "different words", "words in one name only",
           "kind words in one name only", "different area", "different domain", "no second signal",
           "the same name in another postcode area", "a name alike in another postcode area", "held:", "ambiguous:")


def for_and_against(evidence: str) -> str:
    """Resolution's evidence for a pair rewritten as what speaks for it and what against it.

    Examples
    --------
    >>> for_and_against("same name after normalising ('mind'); different area (TW3 1AA / SE8 4AG); "
    ...                 "the same name in another postcode area: not merged on the name alone")
    "for: same name after normalising ('mind') | against: different area (TW3 1AA / SE8 4AG); the same name in another postcode area: not merged on the name alone"
    >>> for_and_against("one name contains the other ('age uk' / 'age uk hounslow')")
    "for: one name contains the other ('age uk' / 'age uk hounslow') | against: nothing in the records"
    """
    pieces = [piece.strip() for piece in str(evidence).split("; ") if piece.strip()]
    against = [piece for piece in pieces if piece.startswith(AGAINST)]
    speaks_for = [piece for piece in pieces if not piece.startswith(AGAINST)]
    return (f"for: {'; '.join(speaks_for) or 'nothing but the score'} | "
            f"against: {'; '.join(against) or 'nothing in the records'}")


def read_review_file(path: str | os.PathLike[str] | None) -> pd.DataFrame:
    """Read a review file (an absent file has no decisions yet).

    Returns
    -------
    DataFrame
        The file's rows in :data:`REVIEW_COLUMNS`, ``decision`` lower-cased ('' when undecided).

    Raises
    ------
    SourceFormatError
        A missing column, or a decision other than ``accept``, ``reject`` or blank (naming the row).

    Examples
    --------
    >>> read_review_file(None).columns.tolist()[:3]
    ['left_id', 'left_name', 'right_id']
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    path = Path(path)
    frame = pd.read_csv(io.StringIO(decode_bytes(path)), dtype=str, keep_default_na=False)  # Excel saves cp1252
    missing = [c for c in ("left_id", "right_id", "decision") if c not in frame.columns]
    if missing:
        raise SourceFormatError(f"{path.name} row 1 (header): no column {missing[0]!r}; "
                                f"a review file has columns {', '.join(REVIEW_COLUMNS)}")
    frame["decision"] = frame["decision"].str.strip().str.lower()
    for number, decision in frame["decision"].items():
        if decision not in ("", *DECISIONS):
            raise SourceFormatError(f"{path.name} row {number + 2}, field decision: {decision!r} is not "
                                    "'accept', 'reject' or blank")
    for column in REVIEW_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[REVIEW_COLUMNS]


def decisions(review: pd.DataFrame) -> dict[tuple[str, str], str]:
    """The decided pairs of a review table: pair key -> ``accept`` or ``reject``.

    Examples
    --------
    >>> table = pd.DataFrame({"left_id": ["a", "c"], "right_id": ["b", "d"], "decision": ["reject", ""]})
    >>> decisions(table)
    {('a', 'b'): 'reject'}
    """
    decided = review[review["decision"].isin(DECISIONS)]
    return {pair_key(a, b): d for a, b, d in zip(decided["left_id"], decided["right_id"], decided["decision"])}


def updated_review(previous: pd.DataFrame, pending: pd.DataFrame) -> pd.DataFrame:
    """The review table after a build: every decided row as it was, then the pairs awaiting a decision.

    Parameters
    ----------
    previous : DataFrame
        The review file as read before the build.
    pending : DataFrame
        Pairs this build could not decide, in :data:`REVIEW_COLUMNS` (decision blank).

    Examples
    --------
    >>> before = pd.DataFrame([["a", "A", "b", "B", "0.8", "", "reject", "jo", ""]], columns=REVIEW_COLUMNS)
    >>> new = pd.DataFrame([["b", "B", "a", "A", 0.8, "", "", "", ""], ["c", "C", "d", "D", 0.7, "", "", "", ""]],
    ...                    columns=REVIEW_COLUMNS)
    >>> updated_review(before, new)[["left_id", "decision"]].values.tolist()
    [['a', 'reject'], ['c', '']]
    """
    decided = previous[previous["decision"].isin(DECISIONS)]
    known = set(decisions(decided))
    undecided = [pair_key(a, b) not in known for a, b in zip(pending["left_id"], pending["right_id"])]
    fresh = pending[pd.Series(undecided, index=pending.index, dtype=bool)]
    fresh = fresh.sort_values(["score", "left_id", "right_id"], ascending=[False, True, True], kind="stable")
    table = pd.concat([decided, fresh.astype({"score": float}).round({"score": 3}).astype(str)], ignore_index=True)
    return table[REVIEW_COLUMNS]


def write_review_file(table: pd.DataFrame, path: str | os.PathLike[str]) -> bool:
    """Write the review table atomically, only when its content changed.

    Returns
    -------
    bool
        Whether the file was written.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "review.csv"
    >>> write_review_file(pd.DataFrame(columns=REVIEW_COLUMNS), target), write_review_file(
    ...     pd.DataFrame(columns=REVIEW_COLUMNS), target)
    (True, False)
    """
    path = Path(path)
    text = table.to_csv(index=False, lineterminator="\n")
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    os.replace(staging, path)
    return True
