"""GraphML written from the tables is the document networkx writes of the same graph."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import networkx as nx

from civicgraph.exports.formats import export_graph
from civicgraph.exports.graphml import flat_value
from civicgraph.graph.frames import derived, frames_to_graph
from tests.conftest import edges_out_of_networkx_order


def _written_by_networkx(graph: nx.MultiDiGraph, path: Path) -> Path:
    """How the export wrote GraphML before: networkx's writer on a copy with flat values."""
    flat = nx.MultiDiGraph(**{k: flat_value(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: flat_value(v) for k, v in data.items() if v is not None})
    for source, target, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **{k: flat_value(v) for k, v in data.items() if v is not None})
    nx.write_graphml(flat, path)
    return path


def _mixed(toy_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The toy graph with an attribute of two types, text to escape, and an edge table whose rows
    are not in networkx's order."""
    graph = toy_graph.copy()
    first, second = list(graph)[:2]
    graph.nodes[first]["latest_income"] = 12
    graph.nodes[second]["latest_income"] = 12.5
    graph.nodes[second]["name"] = 'Tom & "Jerry" <Club>\n\tLtd'
    graph.add_edge(second, first, key="late", relation="PARTNERS_WITH", note="a\x0bb", provenance=[])
    graph.add_edge(first, second, key="later", relation="PARTNERS_WITH", provenance=[])
    return graph


def test_graphml_from_tables_reads_back_as_networkx_wrote_it(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    frames = edges_out_of_networkx_order(_mixed(toy_graph))
    graph = frames_to_graph(frames)
    ours = export_graph(frames, "graphml", tmp_path / "ours.graphml")[0]
    assert "networkx" not in derived(frames)
    theirs = _written_by_networkx(graph, tmp_path / "theirs.graphml")
    read_ours, read_theirs = (nx.read_graphml(p, force_multigraph=True) for p in (ours, theirs))
    assert nx.utils.graphs_equal(read_ours, read_theirs)
    assert list(read_ours.edges(keys=True, data=True)) == list(read_theirs.edges(keys=True, data=True))
    assert read_ours.nodes[list(graph)[1]]["latest_income"] == 12.5
    keys = [[k.attrib for k in ElementTree.parse(p).getroot() if k.tag.endswith("key")] for p in (ours, theirs)]
    assert keys[0] == keys[1]
    assert {k["attr.type"] for k in keys[0] if k["attr.name"] == "latest_income"} == {"long", "double"}
    assert ElementTree.canonicalize(from_file=ours) == ElementTree.canonicalize(from_file=theirs)
