"""Precision and recall of entity resolution on real records, against pairs labelled by hand.

The sources are the real files the labelled pairs came from (see tests/fixtures/resolution/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.loaders.registry import get_loader
from civicgraph.pipeline.authorities import authority_context, authority_table
from civicgraph.resolve.evaluation import evaluate, read_labelled_pairs
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import resolve_entities

REPO = Path(__file__).resolve().parents[2]
SOURCES = [
    ("360giving", "tests/fixtures/threesixtygiving/lloyds_bank_foundation_2010_2015.json", {"filter": "none"}),
    ("360giving", "data/360giving/london_powertochange_grants.json", {"filter": "none"}),
    ("360giving", "data/360giving/hounslow_360giving_grants.json", {"filter": "none"}),
    ("hounslow-connect", "data/directory", {}),
    ("ccew", "data/ccew_extract", {}),
    ("charity-links", "data/ccew/hounslow_charity_parent_relationships.csv", {}),
    ("charity-links", "data/ccew/hounslow_ccew_mergers.csv", {}),
    ("workbook", "data/local_knowledge/hounslow", {}),
    ("ons-lookup", "data/geography/hounslow_lsoa11_ward17_lookup.csv", {}),
]


@pytest.fixture(scope="module")
def quality():  # noqa: ANN201 - a civicgraph.resolve.evaluation.Quality
    context = authority_context("E09000018")
    results = [get_loader(name).load(REPO / path, context, **options) for name, path, options in SOURCES]
    wards = [n for r in results for k, n in zip(r.nodes["kind"], r.nodes.get("name", [])) if k == "Ward"]
    resolution = resolve_entities(results, places=place_words(list(authority_table()["name"]) + wards))
    declared = [(i, other) for r in results if "other_ids" in r.nodes
                for i, others in zip(r.nodes["id"], r.nodes["other_ids"]) if isinstance(others, list)
                for other in others]
    labelled = read_labelled_pairs(REPO / "tests/fixtures/resolution/labelled_pairs.csv")
    return evaluate(declared + resolution.merged_pairs(), labelled)


def test_labelled_pairs_merge_with_precision_of_at_least_0_98(quality) -> None:  # noqa: ANN001
    assert quality.precision >= 0.98, quality.mistakes


def test_labelled_pairs_merge_with_recall_of_at_least_0_90(quality) -> None:  # noqa: ANN001
    assert quality.recall >= 0.90, quality.mistakes


def test_the_labelled_set_has_both_kinds_of_pair(quality) -> None:  # noqa: ANN001
    assert quality.true_positives + quality.false_negatives >= 30
    assert quality.true_negatives + quality.false_positives >= 200
