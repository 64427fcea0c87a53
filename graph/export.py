"""Export a graph for other tools: CSV, Excel, GraphML, Parquet and RDF (Turtle, JSON-LD).

CSV and Excel use a wide layout an analyst can filter: one column per attribute, lists joined by
``; ``, and a ``sources`` column naming the datasets behind each row. GraphML carries the same
attributes (nested values as JSON text). Parquet is the lossless graph folder of :mod:`graph.store`;
RDF is :func:`graph.rdf.graph_to_rdf`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graph.frames import RESERVED_EDGE_KEYS, RESERVED_NODE_KEYS, GraphFrames, graph_to_frames
from graph.placement import placement_coverage
from graph.rdf import RDF_FORMATS, graph_to_rdf
from graph.store import canonical_json, save_graph

EXPORT_FORMATS = ("parquet", "csv", "excel", "graphml", *RDF_FORMATS)


def _flat(value: Any) -> Any:
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return "; ".join(map(str, value))
    if isinstance(value, (list, dict)):
        return canonical_json(value)
    return value


def _sources(provenance: list[dict[str, str]]) -> str:
    return "; ".join(dict.fromkeys(p.get("dataset", "") for p in provenance))


def graph_to_wide_frames(graph: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables with one column per attribute, for spreadsheets.

    Returns
    -------
    nodes : DataFrame
        ``id``, ``kind``, ``name``, then attributes alphabetically, ``sources``, ``conflicts``.
    edges : DataFrame
        ``source``, ``target``, ``relation``, then attributes, ``sources``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", other_names=["B", "C"],
    ...            provenance=[{"dataset": "ccew:charity.txt"}], field_provenance={}, conflicts=[])
    >>> graph_to_wide_frames(g)[0].iloc[0].to_dict()
    {'id': 'a', 'kind': 'Charity', 'name': 'A', 'other_names': 'B; C', 'sources': 'ccew:charity.txt', 'conflicts': 0}
    """
    node_rows = []
    for node, data in graph.nodes(data=True):
        row = {"id": node, "kind": data["kind"], "name": data.get("name")}
        row.update({k: _flat(v) for k, v in sorted(data.items()) if k not in RESERVED_NODE_KEYS and k != "name"})
        row["sources"] = _sources(data.get("provenance", []))
        row["conflicts"] = len(data.get("conflicts", []))
        node_rows.append(row)
    edge_rows = []
    for source, target, data in graph.edges(data=True):
        row = {"source": source, "target": target, "relation": data["relation"]}
        row.update({k: _flat(v) for k, v in sorted(data.items()) if k not in RESERVED_EDGE_KEYS})
        row["sources"] = _sources(data.get("provenance", []))
        edge_rows.append(row)
    nodes = pd.DataFrame(node_rows)
    edges = pd.DataFrame(edge_rows, columns=None if edge_rows else ["source", "target", "relation", "sources"])
    return _order(nodes, ["id", "kind", "name"], ["sources", "conflicts"]), _order(
        edges, ["source", "target", "relation"], ["sources"])


def _order(frame: pd.DataFrame, first: list[str], last: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    middle = sorted(c for c in frame.columns if c not in first and c not in last)
    return frame[[c for c in first + middle + last if c in frame.columns]]


def graph_for_graphml(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all scalars (GraphML cannot hold lists or dicts).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", provenance=[{"dataset": "ons"}])
    >>> graph_for_graphml(g).nodes["a"]["provenance"]
    '[{"dataset":"ons"}]'
    """
    flat = nx.MultiDiGraph()
    flat.graph.update({k: _flat(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in data.items() if v is not None})
    for source, target, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **{k: _flat(v) for k, v in data.items() if v is not None})
    return flat


def export_graph(graph: nx.MultiDiGraph, fmt: str, path: str | Path) -> list[Path]:
    """Write the graph in one format.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    path : path
        A folder for ``parquet`` and ``csv`` (``nodes.csv``, ``edges.csv``); a file otherwise.

    Returns
    -------
    list of Path
        The files or folders written.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> [p.name for p in export_graph(g, "csv", Path(tempfile.mkdtemp()) / "csv")]
    ['nodes.csv', 'edges.csv']
    """
    path = Path(path)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not supported. Use one of: {', '.join(EXPORT_FORMATS)}.")
    if fmt == "parquet":
        return [save_graph(graph, path)]
    if fmt in RDF_FORMATS:
        path.parent.mkdir(parents=True, exist_ok=True)
        graph_to_rdf(graph).serialize(destination=path, format=fmt, encoding="utf-8")
        return [path]
    if fmt == "graphml":
        path.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(graph_for_graphml(graph), path)
        return [path]
    nodes, edges = graph_to_wide_frames(graph)
    if fmt == "csv":
        path.mkdir(parents=True, exist_ok=True)
        nodes.to_csv(path / "nodes.csv", index=False)
        edges.to_csv(path / "edges.csv", index=False)
        return [path / "nodes.csv", path / "edges.csv"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        nodes.to_excel(writer, sheet_name="nodes", index=False)
        edges.to_excel(writer, sheet_name="edges", index=False)
    return [path]


def graph_summary(graph: nx.MultiDiGraph | GraphFrames) -> dict[str, Any]:
    """Counts by kind, relation and source dataset, conflicts, and data dates (for ``info``), from the
    graph or from its tables (which a national graph is best summarised from).

    Examples
    --------
    >>> g = nx.MultiDiGraph(data_dates={"ons": "2017-12-01"})
    >>> g.add_node("a", kind="Ward", provenance=[{"dataset": "ons"}], conflicts=[])
    >>> graph_summary(g)["nodes_by_kind"]
    {'Ward': 1}
    """
    frames = graph if isinstance(graph, GraphFrames) else graph_to_frames(graph)
    entries = frames.node_sources["node"].value_counts()
    return {
        "authority": frames.attributes.get("authority_name", ""),
        "built": frames.attributes.get("built", ""),
        "nodes": len(frames.nodes),
        "edges": len(frames.edges),
        "nodes_by_kind": _counts(frames.nodes["kind"]),
        "edges_by_relation": _counts(frames.edges["relation"]),
        "nodes_by_source": _counts(_datasets_of_each(frames.node_sources, "node")),
        "edges_by_source": _counts(_datasets_of_each(frames.edge_sources, "edge")),
        "nodes_with_several_sources": int((entries > 1).sum()),
        "conflicts": len(frames.conflicts),
        "data_dates": frames.attributes.get("data_dates", {}),
        "placement": placement_coverage(frames) if "postcode" in frames.nodes
        else frames.attributes.get("placement", {"ward_set": "", "by_kind": {}}),
        "warnings": list(frames.attributes.get("warnings", [])),
    }


def _datasets_of_each(sources: pd.DataFrame, owner: str) -> pd.Series:
    """The datasets that gave each node (or edge), each dataset once per owner."""
    codes, datasets = pd.factorize(sources["dataset"].astype(object))
    if not len(datasets):
        return pd.Series([], dtype=object)
    known = codes >= 0
    pairs = pd.unique(sources[owner].to_numpy(np.int64)[known] * len(datasets) + codes[known])
    return pd.Series(np.asarray(datasets, dtype=object)[pairs % len(datasets)], dtype=object)


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in sorted(values.astype(object).value_counts().items())}


def summary_json(graph: nx.MultiDiGraph | GraphFrames) -> str:
    """:func:`graph_summary` as indented JSON text."""
    return json.dumps(graph_summary(graph), indent=2)
