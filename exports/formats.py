"""Export a graph for other tools: CSV, Excel, GraphML, Parquet and RDF (Turtle, JSON-LD).

CSV and Excel use a wide layout an analyst can filter: one column per attribute, lists joined by
``; ``, and a ``sources`` column naming the datasets behind each row; text that a spreadsheet would
run as a formula is quoted (:mod:`core.cells`). Every format leaves out the control characters XML
cannot hold. GraphML carries the same
attributes (nested values as JSON text). Parquet is the lossless graph folder of :mod:`graph.store`;
RDF is :func:`graph.rdf.graph_to_rdf`'s, Turtle, N-Triples and JSON-LD
written as it comes (:mod:`graph.rdf_writer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.analysis.placement import placement_coverage
from civicgraph.core.cells import clean_text, replaced_when_complete, write_csv, write_excel
from civicgraph.core.errors import OutputFolderError
from civicgraph.graph.frames import (
    RESERVED_EDGE_KEYS,
    RESERVED_NODE_KEYS,
    GraphFrames,
    frames_to_graph,
    graph_to_frames,
)
from civicgraph.graph.rdf import RDF_FORMATS, graph_to_rdf
from civicgraph.graph.rdf_writer import STREAMED_FORMATS, write_rdf
from civicgraph.graph.store import canonical_json, save_frames


@dataclass(frozen=True)
class ExportFormat:
    """One way to write a graph for other tools.

    Attributes
    ----------
    name : str
        What ``--format`` and :func:`export_graph` call it.
    file_name : str
        Its name in a run's ``exports`` folder (``{code}`` is the authority's code).
    endings : tuple of str
        The endings of an existing file it may replace; empty for formats written as a folder.
    in_run : bool
        Whether ``civicgraph run`` writes it.
    """

    name: str
    file_name: str
    endings: tuple[str, ...]
    in_run: bool


#: Every export format, in the order ``civicgraph run`` writes those it writes.
EXPORTS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("turtle", "{code}.ttl", (".ttl",), True),
    ExportFormat("json-ld", "{code}.jsonld", (".jsonld", ".json"), True),
    ExportFormat("graphml", "{code}.graphml", (".graphml", ".xml"), True),
    ExportFormat("excel", "{code}.xlsx", (".xlsx",), True),
    ExportFormat("csv", "csv", (), True),
    ExportFormat("parquet", "parquet", (), False),
    ExportFormat("xml", "{code}.rdf", (".rdf", ".xml"), False),
    ExportFormat("nt", "{code}.nt", (".nt",), False),
    ExportFormat("neo4j-import", "neo4j-import", (), False),
)}
EXPORT_FORMATS = tuple(EXPORTS)


def _flat(value: Any) -> Any:
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return clean_text("; ".join(map(str, value)))
    if isinstance(value, (list, dict)):
        return clean_text(canonical_json(value))
    return clean_text(value)


def _cleaned(value: Any) -> Any:
    """``value`` with :func:`core.cells.clean_text` applied to every text inside it."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v) for k, v in value.items()}
    return clean_text(value)


def graph_with_clean_text(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy without the control characters XML cannot hold, in identifiers and attributes.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Nul\\x00 Ward", other_names=["\\x0bB"])
    >>> dict(graph_with_clean_text(g).nodes["a"])
    {'kind': 'Ward', 'name': 'Nul Ward', 'other_names': ['B']}
    """
    clean = nx.MultiDiGraph()
    clean.graph.update(_cleaned(graph.graph))
    clean.add_nodes_from((clean_text(n), _cleaned(d)) for n, d in graph.nodes(data=True))
    clean.add_edges_from((clean_text(s), clean_text(t), k, _cleaned(d)) for s, t, k, d in
                         graph.edges(keys=True, data=True))
    return clean


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
        flat.add_node(clean_text(node), **{k: _flat(v) for k, v in data.items() if v is not None})
    for source, target, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(clean_text(source), clean_text(target), key=clean_text(key),
                      **{k: _flat(v) for k, v in data.items() if v is not None})
    return flat


def export_graph(graph: nx.MultiDiGraph | GraphFrames, fmt: str, path: str | Path) -> list[Path]:
    """Write the graph in one format of :data:`EXPORTS`.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphFrames
        The graph, or its tables (``load_frames``): Parquet is written from the tables as they are,
        the other formats from the networkx graph, made from the tables only when needed.
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    path : path
        A folder for ``parquet``, ``csv`` (``nodes.csv``, ``edges.csv``) and ``neo4j-import``; a
        file otherwise. An existing file is replaced only if its ending is the format's.

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
    if fmt not in EXPORTS:
        raise ValueError(f"format {fmt!r} is not supported. Use one of: {', '.join(EXPORT_FORMATS)}.")
    _refuse_to_overwrite(path, EXPORTS[fmt])
    if fmt == "parquet":
        return [save_frames(graph if isinstance(graph, GraphFrames) else graph_to_frames(graph), path)]
    return _WRITERS[fmt](frames_to_graph(graph) if isinstance(graph, GraphFrames) else graph, path)


def _rdf(fmt: str) -> Callable[[nx.MultiDiGraph, Path], list[Path]]:
    def write(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
        with replaced_when_complete(path) as partial:
            graph_to_rdf(graph_with_clean_text(graph)).serialize(destination=partial, format=fmt, encoding="utf-8")
        return [path]
    return write


def _streamed(fmt: str) -> Callable[[nx.MultiDiGraph, Path], list[Path]]:
    def write(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
        with replaced_when_complete(path) as partial:
            write_rdf(graph_with_clean_text(graph), partial, fmt)
        return [path]
    return write


def _graphml(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    with replaced_when_complete(path) as partial:
        nx.write_graphml(graph_for_graphml(graph), partial)
    return [path]


def _csv(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    nodes, edges = graph_to_wide_frames(graph)
    return [write_csv(nodes, path / "nodes.csv"), write_csv(edges, path / "edges.csv")]


def _excel(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    nodes, edges = graph_to_wide_frames(graph)
    return [write_excel({"nodes": nodes, "edges": edges}, path)]


def _neo4j_import(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    from civicgraph.cypher.neo4j_push import export_neo4j_import

    return export_neo4j_import(graph, path)


#: How each format other than Parquet is written from a networkx graph.
_WRITERS: dict[str, Callable[[nx.MultiDiGraph, Path], list[Path]]] = {
    **{fmt: _streamed(fmt) if fmt in STREAMED_FORMATS else _rdf(fmt) for fmt in RDF_FORMATS},
    "graphml": _graphml, "csv": _csv, "excel": _excel, "neo4j-import": _neo4j_import,
}


def _refuse_to_overwrite(path: Path, fmt: ExportFormat) -> None:
    """Refuse to write a file format over a file that is plainly something else (``--out thesis.docx``)."""
    if fmt.endings and path.is_file() and path.suffix.lower() not in fmt.endings:
        raise OutputFolderError(f"{path}: exists and is not a {', '.join(fmt.endings)} file; give a new file name")


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
