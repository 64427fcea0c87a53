"""Placing by postcode: the real ONS and Code-Point cuts, and small hand-built graphs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.frames import frames_to_graph, graph_to_frames
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.ons_geography import LookupLoader, PostcodeLookupLoader
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.pipeline.locate import locate_by_postcode, mark_places

GEOGRAPHY = Path(__file__).resolve().parents[2] / "data" / "geography"
ONS = GEOGRAPHY / "hounslow_and_neighbours_PCD_OA_LSOA_MSOA_LAD_MAY22.csv"
CODE_POINT = GEOGRAPHY / "hounslow_and_neighbours_codepo_gb_2025.csv"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return PlaceIndex.from_results([
        LookupLoader().load(GEOGRAPHY / "hounslow_lsoa11_ward17_lookup.csv", HOUNSLOW),
        PostcodeLookupLoader().load(ONS, HOUNSLOW, date="2022-05-01"),
        PostcodeLookupLoader().load(CODE_POINT, HOUNSLOW, headers="codepo_gb_column_headers.csv", date="2025-02-01"),
    ])


def test_ons_lookup_places_every_hounslow_postcode_live_or_terminated() -> None:
    frame = pd.read_csv(ONS, dtype=str)
    hounslow = frame[frame["ladcd"] == "E09000018"]
    result = PostcodeLookupLoader().load(ONS, HOUNSLOW, date="2022-05-01")
    assert len(result.lookups["postcode_lsoa"]) == len(hounslow)
    assert hounslow["doterm"].notna().sum() > 0  # the cut holds terminated postcodes, and they are placed
    assert len(result.lookups["postcode_area"]) == len(frame)
    assert set(result.lookups["postcode_area"]["district"]) == set(frame["ladcd"])


def test_code_point_is_read_with_its_headers_file_and_gives_coordinates_and_current_wards() -> None:
    result = PostcodeLookupLoader().load(CODE_POINT, HOUNSLOW, date="2025-02-01")  # headers file found beside it
    area = result.lookups["postcode_area"].set_index("postcode")
    assert "postcode_lsoa" not in result.lookups  # Code-Point has no LSOA
    assert area.loc["HA0 1AL", ["easting", "northing"]].tolist() == [517081.0, 184558.0]
    assert area.loc["HA0 1AL", "ward"] == "E05013528@2025"
    assert area.loc["HA0 1AL", "district"] == "E09000009"
    assert result.rejections.empty


def test_code_point_without_headers_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "tw.csv").write_text("TW3 1AA,10,513000,175000,E92000001,,,,E09000018,E05013600\n")
    with pytest.raises(SourceFormatError, match=r"tw.csv row 1: a postcode, not a header"):
        PostcodeLookupLoader().load(tmp_path / "tw.csv", HOUNSLOW)


def test_unreadable_postcode_is_rejected_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n")
    (tmp_path / "tw.csv").write_text("TW3 1AA,10,513000,175000,E92000001,,,,E09000018,E05013600\n"
                                     "x1,10,1,1,E92000001,,,,E09000018,\n")
    result = PostcodeLookupLoader().load(tmp_path / "tw.csv", HOUNSLOW, headers="h.csv")
    assert result.rejections[["row", "field", "value"]].values.tolist() == [[2, "PC", "x1"]]


def test_directories_complete_each_other(places: PlaceIndex) -> None:
    areas = places.areas_of_postcodes(pd.Series(["TW3 1ES", "W3 6LJ", "SE1 7TP"]))
    assert areas["district"].tolist()[:2] == ["E09000018", "E09000009"]
    assert pd.isna(areas["district"].iloc[2])  # in no directory of the build: unknown, not outside
    assert areas["easting"].notna().tolist()[:2] == [True, True]  # from Code-Point, beside ONS's district


def _graph(**buildings: str | None) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    prov = [{"dataset": "dir", "record": "r", "date": "", "licence": "x"}]
    for ward in ("E05000346@2017",):
        g.add_node(ward, kind="Ward", provenance=[], field_provenance={}, conflicts=[])
    g.add_node("org", kind="Organisation", name="Group", provenance=prov, field_provenance={}, conflicts=[])
    for building, postcode in buildings.items():
        g.add_node(building, kind="Building", postcode=postcode, provenance=prov, field_provenance={"postcode": [0]},
                   conflicts=[])
        g.add_edge("org", building, relation="OCCUPIES", provenance=prov)
    return g


def test_group_meeting_only_outside_the_borough_is_outside(places: PlaceIndex) -> None:
    frames = mark_places(graph_to_frames(_graph(b1="W3 6LJ")), places, "E09000018")
    g = frames_to_graph(frames)
    assert g.nodes["b1"]["inside_authority"] is False and g.nodes["b1"]["local_authority_code"] == "E09000009"
    assert g.nodes["org"]["inside_authority"] is False
    assert g.nodes["org"]["provenance"][-1] == {"dataset": "postcode-lookup", "record": "occupies b1 (postcode W3 6LJ)",
                                                "date": "", "licence": "OGL-UK-3.0"}


def test_group_with_one_building_inside_is_inside(places: PlaceIndex) -> None:
    frames, _ = locate_by_postcode(graph_to_frames(_graph(b1="W3 6LJ", b2="TW13 6QQ")), places)
    g = frames_to_graph(mark_places(frames, places, "E09000018"))
    assert g.nodes["org"]["inside_authority"] is True
    assert g.nodes["b2"]["lsoa"].endswith("@2011") and g.nodes["b2"]["current_ward"].endswith("@2025")
    assert g.nodes["b2"]["field_provenance"]["inside_authority"] == [1]


def test_unknown_postcode_leaves_inside_unknown(places: PlaceIndex) -> None:
    g = frames_to_graph(mark_places(graph_to_frames(_graph(b1="SE1 7TP")), places, "E09000018"))
    assert g.nodes["b1"].get("inside_authority") is None and g.nodes["org"].get("inside_authority") is None
