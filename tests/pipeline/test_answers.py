"""Answers with their coverage, caveats and sources: unknown is not no, and the same money is the
same in every answer."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from civicgraph.analysis.coproduction import forum_representativeness
from civicgraph.pipeline.answers import ANSWERS, answer_all, ask, write_answers
from tests.analysis.ecosystem import small_borough


def prov(dataset: str, date: str = "2019-01-01") -> list[dict]:
    return [{"dataset": dataset, "record": "row 2", "date": date, "licence": "OGL-UK-3.0"}]


@pytest.fixture
def money() -> nx.MultiDiGraph:
    """Two wards, three funders, grants placed by beneficiary area, by address, and nowhere."""
    g = nx.MultiDiGraph()
    for ward, score in (("W1", 10.0), ("W2", 30.0)):
        g.add_node(ward, kind="Ward", name=ward, provenance=prov("ons-lookup:x"))
        g.add_node(f"L-{ward}", kind="LSOA", imd_score=score, provenance=prov("imd:x"))
        g.add_edge(f"L-{ward}", ward, relation="PART_OF", provenance=prov("ons-lookup:x"))
    for funder in ("Lottery", "Trust", "Foundation"):
        g.add_node(funder, kind="Funder", name=funder, provenance=prov("360giving:g.json"))
    g.add_node("a", kind="Charity", name="A", latest_income=20_000.0, income_band="small", provenance=prov("ccew:x"))
    g.add_node("b", kind="Charity", name="B", provenance=prov("360giving:g.json"))
    g.add_node("c", kind="UnregisteredGroup", name="C", provenance=prov("workbook:x"))
    g.add_edge("a", "W1", relation="LOCATED_IN", provenance=prov("ccew:x"))
    grants = [("a", "Lottery", 1_000.0, "2017-04-01"), ("a", "Trust", 250.5, "2018-04-01"),
              ("b", "Trust", 4_000.0, "2019-06-01"), ("c", "Foundation", 99.0, "2020-01-01")]
    for number, (recipient, funder, amount, date) in enumerate(grants):
        g.add_edge(recipient, funder, relation="FUNDED_BY", amount=amount, currency="GBP", award_date=date,
                   grant=f"G{number}", provenance=prov("360giving:g.json", date))
    g.add_node("G2", kind="Grant")
    g.add_edge("G2", "L-W2", relation="SERVES_AREA", provenance=prov("360giving:g.json"))
    return g


def test_the_same_money_is_the_same_in_every_answer(money: nx.MultiDiGraph) -> None:
    answers = answer_all(money)
    total = 1_000.0 + 250.5 + 4_000.0 + 99.0
    by_ward = answers["05_funding_by_ward"].table
    assert by_ward["amount_gbp"].sum() == pytest.approx(total)
    assert answers["05_funding_by_funder"].table["amount_gbp"].sum() == pytest.approx(total)
    assert answers["05_funding_by_income_band"].table["amount_gbp"].sum() == pytest.approx(total)
    assert answers["04_funding_concentration"].table["funding_gbp"].sum() == pytest.approx(total)
    funders = answers["04_brokers"].table.set_index("id").loc[["Lottery", "Trust", "Foundation"], "funding_gbp"]
    assert funders.sum() == pytest.approx(total)
    assert by_ward.set_index("ward").loc["unknown", "amount_gbp"] == pytest.approx(99.0)
    assert f"{total:,.0f} GBP in 4 grants" in answers["05_funding_by_ward"].headline
    assert "99 GBP of it cannot be placed in a ward" in answers["05_funding_by_ward"].headline


def test_money_answers_say_what_they_rest_on(money: nx.MultiDiGraph) -> None:
    result = ask(money, "05_funding_by_ward")
    assert result.period == "no date: every relation counted; awards from 2017 to 2020"  # the graph has no data dates
    coverage = result.coverage.set_index("what")
    assert coverage.loc["grants placed in a ward", "known"] == 3 and coverage.loc["grants placed in a ward", "total"] == 4
    assert coverage.loc["recipients with a known income", "share"] == pytest.approx(1 / 3)
    assert coverage.loc["wards with a population (from a source or estimated)", "known"] == 0
    assert any("population of 2 wards is not known, so their per-head figures are empty" in c for c in result.caveats)
    money.nodes["W1"].update(population=12_000, population_basis="estimate: 40 of 700 output areas")
    estimated = ask(money, "05_funding_by_ward")
    assert any("population of 1 ward is an estimate, not a count" in c for c in estimated.caveats)
    assert any("population of 1 ward is not known" in c for c in estimated.caveats)
    sources = result.sources.set_index("dataset")
    assert sources.loc["360giving:g.json", "first_date"] == "2017-04-01"
    assert sources.loc["360giving:g.json", "last_date"] == "2020-01-01"
    assert "amount_per_head_gbp" in result.columns


def test_filtering_an_answer_keeps_its_coverage_and_caveats(money: nx.MultiDiGraph) -> None:
    result = ask(money, "05_funding_by_ward")
    placed = result.where(result.table["ward"] != "unknown")
    assert len(placed.table) == 2 and placed.coverage.equals(result.coverage)
    assert placed.caveats[:-1] == result.caveats and placed.caveats[-1] == "Filtered: 2 of 3 rows shown."


def test_a_question_the_data_cannot_answer_names_the_source_that_would() -> None:
    g = nx.MultiDiGraph()
    g.add_node("f", kind="Funder", name="Lloyds Bank Foundation")
    g.add_node("a", kind="Charity", name="A")
    g.add_edge("a", "f", relation="FUNDED_BY", amount=10.0)
    interlocks = ask(g, "11_board_interlocks")
    assert interlocks.table.empty and "Charity Commission register's trustee table" in interlocks.missing
    co_funding = ask(g, "10_co_funding")
    assert "No grants of National Lottery or City Bridge are loaded" in co_funding.missing
    g.add_node("P", kind="Person", pseudonym="P")
    g.add_edge("P", "a", relation="TRUSTEE_OF")
    assert ask(g, "11_board_interlocks").missing == ""


def test_forum_seniority_unknown_is_not_no() -> None:
    g = nx.MultiDiGraph()
    g.add_node("F", kind="Forum", name="VCSE Partnership")
    g.add_node("d", kind="Directorate", name="D")
    g.add_node("g", kind="UnregisteredGroup", name="G")
    g.add_edge("g", "F", relation="MEMBER_OF")
    assert forum_representativeness(g).loc[0, "council_senior"] == "unknown"  # no council member recorded
    g.add_edge("d", "F", relation="MEMBER_OF")
    assert forum_representativeness(g).loc[0, "council_senior"] == "unknown"  # seniority not recorded
    g.add_edge("d", "F", relation="MEMBER_OF", seniority="officer")
    g.remove_edge("d", "F", key=0)
    assert forum_representativeness(g).loc[0, "council_senior"] == "no"


def test_answers_are_written_with_notes_and_an_about_sheet(money: nx.MultiDiGraph, tmp_path: Path) -> None:
    written = write_answers(answer_all(money), tmp_path, title="Test")
    assert {p.name for p in written} >= {"05_funding_by_ward.notes.md", "answers.xlsx", "answers.md"}
    notes = (tmp_path / "05_funding_by_ward.notes.md").read_text()
    assert "## Coverage" in notes and "grants placed in a ward" in notes and "need_reach_gap" in notes
    workbook = openpyxl.load_workbook(tmp_path / "answers.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "About these answers"
    about = pd.read_excel(tmp_path / "answers.xlsx", sheet_name="About these answers")
    assert len(about) == len(ANSWERS)
    board = about.set_index("sheet").loc["11_board_interlocks"]
    assert "trustee table" in board["cannot_answer"]
    text = (tmp_path / "answers.md").read_text()
    assert "The loaded data cannot answer this question" in text and "Coverage: grants placed in a ward: 3 of 4" in text


def test_service_gaps_say_when_no_provider_is_placed_at_all() -> None:
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Hanworth")
    g.add_node("T", kind="Theme", name="young people")
    g.add_node("o", kind="Charity", name="Youth club")
    g.add_edge("o", "T", relation="ADDRESSES")
    result = ask(g, "12_service_gaps")
    assert "No provider of any theme is placed in a ward" in result.missing
    assert "1 providers of these themes have no known ward" in result.headline
    g.add_edge("o", "W", relation="LOCATED_IN")
    located = ask(g, "12_service_gaps")
    assert located.missing == "" and located.headline.startswith("0 ward and theme pairs have no located provider")


def test_each_answer_says_how_many_rows_of_its_sources_were_left_out(money: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import AnswerInputs

    rejected = pd.DataFrame({"file": ["g.json", "g.json", "other.csv"], "row": ["row 3", "row 9", "row 2"],
                             "field": ["amount", "amount", "x"], "value": ["n/a", "", "y"],
                             "reason": ["not a number", "not a number", "bad"]})
    result = ask(money, "05_funding_by_funder", AnswerInputs(rejections=rejected))
    assert "2 rows of 360giving:g.json were not loaded (not a number: 2); see rejections.csv." in result.caveats
    assert not any("other.csv" in c for c in result.caveats)  # not a source of this answer


def test_the_command_line_asks_by_name_and_prints_coverage(toy_graph: nx.MultiDiGraph, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from civicgraph.cli import main
    from civicgraph.graph.store import save_graph

    folder = save_graph(toy_graph, tmp_path / "graph")
    assert main(["what-if", str(folder), "funder one"]) == 0
    assert "Charity one" in capsys.readouterr().out
    assert main(["what-if", str(folder), "Fundr one"]) == 2
    assert "Did you mean: Funder one (Funder-1)?" in capsys.readouterr().err
    assert main(["ask", str(folder), "11_board_interlocks"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("11. Organisations sharing trustees") and "Coverage: charities with their trustees" in printed


def test_configured_rates_convert_a_usd_grant_and_the_caveat_names_the_rate(money: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import AnswerInputs

    money.add_edge("b", "Foundation", relation="FUNDED_BY", amount=1_000.1, currency="USD", award_date="2020-02-01",
                   grant="G9", provenance=prov("360giving:g.json", "2020-02-01"))
    plain = ask(money, "05_funding_by_funder").table.set_index("funder")
    assert plain.loc["Foundation", "amount_gbp"] == 99.0
    assert plain.loc["Foundation", "other_currencies"] == "USD 1000.1"
    converted = ask(money, "05_funding_by_funder", AnswerInputs(rates={"USD": 0.79}))
    row = converted.table.set_index("funder").loc["Foundation"]
    assert row["amount_gbp"] == pytest.approx(99.0 + 1_000.1 * 0.79)
    assert row["other_currencies"] == "USD 1000.1 at 0.79 GBP"
    assert any("amount_gbp counts USD at 0.79 GBP per USD" in caveat for caveat in converted.caveats)
    assert "USD at 0.79 GBP per USD" in converted.notes()
    unrelated = ask(money, "11_board_interlocks", AnswerInputs(rates={"USD": 0.79}))
    assert not any("0.79" in caveat for caveat in unrelated.caveats)


def test_money_is_written_to_the_penny_in_every_form_of_an_answer(tmp_path: Path) -> None:
    from civicgraph.pipeline.briefs import brief_markdown
    from civicgraph.pipeline.result import AnswerResult

    # a national funder's total past ten billion: more digits than the measures are written with
    table = pd.DataFrame({"funder_name": ["Big Fund", "Small Trust"], "amount_gbp": [12345678901.23, 115209875.69],
                          "gini": [0.123456789012345, 0.5]})
    result = AnswerResult("05_funding_by_funder", "Which?", table, "Two.")
    write_answers({a.key: AnswerResult(a.key, "Which?", table, "Two.") for a in ANSWERS}, tmp_path, title="T")
    csv = (tmp_path / "05_funding_by_funder.csv").read_text()
    assert "12345678901.23" in csv and "115209875.69" in csv and "0.123456789012\n" in csv
    markdown = (tmp_path / "answers.md").read_text()
    assert "12345678901.23" in markdown and "115209875.69" in markdown and "e+" not in markdown
    brief = brief_markdown(result)
    assert "12,345,678,901.23" in brief and "115,209,875.69" in brief and "e+" not in brief
    shown = repr(result)
    assert "12,345,678,901.23" in shown and "115,209,875.69" in shown
    workbook = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    assert 12345678901.23 in [c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
def _comparison(trust_in_focus: float) -> pd.DataFrame:
    """Grants of "Trust" by borough: Hounslow's (E09000018) as given, Ealing's (E09000009) 9,000 GBP."""
    return pd.DataFrame({"grant": ["X1", "X2"], "funder": ["Trust", "Trust"], "funder_name": ["Trust", "Trust"],
                         "recipient": ["h", "e"], "amount": [trust_in_focus, 9_000.0], "currency": ["GBP", "GBP"],
                         "award_date": ["2018-01-01", "2018-01-01"], "authority": ["E09000018", "E09000009"]})


def test_figure_3_agrees_with_funding_by_funder_where_they_overlap(money: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import AnswerInputs

    money.graph["authority_gss"] = "E09000018"
    trust = answer_all(money)["05_funding_by_funder"].table.set_index("funder_name").loc["Trust", "amount_gbp"]
    inputs = AnswerInputs(_comparison(float(trust)), ("E09000009",))
    figure = ask(money, "05_compare_authorities", inputs)
    row = figure.table.set_index("gss_code")
    assert row.loc["E09000018", "amount_gbp"] == pytest.approx(trust)
    # per head from the 2020 population of the local authority register, the same for every borough
    assert row.loc["E09000018", "gbp_per_head"] == pytest.approx(trust / 271_767)
    assert row.loc["E09000009", "gbp_per_head"] == pytest.approx(9_000 / row.loc["E09000009", "population"])
    assert any(f"agrees with the funding-by-funder answer for the funders compared: Trust {trust:,.0f} GBP in both"
               in c for c in figure.caveats)
    assert any("same 1 funder(s) only (Trust)" in c for c in figure.caveats)


def test_figure_3_says_where_it_disagrees_with_funding_by_funder(money: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import AnswerInputs

    money.graph["authority_gss"] = "E09000018"
    figure = ask(money, "05_compare_authorities", AnswerInputs(_comparison(100.0), ("E09000009",)))
    assert any("does not agree with the funding-by-funder answer for Trust (100 GBP here, 4,250 GBP there)" in c
               for c in figure.caveats)


def test_every_column_of_every_answer_is_explained(toy_graph: nx.MultiDiGraph) -> None:
    for key, result in answer_all(toy_graph).items():
        unexplained = [c for c in result.table.columns if c not in result.columns]
        assert not unexplained, f"{key}: {unexplained}"


def test_figure_3_on_one_funder_ranks_nothing_and_says_what_would_answer(money: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import AnswerInputs

    money.graph["authority_gss"] = "E09000018"
    figure = ask(money, "05_compare_authorities", AnswerInputs(_comparison(0.0), ("E09000009",)))
    assert figure.headline.startswith("Trust made no grant in Hounslow that the comparison files place there; "
                                      "0 of the other 1 authorities compared received none either.")
    assert "ranks joint" not in figure.headline
    assert figure.missing.startswith("Only Trust's grants are loaded for every authority compared")
    assert any("does not agree with the funding-by-funder answer for Trust (0 GBP here, 4,250 GBP there)" in c
               for c in figure.caveats)


def test_every_answer_is_written_and_no_personal_names(tmp_path: Path) -> None:
    answers = answer_all(small_borough())
    assert set(answers) == {a.key for a in ANSWERS}
    written = write_answers(answers, tmp_path, title="Test borough")
    assert {p.name for p in written} >= {"answers.md", "answers.xlsx", "01_below_the_radar_groups.csv"}
    text = (tmp_path / "answers.md").read_text()
    assert "## 12. Themes or needs with no provider in a ward" in text and "Lunch Club" in text
