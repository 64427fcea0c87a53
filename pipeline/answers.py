"""Answer the twelve questions of the brief on a built graph and write the answers out.

Each answer is a DataFrame from one analysis function; :func:`ask` wraps it in an
:class:`~civicgraph.pipeline.result.AnswerResult` with its headline, coverage, sources, period and caveats;
:func:`answer_all` asks every question, and :func:`write_answers` writes one CSV per answer with
its companion notes (``{key}.notes.md``), one Excel workbook with an "About these answers" sheet
and a sheet per answer, and ``answers.md``: each question, what it rests on, and the first rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from civicgraph.analysis.assets import asset_transfer_candidates, asset_use
from civicgraph.analysis.centrality import bridges, brokerage_roles, centrality_table, funding_concentration
from civicgraph.analysis.contracts import contract_consolidation
from civicgraph.analysis.coproduction import directorate_coproduction, forum_representativeness
from civicgraph.analysis.gaps import below_the_radar_groups, service_gaps
from civicgraph.analysis.infrastructure import alliance_candidates, duplicated_infrastructure
from civicgraph.analysis.interlocks import board_interlocks
from civicgraph.analysis.money import (
    co_funding,
    compare_authorities,
    funding_by_funder,
    funding_by_income_band,
    funding_by_ward,
    local_programmes,
)
from civicgraph.core.cells import markdown_table, markdown_text, write_csv, write_excel
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.pipeline.authorities import authority_table
from civicgraph.pipeline.coverage import explain
from civicgraph.pipeline.glossary import columns_of
from civicgraph.pipeline.helpers import betweenness_helper
from civicgraph.pipeline.result import AnswerResult


@dataclass(frozen=True)
class AnswerInputs:
    """What some answers need besides the graph: grants of other authorities to compare with.

    Attributes
    ----------
    comparison_grants : DataFrame or None
        From :func:`loaders.threesixtygiving.grants_by_authority`.
    peers : list of str
        GSS codes of the authorities to compare with.
    rejections : DataFrame or None
        Rows the loaders could not use (``file``, ``row``, ``field``, ``value``, ``reason``): each
        answer says how many rows of its sources were left out, and why.
    rates : mapping of str to float
        GBP per unit of other currencies (``[money] rates``): the money answers count those
        currencies in ``amount_gbp`` at these rates and name them in a caveat.
    own_words : mapping of str to str
        The borough's own words for some questions (``[answers] own_words``: answer key -> words),
        added to the generic title in brackets.
    """

    comparison_grants: pd.DataFrame | None = None
    peers: tuple[str, ...] = ()
    rejections: pd.DataFrame | None = None
    rates: Mapping[str, float] = field(default_factory=dict)
    own_words: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """One answer: its file name, the question it answers, the function that computes it, and
    whether it counts money in GBP (so takes the configured exchange rates)."""

    key: str
    question: str
    compute: Callable[[GraphFrames, AnswerInputs], pd.DataFrame]
    money: bool = False

    def ask(self, graph: GraphLike, inputs: AnswerInputs | None = None) -> AnswerResult:
        """The answer with its coverage, sources and caveats (see :func:`ask`)."""
        inputs = inputs or AnswerInputs()
        graph = as_frames(graph)
        table = self.compute(graph, inputs)
        words = inputs.own_words.get(self.key)
        question = f"{self.question} ({words})" if words else self.question
        return AnswerResult(self.key, question, table, columns=columns_of(self.key, table),
                            **explain(self.key, graph, table, inputs.comparison_grants,
                                      rejections=inputs.rejections,
                                      rates=inputs.rates if self.money else None))


def _on_graph(function: Callable[[GraphFrames], pd.DataFrame]) -> Callable[[GraphFrames, AnswerInputs], pd.DataFrame]:
    return lambda graph, _: function(graph)


def _with_rates(function: Callable[..., pd.DataFrame]) -> Callable[[GraphFrames, AnswerInputs], pd.DataFrame]:
    return lambda graph, inputs: function(graph, rates=inputs.rates)


def _comparison(graph: GraphFrames, inputs: AnswerInputs) -> pd.DataFrame:
    focus = graph.attributes.get("authority_gss", "")
    if inputs.comparison_grants is None or not focus:
        return pd.DataFrame(columns=["gss_code", "name", "grants", "amount_gbp", "other_currencies", "recipients",
                                     "funders", "population", "gbp_per_head", "rank_per_head", "focus"])
    return compare_authorities(inputs.comparison_grants, authority_table(), focus=focus, peers=list(inputs.peers),
                               rates=inputs.rates)


ANSWERS = (
    Answer("01_below_the_radar_groups", "1. Below-the-radar groups: unregistered or micro groups absent from funders' "
           "and the council's networks, where they are, and their one link in", _on_graph(below_the_radar_groups)),
    Answer("02_directorate_coproduction", "2. Co-production: how each directorate works with the VCSE; no links, "
           "only large national charities, no sector champion", _on_graph(directorate_coproduction)),
    Answer("03_duplicated_infrastructure", "3. Duplicated infrastructure: support bodies offering the same function "
           "to the same area, members and funders", _on_graph(duplicated_infrastructure)),
    Answer("04_brokers", "4. Brokers and single points of failure: centrality, structural holes, cut points",
           lambda graph, _: centrality_table(graph, beside=betweenness_helper(graph))),
    Answer("04_bridges", "4. Relations whose loss splits the network", _on_graph(bridges)),
    Answer("04_brokerage_roles", "4. Brokerage roles across sectors (Gould-Fernandez)", _on_graph(brokerage_roles)),
    Answer("04_funding_concentration", "4. How concentrated each organisation's funding is", _on_graph(funding_concentration)),
    Answer("05_funding_by_ward", "5. Where the money goes: grants by ward against deprivation (IMD)", _with_rates(funding_by_ward), money=True),
    Answer("05_funding_by_income_band", "5. Grants by the recipient's income band", _with_rates(funding_by_income_band), money=True),
    Answer("05_funding_by_funder", "5. Grants by funder, and how concentrated", _with_rates(funding_by_funder), money=True),
    Answer("05_local_programmes", "5. The council's own funding programmes", _on_graph(local_programmes)),
    Answer("05_compare_authorities", "5. The authority against its peers: grants in total and per head", _comparison,
           money=True),
    Answer("06_asset_use", "6. Community buildings and land: who uses them, on what terms", _on_graph(asset_use)),
    Answer("06_asset_transfer_candidates", "6. Asset-transfer candidates", _on_graph(asset_transfer_candidates)),
    Answer("07_contract_consolidation", "7. Contracts re-let from many providers to one", _on_graph(contract_consolidation)),
    Answer("08_forum_representativeness", "8. Who sits on the VCSE forum; does the council attend at senior level",
           _on_graph(forum_representativeness)),
    Answer("09_alliance_candidates", "9. Alliance candidates: the support functions covered with least overlap",
           _on_graph(alliance_candidates)),
    Answer("10_co_funding", "10. Funders that fund the same organisations", _on_graph(co_funding)),
    Answer("11_board_interlocks", "11. Organisations sharing trustees (pseudonymised)", _on_graph(board_interlocks)),
    Answer("12_service_gaps", "12. Themes or needs with no provider in a ward", _on_graph(service_gaps)),
)


def ask(graph: GraphLike, key: str, inputs: AnswerInputs | None = None) -> AnswerResult:
    """One question's answer with its headline, coverage, sources, period and caveats.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph (a build's ``outcome.frames``, or its networkx ``outcome.graph``).
    key : str
        The answer's key, e.g. ``"05_funding_by_ward"`` (see :data:`ANSWERS`).
    inputs : AnswerInputs, optional
        Grants of other authorities, for ``05_compare_authorities``.

    Examples
    --------
    >>> import networkx as nx
    >>> result = ask(nx.MultiDiGraph(), "11_board_interlocks")
    >>> result.missing.startswith("No trustee table loaded")
    True
    """
    for answer in ANSWERS:
        if answer.key == key:
            return answer.ask(graph, inputs)
    raise KeyError(f"{key!r} is not an answer. Use one of: {', '.join(a.key for a in ANSWERS)}.")


def answer_all(graph: GraphLike, inputs: AnswerInputs | None = None) -> dict[str, AnswerResult]:
    """Every answer with its coverage and caveats, keyed by :attr:`Answer.key` (a networkx graph is
    read as tables once, for all of them).

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(answer_all(nx.MultiDiGraph()))[:2]
    ['01_below_the_radar_groups', '02_directorate_coproduction']
    """
    frames = as_frames(graph)
    return {answer.key: answer.ask(frames, inputs) for answer in ANSWERS}


def write_answers(answers: dict[str, AnswerResult], folder: Path, *, title: str, rows_shown: int = 10) -> list[Path]:
    """Write each answer as CSV with its notes, all as one Excel workbook, and a readable ``answers.md``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, result in answers.items():
        written.append(write_csv(result.table, folder / f"{key}.csv"))
        (folder / f"{key}.notes.md").write_text(result.notes())
        written.append(folder / f"{key}.notes.md")
    sheets = {"About these answers": about_sheet(answers), **{key: result.table for key, result in answers.items()}}
    written.append(write_excel(sheets, folder / "answers.xlsx"))
    lines = [f"# {markdown_text(title)}: answers to the twelve questions", "",
             "Each answer is also a CSV file beside this one, with the evidence (sources, names, counts) in its "
             "columns, and a notes file saying what it rests on and what each column means. A one-page brief "
             "per question, with a chart where one helps, is in `../briefs/`.", ""]
    for answer in ANSWERS:
        result = answers[answer.key]
        lines += [f"## {markdown_text(result.question)}", "", f"**{markdown_text(result.headline)}**", ""]
        if result.missing:
            lines += [f"**The loaded data cannot answer this question.** {markdown_text(result.missing)}", ""]
        about = [f"Period: {result.period}."] if result.period else []
        about += [f"Coverage: {row.what}: {row.known:,} of {row.total:,}"
                  + (f" ({row.share:.0%})" if row.share is not None and not pd.isna(row.share) else "") + "."
                  for row in result.coverage.itertuples()]
        about += [f"Caveat: {caveat}" for caveat in result.caveats]
        if len(result.sources):
            about.append("Sources: " + "; ".join(
                f"{r.dataset} ({r.licence or 'licence not stated'}"
                + (f", as of {r.last_date}" if isinstance(r.last_date, str) else "") + ")"
                for r in result.sources.itertuples()) + ".")
        lines += [f"- {markdown_text(line)}" for line in about]
        lines += ["", f"`{answer.key}.csv`: {len(result.table):,} rows; `{answer.key}.notes.md` explains the columns."]
        if len(result.table):
            shown = result.table.head(rows_shown).astype(object)
            shown = shown.where(shown.notna(), "")
            for column in shown.columns:
                shown[column] = shown[column].map(lambda v: markdown_text(v[:60]) if isinstance(v, str) else v)
            shown.columns = [markdown_text(c) for c in shown.columns]
            lines += ["", markdown_table(shown)]
        lines.append("")
    (folder / "answers.md").write_text("\n".join(lines) + "\n")
    written.append(folder / "answers.md")
    return written


def about_sheet(answers: dict[str, AnswerResult]) -> pd.DataFrame:
    """One row per answer: question, headline, what it cannot answer, period, coverage, caveats, sources.

    Examples
    --------
    >>> import networkx as nx
    >>> about_sheet(answer_all(nx.MultiDiGraph())).columns.tolist()[:3]
    ['sheet', 'question', 'headline']
    """
    rows = []
    for key, result in answers.items():
        rows.append({
            "sheet": key[:31], "question": result.question, "headline": result.headline,
            "cannot_answer": result.missing, "period": result.period, "rows": len(result.table),
            "coverage": "; ".join(f"{r.what}: {r.known:,} of {r.total:,}" for r in result.coverage.itertuples()),
            "caveats": " ".join(result.caveats),
            "sources": "; ".join(f"{r.dataset} ({r.licence}"
                                 + (f", as of {r.last_date}" if isinstance(r.last_date, str) else ", no date given") + ")"
                                 for r in result.sources.itertuples()),
            "columns": "; ".join(f"{c}: {text}" for c, text in result.columns.items()),
        })
    return pd.DataFrame(rows)
