"""360Giving: the JSON and spreadsheet forms agree, invalid grants are rejected, the rest load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.threesixtygiving import ThreeSixtyGivingLoader

DATA = Path(__file__).resolve().parents[2] / "data" / "360giving"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threesixtygiving"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
#: The Indigo Trust's whole 360Giving CSV (269 grants, three with the duration "Undefined"), as published.
INDIGO_TRUST = FIXTURES.parent / "resolution" / "indigo_trust.csv"


def load(path: Path, context: LoadContext = HOUNSLOW, **options):  # noqa: ANN201
    return ThreeSixtyGivingLoader().load(path, context, **options)


def test_hounslow_grants_load_with_funders_recipients_and_money() -> None:
    result = load(DATA / "hounslow_360giving_grants.json", filter="none")
    assert result.rejections.empty
    grants = result.nodes[result.nodes["kind"] == "Grant"].set_index("id")
    assert len(grants) == 12
    assert grants.loc["360G-LBFEW-111219", "amount"] == 72863.0
    assert grants.loc["360G-LBFEW-111219", "award_date"] == "2015-02-04"
    funded = result.edges[result.edges["relation"] == "FUNDED_BY"]
    assert funded["amount"].sum() == 481363.0
    assert set(funded["target"]) >= {"GB-CHC-327114"}
    # groups without an Org-ID keep their 360G- identifier
    assert (result.nodes["id"].str.startswith("360G-") & (result.nodes["kind"] == "Organisation")).any()


def test_three_date_formats_become_iso_dates() -> None:
    result = load(DATA / "hounslow_360giving_grants.json", filter="none")
    dates = result.nodes.loc[result.nodes["kind"] == "Grant", "award_date"]
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert "2011-05-01" in set(dates)  # "05/2011", month precision


def test_json_and_xlsx_of_the_same_file_agree() -> None:
    from_json = load(FIXTURES / "lloyds_bank_foundation_2010_2015.json", filter="none")
    from_xlsx = load(FIXTURES / "lloyds_bank_foundation_2010_2015.xlsx", filter="none")
    grants_json = from_json.nodes[from_json.nodes["kind"] == "Grant"].set_index("id")["amount"]
    grants_xlsx = from_xlsx.nodes[from_xlsx.nodes["kind"] == "Grant"].set_index("id")["amount"]
    common = grants_json.index.intersection(grants_xlsx.index)
    assert len(common) >= 4100
    assert (grants_json[common] == grants_xlsx[common]).all()
    assert set(from_json.rejections["reason"]) == {"'description' is a required property"}


def test_csv_with_publisher_column_titles_loads(tmp_path: Path) -> None:
    result = load(FIXTURES / "indigo_trust_sample.csv", filter="none")
    assert len(result.nodes[result.nodes["kind"] == "Grant"]) == 4
    bad = result.rejections.iloc[0]
    assert bad["field"] == "plannedDates.0.duration" and bad["value"] == "Undefined" and "number" in bad["reason"]


def test_cp1252_and_bom_csv_read_the_same(tmp_path: Path) -> None:
    text = (FIXTURES / "indigo_trust_sample.csv").read_text(encoding="utf-8")
    (tmp_path / "bom.csv").write_text(text, encoding="utf-8-sig")
    (tmp_path / "cp1252.csv").write_text(text.replace("Discover", "Café Discover £"), encoding="cp1252")
    with_bom = load(tmp_path / "bom.csv", filter="none")
    windows = load(tmp_path / "cp1252.csv", filter="none")
    assert len(with_bom.nodes) == len(load(FIXTURES / "indigo_trust_sample.csv", filter="none").nodes)
    assert "Café Discover £" in set(windows.nodes["name"])


def test_truncated_json_is_a_clear_error(tmp_path: Path) -> None:
    text = (DATA / "hounslow_360giving_grants.json").read_text()
    (tmp_path / "cut.json").write_text(text[: len(text) // 2])
    with pytest.raises(SourceFormatError, match=r"cut.json: not valid JSON after 5 grants .*truncated"):
        load(tmp_path / "cut.json")


def test_empty_file_and_missing_columns_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SourceFormatError, match="empty.csv: the file is empty"):
        load(tmp_path / "empty.csv")
    (tmp_path / "renamed.csv").write_text("Grant ID,Amount,Funder\n1,2,3\n")
    with pytest.raises(SourceFormatError, match=r"renamed.csv row 1 \(header\): missing 360Giving column\(s\) Identifier"):
        load(tmp_path / "renamed.csv")


def _package(tmp_path: Path, grants: list[dict]) -> Path:
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": grants}))
    return path


def _grant(**changes: object) -> dict:
    base = json.loads((DATA / "hounslow_360giving_grants.json").read_text())["grants"][0]
    return {**base, **changes}


def test_bad_grants_are_rejected_and_the_rest_load(tmp_path: Path) -> None:
    path = _package(tmp_path, [
        _grant(),
        _grant(id="360G-x-2", amountAwarded="n/a"),
        _grant(id="360G-x-3", amountAwarded=-5),
        _grant(id="360G-x-4", currency="POUNDS"),
        _grant(),  # the first one again
    ])
    result = load(path, filter="none")
    assert result.nodes["kind"].eq("Grant").sum() == 1
    reasons = dict(zip(result.rejections["field"], result.rejections["reason"]))
    assert "not of type 'number'" in reasons["amountAwarded"] or "negative" in reasons["amountAwarded"]
    assert set(result.rejections["row"].str.extract(r"\((.*)\)")[0]) == {"360G-x-2", "360G-x-3", "360G-x-4",
                                                                         "360G-LBFEW-111219"}
    assert result.rejections["reason"].str.contains("duplicate grant id").any()


def test_authority_filter_uses_location_codes(tmp_path: Path) -> None:
    places = PlaceIndex(codes={"E05000348": "E05000348@2017", "E01002555": "E01002555@2011"},
                        ward_authority={"E05000348@2017": "E09000018@2017"},
                        lsoa_ward={"E01002555@2011": "E05000346@2017"})
    context = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", places=places)
    path = _package(tmp_path, [
        _grant(id="360G-a", beneficiaryLocation=[{"geoCode": "E01002555", "geoCodeType": "LSOA"}]),
        _grant(id="360G-b", recipientWardNameGeoCode="E05000348"),
        _grant(id="360G-c", beneficiaryLocation=[{"geoCode": "E01000001", "geoCodeType": "LSOA"}]),
        _grant(id="360G-d", recipientDistrictGeoCode="E09000018"),
    ])
    result = load(path, context)
    kept = set(result.nodes.loc[result.nodes["kind"] == "Grant", "id"])
    assert kept == {"360G-a", "360G-b", "360G-d"}
    assert result.filter_applied.endswith("3 of 4 grants")
    serves = result.edges[result.edges["relation"] == "SERVES_AREA"]
    assert serves[["source", "target"]].values.tolist() == [["360G-a", "E01002555@2011"]]
    located = result.edges[result.edges["relation"] == "LOCATED_IN"]
    assert located["target"].tolist() == ["E05000348@2017"]


def test_unknown_filter_lists_the_choices() -> None:
    with pytest.raises(SourceFormatError, match="Use one of: 'authority', 'none'"):
        load(DATA / "hounslow_360giving_grants.json", filter="borough")


def test_recipient_charity_and_company_numbers_become_other_ids(tmp_path: Path) -> None:
    recipient = {"id": "360G-x-org-1", "name": "Group", "charityNumber": "1106260", "companyNumber": "5123456"}
    result = load(_package(tmp_path, [_grant(recipientOrganization=[recipient])]), filter="none")
    node = result.nodes.set_index("id").loc["360G-x-org-1"]
    assert node["other_ids"] == ["GB-CHC-1106260", "GB-COH-05123456"]


def test_wrong_extension_is_refused(tmp_path: Path) -> None:
    shutil.copy(DATA / "hounslow_360giving_grants.json", tmp_path / "grants.txt")
    with pytest.raises(SourceFormatError, match="must be .json, .csv or .xlsx"):
        load(tmp_path / "grants.txt")


COMMUNITY_FOUNDATION = ("community_foundation_individuals.json", "community_foundation_individuals.csv")


@pytest.mark.parametrize("name", COMMUNITY_FOUNDATION)
def test_grants_to_individuals_load_with_no_person_kept(name: str) -> None:
    result = load(FIXTURES / name, filter="none")
    grants = result.nodes[result.nodes["kind"] == "Grant"].set_index("id")
    individual = grants.index[grants["to_individual"].astype(bool)].tolist()
    assert individual == ["360G-ECF-0003", "360G-ECF-0004", "360G-ECF-0005"]
    assert not grants.loc[["360G-ECF-0001", "360G-ECF-0002"], "to_individual"].any()  # known: to organisations
    # no node stands for the person, and neither the person's identifier nor the name is kept anywhere
    assert set(result.nodes["kind"]) == {"Funder", "Grant", "Organisation"}
    text = result.nodes.astype(str).to_csv() + result.edges.astype(str).to_csv()
    assert "IND-" not in text and "Individual Recipient" not in text
    # the grant is its own anonymous recipient: counted in the funder's money, awarded to no one
    funded = result.edges[result.edges["relation"] == "FUNDED_BY"].set_index("grant")
    assert funded.loc[individual, "source"].tolist() == individual
    assert funded.loc["360G-ECF-0004", "amount"] == 499.99
    awarded = result.edges[result.edges["relation"] == "AWARDED_TO"]
    assert not set(awarded["source"]) & set(individual)
    assert grants.loc["360G-ECF-0005", "name"] == "Grant to individual"


def test_grant_to_an_individual_is_placed_by_its_beneficiary_location() -> None:
    places = PlaceIndex(codes={"E05000346": "E05000346@2017", "E09000018": "E09000018@2017"},
                        ward_authority={"E05000346@2017": "E09000018@2017"}, lsoa_ward={})
    context = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", places=places)
    result = load(FIXTURES / "community_foundation_individuals.json", context)
    serves = result.edges[result.edges["relation"] == "SERVES_AREA"].set_index("source")["target"]
    assert serves["360G-ECF-0003"] == "E05000346@2017"
    grants = set(result.nodes.loc[result.nodes["kind"] == "Grant", "id"])
    assert "360G-ECF-0004" not in grants  # no location at all: not known to be in the authority
    located = result.edges[result.edges["relation"] == "LOCATED_IN"]
    assert not located["source"].str.startswith("360G-ECF-000").any()


def test_grant_to_an_individual_without_a_name_is_rejected_naming_row_and_field() -> None:
    result = load(FIXTURES / "community_foundation_individuals.csv", filter="none")
    assert result.rejections[["row", "field"]].values.tolist() == [["row 8 (360G-ECF-0007)", "recipientIndividual.name"]]


def _file_grants(path: Path) -> list[tuple[str, str, float]]:
    """Each row of a 360Giving file as (row label, currency, amount), read without the loader."""
    if path.suffix == ".json":
        grants = json.loads(path.read_text())["grants"]
        return [(f"grants[{n}]", g.get("currency"), float(str(g["amountAwarded"]).replace(",", "")))
                for n, g in enumerate(grants)]
    import pandas as pd

    frame = (pd.read_csv(path, dtype=str, encoding="utf-8-sig") if path.suffix == ".csv" else
             pd.read_excel(path, dtype=str)).dropna(how="all")
    frame.columns = [c.strip().lower() for c in frame.columns]
    return [(f"row {n + 2}", row["currency"], float(str(row["amount awarded"]).replace(",", "")))
            for n, row in zip(frame.index, frame.to_dict("records"))]


@pytest.mark.parametrize("path", [
    DATA / "hounslow_360giving_grants.json", DATA / "london_powertochange_grants.json",
    FIXTURES / "lloyds_bank_foundation_2010_2015.json", FIXTURES / "lloyds_bank_foundation_2010_2015.xlsx",
    FIXTURES / "indigo_trust_sample.csv", INDIGO_TRUST, *(FIXTURES / name for name in COMMUNITY_FOUNDATION)],
    ids=lambda p: p.name)
def test_every_grant_and_pound_of_a_file_is_loaded_or_rejected_once(path: Path) -> None:
    from civicgraph.core.amounts import exact_sum

    rows = _file_grants(path)
    result = load(path, filter="none")
    rejected = set(result.rejections["row"].str.replace(r" \(.*\)$", "", regex=True))
    funded = result.edges[result.edges["relation"] == "FUNDED_BY"]
    assert len(funded) + len(rejected) == len(rows)
    for currency in {c for _, c, _ in rows}:
        in_file = exact_sum([a for _, c, a in rows if c == currency])
        loaded = exact_sum(funded.loc[funded["currency"] == currency, "amount"])
        not_loaded = exact_sum([a for label, c, a in rows if c == currency and label in rejected])
        assert exact_sum([loaded, not_loaded]) == in_file, currency
        assert result.summary()["money"].get(currency, 0.0) == loaded


def test_flat_export_with_its_own_column_names_is_refused_once_saying_what_it_looks_like(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("grant_id,title,description,currency,amount_awarded,award_date,recipient_org_id,"
                    "recipient_org_name,funding_org_id,funding_org_name\n"
                    "360G-x-1,A,B,GBP,100,2020-01-01,GB-CHC-1,A,GB-CHC-2,F\n" * 1)
    with pytest.raises(SourceFormatError) as raised:
        load(path, filter="none")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("export.csv row 1 (header): missing 360Giving column(s) Identifier, Amount Awarded")
    assert "looks like a flat export of grants with its own column names (amount_awarded, award_date" in message


def test_json_records_of_another_shape_are_refused_once(tmp_path: Path) -> None:
    path = _package(tmp_path, [{"grant_id": "1", "amount_awarded": 5, "recipient_org_name": "A",
                                "award_date": "2020-01-01"}] * 3)
    with pytest.raises(SourceFormatError, match=r"grants.json grants\[0\]: missing 360Giving field\(s\) id, title, "
                                                r".*looks like a flat export"):
        load(path, filter="none")


def test_spreadsheet_without_a_core_column_is_refused_naming_it(tmp_path: Path) -> None:
    text = (FIXTURES / "community_foundation_individuals.csv").read_text().replace("Award Date", "Date")
    (tmp_path / "no_date.csv").write_text(text)
    with pytest.raises(SourceFormatError, match=r"missing 360Giving column\(s\) Award Date; this looks like a "
                                                r"360Giving spreadsheet without some of the core fields"):
        load(tmp_path / "no_date.csv", filter="none")


def test_grants_by_authority_reads_grants_to_individuals_as_their_own_recipients() -> None:
    from civicgraph.loaders.threesixtygiving import grants_by_authority

    frame = grants_by_authority(FIXTURES / "community_foundation_individuals.json").set_index("grant")
    assert len(frame) == 6
    assert frame.loc["360G-ECF-0005", ["recipient", "authority", "currency"]].tolist() == [
        "360G-ECF-0005", "E09000018", "GBP"]


def test_inspect_refuses_an_unknown_option_in_one_line_listing_the_choices() -> None:
    from civicgraph.core.errors import ConfigError
    from civicgraph.pipeline.inspect import inspect_source

    with pytest.raises(ConfigError, match=r"^loader '360giving' has no option 'colour'\. Use one of: 'date', 'decimal', "
                                          r"'filter', 'licence'\.$"):
        inspect_source("360giving", FIXTURES / "community_foundation_individuals.json", options={"colour": "red"},
                       authority="E09000018")


@pytest.mark.parametrize(("decimal", "amount"), [(",", 10000.5), (".", None)])
def test_a_csv_amount_reads_a_decimal_comma_only_when_configured(decimal: str, amount: float | None,
                                                                 tmp_path: Path) -> None:
    text = (FIXTURES / "indigo_trust_sample.csv").read_text(encoding="utf-8")
    assert ",GBP,,10000," in text
    (tmp_path / "comma.csv").write_text(text.replace(',GBP,,10000,', ',GBP,,"10.000,50",', 1), encoding="utf-8")
    result = load(tmp_path / "comma.csv", filter="none", decimal=decimal)
    grant = result.nodes[result.nodes["id"] == "360G-indigotrust:IND1"]
    if amount is None:
        assert grant.empty and "360G-indigotrust:IND1" in " ".join(result.rejections["row"].astype(str))
    else:
        assert grant["amount"].tolist() == [amount]


@pytest.mark.parametrize(("text", "found"), [('{"grants": {}}', "an object"), ('{"grants": "x"}', "not a list"),
                                             ('{"grant": []}', "missing")])
def test_a_package_whose_grants_are_not_a_list_is_refused(text: str, found: str, tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text(text)
    with pytest.raises(SourceFormatError, match=rf"^package.json: expected a 360Giving package with a 'grants' list; "
                                                rf"its 'grants' is {found}$"):
        ThreeSixtyGivingLoader().load(path, HOUNSLOW)
    path.write_text('{"grants": []}')  # an empty list is an empty package
    assert len(ThreeSixtyGivingLoader().load(path, HOUNSLOW).nodes) == 0


def _garbage_csv(path: Path, rows: int) -> Path:
    import csv
    import random
    import string

    rng = random.Random(0)
    columns = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
               "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for _ in range(rows):
            writer.writerow(["".join(rng.choices(string.ascii_letters + "=+-@,;", k=rng.randint(0, 12))) for _ in columns])
    return path


def test_past_the_first_invalid_grants_the_fast_validator_explains_the_rest(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.loaders.threesixtygiving as module

    explained = []
    slow = module._validator()
    monkeypatch.setattr(module, "EXPLAINED_IN_DETAIL", 3)
    monkeypatch.setattr(module, "_validator", lambda: explained.append(1) or slow)
    result = load(_garbage_csv(tmp_path / "garbage.csv", 50), filter="none")
    assert len(explained) == 3  # the Python validator, slow on garbage, only for the first three
    assert len(result.nodes) == 0 and result.rejections["row"].nunique() == 50  # every row rejected
    last = result.rejections[result.rejections["row"].str.startswith("row 51 ")]
    assert set(last["field"]) >= {"currency", "amountAwarded"}, last.to_dict("records")


@pytest.mark.slow
def test_a_hundred_thousand_garbage_rows_are_rejected_in_well_under_a_minute_of_processor_time(tmp_path: Path) -> None:
    import time

    path = _garbage_csv(tmp_path / "garbage.csv", 100_000)
    started = time.process_time()  # the processor time it takes, not the wall clock of a shared machine
    result = load(path, filter="none")
    assert result.rejections["row"].nunique() == 100_000
    assert time.process_time() - started < 60  # minutes when every invalid grant went through the Python validator
