"""How much of the graph is placed: organisations, buildings and grants in a ward, inside or outside
the authority, by kind (for the build summary and ``civicgraph info``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames
from civicgraph.ontology.vocabulary import vocabulary

__all__ = ["placement_coverage", "ward_set"]

#: Kinds counted besides organisations: what else has an address.
PLACED_KINDS = ("Building", "Land", "Grant")


def ward_set(frames: GraphFrames) -> str:
    """Which wards the graph's ward answers use: the boundary years of its ward nodes.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["E05000346@2017"], "kind": ["Ward"]})
    >>> ward_set(GraphFrames(nodes, pd.DataFrame(), pd.DataFrame(columns=["source", "target", "relation"]),
    ...                      pd.DataFrame(), pd.DataFrame()))
    '2017 wards (from the LSOA to ward lookup)'
    """
    wards = frames.nodes.loc[(frames.nodes["kind"] == "Ward").to_numpy(dtype=bool), "id"].astype(str)
    years = sorted({w.rsplit("@", 1)[-1] for w in wards if "@" in w})
    return f"{', '.join(years)} wards (from the LSOA to ward lookup)" if years else "no wards"


def placement_coverage(frames: GraphFrames) -> dict[str, Any]:
    """Organisations (by kind), buildings, land and grants: how many have a postcode, how many of
    those a postcode directory knows, how many are inside or outside the authority, and how many
    are in a ward.

    An organisation's postcode is its own or that of a building it occupies; a grant's is its
    recipient's, and a grant is in a ward when its recipient is.

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
    by_kind: dict[str, dict[str, int]] = {}
    for kind in sorted(set(kinds[counted])):
        rows = (kinds == kind).to_numpy() & counted
        with_postcode = rows & (postcode | known)
        by_kind[kind] = {"nodes": int(rows.sum()), "with_postcode": int(with_postcode.sum()),
                         "postcode_known": int((rows & known).sum()), "inside": int((rows & inside).sum()),
                         "outside": int((rows & outside).sum()), "in_ward": int((with_postcode & in_ward).sum())}
    return {"ward_set": ward_set(frames), "by_kind": by_kind}


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
