"""Place organisations by postcode: a ``LOCATED_IN`` edge to the ward of each one's postcode."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graph.assemble import edge_key
from graph.frames import GraphFrames, present
from loaders.place_index import PlaceIndex

#: Provenance of the postcode lookup's part in a located edge.
LOOKUP_DATASET = "postcode-lookup"


def locate_by_postcode(frames: GraphFrames, places: PlaceIndex) -> tuple[GraphFrames, int]:
    """Add ``LOCATED_IN`` ward edges for nodes that have a postcode in the index but no location.

    The edge's provenance names the postcode lookup and the sources that gave the postcode.

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    places : PlaceIndex
        With a postcode lookup; without one nothing is added.

    Returns
    -------
    frames : GraphFrames
        With the new edges after the others.
    added : int
        Edges added.

    Examples
    --------
    >>> import networkx as nx
    >>> from graph.frames import frames_to_graph, graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W@2017", kind="Ward", provenance=[], field_provenance={}, conflicts=[])
    >>> g.add_node("GB-CHC-1", kind="Charity", postcode="TW3 1AA", field_provenance={"postcode": [0]}, conflicts=[],
    ...            provenance=[{"dataset": "d", "record": "r", "date": "", "licence": "x"}])
    >>> places = PlaceIndex(lsoa_ward={"L@2011": "W@2017"}, postcode_lsoa={"TW3 1AA": "L@2011"})
    >>> located, added = locate_by_postcode(graph_to_frames(g), places)
    >>> added, [(s, t, d["relation"]) for s, t, d in frames_to_graph(located).edges(data=True)]
    (1, [('GB-CHC-1', 'W@2017', 'LOCATED_IN')])
    """
    nodes, edges = frames.nodes, frames.edges
    if not places.postcode_lsoa or "postcode" not in nodes or nodes.empty:
        return frames, 0
    located = set(edges.loc[edges["relation"] == "LOCATED_IN", "source"].tolist())
    postcodes = nodes["postcode"]
    candidates = np.flatnonzero(present(postcodes) & ~nodes["id"].isin(located).to_numpy(dtype=bool))
    node_rows = pd.Series(np.arange(len(nodes)), index=nodes["id"].astype(object))
    found = []
    for row, node, postcode in zip(candidates.tolist(), nodes["id"].iloc[candidates].tolist(),
                                   postcodes.iloc[candidates].tolist()):
        ward = places.ward_of_postcode(postcode)
        if ward is not None and ward in node_rows.index:
            found.append((row, node, ward, postcode))
    if not found:
        return frames, 0
    sources = frames.node_sources
    gave_postcode = sources[sources["node"].isin([row for row, *_ in found]).to_numpy()
                            & sources["fields"].astype(object).map(lambda f: "postcode" in str(f).split()).to_numpy()]
    given_by = {row: group for row, group in gave_postcode.groupby("node", sort=False)}
    new_edges, new_sources = [], []
    for number, (row, node, ward, postcode) in enumerate(found, start=len(edges)):
        lookup = {"dataset": LOOKUP_DATASET, "record": f"postcode {postcode}", "date": "", "licence": "OGL-UK-3.0"}
        new_edges.append({"key": edge_key(node, ward, "LOCATED_IN", lookup), "source": node, "target": ward,
                          "relation": "LOCATED_IN"})
        new_sources.append({"edge": number, **lookup})
        if row in given_by:
            group = given_by[row]
            new_sources += [{"edge": number, "dataset": d, "record": r, "date": t, "licence": lic} for d, r, t, lic in
                            zip(group["dataset"], group["record"], group["date"], group["licence"])]
    edges = pd.concat([edges, pd.DataFrame(new_edges)], ignore_index=True)
    edge_sources = pd.concat([frames.edge_sources, pd.DataFrame(new_sources)], ignore_index=True)
    return replace(frames, edges=edges, edge_sources=edge_sources), len(found)
