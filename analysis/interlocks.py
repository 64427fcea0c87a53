"""Board interlocks (question 11): organisations that share trustees, by pseudonym.

People are held only as keyed pseudonyms (see ``loaders.pseudonyms``); this reports pseudonyms, never
names.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx
import pandas as pd

from civicgraph.analysis.network import name


def board_interlocks(graph: nx.MultiDiGraph, *, min_shared: int = 1) -> pd.DataFrame:
    """Pairs of organisations with at least ``min_shared`` trustees in common.

    Returns
    -------
    DataFrame
        ``a``, ``b`` (ids), their names, ``shared_trustees`` (count) and ``pseudonyms``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("P-1", kind="Person", pseudonym="P-1")
    >>> g.add_node("x", kind="Charity", name="X"); g.add_node("y", kind="Charity", name="Y")
    >>> _ = g.add_edge("P-1", "x", relation="TRUSTEE_OF"); _ = g.add_edge("P-1", "y", relation="TRUSTEE_OF")
    >>> board_interlocks(g)[["a_name", "b_name", "shared_trustees"]].values.tolist()
    [['X', 'Y', 1]]
    """
    boards: dict[str, set[str]] = defaultdict(set)
    for person, organisation, data in graph.edges(data=True):
        if data["relation"] == "TRUSTEE_OF":
            boards[person].add(organisation)
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for person, organisations in boards.items():
        for a, b in combinations(sorted(organisations), 2):
            shared[(a, b)].add(graph.nodes[person].get("pseudonym", person))
    rows = [{"a": a, "b": b, "a_name": name(graph, a), "b_name": name(graph, b), "shared_trustees": len(people),
             "pseudonyms": "; ".join(sorted(people))} for (a, b), people in shared.items() if len(people) >= min_shared]
    frame = pd.DataFrame(rows, columns=["a", "b", "a_name", "b_name", "shared_trustees", "pseudonyms"])
    return frame.sort_values(["shared_trustees", "a_name"], ascending=[False, True]).reset_index(drop=True)
