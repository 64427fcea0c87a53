"""Companies House basic company data: company forms, SIC codes, previous names, postcode filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.companies_house import CompaniesHouseLoader
from civicgraph.loaders.place_index import PlaceIndex

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "companies_house" / "BasicCompanyData-sample.csv"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def test_company_forms_sic_codes_and_previous_names() -> None:
    result = CompaniesHouseLoader().load(SAMPLE, HOUNSLOW, filter="none")
    nodes = result.nodes.set_index("id")
    assert nodes.loc["GB-COH-11111111", "kind"] == "CommunityInterestCompany"
    assert nodes.loc["GB-COH-11111111", "sic_codes"] == ["88990"]
    assert nodes.loc["GB-COH-11111111", "registration_date"] == "2018-04-01"
    youth = nodes.loc["GB-COH-SC222222"]
    assert youth["sic_codes"] == ["85590", "93120"] and youth["other_names"] == ["EXAMPLE YOUTH PROJECT CIC"]
    assert nodes.loc["GB-COH-03333333", "company_number"] == "03333333"  # padded to 8
    assert nodes.loc["GB-COH-IP55555", "kind"] == "Mutual"
    [bad] = result.rejections.to_dict("records")
    assert (bad["row"], bad["field"], bad["reason"]) == (7, "CompanyName", "no company name")


def test_postcode_filter_needs_a_postcode_directory() -> None:
    with pytest.raises(ConfigError, match="add an 'ons-postcodes' source"):
        CompaniesHouseLoader().load(SAMPLE, HOUNSLOW)
    places = PlaceIndex(postcode_lsoa={"TW13 4AA": "E01002555@2011", "TW8 0AA": "E01002570@2011"})
    result = CompaniesHouseLoader().load(SAMPLE, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", places=places))
    assert sorted(result.nodes["id"]) == ["GB-COH-03333333", "GB-COH-11111111"]
    assert result.filter_applied == "registered office postcode in E09000018: 2 of 6 companies"


def test_missing_columns_and_duplicates(tmp_path: Path) -> None:
    text = SAMPLE.read_text()
    (tmp_path / "renamed.csv").write_text(text.replace("RegAddress.PostCode", "Postcode", 1))
    with pytest.raises(SourceFormatError, match=r"renamed.csv row 1 \(header\): missing column\(s\) RegAddress.PostCode"):
        CompaniesHouseLoader().load(tmp_path / "renamed.csv", HOUNSLOW, filter="none")
    lines = text.splitlines()
    (tmp_path / "twice.csv").write_text("\n".join(lines + [lines[1]]) + "\n")
    result = CompaniesHouseLoader().load(tmp_path / "twice.csv", HOUNSLOW, filter="none")
    assert "duplicate company number" in set(result.rejections["reason"])
