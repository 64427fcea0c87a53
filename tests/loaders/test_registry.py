"""The loader registry and the inspect command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicgraph.cli import main
from civicgraph.core.errors import UnknownLoaderError
from civicgraph.loaders.base import Loader
from civicgraph.loaders.registry import available_loaders, get_loader

REPO = Path(__file__).resolve().parents[2]


def test_every_registered_loader_declares_its_source() -> None:
    for name in available_loaders():
        loader = get_loader(name)
        assert isinstance(loader, Loader)
        assert loader.name == name and loader.title and loader.licence


def test_unknown_loader_lists_the_registered_ones() -> None:
    with pytest.raises(UnknownLoaderError, match="Use one of: 360giving, assets, ccew"):
        get_loader("charity-commission")


def test_inspect_reports_counts_money_and_rejections_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", "spend", str(REPO / "tests/fixtures/spend/lambeth_payments_2012_06.csv"),
                 "--authority", "E09000022", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["edges"]["PAID_BY"] == 3123  # 28 payments to suppliers named as people are withheld
    assert round(report["money"]["GBP"], 2) == 40175844.45
    assert report["rejected_rows"] == 4 and report["rejections"][0]["row"] == 441
    assert "GB-LAE-LBH" in report["filter"]


def test_inspect_with_a_config_places_grants(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", "360giving", str(REPO / "data/360giving/london_powertochange_grants.json"),
                 "--config", str(REPO / "config/hounslow.toml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "recipient or beneficiary in E09000018: 0 of 102 grants" in out


def test_inspect_an_unreadable_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "grants.json").write_text('{"grants": [')
    assert main(["inspect", "360giving", str(tmp_path / "grants.json"), "--authority", "E09000018"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("civicgraph: error: grants.json: not valid JSON") and len(err.splitlines()) == 1
