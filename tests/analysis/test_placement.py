"""How much of the graph is placed: by kind, by source, and which wards the answers use."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from civicgraph.analysis.placement import placement_by_source, placement_coverage, ward_set
from civicgraph.graph.frames import as_frames, derived
from tests.analysis.ecosystem import edge, node


def _placed() -> nx.MultiDiGraph:
    """A ward and its LSOA; a charity in the LSOA, one outside the authority, one with an unknown
    postcode, a group placed through the hall it occupies, and a grant to the group."""
    g = nx.MultiDiGraph(ward_source="the ONS LSOA to ward lookup")
    node(g, "W@2017", "Ward", "ons", name="Bedfont")
    node(g, "L", "LSOA", "ons")
    edge(g, "L", "W@2017", "PART_OF")
    node(g, "in", "Charity", "ccew", postcode="TW14 8AA", inside_authority=True)
    edge(g, "in", "L", "LOCATED_IN")
    node(g, "away", "Charity", "ccew", postcode="SW1A 1AA", inside_authority=False)
    node(g, "lost", "Charity", "ccew", postcode="ZZ9 9ZZ")
    node(g, "hall", "Building", "directory", postcode="TW14 8AB", inside_authority=True)
    edge(g, "hall", "W@2017", "LOCATED_IN")
    node(g, "club", "UnregisteredGroup", "directory")
    edge(g, "club", "hall", "OCCUPIES")
    node(g, "G1", "Grant", "360giving")
    edge(g, "G1", "club", "AWARDED_TO")
    return g


def test_an_organisation_is_placed_by_its_own_postcode_or_the_building_it_occupies() -> None:
    by_kind = placement_coverage(_placed())["by_kind"]
    assert by_kind["Charity"] == {"nodes": 3, "with_postcode": 3, "postcode_known": 2, "inside": 1, "outside": 1,
                                  "in_ward": 1}
    assert by_kind["UnregisteredGroup"]["in_ward"] == 1 and by_kind["Grant"]["in_ward"] == 1
    assert "Ward" not in by_kind and "LSOA" not in by_kind


def test_each_source_says_how_much_of_what_it_gave_was_placed() -> None:
    table = placement_by_source(_placed()).set_index("dataset")
    assert table.loc["ccew:file", ["could_place", "placed"]].tolist() == [3, 2]  # in a ward, or known to be outside
    assert table.loc["directory:file", "share"] == 1.0


def test_the_ward_set_names_the_boundary_year_and_whether_names_are_known() -> None:
    assert placement_coverage(_placed())["ward_set"] == "2017 wards (from the ONS LSOA to ward lookup), with names"
    unnamed = pd.DataFrame({"id": ["A@2025", "B@2025"], "kind": ["Ward", "Ward"], "name": ["A", None]})
    assert ward_set(unnamed).endswith("1 of 2 with names")
    assert ward_set(pd.DataFrame({"id": [], "kind": [], "name": []})) == "no wards"


def test_placement_reads_the_tables_alone() -> None:
    frames = as_frames(_placed())
    assert placement_coverage(frames) == placement_coverage(_placed())
    pd.testing.assert_frame_equal(placement_by_source(frames), placement_by_source(_placed()))
    assert "networkx" not in derived(frames)
