"""System errors (a folder for a file, disk full, read-only) print one line naming the file, no traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import civicgraph.pipeline.build
from civicgraph.cli import main


@pytest.mark.slow
def test_a_folder_where_a_source_file_is_expected_is_one_line(hounslow_config: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    lookup = hounslow_config.parent.parent / "data" / "geography" / "hounslow_lsoa11_ward17_lookup.csv"
    lookup.unlink()
    lookup.mkdir()
    assert main(["build", str(hounslow_config), "--out", str(hounslow_config.parent / "g"), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error == f"civicgraph: error: {lookup}: Is a directory\n"


@pytest.mark.slow
def test_disk_full_while_writing_is_one_line_and_leaves_the_previous_output(
        hounslow_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = hounslow_config.parent / "g"
    assert main(["build", str(hounslow_config), "--out", str(out), "--quiet"]) == 0
    before = sorted(p.name for p in out.iterdir())

    def full(frames: object, folder: Path, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "nodes.parquet"))

    monkeypatch.setattr(civicgraph.pipeline.build, "write_frames", full)
    capsys.readouterr()
    assert main(["build", str(hounslow_config), "--out", str(out), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("civicgraph: error: ") and error.endswith("nodes.parquet: No space left on device\n")
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".g.")) == []


@pytest.mark.slow
def test_a_read_only_file_system_is_one_line_naming_the_folder(hounslow_config: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import civicgraph.core.atomic

    def read_only(*args: object, dir: str | None = None, **kwargs: object) -> str:  # noqa: A002 - mkdtemp's name
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))

    monkeypatch.setattr(civicgraph.core.atomic.tempfile, "mkdtemp", read_only)
    out = hounslow_config.parent / "g"
    assert main(["build", str(hounslow_config), "--out", str(out), "--quiet"]) == 1
    assert capsys.readouterr().err == f"civicgraph: error: {out.parent.resolve()}: Read-only file system\n"
    assert not out.exists()
