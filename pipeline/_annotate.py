"""Facts the build derives about nodes (where they are, what kind of body, possible register matches),
added to the graph's tables with their own provenance entry."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graph.frames import GraphFrames


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
    nodes = frames.nodes.copy()
    given = [[] for _ in rows]
    for name, column in values.items():
        column = list(column)
        if name not in nodes:
            nodes[name] = pd.Series(None, index=nodes.index, dtype=object)
        elif nodes[name].dtype != object:
            nodes[name] = nodes[name].astype(object).where(nodes[name].notna(), None)
        cells = nodes[name].to_numpy(dtype=object).copy()
        for i, (row, value) in enumerate(zip(rows, column)):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            cells[row] = value
            given[i].append(name)
        nodes[name] = pd.Series(cells, index=nodes.index, dtype=object)
    keep = [i for i, fields in enumerate(given) if fields]
    entries = pd.DataFrame({"node": np.asarray(rows)[keep], "dataset": dataset,
                            "record": [records[i] for i in keep], "date": date, "licence": licence,
                            "fields": [" ".join(given[i]) for i in keep]})
    sources = pd.concat([frames.node_sources, entries], ignore_index=True)
    return replace(frames, nodes=nodes, node_sources=sources.sort_values("node", kind="stable").reset_index(drop=True))
