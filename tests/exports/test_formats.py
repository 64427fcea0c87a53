"""One registry of export formats: the command line, `run` and `export_graph` read it; Parquet goes
from the graph's tables to Parquet without a networkx graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import civicgraph.exports.formats as formats
from civicgraph.cli import parser as command_line
from civicgraph.core.errors import OutputFolderError
from civicgraph.exports.formats import EXPORT_FORMATS, EXPORTS, export_graph
from civicgraph.graph.frames import graph_to_frames
from civicgraph.graph.store import load_frames, save_graph


def test_the_command_line_offers_every_registered_format_and_no_other() -> None:
    export = command_line()._subparsers._group_actions[0].choices["export"]  # noqa: SLF001 - argparse keeps it there
    choices = next(a.choices for a in export._actions if a.dest == "format")  # noqa: SLF001
    assert list(choices) == list(EXPORT_FORMATS) == list(EXPORTS)


def test_parquet_export_of_tables_never_makes_a_networkx_graph(toy_graph: nx.MultiDiGraph, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    saved = save_graph(toy_graph, tmp_path / "graph")
    monkeypatch.setattr(formats, "frames_to_graph", lambda *_: pytest.fail("a networkx graph was made"))
    written = export_graph(load_frames(saved), "parquet", tmp_path / "copy")
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (saved, written[0])]
    assert manifests[0]["tables"] == manifests[1]["tables"]  # the same tables, byte for byte


def test_tables_and_graph_export_the_same_csv(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    from_graph = export_graph(toy_graph, "csv", tmp_path / "a")
    from_tables = export_graph(graph_to_frames(toy_graph), "csv", tmp_path / "b")
    assert [p.read_bytes() for p in from_graph] == [p.read_bytes() for p in from_tables]


def test_a_file_of_another_kind_is_not_replaced(toy_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.docx"
    thesis.write_text("chapter one")
    with pytest.raises(OutputFolderError, match="not a .ttl file"):
        export_graph(toy_graph, "turtle", thesis)
    assert thesis.read_text() == "chapter one"
