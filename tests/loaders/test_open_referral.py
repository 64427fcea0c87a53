"""Directories: Open Referral UK v3 (JSON, CSV) and the Hounslow Connect layout, on real files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.base import PROVENANCE_COLUMNS, LoadContext
from civicgraph.loaders.open_referral import HounslowConnectLoader, OpenReferralLoader

DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "directory"
ORUK = Path(__file__).resolve().parents[1] / "fixtures" / "oruk"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def test_hounslow_connect_organisations_services_and_buildings() -> None:
    result = HounslowConnectLoader().load(DIRECTORY, HOUNSLOW)
    counts = result.summary()["nodes"]
    assert {k: v for k, v in counts.items() if k != "Theme"} == {"Building": 269, "Organisation": 313, "Service": 313}
    nodes = result.nodes.drop_duplicates("id").set_index("id")
    assert nodes.loc["LOCAL-HNS-3rd-chiswick-scout-group", "name"] == "3rd Chiswick Scout Group"
    scouts = result.edges[result.edges["source"] == "LOCAL-HNS-3rd-chiswick-scout-group"]
    assert set(scouts["relation"]) == {"DELIVERS", "OCCUPIES"}
    building = scouts.loc[scouts["relation"] == "OCCUPIES", "target"].iloc[0]
    assert nodes.loc[building, "postcode"] == "W4 1TF"
    # one real service-location row names no location: reported, not dropped silently
    [bad] = result.rejections.to_dict("records")
    assert bad["row"].endswith("service_locations.csv row 193") and bad["field"] == "location_id"


def test_hounslow_connect_services_get_themes_from_their_words_and_age_group() -> None:
    result = HounslowConnectLoader().load(DIRECTORY, HOUNSLOW)
    delivered = result.edges[(result.edges["source"] == "LOCAL-HNS-3rd-chiswick-scout-group")
                             & (result.edges["relation"] == "DELIVERS")]["target"]
    themes = result.edges[result.edges["source"].isin(delivered) & (result.edges["relation"] == "ADDRESSES")]
    assert set(themes["target"]) == {"THEME-young-people"}
    addressed = result.edges[result.edges["relation"] == "ADDRESSES"]["source"].nunique()
    assert 200 < addressed < 313  # most services have a theme; those whose words name none have none


def test_directory_never_reads_contact_details() -> None:
    result = HounslowConnectLoader().load(DIRECTORY, HOUNSLOW)
    text = result.nodes.drop(columns=PROVENANCE_COLUMNS).to_csv()
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)  # no e-mail addresses


@pytest.mark.parametrize("name", ["service_full.json", "organization_full.json", "service_at_location_full.json"])
def test_oruk_json_payloads_map_to_the_same_graph(name: str) -> None:
    result = OpenReferralLoader().load(ORUK / name, HOUNSLOW)
    nodes = result.nodes.drop_duplicates("id").set_index("id")
    assert nodes.loc["GB-COH-01234567", "kind"] == "Organisation"  # Org-ID from organization_identifiers
    assert result.summary()["edges"] == {"ADDRESSES": 1, "DELIVERS": 1, "OCCUPIES": 1}
    assert "A. Persona" not in nodes.to_csv()  # the address's attention line is personal


def test_oruk_paged_lists_and_csv_tables() -> None:
    listed = OpenReferralLoader().load(ORUK / "service_list.json", HOUNSLOW)
    assert listed.summary()["edges"] == {"DELIVERS": 1}
    tables = OpenReferralLoader().load(ORUK / "csv", HOUNSLOW)
    assert tables.rejections.empty
    assert tables.summary()["nodes"] == {"Building": 1, "Organisation": 1, "Service": 1}


def test_broken_directory_inputs_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text((ORUK / "service_full.json").read_text()[:200])
    with pytest.raises(SourceFormatError, match="cut.json line .*not valid JSON"):
        OpenReferralLoader().load(tmp_path / "cut.json", HOUNSLOW)
    shutil.copytree(DIRECTORY, tmp_path / "hc")
    (tmp_path / "hc" / "hounslow_connect_services.csv").unlink()
    with pytest.raises(SourceFormatError, match="no services sheet"):
        HounslowConnectLoader().load(tmp_path / "hc", HOUNSLOW)
    organisations = tmp_path / "hc" / "hounslow_connect_organisations.csv"
    organisations.write_text(organisations.read_text().replace("Name*", "Title"))
    shutil.copy(DIRECTORY / "hounslow_connect_services.csv", tmp_path / "hc")
    with pytest.raises(SourceFormatError, match=r"hounslow_connect_organisations.csv row 1 \(header\): missing column\(s\) Name\*"):
        HounslowConnectLoader().load(tmp_path / "hc", HOUNSLOW)


def test_duplicate_directory_ids_are_rejected(tmp_path: Path) -> None:
    shutil.copytree(DIRECTORY, tmp_path / "hc")
    organisations = tmp_path / "hc" / "hounslow_connect_organisations.csv"
    lines = organisations.read_text().splitlines()
    organisations.write_text("\n".join(lines + [lines[1]]) + "\n")
    result = HounslowConnectLoader().load(tmp_path / "hc", HOUNSLOW)
    assert "duplicate organisation id" in set(result.rejections["reason"])


def test_directory_relations_are_dated_as_of_the_directory() -> None:
    result = HounslowConnectLoader().load(DIRECTORY, HOUNSLOW, date="2021-02-10")
    dated = result.edges.groupby("relation")["date"].agg(lambda dates: set(dates))
    assert {relation: dated[relation] for relation in ("DELIVERS", "OCCUPIES", "ADDRESSES")} == {
        "DELIVERS": {"2021-02-10"}, "OCCUPIES": {"2021-02-10"}, "ADDRESSES": {"2021-02-10"}}
