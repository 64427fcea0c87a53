"""How much of the graph is placed: organisations, buildings and grants in a ward, inside or outside
the authority, by kind (for the build summary and ``civicgraph info``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.ontology.vocabulary import vocabulary

__all__ = ["placement_by_source", "placement_coverage", "ward_set"]

#: Kinds counted besides organisations: what else has an address.
PLACED_KINDS = ("Building", "Land", "Grant")


def ward_set(nodes: pd.DataFrame, source: str = "") -> str:
    """Which wards the graph's ward answers use: the boundary years of its ward nodes, where their
    codes come from, and whether a source gives their names ("code only" otherwise).

    Parameters
    ----------
    nodes : DataFrame
        The graph's node table (``id``, ``kind``, and ``name`` where known).
    source : str
        Where the ward codes come from (the graph's ``ward_source`` attribute); by default the
        ONS LSOA to ward lookup.

    Examples
    --------
    >>> ward_set(pd.DataFrame({"id": ["E05000346@2017"], "kind": ["Ward"], "name": ["Bedfont"]}))
    '2017 wards (from the ONS LSOA to ward lookup), with names'
    >>> ward_set(pd.DataFrame({"id": ["E05013600@2025"], "kind": ["Ward"], "name": [None]}),
    ...          "OS Code-Point Open ward codes")
    '2025 wards (from OS Code-Point Open ward codes), code only (no source gives their names)'
    """
    wards = nodes[(nodes["kind"] == "Ward").to_numpy(dtype=bool)]
    years = sorted({w.rsplit("@", 1)[-1] for w in wards["id"].astype(str) if "@" in w})
    if not years:
        return "no wards"
    source = source or "the ONS LSOA to ward lookup"
    named = int(present_mask(wards["name"]).sum()) if "name" in wards else 0
    names = "with names" if named == len(wards) else \
        "code only (no source gives their names)" if not named else f"{named} of {len(wards)} with names"
    return f"{', '.join(years)} wards (from {source}), {names}"


def placement_coverage(graph: GraphLike) -> dict[str, Any]:
    """Organisations (by kind), buildings, land and grants: how many have a postcode, how many of
    those a postcode directory knows, how many are inside or outside the authority, and how many
    are in a ward.

    An organisation's postcode is its own or that of a building it occupies; a grant's is its
    recipient's, and a grant is in a ward when its recipient is.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built graph (read through its tables).

    Returns
    -------
    dict
        ``ward_set`` (see :func:`ward_set`) and ``by_kind``: kind -> ``nodes``, ``with_postcode``,
        ``postcode_known``, ``inside``, ``outside``, ``in_ward``.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["W@2017", "a", "b"], "kind": ["Ward", "Charity", "Charity"],
    ...                       "postcode": [None, "TW3 1AA", None], "inside_authority": [None, True, None]})
    >>> edges = pd.DataFrame({"source": ["a"], "target": ["W@2017"], "relation": ["LOCATED_IN"]})
    >>> frames = GraphFrames(nodes, pd.DataFrame(), edges, pd.DataFrame(), pd.DataFrame())
    >>> placement_coverage(frames)["by_kind"]["Charity"]
    {'nodes': 2, 'with_postcode': 1, 'postcode_known': 1, 'inside': 1, 'outside': 0, 'in_ward': 1}
    """
    frames = as_frames(graph)
    flags = _placement_flags(frames)
    kinds, counted, with_postcode = flags["kinds"], flags["counted"], flags["with_postcode"]
    by_kind: dict[str, dict[str, int]] = {}
    for kind in sorted(set(kinds[counted])):
        rows = (kinds == kind).to_numpy() & counted
        by_kind[kind] = {"nodes": int(rows.sum()), "with_postcode": int((rows & with_postcode).sum()),
                         "postcode_known": int((rows & flags["known"]).sum()),
                         "inside": int((rows & flags["inside"]).sum()), "outside": int((rows & flags["outside"]).sum()),
                         "in_ward": int((rows & with_postcode & flags["in_ward"]).sum())}
    return {"ward_set": ward_set(frames.nodes, frames.attributes.get("ward_source", "")), "by_kind": by_kind}


def _placement_flags(frames: GraphFrames) -> dict[str, Any]:
    """For each node: its kind (``kinds``) and, as boolean arrays, whether it is counted, has a
    postcode, a postcode the directory knows, is inside or outside the authority, or in a ward."""
    nodes, edges = frames.nodes, frames.edges
    kinds = nodes["kind"].astype(str)
    vocab = vocabulary()
    is_org = kinds.map({k: vocab.is_a(k, "Organisation") for k in kinds.unique()}).astype(bool).to_numpy()
    counted = is_org | kinds.isin(PLACED_KINDS).to_numpy()
    ids = nodes["id"].astype(object)
    row_of = pd.Series(np.arange(len(nodes)), index=ids)
    postcode = present_mask(nodes["postcode"]) if "postcode" in nodes else np.zeros(len(nodes), dtype=bool)
    inside = _flag(nodes, True)
    outside = _flag(nodes, False)
    in_ward = np.zeros(len(nodes), dtype=bool)
    in_ward[_rows(row_of, _ward_holders(nodes, edges))] = True
    # organisations through the buildings they occupy; grants through their recipients
    for relation in ("OCCUPIES", "AWARDED_TO"):
        pairs = edges[(edges["relation"] == relation).to_numpy(dtype=bool)]
        src, dst = _rows(row_of, pairs["source"]), _rows(row_of, pairs["target"])
        both = (src >= 0) & (dst >= 0)
        src, dst = src[both], dst[both]
        for flags in (postcode, in_ward):
            np.logical_or.at(flags, src, flags[dst])
        known = inside | outside
        np.logical_or.at(postcode, src, known[dst])
    known = inside | outside
    return {"kinds": kinds, "counted": counted, "with_postcode": postcode | known, "known": known,
            "inside": inside, "outside": outside, "in_ward": in_ward}


def placement_by_source(graph: GraphLike) -> pd.DataFrame:
    """For each source dataset: how many of the organisations, buildings, land and grants it gave
    could be placed (they have a postcode, their own or through what they occupy or were awarded
    to), and how many were (in a ward, or known to be outside the authority).

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built graph (read through its tables).

    Returns
    -------
    DataFrame
        ``dataset``, ``could_place``, ``placed``, ``share`` (placed / could_place), one row per
        dataset that gave something with a postcode.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["W@2017", "a", "b"], "kind": ["Ward", "Charity", "Charity"],
    ...                       "postcode": [None, "TW3 1AA", "ZZ9 9ZZ"], "inside_authority": [None, True, None]})
    >>> edges = pd.DataFrame({"source": ["a"], "target": ["W@2017"], "relation": ["LOCATED_IN"]})
    >>> sources = pd.DataFrame({"node": [1, 2], "dataset": ["ccew:charities.csv", "ccew:charities.csv"]})
    >>> frames = GraphFrames(nodes, sources, edges, pd.DataFrame(), pd.DataFrame())
    >>> placement_by_source(frames).to_dict("records")
    [{'dataset': 'ccew:charities.csv', 'could_place': 2, 'placed': 1, 'share': 0.5}]
    """
    frames = as_frames(graph)
    flags = _placement_flags(frames)
    could = flags["counted"] & flags["with_postcode"]
    placed = could & (flags["in_ward"] | flags["outside"])
    given = frames.node_sources[["node", "dataset"]].drop_duplicates() if len(frames.node_sources) else \
        pd.DataFrame({"node": pd.Series(dtype=np.int64), "dataset": pd.Series(dtype=object)})
    rows = given["node"].to_numpy(dtype=np.int64)
    table = pd.DataFrame({"dataset": given["dataset"].astype(str).to_numpy(), "could_place": could[rows],
                          "placed": placed[rows]})
    table = table[table["could_place"]].groupby("dataset", sort=True)[["could_place", "placed"]].sum().reset_index()
    table["share"] = table["placed"] / table["could_place"]
    return table.astype({"could_place": np.int64, "placed": np.int64})


def _flag(nodes: pd.DataFrame, value: bool) -> np.ndarray:
    if "inside_authority" not in nodes:
        return np.zeros(len(nodes), dtype=bool)
    column = nodes["inside_authority"]
    return (column.notna() & (column.astype(object) == value)).to_numpy(dtype=bool)


def _rows(row_of: pd.Series, ids: pd.Series) -> np.ndarray:
    return row_of.reindex(pd.Index(ids.astype(object))).fillna(-1).to_numpy(dtype=np.int64)


def _ward_holders(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.Series:
    """Nodes located in a ward, or in an LSOA that is part of one."""
    kind = pd.Series(nodes["kind"].astype(str).to_numpy(), index=nodes["id"].astype(object))
    wards = set(kind.index[kind.to_numpy() == "Ward"])
    part_of = edges[(edges["relation"] == "PART_OF").to_numpy(dtype=bool)]
    lsoas = set(part_of.loc[part_of["target"].isin(wards).to_numpy(dtype=bool), "source"])
    located = edges[(edges["relation"] == "LOCATED_IN").to_numpy(dtype=bool)]
    return located.loc[located["target"].isin(wards | lsoas).to_numpy(dtype=bool), "source"]
