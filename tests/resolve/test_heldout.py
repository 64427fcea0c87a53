"""Entity resolution on real records it was not tuned on: register numbers taken off one side.

The truth is the numbers (see resolve/heldout.py); the records are real 360Giving recipients of five
funders and the register's names of charities with a company number (benchmarks/resolution_heldout.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.resolution_heldout import sources
from civicgraph.pipeline.authorities import authority_table
from civicgraph.resolve.heldout import RECALL_FLOOR, part_of, strip_numbers, stripped_quality, wilson
from civicgraph.resolve.names import place_words
from civicgraph.resolve.resolution import ResolutionSettings, resolve_entities


@pytest.fixture(scope="module")
def evaluated():  # noqa: ANN201 - (truth, declared, links)
    stripped, truth = strip_numbers(sources())
    resolution = resolve_entities(stripped, ResolutionSettings(), places=place_words(list(authority_table()["name"])))
    declared = [(i, o) for r in stripped if "other_ids" in r.nodes
                for i, others in zip(r.nodes["id"], r.nodes["other_ids"]) if isinstance(others, list) for o in others]
    return truth, declared, resolution.links


def test_stripped_records_keep_no_register_number(evaluated) -> None:  # noqa: ANN001
    truth, declared, _ = evaluated
    stripped = set(truth.loc[truth["stripped"], "id"])
    assert stripped and all(i.startswith("EVAL-") for i in stripped)
    assert not stripped & {i for pair in declared for i in pair}


def test_both_parts_hold_true_pairs(evaluated) -> None:  # noqa: ANN001
    truth, declared, links = evaluated
    for part in ("tuning", "held-out"):
        assert stripped_quality(truth, declared, links, part=part).true_pairs >= 5


def test_held_out_merges_are_right_where_the_files_can_say(evaluated) -> None:  # noqa: ANN001
    truth, declared, links = evaluated
    quality = stripped_quality(truth, declared, links, part="held-out")
    assert quality.settled_precision >= 0.98, quality.wrong
    # the recall target (0.90) is not met on records the rules were not tuned on: renames no
    # loaded source records cannot be found by name (docs/resolution.md); this floor keeps what is found
    assert quality.recall >= RECALL_FLOOR, quality.missed


def test_figures_come_with_their_counts_and_intervals(evaluated) -> None:  # noqa: ANN001
    truth, declared, links = evaluated
    quality = stripped_quality(truth, declared, links, part="tuning")
    low, high = quality.recall_interval
    assert low < quality.recall < high or quality.recall in (0.0, 1.0)
    assert (low, high) == wilson(quality.found, quality.true_pairs)
    assert quality.merges - quality.unsettled > 0 and quality.settled_interval[1] <= 1.0
    assert {"score", "status", "in_review"} <= set(quality.missed.columns)


def test_missed_pairs_that_reached_the_review_band_are_in_the_review_file(evaluated) -> None:  # noqa: ANN001
    truth, declared, links = evaluated
    for part in ("tuning", "held-out"):
        missed = stripped_quality(truth, declared, links, part=part).missed
        scored = links[links["score"] >= ResolutionSettings().review]
        reached = {frozenset(p) for p in zip(scored["left_id"], scored["right_id"])}
        in_band = missed[np.array([frozenset((a, b)) in reached for a, b in zip(missed["left_id"], missed["right_id"])],
                                  dtype=bool)]
        assert in_band["in_review"].all(), in_band


def test_parts_are_chosen_by_number_not_by_name() -> None:
    assert part_of("GB-CHC-1106260") == part_of("GB-CHC-1106260")
    shares = [part_of(f"GB-CHC-{n}") == "held-out" for n in range(200000, 203000)]
    assert 0.28 < sum(shares) / len(shares) < 0.38
