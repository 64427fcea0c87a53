"""A pytest plugin: the package's doctests, collected under the names the package installs them as.

The repository's top-level folders are the ``civicgraph`` package, so ``graph/store.py`` is
``civicgraph.graph.store``. pytest's own ``--doctest-modules`` would name a module after the folder
the repository happens to be cloned into; this plugin imports each module by its installed name
instead, so classes, pickling and helper processes see one module, not two.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from _pytest.doctest import DoctestItem, DoctestModule

from tests.layers import MODULES, PACKAGES

ROOT = Path(__file__).resolve().parents[1]


def installed_name(path: Path) -> str | None:
    """The name a source file is imported as (``civicgraph.graph.store``, ``benchmarks.scale``), or None for
    files that are not modules of ours (tests, notebooks)."""
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.suffix != ".py":
        return None
    parts = [part for part in relative.with_suffix("").parts if part != "__init__"]
    if len(relative.parts) == 1 and relative.name in MODULES:
        return ".".join(["civicgraph", *parts])
    if len(relative.parts) > 1 and relative.parts[0] in PACKAGES:
        return ".".join(["civicgraph", *parts])
    if len(relative.parts) > 1 and relative.parts[0] == "benchmarks":  # run from the repository, not installed
        return ".".join(parts)
    return None


class InstalledModuleDoctests(DoctestModule):
    """Doctests of one module, imported by its installed name."""

    def _getobj(self) -> ModuleType:
        return importlib.import_module(installed_name(self.path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if installed_name(file_path) is not None:
        return InstalledModuleDoctests.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def _doctest_files_in_pytest_folders(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctests' example files go to pytest's own temporary folders, not to the system's."""
    if isinstance(request.node, DoctestItem):
        monkeypatch.setattr(tempfile, "tempdir", str(request.getfixturevalue("tmp_path")))
