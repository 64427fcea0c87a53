"""No module imports a layer above its own (see ``tests/layers.py``), not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.layers import LAYERS, MODULES, PACKAGES, layer_of

ROOT = Path(__file__).resolve().parents[1]


def modules() -> list[Path]:
    files = [file for package in PACKAGES for file in sorted((ROOT / package).rglob("*.py"))]
    return files + [ROOT / name for name in MODULES]


def top_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_tops(path: Path) -> list[tuple[int, str]]:
    """(line, top-level name) of every ``civicgraph`` import in a source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "civicgraph" else [f"civicgraph.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name.split(".")[1]) for name in names
                  if name.startswith("civicgraph.") and len(name.split(".")) > 1]
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    own = layer_of(top_of(path))
    upward = [f"line {line}: civicgraph.{top} ({', '.join(LAYERS[layer_of(top)])} is above {', '.join(LAYERS[own])})"
              for line, top in imported_tops(path) if layer_of(top) > own]
    assert not upward, f"{path.relative_to(ROOT)} imports upward: " + "; ".join(upward)


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from civicgraph.pipeline.build import build\n")
    assert imported_tops(module) == [(2, "pipeline")]
    assert layer_of("pipeline") > layer_of("core")


def test_every_package_folder_has_a_layer() -> None:
    folders = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks", "notebooks", "scripts"}
    assert folders <= set(PACKAGES), f"give {sorted(folders - set(PACKAGES))} a layer in tests/layers.py"
