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
