"""Export a graph for other tools: CSV, Excel, GraphML, Parquet and RDF (Turtle, JSON-LD).

CSV and Excel use a wide layout an analyst can filter: one column per attribute, lists joined by
``; ``, and a ``sources`` column naming the datasets behind each row; text that a spreadsheet would
run as a formula is quoted (:mod:`core.cells`). Every format leaves out the control characters XML
cannot hold. GraphML (:mod:`exports.graphml`) carries the same attributes (nested values as JSON
text). Parquet is the lossless graph folder of :mod:`graph.store`; RDF is
:func:`graph.rdf.graph_to_rdf`'s, Turtle, N-Triples and JSON-LD written as it comes
(:mod:`graph.rdf_writer`). Every format is written from the graph's tables; none makes a networkx
graph, and edges are listed in the order networkx lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from civicgraph.analysis.placement import placement_coverage
from civicgraph.core.cells import clean_text, replaced_when_complete, write_csv, write_excel
from civicgraph.core.columns import present_mask
from civicgraph.core.errors import OutputFolderError
from civicgraph.exports.graphml import flat_value, write_graphml
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, networkx_edge_order
from civicgraph.graph.rdf import RDF_FORMATS, graph_to_rdf
from civicgraph.graph.rdf_writer import STREAMED_FORMATS, write_rdf
from civicgraph.graph.store import save_frames


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


def frames_with_clean_text(frames: GraphFrames) -> GraphFrames:
    """The tables without the control characters XML cannot hold, in identifiers and values (the
    tables themselves when they hold none).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Nul\\x00 Ward", other_names=["\\x0bB"])
    >>> frames_with_clean_text(as_frames(g)).nodes.values.tolist()
    [['a', 'Ward', 'Nul Ward', ['B']]]
    """
    tables = {name: _clean_table(getattr(frames, name))
              for name in ("nodes", "node_sources", "edges", "edge_sources", "conflicts")}
    attributes = cleaned_value(frames.attributes)
    if all(table is getattr(frames, name) for name, table in tables.items()) and attributes == frames.attributes:
        return frames
    return GraphFrames(**tables, attributes=attributes)


def _clean_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with :func:`cleaned_value` applied to the columns that need it (itself if none do)."""
    changed = {}
    for name in table.columns:
        column = table[name]
        if is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype):
            continue
        values = column.to_numpy(dtype=object)
        mask = present_mask(column)
        cleaned = [cleaned_value(v) for v in values[mask].tolist()]
        if cleaned != values[mask].tolist():
            values = values.copy()
            values[np.flatnonzero(mask)] = _object_array(cleaned)
            changed[name] = pd.Series(values, index=table.index, dtype=object)
    return table.assign(**changed) if changed else table


def _object_array(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def cleaned_value(value: Any) -> Any:
    """``value`` with :func:`core.cells.clean_text` applied to every text inside it.

    Examples
    --------
    >>> cleaned_value({"a\\x00": ["b\\x0b", 1]})
    {'a': ['b', 1]}
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [cleaned_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): cleaned_value(v) for k, v in value.items()}
    return clean_text(value)


def graph_to_wide_frames(graph: GraphLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables with one column per attribute, for spreadsheets.

    Returns
    -------
    nodes : DataFrame
        ``id``, ``kind``, ``name``, then attributes alphabetically, ``sources`` (the datasets that
        gave each, in order), ``conflicts`` (how many).
    edges : DataFrame
        ``source``, ``target``, ``relation``, then attributes, ``sources``; edges in networkx's order.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", other_names=["B", "C"],
    ...            provenance=[{"dataset": "ccew:charity.txt"}], field_provenance={}, conflicts=[])
    >>> graph_to_wide_frames(g)[0].iloc[0].to_dict()
    {'id': 'a', 'kind': 'Charity', 'name': 'A', 'other_names': 'B; C', 'sources': 'ccew:charity.txt', 'conflicts': 0}
    """
    frames = as_frames(graph)
    if not len(frames.nodes):
        nodes = pd.DataFrame()
    else:
        named = {"id": frames.nodes["id"], "kind": frames.nodes["kind"]}
        nodes = pd.DataFrame({
            **{name: _inferred(column.to_numpy(dtype=object)) for name, column in named.items()},
            "name": _wide_column(frames.nodes, "name", missing=None),
            **_wide_attributes(frames.nodes, [c for c in frames.node_attribute_columns() if c != "name"]),
            "sources": _inferred(_sources(frames.node_sources, "node", len(frames.nodes))),
            "conflicts": np.bincount(frames.conflicts["node"].to_numpy(np.int64), minlength=len(frames.nodes)),
        })
    order = networkx_edge_order(frames)
    if not len(order):
        edges = pd.DataFrame(columns=["source", "target", "relation", "sources"])
    else:
        table = frames.edges.iloc[order]
        edges = pd.DataFrame({
            **{name: _inferred(table[name].to_numpy(dtype=object)) for name in ("source", "target", "relation")},
            **_wide_attributes(table, frames.edge_attribute_columns()),
            "sources": _inferred(_sources(frames.edge_sources, "edge", len(frames.edges))[order]),
        })
    return _order(nodes, ["id", "kind", "name"], ["sources", "conflicts"]), _order(
        edges, ["source", "target", "relation"], ["sources"])


def _wide_attributes(table: pd.DataFrame, columns: list[str]) -> dict[str, pd.Series]:
    """The attribute columns any row has a value in, flat (:func:`flat_value`), NaN where missing."""
    found = {}
    for name in columns:
        if present_mask(table[name]).any():
            found[name] = _wide_column(table, name, missing=np.nan)
    return found


def _wide_column(table: pd.DataFrame, name: str, *, missing: Any) -> pd.Series:
    values = np.full(len(table), missing, dtype=object)
    if name in table.columns:
        column = table[name]
        mask = present_mask(column)
        values[np.flatnonzero(mask)] = _object_array([flat_value(v) for v in column[mask].tolist()])
    return _inferred(values)


def _inferred(values: np.ndarray) -> pd.Series:
    """A column of Python values typed as pandas types a column of records (numbers, text)."""
    return pd.Series(values.tolist())


def _sources(sources: pd.DataFrame, owner: str, count: int) -> np.ndarray:
    """For each node (or edge) the datasets that gave it, each once, in order, joined by ``; ``."""
    found: list[dict[str, None]] = [{} for _ in range(count)]
    for row, dataset in zip(sources[owner].tolist(), sources["dataset"].astype(object).tolist()):
        found[row][dataset] = None
    return _object_array(["; ".join(datasets) for datasets in found])


def _order(frame: pd.DataFrame, first: list[str], last: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    middle = sorted(c for c in frame.columns if c not in first and c not in last)
    return frame[[c for c in first + middle + last if c in frame.columns]]


def export_graph(graph: GraphLike, fmt: str, path: str | Path) -> list[Path]:
    """Write the graph in one format of :data:`EXPORTS`.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        The graph's tables (``load_frames``), or a networkx graph (read through its tables): every
        format is written from the tables, no networkx graph is made.
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
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> [p.name for p in export_graph(g, "csv", Path(tempfile.mkdtemp()) / "csv")]
    ['nodes.csv', 'edges.csv']
    """
    path = Path(path)
    if fmt not in EXPORTS:
        raise ValueError(f"format {fmt!r} is not supported. Use one of: {', '.join(EXPORT_FORMATS)}.")
    _refuse_to_overwrite(path, EXPORTS[fmt])
    return _WRITERS[fmt](as_frames(graph), path)


def _rdf(fmt: str) -> Callable[[GraphFrames, Path], list[Path]]:
    def write(frames: GraphFrames, path: Path) -> list[Path]:
        with replaced_when_complete(path) as partial:
            graph_to_rdf(frames_with_clean_text(frames)).serialize(destination=partial, format=fmt, encoding="utf-8")
        return [path]
    return write


def _streamed(fmt: str) -> Callable[[GraphFrames, Path], list[Path]]:
    def write(frames: GraphFrames, path: Path) -> list[Path]:
        with replaced_when_complete(path) as partial:
            write_rdf(frames_with_clean_text(frames), partial, fmt)
        return [path]
    return write


def _graphml(frames: GraphFrames, path: Path) -> list[Path]:
    with replaced_when_complete(path) as partial, partial.open("wb") as handle:
        write_graphml(frames, handle)
    return [path]


def _csv(frames: GraphFrames, path: Path) -> list[Path]:
    nodes, edges = graph_to_wide_frames(frames)
    return [write_csv(nodes, path / "nodes.csv"), write_csv(edges, path / "edges.csv")]


def _excel(frames: GraphFrames, path: Path) -> list[Path]:
    nodes, edges = graph_to_wide_frames(frames)
    return [write_excel({"nodes": nodes, "edges": edges}, path)]


def _neo4j_import(frames: GraphFrames, path: Path) -> list[Path]:
    from civicgraph.cypher.neo4j_push import export_neo4j_import

    return export_neo4j_import(frames, path)


def _parquet(frames: GraphFrames, path: Path) -> list[Path]:
    return [save_frames(frames, path)]


#: How each format is written from the graph's tables.
_WRITERS: dict[str, Callable[[GraphFrames, Path], list[Path]]] = {
    **{fmt: _streamed(fmt) if fmt in STREAMED_FORMATS else _rdf(fmt) for fmt in RDF_FORMATS},
    "graphml": _graphml, "csv": _csv, "excel": _excel, "neo4j-import": _neo4j_import, "parquet": _parquet,
}


def _refuse_to_overwrite(path: Path, fmt: ExportFormat) -> None:
    """Refuse to write a file format over a file that is plainly something else (``--out thesis.docx``)."""
    if fmt.endings and path.is_file() and path.suffix.lower() not in fmt.endings:
        raise OutputFolderError(f"{path}: exists and is not a {', '.join(fmt.endings)} file; give a new file name")


def graph_summary(graph: GraphLike) -> dict[str, Any]:
    """Counts by kind, relation and source dataset, conflicts, and data dates (for ``info``), from the
    graph or from its tables (which a national graph is best summarised from).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(data_dates={"ons": "2017-12-01"})
    >>> g.add_node("a", kind="Ward", provenance=[{"dataset": "ons"}], conflicts=[])
    >>> graph_summary(g)["nodes_by_kind"]
    {'Ward': 1}
    """
    frames = as_frames(graph)
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


def summary_json(graph: GraphLike) -> str:
    """:func:`graph_summary` as indented JSON text."""
    return json.dumps(graph_summary(graph), indent=2)
