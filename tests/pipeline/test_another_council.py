"""Another council from a configuration file alone: [authority] from the register, warnings, boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import ConfigError
from loaders.place_index import PlaceIndex
from pipeline.authorities import REGISTER, find_authority
from pipeline.build import build_graph, check_boundaries
from pipeline.config import read_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, authority: str, sources: str = "") -> Path:
    path = tmp_path / "borough.toml"
    path.write_text(f"[authority]\n{authority}\n\n{sources or _SPEND}")
    return path


_SPEND = f'[[source]]\nloader = "spend"\npath = "{FIXTURES / "spend" / "lgtc_spend_schema.csv"}"\n'


def test_org_id_and_code_are_derived_from_the_gss_code(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path, 'gss_code = "E08000003"'))
    assert (config.authority_id, config.authority_code, config.authority_name) == (
        "GB-LAE-MAN", "MAN", "Manchester City Council")
    named = read_config(_config(tmp_path, 'gss_code = "E08000003"\nname = "Manchester"'))
    assert named.authority_name == "Manchester"


def test_hounslow_org_id_with_another_councils_gss_code_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, 'gss_code = "E08000003"\norg_id = "GB-LAE-HNS"\ncode = "HNS"')
    with pytest.raises(ConfigError, match=r"\[authority\] org_id = 'GB-LAE-HNS' is not that of E08000003 "
                                          r"\(Manchester City Council\): the register says 'GB-LAE-MAN'"):
        read_config(path)
    with pytest.raises(ConfigError, match=r"\[authority\] gss_code: GSS code 'E99999999' is not a UK local authority"):
        read_config(_config(tmp_path, 'gss_code = "E99999999"'))


def test_a_country_code_is_a_national_build_without_a_council(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path, 'gss_code = "K04000001"'))
    assert (config.authority_id, config.authority_code, config.authority_name) == ("", "EAW", "England and Wales")
    assert config.context().national and find_authority("e92000001").name == "England"


def test_the_council_register_is_package_data() -> None:
    assert REGISTER.is_file() and REGISTER.parent.parent.name == "pipeline"
    text = (REPO / "pyproject.toml").read_text()
    assert 'pipeline = ["reference/*.csv"]' in text


def test_another_councils_spend_with_credit_notes_builds_and_validates(tmp_path: Path) -> None:
    outcome = build_graph(read_config(_config(tmp_path, 'gss_code = "E08000003"')), progress=False)
    graph = outcome.graph
    assert graph.nodes["GB-LAE-MAN"]["kind"] == "Council"
    refunds = [d["amount"] for *_, d in graph.edges(data=True) if d.get("amount", 0) < 0]
    assert sorted(refunds) == [-800.0, -300.5]


def test_a_source_that_keeps_nothing_warns(tmp_path: Path) -> None:
    empty = tmp_path / "empty_spend.csv"
    empty.write_text("Supplier Name,Amount,Payment Date,Department\n")
    sources = _SPEND + f'[[source]]\nloader = "spend"\npath = "{empty}"\n'
    outcome = build_graph(read_config(_config(tmp_path, 'gss_code = "E08000003"', sources)), progress=False)
    assert [w for w in outcome.warnings if "empty_spend.csv (spend): kept 0 rows" in w]
    assert outcome.frames.attributes["warnings"] == outcome.warnings


def test_postcodes_on_other_lsoas_than_the_ward_lookup_are_refused() -> None:
    places = PlaceIndex(lsoa_ward={"E01000001@2011": "E05000001@2017"},
                        postcode_lsoa={"M1 1AA": "E01033658@2021"})
    with pytest.raises(ConfigError, match="LSOAs are of 2021 and the ward lookup's of 2011.*same census year"):
        check_boundaries(places)
    check_boundaries(PlaceIndex(lsoa_ward={"E01000001@2011": "W"}, postcode_lsoa={"M1 1AA": "E01000001@2011"}))
