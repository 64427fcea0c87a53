"""Loader benchmark: a national-size Charity Commission table and a 1M-grant 360Giving file,
filtered to one authority. Prints time and peak memory of each load, each in its own process.

    python -m benchmarks.loaders            # national size (390k charities, 1M grants)
    python -m benchmarks.loaders --scale 0.01

Targets (issue 3): each under 60 s and under 1 GB peak on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import NATIONAL, charity_extract, grants_package

REPO = Path(__file__).resolve().parents[1]

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from dataclasses import replace
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.ons_geography import LookupLoader
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.registry import get_loader
context = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
lookup = LookupLoader().load(Path("data/geography/hounslow_lsoa11_ward17_lookup.csv"), context)
context = replace(context, places=PlaceIndex.from_results([lookup]))
start = time.perf_counter()
result = get_loader(sys.argv[1]).load(Path(sys.argv[2]), context, **json.loads(sys.argv[3]))
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "nodes": len(result.nodes), "edges": len(result.edges),
                  "filter": result.filter_applied}))
"""


def measure(loader: str, path: Path, options: dict) -> dict:
    """Run one load in a fresh process; return its time, peak resident memory and counts."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, loader, str(path), json.dumps(options)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of national size (default 1.0)")
    parser.add_argument("--workdir", help="where to write the generated files (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="civicgraph-bench-"))
    charities, grants = int(NATIONAL["charities"] * args.scale), int(NATIONAL["grants"] * args.scale)
    start = time.perf_counter()
    extract = charity_extract(work / "ccew", charities)
    package = grants_package(work / "grants.json", grants)
    print(f"generated {charities:,} charities and {grants:,} grants in {time.perf_counter() - start:.1f} s "
          f"({package.stat().st_size / 1e6:,.0f} MB of grants) under {work}")
    print(f"{'load':<34}{'seconds':>9}{'peak MB':>9}  kept")
    for label, loader, path, options in (
        (f"ccew charity table ({charities:,} rows)", "ccew", extract, {"trustees": False}),
        (f"360Giving JSON ({grants:,} grants)", "360giving", package, {}),
    ):
        figures = measure(loader, path, options)
        print(f"{label:<34}{figures['seconds']:>9.1f}{figures['peak_mb']:>9.0f}  {figures['filter']}")


if __name__ == "__main__":
    main()
