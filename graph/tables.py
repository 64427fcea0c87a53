"""The graph as two tables (nodes, edges), made once per graph and kept until the graph changes.

Walking a million-edge ``MultiDiGraph`` in Python takes seconds each time; most questions only need
a few columns of the edges, grouped and joined. :func:`edge_table` and :func:`node_table` make
those tables once and keep them in the graph's ``__networkx_cache__``, which networkx empties
whenever nodes or edges are added or removed. Like networkx's own cached results, they are not
refreshed when an attribute of an existing node or edge is edited in place; call
:func:`forget_tables` after such an edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx
import pandas as pd

from civicgraph.core.bulk import collector_paused

_CACHE_KEY = "civicgraph_tables"
#: Edge attributes the analysis reads; other attributes stay in the graph.
EDGE_COLUMNS = ("source", "target", "relation", "amount", "currency", "award_date", "date", "grant", "mode")
#: Node attributes the analysis reads.
NODE_COLUMNS = ("id", "kind", "name", "income_band", "latest_income", "scale", "postcode")


def cached(graph: nx.Graph) -> dict:
    """This module's corner of the graph's ``__networkx_cache__`` (emptied when the graph changes).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); cached(g)["answer"] = 42; g.add_node("a", kind="Charity")
    >>> cached(g)
    {}
    """
    return graph.__networkx_cache__.setdefault(_CACHE_KEY, {})


def edge_records(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict]]:
    """Every edge as ``(source, target, key, data)``, read from networkx's adjacency dicts: its edge
    view costs about six times as much per edge, which counts on a million edges.

    Examples
    --------
    >>> g = nx.MultiDiGraph(); _ = g.add_edge("a", "f", key="k", relation="FUNDED_BY")
    >>> list(edge_records(g))
    [('a', 'f', 'k', {'relation': 'FUNDED_BY'})]
    """
    return ((source, target, key, data) for source, partners in graph._adj.items()
            for target, keyed in partners.items() for key, data in keyed.items())


def node_records(graph: nx.MultiDiGraph) -> Iterable[tuple[str, dict]]:
    """Every node as ``(id, data)``, from networkx's node dict (cheaper than its node view).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity")
    >>> list(node_records(g))
    [('a', {'kind': 'Charity'})]
    """
    return graph._node.items()


def edge_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every edge as a row: ``source``, ``target``, ``relation`` and the attributes in :data:`EDGE_COLUMNS`.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0)
    >>> edge_table(g)[["source", "target", "relation", "amount"]].values.tolist()
    [['a', 'f', 'FUNDED_BY', 5.0]]
    >>> _ = g.add_edge("b", "f", relation="FUNDED_BY", amount=7.0)  # adding an edge refreshes the table
    >>> len(edge_table(g))
    2
    """
    cache = cached(graph)
    if "edges" not in cache:
        relation, amount, currency, award_date, date, grant, mode = EDGE_COLUMNS[2:]
        with collector_paused():
            rows = [(source, target, d.get(relation), d.get(amount), d.get(currency), d.get(award_date), d.get(date),
                     d.get(grant), d.get(mode)) for source, target, _, d in edge_records(graph)]
            frame = _object_frame(rows, EDGE_COLUMNS)
        frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
        frame["relation"] = frame["relation"].astype("category")
        cache["edges"] = frame
    return cache["edges"]


def node_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every node as a row: ``id``, ``kind`` and the attributes in :data:`NODE_COLUMNS`, indexed by id.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A")
    >>> node_table(g).loc["a", "name"]
    'A'
    """
    cache = cached(graph)
    if "nodes" not in cache:
        attributes = NODE_COLUMNS[1:]
        with collector_paused():
            rows = [(n, *(d.get(a) for a in attributes)) for n, d in node_records(graph)]
            frame = _object_frame(rows, NODE_COLUMNS)
        frame["kind"] = frame["kind"].astype("category")
        cache["nodes"] = frame.set_index("id", drop=False)
    return cache["nodes"]


def grants_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every ``FUNDED_BY`` edge as a row: ``recipient``, ``funder``, ``amount`` (in ``currency``, as
    published; None where unknown), ``grant``, ``year``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0, currency="GBP", award_date="2019-04-01", grant="G1")
    >>> grants_frame(g).to_dict("records")
    [{'recipient': 'a', 'funder': 'f', 'amount': 5.0, 'currency': 'GBP', 'grant': 'G1', 'year': 2019}]
    """
    cache = cached(graph)
    if "grants" not in cache:
        edges = edge_table(graph)
        funded = edges[edges["relation"] == "FUNDED_BY"]
        date = funded["award_date"].where(funded["award_date"].notna() & (funded["award_date"] != ""), funded["date"])
        frame = pd.DataFrame({"recipient": funded["source"].to_numpy(), "funder": funded["target"].to_numpy(),
                              "amount": funded["amount"].fillna(0.0).astype(float).to_numpy(),
                              "currency": funded["currency"].to_numpy(),
                              "grant": funded["grant"].to_numpy()})
        frame["year"] = pd.to_numeric(date.astype(str).str.slice(0, 4), errors="coerce").astype("Int64").to_numpy()
        cache["grants"] = frame
    return cache["grants"].copy()


def _object_frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows as a frame of Python objects: ids stay plain strings, which pandas matches and joins
    several times faster than its Arrow-backed string columns."""
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({name: pd.Series(column, dtype=object) for name, column in zip(columns, values)})


def forget_tables(graph: nx.MultiDiGraph) -> None:
    """Drop the cached tables (after editing node or edge attributes in place).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A")
    >>> _ = node_table(g); g.nodes["a"]["name"] = "B"; forget_tables(g)
    >>> node_table(g).loc["a", "name"]
    'B'
    """
    cached(graph).clear()
