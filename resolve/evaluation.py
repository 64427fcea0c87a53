"""How good resolution is: precision and recall against pairs a person labelled.

A labelled file has one row per pair of identifiers (``left_id``, ``right_id``) and ``same`` (1
when they are one organisation, 0 when not). A pair counts as *predicted same* when resolution put
both identifiers in one node, directly or through other links, exactly as the graph would.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
from networkx.utils import UnionFind


@dataclass(frozen=True)
class Quality:
    """Counts and rates of a resolution against labelled pairs.

    Attributes
    ----------
    true_positives, false_positives, false_negatives, true_negatives : int
    precision : float
        Of the labelled pairs merged, the share that are one organisation.
    recall : float
        Of the labelled pairs that are one organisation, the share merged.
    mistakes : DataFrame
        The wrongly merged and wrongly separate pairs, with their labels and notes.
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    mistakes: pd.DataFrame


def read_labelled_pairs(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a labelled-pairs CSV (``left_id``, ``right_id``, ``same`` and any notes).

    Examples
    --------
    >>> read_labelled_pairs("tests/fixtures/resolution/labelled_pairs.csv")["same"].isin([0, 1]).all()
    np.True_
    """
    frame = pd.read_csv(path, dtype={"left_id": str, "right_id": str})
    frame["same"] = frame["same"].astype(int)
    return frame


def evaluate(merged: list[tuple[str, str]], labelled: pd.DataFrame) -> Quality:
    """Compare merges (official and inferred) with labelled pairs.

    Parameters
    ----------
    merged : list of (str, str)
        Every pair of identifiers joined (a node's ``other_ids`` and resolution's merged pairs).
    labelled : DataFrame
        From :func:`read_labelled_pairs`.

    Returns
    -------
    Quality

    Examples
    --------
    >>> labels = pd.DataFrame({"left_id": ["a", "a", "c"], "right_id": ["b", "c", "d"], "same": [1, 0, 1]})
    >>> quality = evaluate([("a", "b"), ("c", "d")], labels)
    >>> quality.precision, quality.recall
    (1.0, 1.0)
    """
    clusters = UnionFind()
    for a, b in merged:
        clusters.union(a, b)
    predicted = [clusters[a] == clusters[b] for a, b in zip(labelled["left_id"], labelled["right_id"])]
    truth = labelled["same"].astype(bool).tolist()
    tp = sum(p and t for p, t in zip(predicted, truth))
    fp = sum(p and not t for p, t in zip(predicted, truth))
    fn = sum(t and not p for p, t in zip(predicted, truth))
    tn = len(truth) - tp - fp - fn
    wrong = [p != t for p, t in zip(predicted, truth)]
    return Quality(tp, fp, fn, tn, precision=tp / (tp + fp) if tp + fp else 1.0,
                   recall=tp / (tp + fn) if tp + fn else 1.0,
                   mistakes=labelled[pd.Series(wrong, index=labelled.index, dtype=bool)])
