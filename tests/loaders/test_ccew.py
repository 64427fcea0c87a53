"""The Charity Commission register extract: both published forms, filtering, pseudonymised trustees."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.loaders.base import PROVENANCE_COLUMNS, LoadContext
from civicgraph.loaders.ccew import CharityCommissionLoader
from civicgraph.loaders.place_index import PlaceIndex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_OTHER_NAMES = Path(__file__).resolve().parents[2] / "data" / "ccew_extract"
KEY = b"a key of the user's own"


def context(**changes: object) -> LoadContext:
    places = PlaceIndex(codes={"E09000018": "E09000018@2017"})
    return replace(LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", pseudonym_key=KEY, places=places), **changes)


def _charities(result) -> pd.DataFrame:  # noqa: ANN001
    nodes = result.nodes[result.nodes["kind"].isin(["Charity", "CharitableIncorporatedOrganisation"])]
    return nodes.dropna(subset=["name"]).set_index("id")


@pytest.mark.parametrize("form", ["ccew", "ccew_json"])
def test_both_published_forms_give_the_same_charities(form: str) -> None:
    result = CharityCommissionLoader().load(FIXTURES / form, context())
    charities = _charities(result)
    assert sorted(charities.index) == ["GB-CHC-1061681", "GB-CHC-1061681-1", "GB-CHC-1106260", "GB-CHC-1128267",
                                       "GB-CHC-296742"]
    age_uk_hounslow = charities.loc["GB-CHC-1061681"]
    assert age_uk_hounslow["latest_income"] == 1450000.5
    assert age_uk_hounslow["income_band"] == "large"
    assert age_uk_hounslow["other_ids"] == ["GB-COH-03294445"]
    assert charities.loc["GB-CHC-1128267", "scale"] == "national"
    assert charities.loc["GB-CHC-1106260", "scale"] == "local"
    assert charities.loc["GB-CHC-296742", "removal_date"] == "2011-07-12"
    linked = result.edges[(result.edges["relation"] == "PART_OF")]
    assert linked[["source", "target"]].values.tolist() == [["GB-CHC-1061681-1", "GB-CHC-1061681"]]
    serves = result.edges[result.edges["relation"] == "SERVES_AREA"]
    assert set(serves["target"]) == {"E09000018@2017"} and len(serves) == 5


def test_a_charity_elsewhere_is_filtered_out_and_bad_income_rejected() -> None:
    result = CharityCommissionLoader().load(FIXTURES / "ccew", context())
    assert "GB-CHC-1000001" not in set(result.nodes["id"])  # Camden
    [bad] = result.rejections.to_dict("records")
    assert (bad["row"], bad["field"], bad["value"], bad["reason"]) == (
        "publicextract.charity.txt row 8", "latest_income", "n/a", "not a number")


def test_contact_details_are_never_read() -> None:
    result = CharityCommissionLoader().load(FIXTURES / "ccew", context())
    text = result.nodes.drop(columns=PROVENANCE_COLUMNS).to_csv()
    assert "Example Street" not in text and "contact@example.org" not in text and "020 0000 0000" not in text


def test_trustees_are_pseudonymised_and_interlocks_survive() -> None:
    result = CharityCommissionLoader().load(FIXTURES / "ccew", context())
    people = result.nodes[result.nodes["kind"] == "Person"]
    assert not people.drop(columns=PROVENANCE_COLUMNS).to_csv().lower().count("example")
    trustee_of = result.edges[result.edges["relation"] == "TRUSTEE_OF"]
    boards = trustee_of.groupby("source")["target"].apply(set)
    # "Alex Example" and "alex  example" are one person on two boards
    assert {"GB-CHC-1106260", "GB-CHC-1061681"} in boards.tolist()
    other_key = CharityCommissionLoader().load(FIXTURES / "ccew", context(pseudonym_key=b"another key"))
    assert set(other_key.nodes.loc[other_key.nodes["kind"] == "Person", "id"]).isdisjoint(set(people["id"]))


def test_trustees_need_the_users_key() -> None:
    with pytest.raises(ConfigError, match="CIVICGRAPH_PSEUDONYM_KEY"):
        CharityCommissionLoader().load(FIXTURES / "ccew", context(pseudonym_key=None))
    without = CharityCommissionLoader().load(FIXTURES / "ccew", context(pseudonym_key=None), trustees=False)
    assert "Person" not in set(without.nodes["kind"])


def test_classification_other_names_and_income_history() -> None:
    result = CharityCommissionLoader().load(FIXTURES / "ccew", context())
    nodes = result.nodes
    other = nodes.dropna(subset=["other_names"]).set_index("id")["other_names"]
    assert other["GB-CHC-1061681"] == ["AGE CONCERN HOUNSLOW"]
    history = nodes.dropna(subset=["income_history"]).set_index("id")["income_history"]
    assert history["GB-CHC-1106260"] == [["2022-03-31", 65000.0, 64000.0], ["2023-03-31", 72863.0, 70100.0]]
    themes = nodes[nodes["kind"] == "Theme"].set_index("id")
    assert themes.loc["THEME-ccew-what-the-prevention-or-relief-of-poverty", "category"] == "charity what"


def test_charity_registered_in_the_authority_is_kept_by_postcode(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ccew", tmp_path / "x")
    (tmp_path / "x" / "publicextract.charity_area_of_operation.txt").unlink()
    places = PlaceIndex(postcode_lsoa={"TW13 4ND": "E01002556@2011"})
    result = CharityCommissionLoader().load(tmp_path / "x", LoadContext("E09000018", "GB-LAE-HNS", "Hounslow",
                                                                        pseudonym_key=KEY, places=places))
    assert sorted(_charities(result).index) == ["GB-CHC-1106260"]


def test_real_other_names_only_enrich_charities_found_elsewhere() -> None:
    result = CharityCommissionLoader().load(REAL_OTHER_NAMES, context())
    assert result.nodes["enrich_only"].all()
    assert len(result.nodes) == 99  # 121 rows, 99 charities


def test_broken_extract_tables(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ccew", tmp_path / "tsv")
    charity = tmp_path / "tsv" / "publicextract.charity.txt"
    charity.write_text(charity.read_text().replace("latest_income", "income", 1))
    unknown = _charities(CharityCommissionLoader().load(tmp_path / "tsv", context()))
    assert unknown["latest_income"].isna().all()  # a column the file lacks is unknown, not an error
    charity.write_text(charity.read_text().replace("registered_charity_number", "number", 1))
    with pytest.raises(SourceFormatError, match=r"publicextract.charity.txt row 1 \(header\): missing column\(s\) "
                                                r"registered_charity_number"):
        CharityCommissionLoader().load(tmp_path / "tsv", context())
    shutil.copytree(FIXTURES / "ccew_json", tmp_path / "json")
    charity = tmp_path / "json" / "publicextract.charity.json"
    charity.write_text(charity.read_text(encoding="utf-8-sig")[:1500], encoding="utf-8")
    with pytest.raises(SourceFormatError, match="publicextract.charity.json: not valid JSON.*truncated"):
        CharityCommissionLoader().load(tmp_path / "json", context())
    charity.write_text("")
    with pytest.raises(SourceFormatError, match="publicextract.charity.json: the file is empty"):
        CharityCommissionLoader().load(tmp_path / "json", context())
    (tmp_path / "nothing").mkdir()
    with pytest.raises(SourceFormatError, match="no register extract tables"):
        CharityCommissionLoader().load(tmp_path / "nothing", context())


def test_cp1252_extract_is_refused_clearly(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ccew", tmp_path / "x")
    charity = tmp_path / "x" / "publicextract.charity.txt"
    charity.write_bytes(charity.read_text().replace("AGE UK HOUNSLOW", "AGE UK HOUNSLOW CAFÉ").encode("cp1252"))
    with pytest.raises(SourceFormatError, match="not UTF-8"):
        CharityCommissionLoader().load(tmp_path / "x", context())


def test_duplicate_charity_rows_are_rejected(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ccew", tmp_path / "x")
    charity = tmp_path / "x" / "publicextract.charity.txt"
    lines = charity.read_text().splitlines()
    charity.write_text("\n".join(lines + [lines[1]]) + "\n")
    result = CharityCommissionLoader().load(tmp_path / "x", context())
    assert "duplicate charity in the table" in set(result.rejections["reason"])


def test_a_register_list_csv_with_some_of_the_charity_columns_is_one_source() -> None:
    places = PlaceIndex(codes={"E09000018": "E09000018@2017"},
                        postcode_lsoa={"TW13 4ND": "E01002555@2011", "TW3 1JX": "E01002556@2011"})
    result = CharityCommissionLoader().load(FIXTURES / "ccew" / "register_list.csv", context(places=places))
    charities = _charities(result)
    assert sorted(charities.index) == ["GB-CHC-1061681", "GB-CHC-1106260"]  # the two with a Hounslow postcode
    assert charities.loc["GB-CHC-1061681", "latest_income"] == 1450000.5
    assert charities.loc["GB-CHC-1106260", "legal_form"] == "Other"
    assert "registration_date" not in charities or charities["registration_date"].isna().all()  # not given: unknown
    assert result.rejections.empty


def test_a_register_list_in_a_national_build_keeps_every_row() -> None:
    national = LoadContext("K04000001", "", "England and Wales")
    result = CharityCommissionLoader().load(FIXTURES / "ccew" / "register_list.csv", national)
    assert len(_charities(result)) == 4


def test_a_register_list_without_a_charity_number_is_refused(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("Charity Name,Latest Income\nA,1\n")
    with pytest.raises(SourceFormatError, match="list.csv row 1 \\(header\\): missing column\\(s\\) "
                                                "registered_charity_number"):
        CharityCommissionLoader().load(tmp_path / "list.csv", context())


def test_inspect_counts_trustees_without_the_users_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicgraph.pipeline.config import PSEUDONYM_KEY_VARIABLE
    from civicgraph.pipeline.inspect import inspect_source

    monkeypatch.delenv(PSEUDONYM_KEY_VARIABLE, raising=False)
    report = inspect_source("ccew", FIXTURES / "ccew", authority="E09000018")
    monkeypatch.setenv(PSEUDONYM_KEY_VARIABLE, "a key of the user's")
    keyed = inspect_source("ccew", FIXTURES / "ccew", authority="E09000018")
    assert report["nodes"] == keyed["nodes"] and report["nodes"]["Person"] > 0
    assert any("one-time key" in warning for warning in report["warnings"])
    assert not any("one-time key" in warning for warning in keyed["warnings"])


def test_register_dates_in_other_layouts_are_read_and_impossible_ones_rejected(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ccew", tmp_path / "tsv")
    charity = tmp_path / "tsv" / "publicextract.charity.txt"
    text = charity.read_text()
    assert "2004-09-01T00:00:00" in text and "1997-03-12T00:00:00" in text
    charity.write_text(text.replace("2004-09-01T00:00:00", "2019-02-30", 1).replace("1997-03-12T00:00:00", "12/03/1997", 1))
    result = CharityCommissionLoader().load(tmp_path / "tsv", context())
    charities = _charities(result)
    assert charities.loc["GB-CHC-1061681", "registration_date"] == "1997-03-12"  # day first, as the UK writes it
    assert pd.isna(charities.loc["GB-CHC-1106260", "registration_date"])  # never stored as written
    rejected = result.rejections.query("field == 'date_of_registration'")
    assert rejected["value"].tolist() == ["2019-02-30"] and "not a real date" in rejected["reason"].iloc[0]
