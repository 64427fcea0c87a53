"""Save and load a built graph as a folder of Parquet tables with a manifest, atomically.

Layout of a graph folder (format version 2)::

    nodes.parquet       id, kind, one column per attribute, provenance
    edges.parquet       key, source, target, relation, one column per attribute, provenance
    conflicts.parquet   node, field, kept, kept_{dataset,record,date,licence}, other, other_{...}
    manifest.json       format version, counts, graph attributes, how each column is stored, SHA-256 of each table

An attribute column is typed (text, number, integer, true/false, list of text) when every value in
it is of that type; otherwise each value is canonical JSON text, and the manifest says so. The
``provenance`` column holds each row's list of ``{dataset, record, date, licence}`` (nodes also
``fields``: the attributes that source gave, space-separated). The conflict table has a row for each
value a source gave that disagreed with the value kept (both as JSON text) and where each came from. A
save/load round trip is exact. A large graph's node table is written while a helper process writes
the other two. Writing goes to a hidden sibling folder that replaces the target only when
complete, so a failed save or build leaves the previous graph as it was. Folders of format version
1 (JSON text per node) still load.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civicgraph.core.atomic import atomic_directory
from civicgraph.core.beside import Beside
from civicgraph.core.bulk import collector_paused
from civicgraph.core.columns import arrow_text, present_mask
from civicgraph.core.errors import GraphStoreError
from civicgraph.core.hashing import sha256_of
from civicgraph.core.provenance import PROVENANCE_FIELDS
from civicgraph.graph.frames import (
    CONFLICT_COLUMNS,
    EDGE_SOURCE_COLUMNS,
    EDGE_TABLE_COLUMNS,
    NODE_SOURCE_COLUMNS,
    NODE_TABLE_COLUMNS,
    GraphFrames,
    frames_to_graph,
    graph_to_frames,
)

FORMAT_NAME = "civicgraph-graph"
FORMAT_VERSION = 2
#: Earlier format versions this module still reads.
READABLE_VERSIONS = (1, 2)
TABLES = ("nodes.parquet", "edges.parquet", "conflicts.parquet")
#: How an attribute column is stored: as its own Parquet type, or as canonical JSON text per value.
TYPED, JSON_TEXT = "typed", "json"


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys, the form nested values are stored in.

    orjson writes it (ten times faster: a national graph has some 15 million such values); the
    standard library writes what orjson would write differently or cannot (NaN, which orjson turns
    into null, integers beyond 64 bits, keys that are not strings), so the text is always exactly
    ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.

    Examples
    --------
    >>> canonical_json({"b": 1, "a": [1.5, None]})
    '{"a":[1.5,null],"b":1}'
    >>> canonical_json({"x": float("nan")})
    '{"x":NaN}'
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = b"null"
    if b"null" not in text:
        return text.decode()
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def column_encoding(values: pd.Series) -> tuple[str, pa.DataType]:
    """How an attribute column is stored, and as what type: :data:`TYPED` when every value is of one
    type Parquet has (text, float, integer, boolean, list of text), else :data:`JSON_TEXT`.

    Examples
    --------
    >>> column_encoding(pd.Series(["a", None], dtype=object))
    ('typed', DataType(large_string))
    >>> column_encoding(pd.Series([1, 2.5], dtype=object))  # an int and a float: JSON keeps each as it is
    ('json', DataType(large_string))
    """
    if values.dtype != object:
        kind = pa.array(values.iloc[:1], from_pandas=True).type
        return TYPED, pa.large_string() if pa.types.is_string(kind) or pa.types.is_dictionary(kind) else kind
    given = values.to_numpy(dtype=object)[present_mask(values)]
    kinds = set(map(type, given))
    typed = {str: pa.large_string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_()}
    if len(kinds) == 1 and (kind := next(iter(kinds))) in typed:
        if kind is not int or all(-(2**63) <= v < 2**63 for v in given):
            return TYPED, typed[kind]
    if kinds == {list} and all(type(item) is str for value in given for item in value):
        return TYPED, pa.list_(pa.large_string())
    return JSON_TEXT, pa.large_string()


def encode_column(values: pd.Series, encoding: tuple[str, pa.DataType] | None = None) -> tuple[pa.Array, str]:
    """An attribute column as Parquet stores it, and how (see :func:`column_encoding`, which decides
    when ``encoding`` is not given: a column written in parts is encoded the same in every part).

    Examples
    --------
    >>> array, how = encode_column(pd.Series(["a", None], dtype=object))
    >>> array.type, array.to_pylist(), how
    (DataType(large_string), ['a', None], 'typed')
    """
    how, kind = encoding or column_encoding(values)
    if how == TYPED and values.dtype != object:
        array = pa.array(values.array if isinstance(values.dtype, pd.CategoricalDtype) else values, from_pandas=True)
        array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
        return array.cast(kind), how
    mask = present_mask(values)
    if how == TYPED:
        return pa.array(np.where(mask, values.to_numpy(dtype=object), None), type=kind), how
    texts = np.full(len(values), None, dtype=object)
    texts[mask] = json_texts(values[mask]).to_numpy(zero_copy_only=False)
    return pa.array(texts, type=pa.large_string()), how


def decode_column(values: pa.ChunkedArray, encoding: str) -> pd.Series:
    """A stored attribute column back as values (see :func:`encode_column`).

    Examples
    --------
    >>> decode_column(pa.chunked_array([encode_column(pd.Series([[1, "x"], None], dtype=object))[0]]), "json").tolist()
    [[1, 'x'], None]
    """
    if encoding == JSON_TEXT:
        return pd.Series(json_values(values), dtype=object)
    if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
        return pd.Series(values.to_pylist(), dtype=object)
    if pa.types.is_integer(values.type):
        return values.to_pandas(types_mapper={values.type: pd.Int64Dtype()}.get)
    if pa.types.is_boolean(values.type):
        return values.to_pandas(types_mapper={values.type: pd.BooleanDtype()}.get)
    return values.to_pandas()


def json_values(texts: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Stored JSON texts (:func:`canonical_json`) back as values; None stays None.

    orjson reads them (a national graph's conflicts alone are 2.6 million texts); the standard library
    reads the few it refuses (NaN).

    Examples
    --------
    >>> json_values(pa.array(['{"a":[1.5,null]}', None, '{"x":NaN}']))
    [{'a': [1.5, None]}, None, {'x': nan}]
    """
    return [None if text is None else _json_value(text) for text in texts.to_pylist()]


def _json_value(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


#: Rows of a table encoded and written at a time (memory stays bounded at national size).
ROWS_PER_WRITE = 250_000


def _provenance_lists(sources: pd.DataFrame, owners: np.ndarray, first: int, count: int,
                      fields: list[str]) -> pa.LargeListArray:
    """The provenance entries of rows ``first`` to ``first + count`` as one list column (``sources``
    are those rows' entries, grouped by row in row order; ``owners`` their rows)."""
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owners - first, minlength=count))]).astype(np.int64)
    parts = pa.StructArray.from_arrays([arrow_text(sources[f]) for f in fields], names=fields)
    return pa.LargeListArray.from_arrays(pa.array(offsets), parts)


def _write_table(path: Path, frame: pd.DataFrame, leading: list[str], attributes: list[str], sources: pd.DataFrame,
                 owner: str, fields: list[str]) -> dict[str, str]:
    """Write a node or edge table with its provenance lists, a part at a time; returns how each
    attribute column is stored."""
    owners = sources[owner].to_numpy(dtype=np.int64)
    if len(owners) and (np.diff(owners) < 0).any():
        raise GraphStoreError(f"provenance rows are not grouped by {owner}; the tables are damaged")
    encodings = {name: column_encoding(frame[name]) for name in attributes}
    writer = None
    try:
        for first in range(0, max(len(frame), 1), ROWS_PER_WRITE):
            part = frame.iloc[first:first + ROWS_PER_WRITE]
            low, high = np.searchsorted(owners, [first, first + len(part)])
            columns = {name: arrow_text(part[name]) for name in leading}
            columns |= {name: encode_column(part[name], encodings[name])[0] for name in attributes}
            columns["provenance"] = _provenance_lists(sources.iloc[low:high], owners[low:high], first, len(part), fields)
            table = pa.table(columns)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return {name: how for name, (how, _) in encodings.items()}


def json_texts(values: pd.Series) -> pa.Array:
    r"""Each value as JSON text (:func:`canonical_json`): text made by Arrow's string functions (the
    common case, a million conflicts' values at national size), anything else one by one.

    Examples
    --------
    >>> values = pd.Series(['say "hi"', 1.5, ["a"]], dtype=object)
    >>> print(json_texts(values)[0])
    "say \"hi\""
    >>> json_texts(values).to_pylist() == [canonical_json(v) for v in values]
    True
    >>> text = pd.Series(["a\\tb", None, 'c"d'], dtype="str")
    >>> json_texts(text).to_pylist() == [canonical_json(v) for v in text.to_numpy(dtype=object)]
    True
    """
    if isinstance(values.dtype, pd.StringDtype):  # text already: no cell need be looked at in Python
        strings, cells = arrow_text(values), None
        text = strings.is_valid().to_numpy(zero_copy_only=False)
    else:
        cells = values.to_numpy(dtype=object)
        text = np.fromiter((type(v) is str for v in cells), dtype=bool, count=len(cells))
        strings = pa.array(np.where(text, cells, None), type=pa.large_string())
    escaped = pc.replace_substring(pc.replace_substring(strings, "\\", "\\\\"), '"', '\\"')
    quote = pa.scalar('"', type=pa.large_string())
    quoted = pc.binary_join_element_wise(quote, escaped, quote, pa.scalar("", type=pa.large_string()))
    control = pc.fill_null(pc.match_substring_regex(strings, r"[\x00-\x1f]"), False).to_numpy(zero_copy_only=False)
    slow = ~text | control
    if not slow.any():
        return quoted
    odd = values.iloc[np.flatnonzero(slow)].to_numpy(dtype=object) if cells is None else cells[slow]
    return pc.replace_with_mask(quoted, pa.array(slow), pa.array([canonical_json(v) for v in odd], type=pa.large_string()))


def _conflict_table(conflicts: pd.DataFrame, node_ids: pd.Series) -> pa.Table:
    """The conflict table as stored: node ids, values as JSON text."""
    columns = {}
    for name in CONFLICT_COLUMNS:
        if name == "node":
            columns[name] = arrow_text(node_ids.iloc[conflicts["node"].to_numpy(dtype=np.int64)].reset_index(drop=True))
        elif name in ("kept", "other"):
            columns[name] = json_texts(conflicts[name])
        else:
            columns[name] = arrow_text(conflicts[name])
    return pa.table(columns)


def write_frames(frames: GraphFrames, folder: Path, *, extra: dict[str, Any] | None = None,
                 beside: Beside | None = None) -> None:
    """Write a graph's tables and manifest into an existing folder (no atomic swap: see :func:`save_frames`).

    Given ``beside`` (see :mod:`civicgraph.core.beside`), the edge and conflict tables are written
    there while this process writes the node table.
    """
    nodes, edges = frames.nodes, frames.edges
    later = beside(_write_edges_and_conflicts, frames, folder) if beside is not None else None
    try:
        node_encodings = _write_table(folder / "nodes.parquet", nodes, NODE_TABLE_COLUMNS,
                                      frames.node_attribute_columns(), frames.node_sources, "node",
                                      [*PROVENANCE_FIELDS, "fields"])
    except BaseException:
        if later:  # nothing may go on writing in the folder once this fails
            with contextlib.suppress(Exception):
                later()
        raise
    edge_encodings = later() if later else _write_edges_and_conflicts(frames, folder)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "nodes": len(nodes),
        "edges": len(edges),
        "graph": frames.attributes,
        "columns": {"nodes": node_encodings, "edges": edge_encodings},
        "tables": {name: sha256_of(folder / name) for name in TABLES},
        **(extra or {}),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")


def _write_edges_and_conflicts(frames: GraphFrames, folder: Path) -> dict[str, str]:
    """Write the edge and conflict tables; return how each edge column is stored."""
    encodings = _write_table(folder / "edges.parquet", frames.edges, EDGE_TABLE_COLUMNS,
                             frames.edge_attribute_columns(), frames.edge_sources, "edge", list(PROVENANCE_FIELDS))
    pq.write_table(_conflict_table(frames.conflicts, frames.nodes["id"]), folder / "conflicts.parquet")
    return encodings


def save_frames(frames: GraphFrames, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None,
                beside: Beside | None = None) -> Path:
    """Write a graph's tables to ``folder`` (replacing it atomically) as Parquet tables and a manifest.

    Parameters
    ----------
    frames : GraphFrames
        From a build (:func:`graph.assemble.assemble_frames`) or :func:`graph.frames.graph_to_frames`.
    folder : path
        Target folder; replaced only once everything is written.
    extra : dict, optional
        More manifest entries (e.g. the build's sources and their checksums).
    beside : callable, optional
        Where to write the edge and conflict tables meanwhile (see :mod:`civicgraph.core.beside`).

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(folder)
    with atomic_directory(folder) as staging:
        write_frames(frames, staging, extra=extra, beside=beside)
    return folder


def save_graph(graph: nx.MultiDiGraph, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None,
               beside: Beside | None = None) -> Path:
    """Write a networkx graph to ``folder`` (replacing it atomically); see :func:`save_frames`.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph(authority="E09000018")
    >>> g.add_node("E05000346@2017", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> path = save_graph(g, Path(tempfile.mkdtemp()) / "graph")
    >>> nx.utils.graphs_equal(load_graph(path), g)
    True
    """
    return save_frames(graph_to_frames(graph), folder, extra=extra, beside=beside)


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a saved graph, checked for format and version.

    Raises
    ------
    GraphStoreError
        If the folder holds no graph or one of a format version this version cannot read.
    """
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise GraphStoreError(f"{folder}: no saved graph here (manifest.json is missing); run 'civicgraph build' first")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_NAME or manifest.get("format_version") not in READABLE_VERSIONS:
        raise GraphStoreError(
            f"{path}: format {manifest.get('format')!r} version {manifest.get('format_version')!r}, "
            f"expected {FORMAT_NAME!r} version {' or '.join(map(str, READABLE_VERSIONS))}"
        )
    return manifest


def _sources(table: pa.Table, owner: str, fields: list[str]) -> pd.DataFrame:
    lists = table.column("provenance").combine_chunks()
    parts = pc.list_flatten(lists)
    frame = pd.DataFrame({owner: pc.list_parent_indices(lists).to_numpy().astype(np.int64)})
    for name in fields:
        frame[name] = parts.field(name).to_pandas() if len(parts) else pd.Series([], dtype=object)
    return frame


@collector_paused()
def load_frames(folder: str | os.PathLike[str], *, attributes: bool = True) -> GraphFrames:
    """Read the tables of a graph written by :func:`save_frames` or :func:`save_graph`, checking
    every table's checksum (no networkx graph is made: this is what large graphs want).

    Parameters
    ----------
    folder : path
        A graph folder.
    attributes : bool
        False leaves out the nodes' and edges' attribute columns: ids, kinds, relations, provenance
        and conflicts are enough to count and summarise, in a fraction of the time and memory.

    Returns
    -------
    GraphFrames
        The graph's tables.

    Raises
    ------
    GraphStoreError
        If the folder is not a graph or a table does not match its checksum.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", provenance=[{"dataset": "ccew"}], conflicts=[])
    >>> frames = load_frames(save_graph(g, Path(tempfile.mkdtemp()) / "graph"), attributes=False)
    >>> frames.nodes.columns.tolist(), frames.node_sources["dataset"].tolist()
    (['id', 'kind'], ['ccew'])
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    for name, expected in manifest["tables"].items():
        if sha256_of(folder / name) != expected:
            raise GraphStoreError(f"{folder / name}: checksum does not match the manifest; the graph is damaged")
    if manifest["format_version"] == 1:
        frames = graph_to_frames(_graph_from_version_1(folder, manifest))
        return frames if attributes else _without_attributes(frames)
    tables, loaded = {}, {}
    for name, leading in (("nodes", NODE_TABLE_COLUMNS), ("edges", EDGE_TABLE_COLUMNS)):
        encodings = manifest["columns"][name] if attributes else {}
        table = pq.read_table(folder / f"{name}.parquet", columns=[*leading, *encodings, "provenance"])
        frame = pd.DataFrame({c: pd.Series(table.column(c).to_numpy(zero_copy_only=False), dtype=object)
                              for c in leading})
        for column, encoding in encodings.items():
            frame[column] = decode_column(table.column(column), encoding)
        tables[name], loaded[name] = table, frame
    nodes = loaded["nodes"]
    conflict_table = pq.read_table(folder / "conflicts.parquet")
    conflicts = pd.DataFrame({name: pd.Series(json_values(column), dtype=object) if name in ("kept", "other")
                              else column.to_numpy(zero_copy_only=False)
                              for name, column in zip(conflict_table.column_names, conflict_table.columns)})
    conflicts["node"] = pd.Index(nodes["id"]).get_indexer(conflicts["node"])
    return GraphFrames(nodes, _sources(tables["nodes"], "node", NODE_SOURCE_COLUMNS[1:]), loaded["edges"],
                       _sources(tables["edges"], "edge", EDGE_SOURCE_COLUMNS[1:]), conflicts[CONFLICT_COLUMNS],
                       manifest["graph"])


def _without_attributes(frames: GraphFrames) -> GraphFrames:
    return dataclasses.replace(frames, nodes=frames.nodes[NODE_TABLE_COLUMNS],
                               edges=frames.edges[EDGE_TABLE_COLUMNS])


def load_graph(folder: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a saved graph as a networkx graph, checking every table's checksum.

    Parameters
    ----------
    folder : path
        A graph folder.

    Returns
    -------
    networkx.MultiDiGraph
        Equal, nodes, edges, keys and attributes, to the graph that was saved.

    Raises
    ------
    GraphStoreError
        If the folder is not a graph or a table does not match its checksum.

    Examples
    --------
    >>> load_graph("/nonexistent")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.GraphStoreError: /nonexistent: no saved graph here (manifest.json is missing); run 'civicgraph build' first
    """
    return frames_to_graph(load_frames(folder))


def _graph_from_version_1(folder: Path, manifest: dict[str, Any]) -> nx.MultiDiGraph:
    """A graph saved in format version 1: JSON text per node and edge."""
    graph = nx.MultiDiGraph(**manifest["graph"])
    for row in pd.read_parquet(folder / "nodes.parquet").itertuples(index=False):
        graph.add_node(row.id, kind=row.kind, **json.loads(row.attributes), provenance=json.loads(row.provenance),
                       field_provenance=json.loads(row.field_provenance), conflicts=json.loads(row.conflicts))
    for row in pd.read_parquet(folder / "edges.parquet").itertuples(index=False):
        graph.add_edge(row.source, row.target, key=row.key, relation=row.relation, **json.loads(row.attributes),
                       provenance=json.loads(row.provenance))
    return graph
