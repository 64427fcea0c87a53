"""Saving and loading a graph is exact, checked, and atomic."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import networkx as nx
import pytest

from graph.errors import GraphStoreError
from graph.store import atomic_directory, canonical_json, load_graph, save_graph


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


def test_canonical_json_is_exactly_the_standard_librarys_text() -> None:
    rng = random.Random(0)
    leaves = [1, -2, 1.5, 1e16, 0.1 + 0.2, "é", 'a"b', None, True, False, "", 2**70, float("nan"), (1, "x")]

    def value(depth: int = 0) -> object:
        draw = rng.random()
        if depth > 3 or draw < 0.3:
            return rng.choice(leaves)
        if draw < 0.6:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {rng.choice(["a", "b", "é", 3]) if draw > 0.95 else rng.choice("abcé"): value(depth + 1)
                for _ in range(rng.randrange(4))}

    for _ in range(5_000):
        item = value()
        try:
            expected = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except TypeError:  # int and str keys together cannot be sorted
            with pytest.raises(TypeError):
                canonical_json(item)
            continue
        assert canonical_json(item) == expected
