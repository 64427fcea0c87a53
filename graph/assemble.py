"""Merge loaders' frames into one graph, keeping every source's provenance, a column at a time.

Merge rules, applied in the order sources are listed in the build configuration:

* One node per entity. Identifiers that a source declares to be the same entity (a node's
  ``other_ids``) are united; the node keeps the id of the highest-priority scheme
  (:data:`civicgraph.core.identifiers.SCHEME_PRIORITY`; among equals, the first seen) and lists the rest in
  ``other_ids``.
* Identifiers that entity resolution found to be one entity (``matches``) are united too, but
  listed apart, in ``matched_ids``: an inferred identity is never presented as a declared one.
* Each field remembers which sources gave it (``field_provenance``: field -> positions in the node's
  ``provenance`` list). A later source that disagrees does not overwrite: the disagreement is kept in
  ``conflicts`` with both values and their sources.
* A node kind is refined when a later source is more specific (``Organisation`` -> ``Charity``);
  any other disagreement of kind is a conflict.
* Edges keep one provenance list; an edge whose end is no node is reported, not silently dropped.
* Nodes marked ``enrich_only`` (e.g. national deprivation scores) only add to nodes already present
  (after every other record); edges so marked (national tables of links) are kept only when both
  ends are present.

The merge works on whole columns (numpy and pandas), not record by record: a national build merges
millions of records. Records are ranked once (configuration order, then row order, records that only
enrich last); every rule above is then a sort, a group or a join over that rank. Only what is rare
is done one by one in Python: nodes whose sources disagree on kind, lists to unite, conflicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from civicgraph.core.beside import Beside
from civicgraph.core.bulk import collector_paused
from civicgraph.core.columns import TEXT, arrow_text, present_mask
from civicgraph.core.identifiers import SCHEME_PRIORITY
from civicgraph.core.provenance import PROVENANCE_FIELDS
from civicgraph.graph.frames import (
    CONFLICT_COLUMNS,
    EDGE_SOURCE_COLUMNS,
    NODE_SOURCE_COLUMNS,
    GraphFrames,
    frames_to_graph,
)
from civicgraph.loaders.base import ENRICH_ONLY, IDENTIFIED, PROVENANCE_COLUMNS, REJECTION_COLUMNS, LoadResult
from civicgraph.ontology.vocabulary import vocabulary

#: Attributes whose values are lists; merging takes their union.
LIST_ATTRIBUTES = frozenset({"other_names", "other_ids", "matched_ids", "sic_codes"})
#: Identifier lists the merge rewrites: what a record declared, and what resolution inferred.
IDENTIFIER_LISTS = ("other_ids", "matched_ids")
_NOT_ATTRIBUTES = frozenset({"id", "kind", "source", "target", "relation", ENRICH_ONLY, IDENTIFIED,
                             *PROVENANCE_COLUMNS})


def edge_key(source: str, target: str, relation: str, provenance: dict[str, str], *,
             identified: bool = False) -> str:
    """Stable key of an edge: its relation and a hash of its ends and source record.

    With ``identified`` the record is a published identifier (a 360Giving grant id), so the key
    leaves out the dataset: the same grant from two files is one edge.

    Examples
    --------
    >>> edge_key("a", "b", "FUNDED_BY", {"dataset": "d", "record": "r"})[:10]
    'FUNDED_BY:'
    >>> a, b = {"dataset": "funder.json", "record": "360G-x-1"}, {"dataset": "grantnav.csv", "record": "360G-x-1"}
    >>> edge_key("o", "f", "FUNDED_BY", a, identified=True) == edge_key("o", "f", "FUNDED_BY", b, identified=True)
    True
    """
    dataset = "" if identified else provenance.get("dataset", "")
    return _edge_key(source, target, relation, dataset, provenance.get("record", ""))


def _edge_key(source: str, target: str, relation: str, dataset: str, record: str) -> str:
    text = "|".join([source, target, relation, dataset, record])
    return f"{relation}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


#: Edge keys made at a time: each is hashed from a Python bytes object of its ends, relation and
#: record, which for the millions of edges of a national build would take most of a gigabyte at once.
KEYS_PER_CHUNK = 250_000


def _edge_keys(columns: list[pd.Series]) -> pd.Series:
    """:func:`_edge_key` of each row of the columns (source, target, relation, dataset, record), as
    Arrow text, made :data:`KEYS_PER_CHUNK` rows at a time: the texts are joined by pyarrow, only
    the hashing is done a row at a time."""
    keys = []
    for start in range(0, len(columns[0]), KEYS_PER_CHUNK):
        parts = [arrow_text(column.iloc[start:start + KEYS_PER_CHUNK]) for column in columns]
        joined = pc.binary_join_element_wise(*parts, pa.scalar("|", pa.large_string()), null_handling="replace")
        keys.append(pa.array([f"{relation}:{hashlib.sha1(text).hexdigest()[:16]}" for relation, text in zip(
            parts[2].to_pylist(), joined.cast(pa.large_binary()).to_pylist())], type=pa.large_string()))
    return pd.Series(pa.chunked_array(keys, type=pa.large_string()).combine_chunks(), dtype=TEXT)


def _text(parts: list[pd.Series]) -> pd.Series:
    """Text columns end to end, as one Arrow-backed column (ids and provenance are always text)."""
    parts = [p if isinstance(p.dtype, pd.StringDtype) else p.astype("str") for p in parts]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype="str")


def _categories(parts: list[pd.Series]) -> pd.Series:
    """Columns end to end as one categorical column: a provenance column repeats a few datasets,
    licences and dates over millions of rows, and taking integer codes costs far less than taking
    text. (Not for columns of millions of distinct values: their categories would be as many Python
    strings, and more again in the hash table pandas keeps to look them up.)"""
    codes, uniques = [], []
    for part in parts:
        found, values = pd.factorize(part, use_na_sentinel=False)
        codes.append(found)
        uniques.append(np.asarray(values, dtype=object))
    categories = pd.Index(pd.unique(np.concatenate(uniques)) if uniques else [], dtype=object)
    if not parts:
        return pd.Series(pd.Categorical([], categories=categories))
    mapped = [categories.get_indexer(values)[found] for found, values in zip(codes, uniques)]
    return pd.Series(pd.Categorical.from_codes(np.concatenate(mapped), categories=categories))


def _codes(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of values across the columns, row by row."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    return combined


def _scheme_ranks(identifiers: pd.Series) -> np.ndarray:
    """:func:`core.identifiers.scheme_rank` of many identifiers at once."""
    ranks = np.full(len(identifiers), len(SCHEME_PRIORITY), dtype=np.int64)
    for rank, prefix in reversed(list(enumerate(SCHEME_PRIORITY))):
        ranks[identifiers.str.startswith(prefix + "-").to_numpy(dtype=bool, na_value=False)] = rank
    return ranks


def _enrich_column(frame: pd.DataFrame, flag: str = ENRICH_ONLY) -> np.ndarray:
    if flag not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[flag].fillna(False).astype(bool).to_numpy()


def _key_datasets(records: _Records, kept: np.ndarray) -> pd.Series:
    """The dataset part of each kept edge's key: none for a record that is a published identifier
    (:data:`civicgraph.loaders.base.IDENTIFIED`), so the same grant from several files is one edge."""
    datasets = records.provenance[0].iloc[kept]
    identified = np.concatenate([_enrich_column(f, IDENTIFIED) for f in records.frames] or
                                [np.array([], dtype=bool)])[kept]
    if not identified.any():
        return datasets
    datasets = datasets.astype("category")
    if "" not in datasets.cat.categories:
        datasets = datasets.cat.add_categories([""])
    return datasets.where(~identified, "")


def _provenance_column(parts: list[pd.Series], name: str) -> pd.Series:
    """A provenance column end to end: the record (nearly one per row: a grant id, a row number) as
    Arrow text, the others as categories."""
    return _text(parts) if name == "prov_record" else _categories(parts)


@dataclass
class _Records:
    """Every record of every source's frame (nodes or edges), end to end; ``offsets`` where each starts."""

    frames: list[pd.DataFrame]  # the merge's own (shallow copies): it takes each column out once used
    offsets: np.ndarray
    enrich: np.ndarray
    provenance: list[pd.Series]
    positions: list[dict[str, int]]  # each frame's columns' places (a record's conflicts follow them)

    @classmethod
    def of(cls, frames: list[pd.DataFrame]) -> _Records:
        """The records of ``frames`` (the merge's own); their provenance columns are then taken out
        of them (the records have them end to end)."""
        lengths = np.array([len(f) for f in frames], dtype=np.int64)
        records = cls(frames, np.concatenate([[0], np.cumsum(lengths)]),
                      np.concatenate([_enrich_column(f) for f in frames] or [np.array([], dtype=bool)]),
                      [_provenance_column([f[c] for f in frames if len(f)], c) for c in PROVENANCE_COLUMNS],
                      [{c: i for i, c in enumerate(f.columns)} for f in frames])
        for column in PROVENANCE_COLUMNS:
            records.let_go(column)
        return records

    def text(self, column: str) -> pd.Series:
        """Column ``column`` end to end as Arrow text, taken out of the frames."""
        text = _text([f[column] for f in self.frames if len(f)])
        self.let_go(column)
        return text

    def let_go(self, column: str) -> None:
        """Take ``column`` out of the frames that have it."""
        for frame in self.frames:
            if column in frame:
                del frame[column]

    def objects(self, column: str) -> np.ndarray:
        parts = [f[column].to_numpy(dtype=object) for f in self.frames if len(f)]
        return np.concatenate(parts) if parts else np.array([], dtype=object)

    def cells(self, name: str) -> tuple[pd.Series, np.ndarray, np.ndarray] | None:
        """The present cells of column ``name``: values, record numbers, and the column's place in its
        frame; the column is taken out of the frames."""
        parts, at, where = [], [], []
        for number, frame in enumerate(self.frames):
            if name not in frame:
                continue
            column = frame.pop(name)
            mask = present_mask(column)
            parts.append(column[mask].reset_index(drop=True))
            at.append(self.offsets[number] + np.flatnonzero(mask))
            where.append(np.full(int(mask.sum()), self.positions[number][name]))
        if not parts:
            return None
        values = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        return values, np.concatenate(at), np.concatenate(where)

    @property
    def rank(self) -> np.ndarray:
        """Position of each record in the merge: sources in order, records that only enrich last."""
        order = np.argsort(self.enrich, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank


@dataclass
class _Identities:
    """Every identifier seen (``ids``, in Arrow), the canonical one of each (as a code), and which ids
    a source declared to be one entity (``declared``: a set number per code)."""

    ids: pa.Array
    canonical: np.ndarray
    declared: np.ndarray

    def codes(self, identifiers: pd.Series) -> np.ndarray:
        """Each identifier's code (-1 if never seen)."""
        found = pc.index_in(arrow_text(identifiers), value_set=self.ids)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

    def text(self, codes: np.ndarray) -> pd.Series:
        """The identifiers of ``codes``, as Arrow-backed text."""
        return _text_series(self.ids.take(pa.array(codes, type=pa.int64())))


def _text_series(values: pa.Array) -> pd.Series:
    return values.to_pandas(types_mapper={pa.large_string(): TEXT}.get)


def _identities(ids: pd.Series, declared_rows: np.ndarray, declared_lists: list[list[Any]],
                matches: list[tuple[str, str]]) -> tuple[_Identities, np.ndarray]:
    """Union of identifiers declared one (``other_ids``) and, separately, with resolution's matches.

    The canonical id of a set is its member of the highest-priority scheme, first seen among equals
    ("seen" in record order, each record's own id before the ids it declares). Returns the
    identities and each record's id code.
    """
    counts = np.array([len(v) for v in declared_lists], dtype=np.int64)
    others = pd.Series([str(i) for v in declared_lists for i in v], dtype="str")
    owner = np.repeat(declared_rows, counts)
    within = np.concatenate([np.arange(1, n + 1) for n in counts]) if len(counts) else np.array([], dtype=np.int64)
    matched = pd.Series([x for pair in matches for x in pair], dtype="str")
    codes, uniques = pd.factorize(_text([ids, others, matched]))
    seen_at = np.concatenate([np.arange(len(ids)) * 1_000_000, owner * 1_000_000 + within,
                              len(ids) * 1_000_000 + np.arange(len(matched))])
    count = len(uniques)
    first_seen = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, codes, seen_at)
    record_codes = codes[:len(ids)]
    other_codes, match_codes = codes[len(ids):len(ids) + len(others)], codes[len(ids) + len(others):].reshape(-1, 2)
    declared_pairs = np.stack([record_codes[owner], other_codes], axis=1) if len(others) else np.empty((0, 2), np.int64)
    declared = _components(declared_pairs, count)
    united = _components(np.concatenate([declared_pairs, match_codes]), count)
    best = np.lexsort((first_seen, _scheme_ranks(pd.Series(uniques)), united))
    leaders = best[np.r_[True, united[best][1:] != united[best][:-1]]] if count else best
    leader_of_set = np.empty(int(united.max(initial=-1)) + 1, dtype=np.int64)
    leader_of_set[united[leaders]] = leaders
    return _Identities(arrow_text(pd.Series(uniques)), leader_of_set[united], declared), record_codes


def _components(pairs: np.ndarray, count: int) -> np.ndarray:
    if count == 0:
        return np.array([], dtype=np.int64)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _declared_lists(records: _Records) -> tuple[np.ndarray, list[list[Any]]]:
    """Records that declare ``other_ids``, and their lists."""
    found = records.cells("other_ids")
    if found is None:
        return np.array([], dtype=np.int64), []
    values, at, _ = found
    return at, [v if isinstance(v, list) else [v] for v in values.tolist()]


@dataclass
class _Placed:
    """Kept node records in merge order within each node: record number, node, rank, provenance entry."""

    records: np.ndarray
    node: np.ndarray
    rank: np.ndarray
    entry: np.ndarray


class _Conflicts:
    """Disagreements found column by column (and kind by kind), put in each node's order at the end."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, node: np.ndarray, rank: np.ndarray, column: np.ndarray | int, field: str | list[str],
            kept: list[Any], other: list[Any], kept_entry: np.ndarray | int, other_entry: np.ndarray) -> None:
        """Conflicts of ``node`` found in the records of ``rank``, ``column`` each one's place in its
        source's frame (-1 for the kind, which comes first); the entries are the provenance of the
        value kept (-1: no one source) and of the other value."""
        self.parts.append(pd.DataFrame({"node": node, "rank": rank, "column": column, "field": field,
                                        "kept": pd.Series(kept, dtype=object), "other": pd.Series(other, dtype=object),
                                        "kept_entry": kept_entry, "other_entry": other_entry}))

    def table(self, sources: list[pd.Series]) -> pd.DataFrame:
        """The conflict table (:data:`civicgraph.graph.frames.CONFLICT_COLUMNS`), with the sources named."""
        if not self.parts:
            return pd.DataFrame(columns=CONFLICT_COLUMNS)
        found = pd.concat(self.parts, ignore_index=True)
        self.parts.clear()  # made once: what was found is in ``found`` now
        found = found.sort_values(["node", "rank", "column"], kind="stable")
        table = found[["node", "field", "kept"]].reset_index(drop=True)
        for side in ("kept", "other"):
            entry = found[f"{side}_entry"].to_numpy(dtype=np.int64)
            for name, column in zip(PROVENANCE_FIELDS, sources):  # a million conflicts: no Python strings
                table[f"{side}_{name}"] = _taken(column, entry)
            if side == "kept":
                table["other"] = found["other"].to_numpy(dtype=object)
        return table[CONFLICT_COLUMNS]


def _taken(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """``column``'s values at ``rows``, missing where a row is -1, keeping the column's type."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()[np.maximum(rows, 0)]
        return pd.Series(pd.Categorical.from_codes(np.where(rows >= 0, codes, -1), dtype=column.dtype))
    return column.iloc[np.maximum(rows, 0)].reset_index(drop=True).where(rows >= 0)


def _through(mapping: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``mapping[codes]``, with -1 where a code is -1 (not found)."""
    out = np.full(len(codes), -1, dtype=np.int64)
    known = codes >= 0
    out[known] = mapping[codes[known]]
    return out


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts, in an array sorted so equal values are together."""
    return np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1] if len(keys) else np.array([], dtype=np.int64)


def _fold_kinds(placed: _Placed, kinds: np.ndarray, conflicts: _Conflicts, node_count: int) -> np.ndarray:
    """Each node's kind: the first source's, refined by later, more specific ones (see module docstring)."""
    kinds = kinds[placed.records]
    result = np.empty(node_count, dtype=object)
    if not len(kinds):
        return result
    starts = _group_starts(placed.node)
    result[placed.node[starts]] = kinds[starts]
    codes = pd.factorize(kinds)[0]
    mixed = np.minimum.reduceat(codes, starts) != np.maximum.reduceat(codes, starts)
    ends = np.r_[starts[1:], len(kinds)]
    vocab = vocabulary()
    found: list[int] = []
    kept: list[str] = []
    for start, end in zip(starts[mixed].tolist(), ends[mixed].tolist()):
        current = kinds[start]
        for i in range(start + 1, end):
            kind = kinds[i]
            if kind == current or vocab.is_a(current, kind):
                continue
            if vocab.is_a(kind, current):
                current = kind
            else:
                found.append(i)
                kept.append(current)
        result[placed.node[start]] = current
    if found:
        rows = np.array(found, dtype=np.int64)
        conflicts.add(placed.node[rows], placed.rank[rows], -1, "kind", kept, kinds[rows].tolist(), -1,
                      placed.entry[rows])
    return result


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def _equal(values: pd.Series, leader: np.ndarray) -> np.ndarray:
    """Whether each value is its node's first value (:func:`_same`: numbers compared as numbers)."""
    firsts = values.iloc[leader].reset_index(drop=True)
    if values.dtype != object:
        return (values.reset_index(drop=True) == firsts).to_numpy(dtype=bool)
    return np.fromiter((a == b if type(a) is type(b) else _same(a, b) for a, b in
                        zip(values.tolist(), firsts.tolist())), bool, len(values))


@dataclass
class _Column:
    """The present cells of one attribute for kept records, sorted by node then merge rank."""

    name: str
    values: pd.Series
    node: np.ndarray
    rank: np.ndarray
    entry: np.ndarray
    position: np.ndarray  # the column's place in its source's frame (a record's conflicts follow it)


def _gather(name: str, found: tuple[pd.Series, np.ndarray, np.ndarray], slot: np.ndarray, placed: _Placed) -> _Column:
    values, at, where = found
    kept = slot[at] >= 0
    order = slot[at][kept]
    sort = np.argsort(order, kind="stable")
    chosen = np.flatnonzero(kept)[sort]
    place = order[sort]
    return _Column(name, values.iloc[chosen].reset_index(drop=True), placed.node[place], placed.rank[place],
                   placed.entry[place], where[chosen])


def _merge_lists(column: _Column) -> tuple[np.ndarray, list[Any]]:
    """Union of each node's lists in merge order; every source that gave one is credited."""
    values = column.values.to_numpy(dtype=object)
    starts = _group_starts(column.node)
    ends = np.r_[starts[1:], len(values)]
    merged = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        if end - start == 1:
            merged.append(list(values[start]))
            continue
        union: list[Any] = []
        for value in values[start:end]:
            union += [v for v in value if v not in union]
        merged.append(union)
    return column.node[starts], merged


def _merge_values(column: _Column, conflicts: _Conflicts) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """The first source's value of each node; later sources that agree are credited, others are
    conflicts (naming the source whose value was kept)."""
    first = np.r_[True, column.node[1:] != column.node[:-1]]
    starts = np.flatnonzero(first)
    leader = starts[np.cumsum(first) - 1]
    agree = _equal(column.values, leader)
    bad = np.flatnonzero(~agree)
    if len(bad):
        conflicts.add(column.node[bad], column.rank[bad], column.position[bad], column.name,
                      column.values.iloc[leader[bad]].tolist(), column.values.iloc[bad].tolist(),
                      column.entry[leader[bad]], column.entry[bad])
    return column.node[starts], column.values.iloc[starts], agree


def _identifier_lists(id_codes: np.ndarray, slot: np.ndarray, identities: _Identities,
                      declared_rows: np.ndarray, declared_lists: list[list[Any]]
                      ) -> dict[str, tuple[pd.Series, np.ndarray, np.ndarray]]:
    """Each kept record's ids other than its node's: declared ones as ``other_ids``, inferred ones as
    ``matched_ids`` (a record's ids are its own and those it declares, in that order, each once)."""
    canonical = identities.canonical[id_codes]
    chosen = slot[declared_rows] >= 0
    kept_declared = declared_rows[chosen]
    lengths = np.array([len(v) for v, c in zip(declared_lists, chosen) if c], dtype=np.int64)
    others = pd.Series([str(i) for v, c in zip(declared_lists, chosen) if c for i in v], dtype="str")
    moved = np.flatnonzero((canonical != id_codes) & (slot >= 0))
    record = np.concatenate([moved, kept_declared, np.repeat(kept_declared, lengths)])
    given = np.concatenate([id_codes[moved], id_codes[kept_declared], identities.codes(others)])
    sequence = np.concatenate([np.zeros(len(moved) + len(kept_declared), dtype=np.int64),
                               np.concatenate([np.arange(1, n + 1) for n in lengths]) if len(lengths) else []])
    order = np.lexsort((sequence, record))
    record, given = record[order], given[order]
    keep = ~pd.DataFrame({"record": record, "id": given}).duplicated().to_numpy() & (given != canonical[record])
    record, given = record[keep], given[keep]
    same = identities.declared[given] == identities.declared[canonical[record]]
    lists = {}
    for name, chosen_ids in (("other_ids", same), ("matched_ids", ~same)):
        rows, codes = record[chosen_ids], given[chosen_ids]
        names = identities.text(codes).to_numpy(dtype=object)
        starts = _group_starts(rows)
        ends = np.r_[starts[1:], len(rows)]
        values = pd.Series([names[a:b].tolist() for a, b in zip(starts.tolist(), ends.tolist())], dtype=object)
        lists[name] = (values, rows[starts], np.full(len(starts), 1_000_000))
    return lists


def _field_names(masks: np.ndarray, names: list[str]) -> pd.Categorical:
    """Each provenance entry's fields as space-separated names (few distinct sets: each worked out once)."""
    if not len(masks):
        return pd.Categorical([])
    inverse = pd.factorize(masks[:, 0])[0]
    for word in range(1, masks.shape[1]):  # more than 64 attributes: one word at a time
        codes, distinct = pd.factorize(masks[:, word])
        inverse = pd.factorize(inverse * (len(distinct) + 1) + codes)[0]
    first = np.full(int(inverse.max(initial=-1)) + 1, len(inverse), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(inverse)))
    text = [" ".join(sorted(names[word * 64 + bit] for word, value in enumerate(row.tolist()) for bit in range(64)
                            if value >> bit & 1)) for row in masks[first]]
    return pd.Categorical.from_codes(inverse, categories=pd.Index(text, dtype=object))  # distinct sets


@collector_paused()
def assemble_frames(results: Iterable[LoadResult], *, attributes: dict[str, Any] | None = None,
                    matches: Iterable[tuple[str, str]] = (), beside: Beside | None = None,
                    between_halves: Callable[[], object] | None = None) -> tuple[GraphFrames, pd.DataFrame]:
    """Merge load results into the tables of one graph.

    The nodes are merged first, then the edges; given ``beside``, the edges are merged there while
    this process merges the nodes (the pipeline passes a helper process for a large graph on a
    machine with room for both working sets).

    Parameters
    ----------
    results : iterable of LoadResult
        In priority order: where sources disagree on a field, the earlier one is kept and the
        disagreement recorded. They are not changed. A caller with no further use for them can
        hand them over (an iterator that gives each up as it goes: see ``pipeline.build``): the
        merge then frees each of their columns once merged, so that a national build holds its
        sources and its graph at once only in part.
    attributes : dict, optional
        Graph-level attributes (authority, build date).
    matches : iterable of (str, str)
        Pairs of identifiers that entity resolution merged (:mod:`resolve.resolution`).
    beside : callable, optional
        Where to merge the edges meanwhile (see :mod:`civicgraph.core.beside`); by default here,
        after the nodes.
    between_halves : callable, optional
        Called once the nodes are merged and their working arrays let go, before the edges are
        taken (the pipeline hands freed memory back to the system there).

    Returns
    -------
    frames : GraphFrames
        Nodes keyed by identifier, each with its provenance list, which sources gave which field,
        and conflicts; edges keyed by :func:`edge_key`, each with its provenance list.
    rejections : DataFrame
        Edges that could not be placed (an end that is no node), with file, row, field and reason.

    Examples
    --------
    >>> from pathlib import Path
    >>> from civicgraph.loaders.base import RecordSink
    >>> a, b = RecordSink("register", Path("r.csv")), RecordSink("grants", Path("g.json"))
    >>> a.node("GB-CHC-1", "Charity", a.provenance("row 2", "", "OGL-UK-3.0"), name="Age UK Hounslow")
    >>> b.node("GB-CHC-1", "Organisation", b.provenance("g1", "", "CC-BY-4.0"), name="Age UK Hounslow")
    >>> frames, _ = assemble_frames([a.result(), b.result()])
    >>> frames.nodes[["id", "kind", "name"]].values.tolist()
    [['GB-CHC-1', 'Charity', 'Age UK Hounslow']]
    >>> frames.node_sources[["record", "fields"]].values.tolist()
    [['row 2', 'name'], ['g1', 'name']]
    """
    node_frames, edge_frames = _own_frames(results)
    records = _Records.of(node_frames)
    del node_frames  # the records have them, and let go of each column once used
    declared = _declared_lists(records)
    identities, id_codes = _identities(records.text("id"), *declared, [(str(a), str(b)) for a, b in matches])
    canonical = identities.canonical[id_codes]
    # nodes: the canonical ids of records that are not enrich-only, in merge order
    main = np.flatnonzero(~records.enrich)
    node_codes = pd.unique(canonical[main])
    node_of_code = np.full(len(identities.ids), -1, dtype=np.int64)
    node_of_code[node_codes] = np.arange(len(node_codes))
    # the edges need only the identities: a large graph merges them in a helper process meanwhile
    if beside is not None:
        merged_edges = beside(_merge_edges, edge_frames, identities, node_of_code)
        edge_frames = None  # the helper has its own
    else:
        merged_edges = lambda: _merge_edges(edge_frames, identities, node_of_code)  # noqa: E731
    nodes, node_sources, found = _merge_nodes(records, identities, id_codes, declared, node_codes, node_of_code)
    del records, id_codes, canonical, declared  # what the node merge needed: not kept while edges merge
    conflicts = found.table([node_sources[f] for f in PROVENANCE_FIELDS])
    if between_halves is not None:  # what the node merge freed, before the edges' merge needs as much again
        between_halves()
    edges, edge_sources, rejections = merged_edges()
    return GraphFrames(nodes, node_sources, edges, edge_sources, conflicts, dict(attributes or {})), rejections


def _own_frames(results: Iterable[LoadResult]) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """The node and edge frames of the results, as the merge's own shallow copies: it takes columns
    out of these, never out of the results. Once the results are gone (a caller that handed them
    over), each column is freed as soon as the merge has taken it."""
    nodes, edges = [], []
    for result in results:
        nodes.append(result.nodes.copy(deep=False))
        edges.append(result.edges.copy(deep=False))
    return nodes, edges


def _merge_nodes(records: _Records, identities: _Identities, id_codes: np.ndarray,
                 declared: tuple[np.ndarray, list[list[Any]]], node_codes: np.ndarray, node_of_code: np.ndarray
                 ) -> tuple[pd.DataFrame, pd.DataFrame, _Conflicts]:
    """The node and node source tables of the node records (see :func:`assemble_frames`), and the
    conflicts found (their table is made once this function's working arrays are gone)."""
    declared_rows, declared_lists = declared
    canonical = identities.canonical[id_codes]
    rank = records.rank
    node_of = node_of_code[canonical]
    kept = np.flatnonzero(node_of >= 0)
    order = kept[np.lexsort((rank[kept], node_of[kept]))]
    node_sorted = node_of[order]
    provenance_key = _codes(*records.provenance)[order]  # codes taken in order: cheaper than the texts
    entry_key = node_sorted * (int(provenance_key.max(initial=0)) + 1) + provenance_key
    entries = np.flatnonzero(~pd.Series(entry_key).duplicated().to_numpy())
    entry = pd.Index(entry_key[entries]).get_indexer(entry_key)
    placed = _Placed(order, node_sorted, rank[order], entry)
    slot = np.full(len(id_codes), -1, dtype=np.int64)
    slot[order] = np.arange(len(order))
    sources = [column.iloc[order[entries]].reset_index(drop=True) for column in records.provenance]
    records.provenance.clear()  # a column per record: only the kept entries' are needed from here
    conflicts = _Conflicts()
    kinds = _fold_kinds(placed, records.objects("kind"), conflicts, len(node_codes))
    rewritten = _identifier_lists(id_codes, slot, identities, declared_rows, declared_lists)
    vocab = vocabulary()
    names = sorted({c for f in records.frames for c in f.columns if c not in _NOT_ATTRIBUTES} | set(IDENTIFIER_LISTS))
    columns: dict[str, pd.Series] = {}
    fields = np.zeros((len(entries), len(names) // 64 + 1), dtype=np.uint64)
    for number, name in enumerate(names):
        vocab.check_attribute(name)
        found = rewritten[name] if name in IDENTIFIER_LISTS else records.cells(name)
        if found is None or not len(found[0]):
            continue
        column = _gather(name, found, slot, placed)
        if not len(column.values):
            continue
        if name in LIST_ATTRIBUTES:
            nodes_with, merged = _merge_lists(column)
            values = pd.Series(merged, index=nodes_with, dtype=object)
            agree = np.ones(len(column.values), dtype=bool)
        else:
            nodes_with, firsts, agree = _merge_values(column, conflicts)
            values = firsts.set_axis(nodes_with)
        columns[name] = values.reindex(range(len(node_codes)))
        word, bit = divmod(number, 64)
        fields[column.entry[agree], word] |= np.uint64(1) << np.uint64(bit)
    nodes = pd.DataFrame({"id": identities.text(node_codes), "kind": pd.Series(kinds, dtype="category"),
                          **columns})
    node_sources = pd.DataFrame({"node": node_sorted[entries],
                                 **{f: _compact(column, f) for f, column in zip(PROVENANCE_FIELDS, sources)},
                                 "fields": _field_names(fields, names)}, columns=NODE_SOURCE_COLUMNS)
    return nodes, node_sources, conflicts


def _merge_edges(frames: list[pd.DataFrame], identities: _Identities, node_of_code: np.ndarray
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Edges between canonical nodes, one per key, each with its provenance list; dangling ones
    reported. ``frames`` are the merge's own edge frames: each column is taken out of them once merged."""
    records = _Records.of(frames)
    del frames
    ends = {}
    for end in ("source", "target"):
        given = records.text(end)
        canonical = _through(identities.canonical, identities.codes(given))
        ends[end] = (given, canonical, _through(node_of_code, canonical))
    relation_codes, relation_names = pd.factorize(records.text("relation"))
    relations = np.asarray(relation_names, dtype=object)[relation_codes]  # references to a few strings
    (_, canonical_source, source_node), (_, canonical_target, target_node) = ends["source"], ends["target"]
    dangling = (source_node < 0) | (target_node < 0)
    reported = np.flatnonzero(dangling & ~records.enrich)
    named = {}
    for end, (given, canonical, _) in ends.items():
        named[end] = given.iloc[reported].to_numpy(dtype=object)
        known = canonical[reported] >= 0
        named[end][known] = identities.text(canonical[reported][known]).to_numpy(dtype=object)
    rejections = pd.DataFrame({
        "file": records.provenance[0].iloc[reported].to_numpy(dtype=object),
        "row": records.provenance[1].iloc[reported].to_numpy(dtype=object),
        "field": np.where(source_node[reported] >= 0, "target", "source"),
        "value": np.where(source_node[reported] >= 0, named["target"], named["source"]),
        "reason": [f"{r} edge: no node with this id" for r in relations[reported]]}, columns=REJECTION_COLUMNS)
    kept = np.flatnonzero(~dangling)
    source_ids = identities.text(canonical_source[kept])
    target_ids = identities.text(canonical_target[kept])
    keys = _edge_keys([source_ids, target_ids, pd.Series(relations[kept]), _key_datasets(records, kept),
                       records.provenance[1].iloc[kept]])
    key_codes = pd.factorize(keys)[0]
    # codes come in the order keys are first seen: a key's first edge is where its code is the highest yet
    highest = np.maximum.accumulate(key_codes)
    first = np.flatnonzero(np.r_[len(highest) > 0, highest[1:] > highest[:-1]])
    del highest
    edges = pd.DataFrame({"key": keys.iloc[first].reset_index(drop=True),
                          "source": source_ids.iloc[first].reset_index(drop=True),
                          "target": target_ids.iloc[first].reset_index(drop=True),
                          "relation": pd.Categorical.from_codes(relation_codes[kept[first]], categories=relation_names)})
    slot = np.full(len(relations), -1, dtype=np.int64)
    slot[kept[first]] = np.arange(len(first))
    for name in sorted({c for f in records.frames for c in f.columns if c not in _NOT_ATTRIBUTES}):
        found = records.cells(name)
        values, at, _ = found
        wanted = slot[at] >= 0
        edges[name] = values[wanted].set_axis(slot[at][wanted]).reindex(range(len(first)))
    provenance = [column.iloc[kept].reset_index(drop=True) for column in records.provenance]
    entry_key = key_codes * (len(kept) + 1) + _codes(*provenance)
    distinct = np.flatnonzero(~pd.Series(entry_key).duplicated().to_numpy())
    chosen = distinct[np.argsort(key_codes[distinct], kind="stable")]
    edge_sources = pd.DataFrame({"edge": key_codes[chosen],
                                 **{f: _compact(column.iloc[chosen].reset_index(drop=True), f)
                                    for f, column in zip(PROVENANCE_FIELDS, provenance)}}, columns=EDGE_SOURCE_COLUMNS)
    return edges, edge_sources, rejections


def _compact(values: pd.Series, field: str) -> pd.Series:
    """A provenance column as kept in the graph's tables: the record as text, the others (a few
    datasets, licences and dates repeated over millions of rows) as categories."""
    return values if field == "record" else values.astype("category")


def assemble_graph(results: Iterable[LoadResult], *, attributes: dict[str, Any] | None = None,
                   matches: Iterable[tuple[str, str]] = ()) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """Merge load results into one networkx graph (:func:`assemble_frames`, then
    :func:`graph.frames.frames_to_graph`).

    Returns
    -------
    graph : networkx.MultiDiGraph
        Nodes keyed by identifier with ``kind``, attributes, ``provenance`` (list of dicts),
        ``field_provenance`` and ``conflicts``; edges keyed by :func:`edge_key` with ``relation``,
        attributes and ``provenance``.
    rejections : DataFrame
        Edges that could not be placed.

    Examples
    --------
    >>> from pathlib import Path
    >>> from civicgraph.loaders.base import RecordSink
    >>> register, directory = RecordSink("ccew", Path("charity.txt")), RecordSink("directory", Path("d.csv"))
    >>> register.node("GB-CHC-1", "Charity", register.provenance("row 2", "", "OGL-UK-3.0"), name="Age UK Hounslow")
    >>> directory.node("GB-CHC-1", "Charity", directory.provenance("row 9", "", "CC0-1.0"), name="Age Concern")
    >>> g, _ = assemble_graph([register.result(), directory.result()])
    >>> g.nodes["GB-CHC-1"]["name"], g.nodes["GB-CHC-1"]["conflicts"][0]["other"]
    ('Age UK Hounslow', 'Age Concern')
    """
    frames, rejections = assemble_frames(results, attributes=attributes, matches=matches)
    return frames_to_graph(frames), rejections
