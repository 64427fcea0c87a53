"""Council transparency data: a real, messy spend file, and a land and assets register."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import SourceFormatError
from loaders.base import LoadContext
from loaders.transparency import AssetsLoader, SpendLoader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPEND = FIXTURES / "spend" / "lambeth_payments_2012_06.csv"
LAMBETH = LoadContext("E09000022", "GB-LAE-LBH", "London Borough of Lambeth")
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "London Borough of Hounslow")
FILE_TOTAL = 40_292_334.84  # the file's own footer total
PAID_TO_PEOPLE = 68_713.79  # the 28 payments to suppliers named as people (by title, or initials t/a)


def test_every_payment_is_loaded_or_reported_and_the_money_adds_up() -> None:
    result = SpendLoader().load(SPEND, LAMBETH)
    paid = result.edges[result.edges["relation"] == "PAID_BY"]
    rejected = len(result.rejections)
    assert "28 withheld as personal data" in result.filter_applied  # suppliers named as people ("Mr F ...")
    assert len(paid) + rejected + 28 == 3155  # data rows in the file, less the footer lines
    lost = 8755.20 + 24000.00 + 14281.40 + 740  # the four rows whose columns are shifted
    assert paid["amount"].sum() == pytest.approx(FILE_TOTAL - lost - PAID_TO_PEOPLE, abs=0.01)
    assert set(result.rejections["reason"]) == {"supplier and date run together, so the columns are shifted; fix the source"}


def test_directorates_suppliers_and_repaired_rows() -> None:
    result = SpendLoader().load(SPEND, LAMBETH)
    directorates = result.nodes[result.nodes["kind"] == "Directorate"].drop_duplicates("id")
    assert set(directorates["name"]) == {"Adults' and Community Services", "Children and Young People's Service",
                                         "Housing, Regeneration and Environment",
                                         "Office of the Chief Executive/Finance and Resources"}
    part_of = result.edges[result.edges["relation"] == "PART_OF"]
    assert set(part_of["target"]) == {"GB-LAE-LBH"}
    guest_house = result.edges[(result.edges["source"] == "SUPPLIER-LBH-a-a-guesthouses")]
    assert sorted(guest_house["amount"]) == [870.0, 900.0, 930.0, 930.0]
    assert guest_house["note"].str.contains("repaired").all()
    assert result.nodes.set_index("id").loc["SUPPLIER-LBH-229-mitcham-lane-ltd", "kind"].iloc[0] == "Company"
    assert not result.nodes["name"].dropna().str.contains("\u2020").any()  # mis-decoded spaces undone


def test_personal_data_suppliers_are_withheld(tmp_path: Path) -> None:
    text = SPEND.read_text(encoding="utf-8")
    text = text.replace("170 Community Project", "REDACTED PERSONAL DATA")
    (tmp_path / "spend.csv").write_text(text, encoding="cp1252", errors="replace")
    result = SpendLoader().load(tmp_path / "spend.csv", LAMBETH)
    assert "29 withheld as personal data" in result.filter_applied  # and the 28 named as people
    assert not result.nodes["name"].dropna().str.contains("REDACTED").any()


def test_spend_file_without_amounts_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "spend.csv").write_text("Body,Department,Supplier Name,Date\nX,Y,Z,01/01/2020\n")
    with pytest.raises(SourceFormatError, match=r"spend.csv row 1 \(header\): no column for amount"):
        SpendLoader().load(tmp_path / "spend.csv", LAMBETH)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SourceFormatError, match="empty.csv: the file is empty"):
        SpendLoader().load(tmp_path / "empty.csv", LAMBETH)


def test_assets_owned_occupied_and_rent_terms() -> None:
    result = AssetsLoader().load(FIXTURES / "assets" / "land_and_assets.csv", HOUNSLOW)
    nodes = result.nodes.drop_duplicates("id").set_index("id")
    assert nodes.loc["ASSET-HNS-hns-0003", "kind"] == "Land"
    assert nodes.loc["ASSET-HNS-hns-0002", "rent_gbp"] == 12500.0
    occupies = result.edges[result.edges["relation"] == "OCCUPIES"].set_index("source")
    assert occupies.loc["LOCAL-HNS-bedfont-lunch-club", "rent_terms"] == "peppercorn"
    assert occupies.loc["LOCAL-HNS-chiswick-residents-association", "rent_terms"] == "discounted"
    assert "LOCAL-HNS-vacant" not in nodes.index
    rejected = result.rejections[["row", "field", "value"]].values.tolist()
    assert rejected == [[10, "Asset Name", ""], [11, "Rent", "minus 50"]]
