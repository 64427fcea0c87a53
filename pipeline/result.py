"""An answer with what it rests on: the table, its coverage, sources, period and caveats, together.

The coverage and caveats are fields of :class:`AnswerResult`, not ``DataFrame.attrs`` (which pandas
drops at the first filter); :meth:`AnswerResult.where` filters the table and keeps them, saying how
many rows are shown.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from civicgraph.core.amounts import money_text
from civicgraph.core.cells import is_money, markdown_table, markdown_text

COVERAGE_COLUMNS = ["what", "known", "total", "share", "note"]
SOURCE_COLUMNS = ["dataset", "licence", "first_date", "last_date", "facts"]


@dataclass(frozen=True)
class AnswerResult:
    """One question's answer and everything a reader needs to judge it.

    Attributes
    ----------
    key : str
        File name of the answer (``05_funding_by_ward``).
    question : str
        The question, in words.
    table : DataFrame
        The answer, one row per finding, with its evidence in columns.
    headline : str
        The answer in one sentence.
    coverage : DataFrame
        ``what`` (e.g. "grants placed in a ward"), ``known``, ``total``, ``share`` (known over total)
        and ``note``: how much of the picture the answer rests on.
    sources : DataFrame
        ``dataset``, ``licence``, ``first_date``, ``last_date`` (ISO dates the data is as of) and
        ``facts`` (nodes and relations of that dataset the answer reads).
    period : str
        The period the answer covers, in words ("" when no source dates it).
    caveats : tuple of str
        What the answer does not say, and what was left out and why.
    missing : str
        When the loaded data cannot answer the question: why, and which source would ("" otherwise).
    columns : dict
        Each column of ``table`` in plain words.

    Examples
    --------
    >>> result = AnswerResult("k", "Which?", pd.DataFrame({"x": [1, 2]}), "Two found.")
    >>> result.where(result.table["x"] > 1).caveats
    ('Filtered: 1 of 2 rows shown.',)
    """

    key: str
    question: str
    table: pd.DataFrame
    headline: str
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COVERAGE_COLUMNS))
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SOURCE_COLUMNS))
    period: str = ""
    caveats: tuple[str, ...] = ()
    missing: str = ""
    columns: dict[str, str] = field(default_factory=dict)

    def where(self, rows: pd.Series | list) -> AnswerResult:
        """The same answer with only some rows of its table; coverage and caveats are kept.

        Parameters
        ----------
        rows : boolean Series or list of labels
            As for ``DataFrame.loc``.
        """
        table = self.table.loc[rows]
        note = f"Filtered: {len(table):,} of {len(self.table):,} rows shown."
        return replace(self, table=table, caveats=(*self.caveats, note))

    def notes(self) -> str:
        """Coverage, sources, period, caveats and column meanings as Markdown (a CSV's companion).

        Examples
        --------
        >>> print(AnswerResult("k", "Which?", pd.DataFrame(), "None found.", missing="Load X.").notes())
        # Which?
        <BLANKLINE>
        None found.
        <BLANKLINE>
        **The loaded data cannot answer this question.** Load X.
        <BLANKLINE>
        """
        lines = [f"# {self.question}", "", markdown_text(self.headline), ""]
        if self.missing:
            lines += [f"**The loaded data cannot answer this question.** {markdown_text(self.missing)}", ""]
        if self.period:
            lines += [f"Period: {self.period}.", ""]
        if len(self.coverage):
            lines += ["## Coverage", "", _markdown(self.coverage.assign(share=self.coverage["share"].map(_percent))), ""]
        if self.caveats:
            lines += ["## Caveats", "", *(f"- {markdown_text(c)}" for c in self.caveats), ""]
        if len(self.sources):
            lines += ["## Sources", "", _markdown(self.sources.astype(object).where(self.sources.notna(), "not given")), ""]
        if self.columns:
            lines += ["## Columns", "", *(f"- `{c}`: {text}" for c, text in self.columns.items()), ""]
        return "\n".join(lines)

    def __repr__(self) -> str:
        about = [self.question, self.headline]
        if self.missing:
            about.append(f"Cannot answer: {self.missing}")
        about += [f"Coverage: {r.what} {r.known:,} of {r.total:,} ({_percent(r.share)})" for r in self.coverage.itertuples()]
        about += [f"Caveat: {c}" for c in self.caveats]
        shown = self.table.head(10)
        return "\n".join([*about, "", shown.to_string(formatters=money_formatters(shown)), f"[{len(self.table):,} rows]"])

    def _repr_html_(self) -> str:
        """Shown by Jupyter: headline, coverage and caveats first, then the table's first rows."""
        parts = [f"<h4>{html.escape(self.question)}</h4>", f"<p><b>{html.escape(self.headline)}</b></p>"]
        if self.missing:
            parts.append(f"<p><b>The loaded data cannot answer this question.</b> {html.escape(self.missing)}</p>")
        if self.period:
            parts.append(f"<p>Period: {html.escape(self.period)}</p>")
        if len(self.coverage):
            shown = self.coverage.assign(share=self.coverage["share"].map(_percent))
            parts.append("<p>Coverage</p>" + shown.to_html(index=False))
        if self.caveats:
            parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in self.caveats) + "</ul>")
        shown = self.table.head(20)
        parts.append(shown.to_html(index=False, formatters=money_formatters(shown)) + f"<p>{len(self.table):,} rows</p>")
        return "\n".join(parts)


def money_formatters(table: pd.DataFrame) -> dict[str, Callable[[Any], str]]:
    """For pandas' ``to_string``/``to_html``: money columns (``amount...``, ``...gbp...``) written exactly,
    with thousands separators, instead of pandas' six significant digits (``1.152099e+08``).

    Examples
    --------
    >>> table = pd.DataFrame({"amount_gbp": [115209875.69, 40000.0, 0.125], "gini": [0.35169038, 0.0, 1.0]})
    >>> print(table.to_string(formatters=money_formatters(table)))
          amount_gbp     gini
    0 115,209,875.69  0.35169
    1      40,000.00  0.00000
    2          0.125  1.00000
    """
    def exact(value: Any) -> str:
        return "" if pd.isna(value) else money_text(value)

    return {c: exact for c in table.columns if is_money(c) and pd.api.types.is_float_dtype(table[c])}


def coverage_row(what: str, known: int, total: int, note: str = "") -> dict[str, object]:
    """One row of :attr:`AnswerResult.coverage`; ``share`` is None when there is nothing to count.

    Examples
    --------
    >>> coverage_row("ward known", 71, 100)["share"]
    0.71
    """
    return {"what": what, "known": int(known), "total": int(total), "share": known / total if total else None,
            "note": note}


def _percent(share: float | None) -> str:
    return "not known" if share is None or pd.isna(share) else f"{share:.0%}"


def _markdown(frame: pd.DataFrame) -> str:
    """A table as Markdown, its text escaped (:func:`core.cells.markdown_text`): names in it are data."""
    shown = frame.astype(object).map(lambda v: markdown_text(v) if isinstance(v, str) else v)
    shown.columns = [markdown_text(c) for c in shown.columns]
    return markdown_table(shown)
