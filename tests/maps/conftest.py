"""Maps are tested on the Hounslow example graph, built once per session."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from pipeline.build import build_graph
from pipeline.config import read_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def hounslow_graph() -> nx.MultiDiGraph:
    config = read_config(REPO / "config" / "hounslow.toml")
    return build_graph(config, progress=False).graph


@pytest.fixture(scope="session")
def hounslow_maps(hounslow_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from visualise import write_all_maps

    folder = tmp_path_factory.mktemp("maps")
    write_all_maps(hounslow_graph, folder)
    return folder
