"""Brokerage roles from the tables agree with Gould and Fernandez's definition counted path by path."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

import networkx as nx
import pandas as pd
import pytest

from civicgraph.analysis.centrality import (
    BROKERAGE_ROLES,
    MEASURES,
    bridges,
    brokerage_roles,
    centrality,
    centrality_table,
    funding_concentration,
    what_if_removed,
)
from civicgraph.analysis.network import sector
from civicgraph.graph.frames import as_frames, derived


def _by_definition(graph: nx.MultiDiGraph) -> dict[str, Counter[str]]:
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target, data in graph.edges(data=True):
        if data["relation"] != "HAS_THEME" and source != target:
            successors[source].add(target)
    group = {n: sector(d["kind"]) for n, d in graph.nodes(data=True)}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in list(successors):
        for b in successors[a]:
            for c in successors.get(b, ()):
                if c == a or c in successors[a]:
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                counts[b]["coordinator" if ga == gb == gc else "itinerant" if ga == gc else
                          "gatekeeper" if gb == gc else "representative" if ga == gb else "liaison"] += 1
    return counts


def test_roles_match_the_definition_on_a_random_ecosystem() -> None:
    rng = random.Random(7)
    graph = nx.MultiDiGraph()
    kinds = ["Charity", "Funder", "Directorate", "NHSBody", "Business", "UnregisteredGroup"]
    for number in range(120):
        graph.add_node(f"o{number}", kind=rng.choice(kinds), name=f"O{number}")
    graph.add_node("t", kind="Theme", name="Theme")
    for _ in range(500):
        a, b = rng.sample(range(120), 2)
        graph.add_edge(f"o{a}", f"o{b}", relation=rng.choice(["FUNDED_BY", "MEMBER_OF", "PARTNERS_WITH"]))
    graph.add_edge("o1", "o1", relation="PARTNERS_WITH")  # a loop brokers nothing
    graph.add_edge("o1", "t", relation="HAS_THEME")  # a theme is not an organisation
    expected = _by_definition(graph)
    found = brokerage_roles(graph).set_index("id")
    assert set(found.index) == {n for n, c in expected.items() if sum(c.values())}
    for node, row in found.iterrows():
        assert [row[r] for r in BROKERAGE_ROLES] == [expected[node][r] for r in BROKERAGE_ROLES], node
        assert row["total"] == sum(expected[node].values())
    assert found["total"].is_monotonic_decreasing


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


def _same_answer(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(found, expected)
    assert found.attrs == expected.attrs


def test_tables_give_the_answers_the_networkx_graph_gives(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    for answer in (centrality_table, bridges, brokerage_roles, funding_concentration):
        _same_answer(answer(frames), answer(borough))
        _same_answer(answer(frames, between=("2018-01-01", "2018-12-31")), answer(borough, between=("2018-01-01", "2018-12-31")))
    _same_answer(centrality_table(frames, backend="igraph"), centrality_table(borough, backend="igraph"))


def test_what_if_removed_reads_the_tables_only(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    _same_answer(what_if_removed(frames, "bridge"), what_if_removed(borough, "bridge"))
    _same_answer(what_if_removed(frames, "cvs"), what_if_removed(borough, "cvs"))
    assert what_if_removed(frames, "cvs").set_index("id").loc["club", "effect"] == "cut off from the network"
    assert what_if_removed(frames, "W-poor").empty  # a place is in no one's links
    assert "networkx" not in derived(frames)
    assert what_if_removed(frames, "City Bridge").equals(what_if_removed(borough, "bridge"))


def test_single_measures_read_the_tables_only(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    for measure in MEASURES:
        for backend in ("networkx", "igraph"):
            assert centrality(frames, measure, backend=backend) == pytest.approx(
                centrality(borough, measure, backend=backend)), (measure, backend)
    assert centrality(frames, "betweenness", backend="networkx")["cvs"] > 0
    assert "networkx" not in derived(frames)
