"""The code imports itself only through the civicgraph namespace."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.layers import PACKAGES

ROOT = Path(__file__).resolve().parents[1]
OURS = {*PACKAGES, "cli", "visualise"}


def sources() -> list[Path]:
    folders = [ROOT / name for name in sorted(OURS) if (ROOT / name).is_dir()]
    files = [f for folder in folders for f in folder.rglob("*.py")]
    return files + [ROOT / "cli.py", ROOT / "visualise.py", ROOT / "__init__.py"] + sorted((ROOT / "benchmarks").rglob("*.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_bare_top_level_name_of_ours(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        bare += [name for name in names if name.split(".")[0] in OURS]
    assert not bare, f"import civicgraph.{bare[0]}, not {bare[0]}"
