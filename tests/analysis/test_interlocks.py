"""Boards that share a trustee, named by pseudonym only."""

from __future__ import annotations

import networkx as nx
from pandas.testing import assert_frame_equal

from civicgraph.analysis.interlocks import board_interlocks
from civicgraph.graph.frames import as_frames, derived
from tests.analysis.ecosystem import edge, node


def test_a_trustee_of_two_charities_links_their_boards_by_pseudonym() -> None:
    g = nx.MultiDiGraph()
    for organisation in ("a", "b"):
        node(g, organisation, "Charity")
    node(g, "P-1", "Person", pseudonym="P-1")
    edge(g, "P-1", "a", "TRUSTEE_OF")
    edge(g, "P-1", "b", "TRUSTEE_OF")
    assert board_interlocks(g)["pseudonyms"].tolist() == ["P-1"]


def test_interlocks_from_the_tables_are_the_answer_from_networkx() -> None:
    g = nx.MultiDiGraph()
    for organisation in ("c", "a", "b"):
        node(g, organisation, "Charity", name=organisation.upper())
    for person, boards in (("P-2", ("c", "a")), ("P-1", ("a", "b", "c")), ("P-4", ("a", "b"))):
        node(g, person, "Person", pseudonym=f"pseudonym {person}")
        for organisation in boards:
            edge(g, person, organisation, "TRUSTEE_OF")
    frames = as_frames(g)
    # edges listed in another order than networkx lists them: pairs that tie keep the networkx order
    frames.edges = frames.edges.iloc[::-1].reset_index(drop=True)
    table = board_interlocks(frames)
    assert_frame_equal(table, board_interlocks(g))
    assert table[["a", "b", "shared_trustees"]].values.tolist() == [["a", "c", 2], ["a", "b", 2], ["b", "c", 1]]
    assert board_interlocks(frames, min_shared=2)["pseudonyms"].tolist() == ["pseudonym P-1; pseudonym P-2",
                                                                          "pseudonym P-1; pseudonym P-4"]
    assert "networkx" not in derived(frames)
