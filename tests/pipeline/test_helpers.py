"""The pipeline's one door for speed decides when a helper process runs part of the work."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import civicgraph.pipeline.helpers as helpers
from civicgraph.loaders.base import RecordSink
from civicgraph.pipeline.helper_process import can_start_helpers, start_in_helper

ROOT = Path(__file__).resolve().parents[2]
needs_helpers = pytest.mark.skipif(not can_start_helpers(), reason="this platform cannot start helper processes")


def _with_edges(count: int) -> RecordSink:
    sink = RecordSink("register", Path("r.csv"))
    for n in range(count):
        sink.edge(f"GB-CHC-{n}", f"GB-CHC-{n + 1}", "FUNDED_BY", sink.provenance(f"row {n}", "", "CC0-1.0"))
    return sink


@needs_helpers
def test_edges_merge_beside_only_when_asked_many_and_there_is_room(monkeypatch: pytest.MonkeyPatch) -> None:
    results = [_with_edges(3).result()]
    monkeypatch.setattr(helpers, "HELPER_EDGES", 2)
    monkeypatch.setattr(helpers, "available_memory", lambda: 1 << 40)
    assert helpers.edge_merge_helper(results, wanted=False) is None
    assert helpers.edge_merge_helper(results, wanted=True) is start_in_helper
    monkeypatch.setattr(helpers, "available_memory", lambda: 0)  # no room for a second working set
    assert helpers.edge_merge_helper(results, wanted=True) is None
    monkeypatch.setattr(helpers, "available_memory", lambda: 1 << 40)
    monkeypatch.setattr(helpers, "HELPER_EDGES", 3)  # not more than the threshold
    assert helpers.edge_merge_helper(results, wanted=True) is None


@needs_helpers
def test_large_work_gets_a_helper_and_a_borough_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    assert helpers.betweenness_helper(graph) is None
    monkeypatch.setattr(helpers, "SHARED_BETWEENNESS_EDGES", 1)
    assert helpers.betweenness_helper(graph) is start_in_helper
    assert helpers.loading_helper(helpers.SHARE_LOADING_BYTES, 2) is start_in_helper
    assert helpers.loading_helper(helpers.SHARE_LOADING_BYTES, 1) is None  # one file: nothing to share
    assert helpers.loading_helper(helpers.SHARE_LOADING_BYTES - 1, 5) is None
    monkeypatch.setattr(helpers, "SHARED_SCORING_RECORDS", 0)
    sink = _with_edges(1)
    sink.node("GB-CHC-1", "Charity", sink.provenance("row 1", "", "CC0-1.0"), name="A")
    assert helpers.scoring_helper([sink.result()]) is start_in_helper


def test_without_helper_processes_nothing_runs_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "can_start_helpers", lambda: False)
    monkeypatch.setattr(helpers, "SHARED_BETWEENNESS_EDGES", 0)
    assert helpers.betweenness_helper(nx.MultiDiGraph([("a", "b")])) is None
    assert helpers.scoring_helper([_with_edges(1).result()]) is None


def test_only_the_helpers_module_starts_processes_or_hands_memory_back() -> None:
    plumbing = {"civicgraph.pipeline.helper_process", "civicgraph.pipeline.memory"}
    users = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", "benchmarks", ".venv", "build") or path.name in ("helper_process.py", "memory.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in plumbing:
                users.append(str(relative))
    assert set(users) == {"pipeline/helpers.py"}
