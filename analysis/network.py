"""Views of the ecosystem graph that the analysis functions share: sectors, places, names, and the
organisation network.

Nothing here changes the graph. Every function takes the graph's tables or a networkx graph
(:data:`~civicgraph.graph.frames.GraphLike`) and returns plain data; the organisation tables are made
once per set of tables and kept with them (:func:`~civicgraph.graph.frames.derived`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, derived
from civicgraph.graph.tables import edge_table, node_table
from civicgraph.ontology.vocabulary import vocabulary

#: Sector of each node kind, for brokerage across sectors and for "links into council and funders".
SECTOR_ROOTS = (
    ("council", ("Council", "Directorate", "Team")),
    ("funder", ("Funder",)),
    ("nhs", ("NHSBody",)),
    ("business", ("Business", "Company")),
    ("partnership", ("Partnership",)),
    ("vcse", ("Organisation",)),
)
#: Relations between organisations (what the organisation network is made of).
ORGANISATION_RELATIONS = ("FUNDED_BY", "COMMISSIONED_BY", "PAID_BY", "MEMBER_OF", "PARTNERS_WITH", "CO_PRODUCES_WITH",
                          "SUPPORTS", "PART_OF", "CHAMPION_FOR", "SUCCEEDS")
_RELATION_BIT = {relation: 1 << number for number, relation in enumerate(ORGANISATION_RELATIONS)}
#: Large and national: income band at or above "large", or national scale.
LARGE_BANDS = frozenset({"large", "major", "super-major"})


def sector(kind: str) -> str:
    """The sector of a node kind: council, funder, nhs, business, partnership, vcse, or other.

    Examples
    --------
    >>> sector("Directorate"), sector("CharitableIncorporatedOrganisation"), sector("Ward")
    ('council', 'vcse', 'other')
    """
    vocab = vocabulary()
    for name, roots in SECTOR_ROOTS:
        if any(vocab.is_a(kind, root) for root in roots):
            return name
    return "other"


def is_organisation(graph: GraphLike, node: str) -> bool:
    """Whether a node is an organisation of any kind (council bodies and funders included).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity"); g.add_node("w", kind="Ward")
    >>> frames = as_frames(g)
    >>> is_organisation(frames, "a"), is_organisation(frames, "w"), is_organisation(g, "a")
    (True, False, True)
    """
    return vocabulary().is_a(_node_value(graph, node, "kind"), "Organisation")


def _node_value(graph: GraphLike, node: str, column: str) -> object:
    """One value of one node (None where it has none). A networkx graph is read as it is: these
    lookups are made one node at a time, and its tables would be made anew on each."""
    if isinstance(graph, GraphFrames):
        return _nodes(graph).at[node, column]
    return graph.nodes[node].get(column)


def _nodes(frames: GraphFrames) -> pd.DataFrame:
    """The node table (:func:`graph.tables.node_table`), made once, for lookups node by node."""
    cache = derived(frames)
    if "network.nodes" not in cache:
        cache["network.nodes"] = node_table(frames)
    return cache["network.nodes"]


def organisations(graph: GraphLike, sectors: Iterable[str] | None = None) -> list[str]:
    """Organisation nodes, optionally only those of some sectors.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("b", kind="Funder"); g.add_node("w", kind="Ward")
    >>> organisations(g), organisations(g, ["funder"])
    (['a', 'b'], ['b'])
    """
    nodes = organisation_nodes(graph)
    if sectors is not None:
        nodes = nodes[nodes["sector"].isin(set(sectors)).to_numpy()]
    return nodes["id"].tolist()


def name(graph: GraphLike, node: str) -> str:
    """A node's name, or its id when it has none.

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A"); g.add_node("b", kind="Charity")
    >>> name(g, "a"), name(as_frames(g), "b")
    ('A', 'b')
    """
    return str(_node_value(graph, node, "name") or node)


def names_of(graph: GraphLike, ids: pd.Series) -> np.ndarray:
    """Each node's name, or its id when it has none, for a column of ids (from the node table).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A"); g.add_node("b", kind="Charity")
    >>> names_of(g, pd.Series(["b", "a"])).tolist()
    ['b', 'A']
    """
    frames = as_frames(graph)
    found = ids.map(_nodes(frames)["name"])
    return found.where(found.notna() & (found != ""), ids).astype(str).to_numpy(dtype=object)


def names_by_id(graph: GraphLike, ids: Iterable[str]) -> dict[str, str]:
    """Each node's name, or its id when it has none (:func:`names_of`), by id.

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A"); g.add_node("b", kind="Charity")
    >>> names_by_id(g, ["a", "b", "a"])
    {'a': 'A', 'b': 'b'}
    """
    chosen = list(dict.fromkeys(ids))
    return dict(zip(chosen, names_of(graph, pd.Series(chosen, dtype=object)).tolist()))


def is_large_or_national(data: dict) -> bool:
    """Whether an organisation is large (income 1m GBP or more) or works nationally.

    Examples
    --------
    >>> is_large_or_national({"income_band": "major"}), is_large_or_national({"scale": "local"})
    (True, False)
    """
    return data.get("income_band") in LARGE_BANDS or data.get("scale") == "national"


def ward_of(graph: GraphLike, node: str) -> str | None:
    """The ward a node is in: through ``LOCATED_IN`` to a ward or an LSOA of one, or through a
    building it occupies.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward"); g.add_node("L", kind="LSOA"); g.add_node("o", kind="Charity")
    >>> _ = g.add_edge("L", "W", relation="PART_OF"); _ = g.add_edge("o", "L", relation="LOCATED_IN")
    >>> ward_of(g, "o"), ward_of(as_frames(g), "o")
    ('W', 'W')
    """
    def via_place(start: str) -> str | None:
        for place, relation in _incident(graph, start, "out"):
            if relation != "LOCATED_IN":
                continue
            kind = _node_value(graph, place, "kind")
            if kind == "Ward":
                return place
            if kind == "LSOA":
                for ward, part in _incident(graph, place, "out"):
                    if part == "PART_OF" and _node_value(graph, ward, "kind") == "Ward":
                        return ward
        return None

    found = via_place(node)
    if found:
        return found
    for building, relation in _incident(graph, node, "out"):
        if relation == "OCCUPIES" and (found := via_place(building)):
            return found
    return None


def _incident(graph: GraphLike, node: str, direction: str) -> list[tuple[str, str]]:
    """The other end and the relation of each edge out of (``"out"``) or into (``"in"``) ``node``,
    in the order of the edge table (a networkx graph is read as it is, see :func:`_node_value`)."""
    if not isinstance(graph, GraphFrames):
        if direction == "out":
            return [(target, relation) for _, target, relation in graph.out_edges(node, data="relation")]
        return [(source, relation) for source, _, relation in graph.in_edges(node, data="relation")]
    cache = derived(graph)
    if "network.incident" not in cache:
        edges = edge_table(graph)
        rows = pd.Series(np.arange(len(edges)))
        cache["network.incident"] = (rows.groupby(edges["source"].to_numpy()).indices,
                                     rows.groupby(edges["target"].to_numpy()).indices,
                                     edges["source"].to_numpy(dtype=object), edges["target"].to_numpy(dtype=object),
                                     edges["relation"].astype(object).to_numpy())
    out, into, sources, targets, relations = cache["network.incident"]
    rows = (out if direction == "out" else into).get(node, [])
    others = targets if direction == "out" else sources
    return [(others[row], relations[row]) for row in rows]


def ward_index(graph: GraphLike) -> dict[str, str]:
    """The ward of every node that has one (as :func:`ward_of` finds it), in one pass over the edges.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward"); g.add_node("L", kind="LSOA"); g.add_node("o", kind="Charity")
    >>> _ = g.add_edge("L", "W", relation="PART_OF"); _ = g.add_edge("o", "L", relation="LOCATED_IN")
    >>> ward_index(g)
    {'W': 'W', 'L': 'W', 'o': 'W'}
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "ward_index" not in cache:
        nodes, edges = node_table(frames), edge_table(frames)
        kind = nodes["kind"].astype(str)
        wards = nodes.loc[(kind == "Ward").to_numpy(), "id"]
        index = pd.Series(wards.to_numpy(), index=wards.to_numpy(), dtype=object)
        part_of = edges[(edges["relation"] == "PART_OF") & edges["target"].isin(index.index)]
        lsoas = part_of[part_of["source"].map(kind).eq("LSOA")].drop_duplicates("source")
        index = pd.concat([index, pd.Series(lsoas["target"].to_numpy(), index=lsoas["source"].to_numpy())])
        index = index[~index.index.duplicated()]
        located = edges[(edges["relation"] == "LOCATED_IN") & edges["target"].isin(index.index)]
        located = located[~located["source"].isin(index.index)].drop_duplicates("source")
        found = pd.Series(located["target"].map(index).to_numpy(), index=located["source"].to_numpy())
        occupies = edges[(edges["relation"] == "OCCUPIES") & edges["target"].isin(found.index)
                         & ~edges["source"].isin(found.index) & ~edges["source"].isin(index.index)]
        occupies = occupies.drop_duplicates("source")
        found = pd.concat([found, pd.Series(occupies["target"].map(found).to_numpy(),
                                            index=occupies["source"].to_numpy())])
        cache["ward_index"] = {**index.to_dict(), **found.to_dict()}
    return dict(cache["ward_index"])


def datasets(data: dict) -> list[str]:
    """The source datasets (loader names) behind a node or edge, in order.

    Examples
    --------
    >>> datasets({"provenance": [{"dataset": "workbook:x"}, {"dataset": "360giving:y.json"}]})
    ['workbook', '360giving']
    """
    return list(dict.fromkeys(p.get("dataset", "").split(":")[0] for p in data.get("provenance", [])))


def neighbours(graph: GraphLike, node: str, relations: Iterable[str] | None = None) -> set[str]:
    """Nodes joined to ``node`` in either direction by the given relations (all if None).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("o", "L", relation="LOCATED_IN"); _ = g.add_edge("f", "o", relation="FUNDED_BY")
    >>> sorted(neighbours(g, "o")), sorted(neighbours(as_frames(g), "o", ["LOCATED_IN"]))
    (['L', 'f'], ['L'])
    """
    wanted = set(relations) if relations is not None else None
    found = {other for direction in ("out", "in") for other, relation in _incident(graph, node, direction)
             if wanted is None or relation in wanted}
    return found - {node}


@cache
def _relation_names(code: int) -> str:
    return ", ".join(sorted(r for r, bit in _RELATION_BIT.items() if code & bit))


def organisation_nodes(graph: GraphLike) -> pd.DataFrame:
    """The organisations (council bodies and funders included) as a table: ``id``, ``kind``, ``sector``, ``name``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A"); g.add_node("w", kind="Ward")
    >>> organisation_nodes(g).values.tolist()
    [['a', 'Charity', 'vcse', 'A']]
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "organisation_nodes" not in cache:
        nodes = node_table(frames)
        vocab = vocabulary()
        kinds = nodes["kind"].astype(str)
        is_org = kinds.map({k: vocab.is_a(k, "Organisation") for k in kinds.unique()}).astype(bool)
        chosen = nodes[is_org.to_numpy()]
        names = chosen["name"].where(chosen["name"].notna() & (chosen["name"] != ""), chosen["id"]).astype(str)
        cache["organisation_nodes"] = pd.DataFrame({
            "id": chosen["id"].to_numpy(), "kind": chosen["kind"].astype(str).to_numpy(),
            "sector": kinds[is_org.to_numpy()].map({k: sector(k) for k in kinds.unique()}).to_numpy(),
            "name": names.to_numpy()})
    return cache["organisation_nodes"]


def organisation_edges(graph: GraphLike) -> pd.DataFrame:
    """The relations between organisations, parallel ones combined, as a table.

    Returns
    -------
    DataFrame
        ``a``, ``b`` (the two organisations, ``a < b``), ``weight`` (sum of amounts, GBP),
        ``links`` (number of relations), ``relations`` (their types, comma-separated, sorted).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=100.0)
    >>> _ = g.add_edge("f", "a", relation="PARTNERS_WITH")
    >>> organisation_edges(g).values.tolist()
    [['a', 'f', 100.0, 2, 'FUNDED_BY, PARTNERS_WITH']]
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "organisation_edges" not in cache:
        chosen, source, target = organisation_relation_ends(frames)
        node_ids = organisation_nodes(frames)["id"].to_numpy()
        in_order = np.argsort(node_ids, kind="stable")
        rank = np.empty(len(node_ids), dtype=np.int64)
        rank[in_order] = np.arange(len(node_ids))
        ids = pd.Index(node_ids[in_order])  # sorted: code order is id order
        low, high = np.minimum(rank[source], rank[target]), np.maximum(rank[source], rank[target])
        frame = pd.DataFrame({"pair": low * len(ids) + high, "weight": chosen["amount"].to_numpy(),
                              "code": chosen["relation"].astype(str).map(_RELATION_BIT).to_numpy()})
        frame["weight"] = frame["weight"].fillna(0.0).astype(float)
        combined = frame.groupby("pair", sort=True).agg(weight=("weight", "sum"), links=("weight", "size"))
        # relation types are bits: the sum of a pair's distinct bits is the set of its types
        codes = frame.drop_duplicates(["pair", "code"]).groupby("pair", sort=True)["code"].sum()
        pair = combined.index.to_numpy()
        low, high = pair // len(ids), pair % len(ids)
        cache["organisation_edges"] = pd.DataFrame({
            "a": ids[low], "b": ids[high], "weight": combined["weight"].to_numpy(),
            "links": combined["links"].to_numpy(), "relations": codes.map(_relation_names).to_numpy()})
        cache["organisation_positions"] = np.column_stack([in_order[low], in_order[high]])
    return cache["organisation_edges"]


def organisation_relation_ends(graph: GraphLike) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The edges between two different organisations (rows of :func:`graph.tables.edge_table`), with
    their source and target as positions in :func:`organisation_nodes`; made once per set of tables.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("f", kind="Funder"); g.add_node("a", kind="Charity"); g.add_node("w", kind="Ward")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY"); _ = g.add_edge("a", "w", relation="LOCATED_IN")
    >>> chosen, source, target = organisation_relation_ends(g)
    >>> len(chosen), source.tolist(), target.tolist()
    (1, [1], [0])
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "organisation_relation_ends" not in cache:
        edges = edge_table(frames)
        chosen = edges[edges["relation"].isin(ORGANISATION_RELATIONS)]
        position = pd.Index(organisation_nodes(frames)["id"])
        source, target = position.get_indexer(chosen["source"]), position.get_indexer(chosen["target"])
        keep = (source >= 0) & (target >= 0) & (source != target)
        cache["organisation_relation_ends"] = chosen[keep], source[keep].astype(np.int64), target[keep].astype(np.int64)
    return cache["organisation_relation_ends"]


def organisation_positions(graph: GraphLike) -> np.ndarray:
    """The two ends of each row of :func:`organisation_edges` as positions in :func:`organisation_nodes`.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("f", kind="Funder"); g.add_node("a", kind="Charity")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY")
    >>> organisation_positions(g).tolist()
    [[1, 0]]
    """
    frames = as_frames(graph)
    organisation_edges(frames)
    return derived(frames)["organisation_positions"]


def organisation_network(graph: GraphLike) -> nx.Graph:
    """The organisations and the relations between them, as a simple undirected weighted graph.

    Parallel edges are combined: ``weight`` is the sum of their amounts (GBP), ``links`` their
    number, ``relations`` the set of relation types. Service, place and concept nodes are left out.
    Built from :func:`organisation_nodes` and :func:`organisation_edges` (not from a networkx form of
    the whole graph), for the networkx algorithms; large graphs are better analysed from those
    tables (:mod:`analysis.fast` does).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=100.0)
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=50.0)
    >>> organisation_network(g).edges["a", "f"]["weight"]
    150.0
    """
    frames = as_frames(graph)
    simple = nx.Graph()
    nodes = organisation_nodes(frames)
    simple.add_nodes_from((n, {"kind": k, "sector": s, "name": m})
                          for n, k, s, m in nodes[["id", "kind", "sector", "name"]].itertuples(index=False))
    edges = organisation_edges(frames)
    simple.add_edges_from((a, b, {"weight": w, "links": n, "relations": set(r.split(", "))})
                          for a, b, w, n, r in edges[["a", "b", "weight", "links", "relations"]].itertuples(index=False))
    return simple
