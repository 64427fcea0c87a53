"""Building a borough's graph from its configuration: complete, or the previous build untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from civicgraph.cli import main
from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.core.provenance import DERIVED_DATASETS
from civicgraph.exports.formats import summary_json
from civicgraph.graph.store import load_graph, save_graph
from civicgraph.pipeline.build import build_graph, build_to_folder, run_loaders
from civicgraph.pipeline.config import read_config


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_hounslow_builds_with_every_source_and_provenance(hounslow_config: Path) -> None:
    outcome = build_graph(read_config(hounslow_config), progress=False)
    graph = outcome.graph
    kinds = nx.get_node_attributes(graph, "kind")
    assert sum(k == "Ward" for k in kinds.values()) == 20
    assert sum(k == "LSOA" for k in kinds.values()) == 142
    assert sum(k == "Grant" for k in kinds.values()) == 12
    assert graph.nodes["GB-LAE-HNS"]["kind"] == "Council"
    assert all(data["provenance"] for _, data in graph.nodes(data=True))
    assert all(data["provenance"] for *_, data in graph.edges(data=True))
    # the council is described by the configuration and by the workbook: one node, both sources
    datasets = {p["dataset"] for p in graph.nodes["GB-LAE-HNS"]["provenance"]}
    assert datasets - DERIVED_DATASETS == {"config:hounslow.toml", "workbook:hounslow"}
    assert graph.nodes["E01002555@2011"]["imd_decile"] == 6
    assert outcome.violations.empty


def test_data_dates_are_each_datasets_latest_provenance_date(hounslow_config: Path) -> None:
    config = read_config(hounslow_config)
    expected: dict[str, str] = {}
    for result in run_loaders(config, progress=False)[0]:
        for frame in (result.nodes, result.edges):
            for dataset, date in zip(frame["prov_dataset"].astype(object), frame["prov_date"].astype(object)):
                if isinstance(date, str) and date:
                    expected[dataset] = max(expected.get(dataset, ""), date[:10])
    assert len(expected) >= 5
    assert build_graph(config, progress=False).frames.attributes["data_dates"] == expected


def test_build_writes_a_loadable_graph_and_report(hounslow_config: Path, tmp_path: Path) -> None:
    outcome = build_to_folder(read_config(hounslow_config), tmp_path / "graph", progress=False)
    assert nx.utils.graphs_equal(load_graph(tmp_path / "graph"), outcome.graph)
    assert (tmp_path / "graph" / "rejections.csv").exists()


def test_hounslow_build_resolves_directory_entries_to_registered_charities(hounslow_config: Path,
                                                                         tmp_path: Path) -> None:
    outcome = build_to_folder(read_config(hounslow_config), tmp_path / "graph", progress=False)
    age_uk = outcome.graph.nodes["GB-CHC-1061681"]  # Age UK Hounslow: register name and directory entry
    assert "LOCAL-HNS-age-uk-hounslow" in age_uk["matched_ids"]
    assert "LOCAL-HNS-age-uk-hounslow" not in outcome.graph
    assert {"charity-links:hounslow_charity_parent_relationships.csv", "hounslow-connect:directory"} <= {
        p["dataset"] for p in age_uk["provenance"]}
    matches = pd.read_csv(tmp_path / "graph" / "matches.csv")
    assert set(matches["status"]) <= {"merged", "review", "held", "rejected"}
    assert matches["evidence"].notna().all()
    review = pd.read_csv(hounslow_config.parent / "hounslow_review.csv", dtype=str, keep_default_na=False)
    pending = review[review["decision"] == ""]
    assert len(pending) == int(matches["status"].isin(["review", "held"]).sum())


def test_failed_build_leaves_the_review_file_as_it_was(hounslow_config: Path, tmp_path: Path) -> None:
    review = hounslow_config.parent / "hounslow_review.csv"
    review.write_text("left_id,right_id,decision\nGB-CHC-1061681,LOCAL-HNS-age-uk-hounslow,reject\n")
    before = review.read_bytes()
    _break_ward_column(hounslow_config)
    with pytest.raises(SourceFormatError):
        build_to_folder(read_config(hounslow_config), tmp_path / "graph", progress=False)
    assert review.read_bytes() == before


def test_a_rejected_pair_stays_apart_in_the_built_graph(hounslow_config: Path, tmp_path: Path) -> None:
    review = hounslow_config.parent / "hounslow_review.csv"
    review.write_text("left_id,right_id,decision\nGB-CHC-1061681,LOCAL-HNS-age-uk-hounslow,reject\n")
    for _ in range(2):
        graph = build_to_folder(read_config(hounslow_config), tmp_path / "graph", progress=False).graph
        assert "LOCAL-HNS-age-uk-hounslow" in graph
    assert "GB-CHC-1061681,,LOCAL-HNS-age-uk-hounslow,,,,reject" in review.read_text()


def _break_ward_column(config: Path) -> None:
    lookup = config.parent.parent / "data" / "geography" / "hounslow_lsoa11_ward17_lookup.csv"
    lookup.write_text(lookup.read_text(encoding="utf-8-sig").replace("WD17CD", "WARD_CODE"), encoding="utf-8")


def test_broken_source_aborts_and_leaves_previous_build_byte_for_byte(hounslow_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "builds" / "graph"
    build_to_folder(read_config(hounslow_config), out, progress=False)
    before = _tree_digest(out)
    _break_ward_column(hounslow_config)
    with pytest.raises(SourceFormatError, match=r"hounslow_lsoa11_ward17_lookup.csv row 1 \(header\): no WDyyCD column"):
        build_to_folder(read_config(hounslow_config), out, progress=False)
    assert _tree_digest(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph"]  # no staging folder left behind


def test_strict_build_stops_on_a_rejected_row_naming_file_row_and_field(hounslow_config: Path) -> None:
    organisations = hounslow_config.parent.parent / "data" / "local_knowledge" / "hounslow" / "organisations.csv"
    lines = organisations.read_text().splitlines()
    lines.append(',Bedfont Lunch Club,UnregisteredGrop,,,,local,,,,active,,"workshop 2024-03-01",2024-03-01')
    organisations.write_text("\n".join(lines) + "\n")
    config = read_config(hounslow_config)
    lenient = build_graph(config, progress=False)
    bad = lenient.rejections.iloc[0]
    assert (bad["row"], bad["field"], bad["value"]) == ("organisations.csv row 20", "kind", "UnregisteredGrop")
    hounslow_config.write_text(hounslow_config.read_text().replace("strict = false", "strict = true"))
    with pytest.raises(SourceFormatError, match="organisations.csv row 20, field kind"):
        build_graph(read_config(hounslow_config), progress=False)


def test_config_errors_name_the_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "borough.toml"
    config.write_text('[authority]\nname = "X"\norg_id = "GB-LAE-LND"\n'
                      '[[source]]\nloader = "workbook"\npath = "missing"\n')
    with pytest.raises(ConfigError, match=r"borough.toml: \[authority\] needs 'gss_code'"):
        read_config(config)
    config.write_text(config.read_text().replace('[[source]]', 'gss_code = "E09000001"\n[[source]]'))
    with pytest.raises(ConfigError, match="path 'missing': no such file"):
        read_config(config)


def test_build_settings_are_checked_and_the_parallel_merge_is_asked_for(hounslow_config: Path) -> None:
    text = hounslow_config.read_text()
    assert read_config(hounslow_config).parallel_merge is False  # lean unless asked
    hounslow_config.write_text(text.replace("[build]", "[build]\nparallel_merge = true"))
    assert read_config(hounslow_config).parallel_merge is True
    hounslow_config.write_text(text.replace("[build]", '[build]\nparallel_merge = "yes"'))
    with pytest.raises(ConfigError, match=r"hounslow.toml: \[build\] parallel_merge = 'yes': write true or false"):
        read_config(hounslow_config)
    hounslow_config.write_text(text.replace("[build]", "[build]\nparalel_merge = true"))
    with pytest.raises(ConfigError, match=r"\[build\] 'paralel_merge' is not a setting. Use one of: 'keep_contacts', 'min_placed_share', 'parallel_merge'"):
        read_config(hounslow_config)


def test_cli_prints_one_line_error_not_a_traceback(hounslow_config: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _break_ward_column(hounslow_config)
    code = main(["build", str(hounslow_config), "--out", str(tmp_path / "g"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1  # a source that cannot be read is a runtime failure; 2 is for usage errors
    assert err.startswith("civicgraph: error: hounslow_lsoa11_ward17_lookup.csv row 1 (header)")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_info_counts_from_the_tables_what_the_graph_holds(toy_graph: nx.MultiDiGraph, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = save_graph(toy_graph, tmp_path / "graph")
    assert main(["info", str(folder), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(summary_json(toy_graph))
    datasets = {p["dataset"] for _, entries in toy_graph.nodes(data="provenance") for p in entries}
    assert set(printed["nodes_by_source"]) == datasets and printed["nodes"] == toy_graph.number_of_nodes()


def test_unknown_loader_in_config_lists_the_choices(hounslow_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hounslow_config.write_text(hounslow_config.read_text().replace('loader = "imd"', 'loader = "imdx"'))
    assert main(["build", str(hounslow_config), "--out", "unused", "--quiet"]) == 2
    assert "loader 'imdx' is not registered. Use one of: 360giving" in capsys.readouterr().err


def test_main_job_writes_graph_exports_and_report(hounslow_config: Path, tmp_path: Path) -> None:
    assert main(["run", str(hounslow_config), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = tmp_path / "out"
    for name in ("graph/manifest.json", "rejections.csv", "summary.json", "exports/hns.ttl", "exports/hns.jsonld",
                 "exports/hns.graphml", "exports/hns.xlsx", "exports/csv/nodes.csv", "exports/csv/edges.csv"):
        assert (out / name).is_file(), name
    assert load_graph(out / "graph").number_of_nodes() > 200
    answers = out / "answers"
    assert len(list(answers.glob("*.csv"))) == len(list(answers.glob("*.notes.md"))) == 20
    peers = pd.read_csv(answers / "05_compare_authorities.csv").set_index("name")
    assert peers.loc["Hounslow", "focus"] and peers.loc["Hounslow", "grants"] == 0  # none of Power to Change's
    assert peers.loc["Waltham Forest", "rank_per_head"] == 1
    report = (answers / "answers.md").read_text()
    assert "Life project (mixed provider group)" in report  # question 7, from the Review's own facts
    assert "Hounslow Voluntary Sector Support Service" in report  # question 9
    for preset in ("below-the-radar", "coproduction", "infrastructure", "funding", "network"):
        assert (out / "maps" / f"{preset}.html").is_file()
    directorates = pd.read_csv(answers / "02_directorate_coproduction.csv").set_index("name")
    assert "Adult Social Care" in directorates.index
    unnamed = directorates[directorates.index.str.endswith("(not named in the Review)")]
    assert len(unnamed) == 12 and set(unnamed["vcse_link"]) == {"unknown"}  # 13 departments, one named
    assert directorates.loc["Community Partnerships Unit", "coproduction_share"] == 0  # support and partnership only
    money = [pd.read_csv(answers / f"{key}.csv")["amount_gbp"].sum() for key in
             ("05_funding_by_ward", "05_funding_by_funder", "05_funding_by_income_band")]
    assert money[0] > 0 and money[0] == pytest.approx(money[1]) == pytest.approx(money[2])
    assert "trustee table" in (answers / "11_board_interlocks.notes.md").read_text()
    assert pd.read_excel(answers / "answers.xlsx", sheet_name=0).columns[0] == "sheet"  # "About these answers"
    briefs = out / "briefs"
    assert (briefs / "05_funding_by_ward.png").is_file() and (briefs / "index.html").is_file()
    assert "data:image/png;base64," in (briefs / "05_funding_by_ward.html").read_text()


def test_sources_loaded_by_two_processes_are_the_same(hounslow_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.pipeline.helpers
    from civicgraph.pipeline.build import run_loaders

    config = read_config(hounslow_config)
    alone, _ = run_loaders(config, progress=False)
    monkeypatch.setattr(civicgraph.pipeline.helpers, "SHARE_LOADING_BYTES", 0)  # share whatever the sizes
    shared, _ = run_loaders(config, progress=False)
    assert [r.path for r in shared] == [r.path for r in alone]
    for one, other in zip(alone, shared):
        pd.testing.assert_frame_equal(one.nodes, other.nodes)
        pd.testing.assert_frame_equal(one.edges, other.edges)
        pd.testing.assert_frame_equal(one.rejections, other.rejections)
