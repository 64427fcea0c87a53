"""Save and load a built graph as a folder of Parquet tables with a manifest, atomically.

Layout of a graph folder::

    nodes.parquet   id, kind, name, attributes, provenance, field_provenance, conflicts
    edges.parquet   key, source, target, relation, attributes, provenance
    manifest.json   format version, counts, graph attributes, SHA-256 of each table

Nested values (attributes, provenance) are canonical JSON text, so a save/load round trip is exact.
Writing goes to a hidden sibling folder that replaces the target only when complete, so a failed
save or build leaves the previous graph as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pandas as pd

from graph.assemble import RESERVED_EDGE_KEYS, RESERVED_NODE_KEYS
from graph.bulk import collector_paused
from graph.errors import GraphStoreError
from graph.tables import edge_records, node_records

FORMAT_NAME = "civicgraph-graph"
FORMAT_VERSION = 1
TABLES = ("nodes.parquet", "edges.parquet")


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


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh folder that replaces ``target`` only if the block completes.

    Parameters
    ----------
    target : path
        Folder to create or replace.

    Yields
    ------
    Path
        A temporary sibling of ``target`` to write into. On an exception it is removed and
        ``target`` is untouched; on success it is renamed to ``target`` and the old one removed.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "out") as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (root / "out" / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result should read like any folder
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(retired)
        os.replace(target, retired)
    os.replace(staging, target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _attributes(data: dict[str, Any], reserved: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in reserved}


@collector_paused()
def graph_to_frames(graph: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The node and edge tables of a graph, nested values as canonical JSON text.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A", provenance=[], field_provenance={}, conflicts=[])
    >>> graph_to_frames(g)[0].loc[0, "attributes"]
    '{"name":"A"}'
    """
    nodes = pd.DataFrame(
        [
            {
                "id": node,
                "kind": data["kind"],
                "name": data.get("name"),
                "attributes": canonical_json(_attributes(data, RESERVED_NODE_KEYS)),
                "provenance": canonical_json(data.get("provenance", [])),
                "field_provenance": canonical_json(data.get("field_provenance", {})),
                "conflicts": canonical_json(data.get("conflicts", [])),
            }
            for node, data in node_records(graph)
        ],
        columns=["id", "kind", "name", "attributes", "provenance", "field_provenance", "conflicts"],
    )
    edges = pd.DataFrame(
        [
            {
                "key": key,
                "source": source,
                "target": target,
                "relation": data["relation"],
                "attributes": canonical_json(_attributes(data, RESERVED_EDGE_KEYS)),
                "provenance": canonical_json(data.get("provenance", [])),
            }
            for source, target, key, data in edge_records(graph)
        ],
        columns=["key", "source", "target", "relation", "attributes", "provenance"],
    )
    return nodes, edges


@collector_paused()
def graph_from_frames(nodes: pd.DataFrame, edges: pd.DataFrame, **graph_attributes: Any) -> nx.MultiDiGraph:
    """Rebuild a graph from the tables :func:`graph_to_frames` makes.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Ward", provenance=[], field_provenance={}, conflicts=[])
    >>> nx.utils.graphs_equal(graph_from_frames(*graph_to_frames(g)), g)
    True
    """
    graph = nx.MultiDiGraph(**graph_attributes)
    for row in nodes.itertuples(index=False):
        graph.add_node(
            row.id,
            kind=row.kind,
            **json.loads(row.attributes),
            provenance=json.loads(row.provenance),
            field_provenance=json.loads(row.field_provenance),
            conflicts=json.loads(row.conflicts),
        )
    for row in edges.itertuples(index=False):
        graph.add_edge(
            row.source, row.target, key=row.key, relation=row.relation,
            **json.loads(row.attributes), provenance=json.loads(row.provenance),
        )
    return graph


def save_graph(graph: nx.MultiDiGraph, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None) -> Path:
    """Write ``graph`` to ``folder`` (replacing it atomically) as Parquet tables and a manifest.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph as built by :func:`graph.assemble.assemble_graph`.
    folder : path
        Target folder; replaced only once everything is written.
    extra : dict, optional
        More manifest entries (e.g. the build's sources and their checksums).

    Returns
    -------
    Path
        The folder written.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph(authority="E09000018")
    >>> g.add_node("E05000346@2017", kind="Ward", name="Bedfont", provenance=[], field_provenance={}, conflicts=[])
    >>> path = save_graph(g, Path(tempfile.mkdtemp()) / "graph")
    >>> nx.utils.graphs_equal(load_graph(path), g)
    True
    """
    folder = Path(folder)
    nodes, edges = graph_to_frames(graph)
    with atomic_directory(folder) as staging:
        write_graph_tables(nodes, edges, graph.graph, staging, extra=extra)
    return folder


def write_graph_tables(nodes: pd.DataFrame, edges: pd.DataFrame, graph_attributes: dict[str, Any],
                       folder: Path, *, extra: dict[str, Any] | None = None) -> None:
    """Write node and edge tables and the manifest into an existing folder (no atomic swap)."""
    nodes.to_parquet(folder / "nodes.parquet", index=False)
    edges.to_parquet(folder / "edges.parquet", index=False)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "nodes": len(nodes),
        "edges": len(edges),
        "graph": graph_attributes,
        "tables": {name: _sha256(folder / name) for name in TABLES},
        **(extra or {}),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a saved graph, checked for format and version.

    Raises
    ------
    GraphStoreError
        If the folder holds no graph or one of another format version.
    """
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise GraphStoreError(f"{folder}: no saved graph here (manifest.json is missing); run 'civicgraph build' first")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_NAME or manifest.get("format_version") != FORMAT_VERSION:
        raise GraphStoreError(
            f"{path}: format {manifest.get('format')!r} version {manifest.get('format_version')!r}, "
            f"expected {FORMAT_NAME!r} version {FORMAT_VERSION}"
        )
    return manifest


def load_graph(folder: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a graph written by :func:`save_graph`, checking every table's checksum.

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
    graph.errors.GraphStoreError: /nonexistent: no saved graph here (manifest.json is missing); run 'civicgraph build' first
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    for name, expected in manifest["tables"].items():
        if _sha256(folder / name) != expected:
            raise GraphStoreError(f"{folder / name}: checksum does not match the manifest; the graph is damaged")
    nodes = pd.read_parquet(folder / "nodes.parquet")
    edges = pd.read_parquet(folder / "edges.parquet")
    return graph_from_frames(nodes, edges, **manifest["graph"])
