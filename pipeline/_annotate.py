"""Facts the build derives about nodes (where they are, what kind of body, possible register matches),
added to the graph's tables with their own provenance entry."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames


def annotate_nodes(frames: GraphFrames, rows: np.ndarray, values: dict[str, pd.Series | list], *, dataset: str,
                   records: list[str], licence: str, date: str = "") -> GraphFrames:
    """Set attributes of the nodes at ``rows`` (positions in ``frames.nodes``) and append to each one's
    provenance an entry naming ``dataset`` and its record, which lists the fields it gave.

    ``values`` maps a field to one value per row (None leaves the field as it was).

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["a", "b"], "kind": ["Charity", "Charity"]})
    >>> sources = pd.DataFrame({"node": [0, 1], "dataset": ["x", "x"], "record": ["1", "2"], "date": "",
    ...                         "licence": "", "fields": ["", ""]})
    >>> frames = GraphFrames(nodes, sources, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    >>> out = annotate_nodes(frames, np.array([1]), {"status": ["Removed"]}, dataset="d", records=["r"], licence="CC0-1.0")
    >>> out.nodes["status"].iloc[1], out.node_sources[["node", "dataset", "fields"]].values.tolist()
    ('Removed', [[0, 'x', ''], [1, 'x', ''], [1, 'd', 'status']])
    """
    if not len(rows):
        return frames
    rows = np.asarray(rows, dtype=np.int64)
    nodes = frames.nodes.copy()
    given = np.full(len(rows), "", dtype=object)
    for name, column in values.items():
        column = pd.Series(list(column), dtype=object)
        has = column.notna().to_numpy(dtype=bool)
        if name not in nodes:
            nodes[name] = pd.Series(None, index=nodes.index, dtype=object)
        cells = nodes[name].to_numpy(dtype=object).copy()
        if nodes[name].dtype != object:
            cells[~present_mask(nodes[name])] = None
        cells[rows[has]] = column.to_numpy(dtype=object)[has]
        nodes[name] = pd.Series(cells, index=nodes.index, dtype=object)
        given[has] = given[has] + (" " + name)
    keep = given != ""
    entries = pd.DataFrame({"node": rows[keep], "dataset": dataset,
                            "record": np.asarray(records, dtype=object)[keep], "date": date, "licence": licence,
                            "fields": pd.Series(given[keep], dtype=object).str.lstrip().to_numpy(dtype=object)})
    sources = pd.concat([frames.node_sources, entries], ignore_index=True)
    return replace(frames, nodes=nodes, node_sources=sources.sort_values("node", kind="stable").reset_index(drop=True))
