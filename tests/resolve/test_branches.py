"""A national body's web site on a local record: a BRANCH_OF link with evidence, not a merge."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.resolution_heldout import sources
from civicgraph.graph.assemble import assemble_graph
from civicgraph.loaders.base import RecordSink
from civicgraph.pipeline.authorities import authority_table
from civicgraph.resolve.branches import branch_links, branch_result
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import ResolutionSettings, resolve_entities

PLACES = frozenset({"hounslow", "leeds", "coventry"})


def _entities(*rows: tuple[str, str, str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, "label": label, "names": (name,), "domain": domain, "page": page}
                         for i, label, name, domain, page in rows])


def test_a_page_on_a_national_site_links_the_branch_to_the_body() -> None:
    entities = _entities(("GB-CHC-1128267", "Age UK", "age uk", "ageuk.org.uk", False),
                         ("LOCAL-HNS-age-uk-hounslow", "Age UK Hounslow", "age uk hounslow", "ageuk.org.uk", True))
    links = branch_links(entities, places=PLACES)
    assert links[["left_id", "right_id", "status", "method"]].values.tolist() == [
        ["LOCAL-HNS-age-uk-hounslow", "GB-CHC-1128267", "branch", "web-domain"]]
    assert "page on the site of 'Age UK'" in links.loc[0, "evidence"]
    assert "not merged" in links.loc[0, "evidence"]


def test_a_branch_giving_the_national_site_is_linked_when_its_name_adds_a_place() -> None:
    entities = _entities(("GB-CHC-1", "Home-Start UK", "home start uk", "home-start.org.uk", False),
                         ("GB-CHC-2", "Home-Start Hounslow", "home start hounslow", "home-start.org.uk", False),
                         ("GB-CHC-3", "Home-Start Plus", "home start plus", "home-start.org.uk", False))
    links = branch_links(entities, places=PLACES)
    assert links[["left_id", "right_id"]].values.tolist() == [["GB-CHC-2", "GB-CHC-1"]]
    assert "a place (hounslow)" in links.loc[0, "evidence"]


def test_a_branch_is_not_the_parent_of_another_branch() -> None:
    entities = _entities(("GB-CHC-1077790", "Emmaus Leeds", "emmaus leeds", "emmaus.org.uk", False),
                         ("GB-CHC-1064474", "Emmaus Coventry", "emmaus coventry", "emmaus.org.uk", True))
    assert branch_links(entities, places=PLACES).empty


def test_records_of_one_organisation_are_not_linked_as_branches() -> None:
    entities = _entities(("GB-CHC-1128267", "Age UK", "age uk", "ageuk.org.uk", False),
                         ("LOCAL-HNS-age-uk-hounslow", "Age UK Hounslow", "age uk hounslow", "ageuk.org.uk", True))
    assert branch_links(entities, lambda identifier: "one", places=PLACES).empty


def test_resolution_links_the_branch_and_the_build_gets_a_branch_of_edge() -> None:
    register, directory = RecordSink("register", Path("r.csv")), RecordSink("directory", Path("d.csv"))
    register.node("GB-CHC-1128267", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"), name="AGE UK",
                  website="https://www.ageuk.org.uk", postcode="WC1H 9NA")
    directory.node("LOCAL-HNS-age-uk-hounslow", "Organisation", directory.provenance("row 7", "", "CC0-1.0"),
                   name="Age UK Hounslow", website="https://www.ageuk.org.uk/hounslow/", postcode="TW3 1ES")
    links = resolve_entities([register.result(), directory.result()], places=PLACES).links
    assert "merged" not in set(links["status"])
    branch = links[links["status"] == "branch"]
    assert branch[["left_id", "right_id"]].values.tolist() == [["LOCAL-HNS-age-uk-hounslow", "GB-CHC-1128267"]]
    edges = branch_result(links).edges
    assert edges[["source", "target", "relation"]].values.tolist() == [
        ["LOCAL-HNS-age-uk-hounslow", "GB-CHC-1128267", "BRANCH_OF"]]
    assert edges.loc[0, "evidence"] == branch["evidence"].iloc[0]


def test_real_branches_on_a_national_site_are_linked() -> None:
    # Lloyds Bank Foundation gives its Home-Start recipients home-start.org.uk, the site the Dulverton
    # Trust gives for Home-Start UK
    resolution = resolve_entities(sources(), ResolutionSettings(), places=place_words(list(authority_table()["name"])))
    branches = resolution.links[resolution.links["status"] == "branch"]
    pairs = set(zip(branches["left_name"], branches["right_name"]))
    assert ("Home-Start East Staffordshire", "Home-Start UK") in pairs
    assert not set(branches["left_id"]) & set(branches["right_id"])  # no branch is another's parent


def test_the_branch_of_edge_reaches_the_graph_with_its_evidence() -> None:
    register, directory = RecordSink("register", Path("r.csv")), RecordSink("directory", Path("d.csv"))
    register.node("GB-CHC-1108837", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"), name="HOME-START UK",
                  website="http://www.home-start.org.uk")
    directory.node("LOCAL-HNS-home-start-hounslow", "Organisation", directory.provenance("row 3", "", "CC0-1.0"),
                   name="Home-Start Hounslow", website="https://www.home-start.org.uk/hounslow")
    results = [register.result(), directory.result()]
    resolution = resolve_entities(results, places=PLACES)
    graph, _ = assemble_graph([*results, branch_result(resolution.links)], matches=resolution.merged_pairs())
    edges = [(a, b, data) for a, b, data in graph.edges(data=True) if data["relation"] == "BRANCH_OF"]
    assert [(a, b) for a, b, _ in edges] == [("LOCAL-HNS-home-start-hounslow", "GB-CHC-1108837")]
    assert "page on the site of 'HOME-START UK'" in edges[0][2]["evidence"]
