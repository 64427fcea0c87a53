"""Council transparency data: a real, messy spend file, and a land and assets register."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.transparency import AssetsLoader, SpendLoader

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


LGTC_SPEND = FIXTURES / "spend" / "lgtc_spend_schema.csv"
LGTC_ASSETS = FIXTURES / "assets" / "lgtc_land_assets_schema.csv"
MANCHESTER = LoadContext("E08000003", "GB-LAE-MAN", "Manchester City Council")


def test_spend_in_the_transparency_code_schema_layout_is_read() -> None:
    result = SpendLoader().load(LGTC_SPEND, MANCHESTER)
    paid = result.edges[result.edges["relation"] == "PAID_BY"]
    assert len(paid) == 8 and result.rejections.empty  # nine rows, one withheld as personal data
    directorates = result.nodes[result.nodes["kind"] == "Directorate"].drop_duplicates("id")
    assert set(directorates["name"]) == {"Adults", "Place", "Children's Services"}  # not the cost centres


def test_credit_notes_are_negative_payments_netted_per_supplier() -> None:
    result = SpendLoader().load(LGTC_SPEND, MANCHESTER)
    paid = result.edges[result.edges["relation"] == "PAID_BY"]
    net = paid.groupby("source")["amount"].sum()
    assert net["GB-CHC-1012345"] == pytest.approx(9000.0)
    assert net["GB-COH-01234567"] == pytest.approx(4000.0)
    credits = paid[paid["amount"] < 0]
    assert len(credits) == 2 and credits["note"].str.contains("credit note").all()
    assert "2 refunds or credit notes" in result.filter_applied


def test_suppliers_take_the_kind_their_numbers_and_names_tell() -> None:
    nodes = SpendLoader().load(LGTC_SPEND, MANCHESTER).nodes.drop_duplicates("id").set_index("id")["kind"]
    assert nodes["GB-CHC-1012345"] == "Charity"
    assert nodes["GB-COH-01234567"] == "Company"
    assert nodes["SUPPLIER-MAN-neighbouring-borough-council"] == "Council"
    assert nodes["SUPPLIER-MAN-example-health-nhs-foundation-trust"] == "NHSBody"
    assert nodes["SUPPLIER-MAN-smith-sons-bakery"] == "Company"
    assert nodes["SUPPLIER-MAN-northside-lunch-club"] == "Organisation"


def test_headers_match_ignoring_case_spaces_and_punctuation(tmp_path: Path) -> None:
    text = LGTC_SPEND.read_text().replace("BeneficiaryName", "beneficiary_name").replace("PaymentDate", "PAYMENT DATE")
    (tmp_path / "spend.csv").write_text(text)
    paid = SpendLoader().load(tmp_path / "spend.csv", MANCHESTER).edges
    assert (paid["relation"] == "PAID_BY").sum() == 8


def test_a_cost_centre_column_maps_to_directorates_through_a_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "directorates.csv"
    mapping.write_text("Cost Centre,Directorate\nDay Centre North,Adult Services\nDay Centre South,Adult Services\n"
                       "Highways Depot,Environment\n")
    result = SpendLoader().load(LGTC_SPEND, MANCHESTER, directorate_map=mapping)
    directorates = result.nodes[result.nodes["kind"] == "Directorate"].drop_duplicates("id")
    assert set(directorates["name"]) == {"Adult Services", "Environment"}
    assert set(result.rejections["value"]) == {"Schools Admin"}
    assert set(result.rejections["reason"]) == {"cost centre not in the directorate_map"}
    chosen = SpendLoader().load(LGTC_SPEND, MANCHESTER, directorate_column="Service Category Label")
    assert "Highways and Transport" in set(chosen.nodes["name"])
    with pytest.raises(SourceFormatError, match="no column 'Division'"):
        SpendLoader().load(LGTC_SPEND, MANCHESTER, directorate_column="Division")


def test_a_department_column_of_cost_centres_warns(tmp_path: Path) -> None:
    rows = [f"Centre {n},Supplier {n} Ltd,01/04/2024,{600 + n}" for n in range(SpendLoader.most_directorates + 1)]
    (tmp_path / "spend.csv").write_text("Service,Supplier Name,Payment Date,Amount\n" + "\n".join(rows) + "\n")
    result = SpendLoader().load(tmp_path / "spend.csv", MANCHESTER)
    assert len(result.warnings) == 1 and "directorate_map" in result.warnings[0]
    assert result.summary()["warnings"] == result.warnings


def test_assets_in_the_schema_layout_are_keyed_on_the_asset_code_not_the_uprn() -> None:
    result = AssetsLoader().load(LGTC_ASSETS, MANCHESTER)
    assert result.rejections.empty
    nodes = result.nodes.drop_duplicates("id").set_index("id")
    assets = nodes[nodes["kind"].isin(["Building", "Land"])]
    assert len(assets) == 5  # three share one UPRN
    assert assets.loc["ASSET-MAN-a0003", "address"] == "12A High Street, Exampleton"
    assert assets.loc["ASSET-MAN-a0003", "postcode"] == "EX1 1AB"
    assert assets.loc["ASSET-MAN-a0005", "tenure"] == "Leasehold"


def test_asset_relations_are_dated_as_of_the_register() -> None:
    result = AssetsLoader().load(FIXTURES / "assets" / "land_and_assets.csv", HOUNSLOW, date="2023-04-01")
    assert set(result.edges["date"]) == {"2023-04-01"}
