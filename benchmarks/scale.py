"""Scale benchmark: the whole pipeline on national-size generated files, against the parse floor.

    python -m benchmarks.scale                      # 1%, 10% and 100% of national size
    python -m benchmarks.scale --sizes 0.01         # the CI smoke run
    python -m benchmarks.scale --sizes 0.1 --json results.json

For each size the sources are written in their published formats (:mod:`benchmarks.sources`,
seeded; kept in ``--work`` between runs). The build runs as ``civicgraph build`` runs it: the
loaders (shared between this process and a helper), entity resolution, the merge into graph tables
with placing by postcode, the save (Parquet); then, unless ``--build-only``, the networkx graph,
every answer of the twelve questions, the network map, the Cypher database, and the centrality table
with networkx and with igraph side by side. Last, each source is loaded alone, against the *floor*:
the time to merely parse the same file with pyarrow (CSV, TSV) or the json module (the 360Giving
package), ``ratio`` being load over floor. Each stage's time and the peak memory of this process and
its helpers during it (proportional set size, sampled every 50 ms) are printed.

Targets (issue 9): the national graph built from raw files in under 2 minutes and 4 GB, the build
within 2x the parse floor, the borough graph in under 5 s (``--borough``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow.csv as pa_csv
from tabulate import tabulate

from benchmarks.sources import SourceFiles, write_sources
from civicgraph.analysis.centrality import centrality_table
from civicgraph.analysis.network import organisation_nodes
from civicgraph.core.bulk import collector_paused
from civicgraph.graph.assemble import assemble_frames
from civicgraph.graph.store import write_frames
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.registry import get_loader
from civicgraph.pipeline.answers import ANSWERS, AnswerInputs
from civicgraph.pipeline.build import handed_over, run_loaders, source_place_words
from civicgraph.pipeline.config import BuildConfig, SourceConfig
from civicgraph.pipeline.helpers import (
    edge_merge_helper,
    large_blocks_mapped,
    release_freed_memory,
    scoring_helper,
)
from civicgraph.pipeline.locate import locate_by_postcode
from civicgraph.resolve.resolution import resolve_entities

REPO = Path(__file__).resolve().parents[1]
#: networkx's centrality table is run only up to this many organisations (it is quadratic and in Python).
NETWORKX_LIMIT = 20_000
SIZES = (0.01, 0.1, 1.0)


@dataclass
class Stage:
    """One measured stage."""

    size: float
    name: str
    seconds: float
    peak_mb: float
    floor_seconds: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Stage time over the parse floor of its input."""
        return self.seconds / self.floor_seconds if self.floor_seconds else None


@dataclass
class Run:
    """Stages measured so far."""

    stages: list[Stage] = field(default_factory=list)


def _memory_mb() -> float:
    """Memory of this process and of the helper processes it started (their proportional set size,
    so pages a helper shares with this process count once), in MB."""
    total, pending = 0, [os.getpid()]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue  # a helper that ended meanwhile
    return total / 1024


@contextmanager
def _measured(run: Run, size: float, name: str, *, floor: float | None = None, note: str = "") -> Iterator[None]:
    """Time a stage and sample the memory of this process and its helpers every 50 ms while it runs."""
    peak = [_memory_mb()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _memory_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        peak_mb = max(peak[0], _memory_mb())
        run.stages.append(Stage(size, name, seconds, peak_mb, floor, note))
        print(f"  {name:<36}{seconds:>9.1f} s{peak_mb:>9,.0f} MB", flush=True)


def parse_floor(path: Path) -> float:
    """Seconds to merely parse a source file (or a folder of tables) with pyarrow or json."""
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    start = time.perf_counter()
    for file in files:
        if file.suffix == ".json":
            with file.open("rb") as handle:
                json.load(handle)
        else:
            options = pa_csv.ParseOptions(delimiter="\t" if file.suffix == ".txt" else ",")
            pa_csv.read_csv(file, parse_options=options)
    return time.perf_counter() - start


def _loads(files: SourceFiles) -> list[tuple[str, str, Path, dict[str, Any]]]:
    """(label, loader, path, options): geography first, as the build runs them."""
    return [("load ons-lookup", "ons-lookup", files.lookup, {}), ("load ons-postcodes", "ons-postcodes", files.postcodes, {}),
            ("load imd", "imd", files.imd, {}), ("load ccew", "ccew", files.register, {"trustees": False}),
            ("load 360giving (JSON)", "360giving", files.grants_json, {}),
            ("load 360giving (CSV)", "360giving", files.grants_csv, {}),
            ("load companies-house", "companies-house", files.companies, {})]


def national_config(files: SourceFiles) -> BuildConfig:
    """A build configuration of the national sources (``K04000001``: every loader keeps every row)."""
    sources = [SourceConfig(loader, path, options) for _, loader, path, options in _loads(files)]
    return BuildConfig(files.lookup.parent / "national.toml", "England and Wales", "K04000001", "", "", sources,
                       validate=False)


def measure_size(size: float, work: Path, run: Run, *, networkx_limit: int = NETWORKX_LIMIT,
                 build_only: bool = False) -> None:
    """Every stage of a national build at ``size`` of national scale: the build as ``civicgraph build``
    runs it, then each source loaded alone (against its parse floor)."""
    print(f"{size:.0%} of national size", flush=True)
    start = time.perf_counter()
    files = write_sources(work / f"national-{size:g}", size)
    print(f"  (sources written or reused in {time.perf_counter() - start:.1f} s: "
          f"{sum(_bytes(p) for p in files.files().values()) / 2**20:,.0f} MB)", flush=True)
    config = national_config(files)
    with _measured(run, size, "loads, as the build runs them", note="two processes"):
        results, places = run_loaders(config, progress=False)
        release_freed_memory()
    with _measured(run, size, "resolve"):
        resolution = resolve_entities(results, places=source_place_words(results), beside=scoring_helper(results))
        release_freed_memory()  # as build_graph does between its stages
    with _measured(run, size, "build graph (merge)"), large_blocks_mapped():
        edge_helper = edge_merge_helper(results, wanted=config.parallel_merge)
        frames, _ = assemble_frames(handed_over(results), matches=resolution.merged_pairs(),
                                    between_halves=release_freed_memory, beside=edge_helper)
        frames, _ = locate_by_postcode(frames, places)
        release_freed_memory()
    with tempfile.TemporaryDirectory() as folder, _measured(run, size, "save (Parquet)"):
        write_frames(frames, Path(folder))
    print(f"  (graph: {len(frames.nodes):,} nodes, {len(frames.edges):,} edges, "
          f"{(resolution.links['status'] == 'merged').sum():,} merges)", flush=True)
    if not build_only:
        for answer in ANSWERS:
            with _measured(run, size, f"answer {answer.key}"):
                answer.compute(frames, AnswerInputs())
        _measure_outputs(frames, size, run, networkx_limit)
    del frames, resolution
    _measure_sources(files, size, run)  # after the build, which ran in a process as fresh as the command's


def _measure_sources(files: SourceFiles, size: float, run: Run) -> None:
    """Each source loaded alone, in the build's order, against the time to merely parse it."""
    context = LoadContext("K04000001", "", "England and Wales")
    geography = []
    for label, loader, path, options in _loads(files):
        floor = parse_floor(path)
        with _measured(run, size, label, floor=floor, note="alone"), collector_paused():  # as run_loaders does
            result = get_loader(loader).load(path, context, **options)
        if loader in ("ons-lookup", "ons-postcodes"):
            geography.append(result)
        if loader == "ons-postcodes":
            context = replace(context, places=PlaceIndex.from_results(geography))
        del result
    with _measured(run, size, "parse floor (all files)", note="pyarrow / json"):
        for _, _, path, _ in _loads(files):
            parse_floor(path)


def _measure_outputs(graph: Any, size: float, run: Run, networkx_limit: int) -> None:  # noqa: ANN401
    from civicgraph.cypher.store import write_database
    from civicgraph.visualise import workshop_map

    with tempfile.TemporaryDirectory() as folder:
        with _measured(run, size, "map (network preset)"):
            workshop_map(graph, "network", Path(folder) / "network.html")
        with _measured(run, size, "Cypher database"):
            write_database(graph, Path(folder) / "cypher")
    organisations = len(organisation_nodes(graph))
    for backend in ("igraph", "networkx"):
        if backend == "networkx" and organisations > networkx_limit:
            run.stages.append(Stage(size, "centrality table (networkx)", float("nan"), float("nan"),
                                    note=f"not run: {organisations:,} organisations > {networkx_limit:,}"))
            print(f"  centrality table (networkx)           not run ({organisations:,} organisations)", flush=True)
            continue
        with _measured(run, size, f"centrality table ({backend})"):
            centrality_table(graph, backend=backend)


def measure_borough(run: Run) -> None:
    """The Hounslow build from the bundled data, end to end in memory (target: under 5 s)."""
    from civicgraph.pipeline.build import build_graph
    from civicgraph.pipeline.config import read_config

    config = read_config(REPO / "config" / "hounslow.toml")
    build_graph(config, progress=False)  # warm imports and caches, as a second build in a session
    with _measured(run, 0.0, "borough build (Hounslow)", note="with the SHACL check of the whole graph"):
        build_graph(config, progress=False)
    with _measured(run, 0.0, "borough build, no SHACL check", note="[build] validate = false"):
        build_graph(replace(config, validate=False), progress=False)


def _bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def summary_table(run: Run) -> str:
    """The measured stages as a table, with totals of the build per size."""
    rows = []
    for size in dict.fromkeys(s.size for s in run.stages):
        stages = [s for s in run.stages if s.size == size]
        for s in stages:
            rows.append([f"{size:.0%}" if size else "borough", s.name, _fmt(s.seconds), _fmt(s.peak_mb, 0),
                         _fmt(s.floor_seconds), _fmt(s.ratio), s.note])
        build = [s for s in stages if s.name.startswith(("loads, as", "resolve", "build graph", "save"))]
        floor = next((s.seconds for s in stages if s.name == "parse floor (all files)"), None)
        if build and floor:
            total = sum(s.seconds for s in build)
            rows.append([f"{size:.0%}", "= build from raw files", _fmt(total), _fmt(max(s.peak_mb for s in build), 0),
                         _fmt(floor), _fmt(total / floor), "loads (as built) + resolve + merge + save"])
    return tabulate(rows, headers=["size", "stage", "seconds", "peak MB", "floor s", "ratio", "note"],
                    tablefmt="github", disable_numparse=True)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None or value != value else f"{value:,.{digits}f}"


def main(argv: list[str] | None = None, *, out: Callable[[str], None] = print) -> Run:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=list(SIZES), help="fractions of national size")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "civicgraph-scale",
                        help="where generated sources are kept between runs")
    parser.add_argument("--borough", action="store_true", help="also time the Hounslow build")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--build-only", action="store_true",
                        help="stop after the build (loads, resolve, merge, save): the national size needs a lot "
                             "of memory for the Cypher database")
    parser.add_argument("--networkx-limit", type=int, default=NETWORKX_LIMIT,
                        help="run networkx's centrality table only up to this many organisations")
    args = parser.parse_args(argv)
    run = Run()
    if args.borough:
        measure_borough(run)
    for size in args.sizes:
        measure_size(size, args.work, run, networkx_limit=args.networkx_limit, build_only=args.build_only)
    out(summary_table(run))
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ | {"ratio": s.ratio} for s in run.stages], indent=1))
    return run


if __name__ == "__main__":
    main()
