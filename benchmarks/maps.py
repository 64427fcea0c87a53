"""Workshop map benchmark: time to write a map in Python and time to its first draw in headless
Chromium (no network), for generated maps of a few hundred to 2,000 organisations.

    python -m benchmarks.maps                  # 400 and 2,000 nodes
    python -m benchmarks.maps --sizes 2000

Target (issue 22): a 2,000-node map usable within 3 s of opening. "first draw" is the time from
the start of navigation to the network's first complete drawing, as the page itself records it
(``data-first-draw-ms``); the page's layout was computed in Python, so nothing settles afterwards.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import networkx as nx

from civicgraph.maps.render import render_map

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--window-size=1920,1080",
         "--virtual-time-budget=20000", "--dump-dom"]


def generated_map_graph(count: int, *, seed: int = 7) -> nx.MultiDiGraph:
    """``count`` organisations of four kinds and about 1.5 random partnerships each (seeded)."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for number in range(count):
        graph.add_node(f"o{number}", kind=rng.choice(["Charity", "Organisation", "UnregisteredGroup", "Funder"]),
                       name=f"Organisation {number}", provenance=[])
    for a, b in sorted({(rng.randrange(count), rng.randrange(count)) for _ in range(count * 3 // 2)}):
        if a != b:
            graph.add_edge(f"o{a}", f"o{b}", relation="PARTNERS_WITH", provenance=[])
    return graph


def first_draw_ms(page: Path, profile: Path) -> int:
    """Milliseconds from navigation start to the first drawing, in headless Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("the map benchmark needs Chromium (Debian package 'chromium')")
    dom = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", page.as_uri()],
                         capture_output=True, text=True, timeout=180).stdout
    found = re.search(r'data-first-draw-ms="(\d+)"', dom)
    if not found:
        raise SystemExit(f"{page}: the page did not draw")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[400, 2000])
    args = parser.parse_args(argv)
    print(f"{'nodes':>7}{'edges':>7}{'write s':>9}{'page MB':>9}{'first draw ms':>15}")
    with tempfile.TemporaryDirectory() as folder:
        for count in args.sizes:
            graph = generated_map_graph(count)
            start = time.perf_counter()
            page = render_map(graph, Path(folder) / f"m{count}.html", title="generated", caption="seed 7")
            seconds = time.perf_counter() - start
            drawn = first_draw_ms(page, Path(folder) / f"profile{count}")
            print(f"{count:>7,}{graph.number_of_edges():>7,}{seconds:>9.1f}{page.stat().st_size / 1e6:>9.1f}"
                  f"{drawn:>15,}", flush=True)


if __name__ == "__main__":
    main()
