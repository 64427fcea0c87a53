"""The shared views of the graph (organisations, names, wards, the organisation network) are the same
read from the tables as from a networkx graph, and reading the tables makes no networkx graph."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from civicgraph.analysis.network import (
    is_organisation,
    name,
    names_of,
    neighbours,
    organisation_edges,
    organisation_network,
    organisation_nodes,
    organisation_positions,
    organisations,
    ward_index,
    ward_of,
)
from civicgraph.graph.frames import as_frames, derived
from tests.analysis.ecosystem import edge, node


def test_lookups_node_by_node_agree_on_tables_and_networkx(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    for node_id in borough:
        assert is_organisation(frames, node_id) == is_organisation(borough, node_id), node_id
        assert name(frames, node_id) == name(borough, node_id), node_id
        assert ward_of(frames, node_id) == ward_of(borough, node_id), node_id
        assert neighbours(frames, node_id) == neighbours(borough, node_id), node_id
        assert neighbours(frames, node_id, ["LOCATED_IN"]) == neighbours(borough, node_id, ["LOCATED_IN"]), node_id
    assert ward_of(frames, "club") == "W-poor"
    assert neighbours(frames, "cvs", ["MEMBER_OF", "CO_PRODUCES_WITH"]) == {"club", "asc"}
    assert "networkx" not in derived(frames)


def test_a_ward_through_an_occupied_building(borough: nx.MultiDiGraph) -> None:
    node(borough, "hall", "Building", name="Village Hall")
    edge(borough, "hall", "L-W-rich", "LOCATED_IN")
    edge(borough, "choir", "hall", "OCCUPIES")
    frames = as_frames(borough)
    assert ward_of(frames, "choir") == ward_of(borough, "choir") == "W-rich"
    assert ward_index(frames) == ward_index(borough)
    assert ward_index(frames)["choir"] == "W-rich"


def test_organisation_tables_agree_on_tables_and_networkx(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    pd.testing.assert_frame_equal(organisation_nodes(frames), organisation_nodes(borough))
    pd.testing.assert_frame_equal(organisation_edges(frames), organisation_edges(borough))
    assert (organisation_positions(frames) == organisation_positions(borough)).all()
    assert organisations(frames, ["funder"]) == organisations(borough, ["funder"]) == ["lottery", "bridge"]
    assert names_of(frames, pd.Series(["club", "LA"])).tolist() == ["Lunch Club", "LA"]
    simple = organisation_network(frames)
    assert nx.utils.graphs_equal(simple, organisation_network(borough))
    assert simple.edges["local", "lottery"] == {"weight": 9_000.0, "links": 1, "relations": {"FUNDED_BY"}}
    assert "W-poor" not in simple  # places are not organisations
    assert "networkx" not in derived(frames)


def test_organisation_tables_are_made_once_per_set_of_tables(borough: nx.MultiDiGraph) -> None:
    frames = as_frames(borough)
    assert organisation_edges(frames) is organisation_edges(frames)
    assert organisation_edges(borough) is not organisation_edges(borough)  # a networkx graph is read as it is now
