"""Board interlocks (question 11): organisations that share trustees, by pseudonym.

People are held only as keyed pseudonyms (see ``loaders.pseudonyms``); this reports pseudonyms, never
names.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
import pandas as pd

from civicgraph.analysis.network import names_by_id
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.graph.tables import edge_table, node_table


def board_interlocks(graph: GraphLike, *, min_shared: int = 1) -> pd.DataFrame:
    """Pairs of organisations with at least ``min_shared`` trustees in common.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
    min_shared : int
        Fewest trustees in common to list a pair.

    Returns
    -------
    DataFrame
        ``a``, ``b`` (ids), their names, ``shared_trustees`` (count) and ``pseudonyms``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("P-1", kind="Person", pseudonym="P-1")
    >>> g.add_node("x", kind="Charity", name="X"); g.add_node("y", kind="Charity", name="Y")
    >>> _ = g.add_edge("P-1", "x", relation="TRUSTEE_OF"); _ = g.add_edge("P-1", "y", relation="TRUSTEE_OF")
    >>> board_interlocks(g)[["a_name", "b_name", "shared_trustees"]].values.tolist()
    [['X', 'Y', 1]]
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "pseudonym"), edge_table(frames)
    trustees = edges[(edges["relation"] == "TRUSTEE_OF").to_numpy()]
    # people in the order of the nodes, as the graph lists its edges: ties keep the order they had
    order = np.argsort(nodes.index.get_indexer(trustees["source"]), kind="stable")
    boards: dict[str, set[str]] = defaultdict(set)
    for person, organisation in zip(trustees["source"].to_numpy()[order].tolist(), trustees["target"].to_numpy()[order].tolist()):
        boards[person].add(organisation)
    pseudonyms = nodes["pseudonym"]
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for person, organisations in boards.items():
        for a, b in combinations(sorted(organisations), 2):
            shared[(a, b)].add(pseudonyms.get(person) or person)
    chosen = {pair: people for pair, people in shared.items() if len(people) >= min_shared}
    names = names_by_id(frames, [n for pair in chosen for n in pair])
    rows = [{"a": a, "b": b, "a_name": names[a], "b_name": names[b], "shared_trustees": len(people),
             "pseudonyms": "; ".join(sorted(people))} for (a, b), people in chosen.items()]
    frame = pd.DataFrame(rows, columns=["a", "b", "a_name", "b_name", "shared_trustees", "pseudonyms"])
    return frame.sort_values(["shared_trustees", "a_name"], ascending=[False, True]).reset_index(drop=True)
