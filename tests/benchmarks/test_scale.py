"""The scale benchmark at 1% of national size runs to the end (a smoke test: no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scale import main
from benchmarks.sources import write_sources
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.registry import get_loader

pytestmark = pytest.mark.slow


def test_scale_benchmark_at_one_percent_measures_every_stage(tmp_path: Path) -> None:
    printed: list[str] = []
    run = main(["--sizes", "0.01", "--work", str(tmp_path), "--networkx-limit", "5000"], out=printed.append)
    names = [stage.name for stage in run.stages]
    for stage in ("load ccew", "load 360giving (JSON)", "load 360giving (CSV)", "load companies-house",
                  "load ons-postcodes", "parse floor (all files)", "resolve", "build graph (merge)", "save (Parquet)",
                  "answer 04_brokers", "answer 12_service_gaps", "map (network preset)", "Cypher database",
                  "centrality table (igraph)", "centrality table (networkx)"):
        assert stage in names
    assert "= build from raw files" in printed[0]
    measured = {stage.name: stage for stage in run.stages}
    assert measured["resolve"].peak_mb > 100  # the process's own memory is in every peak
    assert measured["load ccew"].ratio is not None  # each loader is set against its parse floor


def test_generated_sources_load_in_a_national_build_without_rejections(tmp_path: Path) -> None:
    files = write_sources(tmp_path, 0.001)
    context = LoadContext("K04000001", "", "England and Wales")
    register = get_loader("ccew").load(files.register, context, trustees=False)
    grants = get_loader("360giving").load(files.grants_csv, context)
    assert register.rejections.empty and grants.rejections.empty
    assert register.filter_applied.endswith("390 of 390 register rows")  # 0.1% of 390,000, none filtered out
    assert len(grants.nodes.query("kind == 'Grant'")) == 300  # 30% of 0.1% of 1,000,000 grants are in the CSV
