"""Entity resolution on hand-built sources: what must merge, what must stay apart, what a person decides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.assemble import assemble_graph
from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import ResolutionSettings, resolve_entities
from civicgraph.resolve.review import read_review_file, write_review_file

PLACES = place_words(["Hounslow", "Ealing", "Feltham", "Chiswick", "Osterley and Spring Grove", "Tower Hamlets"])


def _source(loader: str, file: str, *records: tuple[str, str, dict]) -> LoadResult:
    sink = RecordSink(loader, Path(file))
    for number, (identifier, kind, attributes) in enumerate(records, start=2):
        sink.node(identifier, kind, sink.provenance(f"row {number}", "2024-01-01", "OGL-UK-3.0"), **attributes)
    return sink.result()


def _ecosystem() -> list[LoadResult]:
    register = _source(
        "ccew", "charity.txt",
        ("GB-CHC-1061681", "Charity", {"name": "AGE UK HOUNSLOW", "other_names": ["AGE CONCERN HOUNSLOW"]}),
        ("GB-CHC-1084210", "Charity", {"name": "AGE UK EALING"}),
        ("GB-CHC-296372", "Charity", {"name": "HOUNSLOW ACTION FOR YOUTH ASSOCIATION",
                                      "other_names": ["HOUNSLOW ACTION FOR YOUTH"]}),
        ("GB-CHC-1129282", "Charity", {"name": "OSMANI TRUST", "postcode": "E1 5LN"}),
        ("GB-CHC-1069577", "Charity", {"name": "CHISWICK UNIT SEA CADET CORPS"}),
    )
    companies = _source("companies-house", "companies.csv",
                        ("GB-COH-06867755", "Company", {"name": "OSMANI TRUST LIMITED", "postcode": "E1 5LN"}))
    grants = _source("360giving", "grants.json",
                     ("360G-wolfson:org-6050", "Organisation", {"name": "St Mary's Convent and Nursing Home"}),
                     ("360G-x:org-1", "Organisation", {"name": "Volunteering Hounslow Ltd"}))
    directory = _source(
        "hounslow-connect", "organisations.csv",
        ("LOCAL-HNS-age-uk-hounslow", "Organisation", {"name": "Age UK Hounslow"}),
        ("LOCAL-HNS-hay", "Organisation", {"name": "Hanworth Centre - HAY (Hounslow Action for Youth)"}),
        ("LOCAL-HNS-st-marys", "Organisation", {"name": "St Mary's Convent & Nursing Home"}),
        ("LOCAL-HNS-church", "Organisation", {"name": "Hounslow Community Church"}),
        ("LOCAL-HNS-friends-of-osterley-park", "Organisation", {"name": "Friends of Osterley Park"}),
        ("LOCAL-HNS-ts-stork", "Organisation", {"name": "Chiswick Sea Cadets - TS Stork"}),
    )
    spend = _source("spend", "payments.csv",
                    ("SUPPLIER-HNS-osmani-trust-ltd", "Organisation", {"name": "OSMANI TRUST LTD"}))
    workbook = _source("workbook", "organisations.csv",
                       ("LOCAL-HNS-hounslow-community-network", "InfrastructureBody",
                        {"name": "Hounslow Community Network"}),
                       ("LOCAL-HNS-volunteering-hounslow", "InfrastructureBody", {"name": "Volunteering Hounslow"}),
                       ("LOCAL-HNS-osterley-park", "Organisation", {"name": "Osterley Park"}))
    return [register, companies, grants, directory, spend, workbook]


def _merged(resolution) -> set[frozenset[str]]:  # noqa: ANN001
    return {frozenset(pair) for pair in resolution.merged_pairs()}


@pytest.mark.parametrize(("a", "b", "sources"), [
    ("GB-CHC-1061681", "LOCAL-HNS-age-uk-hounslow", "register and directory"),
    ("GB-CHC-296372", "LOCAL-HNS-hay", "register's working name and directory (with acronym)"),
    ("360G-wolfson:org-6050", "LOCAL-HNS-st-marys", "grants and directory"),
    ("GB-CHC-1129282", "SUPPLIER-HNS-osmani-trust-ltd", "register and council spend"),
    ("GB-CHC-1129282", "GB-COH-06867755", "register and Companies House"),
    ("360G-x:org-1", "LOCAL-HNS-volunteering-hounslow", "grants and workbook"),
])
def test_same_organisation_across_sources_merges(a: str, b: str, sources: str) -> None:
    assert frozenset((a, b)) in _merged(resolve_entities(_ecosystem(), places=PLACES)), sources


@pytest.mark.parametrize(("a", "b"), [
    ("GB-CHC-1061681", "GB-CHC-1084210"),  # two Age UK branches
    ("LOCAL-HNS-age-uk-hounslow", "GB-CHC-1084210"),
    ("LOCAL-HNS-hounslow-community-network", "LOCAL-HNS-church"),
    ("LOCAL-HNS-friends-of-osterley-park", "LOCAL-HNS-osterley-park"),
])
def test_different_organisations_with_similar_names_stay_apart(a: str, b: str) -> None:
    resolution = resolve_entities(_ecosystem(), places=PLACES)
    graph, _ = assemble_graph(_ecosystem(), matches=resolution.merged_pairs())
    node_of = {i: n for n, data in graph.nodes(data=True) for i in [n, *data.get("matched_ids", [])]}
    assert node_of[a] != node_of[b]


def test_every_link_carries_its_score_method_and_evidence() -> None:
    links = resolve_entities(_ecosystem(), places=PLACES).links
    row = links[(links["left_id"] == "GB-CHC-1061681") & (links["right_id"] == "LOCAL-HNS-age-uk-hounslow")].iloc[0]
    assert (row["method"], row["status"], row["score"]) == ("exact-name", "merged", 1.0)
    assert "age uk hounslow" in row["evidence"]
    hay = links[links["right_id"] == "LOCAL-HNS-hay"].iloc[0]
    assert hay["method"] == "probabilistic" and "acronym: hay" in hay["evidence"]


def test_merged_node_keeps_every_id_apart_by_how_it_was_found_and_every_sources_provenance() -> None:
    results = _ecosystem()
    results[0] = _source("ccew", "charity.txt", ("GB-CHC-1129282", "Charity",
                                                  {"name": "OSMANI TRUST", "other_ids": ["GB-COH-06867755"]}))
    resolution = resolve_entities(results, places=PLACES)
    graph, _ = assemble_graph(results, matches=resolution.merged_pairs())
    node = graph.nodes["GB-CHC-1129282"]
    assert node["other_ids"] == ["GB-COH-06867755"]  # declared by the register
    assert node["matched_ids"] == ["SUPPLIER-HNS-osmani-trust-ltd"]  # inferred from the name
    assert {p["dataset"] for p in node["provenance"]} == {"ccew:charity.txt", "companies-house:companies.csv",
                                                                "spend:payments.csv"}
    assert "SUPPLIER-HNS-osmani-trust-ltd" not in graph


def test_a_record_as_like_two_registered_charities_waits_for_review() -> None:
    register = _source("ccew", "charity.txt", ("GB-CHC-1084694", "Charity", {"name": "HOUNSLOW P.H.A.B."}),
                       ("GB-CHC-294887", "Charity", {"name": "HOUNSLOW PHAB"}))
    directory = _source("hounslow-connect", "organisations.csv",
                        ("LOCAL-HNS-hounslow-phab", "Organisation", {"name": "Hounslow PHAB"}))
    links = resolve_entities([register, directory], places=PLACES).links
    assert set(links["status"]) == {"review"}
    assert links["evidence"].str.contains("ambiguous").all()


def test_a_link_that_would_join_two_registered_charities_is_held() -> None:
    register = _source("ccew", "charity.txt", ("GB-CHC-1084694", "Charity", {"name": "HOUNSLOW PHAB"}),
                       ("GB-CHC-294887", "Charity", {"name": "HOUNSLOW PHAB SOCIAL CLUB"}))
    directory = _source("hounslow-connect", "organisations.csv",
                        ("LOCAL-HNS-hounslow-phab", "Organisation", {"name": "Hounslow PHAB"}))
    links = resolve_entities([register, directory], places=PLACES).links.set_index("left_id")
    assert links.loc["GB-CHC-1084694", "status"] == "merged"
    assert links.loc["GB-CHC-294887", "status"] == "held"
    assert "two registered organisations" in links.loc["GB-CHC-294887", "evidence"]


def test_records_of_one_source_are_not_matched_with_each_other() -> None:
    mergers = _source("charity-links", "mergers.csv",
                      ("LOCAL-HNS-church-trust", "Organisation", {"name": "Hounslow Evangelical Church Trust"}),
                      ("LOCAL-HNS-church", "Organisation", {"name": "Hounslow Evangelical Church"}))
    assert resolve_entities([mergers], places=PLACES).links.empty


def test_a_rejection_in_the_review_file_survives_rebuilds(tmp_path: Path) -> None:
    settings = ResolutionSettings(review_file=tmp_path / "review.csv")
    first = resolve_entities(_ecosystem(), settings, places=PLACES)
    assert frozenset(("GB-CHC-1061681", "LOCAL-HNS-age-uk-hounslow")) in _merged(first)
    write_review_file(first.review, settings.review_file)
    table = read_review_file(settings.review_file)
    rejection = pd.DataFrame([{"left_id": "GB-CHC-1061681", "left_name": "AGE UK HOUNSLOW",
                               "right_id": "LOCAL-HNS-age-uk-hounslow", "right_name": "Age UK Hounslow",
                               "score": "1.0", "evidence": "", "decision": "Reject", "decided_by": "officer",
                               "note": "the directory entry is the day centre"}])
    write_review_file(pd.concat([table, rejection], ignore_index=True), settings.review_file)
    for _ in range(2):  # two rebuilds, the file rewritten after each
        rebuilt = resolve_entities(_ecosystem(), settings, places=PLACES)
        assert frozenset(("GB-CHC-1061681", "LOCAL-HNS-age-uk-hounslow")) not in _merged(rebuilt)
        write_review_file(rebuilt.review, settings.review_file)
    kept = read_review_file(settings.review_file).set_index("right_id").loc["LOCAL-HNS-age-uk-hounslow"]
    assert (kept["decision"], kept["decided_by"], kept["note"]) == ("reject", "officer",
                                                                    "the directory entry is the day centre")
    status = rebuilt.links.set_index("right_id").loc["LOCAL-HNS-age-uk-hounslow", "status"]
    assert status == "rejected"


def test_an_accepted_pair_merges_whatever_its_score(tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    before = resolve_entities(_ecosystem(), places=PLACES)
    assert frozenset(("GB-CHC-1069577", "LOCAL-HNS-ts-stork")) not in _merged(before)
    pd.DataFrame([{"left_id": "GB-CHC-1069577", "right_id": "LOCAL-HNS-ts-stork", "decision": "accept"}]).to_csv(
        review, index=False)
    after = resolve_entities(_ecosystem(), ResolutionSettings(review_file=review), places=PLACES)
    row = after.links.set_index("right_id").loc["LOCAL-HNS-ts-stork"]
    assert (row["method"], row["status"]) == ("reviewed", "merged")
    assert (row["score"], row["evidence"]) == (0.0, "not found by matching")
    assert row["left_name"] and row["right_name"]


def test_rejecting_one_pair_stops_a_chain_of_links_joining_it(tmp_path: Path) -> None:
    directory = _source("hounslow-connect", "organisations.csv",
                        ("LOCAL-HNS-age-uk-hounslow", "Organisation", {"name": "Age UK Hounslow"}))
    grants = _source("360giving", "grants.json", ("360G-x:org-2", "Organisation", {"name": "Age UK Hounslow Ltd"}))
    register = _source("ccew", "charity.txt", ("GB-CHC-1061681", "Charity", {"name": "AGE UK HOUNSLOW"}))
    review = tmp_path / "review.csv"
    pd.DataFrame([{"left_id": "360G-x:org-2", "right_id": "GB-CHC-1061681", "decision": "reject"}]).to_csv(
        review, index=False)
    resolution = resolve_entities([register, grants, directory], ResolutionSettings(review_file=review), places=PLACES)
    graph, _ = assemble_graph([register, grants, directory], matches=resolution.merged_pairs())
    assert "360G-x:org-2" not in graph.nodes["GB-CHC-1061681"].get("matched_ids", [])
    assert "360G-x:org-2" in graph or "360G-x:org-2" in graph.nodes.get("LOCAL-HNS-age-uk-hounslow", {}).get(
        "matched_ids", [])


def test_a_review_file_with_an_unknown_decision_names_the_row_and_field(tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    pd.DataFrame([{"left_id": "a", "right_id": "b", "decision": "accept"},
                  {"left_id": "c", "right_id": "d", "decision": "maybe"}]).to_csv(review, index=False)
    with pytest.raises(SourceFormatError, match=r"review.csv row 3, field decision: 'maybe'"):
        read_review_file(review)


def test_resolution_can_be_switched_off() -> None:
    assert resolve_entities(_ecosystem(), ResolutionSettings(enabled=False), places=PLACES).links.empty


def test_pairs_scored_in_chunks_by_two_processes_give_the_same_links(tmp_path: Path) -> None:
    from dataclasses import replace

    from benchmarks.sources import write_sources
    from civicgraph.loaders.base import LoadContext
    from civicgraph.loaders.place_index import PlaceIndex
    from civicgraph.loaders.registry import get_loader

    files = write_sources(tmp_path, 0.002)
    context = LoadContext("K04000001", "", "England and Wales")
    geography = [get_loader("ons-lookup").load(files.lookup, context), get_loader("ons-postcodes").load(files.postcodes,
                                                                                                     context)]
    context = replace(context, places=PlaceIndex.from_results(geography))
    results = [*geography, get_loader("ccew").load(files.register, context, trustees=False),
               get_loader("360giving").load(files.grants_json, context),
               get_loader("companies-house").load(files.companies, context)]
    whole = resolve_entities(results, ResolutionSettings(), places=PLACES)
    chunked = resolve_entities(results, ResolutionSettings(chunk_pairs=500), places=PLACES)  # dozens of chunks
    assert len(whole.links) > 100 and (whole.links["status"] == "merged").sum() > 50
    columns = ["left_id", "right_id", "score", "method", "status", "evidence"]
    pd.testing.assert_frame_equal(whole.links[columns], chunked.links[columns])


def test_resolution_lets_go_of_the_names_it_remembered_and_a_second_run_agrees() -> None:
    from civicgraph.resolve.names import initials, name_words, normalise_name

    first = resolve_entities(_ecosystem(), places=PLACES)
    assert [f.cache_info().currsize for f in (normalise_name, name_words, initials)] == [0, 0, 0]
    again = resolve_entities(_ecosystem(), places=PLACES)
    pd.testing.assert_frame_equal(first.links, again.links)
    assert _merged(first) == _merged(again) and len(first.merged_pairs()) >= 6


def test_name_table_sorts_each_names_words_and_signs_them_so_containment_shows() -> None:
    from civicgraph.resolve.scoring import EntityCodes, NameTable

    names = ["hounslow youth club", "youth club", "club  hounslow", "", "age uk ealing"]
    table = NameTable.of(names)
    assert table.sorted_words.tolist() == [" ".join(sorted(n.split())) for n in names]
    within = [bool(table.words[a] & ~table.words[b] == 0) for a, b in [(1, 0), (2, 0), (3, 4), (4, 0)]]
    assert within[:3] == [True, True, True]  # words all in the other name: bits all in the other's
    assert not within[3]
    codes = EntityCodes.of(pd.DataFrame({"postcode": ["TW3 1AA", "tw31aa", "TW4 2BB", None, "W5 1AA"],
                                         "domain": [None] * 5}))
    assert codes.outcomes("postcode", np.array([0, 0, 0, 0]), np.array([1, 2, 3, 4])).tolist() == [
        "same_postcode", "same_area", "", "different_area"]
