"""Views of the ecosystem graph that the analysis functions share: sectors, places, names.

Nothing here changes the graph; every function takes the built ``MultiDiGraph`` and returns plain
data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from ontology.vocabulary import vocabulary

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
    kind = nx.get_node_attributes(graph, "kind")
    wards = {n: n for n, k in kind.items() if k == "Ward"}
    lsoa_ward = {s: t for s, t, r in graph.edges(data="relation")
                 if r == "PART_OF" and kind.get(s) == "LSOA" and kind.get(t) == "Ward"}
    index = {**wards, **lsoa_ward}
    located: dict[str, str] = {}
    occupies: list[tuple[str, str]] = []
    for source, target, relation in graph.edges(data="relation"):
        if relation == "LOCATED_IN" and source not in located and target in index:
            located[source] = index[target]
        elif relation == "OCCUPIES":
            occupies.append((source, target))
    for source, building in occupies:
        if source not in located and building in located:
            located[source] = located[building]
    return {**index, **located}


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


def organisation_network(graph: nx.MultiDiGraph, *, weight: str = "amount") -> nx.Graph:
    """The organisations and the relations between them, as a simple undirected weighted graph.

    Parallel edges are combined: ``weight`` is the sum of their amounts (GBP), ``links`` their
    number, ``relations`` the set of relation types. Service, place and concept nodes are left out.

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
    for node in organisations(graph):
        data = graph.nodes[node]
        simple.add_node(node, kind=data["kind"], sector=sector(data["kind"]), name=data.get("name"))
    wanted = set(ORGANISATION_RELATIONS)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    links: dict[tuple[str, str], int] = defaultdict(int)
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, target, data in graph.edges(data=True):
        relation = data["relation"]
        if relation in wanted and source != target and source in simple and target in simple:
            # combine parallel relations in plain dictionaries: networkx edge views are slow to update
            pair = (source, target) if source < target else (target, source)
            weights[pair] += float(data.get(weight) or 0.0)
            links[pair] += 1
            relations[pair].add(relation)
    simple.add_edges_from((a, b, {"weight": weights[(a, b)], "links": links[(a, b)], "relations": relations[(a, b)]})
                          for a, b in weights)
    return simple
