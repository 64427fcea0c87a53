"""Directorates' co-production by mode, and who sits on the forums."""

from __future__ import annotations

import networkx as nx
import pytest

from civicgraph.analysis.coproduction import directorate_coproduction, forum_representativeness
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
