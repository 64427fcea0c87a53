"""Answer the twelve questions of the brief on a built graph and write the answers out.

Each answer is a DataFrame from one analysis function; :func:`answer_all` runs them all, and
:func:`write_answers` writes one CSV per answer, one Excel workbook with a sheet per answer, and
``answers.md``: each question, what was found, and the first rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from graph.assets import asset_transfer_candidates, asset_use
from graph.cells import markdown_text, write_csv, write_excel
from graph.centrality import bridges, brokerage_roles, centrality_table, funding_concentration
from graph.contracts import contract_consolidation
from graph.coproduction import directorate_coproduction, forum_representativeness
from graph.gaps import below_the_radar_groups, service_gaps
from graph.infrastructure import alliance_candidates, duplicated_infrastructure
from graph.interlocks import board_interlocks
from graph.money import (
    co_funding,
    compare_authorities,
    funding_by_funder,
    funding_by_income_band,
    funding_by_ward,
    local_programmes,
)
from pipeline.authorities import authority_table


@dataclass(frozen=True)
class AnswerInputs:
    """What some answers need besides the graph: grants of other authorities to compare with.

    Attributes
    ----------
    comparison_grants : DataFrame or None
        From :func:`loaders.threesixtygiving.grants_by_authority`.
    peers : list of str
        GSS codes of the authorities to compare with.
    """

    comparison_grants: pd.DataFrame | None = None
    peers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One answer: its file name, the question it answers, and the function that computes it."""

    key: str
    question: str
    compute: Callable[[nx.MultiDiGraph, AnswerInputs], pd.DataFrame]


def _on_graph(function: Callable[[nx.MultiDiGraph], pd.DataFrame]) -> Callable[[nx.MultiDiGraph, AnswerInputs], pd.DataFrame]:
    return lambda graph, _: function(graph)


def _comparison(graph: nx.MultiDiGraph, inputs: AnswerInputs) -> pd.DataFrame:
    focus = graph.graph.get("authority_gss", "")
    if inputs.comparison_grants is None or not focus:
        return pd.DataFrame(columns=["gss_code", "name", "grants", "amount_gbp", "recipients", "funders", "population",
                                     "gbp_per_head", "rank_per_head", "focus"])
    return compare_authorities(inputs.comparison_grants, authority_table(), focus=focus, peers=list(inputs.peers))


ANSWERS = (
    Answer("01_below_the_radar_groups", "1. Below-the-radar groups: unregistered or micro groups absent from funders' "
           "and the council's networks, where they are, and their one link in", _on_graph(below_the_radar_groups)),
    Answer("02_directorate_coproduction", "2. Co-production: how each directorate works with the VCSE; no links, "
           "only large national charities, no sector champion", _on_graph(directorate_coproduction)),
    Answer("03_duplicated_infrastructure", "3. Duplicated infrastructure: support bodies offering the same function "
           "to the same area, members and funders", _on_graph(duplicated_infrastructure)),
    Answer("04_brokers", "4. Brokers and single points of failure: centrality, structural holes, cut points",
           _on_graph(centrality_table)),
    Answer("04_bridges", "4. Relations whose loss splits the network", _on_graph(bridges)),
    Answer("04_brokerage_roles", "4. Brokerage roles across sectors (Gould-Fernandez)", _on_graph(brokerage_roles)),
    Answer("04_funding_concentration", "4. How concentrated each organisation's funding is", _on_graph(funding_concentration)),
    Answer("05_funding_by_ward", "5. Where the money goes: grants by ward against deprivation (IMD)", _on_graph(funding_by_ward)),
    Answer("05_funding_by_income_band", "5. Grants by the recipient's income band", _on_graph(funding_by_income_band)),
    Answer("05_funding_by_funder", "5. Grants by funder, and how concentrated", _on_graph(funding_by_funder)),
    Answer("05_local_programmes", "5. The council's own programmes (Local CIL allocations)", _on_graph(local_programmes)),
    Answer("05_compare_authorities", "5. The authority against its peers: grants in total and per head (the "
           "Review's Figure 3)", _comparison),
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


def answer_all(graph: nx.MultiDiGraph, inputs: AnswerInputs | None = None) -> dict[str, pd.DataFrame]:
    """Every answer, keyed by :attr:`Answer.key`.

    Examples
    --------
    >>> sorted(answer_all(nx.MultiDiGraph()))[:2]
    ['01_below_the_radar_groups', '02_directorate_coproduction']
    """
    return {answer.key: answer.compute(graph, inputs or AnswerInputs()) for answer in ANSWERS}


def write_answers(answers: dict[str, pd.DataFrame], folder: Path, *, title: str, rows_shown: int = 10) -> list[Path]:
    """Write each answer as CSV, all as one Excel workbook, and a readable ``answers.md``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, frame in answers.items():
        written.append(write_csv(frame, folder / f"{key}.csv"))
    written.append(write_excel(answers, folder / "answers.xlsx"))
    lines = [f"# {markdown_text(title)}: answers to the twelve questions", "",
             "Each answer is also a CSV file beside this one, with the evidence (sources, names, counts) in its columns.", ""]
    for answer in ANSWERS:
        frame = answers[answer.key]
        lines += [f"## {answer.question}", "", f"`{answer.key}.csv`: {len(frame):,} rows."]
        for note_key, note in frame.attrs.items():
            lines.append(markdown_text(f"{note_key}: {note}."))
        if len(frame):
            shown = frame.head(rows_shown).copy()
            for column in shown.columns:
                if shown[column].dtype == object or isinstance(shown[column].dtype, pd.StringDtype):
                    shown[column] = shown[column].astype(str).str.slice(0, 60).map(markdown_text)
            shown.columns = [markdown_text(c) for c in shown.columns]
            lines += ["", shown.to_markdown(index=False)]
        else:
            lines += ["", "Nothing found in the data loaded: either there is nothing to find, or no source records it."]
        lines.append("")
    (folder / "answers.md").write_text("\n".join(lines) + "\n")
    written.append(folder / "answers.md")
    return written
