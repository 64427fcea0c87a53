"""The installed package is self-contained and one namespace: a wheel in a fresh environment builds a graph
from another folder, beside a user's own ``graph.py``, and installs nothing but ``civicgraph``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_wheel_builds_another_councils_graph_from_another_folder(tmp_path: Path) -> None:
    # built from a copy: setuptools writes build/ beside the sources, and a stale one would leak into wheels
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__",
                                                                "output", "tests", "notebooks", "data"))
    # setuptools is a dev dependency: no build isolation, so nothing is downloaded
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
                 "-w", tmp_path / "dist", source, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("civicgraph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"civicgraph"}
    assert not [name for name in names if name.endswith("conftest.py") or "/benchmarks/" in name]
    # a fresh environment: the wheel alone, and the dependencies already installed beside this Python
    # (a path entry, so this checkout's editable install is not imported)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", fresh], check=True)
    python = fresh / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip())
    installed = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", site,
                     wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(FIXTURES / "spend" / "lgtc_spend_schema.csv", work / "spend.csv")
    shutil.copy(FIXTURES / "assets" / "lgtc_land_assets_schema.csv", work / "assets.csv")
    (work / "borough.toml").write_text('[authority]\ngss_code = "E08000003"\n\n'
                                       '[[source]]\nloader = "spend"\npath = "spend.csv"\n\n'
                                       '[[source]]\nloader = "assets"\npath = "assets.csv"\n')
    # a notebook's own module named like one of ours must not shadow the package's
    (work / "graph.py").write_text("raise SystemExit('the user\'s graph.py was imported instead of civicgraph.graph')\n")
    where = _run(python, "-c", "import civicgraph.pipeline as p; print(p.__file__)", cwd=work)
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    build = _run(python, "-m", "civicgraph.cli", "build", "borough.toml", "--out", "built", "--quiet", cwd=work)
    assert build.returncode == 0, build.stderr
    assert "built" in build.stdout and (work / "built" / "manifest.json").is_file()
    notebook = _run(python, "-c", "import civicgraph; outcome = civicgraph.build('borough.toml', progress=False); "
                    "print(len(outcome.frames.nodes) > 0, civicgraph.load_graph('built').number_of_nodes() > 0)", cwd=work)
    assert notebook.stdout.split() == ["True", "True"], notebook.stderr
