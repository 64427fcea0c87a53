"""Output folders: replaced whole or not at all, and only when civicgraph wrote them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import civicgraph.core.atomic
from civicgraph.core.atomic import MARKER, atomic_directory, check_replaceable, clean_stale_siblings
from civicgraph.core.errors import OutputFolderError

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _write(target: Path, text: str = "v1") -> None:
    with atomic_directory(target) as staging:
        (staging / "answers").mkdir()
        (staging / "answers" / "a.csv").write_text(text)
        (staging / "summary.json").write_text("{}")


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_folder_of_someone_elses_files_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "thesis.txt").write_text("three years")
    with pytest.raises(OutputFolderError, match=r"d: holds files civicgraph did not write \(thesis.txt\)"):
        _write(folder)
    assert [p.name for p in tmp_path.iterdir()] == ["d"]
    assert (folder / "thesis.txt").read_text() == "three years"


def test_a_file_given_as_output_folder_is_refused_and_keeps_its_name(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("notes")
    with pytest.raises(OutputFolderError, match="f.txt: is a file"):
        _write(tmp_path / "f.txt")
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_the_working_folder_and_its_parents_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for target in (".", "..", str(tmp_path)):
        with pytest.raises(OutputFolderError, match="the folder you are working in"):
            check_replaceable(target)
    assert [p.name for p in tmp_path.iterdir()] == ["work"]


def test_a_previous_output_is_replaced_and_carries_a_marker_listing_its_files(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, "v1")
    _write(target, "v2")
    assert (target / "answers" / "a.csv").read_text() == "v2"
    marker = json.loads((target / MARKER).read_text())
    assert marker["files"] == ["answers/a.csv", "summary.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or retired folder left


def test_a_file_added_to_a_previous_output_stops_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target)
    (target / "answers" / "my notes.docx").write_text("mine")
    with pytest.raises(OutputFolderError, match="answers/my notes.docx"):
        _write(target, "v2")
    assert (target / "answers" / "my notes.docx").exists()
    assert (target / "answers" / "a.csv").read_text() == "v1"


def test_an_output_inside_an_output_is_checked_by_its_own_marker(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_directory(target) as staging:
        with atomic_directory(staging / "cypher") as inner:
            (inner / "graph.lbug").write_bytes(b"db")
    with atomic_directory(target / "cypher") as inner:  # `serve` rebuilding the database alone
        (inner / "graph.lbug").write_bytes(b"db2")
        (inner / "graph.lbug.wal").write_bytes(b"")
    check_replaceable(target)
    (target / "cypher" / "stray.txt").write_text("x")
    with pytest.raises(OutputFolderError, match="stray.txt"):
        check_replaceable(target)


def test_an_earlier_versions_graph_folder_without_marker_is_replaced(tmp_path: Path) -> None:
    target = shutil.copytree(FIXTURES / "store_v1" / "graph", tmp_path / "graph")
    _write(target)
    assert (target / MARKER).exists()
    (tmp_path / "graph" / MARKER).unlink()
    (tmp_path / "graph" / "manifest.json").write_text(json.dumps({"format": "civicgraph-graph"}))
    (tmp_path / "graph" / "thesis.txt").write_text("x")
    with pytest.raises(OutputFolderError, match="thesis.txt"):
        check_replaceable(target)


def test_a_failure_partway_leaves_the_previous_output_and_no_staging(tmp_path: Path) -> None:
    target = tmp_path / "out"
    _write(target, "v1")
    with pytest.raises(OSError), atomic_directory(target) as staging:
        (staging / "summary.json").write_text("half")
        raise OSError(28, "No space left on device")
    assert (target / "answers" / "a.csv").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_staging_left_by_a_killed_build_is_removed_at_the_next_run(tmp_path: Path) -> None:
    stale = tmp_path / f".out.building-{_dead_pid()}-abc"
    (stale / "graph").mkdir(parents=True)
    live = tmp_path / f".out.building-{os.getpid()}-def"  # a build still running
    live.mkdir()
    _write(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "out"]


def test_an_output_set_aside_by_an_interrupted_swap_is_put_back(tmp_path: Path) -> None:
    _write(tmp_path / "out", "v1")
    (tmp_path / "out").rename(tmp_path / f".out.old-{_dead_pid()}-abc")  # killed between two renames
    assert clean_stale_siblings(tmp_path / "out") == []
    assert (tmp_path / "out" / "answers" / "a.csv").read_text() == "v1"


def test_without_an_atomic_exchange_the_swap_still_leaves_one_folder(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(civicgraph.core.atomic, "_exchange", lambda first, second: False)
    _write(tmp_path / "out", "v1")
    _write(tmp_path / "out", "v2")
    assert (tmp_path / "out" / "answers" / "a.csv").read_text() == "v2"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_two_folders_are_exchanged_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    assert civicgraph.core.atomic._exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b" / "x").read_text() == "a"


def test_an_output_on_a_read_only_file_system_is_refused_before_anything_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import civicgraph.core.atomic as atomic

    real_mkdir = Path.mkdir

    def read_only(path: Path, *args: object, **kwargs: object) -> None:
        if path.is_relative_to(tmp_path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "access", lambda *args, **kwargs: False)
    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(OSError, match=rf"^\[Errno {errno.EROFS}\] Read-only file system: '{tmp_path}'$"):
        check_replaceable(tmp_path / "new" / "out")  # named by the folder that exists, not a probe or staging name
