"""Infrastructure bodies offering the same support, and who could cover it together."""

from __future__ import annotations

import networkx as nx

from civicgraph.analysis.infrastructure import alliance_candidates, duplicated_infrastructure


def test_duplicated_infrastructure_and_alliance(borough: nx.MultiDiGraph) -> None:
    pairs = duplicated_infrastructure(borough)
    assert pairs[["a_name", "b_name", "shared_functions"]].values.tolist() == [["CVS", "Volunteer Centre", "volunteering"]]
    assert pairs.loc[0, "functions_overlap"] == 0.5
    alliance = alliance_candidates(borough)
    assert alliance["name"].tolist() == ["CVS"]  # covers both offered functions; the volunteer centre only duplicates
    needed = alliance_candidates(borough, functions=["F-volunteering", "F-representation"])
    assert needed.attrs["uncovered"] == ["representation"]
