"""The igraph backend gives the same centrality measures as networkx; bridges' sides are right."""

from __future__ import annotations

import random

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from civicgraph.analysis.centrality import bridges, centrality, centrality_table
from civicgraph.analysis.fast import constraint, organisation_igraph
from civicgraph.analysis.network import organisation_network
from civicgraph.graph.frames import as_frames, derived


@pytest.fixture
def sparse_ecosystem() -> nx.MultiDiGraph:
    """300 organisations of three sectors with 330 random ties: many components, bridges, cut points."""
    rng = random.Random(1)
    graph = nx.MultiDiGraph()
    for number in range(300):
        graph.add_node(str(number), kind=rng.choice(["Charity", "Funder", "Directorate"]), name=str(number))
    for _ in range(330):
        a, b = rng.randrange(300), rng.randrange(300)
        if a != b:
            graph.add_edge(str(a), str(b), relation="PARTNERS_WITH", amount=float(rng.randint(0, 9)))
    return graph


def test_igraph_and_networkx_agree(sparse_ecosystem: nx.MultiDiGraph) -> None:
    slow = centrality_table(sparse_ecosystem, backend="networkx").set_index("id")
    fast = centrality_table(sparse_ecosystem, backend="igraph").set_index("id").loc[slow.index]
    for measure in ("betweenness", "eigenvector", "constraint"):
        assert np.allclose(slow[measure], fast[measure], equal_nan=True, atol=1e-9), measure
    assert np.allclose(slow["pagerank"], fast["pagerank"], atol=1e-4)
    assert (slow["cut_point"] == fast["cut_point"]).all()
    assert fast["community"].nunique() > 1


def test_sampled_betweenness_estimates_the_exact_value(sparse_ecosystem: nx.MultiDiGraph) -> None:
    exact = centrality_table(sparse_ecosystem, backend="igraph").set_index("id")["betweenness"]
    estimates = [centrality_table(sparse_ecosystem, backend="igraph", betweenness_sample=150, seed=s)
                 .set_index("id")["betweenness"] for s in range(20)]
    mean = sum(estimates) / len(estimates)
    top = exact.idxmax()
    assert mean[top] == pytest.approx(exact[top], rel=0.1)
    assert "sampled from 150 sources" in centrality_table(sparse_ecosystem, betweenness_sample=150).attrs["betweenness"]


def test_single_measure_matches_the_table(sparse_ecosystem: nx.MultiDiGraph) -> None:
    table = centrality_table(sparse_ecosystem).set_index("id")
    assert centrality(sparse_ecosystem, "pagerank", backend="igraph") == pytest.approx(table["pagerank"].to_dict(), abs=1e-4)
    with pytest.raises(ValueError, match="Use one of: auto, networkx, igraph"):
        centrality_table(sparse_ecosystem, backend="rustworkx")


def test_bridge_sides_match_cutting_each_bridge(sparse_ecosystem: nx.MultiDiGraph) -> None:
    simple = organisation_network(sparse_ecosystem)
    table = bridges(sparse_ecosystem)
    assert len(table) > 20
    for row in table.itertuples():
        cut = simple.copy()
        cut.remove_edge(row.source, row.target)
        sides = (len(nx.node_connected_component(cut, row.source)), len(nx.node_connected_component(cut, row.target)))
        assert row.cut_off == min(sides)


def test_constraint_with_hubs_left_out_matches_networkx_elsewhere() -> None:
    simple = nx.barabasi_albert_graph(400, 3, seed=2)
    simple.add_edges_from((0, v) for v in range(5, 400, 3))  # one hub tied to a third of the graph
    expected = nx.constraint(simple)
    found = constraint(igraph.Graph.from_networkx(simple), max_degree=40)
    degree = dict(simple.degree())
    assert sum(d > 40 for d in degree.values()) >= 2
    for vertex, value in enumerate(found):
        if degree[vertex] > 40:
            assert np.isnan(value)
        else:
            assert value == pytest.approx(expected[vertex], abs=1e-12), vertex


def test_igraph_projection_is_made_once_from_the_tables(sparse_ecosystem: nx.MultiDiGraph) -> None:
    frames = as_frames(sparse_ecosystem)
    fast, ids = organisation_igraph(frames)
    assert organisation_igraph(frames)[0] is fast
    assert ids == organisation_igraph(sparse_ecosystem)[1]
    assert fast.get_edgelist() == organisation_igraph(sparse_ecosystem)[0].get_edgelist()
    assert centrality(frames, "eigenvector", backend="igraph") == centrality(sparse_ecosystem, "eigenvector", backend="igraph")
    assert "networkx" not in derived(frames)
    pd.testing.assert_frame_equal(centrality_table(frames, backend="igraph", betweenness_sample=150),
                                  centrality_table(sparse_ecosystem, backend="igraph", betweenness_sample=150))
    pd.testing.assert_frame_equal(bridges(frames), bridges(sparse_ecosystem))
