"""The centrality suite computed with igraph (C), for graphs too big for networkx's pure Python.

Analysts keep networkx as their interface: :func:`graph.centrality.centrality_table` calls this
module when the organisation network is large (``backend="auto"``), or when asked. The measures
and their definitions are the same; ``benchmarks/analysis.py`` compares the two side by side.
"""

from __future__ import annotations

import math
import multiprocessing
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import igraph
import networkx as nx
import numpy as np
import pandas as pd

from graph.network import organisation_edges, organisation_nodes


def organisation_igraph(graph: nx.MultiDiGraph) -> tuple[igraph.Graph, list[str]]:
    """The organisation network (:func:`graph.network.organisation_edges`) as an undirected igraph
    graph, with ``links`` and ``weight`` edge attributes, built from the tables without networkx.

    Returns
    -------
    graph : igraph.Graph
    ids : list of str
        Node ids in igraph's vertex order (the order of :func:`graph.network.organisation_nodes`).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder"); g.add_node("w", kind="Ward")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=10.0)
    >>> fast, ids = organisation_igraph(g)
    >>> ids, fast.es["weight"]
    (['a', 'f'], [10.0])
    """
    ids = organisation_nodes(graph)["id"].tolist()
    edges = organisation_edges(graph)
    position = pd.Index(ids)
    pairs = np.column_stack([position.get_indexer(edges["a"]), position.get_indexer(edges["b"])])
    fast = igraph.Graph(n=len(ids), edges=pairs, directed=False)
    fast.es["links"] = edges["links"].tolist()
    fast.es["weight"] = edges["weight"].astype(float).tolist()
    return fast, ids


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


def constraint(graph: igraph.Graph, *, max_degree: int = CONSTRAINT_MAX_DEGREE) -> list[float]:
    """Burt's constraint, unweighted as :func:`networkx.constraint` computes it, in O(degree^2) per
    vertex with set look-ups; NaN for isolates and for vertices with more than ``max_degree`` partners.

    Examples
    --------
    >>> star = nx.star_graph(3)
    >>> round(constraint(igraph.Graph.from_networkx(star))[0], 4), round(nx.constraint(star)[0], 4)
    (0.3333, 0.3333)
    """
    neighbours = [set(partners) - {vertex} for vertex, partners in enumerate(graph.get_adjlist())]
    inverse_degree = [1.0 / len(partners) if partners else 0.0 for partners in neighbours]
    result = []
    for partners in neighbours:
        if not partners or len(partners) > max_degree:
            result.append(math.nan)
            continue
        share = 1.0 / len(partners)
        total = 0.0
        for partner in partners:
            # the partners of this node that are also the partner's: each passes on 1/its degree
            shared = partners & neighbours[partner] if len(partners) <= len(neighbours[partner]) else \
                neighbours[partner] & partners
            indirect = share * sum(inverse_degree[q] for q in shared)
            total += (share + indirect) ** 2
        result.append(total)
    return result


#: Above this many edges betweenness runs in a second process beside the other measures.
PARALLEL_ABOVE_EDGES = 200_000


def _beside(graph: igraph.Graph, *, sample: int | None, seed: int) -> Callable[[], list[float]]:
    """Start betweenness (the slowest measure) in a forked process on large graphs, while the caller
    computes the rest; return a getter."""
    if graph.ecount() <= PARALLEL_ABOVE_EDGES or "fork" not in multiprocessing.get_all_start_methods():
        values = betweenness(graph, sample=sample, seed=seed)
        return lambda: values
    _SHARED["graph"] = graph  # the forked child reads it from its copy of this module: nothing is pickled
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_of_shared, sample, seed)
    _SHARED["graph"] = None

    def result() -> list[float]:
        try:
            return future.result()
        finally:
            pool.shutdown()
    return result


_SHARED: dict[str, igraph.Graph | None] = {}


def _of_shared(sample: int | None, seed: int) -> list[float]:
    return betweenness(_SHARED["graph"], sample=sample, seed=seed)


def measures(graph: igraph.Graph, ids: list[str], *, betweenness_sample: int | None, seed: int) -> dict[str, list]:
    """Betweenness, PageRank, eigenvector, Burt's constraint, cut points and Louvain communities.

    On large graphs betweenness runs in a second process meanwhile (:data:`PARALLEL_ABOVE_EDGES`).

    Returns
    -------
    dict
        measure name -> values in the order of ``ids``; ``cut_point`` values are booleans,
        ``community`` integers numbered from the largest community.

    Examples
    --------
    >>> found = measures(igraph.Graph.Star(4), ["hub", "a", "b", "c"], betweenness_sample=None, seed=0)
    >>> found["betweenness"][0], found["cut_point"]
    (1.0, [True, False, False, False])
    """
    igraph.set_random_number_generator(random.Random(seed))
    slowest = _beside(graph, sample=betweenness_sample, seed=seed)
    community = [0] * graph.vcount()
    for number, members in enumerate(sorted(graph.community_multilevel(), key=len, reverse=True)):
        for vertex in members:
            community[vertex] = number
    links = graph.es["links"] if graph.ecount() and "links" in graph.es.attributes() else None
    pagerank = graph.pagerank(weights=links, directed=False) if graph.ecount() else [1 / len(ids)] * len(ids)
    cut = set(graph.articulation_points())
    found = {"pagerank": pagerank, "eigenvector": eigenvector(graph), "constraint": constraint(graph),
             "cut_point": [v in cut for v in range(graph.vcount())], "community": community}
    found["betweenness"] = slowest()
    return found
