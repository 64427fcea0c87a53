"""Scoring rules of entity resolution on hand-built pairs: short forms, places, inserted words."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.resolve.names import abbreviates, name_aliases, place_words
from civicgraph.resolve.resolution import resolve_entities

PLACES = place_words(["Hounslow", "Ealing", "Chiswick", "Islington"])


def _source(loader: str, identifier: str, **attributes: object) -> LoadResult:
    sink = RecordSink(loader, Path(f"{loader}.csv"))
    sink.node(identifier, "Organisation", sink.provenance("row 2", "2024-01-01", "OGL-UK-3.0"), **attributes)
    return sink.result()


def _link(left: dict, right: dict) -> dict:
    links = resolve_entities([_source("ccew", "GB-CHC-1000001", **left), _source("directory", "LOCAL-HNS-x", **right)],
                             places=PLACES).links
    assert len(links) <= 1
    return links.iloc[0].to_dict() if len(links) else {"status": "not found", "score": 0.0, "evidence": ""}


def test_same_name_in_another_postcode_area_goes_to_review() -> None:
    link = _link({"name": "Community Links", "postcode": "E16 4HQ"}, {"name": "Community Links", "postcode": "TW3 1AA"})
    assert link["status"] == "review"
    assert "another postcode area" in link["evidence"]


def test_same_name_in_the_same_postcode_area_still_merges() -> None:
    assert _link({"name": "Community Links", "postcode": "TW3 1AA"},
                 {"name": "Community Links", "postcode": "TW4 5BB"})["status"] == "merged"


def test_same_name_and_web_domain_in_another_area_merges() -> None:
    link = _link({"name": "Community Links", "postcode": "E16 4HQ", "website": "https://www.community-links.org"},
                 {"name": "Community Links", "postcode": "TW3 1AA", "website": "community-links.org"})
    assert link["status"] == "merged"


def test_a_misspelt_twin_and_an_inserted_word_do_not_merge() -> None:
    link = _link({"name": "Family Support Link"}, {"name": "Family Links"})
    assert link["status"] != "merged"


def test_a_word_inserted_into_a_name_without_a_place_needs_a_second_signal() -> None:
    assert _link({"name": "Beacon House Ministries"}, {"name": "Beacon Ministries"})["status"] == "review"
    assert _link({"name": "Beacon House Ministries", "postcode": "TW3 1AA"},
                 {"name": "Beacon Ministries", "postcode": "TW5 9ZZ"})["status"] == "merged"


@pytest.mark.parametrize(("short", "long"), [("ACF", "Association of Charitable Foundations"),
                                             ("NL Cares", "North London Cares")])
def test_an_acronym_merges_when_the_postcode_area_agrees(short: str, long: str) -> None:
    link = _link({"name": long, "postcode": "N1 9JP"}, {"name": short, "postcode": "N7 6PA"})
    assert link["status"] == "merged"
    assert "initials" in link["evidence"]


def test_an_acronym_alone_goes_to_review() -> None:
    link = _link({"name": "Association of Charitable Foundations"}, {"name": "ACF", "website": "acf.example.org"})
    assert link["status"] == "review"
    assert "no second signal" in link["evidence"]


def test_one_distinctive_word_for_a_longer_name_merges_with_a_second_signal() -> None:
    link = _link({"name": "Plantlife - The Wild Plant Conservation Charity", "postcode": "SP1 2AP"},
                 {"name": "Plantlife", "postcode": "SP2 7HL"})
    assert link["status"] == "merged"
    assert "first word" in link["evidence"]


def test_a_place_name_is_no_short_form_of_a_branch() -> None:
    assert _link({"name": "Hounslow Mind", "postcode": "TW3 1AA"},
                 {"name": "Hounslow", "postcode": "TW3 3BB"})["status"] != "merged"


def test_abbreviation_needs_every_word_of_the_long_name() -> None:
    assert abbreviates("hycs", "hounslow youth counselling service")
    assert not abbreviates("hyc", "hounslow youth counselling service")
    assert not abbreviates("rnid", "action on hearing loss")


def test_a_formerly_name_matches_the_old_name_with_its_evidence() -> None:
    link = _link({"name": "The Key (formerly Keyfund)", "postcode": "NE1 4XF"}, {"name": "Keyfund", "postcode": "NE2 1AA"})
    assert link["status"] == "merged"
    assert "another name of" in link["evidence"]


def test_a_register_previous_name_matches_with_its_evidence() -> None:
    link = _link({"name": "BECOME", "other_names": ["THE WHO CARES? TRUST"], "postcode": "N1 9JP"},
                 {"name": "The Who Cares? Trust", "postcode": "N1 0QH"})
    assert link["status"] == "merged"
    assert "'who cares trust' is another name of 'become'" in link["evidence"]


def test_a_place_in_brackets_is_no_other_name() -> None:
    assert name_aliases("Citizens Advice Bureau (Hounslow)") == []
    assert name_aliases("Women Now Group") == []


def test_a_branch_page_on_a_national_site_is_no_evidence_against() -> None:
    link = _link({"name": "Age UK Hounslow Trust", "website": "https://www.ageukhounslow.org.uk"},
                 {"name": "Age UK Hounslow", "website": "https://www.ageuk.org.uk/hounslow/"})
    assert link["status"] == "merged"
    assert "no evidence against" in link["evidence"]


def test_a_branch_page_does_not_make_the_branch_its_national_body() -> None:
    link = _link({"name": "Age UK", "website": "https://www.ageuk.org.uk"},
                 {"name": "Age UK Hounslow", "website": "https://www.ageuk.org.uk/hounslow/"})
    assert link["status"] != "merged"
