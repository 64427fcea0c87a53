"""The graph as tables: choosing part of it keeps every table consistent."""

from __future__ import annotations

import networkx as nx
import numpy as np

from civicgraph.graph.frames import as_frames, frames_to_graph, select


def _sourced(dataset: str) -> list[dict[str, str]]:
    return [{"dataset": dataset, "record": f"{dataset} row", "date": "", "licence": "x"}]


def test_selected_rows_keep_their_sources_and_conflicts_and_drop_edges_to_nodes_left_out() -> None:
    g = nx.MultiDiGraph(authority_gss="E09000018")
    for node in ("a", "b", "c"):
        g.add_node(node, kind="Charity", name=node.upper(), provenance=_sourced(node), field_provenance={"name": [0]},
                   conflicts=[{"field": "name", "kept": node.upper(), "kept_from": _sourced(node),
                               "other": f"{node} ltd", "other_from": _sourced("dir")[0]}])
    g.add_edge("a", "b", key="ab", relation="PARTNERS_WITH", provenance=_sourced("ab"))
    g.add_edge("b", "c", key="bc", relation="PARTNERS_WITH", provenance=_sourced("bc"))
    g.add_edge("c", "c", key="cc", relation="SUPPORTS", provenance=_sourced("cc"))
    part = select(as_frames(g), np.array([False, True, True]), np.array([True, True, False]))
    expected = g.subgraph(["b", "c"]).copy()
    expected.remove_edge("c", "c", key="cc")
    assert nx.utils.graphs_equal(frames_to_graph(part), expected)
    assert part.node_sources["node"].tolist() == [0, 1] and part.conflicts["node"].tolist() == [0, 1]
    assert part.edge_sources[["edge", "record"]].values.tolist() == [[0, "bc row"]]
    assert part.attributes == {"authority_gss": "E09000018"}
