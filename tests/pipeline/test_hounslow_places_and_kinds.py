"""The Hounslow example, built from the bundled real extracts: where organisations are, what kind
of body each is, and which are below the radar in which period."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from civicgraph.analysis.gaps import below_the_radar_groups
from civicgraph.analysis.period import activity
from civicgraph.analysis.placement import placement_coverage
from civicgraph.pipeline.build import BuildOutcome, build_graph
from civicgraph.pipeline.config import read_config

ROOT = Path(__file__).resolve().parents[2]
ONS = ROOT / "data" / "geography" / "hounslow_and_neighbours_PCD_OA_LSOA_MSOA_LAD_MAY22.csv"


@pytest.fixture(scope="module")
def outcome() -> BuildOutcome:
    return build_graph(read_config(ROOT / "config" / "hounslow.toml"), progress=False)


@pytest.fixture(scope="module")
def graph(outcome: BuildOutcome) -> nx.MultiDiGraph:
    return outcome.graph


@pytest.fixture(scope="module")
def district() -> dict[str, str]:
    frame = pd.read_csv(ONS, dtype=str, usecols=["pcds", "ladcd"])
    return dict(zip(frame["pcds"], frame["ladcd"]))


def _named(graph: nx.MultiDiGraph, name: str) -> str:
    found = [n for n, d in graph.nodes(data=True) if d.get("name") == name and d["kind"] not in ("Service", "Building")]
    assert len(found) == 1, (name, found)
    return found[0]


def test_seven_in_ten_organisations_with_a_postcode_are_in_a_ward(outcome: BuildOutcome) -> None:
    coverage = placement_coverage(outcome.frames)
    organisations = [c for kind, c in coverage["by_kind"].items() if kind not in ("Building", "Land", "Grant")]
    with_postcode = sum(c["with_postcode"] for c in organisations)
    assert with_postcode > 200
    assert sum(c["in_ward"] for c in organisations) / with_postcode >= 0.7
    assert coverage["ward_set"] == "2017 wards (from the ONS LSOA to ward lookup), with names"


def test_every_directory_location_with_a_hounslow_postcode_is_in_a_ward(graph: nx.MultiDiGraph,
                                                                           district: dict[str, str]) -> None:
    from civicgraph.analysis.network import ward_index
    wards = ward_index(graph)
    buildings = {n: d["postcode"] for n, d in graph.nodes(data=True) if d["kind"] == "Building"}
    hounslow = [n for n, p in buildings.items() if district.get(p) == "E09000018"]
    assert len(hounslow) > 150
    assert [n for n in hounslow if n not in wards] == []


def test_directory_locations_outside_the_borough_are_marked_outside(graph: nx.MultiDiGraph,
                                                                      district: dict[str, str]) -> None:
    buildings = {n: d for n, d in graph.nodes(data=True) if d["kind"] == "Building"}
    neighbours = {n for n, d in buildings.items() if district.get(d["postcode"], "E09000018") != "E09000018"}
    outside = {n for n, d in buildings.items() if d.get("inside_authority") is False}
    assert outside == neighbours and len(outside) > 40
    assert {buildings[n]["local_authority_code"] for n in outside} <= {"E09000009", "E09000027", "E09000017",
                                                                       "E09000013", "E07000213"}
    unknown = [d["postcode"] for d in buildings.values() if d.get("inside_authority") is None]
    assert "SE1 7TP" in unknown and "WA7 4QX" in unknown  # in no directory of the build: unknown, not outside


def test_every_grant_recipient_with_a_hounslow_postcode_is_in_a_ward(graph: nx.MultiDiGraph,
                                                                       district: dict[str, str]) -> None:
    from civicgraph.analysis.network import ward_index
    wards = ward_index(graph)
    recipients = {t for _, t, d in graph.edges(data=True) if d["relation"] == "AWARDED_TO"}
    local = [r for r in recipients if district.get(graph.nodes[r].get("postcode")) == "E09000018"]
    assert len(local) >= 9
    assert [r for r in local if r not in wards] == []
    assert all(graph.nodes[r].get("easting") for r in local)  # coordinates kept for maps


@pytest.mark.parametrize(("name", "expected"), [
    ("Sanctuary Housing", "housing association"),
    ("Bedfont Library", "statutory: library"),
    ("Chiswick Library", "statutory: library"),
    ("Lampton School", "statutory: school"),
    ("The Chiswick School", "statutory: school"),
    ("Brentford School for Girls", "statutory: school"),
    ("Google Online Courses", "business or online service"),
    ("Rocket Science", "business"),
    ("Chiswick Business Improvement District", "business improvement district"),
    ("Hounslow Chinese School", "community group"),
    ("Cranford Baptist Church", "faith group"),
    ("Thornton-Mayfield Residents Association", "residents' association"),
    ("National Childbirth Trust (Twickenham, Hounslow & District)", "branch of a national body"),
    ("Age UK", "national body"),
    ("AbilityNet", "national body"),
    ("AdviceUK", "national body"),
    ("Advocacy - VoiceAbility", "national body"),
    ("Good Things Foundation", "national body"),
    ("Stroke Association", "national body"),
    ("The Conservation Volunteers", "national body"),
    ("Planning Aid For London", "regional body"),
    ("EU Settlement Scheme", "statutory: government service"),
    ("Learn Hounslow", "statutory: council service"),
    ("Chiswick Town Hall", "statutory: council service"),
    ("Cranford Community Colllege", "statutory: school"),
    ("Learn My Way", "business or online service"),
    ("BT Skills For Tomoorrow", "business"),
    ("Near Neighbours Grant Programme", "funder"),
    ("3rd Chiswick Scout Group", "branch of a national body"),
    ("Hounslow Cycling Campaign", "branch of a national body"),
])
def test_the_reviews_examples_are_classified_with_evidence(graph: nx.MultiDiGraph, name: str, expected: str) -> None:
    data = graph.nodes[_named(graph, name)]
    assert data["org_class"] == expected
    assert "matches rule" in data["org_class_evidence"]
    assert data["provenance"][data["field_provenance"]["org_class"][0]]["dataset"] == "organisation-classes"


def test_below_the_radar_holds_community_groups_only(graph: nx.MultiDiGraph) -> None:
    groups = below_the_radar_groups(graph)
    names = set(groups["name"])
    for name in ("Sanctuary Housing", "Bedfont Library", "Lampton School", "Google Online Courses", "Rocket Science",
                 "Chiswick Business Improvement District", "Brentford Business Improvement District",
                 "Feltham Business Improvement District", "AbilityNet", "AdviceUK", "Advocacy - VoiceAbility",
                 "Good Things Foundation", "Stroke Association", "Reach Volunteering", "Inter Faith Network",
                 "EU Settlement Scheme", "Learn My Way", "Future Learn", "Learn Hounslow", "Cranford Community Colllege"):
        assert name not in names
    assert set(groups["org_class"]) <= {"community group", "faith group", "residents' association",
                                        "branch of a national body", "registered voluntary organisation"}
    branch = groups.set_index("name").loc["National Childbirth Trust (Twickenham, Hounslow & District)"]
    assert branch["parent_body"] == "National Childbirth Trust"
    assert groups.set_index("name").loc["3rd Chiswick Scout Group", "parent_body"] == "The Scout Association"
    assert "not community groups" in groups.attrs["left out"] and groups.attrs["period"].startswith("as of ")


def test_groups_meeting_only_outside_the_borough_are_left_out_and_counted(graph: nx.MultiDiGraph) -> None:
    groups = below_the_radar_groups(graph)
    outside = [n for n in groups["id"] if graph.nodes[n].get("inside_authority") is False]
    assert outside == []
    assert int(groups.attrs["left out"].split(" located outside")[0]) > 0


def test_hounslow_phab_is_possibly_registered_not_unregistered(graph: nx.MultiDiGraph) -> None:
    row = below_the_radar_groups(graph).set_index("name").loc["Hounslow PHAB"]
    assert row["registered"] == "unknown" and row["registered_reason"].startswith("possibly registered: GB-CHC-")
    assert "GB-CHC-294887 HOUNSLOW PHAB (score 1.00)" in row["register_candidates"]
    assert "on no register" not in row["evidence"] and "possibly registered: GB-CHC-" in row["evidence"]


def test_merged_trusts_are_active_before_their_merger_only(graph: nx.MultiDiGraph) -> None:
    trusts = [n for n, d in graph.nodes(data=True) if "(Exempt charity)" in str(d.get("name"))
              or "(UNREGISTERED CHARITY)" in str(d.get("name"))]
    assert len(trusts) == 4
    for trust in trusts:
        assert graph.nodes[trust]["status"] == "Removed" and graph.nodes[trust]["removal_date"] >= "2020-09-23"
        assert activity(graph, trust, "2019-01-01") == (True, "")
        assert activity(graph, trust, "2024-01-01")[0] is False
    listed = set(below_the_radar_groups(graph)["id"])
    assert not listed & set(trusts)
    earlier = set(below_the_radar_groups(graph, as_of="2019-01-01")["id"])
    assert set(trusts) <= earlier


def test_rspca_branch_merged_in_2016_ended_then(graph: nx.MultiDiGraph) -> None:
    branch = "GB-CHC-210943"
    assert activity(graph, branch, "2015-06-01") == (True, "")
    assert activity(graph, branch, "2021-02-10") == (False, "Removed on 2016-07-21")


@pytest.fixture(scope="module")
def current_wards() -> BuildOutcome:
    from dataclasses import replace
    return build_graph(replace(read_config(ROOT / "config" / "hounslow.toml"), wards="postcodes"), progress=False)


def test_the_current_wards_of_code_point_open_can_be_chosen(current_wards: BuildOutcome,
                                                             district: dict[str, str]) -> None:
    from civicgraph.analysis.network import ward_index
    from civicgraph.pipeline.answers import ask
    graph = current_wards.graph
    wards = {n: d for n, d in graph.nodes(data=True) if d["kind"] == "Ward"}
    assert len(wards) == 22 and all(w.endswith("@2025") and not d.get("name") for w, d in wards.items())
    index = ward_index(graph)
    buildings = {n: d["postcode"] for n, d in graph.nodes(data=True) if d["kind"] == "Building"}
    hounslow = [n for n, p in buildings.items() if district.get(p) == "E09000018"]
    assert [n for n in hounslow if index.get(n) not in wards] == []
    label = placement_coverage(current_wards.frames)["ward_set"]
    assert label.startswith("2025 wards (from the postcode directory's ward codes") and "code only" in label
    answer = ask(graph, "05_funding_by_ward")
    assert f"Wards: {label}." in answer.caveats
    assert answer.table["imd_score"].notna().all()  # each LSOA counts towards the ward of most of its postcodes


def test_by_default_the_lookup_wards_are_stated_with_their_names(graph: nx.MultiDiGraph) -> None:
    from civicgraph.pipeline.answers import ask
    for key in ("01_below_the_radar_groups", "05_funding_by_ward", "12_service_gaps"):
        assert "Wards: 2017 wards (from the ONS LSOA to ward lookup), with names." in ask(graph, key).caveats


def test_the_branch_merged_in_2016_is_no_broker_or_bridge_after_it(graph: nx.MultiDiGraph) -> None:
    from civicgraph.analysis.centrality import bridges, centrality_table
    branch = "GB-CHC-210943"
    assert branch in set(centrality_table(graph, as_of="2015-06-01")["id"])
    later = centrality_table(graph)
    assert branch not in set(later["id"]) and later.attrs["period"].startswith("as of 2024-09-10")
    joined = bridges(graph)
    assert branch not in set(joined["source"]) | set(joined["target"])


def test_the_workshops_coproduction_links_hold_in_2020_21(graph: nx.MultiDiGraph) -> None:
    from civicgraph.analysis.coproduction import directorate_coproduction
    year = directorate_coproduction(graph, between=("2020-04-01", "2021-03-31"))
    assert year["co-production"].sum() >= 1
    assert directorate_coproduction(graph, between=("2010-01-01", "2015-12-31"))["co-production"].sum() == 0
    assert "until an end the source gives" in year.attrs["dating"]


def test_located_in_edges_carry_the_day_their_postcode_was_observed(graph: nx.MultiDiGraph) -> None:
    located = [d for _, _, d in graph.edges(data=True) if d["relation"] == "LOCATED_IN"
               and d["provenance"][0]["dataset"] == "postcode-lookup"]
    assert len(located) > 150 and all(d.get("date") for d in located)
    assert {d["provenance"][0]["date"] for d in located} == {"2022-05-01"}
    assert "2021-02-10" in {d["date"] for d in located}  # directory locations, as of the directory
