"""The record sink: what a loader hands over, as lean as the values allow."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civicgraph.loaders.base import RecordSink


def _lookup_in_two_chunks() -> RecordSink:
    sink = RecordSink("lookup", Path("lookup.csv"))
    sink.nodes(["W1", "W2"], "Ward", records=["row 2", "row 3"], dates=["2024-01-01", "2024-01-01"],
               licence="OGL-UK-3.0")
    sink.nodes(["L1"], "LSOA", records=["row 4"], dates=["2023-05-01"], licence="OGL-UK-3.0")
    sink.node("A1", "LocalAuthorityArea", sink.provenance("row 5", "2022-01-01", "OGL-UK-3.0"))
    sink.edges(["L1"], ["W1"], "PART_OF", records=["row 4"], dates="", licence="OGL-UK-3.0")
    sink.edges(["W1", "W2"], ["A1", "A1"], "LOCATED_IN", records=["row 2", "row 3"], dates="", licence="OGL-UK-3.0")
    return sink


def test_repeated_columns_stay_categories_across_chunks_that_name_different_values() -> None:
    result = _lookup_in_two_chunks().result()
    edges = result.edges
    assert isinstance(edges["relation"].dtype, pd.CategoricalDtype)  # was text: the chunks' categories differ
    assert edges["relation"].tolist() == ["PART_OF", "LOCATED_IN", "LOCATED_IN"]
    bulk_only = RecordSink("lookup", Path("lookup.csv"))
    bulk_only.nodes(["W1", "W2"], "Ward", records=["row 2", "row 3"], dates=["2024-01-01", "2024-01-02"],
                    licence="OGL-UK-3.0")
    bulk_only.nodes(["L1"], "LSOA", records=["row 4"], dates=["2023-05-01"], licence="OGL-UK-3.0")
    nodes = bulk_only.result().nodes
    assert isinstance(nodes["prov_date"].dtype, pd.CategoricalDtype)  # given as a column: a few dates, many rows
    assert nodes["prov_date"].tolist() == ["2024-01-01", "2024-01-02", "2023-05-01"]
    assert nodes["kind"].tolist() == ["Ward", "Ward", "LSOA"]


def test_summary_counts_only_what_is_there_in_order_of_name() -> None:
    result = _lookup_in_two_chunks().result()
    result.nodes = result.nodes[result.nodes["kind"] != "LSOA"]  # a category left with no rows
    assert result.summary()["nodes"] == {"LocalAuthorityArea": 1, "Ward": 2}
    assert result.summary()["edges"] == {"LOCATED_IN": 2, "PART_OF": 1}
