"""One registry of export formats: the command line, `run` and `export_graph` read it; every format
is written from the graph's tables without a networkx graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from civicgraph.cli import parser as command_line
from civicgraph.core.errors import OutputFolderError
from civicgraph.exports.formats import EXPORT_FORMATS, EXPORTS, export_graph
from civicgraph.graph.frames import derived, frames_to_graph
from civicgraph.graph.store import load_frames, save_graph
from tests.conftest import edges_out_of_networkx_order


def test_the_command_line_offers_every_registered_format_and_no_other() -> None:
    export = command_line()._subparsers._group_actions[0].choices["export"]  # noqa: SLF001 - argparse keeps it there
    choices = next(a.choices for a in export._actions if a.dest == "format")  # noqa: SLF001
    assert list(choices) == list(EXPORT_FORMATS) == list(EXPORTS)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_format_is_written_from_the_tables_without_a_networkx_graph(
        fmt: str, toy_graph: nx.MultiDiGraph, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    frames = load_frames(save_graph(toy_graph, tmp_path / "graph"))
    request.getfixturevalue("no_networkx_graph")
    written = export_graph(frames, fmt, tmp_path / EXPORTS[fmt].file_name.format(code="x"))
    assert all(path.exists() for path in written)
    assert "networkx" not in derived(frames)


def test_parquet_export_of_tables_copies_them(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    saved = save_graph(toy_graph, tmp_path / "graph")
    written = export_graph(load_frames(saved), "parquet", tmp_path / "copy")
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (saved, written[0])]
    assert manifests[0]["tables"] == manifests[1]["tables"]  # the same tables, byte for byte


@pytest.mark.parametrize("fmt", ["csv", "turtle", "json-ld", "nt", "neo4j-import", "graphml"])
def test_tables_in_any_order_and_graph_export_the_same_bytes(fmt: str, toy_graph: nx.MultiDiGraph,
                                                             tmp_path: Path) -> None:
    name = EXPORTS[fmt].file_name.format(code="x")
    frames = edges_out_of_networkx_order(toy_graph)
    from_tables = export_graph(frames, fmt, tmp_path / "b" / name)
    from_graph = export_graph(frames_to_graph(frames), fmt, tmp_path / "a" / name)

    def contents(paths: list[Path]) -> list[bytes]:
        files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
        return [f.read_bytes() for f in files]
    assert contents(from_graph) == contents(from_tables)
    assert "networkx" not in derived(frames)


def test_a_file_of_another_kind_is_not_replaced(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.docx"
    thesis.write_text("chapter one")
    with pytest.raises(OutputFolderError, match="not a .ttl file"):
        export_graph(toy_graph, "turtle", thesis)
    assert thesis.read_text() == "chapter one"
