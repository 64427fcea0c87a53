"""Each preset page, opened in headless Chromium with networking disabled, draws its network."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from maps.presets import PRESETS

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # no network: every host unresolvable, every connection sent to a closed port
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=20000"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is needed for the browser tests: scripts/test.sh installs Debian's 'chromium'")


def run(page: Path, profile: Path, *extra: str) -> str:
    done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    return done.stdout


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_preset_renders_offline_with_its_dataset(preset: str, hounslow_maps: Path, tmp_path: Path) -> None:
    page = hounslow_maps / f"{preset}.html"
    html = page.read_text(encoding="utf-8")
    expected_nodes = len(re.findall(r'"kind": "', html))
    expected_edges = len(re.findall(r'"from": "', html))
    dom = run(page, tmp_path / "profile", "--dump-dom")
    assert 'data-ready="true"' in dom
    status = re.search(r'data-visible-nodes="(\d+)" data-visible-edges="(\d+)"', dom)
    assert status, "the page's script did not run"
    assert int(status.group(1)) == expected_nodes > 0
    assert int(status.group(2)) == expected_edges
    shot = tmp_path / "shot.png"
    run(page, tmp_path / "profile2", "--window-size=1280,800", f"--screenshot={shot}")
    image = Image.open(shot).convert("L")
    network_area = image.crop((20, 220, 960, 760))  # below the controls, left of the legend
    assert ImageStat.Stat(network_area).stddev[0] > 2, "the network area is blank"


def test_two_thousand_nodes_render_and_settle(tmp_path: Path) -> None:
    import random

    import networkx as nx

    from maps.render import render_map

    rng = random.Random(7)
    graph = nx.MultiDiGraph()
    for number in range(2000):
        graph.add_node(f"o{number}", kind=rng.choice(["Charity", "Organisation", "UnregisteredGroup", "Funder"]),
                       name=f"Organisation {number}", provenance=[])
    edges = {(rng.randrange(2000), rng.randrange(2000)) for _ in range(3000)}
    for a, b in edges:
        if a != b:
            graph.add_edge(f"o{a}", f"o{b}", relation="PARTNERS_WITH", provenance=[])
    page = render_map(graph, tmp_path / "big.html", title="2,000 organisations", caption="generated, seed 7")
    dom = run(page, tmp_path / "profile", "--dump-dom")
    status = re.search(r'data-visible-nodes="(\d+)" data-visible-edges="(\d+)"', dom)
    assert status and (int(status.group(1)), int(status.group(2))) == (2000, graph.number_of_edges())
