"""Contracts that replaced many providers with few."""

from __future__ import annotations

import networkx as nx

from civicgraph.analysis.contracts import contract_consolidation
from tests.analysis.ecosystem import edge, node


def test_a_contract_that_replaced_thirty_providers_with_one_is_consolidated() -> None:
    g = nx.MultiDiGraph()
    node(g, "council", "Council")
    node(g, "old", "Contract", provider_count=30)
    node(g, "new", "Contract")
    for provider in ("a", "b"):
        node(g, provider, "Charity")
    edge(g, "new", "a", "AWARDED_TO")
    edge(g, "new", "old", "SUCCEEDS")
    edge(g, "new", "council", "COMMISSIONED_BY")
    [row] = contract_consolidation(g).to_dict("records")
    assert (row["providers_before"], row["providers_after"], row["consolidated"]) == (30, 1, "yes")


def test_contract_consolidation_reads_the_tables_alone() -> None:
    import pandas as pd

    from civicgraph.graph.frames import as_frames, derived
    g = nx.MultiDiGraph()
    node(g, "council", "Council", name="LBH")
    node(g, "old", "Contract", name="Life (mixed)", end_date="2019-03-31")
    node(g, "new", "Contract", name="Life (lead)", start_date="2019-04-01", provider_count=1)
    for provider in ("a", "b", "c"):
        node(g, provider, "Charity")
        edge(g, "old", provider, "AWARDED_TO")
    g.add_edge("new", "old", relation="SUCCEEDS", provenance=[{"dataset": "workbook", "record": "row 7", "date": "",
                                                                "licence": "x"}])
    edge(g, "old", "council", "COMMISSIONED_BY")
    frames = as_frames(g)
    table = contract_consolidation(frames)
    pd.testing.assert_frame_equal(table, contract_consolidation(g))
    assert table.drop(columns=["ended", "started"]).to_dict("records") == [
        {"contract": "Life (mixed)", "successor": "Life (lead)", "commissioner": "LBH", "providers_before": 3,
         "providers_after": 1, "consolidated": "yes", "sources": "row 7"}]
    assert "networkx" not in derived(frames)
