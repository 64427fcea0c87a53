"""Declared identities a source gives that no organisation can have.

A grant file's ``companyNumber`` of ``0`` becomes ``GB-COH-00000000``; taken as declared, it would
join every recipient carrying it into one node. Before resolution, each source's ``other_ids`` are
checked (:func:`graph.identifiers.identifier_problems`): placeholders and numbers of the wrong form
for their register are taken out and kept in the source's rejections, with the reason.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graph.assemble import present_mask
from graph.identifiers import identifier_problems
from loaders.base import REJECTION_COLUMNS, LoadResult

__all__ = ["screen_declared_ids"]


def screen_declared_ids(result: LoadResult) -> LoadResult:
    """A source's records without the declared identifiers (``other_ids``) no organisation can have.

    Parameters
    ----------
    result : LoadResult
        What a loader returned; not changed.

    Returns
    -------
    LoadResult
        The same records, each impossible identifier taken out of its ``other_ids`` (a list left
        empty becomes missing) and added to ``rejections`` with field ``other_ids``, the row's
        provenance record as the row, and the reason.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.base import RecordSink
    >>> sink = RecordSink("360giving", Path("grants.json"))
    >>> prov = sink.provenance("grant 360G-x-1", "", "CC-BY-4.0")
    >>> sink.node("360G-x:org-1", "Organisation", prov, name="A", other_ids=["GB-CHC-1106260", "GB-COH-00000000"])
    >>> screened = screen_declared_ids(sink.result())
    >>> screened.nodes.loc[0, "other_ids"]
    ['GB-CHC-1106260']
    >>> screened.rejections[["row", "value", "reason"]].values.tolist()
    [['grant 360G-x-1', 'GB-COH-00000000', 'a placeholder (all zeros), not a company number; not taken as the same organisation']]
    """
    if "other_ids" not in result.nodes or result.nodes.empty:
        return result
    cells = result.nodes["other_ids"].to_numpy(dtype=object)
    rows = np.flatnonzero(present_mask(result.nodes["other_ids"]))
    rows = rows[np.fromiter((isinstance(cells[i], list) for i in rows), bool, len(rows))]
    if not len(rows):
        return result
    counts = np.array([len(cells[i]) for i in rows], dtype=np.int64)
    declared = pd.Series([str(other) for i in rows for other in cells[i]], dtype=object)
    distinct = pd.Series(declared.unique())
    problems = pd.Series(identifier_problems(distinct).to_numpy(dtype=object), index=distinct.to_numpy())
    reasons = problems.reindex(declared.to_numpy()).to_numpy(dtype=object)
    bad = pd.notna(reasons)
    if not bad.any():
        return result
    owner = np.repeat(rows, counts)
    nodes = result.nodes.copy()
    kept = pd.Series(declared.to_numpy()[~bad]).groupby(owner[~bad]).agg(list)
    new_cells = cells.copy()
    for row in np.unique(owner[bad]).tolist():
        new_cells[row] = kept.get(row, None)
    nodes["other_ids"] = pd.Series(new_cells, index=nodes.index, dtype=object)
    record = (nodes["prov_record"].astype(object).to_numpy() if "prov_record" in nodes
              else nodes.index.to_numpy())[owner[bad]]
    rejected = pd.DataFrame({
        "file": result.path.name, "row": record, "field": "other_ids", "value": declared.to_numpy()[bad],
        "reason": [f"{reason}; not taken as the same organisation" for reason in reasons[bad]]},
        columns=REJECTION_COLUMNS)
    rejections = pd.concat([frame for frame in (result.rejections, rejected) if len(frame)], ignore_index=True)
    return replace(result, nodes=nodes, rejections=rejections)
