"""The twelve questions on small hand-built ecosystems whose answers are known by construction."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from civicgraph.analysis.assets import asset_transfer_candidates, asset_use
from civicgraph.analysis.centrality import (
    bridges,
    brokerage_roles,
    centrality_table,
    funding_concentration,
    what_if_removed,
)
from civicgraph.analysis.contracts import contract_consolidation
from civicgraph.analysis.coproduction import directorate_coproduction, forum_representativeness
from civicgraph.analysis.gaps import below_the_radar_groups, service_gaps
from civicgraph.analysis.infrastructure import alliance_candidates, duplicated_infrastructure
from civicgraph.analysis.interlocks import board_interlocks
from civicgraph.analysis.money import co_funding, funding_by_funder, funding_by_income_band, funding_by_ward, gini
from civicgraph.pipeline.answers import ANSWERS, answer_all, write_answers


def node(g: nx.MultiDiGraph, node_id: str, kind: str, *sources: str, **attributes: object) -> None:
    g.add_node(node_id, kind=kind, name=attributes.pop("name", node_id),
               provenance=[{"dataset": f"{s}:file", "record": "1", "date": "", "licence": "x"} for s in sources or ("workbook",)],
               **attributes)


def edge(g: nx.MultiDiGraph, source: str, target: str, relation: str, **attributes: object) -> None:
    g.add_edge(source, target, relation=relation, provenance=[], **attributes)


@pytest.fixture
def borough() -> nx.MultiDiGraph:
    """A small borough: two wards, a council with two directorates, funders, infrastructure, groups."""
    g = nx.MultiDiGraph(authority_gss="E09000018")
    node(g, "LA", "LocalAuthorityArea", "ons", gss_code="E09000018")
    for ward, score in (("W-rich", 8.0), ("W-poor", 40.0)):
        node(g, ward, "Ward", "ons", name=ward)
        node(g, f"L-{ward}", "LSOA", "ons", imd_score=score)
        edge(g, f"L-{ward}", ward, "PART_OF")
        edge(g, ward, "LA", "PART_OF")
    node(g, "council", "Council", "config")
    node(g, "asc", "Directorate", name="Adult Social Care", sector_champion="yes")
    node(g, "env", "Directorate", name="Environment", sector_champion="no")
    node(g, "kids", "Directorate", name="Children's Services")
    for unit in ("asc", "env", "kids"):
        edge(g, unit, "council", "PART_OF")
    node(g, "lottery", "Funder", "360giving", name="Lottery")
    node(g, "bridge", "Funder", "360giving", name="City Bridge")
    node(g, "cvs", "InfrastructureBody", name="CVS")
    node(g, "vc", "InfrastructureBody", name="Volunteer Centre")
    for function in ("volunteering", "capacity building", "representation"):
        node(g, f"F-{function}", "SupportFunction", name=function)
    edge(g, "cvs", "F-capacity building", "OFFERS_FUNCTION")
    edge(g, "cvs", "F-volunteering", "OFFERS_FUNCTION")
    edge(g, "vc", "F-volunteering", "OFFERS_FUNCTION")
    node(g, "national", "Charity", "ccew", name="National Charity", scale="national", income_band="major",
         latest_income=50e6)
    node(g, "local", "Charity", "ccew", name="Local Charity", income_band="small", latest_income=40_000.0)
    node(g, "club", "UnregisteredGroup", "workbook", name="Lunch Club")
    node(g, "choir", "Organisation", "hounslow-connect", name="Community Choir")
    node(g, "micro", "Charity", "ccew", name="Micro Charity", income_band="micro", latest_income=3_000.0)
    edge(g, "club", "W-poor", "LOCATED_IN")
    edge(g, "local", "W-rich", "LOCATED_IN")
    edge(g, "club", "cvs", "MEMBER_OF")
    edge(g, "micro", "bridge", "FUNDED_BY", currency="GBP", amount=2_000.0, award_date="2019-05-01")
    edge(g, "local", "lottery", "FUNDED_BY", currency="GBP", amount=9_000.0, award_date="2018-05-01")
    edge(g, "local", "bridge", "FUNDED_BY", currency="GBP", amount=1_000.0, award_date="2018-06-01")
    edge(g, "national", "asc", "COMMISSIONED_BY", mode="purchaser-provider")
    edge(g, "national", "kids", "COMMISSIONED_BY")
    edge(g, "asc", "cvs", "CO_PRODUCES_WITH")
    return g


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


def test_directorates_by_mode_with_the_reviews_warning_signs(borough: nx.MultiDiGraph) -> None:
    table = directorate_coproduction(borough).set_index("name")
    assert table.loc["Adult Social Care", "purchaser-provider"] == 1
    assert table.loc["Adult Social Care", "co-production"] == 1
    assert table.loc["Adult Social Care", "sector_champion"] == "yes"
    assert table.loc["Environment", "vcse_link"] == "unknown"  # no link recorded is not "no link"
    assert table.loc["Environment", "only_large_national"] == "unknown"
    assert table.loc["Children's Services", "only_large_national"] == "yes"
    assert table.loc["Children's Services", "sector_champion"] == "unknown"


def test_a_directorate_is_without_links_only_when_a_source_says_so(borough: nx.MultiDiGraph) -> None:
    borough.nodes["env"]["vcse_links"] = "no"
    assert directorate_coproduction(borough).set_index("name").loc["Environment", "vcse_link"] == "no"


def test_only_co_design_and_co_production_count_as_co_production(borough: nx.MultiDiGraph) -> None:
    node(borough, "cpu", "Team", name="CPU")
    node(borough, "forum", "Forum", name="VCSE Partnership")
    edge(borough, "cpu", "forum", "SUPPORTS")
    edge(borough, "cpu", "local", "PARTNERS_WITH")
    edge(borough, "cpu", "cvs", "CO_PRODUCES_WITH", mode="co-design")
    row = directorate_coproduction(borough).set_index("name").loc["CPU"]
    assert (row["infrastructure-support"], row["partnership"], row["co-production"]) == (1, 1, 1)
    assert row["coproduction_share"] == pytest.approx(1 / 3)


def test_duplicated_infrastructure_and_alliance(borough: nx.MultiDiGraph) -> None:
    pairs = duplicated_infrastructure(borough)
    assert pairs[["a_name", "b_name", "shared_functions"]].values.tolist() == [["CVS", "Volunteer Centre", "volunteering"]]
    assert pairs.loc[0, "functions_overlap"] == 0.5
    alliance = alliance_candidates(borough)
    assert alliance["name"].tolist() == ["CVS"]  # covers both offered functions; the volunteer centre only duplicates
    needed = alliance_candidates(borough, functions=["F-volunteering", "F-representation"])
    assert needed.attrs["uncovered"] == ["representation"]


def test_cut_points_bridges_and_what_if(borough: nx.MultiDiGraph) -> None:
    table = centrality_table(borough).set_index("id")
    assert table.loc["cvs", "cut_point"]  # the club reaches everyone through the CVS
    assert table.attrs["betweenness"] == "exact"
    assert not table.loc["club", "cut_point"]
    assert math.isclose(table.loc["local", "funding_gbp"], 10_000.0)
    cut = bridges(borough)
    assert ("cvs", "club") in set(zip(cut["source"], cut["target"])) | set(zip(cut["target"], cut["source"]))
    lost = what_if_removed(borough, "bridge").set_index("id")
    assert lost.loc["micro", "effect"] == "loses its only link in"
    assert "local" not in lost.index  # still funded by the Lottery
    with pytest.raises(LookupError):
        what_if_removed(borough, "nobody")
    assert what_if_removed(borough, "City Bridge").equals(lost.reset_index())  # by name as well as by id


def test_brokerage_and_funding_concentration(borough: nx.MultiDiGraph) -> None:
    roles = brokerage_roles(borough).set_index("id")
    # national -> Adult Social Care -> council (gatekeeper); national -> Adult Social Care -> CVS (itinerant)
    assert roles.loc["asc", ["gatekeeper", "itinerant", "total"]].tolist() == [1, 1, 2]
    concentration = funding_concentration(borough).set_index("id")
    assert concentration.loc["micro", "hhi"] == 1.0
    assert concentration.loc["local", "top_funder_share"] == pytest.approx(0.9)


def test_money_by_ward_band_funder_and_co_funding(borough: nx.MultiDiGraph) -> None:
    wards = funding_by_ward(borough).set_index("ward")
    assert wards.loc["W-rich", "amount_gbp"] == 10_000.0
    assert wards.loc["unknown", "amount_gbp"] == 2_000.0  # the micro charity is placed nowhere
    assert wards.loc["W-poor", "imd_rank_in_authority"] == 1
    assert funding_by_ward(borough, years=(2019, 2019))["amount_gbp"].sum() == 2_000.0
    bands = funding_by_income_band(borough).set_index("income_band")
    assert bands.loc["small", "share_of_amount"] == pytest.approx(10 / 12)
    funders = funding_by_funder(borough).set_index("funder_name")
    assert funders.loc["City Bridge", "recipients"] == 2
    pairs = co_funding(borough)
    assert pairs[["funder_a", "funder_b", "shared_recipients"]].values.tolist() == [["City Bridge", "Lottery", 1]]
    assert gini([1.0]) == 0.0 and gini([]) is None


def test_assets_contracts_forums_interlocks_and_gaps() -> None:
    g = nx.MultiDiGraph()
    node(g, "council", "Council")
    node(g, "hall", "Building", name="Hall")
    node(g, "depot", "Building", name="Depot")
    node(g, "club", "UnregisteredGroup", name="Club")
    node(g, "shop", "Business", name="Shop")
    edge(g, "council", "hall", "OWNS")
    edge(g, "council", "depot", "OWNS")
    edge(g, "club", "hall", "OCCUPIES", rent_terms="market")
    edge(g, "shop", "depot", "OCCUPIES", rent_terms="market")
    assert asset_use(g).set_index("name").loc["Hall", "vcse_users"] == 1
    assert asset_transfer_candidates(g)["name"].tolist() == ["Hall"]
    node(g, "old", "Contract", provider_count=30)
    node(g, "new", "Contract")
    for provider in ("a", "b"):
        node(g, provider, "Charity")
    edge(g, "new", "a", "AWARDED_TO")
    edge(g, "new", "old", "SUCCEEDS")
    edge(g, "new", "council", "COMMISSIONED_BY")
    [row] = contract_consolidation(g).to_dict("records")
    assert (row["providers_before"], row["providers_after"], row["consolidated"]) == (30, 1, "yes")
    node(g, "forum", "Forum", name="VCSE Partnership")
    node(g, "ceo", "Directorate", name="Chief Executive's")
    edge(g, "club", "forum", "MEMBER_OF")
    edge(g, "ceo", "forum", "MEMBER_OF", seniority="senior")
    [forum] = forum_representativeness(g).to_dict("records")
    assert forum["members"] == 2 and forum["council_senior"] == "yes"
    node(g, "P-1", "Person", pseudonym="P-1")
    edge(g, "P-1", "a", "TRUSTEE_OF")
    edge(g, "P-1", "b", "TRUSTEE_OF")
    assert board_interlocks(g)["pseudonyms"].tolist() == ["P-1"]
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


def test_every_answer_is_written_and_no_personal_names(borough: nx.MultiDiGraph, tmp_path: Path) -> None:
    answers = answer_all(borough)
    assert set(answers) == {a.key for a in ANSWERS}
    written = write_answers(answers, tmp_path, title="Test borough")
    assert {p.name for p in written} >= {"answers.md", "answers.xlsx", "01_below_the_radar_groups.csv"}
    text = (tmp_path / "answers.md").read_text()
    assert "## 12. Themes or needs with no provider in a ward" in text and "Lunch Club" in text


def test_authority_against_its_peers_per_head() -> None:

    from civicgraph.analysis.money import compare_authorities
    from civicgraph.loaders.threesixtygiving import grants_by_authority
    from civicgraph.pipeline.authorities import authority_table

    grants = grants_by_authority(Path(__file__).resolve().parents[2] / "data/360giving/london_powertochange_grants.json")
    assert len(grants) == 102 and grants["authority"].notna().all()
    table = compare_authorities(grants, authority_table(), focus="E09000018", peers=["E09000022", "E09000012"])
    assert set(table["name"]) == {"Hounslow", "Lambeth", "Hackney"}
    lambeth = table.set_index("name").loc["Lambeth"]
    assert lambeth["grants"] == 18
    assert lambeth["gbp_per_head"] == pytest.approx(grants.loc[grants["authority"] == "E09000022", "amount"].sum() / 321813)
    assert table.set_index("name").loc["Hounslow", "amount_gbp"] == 0.0


def test_need_against_reach_per_head_flags_the_deprived_ward_that_gets_least() -> None:
    g = nx.MultiDiGraph()
    g.add_node("F", kind="Funder", name="Funder")
    for ward, lsoas, imd, money in (("Rich", 2, 5.0, 9_000.0), ("Poor", 4, 40.0, 1_000.0)):
        g.add_node(ward, kind="Ward", name=ward, population=lsoas * 1_500,
                   population_basis=f"estimate: {lsoas * 5} of 30 output areas")
        for number in range(lsoas):
            lsoa = f"{ward}-{number}"
            g.add_node(lsoa, kind="LSOA", imd_score=imd)
            g.add_edge(lsoa, ward, relation="PART_OF")
        g.add_node(f"{ward}-org", kind="Charity", name=f"{ward} charity")
        g.add_edge(f"{ward}-org", ward, relation="LOCATED_IN")
        g.add_edge(f"{ward}-org", "F", relation="FUNDED_BY", amount=money, currency="GBP", award_date="2019-01-01")
    table = funding_by_ward(g).set_index("ward")
    assert table.loc["Poor", "population"] == 4 * 1_500
    assert table.loc["Poor", "population_basis"] == "estimate: 20 of 30 output areas"
    assert table.loc["Poor", "amount_per_head_gbp"] == round(1_000 / (4 * 1_500), 2)
    assert table.loc["Rich", "organisations_per_1000"] == round(1 / (2 * 1_500) * 1000, 2)
    assert table.loc["Poor", "need_reach_gap"] == 1  # most deprived, least funded per head
    assert table.loc["Rich", "need_reach_gap"] == -1


def test_a_ward_of_unknown_population_has_no_per_head_figure() -> None:
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Nowhere")
    g.add_node("o", kind="Charity")
    g.add_node("F", kind="Funder")
    g.add_edge("o", "W", relation="LOCATED_IN")
    g.add_edge("o", "F", relation="FUNDED_BY", amount=100.0, currency="GBP", award_date="2019-01-01")
    row = funding_by_ward(g).set_index("ward").loc["W"]
    assert row["population_basis"] == "unknown"
    assert pd.isna(row["population"]) and pd.isna(row["amount_per_head_gbp"])
