"""Ward and LSOA populations from a real source: Hounslow's 2020 population (local authority
register) shared among its LSOAs by their census output areas (ONS postcode lookup)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from civicgraph.graph.frames import frames_to_graph, graph_to_frames
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.ons_geography import LookupLoader, PostcodeLookupLoader
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.pipeline.authorities import authority_table
from civicgraph.pipeline.population import estimate_population, share_by_output_areas

GEOGRAPHY = Path(__file__).resolve().parents[2] / "data" / "geography"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def _hounslow_places() -> tuple[nx.MultiDiGraph, PlaceIndex]:
    lookup = LookupLoader().load(GEOGRAPHY / "hounslow_lsoa11_ward17_lookup.csv", HOUNSLOW)
    postcodes = PostcodeLookupLoader().load(GEOGRAPHY / "hounslow_and_neighbours_PCD_OA_LSOA_MSOA_LAD_MAY22.csv",
                                            HOUNSLOW, date="2022-05-01")
    g = nx.MultiDiGraph()
    for row in lookup.nodes.itertuples(index=False):
        g.add_node(row.id, kind=row.kind, provenance=[], field_provenance={}, conflicts=[])
    return g, PlaceIndex.from_results([lookup, postcodes])


def test_hounslow_wards_share_the_borough_population_by_output_areas() -> None:
    g, places = _hounslow_places()
    population = int(authority_table().set_index("gss_code").at["E09000018", "population"])
    outputs = sum(places.lsoa_output_areas.values())
    assert len(places.lsoa_output_areas) == 142  # every LSOA of the borough has its output areas counted
    g = frames_to_graph(estimate_population(graph_to_frames(g), places, "E09000018"))
    wards = {n: d for n, d in g.nodes(data=True) if d["kind"] == "Ward"}
    assert len(wards) == 20 and sum(d["population"] for d in wards.values()) == population
    lsoas = {n: d for n, d in g.nodes(data=True) if d["kind"] == "LSOA"}
    assert sum(d["population"] for d in lsoas.values()) == population
    some = next(iter(lsoas))
    assert abs(lsoas[some]["population"] - population * places.lsoa_output_areas[some] / outputs) < 1
    assert f"x {places.lsoa_output_areas[some]} of its {outputs:,} output areas" in lsoas[some]["population_basis"]
    assert lsoas[some]["provenance"][-1]["dataset"] == "population-estimate"


def test_a_population_a_source_gives_is_kept() -> None:
    g, places = _hounslow_places()
    ward = next(n for n, d in g.nodes(data=True) if d["kind"] == "Ward")
    g.nodes[ward]["population"] = 12_345
    g = frames_to_graph(estimate_population(graph_to_frames(g), places, "E09000018"))
    assert g.nodes[ward]["population"] == 12_345 and "population_basis" not in g.nodes[ward]


def test_without_output_areas_nothing_is_estimated() -> None:
    g, _ = _hounslow_places()
    g = frames_to_graph(estimate_population(graph_to_frames(g), PlaceIndex(), "E09000018"))
    assert not any("population" in d for _, d in g.nodes(data=True))


def test_shares_add_up_to_the_whole() -> None:
    shares = share_by_output_areas(pd.Series({"a": 3, "b": 3, "c": 1}), 100)
    assert shares.sum() == 100 and shares["a"] == shares["b"] and shares["c"] < shares["a"]
