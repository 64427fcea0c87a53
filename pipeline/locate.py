"""Place organisations by postcode: a ``LOCATED_IN`` edge to the ward of each one's postcode."""

from __future__ import annotations

import networkx as nx

from graph.assemble import edge_key
from loaders.place_index import PlaceIndex


def locate_by_postcode(graph: nx.MultiDiGraph, places: PlaceIndex) -> int:
    """Add ``LOCATED_IN`` ward edges for nodes that have a postcode in the index but no location.

    The edge's provenance names the postcode lookup and the source that gave the postcode.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Changed in place.
    places : PlaceIndex
        With a postcode lookup; without one nothing is added.

    Returns
    -------
    int
        Edges added.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W@2017", kind="Ward")
    >>> g.add_node("GB-CHC-1", kind="Charity", postcode="TW3 1AA", field_provenance={"postcode": [0]},
    ...            provenance=[{"dataset": "d", "record": "r", "date": "", "licence": "x"}])
    >>> locate_by_postcode(g, PlaceIndex(lsoa_ward={"L@2011": "W@2017"}, postcode_lsoa={"TW3 1AA": "L@2011"}))
    1
    """
    if not places.postcode_lsoa:
        return 0
    added = 0
    for node, data in list(graph.nodes(data=True)):
        postcode = data.get("postcode")
        if not postcode or any(d.get("relation") == "LOCATED_IN" for _, _, d in graph.out_edges(node, data=True)):
            continue
        ward = places.ward_of_postcode(postcode)
        if ward is None or ward not in graph:
            continue
        given_by = [data["provenance"][i] for i in data.get("field_provenance", {}).get("postcode", [])]
        provenance = [{"dataset": "postcode-lookup", "record": f"postcode {postcode}", "date": "",
                       "licence": "OGL-UK-3.0"}, *given_by]
        graph.add_edge(node, ward, key=edge_key(node, ward, "LOCATED_IN", provenance[0]),
                       relation="LOCATED_IN", provenance=provenance)
        added += 1
    return added
