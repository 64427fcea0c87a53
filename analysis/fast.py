"""The centrality suite computed with igraph (C), for graphs too big for networkx's pure Python.

The igraph graph is a projection of the organisation tables (:func:`organisation_igraph`), made once
per set of tables. :func:`analysis.centrality.centrality_table` calls this module when the
organisation network is large (``backend="auto"``), or when asked. The measures and their
definitions are the same as networkx's; ``benchmarks/analysis.py`` compares the two side by side.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain

import igraph
import numpy as np
from scipy import sparse

from civicgraph.analysis.betweenness import betweenness_later
from civicgraph.analysis.network import organisation_edges, organisation_nodes, organisation_positions
from civicgraph.core.beside import Beside
from civicgraph.graph.frames import GraphLike, as_frames, derived


def organisation_igraph(graph: GraphLike) -> tuple[igraph.Graph, list[str]]:
    """The organisation network (:func:`analysis.network.organisation_edges`) as an undirected igraph
    graph, with ``links`` and ``weight`` edge attributes, built from the tables without networkx.

    Made once per set of tables and kept with them (:func:`graph.frames.derived`); do not change it.

    Returns
    -------
    graph : igraph.Graph
    ids : list of str
        Node ids in igraph's vertex order (the order of :func:`analysis.network.organisation_nodes`).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder"); g.add_node("w", kind="Ward")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=10.0)
    >>> fast, ids = organisation_igraph(g)
    >>> ids, fast.es["weight"]
    (['a', 'f'], [10.0])
    """
    frames = as_frames(graph)
    cache = derived(frames)
    if "organisation_igraph" not in cache:
        ids = organisation_nodes(frames)["id"].tolist()
        edges = organisation_edges(frames)
        fast = igraph.Graph(n=len(ids), edges=organisation_positions(frames), directed=False)
        fast.es["links"] = edges["links"].tolist()
        fast.es["weight"] = edges["weight"].astype(float).tolist()
        cache["organisation_igraph"] = fast, ids
    return cache["organisation_igraph"]


def eigenvector(graph: igraph.Graph) -> list[float]:
    """Eigenvector centrality within each connected component of three or more vertices, scaled by
    the component's share of vertices (as :func:`analysis.centrality._eigenvector` does)."""
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


def adjacency(graph: igraph.Graph) -> sparse.csr_array:
    """The 0/1 adjacency matrix of a simple undirected graph, both directions stored.

    Examples
    --------
    >>> adjacency(igraph.Graph.Star(3)).toarray().tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    n, m = graph.vcount(), graph.ecount()
    ends = np.fromiter(chain.from_iterable(graph.get_edgelist()), dtype=np.int64, count=2 * m).reshape(-1, 2)
    rows, columns = np.concatenate([ends[:, 0], ends[:, 1]]), np.concatenate([ends[:, 1], ends[:, 0]])
    matrix = sparse.csr_array((np.ones(2 * m), (rows, columns)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


#: Burt's constraint is left out (NaN) for organisations with more partners than this: for such
#: hubs it is close to 0 (at most about 1/partners plus what their partners share) and tells little.
CONSTRAINT_MAX_DEGREE = 250


def constraint(graph: igraph.Graph, *, max_degree: int = CONSTRAINT_MAX_DEGREE) -> list[float]:
    """Burt's constraint, unweighted as :func:`networkx.constraint` computes it, with sparse matrix
    products; NaN for isolates and for vertices with more than ``max_degree`` partners.

    With every tie weighing ``1/degree`` from its end, the constraint of ``i`` is
    ``sum over partners j of (1 + m_ij)^2 / degree(i)^2``, where ``m_ij`` is the sum of
    ``1/degree(q)`` over the partners ``q`` that ``i`` and ``j`` share. ``m`` is ``A D^-1 A`` read
    at the ties of ``i``; it is computed in two parts so that no hub's square of partners is ever
    made: shared partners with few partners by the product, shared hubs row by row.

    Examples
    --------
    >>> import networkx as nx
    >>> star = nx.star_graph(3)
    >>> round(constraint(igraph.Graph.from_networkx(star))[0], 4), round(nx.constraint(star)[0], 4)
    (0.3333, 0.3333)
    """
    n = graph.vcount()
    matrix = adjacency(graph)
    degree = np.diff(matrix.indptr)
    inverse = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0)
    hub = degree > max_degree
    scored = np.flatnonzero(~hub & (degree > 0))
    ties = matrix[scored].tocoo()  # row: position in ``scored``; col: the partner
    quiet, hubs = np.flatnonzero(~hub), np.flatnonzero(hub)
    via_quiet = matrix[scored][:, quiet] @ sparse.diags_array(inverse[quiet]) @ matrix[quiet]
    shared = np.asarray(via_quiet[ties.row, ties.col]).ravel()
    if len(hubs):
        to_hubs = matrix[:, hubs].tocsr()  # rows are short: how many hubs each vertex is tied to
        weighted = to_hubs @ sparse.diags_array(inverse[hubs])
        shared = shared + np.asarray(to_hubs[scored[ties.row]].multiply(weighted[ties.col]).sum(axis=1)).ravel()
    total = np.bincount(ties.row, weights=(1.0 + shared) ** 2, minlength=len(scored)) * inverse[scored] ** 2
    result = np.full(n, math.nan)
    result[scored] = total
    return result.tolist()


def measures(graph: igraph.Graph, ids: list[str], *, betweenness_sample: int | None, seed: int,
             beside: Beside | None = None) -> dict[str, list]:
    """Betweenness (with its standard error), PageRank, eigenvector, Burt's constraint, cut points
    and communities (Leiden, for modularity).

    Given ``beside`` (see :mod:`civicgraph.core.beside`), betweenness starts there first and this
    process joins it when the other measures are done.

    Returns
    -------
    dict
        measure name -> values in the order of ``ids``; ``cut_point`` values are booleans,
        ``community`` integers numbered from the largest community, ``betweenness_se`` the
        standard error of each betweenness (0 when exact).

    Examples
    --------
    >>> found = measures(igraph.Graph.Star(4), ["hub", "a", "b", "c"], betweenness_sample=None, seed=0)
    >>> found["betweenness"][0], found["cut_point"]
    (1.0, [True, False, False, False])
    """
    with seeded_igraph(seed):
        return _measures(graph, ids, betweenness_sample=betweenness_sample, seed=seed, beside=beside)


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph's random numbers from a generator seeded with ``seed`` for the block, and from Python's
    ``random`` module (igraph's default) again after it: no other caller's results change.

    Examples
    --------
    >>> g = igraph.Graph.Ring(6)
    >>> with seeded_igraph(3):
    ...     one = g.layout_random().coords
    >>> with seeded_igraph(3):
    ...     two = g.layout_random().coords
    >>> one == two
    True
    """
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _measures(graph: igraph.Graph, ids: list[str], *, betweenness_sample: int | None, seed: int,
              beside: Beside | None) -> dict[str, list]:
    slowest = betweenness_later(graph, sample=betweenness_sample, seed=seed, beside=beside)
    community = [0] * graph.vcount()
    # Leiden (Louvain with a refinement that keeps communities connected), for modularity: on a
    # million ties twice as fast as igraph's Louvain, and finds a higher modularity
    found_communities = graph.community_leiden(objective_function="modularity", n_iterations=2)
    for number, members in enumerate(sorted(found_communities, key=len, reverse=True)):
        for vertex in members:
            community[vertex] = number
    links = graph.es["links"] if graph.ecount() and "links" in graph.es.attributes() else None
    pagerank = graph.pagerank(weights=links, directed=False) if graph.ecount() else [1 / len(ids)] * len(ids)
    cut = set(graph.articulation_points())
    found = {"pagerank": pagerank, "eigenvector": eigenvector(graph), "constraint": constraint(graph),
             "cut_point": [v in cut for v in range(graph.vcount())], "community": community}
    between = slowest()
    found["betweenness"], found["betweenness_se"] = between.values, between.standard_error
    return found
