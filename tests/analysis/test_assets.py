"""Who uses the council's buildings, and which could pass to the community."""

from __future__ import annotations

import networkx as nx

from civicgraph.analysis.assets import asset_transfer_candidates, asset_use
from tests.analysis.ecosystem import edge, node


def test_council_buildings_used_by_groups_are_transfer_candidates() -> None:
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


def test_asset_answers_read_the_tables_alone() -> None:
    import pandas as pd

    from civicgraph.graph.frames import as_frames, derived
    g = nx.MultiDiGraph()
    node(g, "council", "Council", name="LBH")
    node(g, "W", "Ward", name="Bedfont")
    node(g, "hall", "Building", name="Hall")
    node(g, "field", "Land", name="Field")
    node(g, "club", "UnregisteredGroup", name="Club")
    node(g, "choir", "Organisation", name="Choir")
    edge(g, "council", "hall", "OWNS")
    edge(g, "hall", "W", "LOCATED_IN")
    edge(g, "club", "hall", "OCCUPIES", rent_terms="peppercorn")
    edge(g, "choir", "hall", "OCCUPIES")
    frames = as_frames(g)
    uses = asset_use(frames)
    pd.testing.assert_frame_equal(uses, asset_use(g))
    pd.testing.assert_frame_equal(asset_transfer_candidates(frames), asset_transfer_candidates(g))
    hall = uses.set_index("name").loc["Hall"]
    assert (hall["ward"], hall["owner"], hall["users"], hall["user_names"], hall["rent_terms"]) == \
        ("Bedfont", "LBH", 2, "Choir; Club", "Club: peppercorn")
    assert asset_transfer_candidates(frames)[["name", "concessionary"]].values.tolist() == [["Hall", "yes"]]
    assert "networkx" not in derived(frames)


def test_a_graph_without_buildings_has_no_asset_answers() -> None:
    from civicgraph.graph.frames import as_frames
    g = nx.MultiDiGraph()
    node(g, "club", "UnregisteredGroup", name="Club")
    for graph in (g, as_frames(g), nx.MultiDiGraph()):
        assert asset_use(graph).empty and asset_transfer_candidates(graph).empty
