"""Status and time: who was active when, and the period answers take."""

from __future__ import annotations

import networkx as nx

from civicgraph.analysis.centrality import centrality_table
from civicgraph.analysis.coproduction import directorate_coproduction
from civicgraph.analysis.gaps import below_the_radar_groups
from civicgraph.analysis.money import funding_by_ward
from civicgraph.analysis.period import active_graph, activity, default_as_of


def _broker_graph() -> nx.MultiDiGraph:
    """A charity merged away in 2016 joins two groups to a funder; its successor has no links."""
    g = nx.MultiDiGraph(data_dates={"directory": "2021-02-10", "grants": "2015-11-02"})
    g.add_node("GB-CHC-1", kind="Charity", name="Old charity", status="Removed")
    g.add_node("GB-CHC-2", kind="Charity", name="Successor")
    g.add_node("f", kind="Funder", name="Funder")
    for group in ("a", "b"):
        g.add_node(group, kind="UnregisteredGroup", name=group.upper())
        g.add_edge(group, "GB-CHC-1", relation="MEMBER_OF")
    g.add_edge("GB-CHC-1", "f", relation="FUNDED_BY", amount=1000.0, date="2012-01-01")
    g.add_edge("GB-CHC-2", "GB-CHC-1", relation="SUCCEEDS", date="2016-07-21")
    return g


def test_a_charity_merged_away_is_no_broker_after_its_merger() -> None:
    g = _broker_graph()
    later = centrality_table(g)
    assert "GB-CHC-1" not in set(later["id"])
    assert later.attrs["period"].startswith("as of 2021-02-10") and later.attrs["left out"].startswith("1 ")
    earlier = centrality_table(g, as_of="2014-01-01").set_index("id")
    assert bool(earlier.loc["GB-CHC-1", "cut_point"])


def test_an_empty_period_keeps_everyone() -> None:
    assert "GB-CHC-1" in set(centrality_table(_broker_graph(), as_of="")["id"])


def test_the_default_period_is_the_latest_data_date() -> None:
    assert default_as_of(_broker_graph()) == "2021-02-10"
    assert default_as_of(nx.MultiDiGraph()) == ""


def test_removed_without_a_date_is_ended_in_any_period() -> None:
    g = nx.MultiDiGraph()
    g.add_node("x", kind="Charity", status="Removed")
    assert activity(g, "x", "2000-01-01") == (False, "Removed (date not given)")


def test_registered_after_the_period_is_not_yet_active() -> None:
    g = nx.MultiDiGraph()
    g.add_node("x", kind="Charity", registration_date="2019-05-01")
    assert activity(g, "x", "2018-01-01") == (False, "registered only on 2019-05-01")
    assert activity(g, "x", "2020-01-01") == (True, "")


def test_no_status_and_no_dates_is_active() -> None:
    g = nx.MultiDiGraph()
    g.add_node("x", kind="UnregisteredGroup")
    assert active_graph(g, "2021-01-01")[0] is g


def test_a_proposed_body_is_not_below_the_radar() -> None:
    g = nx.MultiDiGraph()
    g.add_node("LOCAL-X-bid", kind="UnregisteredGroup", name="Proposed group", status="proposed",
               provenance=[{"dataset": "workbook:x"}])
    groups = below_the_radar_groups(g, as_of="2021-01-01")
    assert groups.empty and groups.attrs["left out"].endswith("1 not active in the period")


def test_between_keeps_who_was_active_then_and_relations_dated_in_it() -> None:
    g = _broker_graph()
    g.add_edge("a", "f", relation="FUNDED_BY", amount=50.0, date="2019-03-01")
    table = centrality_table(g, between=("2010-01-01", "2015-12-31")).set_index("id")
    assert bool(table.loc["GB-CHC-1", "cut_point"])  # merged in 2016: active in the period
    assert table.loc["a", "degree"] == 1  # its 2019 grant is outside the period
    assert table.attrs["period"].startswith("between 2010-01-01 and 2015-12-31")
    later = centrality_table(g, between=("2017-01-01", "2021-12-31")).set_index("id")
    assert "GB-CHC-1" not in later.index and later.loc["a", "degree"] == 1


def test_as_of_and_between_together_is_an_error() -> None:
    import pytest
    with pytest.raises(ValueError, match="as_of or between"):
        below_the_radar_groups(_broker_graph(), as_of="2020-01-01", between=("2010-01-01", "2015-12-31"))


def test_a_period_keeps_or_drops_each_relation_by_its_own_date_or_span() -> None:
    g = nx.MultiDiGraph(data_dates={"directory": "2021-02-10"})
    for node, kind in (("a", "Charity"), ("p", "Charity"), ("hall", "Building"), ("W", "Ward")):
        g.add_node(node, kind=kind)
    g.add_edge("a", "hall", relation="OCCUPIES", date="2021-02-10")  # a 2021 directory
    g.add_edge("a", "W", relation="LOCATED_IN", date="2018-10-01")  # stated in a 2018 review
    g.add_edge("a", "p", relation="MEMBER_OF", start_date="2012-04-01", end_date="2016-07-21")
    g.add_edge("a", "p", relation="PARTNERS_WITH", start_date="2019-01-01")
    g.add_edge("a", "p", relation="SUPPORTS")  # no date: always kept

    def kept(**period: str) -> set[str]:
        return {d["relation"] for _, _, d in active_graph(g, period.pop("as_of"), **period)[0].edges(data=True)}
    assert kept(as_of="2015-12-31", start="2010-01-01") == {"MEMBER_OF", "SUPPORTS"}
    assert kept(as_of="2018-12-31", start="2016-01-01") == {"MEMBER_OF", "LOCATED_IN", "SUPPORTS"}
    assert kept(as_of="2021-02-10") == {"OCCUPIES", "LOCATED_IN", "PARTNERS_WITH", "SUPPORTS"}
    assert kept(as_of="") == {"OCCUPIES", "LOCATED_IN", "MEMBER_OF", "PARTNERS_WITH", "SUPPORTS"}


def _money_and_links() -> nx.MultiDiGraph:
    """Two grants to a group in one ward (2012 and 2019); a directorate that commissioned a charity
    in 2013 and co-produced with the group from 2020."""
    g = nx.MultiDiGraph(data_dates={"grants": "2019-06-01", "workbook": "2021-02-10"})
    g.add_node("W", kind="Ward", name="Feltham West")
    g.add_node("g", kind="UnregisteredGroup", name="Group")
    g.add_node("c", kind="Charity", name="Charity")
    g.add_node("f", kind="Funder", name="Funder")
    g.add_node("d", kind="Directorate", name="Adult Social Care")
    g.add_edge("g", "W", relation="LOCATED_IN")
    g.add_edge("g", "f", relation="FUNDED_BY", amount=100.0, currency="GBP", award_date="2012-05-30", grant="G1")
    g.add_edge("g", "f", relation="FUNDED_BY", amount=40.0, currency="GBP", award_date="2019-01-10", grant="G2")
    g.add_edge("c", "d", relation="PAID_BY", amount=900.0, currency="GBP", date="2013-03-01")
    g.add_edge("g", "d", relation="CO_PRODUCES_WITH", start_date="2020-01-01")
    return g


def test_funding_by_ward_counts_only_the_grants_of_its_period() -> None:
    g = _money_and_links()
    amounts = {label: funding_by_ward(g, **period).set_index("ward").loc["W", "amount_gbp"]
               for label, period in {"default": {}, "2010s": {"between": ("2010-01-01", "2015-12-31")},
                                     "2018": {"as_of": "2018-12-31"}, "none": {"as_of": ""}}.items()}
    assert amounts == {"default": 140.0, "2010s": 100.0, "2018": 100.0, "none": 140.0}
    later = funding_by_ward(g, between=("2016-01-01", "2021-12-31"))
    assert later.attrs["period"].startswith("between 2016-01-01 and 2021-12-31")
    assert later.attrs["left out"] == "1 grants dated outside the period"
    assert funding_by_ward(g).attrs["period"].startswith("as of 2021-02-10")


def test_directorate_coproduction_counts_only_the_links_of_its_period() -> None:
    g = _money_and_links()

    def modes(**period: object) -> tuple[int, int]:
        row = directorate_coproduction(g, **period).set_index("id").loc["d"]
        return int(row["purchaser-provider"]), int(row["co-production"])
    assert modes() == (1, 1)
    assert modes(between=("2010-01-01", "2015-12-31")) == (1, 0)
    assert modes(between=("2020-06-01", "2021-12-31")) == (0, 1)
    assert modes(as_of="2019-12-31") == (1, 0)
    table = directorate_coproduction(g, between=("2020-06-01", "2021-12-31"))
    assert table.attrs["period"].startswith("between 2020-06-01 and 2021-12-31")
    assert table.attrs["left out"] == "1 links of directorates and teams dated outside the period"


def _workshop_link(**link: str) -> nx.MultiDiGraph:
    """A directorate and a group the 2018 workshop said co-produce."""
    g = nx.MultiDiGraph(data_dates={"workbook": "2018-10-01", "directory": "2021-02-10"})
    g.add_node("d", kind="Directorate", name="Adult Social Care")
    g.add_node("g", kind="UnregisteredGroup", name="Group")
    g.add_edge("g", "d", relation="CO_PRODUCES_WITH", date="2018-10-01", **link)
    return g


def _coproduction(g: nx.MultiDiGraph, **period: object) -> int:
    return int(directorate_coproduction(g, **period).set_index("id").loc["d", "co-production"])


def test_a_link_stated_in_2018_holds_in_2020_21_until_an_end() -> None:
    year = {"between": ("2020-04-01", "2021-03-31")}
    assert _coproduction(_workshop_link(), **year) == 1
    assert _coproduction(_workshop_link(), as_of="2017-12-31") == 0  # not yet observed
    assert _coproduction(_workshop_link(end_date="2019-12-31"), **year) == 0  # the source gives its end
    table = directorate_coproduction(_workshop_link(), **year)
    assert "until an end the source gives or an organisation it links ends" in table.attrs["dating"]


def test_a_stated_link_ends_when_its_organisation_ends() -> None:
    g = _workshop_link()
    g.nodes["g"].update(status="Removed", removal_date="2019-06-30")
    assert _coproduction(g, between=("2020-04-01", "2021-03-31")) == 0
    assert _coproduction(g, between=("2018-04-01", "2019-03-31")) == 1


def test_a_grant_or_payment_counts_only_in_the_period_of_its_date() -> None:
    g = _money_and_links()
    row = directorate_coproduction(g, between=("2020-04-01", "2021-03-31")).set_index("id").loc["d"]
    assert int(row["purchaser-provider"]) == 0  # the 2013 payment is an event, not a standing relation


def test_every_money_answer_counts_only_the_grants_of_its_period() -> None:
    from civicgraph.analysis.centrality import funding_concentration
    from civicgraph.analysis.money import co_funding, funding_by_funder, funding_by_income_band
    g = _money_and_links()
    g.add_node("h", kind="Funder", name="Other funder")
    g.add_edge("g", "h", relation="FUNDED_BY", amount=10.0, currency="GBP", award_date="2019-02-01", grant="G3")
    early = {"between": ("2010-01-01", "2015-12-31")}
    assert funding_by_funder(g, **early)["grants"].sum() == 1 and funding_by_funder(g)["grants"].sum() == 3
    assert funding_by_income_band(g, **early)["amount_gbp"].sum() == 100.0
    assert co_funding(g, **early).empty and len(co_funding(g)) == 1
    assert funding_concentration(g, **early).iloc[0]["funders"] == 1
    for table in (funding_by_funder(g, **early), co_funding(g, **early), funding_concentration(g, **early)):
        assert table.attrs["period"].startswith("between 2010-01-01 and 2015-12-31")
        assert table.attrs["left out"] == "2 grants dated outside the period"


def test_a_charity_merged_away_bridges_nothing_and_brokers_nothing_after_its_merger() -> None:
    from civicgraph.analysis.centrality import bridges, brokerage_roles
    g = _broker_graph()
    assert "GB-CHC-1" in set(bridges(g, as_of="2014-01-01")["source"]) | set(bridges(g, as_of="2014-01-01")["target"])
    later = bridges(g)
    assert "GB-CHC-1" not in set(later["source"]) | set(later["target"])
    assert later.attrs["period"].startswith("as of 2021-02-10")
    assert "GB-CHC-1" in set(brokerage_roles(g, as_of="2014-01-01")["id"])
    assert "GB-CHC-1" not in set(brokerage_roles(g)["id"])


def test_a_period_of_the_tables_is_tables_with_sources_renumbered() -> None:
    from civicgraph.analysis.period import relations_in_period
    from civicgraph.graph.frames import GraphFrames, as_frames, derived
    g = _broker_graph()
    g.nodes["GB-CHC-2"]["provenance"] = [{"dataset": "ccew", "record": "row 2", "date": "", "licence": "x"}]
    g.edges["GB-CHC-2", "GB-CHC-1", 0]["provenance"] = [{"dataset": "ccew", "record": "row 9", "date": "", "licence": "x"}]
    frames = as_frames(g)
    kept, left_out = active_graph(frames, "2021-02-10")
    assert isinstance(kept, GraphFrames) and left_out == {"GB-CHC-1": "Removed on 2016-07-21"}
    assert kept.nodes["id"].tolist() == [n for n in active_graph(g, "2021-02-10")[0]]
    assert kept.edges.empty and kept.edge_sources.empty  # every relation touched the charity merged away
    assert kept.node_sources[["node", "record"]].values.tolist() == [[kept.nodes["id"].tolist().index("GB-CHC-2"), "row 2"]]
    assert active_graph(frames, "")[0] is frames  # no period: nothing left out
    grants, outside = relations_in_period(frames, "2011-12-31", relations=frozenset({"FUNDED_BY"}))
    assert outside == 1 and "FUNDED_BY" not in set(grants.edges["relation"])
    assert "networkx" not in derived(frames)


def test_the_period_answers_of_the_tables_are_those_of_the_graph() -> None:
    from civicgraph.graph.frames import as_frames, derived
    g = _money_and_links()
    frames = as_frames(g)
    for period in ({}, {"between": ("2010-01-01", "2015-12-31")}, {"as_of": "2018-12-31"}, {"as_of": ""}):
        assert funding_by_ward(frames, **period).equals(funding_by_ward(g, **period))
    g.add_node("old", kind="Charity", status=" Removed ", registration_date="2001-02-03T00:00:00")
    g.add_edge("c", "old", relation="SUCCEEDS", date="2016-07-21")
    g.add_edge("g", "old", relation="SUCCEEDS", date="2014-01-05")
    frames = as_frames(g)
    for as_of, start in (("2021-01-01", ""), ("2015-12-31", "2014-06-01"), ("2000-01-01", ""), ("", "")):
        assert [activity(frames, n, as_of, start=start) for n in g] == [activity(g, n, as_of, start=start) for n in g]
    assert activity(frames, "old", "2021-01-01") == (False, "Removed on 2014-01-05")
    assert default_as_of(frames) == "2021-02-10"
    assert "networkx" not in derived(frames)
