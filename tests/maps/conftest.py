"""Maps are tested on the Hounslow example graph, built once per session, and in headless Chromium
with networking disabled."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from civicgraph.pipeline.build import build_graph
from civicgraph.pipeline.config import read_config

REPO = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         # no network: every host unresolvable, every connection sent to a closed port
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=20000"]


@pytest.fixture(scope="session")
def hounslow_graph() -> nx.MultiDiGraph:
    config = read_config(REPO / "config" / "hounslow.toml")
    return build_graph(config, progress=False).graph


@pytest.fixture(scope="session")
def hounslow_maps(hounslow_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from civicgraph.visualise import write_all_maps

    folder = tmp_path_factory.mktemp("maps")
    write_all_maps(hounslow_graph, folder, boundaries=REPO / "data" / "geography" / "hounslow_lsoa11_bsc.geojson")
    return folder


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is needed for the browser tests: scripts/test.sh installs Debian's 'chromium'")


def map_json(page: Path) -> dict:
    """The data a map page carries."""
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r"const MAP = (\{.*?\});\n", text, re.S).group(1))


@pytest.fixture
def browser(tmp_path: Path) -> Callable[..., str]:
    """Open a page in headless Chromium (no network) and return its DOM after it has run."""
    count = iter(range(1000))

    def run(page: Path, *extra: str, fragment: str = "", window: str = "1920,1080") -> str:
        profile = tmp_path / f"profile{next(count)}"
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={window}", *extra,
                               page.as_uri() + fragment], capture_output=True, text=True, timeout=180)
        return done.stdout

    return run


@pytest.fixture
def scenario(browser: Callable[..., str], tmp_path: Path) -> Callable[..., dict]:
    """Run JavaScript in a copy of a map page once it has drawn (``out`` is the object it fills in;
    ``await`` may be used) and return ``out``."""
    def run(page: Path, script: str, *, fragment: str = "") -> dict:
        wrapped = ("<script>\nwindow.addEventListener('load', () => setTimeout(async () => {\nconst out = {};\n"
                   f"try {{\n{script}\n}} catch (error) {{ out.error = String(error.stack || error); }}\n"
                   "const pre = document.createElement('pre'); pre.id = 'test-result';\n"
                   "pre.textContent = JSON.stringify(out); document.body.appendChild(pre);\n}, 300));\n</script>\n")
        copy = tmp_path / f"scenario-{page.name}"
        copy.write_text(page.read_text(encoding="utf-8").replace("</body>", wrapped + "</body>"), encoding="utf-8")
        dom = browser(copy, "--dump-dom", fragment=fragment)
        found = re.search(r'<pre id="test-result">(.*?)</pre>', dom, re.S)
        assert found, "the scenario did not run"
        out = json.loads(html.unescape(found.group(1)))
        assert "error" not in out, out["error"]
        return out

    return run
