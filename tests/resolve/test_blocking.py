"""Blocking: which name variants are compared at all."""

from __future__ import annotations

import pandas as pd

from civicgraph.resolve.blocking import Blocks


def _pairs(*names: str, keys_per_name: int = 0) -> set[tuple[int, int]]:
    """Pairs of entities (one name each) that blocking would compare; with ``keys_per_name=0`` no
    word is a key, so only whole names, initials, postcodes and domains bring names together."""
    entities = pd.DataFrame({"names": [(n,) for n in names], "postcode": [None] * len(names),
                             "domain": [None] * len(names)})
    blocks = Blocks.of(entities, keys_per_name=keys_per_name)
    return {tuple(pair) for chunk in blocks.chunks for pair in blocks.pairs(chunk)[["left", "right"]].values.tolist()}


def test_an_acronym_meets_its_long_form() -> None:
    assert _pairs("hounslow action for youth", "hay", "ealing mencap") == {(0, 1)}


def test_long_names_sharing_only_their_initials_are_not_compared() -> None:
    assert _pairs("hounslow action for youth", "harrow allotments for yeading") == set()


def test_where_the_acronym_is_written_its_long_forms_all_meet_it() -> None:
    found = _pairs("hounslow action for youth", "harrow allotments for yeading", "hay")
    assert {(0, 2), (1, 2)} <= found
