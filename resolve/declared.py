"""Declared identities a source gives that no organisation can have.

A grant file's ``companyNumber`` of ``0`` becomes ``GB-COH-00000000``; taken as declared, it would
join every recipient carrying it into one node. Before resolution, each source's ``other_ids`` are
checked (:func:`core.identifiers.identifier_problems`): placeholders and numbers of the wrong form
for their register are taken out and kept in the source's rejections, with the reason.

A publisher's own recipient identifier can be a placeholder too: the Indigo Trust gives ``DUMMY01``
to 75 recipients, 17 of them with different charity numbers. An identifier of no register whose
records declare two different numbers of one register is not one organisation: each of its records
takes its own register number as its identifier, or, without one, the identifier and its name.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.core.identifiers import identifier_problems, schemes_of, slugify
from civicgraph.loaders.base import REJECTION_COLUMNS, LoadResult

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
    >>> from civicgraph.loaders.base import RecordSink
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
    return _split_shared_ids(_without_impossible_ids(result))


def _without_impossible_ids(result: LoadResult) -> LoadResult:
    """The records without declared identifiers of :func:`core.identifiers.identifier_problems`."""
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
    return replace(result, nodes=nodes, rejections=_with(result.rejections, rejected))


def _with(rejections: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame for frame in (rejections, more) if len(frame)], ignore_index=True)


def _split_shared_ids(result: LoadResult) -> LoadResult:
    """Records whose identifier (of no register) is given to organisations with different register
    numbers, each under its own number or its identifier and name; their edges of the same record
    (provenance) follow."""
    nodes = result.nodes
    if "prov_record" not in nodes:
        return result
    ids = nodes["id"].astype(str)
    lists = nodes["other_ids"].to_numpy(dtype=object)
    rows = np.flatnonzero(schemes_of(ids).isna().to_numpy() & np.array([isinstance(v, list) for v in lists]))
    declared = pd.DataFrame({"row": np.repeat(rows, [len(lists[r]) for r in rows]),
                             "other": [str(o) for r in rows for o in lists[r]]})
    declared["id"] = ids.to_numpy()[declared["row"].to_numpy()]
    declared["scheme"] = schemes_of(declared["other"]).to_numpy(dtype=object)
    declared = declared.dropna(subset=["scheme"])
    numbers = declared.groupby(["id", "scheme"])["other"].nunique()
    shared = sorted(set(numbers[numbers > 1].index.get_level_values("id")))
    if not shared:
        return result
    chosen = ids.isin(shared).to_numpy()
    own = declared.drop_duplicates("row").set_index("row")["other"]
    names = nodes["name"].astype(object).to_numpy() if "name" in nodes else np.full(len(nodes), None)
    new_ids = ids.to_numpy(dtype=object).copy()
    for row in np.flatnonzero(chosen).tolist():
        new_ids[row] = own.get(row) or f"{ids.iloc[row]}:{slugify(str(names[row] or row))}"
    nodes = nodes.copy()
    nodes["id"] = new_ids
    nodes["other_ids"] = pd.Series([[o for o in v if o != new] or None if isinstance(v, list) else v
                                    for v, new in zip(lists, new_ids)], index=nodes.index, dtype=object)
    records = nodes["prov_record"].astype(object).to_numpy()
    renamed = {(records[r], ids.iloc[r]): new_ids[r] for r in np.flatnonzero(chosen).tolist()}
    edges = result.edges.copy()
    if len(edges) and "prov_record" in edges:
        edge_records = edges["prov_record"].astype(object).to_numpy()
        for end in ("source", "target"):
            ends = edges[end].astype(object).to_numpy()
            edges[end] = [renamed.get((record, end_id), end_id) for record, end_id in zip(edge_records, ends)]
    counts = numbers[numbers > 1].groupby(level="id").sum()
    rejected = pd.DataFrame({
        "file": result.path.name, "field": "id", "value": shared,
        "row": [f"{records[ids.to_numpy() == i][0]} and {int((ids.to_numpy() == i).sum()) - 1} more records"
                for i in shared],
        "reason": [f"one identifier for {int(chosen[ids.to_numpy() == i].sum())} records with {int(counts[i])} "
                   f"different register numbers: not taken as one organisation (each record keeps its own "
                   f"number, or the identifier and its name)" for i in shared]}, columns=REJECTION_COLUMNS)
    return replace(result, nodes=nodes, edges=edges, rejections=_with(result.rejections, rejected))
