"""Screenshots of every workshop map preset for the README (docs/maps/), in headless Chromium at
1920x1080 with no network.

    .venv/bin/python scripts/map_screenshots.py output/graph --out docs/maps \
        --codepoint ../shared/data/geography/hounslow_and_neighbours_codepo_gb_2025.csv

``--codepoint`` (OS Code-Point Open rows, no header, as published) gives each node with a postcode
its grid reference before the geographic map is drawn, as placing by postcode does in the build
once its postcode directory includes Code-Point.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import networkx as nx
import pandas as pd
from PIL import Image

from civicgraph.graph.store import load_graph
from civicgraph.maps.presets import PRESETS
from civicgraph.visualise import workshop_map

REPO = Path(__file__).resolve().parents[1]
BOUNDARIES = REPO / "data" / "geography" / "hounslow_lsoa11_bsc.geojson"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--hide-scrollbars",
         "--window-size=1920,1080", "--virtual-time-budget=15000"]


def with_grid_references(graph: nx.MultiDiGraph, codepoint: Path) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose nodes with a known postcode carry its easting and northing."""
    table = pd.read_csv(codepoint, header=None, usecols=[0, 2, 3], names=["postcode", "easting", "northing"])
    table["postcode"] = table["postcode"].str.replace(" ", "").str.upper()
    grid = table.set_index("postcode")
    placed = graph.copy()
    for _, data in placed.nodes(data=True):
        code = str(data.get("postcode") or "").replace(" ", "").upper()
        if code in grid.index:
            data["easting"], data["northing"] = (float(v) for v in grid.loc[code, ["easting", "northing"]])
    return placed


def screenshot(page: Path, out: Path, fragment: str = "") -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}", page.as_uri() + fragment],
                       capture_output=True, timeout=180, check=True)
    Image.open(out).convert("RGB").save(out, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", help="a graph folder written by 'civicgraph build' or 'civicgraph run'")
    parser.add_argument("--out", default=str(REPO / "docs" / "maps"))
    parser.add_argument("--codepoint", help="OS Code-Point Open CSV for the geographic map")
    args = parser.parse_args()
    graph = load_graph(args.graph)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        pages = {preset: workshop_map(graph, preset, Path(folder) / f"{preset}.html") for preset in PRESETS}
        placed = with_grid_references(graph, Path(args.codepoint)) if args.codepoint else graph
        pages["places"] = workshop_map(placed, "network", Path(folder) / "places.html", layout="geographic",
                                       boundaries=BOUNDARIES)
        for name, page in pages.items():
            screenshot(page, out / f"{name}.png")
            print(out / f"{name}.png")
        screenshot(pages["funding"], out / "presenter.png", "#presenter=1&focus=GB-CHC-327114")
        print(out / "presenter.png")


if __name__ == "__main__":
    main()
