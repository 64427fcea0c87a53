"""ONS lookups, postcode directories and deprivation scores, on the real Hounslow extracts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.ons_geography import DeprivationLoader, LookupLoader, PostcodeLookupLoader
from civicgraph.loaders.place_index import PlaceIndex

DATA = Path(__file__).resolve().parents[2] / "data" / "geography"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def test_lookup_makes_versioned_places_joined_by_part_of() -> None:
    result = LookupLoader().load(DATA / "hounslow_lsoa11_ward17_lookup.csv", HOUNSLOW)
    nodes = result.nodes.set_index("id")
    assert nodes.loc["E05000346@2017", "name"] == "Bedfont"
    assert nodes.loc["E05000346@2017", "code_generation"] == 2017
    assert nodes.loc["E01002555@2011", "code_generation"] == 2011
    part_of = result.edges[result.edges["relation"] == "PART_OF"]
    assert len(part_of) == 142 + 20
    assert ("E01002555@2011", "E05000346@2017") in set(zip(part_of["source"], part_of["target"]))


def test_lookup_keeps_only_the_authority(tmp_path: Path) -> None:
    text = (DATA / "hounslow_lsoa11_ward17_lookup.csv").read_text(encoding="utf-8-sig")
    other = text.splitlines()[1].replace("E09000018", "E09000009").replace("E01002555", "E01001111")
    (tmp_path / "lookup.csv").write_text(text + other + "\n")
    result = LookupLoader().load(tmp_path / "lookup.csv", HOUNSLOW)
    assert "E01001111@2011" not in set(result.nodes["id"])
    assert result.filter_applied == "LAD17CD = E09000018: 142 of 143 rows"


def test_renamed_column_names_file_row_and_field(tmp_path: Path) -> None:
    text = (DATA / "hounslow_lsoa11_ward17_lookup.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "lookup.csv").write_text(text.replace("LAD17CD", "LA_CODE"))
    with pytest.raises(SourceFormatError, match=r"lookup.csv row 1 \(header\): no LADyyCD column"):
        LookupLoader().load(tmp_path / "lookup.csv", HOUNSLOW)


def test_imd_scores_come_from_either_published_layout() -> None:
    local = DeprivationLoader().load(DATA / "hounslow_UK_IMD_E_lsoa11.csv", HOUNSLOW)
    national = DeprivationLoader().load(DATA / "UK_IMD_E.csv", HOUNSLOW)
    row = local.nodes.set_index("id").loc["E01002555@2011"]
    assert (row["imd_score"], row["imd_decile"]) == (14.607, 6)
    assert national.nodes["enrich_only"].all()
    assert national.nodes["id"].str.match(r"^(E|W)01").all()
    assert len(national.nodes) > 30_000
    assert national.nodes.set_index("id").loc["E01002555@2011", "imd_score"] == pytest.approx(14.607, abs=1e-3)


def test_imd_non_numeric_score_is_rejected(tmp_path: Path) -> None:
    text = (DATA / "hounslow_UK_IMD_E_lsoa11.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[1] = lines[1].replace("14.607", "n/a", 1)
    (tmp_path / "imd.csv").write_text("\n".join(lines) + "\n")
    result = DeprivationLoader().load(tmp_path / "imd.csv", HOUNSLOW)
    assert result.rejections[["row", "field", "value"]].values.tolist()[0] == [2, "imd2019_score", "n/a"]
    assert "E01002555@2011" not in set(result.nodes["id"])


def test_postcode_directory_locates_by_postcode() -> None:
    lookup = LookupLoader().load(DATA / "hounslow_lsoa11_ward17_lookup.csv", HOUNSLOW)
    postcodes = PostcodeLookupLoader().load(FIXTURES / "nspl" / "NSPL_sample.csv", HOUNSLOW)
    assert postcodes.nodes.empty  # it feeds the build, not the graph
    assert postcodes.filter_applied == "laua = E09000018: 7 of 8 postcodes placed; all 8 indexed"  # Camden's not placed
    places = PlaceIndex.from_results([lookup, postcodes])
    assert places.ward_of_postcode("tw134aa") == "E05000346@2017"
    assert places.lsoa_of_postcode("TW3 9ZZ") == "E01002600@2011"  # terminated in 2019, still placed
    assert places.lsoa_of_postcode("NW1 1AA") is None  # Camden's: known, but outside
    assert places.areas_of_postcodes(pd.Series(["NW1 1AA", "TW3 9ZZ"]))["district"].tolist() == ["E09000007", "E09000018"]
    assert places.ward_named("bedfont") == "E05000346@2017"


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "lookup.csv").write_bytes(b"")
    with pytest.raises(SourceFormatError, match="lookup.csv: the file is empty"):
        LookupLoader().load(tmp_path / "lookup.csv", HOUNSLOW)


def test_a_lookup_without_name_columns_is_read_with_unnamed_places(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "hounslow_lsoa11_ward17_lookup.csv", dtype=str)
    frame.drop(columns=[c for c in frame.columns if c.upper() in ("LSOA11NM", "LAD17NM")]).to_csv(
        tmp_path / "lookup.csv", index=False)
    result = LookupLoader().load(tmp_path / "lookup.csv", HOUNSLOW)
    nodes = result.nodes.set_index("id")
    assert result.summary()["nodes"] == {"LSOA": 142, "LocalAuthorityArea": 1, "Ward": 20}
    assert nodes.loc["E05000346@2017", "name"] == "Bedfont"
    assert nodes.loc[nodes["kind"] == "LSOA", "name"].isna().all()
