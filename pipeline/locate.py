"""Place organisations by postcode: a ``LOCATED_IN`` edge to the ward of each one's postcode."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graph.assemble import edge_key
from graph.frames import GraphFrames, present
from graph.provenance import PROVENANCE_FIELDS
from loaders.place_index import PlaceIndex
from loaders.tabular import normalise_postcodes

#: Provenance of the postcode lookup's part in a located edge.
LOOKUP_DATASET = "postcode-lookup"
LOOKUP_LICENCE = "OGL-UK-3.0"


def locate_by_postcode(frames: GraphFrames, places: PlaceIndex) -> tuple[GraphFrames, int]:
    """Add ``LOCATED_IN`` ward edges for nodes that have a postcode in the index but no location.

    The edge's provenance names the postcode lookup first, then the sources that gave the postcode.

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
    >>> [(s, t, [p["dataset"] for p in d["provenance"]]) for s, t, d in frames_to_graph(located).edges(data=True)]
    [('GB-CHC-1', 'W@2017', ['postcode-lookup', 'd'])]
    """
    nodes, edges = frames.nodes, frames.edges
    if not places.postcode_lsoa or "postcode" not in nodes or nodes.empty:
        return frames, 0
    node_index = pd.Index(nodes["id"].astype(object))
    located = np.zeros(len(nodes), dtype=bool)
    sources = node_index.get_indexer(edges.loc[(edges["relation"] == "LOCATED_IN").to_numpy(dtype=bool), "source"])
    located[sources[sources >= 0]] = True
    rows = np.flatnonzero(present(nodes["postcode"]) & ~located)
    postcodes = nodes["postcode"].iloc[rows].astype(str)
    wards = places.wards_of_postcodes(normalise_postcodes(postcodes)).to_numpy(dtype=object)
    ward_rows = node_index.get_indexer(pd.Series(wards, dtype=object).fillna(""))
    placed = ward_rows >= 0
    rows, wards, postcodes = rows[placed], wards[placed], postcodes.to_numpy(dtype=object)[placed]
    if not len(rows):
        return frames, 0
    ids = nodes["id"].iloc[rows].astype(object).tolist()
    records = [f"postcode {p}" for p in postcodes]
    keys = [edge_key(node, ward, "LOCATED_IN", {"dataset": LOOKUP_DATASET, "record": record})
            for node, ward, record in zip(ids, wards.tolist(), records)]
    numbers = np.arange(len(edges), len(edges) + len(rows))
    new_edges = pd.DataFrame({"key": keys, "source": ids, "target": wards, "relation": "LOCATED_IN"})
    lookup = pd.DataFrame({"edge": numbers, "dataset": LOOKUP_DATASET, "record": records, "date": "",
                           "licence": LOOKUP_LICENCE, "part": 0})
    given = _postcode_sources(frames.node_sources, rows, numbers)
    new_sources = pd.concat([lookup, given], ignore_index=True).sort_values(["edge", "part"], kind="stable")
    return replace(frames, edges=pd.concat([edges, new_edges], ignore_index=True),
                   edge_sources=pd.concat([frames.edge_sources, new_sources.drop(columns="part")],
                                          ignore_index=True)), len(rows)


def _postcode_sources(node_sources: pd.DataFrame, rows: np.ndarray, numbers: np.ndarray) -> pd.DataFrame:
    """The provenance entries that gave the postcode of each node in ``rows``, as sources of the new
    edge of that node (``numbers``), in the node's order."""
    fields = node_sources["fields"].astype("category")
    gave = fields.cat.categories.map(lambda f: "postcode" in str(f).split()).to_numpy(dtype=bool)
    chosen = gave[fields.cat.codes.to_numpy()] & (fields.cat.codes.to_numpy() >= 0)
    edge_of_node = pd.Series(numbers, index=rows)
    wanted = node_sources[chosen & node_sources["node"].isin(rows).to_numpy(dtype=bool)]
    return pd.DataFrame({"edge": edge_of_node.reindex(wanted["node"]).to_numpy(),
                         **{f: wanted[f].to_numpy(dtype=object) for f in PROVENANCE_FIELDS}, "part": 1})
