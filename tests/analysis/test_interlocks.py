"""Boards that share a trustee, named by pseudonym only."""

from __future__ import annotations

import networkx as nx

from civicgraph.analysis.interlocks import board_interlocks
from tests.analysis.ecosystem import edge, node


def test_a_trustee_of_two_charities_links_their_boards_by_pseudonym() -> None:
    g = nx.MultiDiGraph()
    for organisation in ("a", "b"):
        node(g, organisation, "Charity")
    node(g, "P-1", "Person", pseudonym="P-1")
    edge(g, "P-1", "a", "TRUSTEE_OF")
    edge(g, "P-1", "b", "TRUSTEE_OF")
    assert board_interlocks(g)["pseudonyms"].tolist() == ["P-1"]
