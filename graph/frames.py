"""The graph as tables: what a build makes, the store saves, the analyses and writers read.

A national graph has millions of nodes, each with a list of provenance records; held as Python dicts
in a networkx graph it takes more than 10 GB. The graph is therefore four tables
(:class:`GraphFrames`), the one form every analysis and writer reads (:func:`as_frames`). The
networkx graph is made only for a user who asks for it, or a drawing that needs it
(:func:`frames_to_graph`, :func:`as_networkx`); :func:`graph_to_frames` goes back, for a graph
built or edited in Python, so every public function also takes a networkx graph.

The networkx form is, per node: ``kind``, one key per attribute,
``provenance`` (a list of ``{dataset, record, date, licence}``), ``field_provenance`` (attribute ->
positions in that list of the sources that gave its value, ascending) and ``conflicts`` (what other
sources said, with both sides' sources); per edge: ``relation``, attributes and ``provenance``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.core.bulk import collector_paused
from civicgraph.core.columns import present_mask
from civicgraph.core.provenance import PROVENANCE_FIELDS

#: Keys of a node's data that are not ontology attributes.
RESERVED_NODE_KEYS = ("kind", "provenance", "field_provenance", "conflicts")
#: Keys of an edge's data that are not ontology attributes.
RESERVED_EDGE_KEYS = ("relation", "provenance")
#: Leading columns of the node and edge tables (then one column per attribute).
NODE_TABLE_COLUMNS = ["id", "kind"]
EDGE_TABLE_COLUMNS = ["key", "source", "target", "relation"]
#: ``node`` is a row of the node table; ``fields`` the attributes this source gave, space-separated.
NODE_SOURCE_COLUMNS = ["node", *PROVENANCE_FIELDS, "fields"]
#: ``edge`` is a row of the edge table.
EDGE_SOURCE_COLUMNS = ["edge", *PROVENANCE_FIELDS]
#: What sources disagreed on: a row of the node table, the field, the value kept and where it came
#: from (missing for a kind: no one source gave the kept kind), the other value and where it came from.
CONFLICT_COLUMNS = ["node", "field", "kept", *(f"kept_{f}" for f in PROVENANCE_FIELDS), "other",
                    *(f"other_{f}" for f in PROVENANCE_FIELDS)]


@dataclass
class GraphFrames:
    """A graph as tables.

    Attributes
    ----------
    nodes : DataFrame
        One row per node: ``id``, ``kind``, one column per attribute (missing where the node has no
        value).
    node_sources : DataFrame
        Each node's provenance list, one row per entry, rows of a node together and in order:
        ``node`` (row of ``nodes``), ``dataset``, ``record``, ``date``, ``licence`` and ``fields``
        (the attributes whose value this source gave, space-separated).
    edges : DataFrame
        One row per edge: ``key``, ``source``, ``target``, ``relation``, one column per attribute.
    edge_sources : DataFrame
        Each edge's provenance list: ``edge`` (row of ``edges``) and the four provenance columns.
    conflicts : DataFrame
        What sources disagreed on (:data:`CONFLICT_COLUMNS`), rows of a node together and in the
        order they were found.
    attributes : dict
        Graph-level attributes (authority, build date, data dates).

    Examples
    --------
    >>> g = nx.MultiDiGraph(authority_gss="E09000018")
    >>> g.add_node("W", kind="Ward", name="Bedfont", field_provenance={"name": [0]}, conflicts=[],
    ...            provenance=[{"dataset": "ons", "record": "row 2", "date": "", "licence": "OGL-UK-3.0"}])
    >>> frames = graph_to_frames(g)
    >>> frames.node_sources[["node", "record", "fields"]].values.tolist()
    [[0, 'row 2', 'name']]
    >>> nx.utils.graphs_equal(frames_to_graph(frames), g)
    True
    """

    nodes: pd.DataFrame
    node_sources: pd.DataFrame
    edges: pd.DataFrame
    edge_sources: pd.DataFrame
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONFLICT_COLUMNS))
    attributes: dict[str, Any] = field(default_factory=dict)
    #: Tables and projections derived from these (see :func:`derived`); not compared or copied.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def node_attribute_columns(self) -> list[str]:
        """The node table's attribute columns."""
        return [c for c in self.nodes.columns if c not in NODE_TABLE_COLUMNS]

    def edge_attribute_columns(self) -> list[str]:
        """The edge table's attribute columns."""
        return [c for c in self.edges.columns if c not in EDGE_TABLE_COLUMNS]


#: A graph as the library's functions take it: its tables, or a networkx graph made in Python.
GraphLike = GraphFrames | nx.MultiDiGraph


def as_frames(graph: GraphLike) -> GraphFrames:
    """The tables of ``graph``: itself when it is tables, else made from the networkx graph (each
    call, so an edited networkx graph is always read as it is now).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity")
    >>> frames = as_frames(g)
    >>> as_frames(frames) is frames, frames.nodes["id"].tolist()
    (True, ['a'])
    """
    return graph if isinstance(graph, GraphFrames) else graph_to_frames(graph)


def as_networkx(graph: GraphLike) -> nx.MultiDiGraph:
    """The networkx graph of ``graph``: itself when it is one, else made from the tables once and
    kept with them (for drawings and for users who ask for it; do not edit it).

    Examples
    --------
    >>> frames = as_frames(nx.MultiDiGraph([("a", "b")]))
    >>> as_networkx(frames) is as_networkx(frames)
    True
    """
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    cache = derived(graph)
    if "networkx" not in cache:
        cache["networkx"] = frames_to_graph(graph)
    return cache["networkx"]


def derived(frames: GraphFrames) -> dict[str, Any]:
    """Where tables and projections made from ``frames`` are kept, so each is made once.

    A build's tables are not edited in place once made; after editing one, call
    ``derived(frames).clear()``.

    Examples
    --------
    >>> frames = as_frames(nx.MultiDiGraph())
    >>> derived(frames)["answer"] = 42
    >>> derived(frames)
    {'answer': 42}
    """
    return frames._derived


def select(frames: GraphFrames, nodes: np.ndarray, edges: np.ndarray) -> GraphFrames:
    """The part of ``frames`` made of some rows of its node and edge tables, with their sources and
    conflicts, renumbered to the rows kept (a subgraph, as tables).

    Parameters
    ----------
    frames : GraphFrames
    nodes, edges : array of bool
        One flag per row of ``frames.nodes`` and of ``frames.edges``: whether to keep it. An edge
        whose source or target is not kept is left out too.

    Returns
    -------
    GraphFrames
        New tables (row order kept, indexes from 0) with the same graph-level attributes.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", provenance=[{"dataset": "ccew"}], field_provenance={}, conflicts=[])
    >>> g.add_node("b", kind="Charity", provenance=[{"dataset": "ccew"}], field_provenance={}, conflicts=[])
    >>> _ = g.add_edge("b", "b", relation="PARTNERS_WITH", provenance=[{"dataset": "dir"}])
    >>> part = select(graph_to_frames(g), np.array([False, True]), np.array([True]))
    >>> part.nodes["id"].tolist(), part.node_sources["node"].tolist(), part.edge_sources["edge"].tolist()
    (['b'], [0], [0])
    """
    nodes = np.asarray(nodes, dtype=bool)
    kept_ids = frames.nodes["id"][nodes]
    edges = (np.asarray(edges, dtype=bool) & frames.edges["source"].isin(kept_ids).to_numpy(dtype=bool)
             & frames.edges["target"].isin(kept_ids).to_numpy(dtype=bool))
    return GraphFrames(frames.nodes[nodes].reset_index(drop=True), _renumbered(frames.node_sources, "node", nodes),
                       frames.edges[edges].reset_index(drop=True), _renumbered(frames.edge_sources, "edge", edges),
                       _renumbered(frames.conflicts, "node", nodes), dict(frames.attributes))


def _renumbered(table: pd.DataFrame, column: str, kept: np.ndarray) -> pd.DataFrame:
    """The rows of ``table`` whose ``column`` (a row of another table) is kept, pointing to that
    row's position among the rows kept."""
    position = np.cumsum(kept) - 1
    rows = table[column].to_numpy(dtype=np.int64)
    chosen = table[kept[rows]].reset_index(drop=True)
    chosen[column] = position[rows[kept[rows]]]
    return chosen


def _provenance_dicts(sources: pd.DataFrame) -> list[dict[str, str]]:
    columns = [sources[name].astype(object).tolist() for name in PROVENANCE_FIELDS]
    return [dict(zip(PROVENANCE_FIELDS, values)) for values in zip(*columns)]


def _set_attributes(datas: list[dict[str, Any]], table: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        values = table[column]
        mask = present_mask(values)
        for row, value in zip(np.flatnonzero(mask).tolist(), values[mask].tolist()):
            datas[row][column] = value


@collector_paused()
def frames_to_graph(frames: GraphFrames) -> nx.MultiDiGraph:
    """The networkx graph of a set of tables (for users who ask for it, and drawings that need it).

    Parameters
    ----------
    frames : GraphFrames

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id, edges by ``key``; see the module docstring for their data.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", provenance=[], field_provenance={}, conflicts=[])
    >>> frames_to_graph(graph_to_frames(g)).nodes["a"]["name"]
    'A'
    """
    nodes, edges = frames.nodes, frames.edges
    graph = nx.MultiDiGraph(**frames.attributes)
    graph.add_nodes_from(zip(nodes["id"].astype(object).tolist(), node_records(frames)))
    graph.add_edges_from(zip(edges["source"].astype(object).tolist(), edges["target"].astype(object).tolist(),
                             edges["key"].astype(object).tolist(), edge_records(frames)))
    return graph


def node_records(frames: GraphFrames) -> list[dict[str, Any]]:
    """Each node's data as the networkx graph holds it, one dict per row of the node table: ``kind``,
    ``provenance``, ``field_provenance``, ``conflicts``, then the attributes it has, in column order.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Bedfont", field_provenance={"name": [0]}, conflicts=[],
    ...            provenance=[{"dataset": "ons", "record": "row 2", "date": "", "licence": "OGL-UK-3.0"}])
    >>> node_records(graph_to_frames(g))[0]["field_provenance"]
    {'name': [0]}
    """
    datas = [{"kind": kind, "provenance": [], "field_provenance": {}, "conflicts": []}
             for kind in frames.nodes["kind"].astype(object).tolist()]
    _set_attributes(datas, frames.nodes, frames.node_attribute_columns())
    for row, conflict in zip(frames.conflicts["node"].tolist(), conflict_dicts(frames.conflicts)):
        datas[row]["conflicts"].append(conflict)
    split: dict[str, list[str]] = {}
    sources = frames.node_sources
    for row, provenance, fields in zip(sources["node"].tolist(), _provenance_dicts(sources),
                                       sources["fields"].astype(object).tolist()):
        data = datas[row]
        position = len(data["provenance"])
        data["provenance"].append(provenance)
        if fields not in split:
            split[fields] = fields.split() if isinstance(fields, str) else []
        for name in split[fields]:
            data["field_provenance"].setdefault(name, []).append(position)
    return datas


def edge_records(frames: GraphFrames) -> list[dict[str, Any]]:
    """Each edge's data as the networkx graph holds it, one dict per row of the edge table:
    ``relation``, the attributes it has (in column order), then ``provenance``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="k", relation="PART_OF", provenance=[], note="x")
    >>> edge_records(graph_to_frames(g))
    [{'relation': 'PART_OF', 'note': 'x', 'provenance': []}]
    """
    datas = [{"relation": relation} for relation in frames.edges["relation"].astype(object).tolist()]
    _set_attributes(datas, frames.edges, frames.edge_attribute_columns())
    for data in datas:
        data["provenance"] = []
    for row, provenance in zip(frames.edge_sources["edge"].tolist(), _provenance_dicts(frames.edge_sources)):
        datas[row]["provenance"].append(provenance)
    return datas


def node_items(frames: GraphFrames) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Each node's id and data (:func:`node_records`), as networkx's ``graph.nodes(data=True)`` lists them.

    Examples
    --------
    >>> [node for node, _ in node_items(graph_to_frames(nx.MultiDiGraph([("a", "b")])))]
    ['a', 'b']
    """
    return zip(frames.nodes["id"].astype(object).tolist(), node_records(frames))


def edge_items(frames: GraphFrames) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    """Each edge's source, target, key and data (:func:`edge_records`), in the order of networkx's
    ``graph.edges(keys=True, data=True)`` (:func:`networkx_edge_order`).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); _ = g.add_edge("a", "b", key="k", relation="PART_OF")
    >>> list(edge_items(graph_to_frames(g)))
    [('a', 'b', 'k', {'relation': 'PART_OF', 'provenance': []})]
    """
    order = networkx_edge_order(frames)
    records = edge_records(frames)
    ends = [frames.edges[name].astype(object).to_numpy()[order].tolist() for name in ("source", "target", "key")]
    return ((source, target, key, records[row]) for source, target, key, row in zip(*ends, order.tolist()))


def networkx_edge_order(frames: GraphFrames) -> np.ndarray:
    """The rows of the edge table in the order networkx lists the edges of :func:`frames_to_graph`:
    by source, in node table order; from one source, by target, in the order each target was first
    reached from it; then by row. Writers list edges in this order, whichever form they were given.

    Examples
    --------
    >>> g = nx.MultiDiGraph([("b", "c"), ("a", "c"), ("b", "a"), ("b", "c")])
    >>> frames = graph_to_frames(g)
    >>> frames.edges.index = [3, 0, 2, 1]  # a table in another order than the graph's
    >>> frames.edges = frames.edges.sort_index(ignore_index=True)
    >>> frames.edges.loc[networkx_edge_order(frames), ["source", "target"]].values.tolist()
    [['b', 'c'], ['b', 'c'], ['b', 'a'], ['a', 'c']]
    >>> [(s, t) for s, t in frames_to_graph(frames).edges()]
    [('b', 'c'), ('b', 'c'), ('b', 'a'), ('a', 'c')]
    """
    edges = frames.edges
    rows = np.arange(len(edges))
    if not len(edges):
        return rows
    position = pd.Index(frames.nodes["id"].astype(object)).get_indexer(edges["source"].astype(object))
    pairs = pd.MultiIndex.from_arrays([edges["source"].astype(object), edges["target"].astype(object)])
    codes, _ = pd.factorize(pairs)
    first_row = pd.Series(rows).groupby(codes).transform("min").to_numpy()
    return np.lexsort((rows, first_row, position))


def conflict_dicts(conflicts: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a conflict table as the networkx form has them: ``field``, ``kept``, ``kept_from``
    (a list of the source whose value was kept; empty for a kind), ``other``, ``other_from``.

    Examples
    --------
    >>> table = pd.DataFrame([[0, "name", "Age UK", "ccew", "row 2", "", "OGL-UK-3.0", "Age Concern", "dir", "row 9",
    ...                        "", "CC0-1.0"]], columns=CONFLICT_COLUMNS)
    >>> conflict_dicts(table)[0]["kept_from"]
    [{'dataset': 'ccew', 'record': 'row 2', 'date': '', 'licence': 'OGL-UK-3.0'}]
    """
    columns = {name: conflicts[name].astype(object).tolist() for name in CONFLICT_COLUMNS}
    found = []
    for row in range(len(conflicts)):
        kept = {f: columns[f"kept_{f}"][row] for f in PROVENANCE_FIELDS}
        found.append({"field": columns["field"][row], "kept": columns["kept"][row],
                      "kept_from": [kept] if isinstance(kept["dataset"], str) else [],
                      "other": columns["other"][row],
                      "other_from": {f: columns[f"other_{f}"][row] for f in PROVENANCE_FIELDS}})
    return found


def _sparse_columns(rows: list[dict[str, Any]], reserved: tuple[str, ...], count: int) -> dict[str, pd.Series]:
    """Attribute columns of a list of data dicts (object dtype, missing where a row has no value)."""
    found: dict[str, tuple[list[int], list[Any]]] = {}
    for row, data in enumerate(rows):
        for key, value in data.items():
            if key not in reserved:
                positions, values = found.setdefault(key, ([], []))
                positions.append(row)
                values.append(value)
    columns = {}
    for key in sorted(found):
        positions, values = found[key]
        column = np.full(count, None, dtype=object)
        column[positions] = _object_array(values)
        columns[key] = pd.Series(column, dtype=object)
    return columns


def _object_array(values: list[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` (numpy would make a 2-d array of a list of equal-length lists)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@collector_paused()
def graph_to_frames(graph: nx.MultiDiGraph) -> GraphFrames:
    """The tables of a networkx graph (a graph built, loaded or edited in Python).

    A node's ``field_provenance`` is kept as the fields each source gave, so its lists come back in
    ascending order; a conflict keeps, of the sources of the value kept, the first.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="k", relation="PART_OF", provenance=[])
    >>> g.nodes["a"].update(kind="LSOA", provenance=[], field_provenance={}, conflicts=[])
    >>> g.nodes["b"].update(kind="Ward", provenance=[], field_provenance={}, conflicts=[])
    >>> graph_to_frames(g).edges.values.tolist()
    [['k', 'a', 'b', 'PART_OF']]
    """
    node_ids, node_datas = map(list, zip(*graph.nodes(data=True))) if len(graph) else ([], [])
    nodes = pd.DataFrame({"id": pd.Series(node_ids, dtype=object),
                          "kind": pd.Series([d.get("kind") for d in node_datas], dtype=object),
                          **_sparse_columns(node_datas, RESERVED_NODE_KEYS, len(node_datas))})
    conflict_rows = []
    for row, data in enumerate(node_datas):
        for conflict in data.get("conflicts", []):
            kept = (conflict.get("kept_from") or [{}])[0]
            conflict_rows.append((row, conflict["field"], conflict["kept"], *(kept.get(f) for f in PROVENANCE_FIELDS),
                                  conflict["other"], *(conflict["other_from"].get(f) for f in PROVENANCE_FIELDS)))
    source_rows = []
    for row, data in enumerate(node_datas):
        given: dict[int, list[str]] = {}
        for name, positions in data.get("field_provenance", {}).items():
            for position in positions:
                given.setdefault(position, []).append(name)
        for position, provenance in enumerate(data.get("provenance", [])):
            source_rows.append((row, *(provenance.get(f, "") for f in PROVENANCE_FIELDS),
                                " ".join(sorted(given.get(position, [])))))
    edge_rows = [(key, source, target, data) for source, target, key, data in graph.edges(keys=True, data=True)]
    edge_datas = [data for *_, data in edge_rows]
    edges = pd.DataFrame({
        "key": pd.Series([k for k, *_ in edge_rows], dtype=object),
        "source": pd.Series([s for _, s, _, _ in edge_rows], dtype=object),
        "target": pd.Series([t for _, _, t, _ in edge_rows], dtype=object),
        "relation": pd.Series([d.get("relation") for d in edge_datas], dtype=object),
        **_sparse_columns(edge_datas, RESERVED_EDGE_KEYS, len(edge_datas))})
    edge_sources = [(row, *(p.get(f, "") for f in PROVENANCE_FIELDS))
                    for row, data in enumerate(edge_datas) for p in data.get("provenance", [])]
    return GraphFrames(nodes, pd.DataFrame(source_rows, columns=NODE_SOURCE_COLUMNS, dtype=object).astype({"node": int}),
                       edges, pd.DataFrame(edge_sources, columns=EDGE_SOURCE_COLUMNS, dtype=object).astype({"edge": int}),
                       pd.DataFrame(conflict_rows, columns=CONFLICT_COLUMNS, dtype=object).astype({"node": int}),
                       dict(graph.graph))
