"""Below-the-radar groups are the authority's community groups: who is left out, and why."""

from __future__ import annotations

import networkx as nx
import pytest
from pandas.testing import assert_frame_equal

from civicgraph.analysis.gaps import below_the_radar_groups, registration, service_gaps, ward_deprivation
from civicgraph.graph.frames import as_frames, derived
from tests.analysis.ecosystem import edge, node, small_borough


def _group(g: nx.MultiDiGraph, node: str, **data: object) -> None:
    g.add_node(node, **{"kind": "Organisation", "name": node, "provenance": [{"dataset": "hounslow-connect:d"}], **data})


def test_a_group_outside_the_borough_is_left_out_and_counted() -> None:
    g = nx.MultiDiGraph()
    _group(g, "inside", inside_authority=True)
    _group(g, "outside", inside_authority=False)
    _group(g, "unknown")
    groups = below_the_radar_groups(g, as_of="")
    assert sorted(groups["id"]) == ["inside", "unknown"]  # unknown place is no reason to leave out
    assert groups.attrs["left out"].startswith("1 located outside the authority")


def test_a_group_outside_that_serves_a_borough_ward_stays() -> None:
    g = nx.MultiDiGraph()
    g.add_node("W@2017", kind="Ward", name="Bedfont")
    _group(g, "outside", inside_authority=False)
    g.add_edge("outside", "W@2017", relation="SERVES_AREA")
    assert list(below_the_radar_groups(g, as_of="")["id"]) == ["outside"]


COMPLETE_REGISTERS = [{"source": "ccew:extract", "complete": True, "covers": "area of operation hounslow"},
                      {"source": "companies-house:basic.csv", "complete": True, "covers": "postcodes in E09000018"}]


def test_not_found_in_an_extract_that_does_not_cover_it_is_unknown_not_unregistered() -> None:
    g = nx.MultiDiGraph(registers=[{"source": "ccew:ccew_extract", "complete": False,
                                    "covers": "no charity table: details added to charities already in the graph"}])
    _group(g, "club")
    row = below_the_radar_groups(g, as_of="").iloc[0]
    assert row["registered"] == "unknown" and "on no register" not in row["evidence"]
    assert "no complete list of the charities or companies" in row["registered_reason"]
    assert "ccew:ccew_extract: no charity table" in row["registered_reason"]


def test_not_found_in_complete_registers_of_the_authority_is_no() -> None:
    g = nx.MultiDiGraph(registers=COMPLETE_REGISTERS)
    _group(g, "club")
    row = below_the_radar_groups(g, as_of="").iloc[0]
    assert row["registered"] == "no" and row["evidence"].startswith("on no register (not found in the registers loaded")


def test_a_register_id_says_yes_with_the_id() -> None:
    from civicgraph.analysis.gaps import registration
    g = nx.MultiDiGraph()
    g.add_node("LOCAL-x", kind="Organisation", other_ids=["GB-CHC-294887"])
    assert registration(g, "LOCAL-x") == ("yes", "on a register as GB-CHC-294887")


def test_statutory_bodies_and_businesses_are_not_below_the_radar() -> None:
    g = nx.MultiDiGraph()
    _group(g, "library", org_class="statutory: library", community_group=False)
    _group(g, "club", org_class="community group", community_group=True)
    groups = below_the_radar_groups(g, as_of="")
    assert list(groups["id"]) == ["club"] and list(groups["org_class"]) == ["community group"]
    assert "1 not community groups" in groups.attrs["left out"]


def test_a_branch_is_listed_with_its_parent() -> None:
    g = nx.MultiDiGraph()
    _group(g, "branch", org_class="branch of a national body", community_group=True, parent_body="Age UK")
    row = below_the_radar_groups(g, as_of="").iloc[0]
    assert row["parent_body"] == "Age UK" and "branch of Age UK" in row["evidence"]


def test_possibly_registered_shows_the_candidate_and_weighs_less() -> None:
    g = nx.MultiDiGraph(registers=COMPLETE_REGISTERS)
    _group(g, "maybe", register_candidates=["GB-CHC-294887 HOUNSLOW PHAB (score 1.00)"])
    _group(g, "surely")
    groups = below_the_radar_groups(g, as_of="").set_index("id")
    assert groups.loc["maybe", "registered"] == "unknown" and groups.loc["surely", "registered"] == "no"
    assert "possibly registered: GB-CHC-294887 HOUNSLOW PHAB (score 1.00), awaiting review" in groups.loc["maybe", "evidence"]
    assert groups.loc["maybe", "little_known_score"] < groups.loc["surely", "little_known_score"]


def test_derived_facts_do_not_count_as_sightings() -> None:
    g = nx.MultiDiGraph()
    _group(g, "club", provenance=[{"dataset": "hounslow-connect:d"}, {"dataset": "postcode-lookup"},
                                  {"dataset": "organisation-classes"}])
    row = below_the_radar_groups(g, as_of="").iloc[0]
    assert row["sources"] == "hounslow-connect" and "seen only in hounslow-connect" in row["evidence"]


def test_a_provider_outside_the_borough_fills_no_local_gap_and_is_not_unlocated() -> None:
    from civicgraph.analysis.gaps import service_gaps
    g = nx.MultiDiGraph()
    g.add_node("W1", kind="Ward", name="Bedfont")
    g.add_node("T", kind="Theme", name="older people")
    g.add_node("o", kind="Charity", name="O", inside_authority=False)
    g.add_edge("o", "T", relation="ADDRESSES")
    gaps = service_gaps(g)
    assert gaps[["ward_name", "no_located_provider", "unlocated_providers"]].values.tolist() == [["Bedfont", True, 0]]
    assert gaps.attrs["left out"].startswith("1 providers located outside")


def test_a_charity_its_source_calls_exempt_is_not_registered() -> None:
    from civicgraph.analysis.gaps import registration
    g = nx.MultiDiGraph()
    g.add_node("LOCAL-x", kind="Organisation", name="Hounslow Evangelical Church Trust (Exempt charity)")
    assert registration(g, "LOCAL-x") == ("no", "its source names it an exempt charity, which is not on the register")


def test_below_the_radar_lists_unlinked_grassroots_groups_with_their_one_link_in(borough: nx.MultiDiGraph) -> None:
    table = below_the_radar_groups(borough).set_index("id")
    assert set(table.index) == {"club", "choir"}  # the micro charity is in the register and funded
    assert table.loc["club", "ward"] == "W-poor"
    assert table.loc["club", "one_link_in"] is None  # a CVS member: the CVS is no council body or funder
    wider = below_the_radar_groups(borough, min_little_known_score=0.3).set_index("id")
    assert wider.loc["micro", "one_link_in"] == "City Bridge"
    assert wider.loc["choir", "little_known_score"] > wider.loc["micro", "little_known_score"]
    assert "local" not in wider.index  # registered and not micro
    assert "micro" not in set(below_the_radar_groups(borough, max_links_in=0, min_little_known_score=0.0)["id"])


def test_a_theme_has_a_gap_until_a_provider_is_placed_in_a_ward() -> None:
    g = nx.MultiDiGraph()
    node(g, "a", "Charity")
    node(g, "W", "Ward", name="Ward")
    node(g, "T", "Theme", name="older people")
    node(g, "svc", "Service")
    edge(g, "a", "svc", "DELIVERS")
    edge(g, "svc", "T", "ADDRESSES")
    [gap] = service_gaps(g).to_dict("records")
    assert gap["no_located_provider"] and gap["unlocated_providers"] == 1
    edge(g, "a", "W", "LOCATED_IN")
    [filled] = service_gaps(g).to_dict("records")
    assert not filled["no_located_provider"] and filled["provider_names"] == "a"


def _dated_borough() -> nx.MultiDiGraph:
    """The small borough with data dates, a group removed in 2016 and a link observed only in 2019."""
    g = small_borough()
    g.graph["data_dates"] = {"ons": "2017-12-01", "directory": "2021-02-10"}
    node(g, "gone", "UnregisteredGroup", "hounslow-connect", name="Closed Group", status="Removed", removal_date="2016-01-31")
    node(g, "late", "UnregisteredGroup", "hounslow-connect", name="Late Group")
    edge(g, "late", "lottery", "FUNDED_BY", award_date="2019-06-01", amount=500.0)
    return g


@pytest.mark.parametrize("period", [{}, {"as_of": ""}, {"as_of": "2015-06-30"}, {"between": ("2018-01-01", "2020-12-31")}])
def test_below_the_radar_from_the_tables_is_the_answer_from_networkx(period: dict) -> None:
    g = _dated_borough()
    frames = as_frames(g)
    from_frames = below_the_radar_groups(frames, min_little_known_score=0.0, **period)
    assert_frame_equal(from_frames, below_the_radar_groups(g, min_little_known_score=0.0, **period))
    assert from_frames.attrs == below_the_radar_groups(g, min_little_known_score=0.0, **period).attrs
    assert "networkx" not in derived(frames)


def test_a_group_is_known_to_a_funder_only_in_the_period_of_its_grant() -> None:
    frames = as_frames(_dated_borough())
    assert below_the_radar_groups(frames, min_little_known_score=0.0, as_of="2018-12-31").set_index("id").loc[
        "late", "links_in"] == 0
    assert below_the_radar_groups(frames, min_little_known_score=0.0).set_index("id").loc["late", "one_link_in"] == "Lottery"
    assert "gone" not in set(below_the_radar_groups(frames, min_little_known_score=0.0)["id"])


def test_service_gaps_and_deprivation_from_the_tables_are_the_answers_from_networkx() -> None:
    g = small_borough()
    node(g, "T", "Theme", name="older people")
    node(g, "svc", "Service")
    edge(g, "club", "svc", "DELIVERS")
    edge(g, "svc", "T", "ADDRESSES")
    edge(g, "local", "T", "ADDRESSES")
    frames = as_frames(g)
    gaps = service_gaps(frames)
    assert_frame_equal(gaps, service_gaps(g))
    assert gaps.set_index("ward").loc["W-poor", "provider_names"] == "Lunch Club"
    assert ward_deprivation(frames) == ward_deprivation(g) == {"W-rich": 8.0, "W-poor": 40.0}
    assert registration(frames, "club") == registration(g, "club")
    assert "networkx" not in derived(frames)
