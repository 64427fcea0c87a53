"""Saving and loading a graph is exact, checked, and atomic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import pytest

from graph.errors import GraphStoreError
from graph.store import atomic_directory, load_graph, save_graph


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_save_and_load_round_trip_every_kind_and_relation(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    loaded = load_graph(save_graph(toy_graph, tmp_path / "graph"))
    assert nx.utils.graphs_equal(loaded, toy_graph)
    assert dict(loaded.nodes(data=True)) == dict(toy_graph.nodes(data=True))
    assert sorted(loaded.edges(keys=True, data=True)) == sorted(toy_graph.edges(keys=True, data=True))
    assert isinstance(loaded.nodes["LSOA-1"]["code_generation"], int)
    assert loaded.nodes["Charity-1"]["other_names"] == ["Feltham Chaplaincy", "FCCT"]


def test_damaged_table_is_detected(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    folder = save_graph(toy_graph, tmp_path / "graph")
    with (folder / "edges.parquet").open("ab") as handle:
        handle.write(b"garbage")
    with pytest.raises(GraphStoreError, match="checksum"):
        load_graph(folder)


def test_folder_without_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GraphStoreError, match="no saved graph here"):
        load_graph(tmp_path)


def test_failed_write_leaves_previous_graph_byte_for_byte(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    folder = save_graph(toy_graph, tmp_path / "graph")
    before = _digest(folder)
    with pytest.raises(RuntimeError), atomic_directory(folder) as staging:
        (staging / "nodes.parquet").write_bytes(b"half written")
        raise RuntimeError("disk full")
    assert _digest(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph"]  # no staging folder left behind
