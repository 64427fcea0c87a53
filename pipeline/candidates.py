"""Possibly registered is not unregistered: a group whose pair with a registered charity or company
awaits a decision in the review file names that candidate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civicgraph.graph.frames import GraphFrames
from civicgraph.pipeline._annotate import annotate_nodes

__all__ = ["REGISTER_LOADERS", "REGISTER_PREFIXES", "mark_register_candidates", "register_extracts"]

#: Loaders that read a register of organisations (charities, companies).
REGISTER_LOADERS = ("ccew", "companies-house")

#: Org-ID schemes of registers (charities, companies, mutuals).
REGISTER_PREFIXES = ("GB-CHC-", "GB-COH-", "GB-MPR-", "GB-SC-", "GB-NIC-")


def register_extracts(results: list) -> list[dict[str, object]]:
    """What each register a build loaded covers, so that an answer can say whether "not found on
    a register" means unregistered or only not in the extract.

    Parameters
    ----------
    results : list of LoadResult
        The build's load results.

    Returns
    -------
    list of dict
        One per register source: ``source`` (loader and file), ``complete`` (True when it read the
        register's list of organisations, filtered to the authority; False when it only added
        details to organisations other sources found) and ``covers`` (its filter, in words).

    Examples
    --------
    >>> from pathlib import Path
    >>> from civicgraph.loaders.base import LoadResult
    >>> empty = pd.DataFrame()
    >>> register_extracts([LoadResult("ccew", Path("ccew_extract"), empty, empty, empty,
    ...                               "no charity table: details added to charities already in the graph")])
    [{'source': 'ccew:ccew_extract', 'complete': False, 'covers': 'no charity table: details added to charities already in the graph'}]
    """
    return [{"source": f"{r.loader}:{r.path.name}", "complete": not r.filter_applied.startswith("no charity table"),
             "covers": r.filter_applied} for r in results if r.loader in REGISTER_LOADERS]


def mark_register_candidates(frames: GraphFrames, review: pd.DataFrame) -> GraphFrames:
    """Give each organisation on no register the registered organisations it awaits a decision
    with (``register_candidates``: ``'id name (score s)'``, best first).

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    review : DataFrame
        The review table (:data:`civicgraph.resolve.review.REVIEW_COLUMNS`); pairs with a decision are left out.

    Returns
    -------
    GraphFrames

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["LOCAL-HNS-phab"], "kind": ["Organisation"]})
    >>> sources = pd.DataFrame(columns=["node", "dataset", "record", "date", "licence", "fields"])
    >>> frames = GraphFrames(nodes, sources, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    >>> review = pd.DataFrame({"left_id": ["GB-CHC-294887"], "left_name": ["HOUNSLOW PHAB"],
    ...                        "right_id": ["LOCAL-HNS-phab"], "right_name": ["Hounslow PHAB"], "score": [1.0],
    ...                        "decision": [""]})
    >>> mark_register_candidates(frames, review).nodes["register_candidates"].iloc[0]
    ['GB-CHC-294887 HOUNSLOW PHAB (score 1.00)']
    """
    if review is None or review.empty:
        return frames
    pending = review[review["decision"].fillna("").astype(str).str.strip().eq("")]
    found: dict[str, list[tuple[float, str]]] = {}
    for row in pending.itertuples(index=False):
        for own, other, other_name in ((row.left_id, row.right_id, row.right_name),
                                       (row.right_id, row.left_id, row.left_name)):
            if str(other).startswith(REGISTER_PREFIXES) and not str(own).startswith(REGISTER_PREFIXES):
                score = float(row.score)
                found.setdefault(str(own), []).append((score, f"{other} {other_name} (score {score:.2f})"))
    if not found:
        return frames
    rows_of = _rows_of(frames.nodes)
    rows, values, records = [], [], []
    for own, candidates in found.items():
        row = rows_of.get(own)
        if row is None:
            continue
        rows.append(row)
        values.append([text for _, text in sorted(set(candidates), key=lambda c: (-c[0], c[1]))])
        records.append(f"pending pair(s) of {own}")
    order = np.argsort(rows, kind="stable")
    return annotate_nodes(frames, np.asarray(rows)[order], {"register_candidates": [values[i] for i in order]},
                          dataset="review-file", records=[records[i] for i in order], licence="CC0-1.0")


def _rows_of(nodes: pd.DataFrame) -> dict[str, int]:
    """The node row of each identifier: its own, and those merged into it."""
    rows: dict[str, int] = {}
    for column in ("matched_ids", "other_ids"):
        if column in nodes:
            for row, ids in enumerate(nodes[column].tolist()):
                if isinstance(ids, (list, tuple, np.ndarray)):
                    rows.update({str(i): row for i in ids})
    rows.update({str(i): row for row, i in enumerate(nodes["id"].tolist())})
    return rows
