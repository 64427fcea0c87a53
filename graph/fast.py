"""The centrality suite computed with igraph (C), for graphs too big for networkx's pure Python.

Analysts keep networkx as their interface: :func:`graph.centrality.centrality_table` calls this
module when the organisation network is large (``backend="auto"``), or when asked. The measures
and their definitions are the same; ``benchmarks/analysis.py`` compares the two side by side.
"""

from __future__ import annotations

import math
import random

import igraph
import networkx as nx


def to_igraph(simple: nx.Graph) -> tuple[igraph.Graph, list[str]]:
    """An undirected igraph copy of a simple networkx graph, with ``links`` and ``weight`` edge
    attributes, and the node ids in igraph's vertex order.

    Examples
    --------
    >>> g = nx.Graph(); g.add_edge("a", "b", links=2, weight=10.0)
    >>> ig, ids = to_igraph(g)
    >>> ig.vcount(), ig.es["links"], ids
    (2, [2], ['a', 'b'])
    """
    ids = list(simple.nodes)
    index = {node: number for number, node in enumerate(ids)}
    edges = list(simple.edges(data=True))
    graph = igraph.Graph(n=len(ids), edges=[(index[a], index[b]) for a, b, _ in edges], directed=False)
    graph.es["links"] = [d.get("links", 1) for *_, d in edges]
    graph.es["weight"] = [float(d.get("weight", 0.0)) for *_, d in edges]
    return graph, ids


def betweenness(graph: igraph.Graph, *, sample: int | None, seed: int) -> list[float]:
    """Normalised betweenness: exact, or estimated from ``sample`` random sources (Brandes and Pich),
    scaled by ``n / sample`` so that it estimates the exact value without bias.

    Examples
    --------
    >>> star = igraph.Graph.Star(5)
    >>> [round(b, 3) for b in betweenness(star, sample=None, seed=0)][:2]
    [1.0, 0.0]
    """
    n = graph.vcount()
    if n < 3:
        return [0.0] * n
    if sample is None or sample >= n:
        raw = graph.betweenness(directed=False)
        scale = 1.0
    else:
        sources = random.Random(seed).sample(range(n), sample)
        # paths from the sampled sources to every vertex: each unordered pair is seen from one end
        raw = graph.betweenness(directed=False, sources=sources, targets=None)
        scale = n / sample
    norm = (n - 1) * (n - 2) / 2
    return [b * scale / norm for b in raw]


def eigenvector(graph: igraph.Graph) -> list[float]:
    """Eigenvector centrality within each connected component of three or more vertices, scaled by
    the component's share of vertices (as :func:`graph.centrality._eigenvector` does)."""
    scores = [0.0] * graph.vcount()
    for component in graph.connected_components():
        if len(component) < 3:
            continue
        values = graph.induced_subgraph(component).eigenvector_centrality()
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        share = len(component) / graph.vcount()
        for vertex, value in zip(component, values):
            scores[vertex] = abs(value) / norm * share
    return scores


#: Burt's constraint is left out (NaN) for organisations with more partners than this: its cost
#: grows with the square of the partners, and for such hubs it is close to 0 (at most about
#: 1/partners plus what their partners share) anyway.
CONSTRAINT_MAX_DEGREE = 250


def constraint(simple: nx.Graph, *, max_degree: int = CONSTRAINT_MAX_DEGREE) -> dict[str, float]:
    """Burt's constraint, unweighted as :func:`networkx.constraint` computes it, in O(degree^2) per node
    with set look-ups; NaN for isolates and for nodes with more than ``max_degree`` partners.

    Examples
    --------
    >>> star = nx.star_graph(3)
    >>> round(constraint(star)[0], 4), round(nx.constraint(star)[0], 4)
    (0.3333, 0.3333)
    """
    neighbours = {node: set(simple[node]) - {node} for node in simple}
    result = {}
    for node, partners in neighbours.items():
        if not partners or len(partners) > max_degree:
            result[node] = math.nan
            continue
        share = 1.0 / len(partners)
        total = 0.0
        for partner in partners:
            indirect = sum(share / len(neighbours[q]) for q in partners if q != partner and partner in neighbours[q])
            total += (share + indirect) ** 2
        result[node] = total
    return result


def measures(simple: nx.Graph, *, betweenness_sample: int | None, seed: int) -> dict[str, dict]:
    """Betweenness, PageRank, eigenvector, Burt's constraint, cut points and Louvain communities.

    Returns
    -------
    dict
        measure name -> {node id: value}; ``cut_point`` values are booleans, ``community``
        integers numbered from the largest community.
    """
    graph, ids = to_igraph(simple)
    igraph.set_random_number_generator(random.Random(seed))
    links = graph.es["links"] if graph.ecount() else None
    pagerank = graph.pagerank(weights=links, directed=False) if graph.ecount() else [1 / len(ids)] * len(ids)
    burt = constraint(simple)
    cut = set(graph.articulation_points())
    communities = sorted(graph.community_multilevel(), key=len, reverse=True)
    community_of = {vertex: number for number, members in enumerate(communities) for vertex in members}
    return {
        "betweenness": dict(zip(ids, betweenness(graph, sample=betweenness_sample, seed=seed))),
        "pagerank": dict(zip(ids, pagerank)),
        "eigenvector": dict(zip(ids, eigenvector(graph))),
        "constraint": burt,
        "cut_point": {node: v in cut for v, node in enumerate(ids)},
        "community": {node: community_of[v] for v, node in enumerate(ids)},
    }
