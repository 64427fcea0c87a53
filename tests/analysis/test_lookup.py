"""Asking for an organisation by name: exact, other names, the start of a name, misspelt, ambiguous."""

from __future__ import annotations

import networkx as nx
import pytest

from civicgraph.analysis.centrality import what_if_removed
from civicgraph.analysis.lookup import OrganisationNotFound, find_organisation


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("GB-CHC-327114", kind="Funder", name="Lloyds Bank Foundation for England and Wales",
               other_ids=["360G-lloyds"])
    g.add_node("GB-CHC-1", kind="Charity", name="Age UK Hounslow", other_names=["Age Concern Hounslow"])
    g.add_node("GB-CHC-2", kind="Charity", name="Hounslow Youth Club")
    g.add_node("LOCAL-HNS-x", kind="UnregisteredGroup", name="Hounslow Youth Club")
    g.add_node("W", kind="Ward", name="Hounslow Central")
    g.add_edge("GB-CHC-1", "GB-CHC-327114", relation="FUNDED_BY", amount=100.0)
    return g


def test_an_organisation_is_found_by_id_name_other_name_or_merged_id(graph: nx.MultiDiGraph) -> None:
    assert find_organisation(graph, "GB-CHC-1") == "GB-CHC-1"
    assert find_organisation(graph, "AGE UK HOUNSLOW") == "GB-CHC-1"
    assert find_organisation(graph, "Age Concern Hounslow") == "GB-CHC-1"
    assert find_organisation(graph, "360G-lloyds") == "GB-CHC-327114"
    assert find_organisation(graph, "Lloyds Bank Foundation") == "GB-CHC-327114"


def test_a_misspelt_name_gets_suggestions(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(OrganisationNotFound, match=r"Did you mean: Age UK Hounslow \(GB-CHC-1\)"):
        find_organisation(graph, "Age UK Hounslw")
    with pytest.raises(OrganisationNotFound, match="is not the name or id of an organisation.$"):
        find_organisation(graph, "Zzyzx Quartet")


def test_an_ambiguous_name_lists_the_ids_to_choose_from(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(OrganisationNotFound, match=r"names 2 organisations: .*\(GB-CHC-2\); .*\(LOCAL-HNS-x\)"):
        find_organisation(graph, "Hounslow Youth Club")


def test_a_place_is_not_an_organisation(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(OrganisationNotFound):
        find_organisation(graph, "Hounslow Central")


def test_what_if_removed_takes_a_name(graph: nx.MultiDiGraph) -> None:
    assert what_if_removed(graph, "Lloyds Bank Foundation")["id"].tolist() == ["GB-CHC-1"]


def test_ego_map_takes_a_name_and_suggests_on_a_misspelling(graph: nx.MultiDiGraph) -> None:
    from civicgraph.maps.presets import ego_map, preset_view

    view = ego_map(graph, "Lloyds Bank Foundation", radius=1)
    assert set(view.graph) == {"GB-CHC-327114", "GB-CHC-1"}
    assert preset_view(graph, "ego", organisation="age concern hounslow").title == "Age UK Hounslow and its connections"
    with pytest.raises(OrganisationNotFound, match=r"Did you mean: Age UK Hounslow \(GB-CHC-1\)"):
        ego_map(graph, "Age UK Hounslw")


def test_the_map_command_suggests_names(graph: nx.MultiDiGraph, tmp_path, capsys, monkeypatch) -> None:
    from civicgraph.visualise import main

    monkeypatch.setattr("civicgraph.graph.store.load_graph", lambda _: graph)
    assert main([str(tmp_path / "g"), "--preset", "ego", "--organisation", "Age UK Hounslw",
                 "--out", str(tmp_path / "m.html")]) == 2
    assert ("visualise: error: 'Age UK Hounslw' is not the name or id of an organisation. "
            "Did you mean: Age UK Hounslow (GB-CHC-1)?") in capsys.readouterr().err
    assert main([str(tmp_path / "g"), "--preset", "ego", "--organisation", "age concern hounslow",
                 "--out", str(tmp_path / "m.html")]) == 0


def test_an_organisation_is_found_in_the_tables_alone(graph: nx.MultiDiGraph) -> None:
    from civicgraph.graph.frames import as_frames, derived
    frames = as_frames(graph)
    for asked in ("GB-CHC-1", "AGE UK HOUNSLOW", "Age Concern Hounslow", "360G-lloyds", "Lloyds Bank Foundation", "W"):
        assert find_organisation(frames, asked) == find_organisation(graph, asked)
    with pytest.raises(OrganisationNotFound, match="Did you mean: Age UK Hounslow"):
        find_organisation(frames, "Age UK Hounslo")
    assert "name_index" in derived(frames) and "networkx" not in derived(frames)
