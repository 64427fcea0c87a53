"""The review file says, in plain words, what speaks for each pair and what against it."""

from __future__ import annotations

from pathlib import Path

from civicgraph.loaders.base import RecordSink
from civicgraph.resolve.heldout import wilson
from civicgraph.resolve.resolution import resolve_entities
from civicgraph.resolve.review import for_and_against


def test_a_same_name_in_another_postcode_area_waits_with_the_evidence_against_it() -> None:
    register, directory = RecordSink("register", Path("r.csv")), RecordSink("directory", Path("d.csv"))
    register.node("GB-CHC-1131215", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"),
                  name="Riana Development Network", postcode="W4 5TF")
    directory.node("LOCAL-HNS-riana", "Organisation", directory.provenance("row 4", "", "CC0-1.0"),
                   name="Riana Development Network", postcode="TW8 0AB")
    resolution = resolve_entities([register.result(), directory.result()])
    assert resolution.links["status"].tolist() == ["review"]
    evidence = resolution.review.loc[0, "evidence"]
    speaks_for, against = evidence.split(" | ")
    assert speaks_for == "for: same name after normalising ('riana development network')"
    assert against.startswith("against: different area (W4 5TF / TW8 0AB)")
    assert "another postcode area" in against
    # matches.csv keeps the evidence as scored, in order
    assert "for:" not in resolution.links.loc[0, "evidence"]


def test_a_held_link_says_what_holds_it() -> None:
    evidence = for_and_against("same name after normalising ('hounslow cab'); same postcode (TW3 1ES); "
                               "held: would join two registered organisations (GB-CHC-1 / GB-CHC-2)")
    assert evidence == ("for: same name after normalising ('hounslow cab'); same postcode (TW3 1ES) | "
                        "against: held: would join two registered organisations (GB-CHC-1 / GB-CHC-2)")
    assert for_and_against("same postcode (TW3 1ES)").endswith("| against: nothing in the records")


def test_wilson_intervals_widen_as_the_count_falls() -> None:
    low_small, high_small = wilson(8, 8)
    low_large, high_large = wilson(80, 80)
    assert high_small == high_large == 1.0
    assert low_small < low_large < 1.0
    assert wilson(0, 0) == (0.0, 1.0)
