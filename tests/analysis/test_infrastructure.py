"""Infrastructure bodies offering the same support, and who could cover it together."""

from __future__ import annotations

import networkx as nx
from pandas.testing import assert_frame_equal

from civicgraph.analysis.infrastructure import alliance_candidates, duplicated_infrastructure, infrastructure_profiles
from civicgraph.graph.frames import as_frames, derived


def test_duplicated_infrastructure_and_alliance(borough: nx.MultiDiGraph) -> None:
    pairs = duplicated_infrastructure(borough)
    assert pairs[["a_name", "b_name", "shared_functions"]].values.tolist() == [["CVS", "Volunteer Centre", "volunteering"]]
    assert pairs.loc[0, "functions_overlap"] == 0.5
    alliance = alliance_candidates(borough)
    assert alliance["name"].tolist() == ["CVS"]  # covers both offered functions; the volunteer centre only duplicates
    needed = alliance_candidates(borough, functions=["F-volunteering", "F-representation"])
    assert needed.attrs["uncovered"] == ["representation"]


def test_infrastructure_from_the_tables_is_the_answer_from_networkx(borough: nx.MultiDiGraph) -> None:
    borough.add_edge("vc", "W-rich", relation="SERVES_AREA", provenance=[])
    borough.add_edge("club", "vc", relation="MEMBER_OF", provenance=[])
    frames = as_frames(borough)
    assert infrastructure_profiles(frames) == infrastructure_profiles(borough)
    assert infrastructure_profiles(frames)["cvs"]["areas"] == {"LA"}  # no area recorded: the whole authority
    assert_frame_equal(duplicated_infrastructure(frames), duplicated_infrastructure(borough))
    needed = ["F-volunteering", "F-representation", "F-nowhere"]
    alliance = alliance_candidates(frames, functions=needed)
    assert_frame_equal(alliance, alliance_candidates(borough, functions=needed))
    assert alliance.attrs["uncovered"] == ["representation"]  # an id not in the graph is not named
    assert "networkx" not in derived(frames)
