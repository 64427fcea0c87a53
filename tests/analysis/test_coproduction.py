"""Directorates' co-production by mode, and who sits on the forums."""

from __future__ import annotations

import networkx as nx
import pytest
from pandas.testing import assert_frame_equal

from civicgraph.analysis.coproduction import directorate_coproduction, forum_representativeness
from civicgraph.graph.frames import as_frames, derived
from tests.analysis.ecosystem import edge, node


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


def test_a_forum_counts_its_members_and_the_councils_seniority() -> None:
    g = nx.MultiDiGraph()
    node(g, "club", "UnregisteredGroup", name="Club")
    node(g, "forum", "Forum", name="VCSE Partnership")
    node(g, "ceo", "Directorate", name="Chief Executive's")
    edge(g, "club", "forum", "MEMBER_OF")
    edge(g, "ceo", "forum", "MEMBER_OF", seniority="senior")
    [forum] = forum_representativeness(g).to_dict("records")
    assert forum["members"] == 2 and forum["council_senior"] == "yes"


@pytest.mark.parametrize("period", [{}, {"as_of": "2017-12-31"}, {"between": ("2019-01-01", "2020-12-31")}])
def test_directorates_from_the_tables_are_the_answer_from_networkx(borough: nx.MultiDiGraph, period: dict) -> None:
    borough.graph["data_dates"] = {"directory": "2021-02-10"}
    node(borough, "contract", "Contract", name="Day care")
    edge(borough, "contract", "asc", "COMMISSIONED_BY", date="2018-04-01")
    edge(borough, "contract", "local", "AWARDED_TO", date="2018-04-01")
    edge(borough, "env", "choir", "PARTNERS_WITH", start_date="2019-02-01", end_date="2019-12-31")
    edge(borough, "micro", "kids", "CHAMPION_FOR")
    frames = as_frames(borough)
    from_frames = directorate_coproduction(frames, **period)
    from_graph = directorate_coproduction(borough, **period)
    assert_frame_equal(from_frames, from_graph)
    assert from_frames.attrs == from_graph.attrs
    assert "networkx" not in derived(frames)


def test_a_contract_counts_its_provider_in_the_period_it_was_let(borough: nx.MultiDiGraph) -> None:
    node(borough, "contract", "Contract", name="Day care")
    edge(borough, "contract", "env", "COMMISSIONED_BY", date="2018-04-01")
    edge(borough, "contract", "local", "AWARDED_TO", date="2018-04-01")
    frames = as_frames(borough)
    assert directorate_coproduction(frames, as_of="").set_index("name").loc["Environment", "evidence"] == \
        "purchaser-provider: Local Charity"
    before = directorate_coproduction(frames, as_of="2017-12-31")
    assert before.set_index("name").loc["Environment", "vcse_link"] == "unknown"
    assert before.attrs["left out"] == "1 links of directorates and teams dated outside the period"


def test_forums_from_the_tables_are_the_answer_from_networkx(borough: nx.MultiDiGraph) -> None:
    node(borough, "forum", "Forum", name="VCSE Partnership")
    for member, seniority in (("club", None), ("national", None), ("asc", "senior"), ("kids", "officer")):
        edge(borough, member, "forum", "MEMBER_OF", **({"seniority": seniority} if seniority else {}))
    frames = as_frames(borough)
    [forum] = forum_representativeness(frames).to_dict("records")
    assert_frame_equal(forum_representativeness(frames), forum_representativeness(borough))
    assert (forum["members"], forum["large_members"], forum["council_senior"]) == (4, 1, "yes")
    assert forum["by_ward"] == "W-poor 1, unknown 3"
    assert "networkx" not in derived(frames)
