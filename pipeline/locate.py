"""Place organisations by postcode: a ``LOCATED_IN`` edge to the ward of each one's postcode, and
where each one is (its local authority, inside the authority or not, grid reference, LSOA)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from civicgraph.core.columns import present_mask
from civicgraph.core.provenance import PROVENANCE_FIELDS
from civicgraph.graph.assemble import edge_key
from civicgraph.graph.frames import GraphFrames
from civicgraph.loaders.base import NATIONAL_CODES
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.tabular import normalise_postcodes
from civicgraph.pipeline._annotate import annotate_nodes

#: Provenance of the postcode lookup's part in a located edge.
LOOKUP_DATASET = "postcode-lookup"
LOOKUP_LICENCE = "OGL-UK-3.0"


def locate_by_postcode(frames: GraphFrames, places: PlaceIndex, *, lookup_date: str = "") -> tuple[GraphFrames, int]:
    """Add ``LOCATED_IN`` ward edges for nodes that have a postcode in the index but no location.

    The edge's provenance names the postcode lookup first (dated ``lookup_date``), then the sources
    that gave the postcode. Its ``date`` is the day the location was observed: the earliest date of
    the sources that gave the postcode, else the lookup's date; like every relation stated on a
    day, it holds from then on (:data:`civicgraph.analysis.period.DATING_RULE`).

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    places : PlaceIndex
        With a postcode lookup; without one nothing is added.
    lookup_date : str
        ISO date of the postcode lookup (its ``date`` in the configuration).

    Returns
    -------
    frames : GraphFrames
        With the new edges after the others.
    added : int
        Edges added.

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import frames_to_graph, graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W@2017", kind="Ward", provenance=[], field_provenance={}, conflicts=[])
    >>> g.add_node("GB-CHC-1", kind="Charity", postcode="TW3 1AA", field_provenance={"postcode": [0]}, conflicts=[],
    ...            provenance=[{"dataset": "d", "record": "r", "date": "", "licence": "x"}])
    >>> places = PlaceIndex(lsoa_ward={"L@2011": "W@2017"}, postcode_lsoa={"TW3 1AA": "L@2011"})
    >>> located, added = locate_by_postcode(graph_to_frames(g), places, lookup_date="2022-05-01")
    >>> [(s, t, d["date"], [(p["dataset"], p["date"]) for p in d["provenance"]])
    ...  for s, t, d in frames_to_graph(located).edges(data=True)]
    [('GB-CHC-1', 'W@2017', '2022-05-01', [('postcode-lookup', '2022-05-01'), ('d', '')])]
    """
    nodes, edges = frames.nodes, frames.edges
    if not places.postcode_lsoa or "postcode" not in nodes or nodes.empty:
        return frames, 0
    node_index = pd.Index(nodes["id"].astype(object))
    located = np.zeros(len(nodes), dtype=bool)
    sources = node_index.get_indexer(edges.loc[(edges["relation"] == "LOCATED_IN").to_numpy(dtype=bool), "source"])
    located[sources[sources >= 0]] = True
    rows = np.flatnonzero(present_mask(nodes["postcode"]) & ~located)
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
    lookup = pd.DataFrame({"edge": numbers, "dataset": LOOKUP_DATASET, "record": records, "date": lookup_date,
                           "licence": LOOKUP_LICENCE, "part": 0})
    given = _postcode_sources(frames.node_sources, rows, numbers)
    dates = given["date"].astype(str).str[:10]
    observed = dates[dates.str.match(r"^\d{4}-\d{2}-\d{2}$")].groupby(given["edge"]).min()
    found = pd.Series(numbers).map(observed).astype(object)
    new_edges = pd.DataFrame({"key": keys, "source": ids, "target": wards, "relation": "LOCATED_IN",
                              "date": found.where(found.notna(), lookup_date or None).to_numpy(dtype=object)})
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


#: Attributes :func:`mark_places` gives each node it places.
PLACE_FIELDS = ("local_authority_code", "inside_authority", "easting", "northing", "current_ward", "lsoa")


def mark_places(frames: GraphFrames, places: PlaceIndex, authority_gss: str, *, lookup_date: str = "") -> GraphFrames:
    """Say where each node with a postcode is: its local authority, inside the authority or not,
    its grid reference, LSOA and current ward; and, for an organisation without a postcode, whether
    the buildings it occupies are inside.

    ``inside_authority`` is True or False where a postcode directory of the build knows the postcode
    (or, for an organisation, where one of its buildings is inside, or all of them are outside), and
    missing where nothing says: unknown is not outside. Each node's new provenance entry names the
    postcode lookup and the postcode (or building) it came from.

    Parameters
    ----------
    frames : GraphFrames
        The graph's tables; not changed.
    places : PlaceIndex
        With postcode directories (:class:`civicgraph.loaders.ons_geography.PostcodeLookupLoader`).
    authority_gss : str
        GSS code of the authority (a country's code marks every known postcode inside).
    lookup_date : str
        ISO date of the postcode lookup, for the provenance entries.

    Returns
    -------
    GraphFrames
        With the attributes of :data:`PLACE_FIELDS` set where known.

    Examples
    --------
    >>> import networkx as nx
    >>> from civicgraph.graph.frames import frames_to_graph, graph_to_frames
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("b1", kind="Building", postcode="W3 6LJ", provenance=[], field_provenance={}, conflicts=[])
    >>> g.add_node("o", kind="Organisation", provenance=[], field_provenance={}, conflicts=[])
    >>> _ = g.add_edge("o", "b1", relation="OCCUPIES", provenance=[])
    >>> areas = pd.DataFrame({"district": ["E09000009"], "terminated": [False], "easting": [519000.0],
    ...                       "northing": [180000.0], "ward": [None]}, index=pd.Index(["W3 6LJ"]))
    >>> marked = frames_to_graph(mark_places(graph_to_frames(g), PlaceIndex(postcode_areas=areas), "E09000018"))
    >>> marked.nodes["b1"]["inside_authority"], marked.nodes["o"]["inside_authority"]
    (False, False)
    >>> marked.nodes["o"]["provenance"][-1]["record"]
    'occupies b1 (postcode W3 6LJ)'
    """
    nodes = frames.nodes
    if places.postcode_areas is None or "postcode" not in nodes or nodes.empty:
        return frames
    national = authority_gss in NATIONAL_CODES
    postcodes = normalise_postcodes(nodes["postcode"].where(present_mask(nodes["postcode"]), "").astype(str))
    areas = places.areas_of_postcodes(postcodes)
    known = areas["district"].notna().to_numpy()
    values = {f: pd.Series(None, index=nodes.index, dtype=object) for f in PLACE_FIELDS}
    values["local_authority_code"][known] = areas["district"][known]
    values["inside_authority"][known] = [True if national else d == authority_gss for d in areas["district"][known]]
    for name in ("easting", "northing"):
        values[name] = pd.to_numeric(areas[name], errors="coerce").where(known)
    values["current_ward"][known] = areas["ward"][known].where(areas["ward"][known].notna(), None)
    lsoas = postcodes.map(places.postcode_lsoa)
    values["lsoa"] = lsoas.where(lsoas.notna(), None).astype(object)
    records = pd.Series(None, index=nodes.index, dtype=object)
    records[known] = "postcode " + postcodes[known]
    _mark_occupiers(frames, values, records)
    rows = np.flatnonzero(records.notna().to_numpy())
    fields = {name: [None if pd.isna(v) else (float(v) if name in ("easting", "northing") else v)
                     for v in column.iloc[rows].tolist()] for name, column in values.items()}
    return annotate_nodes(frames, rows, fields, dataset=LOOKUP_DATASET, records=records.iloc[rows].tolist(),
                          licence=LOOKUP_LICENCE, date=lookup_date)


def _mark_occupiers(frames: GraphFrames, values: dict[str, pd.Series], records: pd.Series) -> None:
    """An organisation with no postcode of its own is inside when a building it occupies is, and
    outside when every one of them whose place is known is outside (in place, on ``values``)."""
    nodes, edges = frames.nodes, frames.edges
    occupies = edges[(edges["relation"] == "OCCUPIES").to_numpy(dtype=bool)]
    if occupies.empty:
        return
    row_of = pd.Series(np.arange(len(nodes)), index=nodes["id"].astype(object))
    pairs = pd.DataFrame({"org": occupies["source"].map(row_of).to_numpy(),
                          "building": occupies["target"].map(row_of).to_numpy()}).dropna().astype("int64")
    inside = values["inside_authority"]
    pairs = pairs[inside.iloc[pairs["building"]].notna().to_numpy() & records.iloc[pairs["org"]].isna().to_numpy()]
    if pairs.empty:
        return
    pairs["inside"] = inside.iloc[pairs["building"]].to_numpy(dtype=bool)
    # the evidence is an inside building if there is one, else the first outside one
    pairs = pairs.sort_values(["org", "inside"], ascending=[True, False], kind="stable").drop_duplicates("org")
    orgs, buildings = pairs["org"].to_numpy(), pairs["building"].to_numpy()
    values["inside_authority"].iloc[orgs] = pairs["inside"].to_numpy(dtype=object)
    values["local_authority_code"].iloc[orgs] = values["local_authority_code"].iloc[buildings].to_numpy()
    ids = nodes["id"].astype(str).to_numpy()
    records.iloc[orgs] = [f"occupies {ids[b]} ({records.iat[b]})" for b in buildings]
