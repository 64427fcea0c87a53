"""Saving and loading a graph is exact, checked, and atomic."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest

from civicgraph.core.errors import GraphStoreError
from civicgraph.graph.assemble import assemble_graph
from civicgraph.graph.frames import EDGE_TABLE_COLUMNS, NODE_TABLE_COLUMNS, graph_to_frames
from civicgraph.graph.store import atomic_directory, canonical_json, json_texts, load_frames, load_graph, save_graph
from civicgraph.loaders.base import RecordSink
from civicgraph.pipeline.helper_process import start_in_helper

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_save_and_load_round_trip_every_kind_and_relation(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    loaded = load_graph(save_graph(toy_graph, tmp_path / "graph"))
    assert nx.utils.graphs_equal(loaded, toy_graph)
    assert dict(loaded.nodes(data=True)) == dict(toy_graph.nodes(data=True))
    assert sorted(loaded.edges(keys=True, data=True)) == sorted(toy_graph.edges(keys=True, data=True))
    assert isinstance(loaded.nodes["LSOA-1"]["code_generation"], int)
    assert loaded.nodes["Charity-1"]["other_names"] == ["Feltham Chaplaincy", "FCCT"]


def test_attribute_types_survive_the_round_trip(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    empty = {"provenance": [], "field_provenance": {}, "conflicts": []}
    graph.add_node("a", kind="Charity", **empty, latest_income=1, code="A1", open_call=True,
                   income_history=[["2020-03-31", 1000.5, 900]], sic_codes=["88990"])
    graph.add_node("b", kind="Charity", **empty, latest_income=2.5, code=7, open_call=False, sic_codes=[1, "x"])
    graph.add_node("c", kind="Ward", **empty)
    loaded = load_graph(save_graph(graph, tmp_path / "graph"))
    for node in graph:
        assert loaded.nodes[node] == graph.nodes[node]
        assert {k: type(v) for k, v in loaded.nodes[node].items()} == {k: type(v) for k, v in graph.nodes[node].items()}


def test_typed_columns_are_typed_in_parquet(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    table = pq.read_table(save_graph(toy_graph, tmp_path / "graph") / "nodes.parquet")
    assert str(table.schema.field("latest_income").type) == "double"
    assert str(table.schema.field("code_generation").type) == "int64"
    assert str(table.schema.field("other_names").type.value_type) == "large_string"
    provenance = table.column("provenance").to_pylist()[table.column("id").to_pylist().index("Charity-1")]
    assert provenance[0]["record"].startswith("row ") and "other_names" in provenance[0]["fields"].split()


def test_graph_saved_in_format_version_1_still_loads(toy_graph: nx.MultiDiGraph) -> None:
    loaded = load_graph(FIXTURES / "store_v1" / "graph")
    assert dict(loaded.nodes(data=True)) == dict(toy_graph.nodes(data=True))
    assert sorted(loaded.edges(keys=True, data=True)) == sorted(toy_graph.edges(keys=True, data=True))
    assert len(load_frames(FIXTURES / "store_v1" / "graph").nodes) == toy_graph.number_of_nodes()


def test_tables_and_networkx_agree(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    frames = load_frames(save_graph(toy_graph, tmp_path / "graph"))
    expected = graph_to_frames(toy_graph)
    assert frames.nodes["id"].tolist() == expected.nodes["id"].tolist()
    assert frames.node_sources["record"].tolist() == expected.node_sources["record"].tolist()
    assert frames.edge_sources["edge"].tolist() == expected.edge_sources["edge"].tolist()


def _graph_with_a_conflict() -> nx.MultiDiGraph:
    register, directory = RecordSink("ccew", Path("ccew.csv")), RecordSink("directory", Path("directory.csv"))
    register.node("GB-CHC-1", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"), name="Age UK Hounslow")
    directory.node("GB-CHC-1", "Charity", directory.provenance("row 9", "", "none"), name="Age Concern Hounslow")
    directory.node("GB-CHC-2", "Charity", directory.provenance("row 10", "", "none"), name="Hounslow Gurdwara")
    directory.edge("GB-CHC-2", "GB-CHC-1", "PARTNERS_WITH", directory.provenance("row 10", "", "none"))
    graph, _ = assemble_graph([register.result(), directory.result()])
    return graph


@pytest.mark.parametrize("saved_now", [True, False], ids=["format 2", "format 1"])
def test_tables_without_attributes_are_the_tables_less_their_attribute_columns(
        saved_now: bool, toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    graph = _graph_with_a_conflict() if saved_now else toy_graph
    folder = save_graph(graph, tmp_path / "graph") if saved_now else FIXTURES / "store_v1" / "graph"
    full, bare = load_frames(folder), load_frames(folder, attributes=False)
    assert len(full.nodes.columns) > len(NODE_TABLE_COLUMNS)
    pd.testing.assert_frame_equal(bare.nodes, full.nodes[NODE_TABLE_COLUMNS])
    pd.testing.assert_frame_equal(bare.edges, full.edges[EDGE_TABLE_COLUMNS])
    for name in ("node_sources", "edge_sources", "conflicts"):
        pd.testing.assert_frame_equal(getattr(bare, name), getattr(full, name))
    assert len(bare.conflicts) == sum(len(c) for _, c in graph.nodes(data="conflicts")) == int(saved_now)


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


def test_json_texts_of_a_column_are_canonical_json() -> None:
    rng = random.Random(1)
    letters = 'ab"\\\n\t\x01\x1fé€ '
    values = ["".join(rng.choice(letters) for _ in range(rng.randrange(9))) for _ in range(3_000)]
    values += [1.5, 2, None, True, ["x", 'y"'], {"b": 1, "a": [None]}, float("nan"), 2**70]
    texts = json_texts(pd.Series(values, dtype=object)).to_pylist()
    assert texts == [canonical_json(v) for v in values]
    text_column = pd.Series(values[:3_000] + [None], dtype="str")  # as the merge gives the other values
    assert json_texts(text_column).to_pylist() == [canonical_json(v) for v in text_column.to_numpy(dtype=object)]


def test_tables_written_by_two_processes_are_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.graph.store

    merged = _graph_with_a_conflict()
    alone = save_graph(merged, tmp_path / "alone")
    shared = save_graph(merged, tmp_path / "shared", beside=start_in_helper)
    digests = {name: _digest(folder) for name, folder in (("alone", alone), ("shared", shared))}
    assert all(digests["alone"][table] == digests["shared"][table] for table in civicgraph.graph.store.TABLES)
    assert len(load_frames(shared).conflicts) == 1


def _failing_write(*_: object) -> None:
    raise GraphStoreError("disk full")


def test_helper_failing_to_write_fails_the_save_and_keeps_the_previous_graph(
        toy_graph: nx.MultiDiGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.graph.store

    folder = save_graph(toy_graph, tmp_path / "graph")
    before = _digest(folder)
    # the helper is given the function by name: it imports this module and runs it there
    monkeypatch.setattr(civicgraph.graph.store, "_write_edges_and_conflicts", _failing_write)
    with pytest.raises(GraphStoreError, match="disk full"):
        save_graph(toy_graph, folder, beside=start_in_helper)
    assert _digest(folder) == before


def test_tables_written_in_parts_load_the_same(toy_graph: nx.MultiDiGraph, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.graph.store

    whole = load_graph(save_graph(toy_graph, tmp_path / "whole"))
    monkeypatch.setattr(civicgraph.graph.store, "ROWS_PER_WRITE", 3)  # the toy graph has 38 nodes and 20 edges
    parts = load_graph(save_graph(toy_graph, tmp_path / "parts"))
    assert dict(parts.nodes(data=True)) == dict(whole.nodes(data=True)) == dict(toy_graph.nodes(data=True))
    assert sorted(parts.edges(keys=True, data=True)) == sorted(toy_graph.edges(keys=True, data=True))
    assert pq.ParquetFile(tmp_path / "parts" / "nodes.parquet").metadata.num_row_groups == 13
