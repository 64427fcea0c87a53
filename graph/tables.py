"""The columns of the graph's tables the analyses read, as plain Python objects, made once per graph.

:class:`~civicgraph.graph.frames.GraphFrames` keep their columns as the build made them (Arrow text,
nullable numbers, categories). The analyses group, join and look up a few of them, and want ids as
plain strings (which pandas matches and joins several times faster than Arrow-backed text) and
``None`` where a value is missing. :func:`edge_table` and :func:`node_table` make those tables from
the frames, once, and keep them with the frames (:func:`~civicgraph.graph.frames.derived`); a
networkx graph is read through its tables (:func:`~civicgraph.graph.frames.as_frames`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, derived

#: Edge attributes the analysis reads by default; :func:`edge_table` adds others when asked.
EDGE_COLUMNS = ("source", "target", "relation", "amount", "currency", "award_date", "date", "grant", "mode")
#: Node attributes the analysis reads by default; :func:`node_table` adds others when asked.
NODE_COLUMNS = ("id", "kind", "name", "income_band", "latest_income", "scale", "postcode")


def edge_table(graph: GraphLike, *extra: str) -> pd.DataFrame:
    """Every edge as a row: the columns of :data:`EDGE_COLUMNS` and ``extra``, as Python objects
    (``None`` where missing; ``amount`` numeric, ``relation`` a category). Do not edit it in place.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0, note="x")
    >>> edge_table(g)[["source", "target", "relation", "amount"]].values.tolist()
    [['a', 'f', 'FUNDED_BY', 5.0]]
    >>> edge_table(g, "note")["note"].tolist()
    ['x']
    """
    frames = as_frames(graph)
    columns = [*EDGE_COLUMNS, *(c for c in extra if c not in EDGE_COLUMNS)]
    table = pd.DataFrame({name: _objects(frames, "edges", name) for name in columns})
    table["amount"] = pd.to_numeric(table["amount"], errors="coerce")
    table["relation"] = table["relation"].astype("category")
    return table


def node_table(graph: GraphLike, *extra: str) -> pd.DataFrame:
    """Every node as a row, indexed by id: the columns of :data:`NODE_COLUMNS` and ``extra``, as
    Python objects (``None`` where missing; ``kind`` a category). Do not edit it in place.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", imd_score=12.5)
    >>> node_table(g).loc["a", "name"], node_table(g, "imd_score").loc["a", "imd_score"]
    ('A', 12.5)
    """
    frames = as_frames(graph)
    columns = [*NODE_COLUMNS, *(c for c in extra if c not in NODE_COLUMNS)]
    table = pd.DataFrame({name: _objects(frames, "nodes", name) for name in columns})
    table["kind"] = table["kind"].astype("category")
    return table.set_index(pd.Index(table["id"], name=None))


def grants_frame(graph: GraphLike) -> pd.DataFrame:
    """Every ``FUNDED_BY`` edge as a row: ``recipient``, ``funder``, ``amount`` (in ``currency``, as
    published; 0 where unknown), ``grant``, ``year`` (of the award date, else the date).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0, currency="GBP", award_date="2019-04-01", grant="G1")
    >>> grants_frame(g).to_dict("records")
    [{'recipient': 'a', 'funder': 'f', 'amount': 5.0, 'currency': 'GBP', 'grant': 'G1', 'year': 2019}]
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "grants" not in cache:
        edges = edge_table(frames)
        funded = edges[edges["relation"] == "FUNDED_BY"]
        date = funded["award_date"].where(funded["award_date"].notna() & (funded["award_date"] != ""), funded["date"])
        frame = pd.DataFrame({"recipient": funded["source"].to_numpy(), "funder": funded["target"].to_numpy(),
                              "amount": funded["amount"].fillna(0.0).astype(float).to_numpy(),
                              "currency": funded["currency"].to_numpy(),
                              "grant": funded["grant"].to_numpy()})
        frame["year"] = pd.to_numeric(date.astype(str).str.slice(0, 4), errors="coerce").astype("Int64").to_numpy()
        cache["grants"] = frame
    return cache["grants"].copy()


def in_source_order(graph: GraphLike, edges: pd.DataFrame) -> pd.DataFrame:
    """Rows of an edge table ordered by their source's row in the node table, keeping the order of
    each source's edges (the order in which a graph lists its nodes' out-edges).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_nodes_from(["a", "b"])
    >>> edges = pd.DataFrame({"source": ["b", "a", "b"], "target": ["x", "y", "z"]})
    >>> in_source_order(g, edges)["target"].tolist()
    ['y', 'x', 'z']
    """
    row = pd.Index(as_frames(graph).nodes["id"]).get_indexer(edges["source"])
    return edges.iloc[np.argsort(row, kind="stable")]


def source_records(graph: GraphLike, table: str = "nodes") -> pd.Series:
    """The ``record`` of each source of each row of the node (or ``"edges"``) table, in order,
    joined with "; ", by row position ('' for a row no source gave).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p", kind="Programme", provenance=[{"dataset": "workbook", "record": "sheet 2 row 4"},
    ...                                              {"dataset": "cil", "record": "row 9"}])
    >>> g.add_node("q", kind="Programme")
    >>> source_records(g).tolist()
    ['sheet 2 row 4; row 9', '']
    """
    frames = as_frames(graph)
    sources, owner = (frames.node_sources, "node") if table == "nodes" else (frames.edge_sources, "edge")
    joined = sources["record"].astype(object).groupby(sources[owner].to_numpy()).agg("; ".join)
    rows = len(getattr(frames, table))
    return pd.Series(joined.reindex(range(rows)).astype(object).fillna("").to_numpy(dtype=object), dtype=object)


def _objects(frames: GraphFrames, table: str, name: str) -> pd.Series:
    """Column ``name`` of the frames' ``table`` as Python objects, ``None`` where missing (all
    ``None`` when the table has no such column); made once per frames."""
    cache = derived(frames).setdefault(f"{table}.objects", {})
    if name not in cache:
        source = getattr(frames, table)
        if name in source.columns:
            column = source[name]
            values = np.where(present_mask(column), column.to_numpy(dtype=object), None)
        else:
            values = np.full(len(source), None, dtype=object)
        cache[name] = pd.Series(values, dtype=object)
    return cache[name]

