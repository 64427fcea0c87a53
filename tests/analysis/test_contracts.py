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
