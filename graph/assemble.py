"""Merge loaders' frames into one networkx MultiDiGraph, keeping every source's provenance.

Merge rules, applied in the order sources are listed in the build configuration:

* One node per entity. Identifiers that a source declares to be the same entity (a node's
  ``other_ids``) are united; the node keeps the id of the highest-priority scheme
  (:data:`graph.identifiers.SCHEME_PRIORITY`) and lists the rest in ``other_ids``.
* Identifiers that entity resolution found to be one entity (``matches``) are united too, but
  listed apart, in ``matched_ids``: an inferred identity is never presented as a declared one.
* Each field remembers which sources gave it (``field_provenance``: field -> indices into the node's
  ``provenance`` list). A later source that disagrees does not overwrite: the disagreement is kept in
  ``conflicts`` with both values and their sources.
* A node kind is refined when a later source is more specific (``Organisation`` -> ``Charity``);
  any other disagreement of kind is a conflict.
* Edges keep one provenance list; an edge whose end is no node is reported, not silently dropped.
* Nodes marked ``enrich_only`` (e.g. national deprivation scores) only add to nodes already present;
  edges so marked (national tables of links) are kept only when both ends are present.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graph.bulk import collector_paused
from graph.identifiers import scheme_rank
from loaders.base import REJECTION_COLUMNS, LoadResult
from ontology.vocabulary import vocabulary

#: Attributes whose values are lists; merging takes their union.
LIST_ATTRIBUTES = frozenset({"other_names", "other_ids", "matched_ids", "sic_codes"})
#: Node and edge keys that are not ontology attributes.
RESERVED_NODE_KEYS = ("kind", "provenance", "field_provenance", "conflicts")
RESERVED_EDGE_KEYS = ("relation", "provenance")
ENRICH_ONLY = "enrich_only"


class _Identities:
    """Union-find over identifiers declared to be one entity."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._first_seen: dict[str, int] = {}

    def add(self, identifier: str) -> None:
        if identifier not in self._parent:
            self._parent[identifier] = identifier
            self._first_seen[identifier] = len(self._first_seen)

    def find(self, identifier: str) -> str:
        self.add(identifier)
        root = identifier
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[identifier] != root:
            self._parent[identifier], identifier = root, self._parent[identifier]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, drop = sorted((ra, rb), key=lambda i: (scheme_rank(i), self._first_seen[i]))
        self._parent[drop] = keep


def edge_key(source: str, target: str, relation: str, provenance: dict[str, str]) -> str:
    """Stable key of an edge: its relation and a hash of its ends and source record.

    Examples
    --------
    >>> edge_key("a", "b", "FUNDED_BY", {"dataset": "d", "record": "r"})[:10]
    'FUNDED_BY:'
    """
    text = "|".join([source, target, relation, provenance.get("dataset", ""), provenance.get("record", "")])
    return f"{relation}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def _records(frame: pd.DataFrame) -> Iterable[dict[str, Any]]:
    """Each row as a dict of its present cells (no None, NaN or blank text)."""
    columns = list(frame.columns)
    values = frame.to_numpy(dtype=object)
    present = ~pd.isna(values)
    for number in range(len(columns)):  # blank text is absent too; lists and dicts are present
        cells = values[:, number]
        text = np.fromiter((isinstance(v, str) for v in cells), bool, len(cells))
        if text.any():
            present[text, number] &= np.fromiter((bool(v.strip()) for v in cells[text]), bool, int(text.sum()))
    for row, keep in zip(values, present):
        yield {c: v for c, v, k in zip(columns, row, keep) if k}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def _prov_index(data: dict[str, Any], provenance: dict[str, str], positions: dict[tuple, int]) -> tuple[int, bool]:
    """Position of ``provenance`` in the node's list, appended if new, and whether it is new.

    ``positions`` indexes the list: a funder of a million grants has a million sources, and searching
    the list for each one would take time quadratic in them.
    """
    key = tuple(sorted(provenance.items()))
    if key in positions:
        return positions[key], False
    data["provenance"].append(provenance)
    positions[key] = len(data["provenance"]) - 1
    return positions[key], True


def _merge_node(graph: nx.MultiDiGraph, node_id: str, record: dict[str, Any],
                positions: dict[str, dict[tuple, int]]) -> None:
    vocab = vocabulary()
    kind = record.pop("kind")
    provenance = record.pop("provenance")
    record.pop("id", None)
    if node_id not in graph:
        graph.add_node(node_id, kind=kind, provenance=[], field_provenance={}, conflicts=[])
    data = graph.nodes[node_id]
    index, new = _prov_index(data, provenance, positions.setdefault(node_id, {}))
    if kind != data["kind"]:
        if vocab.is_a(kind, data["kind"]):
            data["kind"] = kind
        elif not vocab.is_a(data["kind"], kind):
            data["conflicts"].append(_conflict(data, "kind", data["kind"], kind, provenance))
    for field, value in record.items():
        sources = data["field_provenance"].setdefault(field, [])
        if field in LIST_ATTRIBUTES:
            merged = list(data.get(field, []))
            merged += [v for v in value if v not in merged]
            data[field] = merged
        elif field not in data:
            data[field] = value
        elif not _same(data[field], value):
            data["conflicts"].append(_conflict(data, field, data[field], value, provenance))
            continue
        if new or index not in sources:  # a new source cannot be listed yet
            sources.append(index)


def _conflict(data: dict[str, Any], field: str, kept: Any, other: Any, provenance: dict[str, str]) -> dict:
    kept_from = [data["provenance"][i] for i in data["field_provenance"].get(field, [])]
    return {"field": field, "kept": kept, "kept_from": kept_from, "other": other, "other_from": provenance}


@collector_paused()
def assemble_graph(results: Iterable[LoadResult], *, attributes: dict[str, Any] | None = None,
                   matches: Iterable[tuple[str, str]] = ()) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """Merge load results into one graph.

    Parameters
    ----------
    results : iterable of LoadResult
        In priority order: where sources disagree on a field, the earlier one is kept and the
        disagreement recorded.
    attributes : dict, optional
        Graph-level attributes (authority, build date) stored in ``graph.graph``.
    matches : iterable of (str, str)
        Pairs of identifiers that entity resolution merged (:mod:`resolve.resolution`).

    Returns
    -------
    graph : networkx.MultiDiGraph
        Nodes keyed by identifier with ``kind``, attributes, ``provenance`` (list of dicts),
        ``field_provenance`` and ``conflicts``; edges keyed by :func:`edge_key` with ``relation``,
        attributes and ``provenance``.
    rejections : DataFrame
        Edges that could not be placed (an end that is no node), with file, row, field and reason.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.base import RecordSink
    >>> a, b = RecordSink("register", Path("r.csv")), RecordSink("grants", Path("g.json"))
    >>> a.node("GB-CHC-1", "Charity", a.provenance("row 2", "", "OGL-UK-3.0"), name="Age UK Hounslow")
    >>> b.node("GB-CHC-1", "Organisation", b.provenance("g1", "", "CC-BY-4.0"), name="Age UK Hounslow")
    >>> g, _ = assemble_graph([a.result(), b.result()])
    >>> g.nodes["GB-CHC-1"]["kind"], len(g.nodes["GB-CHC-1"]["provenance"])
    ('Charity', 2)
    """
    results = list(results)
    declared, identities = _Identities(), _Identities()
    node_frames = [r.nodes for r in results]
    for frame in node_frames:
        for record in _records(frame):
            for found in (declared, identities):
                found.add(record["id"])
                for other in record.get("other_ids", []):
                    found.union(record["id"], other)
    for a, b in matches:
        identities.union(a, b)

    graph = nx.MultiDiGraph(**(attributes or {}))
    positions: dict[str, dict[tuple, int]] = {}
    pending_enrichment: list[tuple[str, dict[str, Any]]] = []
    for frame in node_frames:
        for record in _records(frame):
            canonical = identities.find(record["id"])
            if record.pop(ENRICH_ONLY, False):
                pending_enrichment.append((canonical, record))
                continue
            _note_other_ids(record, canonical, declared)
            _merge_node(graph, canonical, record, positions)
    for canonical, record in pending_enrichment:
        if canonical in graph:
            _note_other_ids(record, canonical, declared)
            _merge_node(graph, canonical, record, positions)

    rejections = []
    for result in results:
        for record in _records(result.edges):
            source, target = identities.find(record.pop("source")), identities.find(record.pop("target"))
            missing = [(f, v) for f, v in (("source", source), ("target", target)) if v not in graph]
            provenance = record["provenance"]
            if record.pop(ENRICH_ONLY, False) and missing:
                continue
            if missing:
                field, value = missing[0]
                rejections.append({
                    "file": provenance["dataset"], "row": provenance["record"], "field": field,
                    "value": value, "reason": f"{record['relation']} edge: no node with this id",
                })
                continue
            key = edge_key(source, target, record["relation"], provenance)
            if graph.has_edge(source, target, key):
                existing = graph.edges[source, target, key]["provenance"]
                if provenance not in existing:
                    existing.append(provenance)
                continue
            record["provenance"] = [provenance]
            graph.add_edge(source, target, key=key, **record)
    return graph, pd.DataFrame(rejections, columns=REJECTION_COLUMNS)


def _note_other_ids(record: dict[str, Any], canonical: str, declared: _Identities) -> None:
    """Move a record's identifiers other than the node's into ``other_ids`` or ``matched_ids``."""
    ids = [record.get("id", canonical)] + list(record.get("other_ids", []))
    others = [i for i in dict.fromkeys(ids) if i != canonical]
    record.pop("other_ids", None)
    official = declared.find(canonical)
    for field, chosen in (("other_ids", [i for i in others if declared.find(i) == official]),
                          ("matched_ids", [i for i in others if declared.find(i) != official])):
        if chosen:
            record[field] = chosen
