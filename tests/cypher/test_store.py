"""The Cypher database is written from the graph's tables, and holds what the networkx graph gave."""

from __future__ import annotations

from pathlib import Path

import ladybug
import networkx as nx
import pytest

from civicgraph.cypher.neo4j_push import node_batches, relationship_batches
from civicgraph.cypher.store import write_database
from civicgraph.graph.frames import frames_to_graph
from tests.conftest import edges_out_of_networkx_order


def _contents(path: Path) -> dict[str, list]:
    connection = ladybug.Connection(ladybug.Database(path, read_only=True))
    found = {}
    for _, name, kind, *_ in connection.execute("CALL show_tables() RETURN *").get_all():
        query = (f"MATCH (n:{name}) RETURN n ORDER BY n.id" if kind == "NODE" else
                 f"MATCH (a)-[r:{name}]->(b) RETURN a.id, b.id, r ORDER BY r.key")
        found[name] = connection.execute(query).get_all()
    return found


def test_database_from_tables_holds_what_the_networkx_graph_gave(toy_graph: nx.MultiDiGraph, tmp_path: Path,
                                                                   request: pytest.FixtureRequest) -> None:
    frames = edges_out_of_networkx_order(toy_graph)
    graph = frames_to_graph(frames)
    from_graph = _contents(write_database(graph, tmp_path / "a"))
    request.getfixturevalue("no_networkx_graph")
    from_tables = _contents(write_database(frames, tmp_path / "b"))
    assert from_tables == from_graph
    assert sum(len(rows) for rows in from_tables.values()) == len(toy_graph) + toy_graph.number_of_edges()


def test_neo4j_batches_from_tables_are_those_of_the_networkx_graph(toy_graph: nx.MultiDiGraph) -> None:
    frames = edges_out_of_networkx_order(toy_graph)
    graph = frames_to_graph(frames)
    assert list(node_batches(frames, batch_size=7)) == list(node_batches(graph, batch_size=7))
    assert list(relationship_batches(frames, batch_size=7)) == list(relationship_batches(graph, batch_size=7))
