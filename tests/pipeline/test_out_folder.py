"""`--out` of `build` and `run`: refused at once, with one line, when it holds someone else's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.cli import main


@pytest.mark.parametrize("command", ["build", "run"])
def test_out_holding_a_thesis_is_refused_before_building_and_kept(command: str, hounslow_config: Path,
                                                                  tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    outs = tmp_path / "outs"
    folder = outs / "d"
    folder.mkdir(parents=True)
    (folder / "thesis.txt").write_text("three years")
    assert main([command, str(hounslow_config), "--out", str(folder), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "d: holds files civicgraph did not write (thesis.txt)" in error
    assert [p.name for p in outs.iterdir()] == ["d"]
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]


def test_out_that_is_a_file_is_refused_and_not_renamed(hounslow_config: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    outs = tmp_path / "outs"
    outs.mkdir()
    (outs / "f.txt").write_text("notes")
    assert main(["run", str(hounslow_config), "--out", str(outs / "f.txt"), "--quiet"]) == 2
    assert "f.txt: is a file, not a folder" in capsys.readouterr().err
    assert [p.name for p in outs.iterdir()] == ["f.txt"]


def test_out_dot_is_refused_without_a_traceback_or_staging(hounslow_config: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert main(["build", str(hounslow_config), "--out", ".", "--quiet"]) == 2
    assert "the folder you are working in" in capsys.readouterr().err
    assert list((tmp_path / "work").iterdir()) == []
    assert not list(tmp_path.glob(".*"))
