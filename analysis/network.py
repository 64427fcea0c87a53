"""Views of the ecosystem graph that the analysis functions share: sectors, places, names.

Nothing here changes the graph; every function takes the built ``MultiDiGraph`` and returns plain
data.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.graph.tables import cached, edge_table, node_table
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


def is_organisation(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether a node is an organisation of any kind (council bodies and funders included)."""
    return vocabulary().is_a(graph.nodes[node]["kind"], "Organisation")


def organisations(graph: nx.MultiDiGraph, sectors: Iterable[str] | None = None) -> list[str]:
    """Organisation nodes, optionally only those of some sectors.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("b", kind="Funder"); g.add_node("w", kind="Ward")
    >>> organisations(g), organisations(g, ["funder"])
    (['a', 'b'], ['b'])
    """
    wanted = set(sectors) if sectors is not None else None
    return [n for n in graph if is_organisation(graph, n)
            and (wanted is None or sector(graph.nodes[n]["kind"]) in wanted)]


def name(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's name, or its id when it has none."""
    return str(graph.nodes[node].get("name") or node)


def names_of(graph: nx.MultiDiGraph, ids: pd.Series) -> np.ndarray:
    """Each node's name, or its id when it has none, for a column of ids (from the node table).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A"); g.add_node("b", kind="Charity")
    >>> names_of(g, pd.Series(["b", "a"])).tolist()
    ['b', 'A']
    """
    found = ids.map(node_table(graph)["name"])
    return found.where(found.notna() & (found != ""), ids).astype(str).to_numpy(dtype=object)


def is_large_or_national(data: dict) -> bool:
    """Whether an organisation is large (income 1m GBP or more) or works nationally.

    Examples
    --------
    >>> is_large_or_national({"income_band": "major"}), is_large_or_national({"scale": "local"})
    (True, False)
    """
    return data.get("income_band") in LARGE_BANDS or data.get("scale") == "national"


def ward_of(graph: nx.MultiDiGraph, node: str) -> str | None:
    """The ward a node is in: through ``LOCATED_IN`` to a ward or an LSOA of one, or through a
    building it occupies.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward"); g.add_node("L", kind="LSOA"); g.add_node("o", kind="Charity")
    >>> _ = g.add_edge("L", "W", relation="PART_OF"); _ = g.add_edge("o", "L", relation="LOCATED_IN")
    >>> ward_of(g, "o")
    'W'
    """
    def via_place(start: str) -> str | None:
        for _, place, data in graph.out_edges(start, data=True):
            if data["relation"] != "LOCATED_IN":
                continue
            kind = graph.nodes[place]["kind"]
            if kind == "Ward":
                return place
            if kind == "LSOA":
                for _, ward, part in graph.out_edges(place, data=True):
                    if part["relation"] == "PART_OF" and graph.nodes[ward]["kind"] == "Ward":
                        return ward
        return None

    found = via_place(node)
    if found:
        return found
    for _, building, data in graph.out_edges(node, data=True):
        if data["relation"] == "OCCUPIES" and (found := via_place(building)):
            return found
    return None


def ward_index(graph: nx.MultiDiGraph) -> dict[str, str]:
    """The ward of every node that has one (as :func:`ward_of` finds it), in one pass over the edges.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward"); g.add_node("L", kind="LSOA"); g.add_node("o", kind="Charity")
    >>> _ = g.add_edge("L", "W", relation="PART_OF"); _ = g.add_edge("o", "L", relation="LOCATED_IN")
    >>> ward_index(g)
    {'W': 'W', 'L': 'W', 'o': 'W'}
    """
    cache = cached(graph)
    if "ward_index" not in cache:
        nodes, edges = node_table(graph), edge_table(graph)
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


def neighbours(graph: nx.MultiDiGraph, node: str, relations: Iterable[str] | None = None) -> set[str]:
    """Nodes joined to ``node`` in either direction by the given relations (all if None)."""
    wanted = set(relations) if relations is not None else None
    found = {t for _, t, d in graph.out_edges(node, data=True) if wanted is None or d["relation"] in wanted}
    found |= {s for s, _, d in graph.in_edges(node, data=True) if wanted is None or d["relation"] in wanted}
    return found - {node}


@cache
def _relation_names(code: int) -> str:
    return ", ".join(sorted(r for r, bit in _RELATION_BIT.items() if code & bit))


def organisation_nodes(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The organisations (council bodies and funders included) as a table: ``id``, ``kind``, ``sector``, ``name``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", name="A"); g.add_node("w", kind="Ward")
    >>> organisation_nodes(g).values.tolist()
    [['a', 'Charity', 'vcse', 'A']]
    """
    cache = cached(graph)
    if "organisation_nodes" not in cache:
        nodes = node_table(graph)
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


def organisation_edges(graph: nx.MultiDiGraph) -> pd.DataFrame:
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
    cache = cached(graph)
    if "organisation_edges" not in cache:
        chosen, source, target = organisation_relation_ends(graph)
        node_ids = organisation_nodes(graph)["id"].to_numpy()
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


def organisation_relation_ends(graph: nx.MultiDiGraph) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The edges between two different organisations (rows of :func:`graph.tables.edge_table`), with
    their source and target as positions in :func:`organisation_nodes`; made once per graph.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("f", kind="Funder"); g.add_node("a", kind="Charity"); g.add_node("w", kind="Ward")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY"); _ = g.add_edge("a", "w", relation="LOCATED_IN")
    >>> chosen, source, target = organisation_relation_ends(g)
    >>> len(chosen), source.tolist(), target.tolist()
    (1, [1], [0])
    """
    cache = cached(graph)
    if "organisation_relation_ends" not in cache:
        edges = edge_table(graph)
        chosen = edges[edges["relation"].isin(ORGANISATION_RELATIONS)]
        position = pd.Index(organisation_nodes(graph)["id"])
        source, target = position.get_indexer(chosen["source"]), position.get_indexer(chosen["target"])
        keep = (source >= 0) & (target >= 0) & (source != target)
        cache["organisation_relation_ends"] = chosen[keep], source[keep].astype(np.int64), target[keep].astype(np.int64)
    return cache["organisation_relation_ends"]


def organisation_positions(graph: nx.MultiDiGraph) -> np.ndarray:
    """The two ends of each row of :func:`organisation_edges` as positions in :func:`organisation_nodes`.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("f", kind="Funder"); g.add_node("a", kind="Charity")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY")
    >>> organisation_positions(g).tolist()
    [[1, 0]]
    """
    organisation_edges(graph)
    return cached(graph)["organisation_positions"]


def organisation_network(graph: nx.MultiDiGraph) -> nx.Graph:
    """The organisations and the relations between them, as a simple undirected weighted graph.

    Parallel edges are combined: ``weight`` is the sum of their amounts (GBP), ``links`` their
    number, ``relations`` the set of relation types. Service, place and concept nodes are left out.
    Built from :func:`organisation_nodes` and :func:`organisation_edges`; large graphs are better
    analysed from those tables (:mod:`analysis.fast` does).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=100.0)
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=50.0)
    >>> organisation_network(g).edges["a", "f"]["weight"]
    150.0
    """
    simple = nx.Graph()
    nodes = organisation_nodes(graph)
    simple.add_nodes_from((n, {"kind": k, "sector": s, "name": m})
                          for n, k, s, m in nodes[["id", "kind", "sector", "name"]].itertuples(index=False))
    edges = organisation_edges(graph)
    simple.add_edges_from((a, b, {"weight": w, "links": n, "relations": set(r.split(", "))})
                          for a, b, w, n, r in edges[["a", "b", "weight", "links", "relations"]].itertuples(index=False))
    return simple
