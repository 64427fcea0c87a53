"""Another council from a configuration file alone: [authority] from the register, warnings, boundaries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from civicgraph.cli import main
from civicgraph.core.errors import ConfigError
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.registry import available_loaders
from civicgraph.pipeline.authorities import REGISTER, find_authority
from civicgraph.pipeline.build import build_graph, check_boundaries, check_review_file, save_review_file
from civicgraph.pipeline.config import read_config
from civicgraph.pipeline.inspect import inspect_source
from civicgraph.pipeline.run import chosen_parts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, authority: str, sources: str = "") -> Path:
    path = tmp_path / "borough.toml"
    path.write_text(f"[authority]\n{authority}\n\n{sources or _SPEND}")
    return path


_SPEND = f'[[source]]\nloader = "spend"\npath = "{FIXTURES / "spend" / "lgtc_spend_schema.csv"}"\n'


def test_org_id_and_code_are_derived_from_the_gss_code(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path, 'gss_code = "E08000003"'))
    assert (config.authority_id, config.authority_code, config.authority_name) == (
        "GB-LAE-MAN", "MAN", "Manchester City Council")
    named = read_config(_config(tmp_path, 'gss_code = "E08000003"\nname = "Manchester"'))
    assert named.authority_name == "Manchester"


def test_hounslow_org_id_with_another_councils_gss_code_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, 'gss_code = "E08000003"\norg_id = "GB-LAE-HNS"\ncode = "HNS"')
    with pytest.raises(ConfigError, match=r"\[authority\] org_id = 'GB-LAE-HNS' is not that of E08000003 "
                                          r"\(Manchester City Council\): the register says 'GB-LAE-MAN'"):
        read_config(path)
    with pytest.raises(ConfigError, match=r"\[authority\] gss_code: GSS code 'E99999999' is not a UK local authority"):
        read_config(_config(tmp_path, 'gss_code = "E99999999"'))


def test_a_country_code_is_a_national_build_without_a_council(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path, 'gss_code = "K04000001"'))
    assert (config.authority_id, config.authority_code, config.authority_name) == ("", "EAW", "England and Wales")
    assert config.context().national and find_authority("e92000001").name == "England"


def test_the_council_register_is_package_data() -> None:
    assert REGISTER.is_file() and REGISTER.parent.parent.name == "pipeline"
    text = (REPO / "pyproject.toml").read_text()
    assert '"civicgraph.pipeline" = ["reference/*.csv"]' in text  # the wheel test installs and uses it


def test_another_councils_spend_with_credit_notes_builds_and_validates(tmp_path: Path) -> None:
    outcome = build_graph(read_config(_config(tmp_path, 'gss_code = "E08000003"')), progress=False)
    graph = outcome.graph
    assert graph.nodes["GB-LAE-MAN"]["kind"] == "Council"
    refunds = [d["amount"] for *_, d in graph.edges(data=True) if d.get("amount", 0) < 0]
    assert sorted(refunds) == [-800.0, -300.5]


def test_a_source_that_keeps_nothing_warns(tmp_path: Path) -> None:
    empty = tmp_path / "empty_spend.csv"
    empty.write_text("Supplier Name,Amount,Payment Date,Department\n")
    sources = _SPEND + f'[[source]]\nloader = "spend"\npath = "{empty}"\n'
    outcome = build_graph(read_config(_config(tmp_path, 'gss_code = "E08000003"', sources)), progress=False)
    assert [w for w in outcome.warnings if "empty_spend.csv (spend): kept 0 rows" in w]
    assert outcome.frames.attributes["warnings"] == outcome.warnings


def test_postcodes_on_other_lsoas_than_the_ward_lookup_are_refused() -> None:
    places = PlaceIndex(lsoa_ward={"E01000001@2011": "E05000001@2017"},
                        postcode_lsoa={"M1 1AA": "E01033658@2021"})
    with pytest.raises(ConfigError, match="LSOAs are of 2021 and the ward lookup's of 2011.*same census year"):
        check_boundaries(places)
    check_boundaries(PlaceIndex(lsoa_ward={"E01000001@2011": "W"}, postcode_lsoa={"M1 1AA": "E01000001@2011"}))


def test_inspect_needs_a_council_and_shows_the_columns_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    spend = str(FIXTURES / "spend" / "lgtc_spend_schema.csv")
    assert main(["inspect", "spend", spend]) == 2
    assert "inspect needs --config" in capsys.readouterr().err
    assert main(["inspect", "spend", spend, "--authority", "E08000003", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["columns"]["supplier"] == "BeneficiaryName" and report["columns"]["cost_centre"] == "CostCentre"
    assert "GB-LAE-MAN" in report["filter"]
    assert [w for w in report["warnings"] if w.startswith("no postcode directory with --authority alone")]


def test_the_loaders_command_lists_each_loaders_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loaders", "--json"]) == 0
    described = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert "Property Name" in described["assets"]["columns"]["name"]
    assert "charity_contact_postcode" in described["ccew"]["columns"]["charity"]
    assert set(described) == set(available_loaders())


def test_version_and_usage_errors_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0 and capsys.readouterr().out.startswith("civicgraph ")
    with pytest.raises(SystemExit) as usage:
        main(["run"])
    assert usage.value.code == 2
    assert capsys.readouterr().err == ("civicgraph run: error: the following arguments are required: config "
                                       "(see civicgraph run --help)\n")  # one line, no usage block
    with pytest.raises(SystemExit) as unknown:
        main(["inspect", "360giving", "grants.json", "--colour", "red"])
    assert unknown.value.code == 2 and len(capsys.readouterr().err.splitlines()) == 1


def test_run_only_and_skip_choose_outputs(tmp_path: Path) -> None:
    assert chosen_parts("answers, maps") == ("answers", "maps")
    assert chosen_parts(skip="exports,cypher") == ("answers", "maps")
    with pytest.raises(ConfigError, match="'export' is not an output of run. Use one of: answers, maps"):
        chosen_parts(skip="export")
    config = _config(tmp_path, 'gss_code = "E08000003"')
    assert main(["run", str(config), "--out", str(tmp_path / "out"), "--only", "answers", "--quiet"]) == 0
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert written == {"graph", "rejections.csv", "matches.csv", "summary.json", "answers", "briefs",
                       ".civicgraph-output.json"}


def test_a_failing_output_keeps_the_others_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object, **__: object) -> list[Path]:
        raise ValueError("math domain error")
    import civicgraph.visualise

    monkeypatch.setattr(civicgraph.visualise, "write_all_maps", broken)
    config = _config(tmp_path, 'gss_code = "E08000003"')
    code = main(["run", str(config), "--out", str(tmp_path / "out"), "--skip", "cypher,exports", "--quiet"])
    assert code == 1
    assert "1 output(s) failed" in capsys.readouterr().err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["failed"] == ["maps: ValueError: math domain error"]
    assert (tmp_path / "out" / "answers").is_dir()


def test_another_councils_review_file_is_refused_and_ours_records_its_authority(tmp_path: Path) -> None:
    shutil.copy(REPO / "config" / "hounslow_review.csv", tmp_path / "hounslow_review.csv")
    before = (tmp_path / "hounslow_review.csv").read_text()
    copied = _config(tmp_path, 'gss_code = "E08000003"', _SPEND + '[resolution]\nreview_file = "hounslow_review.csv"\n')
    with pytest.raises(ConfigError, match="hounslow_review.csv .* is the council coded HNS's, not E08000003's"):
        build_graph(read_config(copied), progress=False)
    assert (tmp_path / "hounslow_review.csv").read_text() == before  # Hounslow's pending pairs untouched
    own = _config(tmp_path, 'gss_code = "E08000003"', _SPEND + '[resolution]\nreview_file = "man_review.csv"\n')
    config = read_config(own)
    save_review_file(config, build_graph(config, progress=False))
    written = pd.read_csv(tmp_path / "man_review.csv", dtype=str)
    assert "authority" in written.columns
    check_review_file(config)  # its own file is accepted on the next build


def test_inspect_with_a_config_whose_lookup_is_unreadable_still_reports_the_file(tmp_path: Path) -> None:
    (tmp_path / "lookup.csv").write_text("LSOA11CD,WARD\nE01000001,E05000001\n")
    sources = f'[[source]]\nloader = "ons-lookup"\npath = "{tmp_path / "lookup.csv"}"\n\n' + _SPEND
    config = _config(tmp_path, 'gss_code = "E08000003"', sources)
    report = inspect_source("spend", FIXTURES / "spend" / "lgtc_spend_schema.csv", config=str(config))
    assert report["edges"]["PAID_BY"] == 8
    assert "geography could not be read" in report["warnings"][0] and "lookup.csv" in report["warnings"][0]


def test_a_directorate_map_is_found_beside_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "directorates.csv").write_text(
        "cost_centre,directorate\nDay Centre North,Adults\nDay Centre South,Adults\nHighways Depot,Place\n"
        "Schools Admin,Children\n")
    sources = _SPEND + 'directorate_map = "local/directorates.csv"\n'
    config = read_config(_config(tmp_path, 'gss_code = "E08000003"', sources))
    assert config.sources[0].options["directorate_map"] == tmp_path / "local" / "directorates.csv"
    graph = build_graph(config, progress=False).graph
    assert {d["name"] for _, d in graph.nodes(data=True) if d["kind"] == "Directorate"} == {"Adults", "Place", "Children"}


def test_a_national_configuration_builds_from_the_gss_code_alone(tmp_path: Path) -> None:
    sources = f'[[source]]\nloader = "ccew"\npath = "{FIXTURES / "ccew" / "register_list.csv"}"\n\n' + _SPEND
    config = read_config(_config(tmp_path, 'gss_code = "K04000001"', sources))
    graph = build_graph(config, progress=False).graph
    assert not [n for n, d in graph.nodes(data=True) if d["kind"] == "Council" and n.startswith("GB-LAE")]
    charities = [n for n, d in graph.nodes(data=True) if d["kind"] == "Charity" and d.get("name")]
    assert {"GB-CHC-1200001", "GB-CHC-1200002", "GB-CHC-1012345"} <= set(charities)  # every row kept
    assert graph.graph["authority_name"] == "England and Wales"


def test_answer_titles_are_generic_with_the_boroughs_own_words_from_its_configuration(tmp_path: Path) -> None:
    from civicgraph.pipeline.answers import ANSWERS, AnswerInputs, answer_all

    assert not [a.question for a in ANSWERS if "Figure" in a.question or "CIL" in a.question or "Review" in a.question]
    hounslow = read_config(REPO / "config" / "hounslow.toml", require_files=False)
    assert hounslow.own_words["05_compare_authorities"] == "the Review's Figure 3"
    import networkx as nx

    ours = answer_all(nx.MultiDiGraph(), AnswerInputs(own_words=hounslow.own_words))
    assert ours["05_compare_authorities"].question.endswith("per head (the Review's Figure 3)")
    assert ours["05_local_programmes"].question.endswith("(Local CIL allocations)")
    from civicgraph.pipeline.answers import write_answers

    written = write_answers(ours, tmp_path / "answers", title="Hounslow")
    readable = next(p for p in written if p.name == "answers.md").read_text()
    assert "## 5. The authority against its peers: grants in total and per head (the Review's Figure 3)" in readable
    other = read_config(_config(tmp_path, 'gss_code = "E08000003"'))
    theirs = answer_all(nx.MultiDiGraph(), AnswerInputs(own_words=other.own_words))
    assert other.own_words == {}
    assert not [r.question for r in theirs.values() if "Figure" in r.question or "CIL" in r.question]


@pytest.mark.parametrize(("words", "message"), [
    ('{ 05_nothing = "x" }', r"\[answers\] own_words.05_nothing: not an answer. Use one of: 01_below"),
    ('{ 05_local_programmes = 3 }', r"\[answers\] own_words.05_local_programmes = 3: expected text"),
    ('"Local CIL"', r"\[answers\] own_words = 'Local CIL': expected a table of answer = words"),
])
def test_own_words_for_an_unknown_answer_or_not_text_are_refused(words: str, message: str, tmp_path: Path) -> None:
    path = _config(tmp_path, 'gss_code = "E08000003"')
    path.write_text(path.read_text() + f"\n[answers]\nown_words = {words}\n")
    with pytest.raises(ConfigError, match=r"borough.toml: " + message):
        read_config(path)


def test_a_source_that_places_less_than_the_stated_share_warns(tmp_path: Path) -> None:
    from benchmarks.council import write_council

    config = write_council(tmp_path / "council", 300)
    placed = build_graph(read_config(config), progress=False)
    assert not [w for w in placed.warnings if "min_placed_share" in w]
    text = config.read_text()
    without_directory = text.replace('[[source]]\nloader = "ons-postcodes"\npath = "postcodes.csv"\n', "")
    assert without_directory != text
    config.write_text(without_directory)
    unplaced = build_graph(read_config(config), progress=False)
    warned = [w for w in unplaced.warnings if "min_placed_share" in w]
    assert [w for w in warned if w.startswith("assets.csv (assets): placed 0 of the 6 it could place (0%, below the "
                                              "50% of [build] min_placed_share)")]
    assert [w for w in warned if w.startswith("grants.csv (360giving): placed 0 of")]
    assert not [w for w in warned if "organisation-classes" in w]  # the build's own rules are not a source
    assert unplaced.frames.attributes["warnings"] == unplaced.warnings
    config.write_text(without_directory.replace("[authority]", "[build]\nmin_placed_share = 0\n\n[authority]"))
    assert not [w for w in build_graph(read_config(config), progress=False).warnings if "min_placed_share" in w]
