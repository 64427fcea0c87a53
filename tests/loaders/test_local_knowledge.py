"""The local knowledge workbook: the Hounslow example, the template, and validation messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.local_knowledge import SHEETS, WorkbookLoader, write_template
from civicgraph.loaders.place_index import PlaceIndex

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "local_knowledge" / "hounslow"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def test_hounslow_example_cites_the_review_on_every_row() -> None:
    result = WorkbookLoader().load(EXAMPLE, HOUNSLOW)
    assert result.rejections.empty
    records = result.nodes["prov_record"].tolist() + result.edges["prov_record"].tolist()
    assert all("Thriving Communities Review 2018" in r for r in records)


def test_hounslow_example_holds_the_facts_the_review_states() -> None:
    result = WorkbookLoader().load(EXAMPLE, HOUNSLOW)
    nodes = result.nodes.drop_duplicates("id").set_index("id")
    names = set(nodes["name"])
    assert {"Hounslow Community Network", "Residents Association Forum", "Hounslow Voluntary Sector Support Service",
            "Volunteering Hounslow", "Hounslow VCSE Partnership", "Community Partnerships Unit"} <= names
    teams = nodes[nodes["kind"] == "Team"]
    cpu_teams = result.edges[(result.edges["relation"] == "PART_OF") & (result.edges["target"] == "LOCAL-HNS-CPU")]
    assert len(cpu_teams) == 3 and set(cpu_teams["source"]) <= set(teams.index)
    life = nodes.loc[["LOCAL-HNS-life-project-mixed", "LOCAL-HNS-life-project-lead"], "provider_count"].tolist()
    assert life == [30, 1]
    assert nodes.loc["LOCAL-HNS-local-cil-to-2018", "amount"] == 302292
    assert nodes.loc["LOCAL-HNS-local-cil-2018-19", "amount"] == 583141
    assert set(nodes.loc[nodes["kind"] == "BusinessImprovementDistrict", "name"]) == {
        "Chiswick Business Improvement District", "Brentford Business Improvement District",
        "Feltham Business Improvement District"}


def test_template_documents_every_sheet_and_reads_back_empty(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["README"] + [s.name for s in SHEETS]
    readme = book["README"]
    assert set(readme["sheet"]) == {s.name for s in SHEETS}
    assert readme["what it holds"].notna().all()
    result = WorkbookLoader().load(path, HOUNSLOW)
    assert result.nodes.empty and result.rejections.empty


def test_xlsx_and_csv_forms_load_the_same(tmp_path: Path) -> None:
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        for sheet in SHEETS:
            file = EXAMPLE / f"{sheet.name}.csv"
            if file.exists():
                pd.read_csv(file, dtype=str).to_excel(writer, sheet_name=sheet.name, index=False)
    from_xlsx = WorkbookLoader().load(tmp_path / "book.xlsx", HOUNSLOW)
    from_csv = WorkbookLoader().load(EXAMPLE, HOUNSLOW)
    assert sorted(from_xlsx.nodes["id"]) == sorted(from_csv.nodes["id"])
    assert len(from_xlsx.edges) == len(from_csv.edges)


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "book")
    return tmp_path / "book"


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + line + "\n")


def test_invalid_rows_are_rejected_naming_sheet_row_and_field(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    _append(book / "organisations.csv", ",Bedfont Lunch Club,UnregisteredGrop,,,,,,,,,,workshop,2024-03-01")
    _append(book / "organisations.csv", ",Feltham Mums,UnregisteredGroup,,,lots,,,,,,,workshop,2024-03-01")
    _append(book / "organisations.csv", ",Feltham Mums,UnregisteredGroup,,,,,,,,,,workshop,2024-03-01")
    _append(book / "relationships.csv", "Feltham Mums,friends with,Volunteering Hounslow,,,,,,,,,workshop,")
    _append(book / "relationships.csv", "Feltham Mums,occupancy,Volunteering Hounslow,,,,,,,cheap,,workshop,")
    _append(book / "relationships.csv", "Feltham Mums,member of,,,,,,,,,,workshop,")
    result = WorkbookLoader().load(book, HOUNSLOW)
    found = result.rejections[["row", "field", "value"]].values.tolist()
    assert ["organisations.csv row 20", "kind", "UnregisteredGrop"] in found
    assert ["organisations.csv row 21", "income_gbp", "lots"] in found
    assert ["relationships.csv row 22", "relation", "friends with"] in found
    assert ["relationships.csv row 23", "rent_terms", "cheap"] in found
    assert ["relationships.csv row 24", "to", ""] in found
    reasons = " ".join(result.rejections["reason"])
    assert "Use one of" in reasons
    # the valid Feltham Mums row (the third) loaded
    assert "LOCAL-HNS-feltham-mums" in set(result.nodes["id"])


def test_duplicate_names_in_a_sheet_are_refused(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    _append(book / "organisations.csv", ",Volunteering Hounslow,InfrastructureBody,,,,,,,,,,workshop,2024-03-01")
    result = WorkbookLoader().load(book, HOUNSLOW)
    assert "duplicate" in result.rejections.iloc[0]["reason"]


def test_unknown_or_missing_columns_are_a_clear_error(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    text = (book / "organisations.csv").read_text()
    (book / "organisations.csv").write_text(text.replace("income_gbp", "income", 1))
    with pytest.raises(SourceFormatError, match=r"organisations.csv row 1 \(header\): unknown column\(s\) income"):
        WorkbookLoader().load(book, HOUNSLOW)
    (book / "organisations.csv").write_text(text.replace(",kind,", ",type,", 1))
    with pytest.raises(SourceFormatError, match=r"missing column\(s\) kind"):
        WorkbookLoader().load(book, HOUNSLOW)


def test_ward_by_name_or_code_locates_a_group(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    _append(book / "organisations.csv", ",Bedfont Lunch Club,UnregisteredGroup,bedfont,,4000,local,,older people,,active,,workshop,2024-03-01")
    places = PlaceIndex(codes={"E05000346": "E05000346@2017"}, ward_names={"bedfont": "E05000346@2017"},
                        ward_authority={"E05000346@2017": "E09000018@2017"})
    result = WorkbookLoader().load(book, LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", places=places))
    located = result.edges[(result.edges["relation"] == "LOCATED_IN")]
    assert located[["source", "target"]].values.tolist() == [["LOCAL-HNS-bedfont-lunch-club", "E05000346@2017"]]
    club = result.nodes.set_index("id").loc["LOCAL-HNS-bedfont-lunch-club"]
    assert club["income_band"] == "micro"


def _workbook_from_folder(tmp_path: Path, titles: dict[str, str]) -> Path:
    folder = Path(__file__).resolve().parents[2] / "data" / "local_knowledge" / "hounslow"
    path = tmp_path / "workbook.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for file in sorted(folder.glob("*.csv")):
            frame = pd.read_csv(file, dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=titles.get(file.stem, file.stem), index=False)
    return path


def test_a_sheet_titled_like_its_csv_file_is_read_and_an_unknown_one_refused(tmp_path: Path) -> None:
    context = LoadContext("E09000018", "GB-LAE-HNS", "London Borough of Hounslow")
    plain = WorkbookLoader().load(_workbook_from_folder(tmp_path, {}), context)
    titled = WorkbookLoader().load(_workbook_from_folder(tmp_path, {"organisations": "Organisations.csv"}), context)
    assert len(titled.nodes) == len(plain.nodes) and len(plain.nodes) > 0
    with pytest.raises(SourceFormatError, match=r"workbook.xlsx sheet 'Orgs': not a sheet of the workbook"):
        WorkbookLoader().load(_workbook_from_folder(tmp_path, {"organisations": "Orgs"}), context)


@pytest.mark.parametrize(("written", "stored"), [("1/2/2019", "2019-02-01"), ("2019-02-30", None), ("02/30/2019", None)])
def test_workbook_dates_are_day_first_and_impossible_ones_rejected(written: str, stored: str | None,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "hounslow"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "local_knowledge" / "hounslow", folder)
    with (folder / "contracts.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"LOCAL-HNS-date-test,Date test contract,,{written},,,,test,2020-01-01\n")
    result = WorkbookLoader().load(folder, LoadContext("E09000018", "GB-LAE-HNS", "London Borough of Hounslow"))
    contracts = result.nodes.set_index("id")
    if stored:
        assert contracts.loc["LOCAL-HNS-date-test", "start_date"] == stored
    else:
        assert "LOCAL-HNS-date-test" not in contracts.index
        assert result.rejections["value"].tolist()[-1] == written


def test_workbook_relations_keep_their_period_or_the_date_they_were_stated(tmp_path: Path) -> None:
    folder = tmp_path / "wb"
    shutil.copytree(EXAMPLE, folder)
    relationships = pd.read_csv(folder / "relationships.csv", dtype=str)
    relationships.loc[0, ["start_date", "end_date"]] = ["2019-01-01", "2020-12-31"]
    relationships.to_csv(folder / "relationships.csv", index=False)
    edges = WorkbookLoader().load(folder, HOUNSLOW).edges
    [first] = edges[edges["prov_record"].str.contains(r"relationships\S* row 2:")].to_dict("records")
    assert (first["start_date"], first["end_date"], pd.isna(first["date"])) == ("2019-01-01", "2020-12-31", True)
    undated = edges[edges["start_date"].isna() & edges["end_date"].isna()]
    assert not undated.empty and set(undated["date"]) == {"2018-10-01"}


def test_groups_named_in_other_scripts_all_load_with_distinct_ids(tmp_path: Path) -> None:
    names = ["تعاون الجالية", "جمعية النساء", "华人社区中心", "Русская школа", "हिंदी सभा", "😀🎉", "🌳"]
    book = _copy(tmp_path)
    for name in names:
        _append(book / "organisations.csv", f",{name},UnregisteredGroup,,,,,,,,,,workshop,2024-03-01")
    result = WorkbookLoader().load(book, HOUNSLOW)
    assert result.rejections.empty, result.rejections.to_dict("records")
    loaded = result.nodes.set_index("name").loc[names, "id"]
    assert loaded.is_unique and not loaded.str.endswith("-").any(), loaded.tolist()
