"""Betweenness of large graphs with igraph: exact, or estimated from sampled sources with a standard
error for every vertex, and shared between two processes when the graph is large.

An estimate from ``k`` random sources (Brandes and Pich) adds up each source's dependencies and
scales by ``n / k``. The sources are taken in batches; how much the batches disagree gives each
vertex's standard error (batch means, with the finite-population correction ``1 - k/n``). A vertex
whose betweenness comes from a few rare sources (the only way into a small pocket of the graph) has
a large error, which the single figure ``1/sqrt(k)`` would hide.
"""

from __future__ import annotations

import math
import multiprocessing
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized

import igraph
import numpy as np

from civicgraph.core.beside import Beside

#: Fewest sources in a shared batch: each igraph call costs a set-up of about 0.1 s on 1M edges.
SOURCES_PER_BATCH = 8
#: Batches a sample is split into when computed in one process (for its standard error).
BATCHES = 20


@dataclass(frozen=True)
class Betweenness:
    """Normalised betweenness of every vertex, in vertex order.

    Attributes
    ----------
    values : list of float
    standard_error : list of float
        0 when exact; NaN when the sample was too small to tell (one batch).
    sources : int or None
        Sources sampled; None when exact.
    """

    values: list[float]
    standard_error: list[float]
    sources: int | None


def _sources(n: int, sample: int | None, seed: int) -> list[int] | None:
    """The sampled sources, or None for every vertex (exact)."""
    return None if sample is None or sample >= n else random.Random(seed).sample(range(n), sample)


def _sum_batches(graph: igraph.Graph, batches: list[list[int]], taken: Synchronized | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Sum the dependencies from each batch of sources, and each batch's sum squared over its size;
    with ``taken`` (shared between processes), only the batches this process takes first."""
    total, squares = np.zeros(graph.vcount()), np.zeros(graph.vcount())
    for index in range(len(batches)) if taken is None else _untaken(taken, len(batches)):
        found = np.asarray(graph.betweenness(directed=False, sources=batches[index], targets=None))
        total += found
        squares += found * found / len(batches[index])
    return total, squares


def _sum_batches_of_edges(n: int, edges: np.ndarray, batches: list[list[int]], taken: Synchronized
                          ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_sum_batches` on the undirected graph of ``n`` vertices and ``edges`` (pairs of vertex
    numbers): what a helper process is given, an array rather than a graph object."""
    return _sum_batches(igraph.Graph(n=n, edges=edges, directed=False), batches, taken)


def _untaken(taken: Synchronized, count: int) -> Iterator[int]:
    """Batch numbers not yet taken by any process, each claimed as it is yielded."""
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        if index >= count:
            return
        yield index


def _estimate(n: int, sources: list[int], total: np.ndarray, squares: np.ndarray, batches: int) -> Betweenness:
    """Scale the sums to normalised betweenness, with each vertex's standard error."""
    k = len(sources)
    scale = n / k / ((n - 1) * (n - 2) / 2)
    if batches < 2:
        error = np.full(n, math.nan)
    else:
        spread = np.maximum(squares - total * total / k, 0.0) / (batches - 1)  # per-source variance
        error = np.sqrt(k * spread * (1 - k / n)) * scale
    return Betweenness((total * scale).tolist(), error.tolist(), k)


def betweenness(graph: igraph.Graph, *, sample: int | None, seed: int) -> Betweenness:
    """Normalised betweenness in this process: exact, or estimated from ``sample`` random sources
    (scaled by ``n / sample`` so that it estimates the exact value without bias).

    Examples
    --------
    >>> star = betweenness(igraph.Graph.Star(5), sample=None, seed=0)
    >>> [round(b, 3) for b in star.values][:2], star.standard_error[:2]
    ([1.0, 0.0], [0.0, 0.0])
    >>> sampled = betweenness(igraph.Graph.Barabasi(300, 2), sample=100, seed=0)
    >>> sampled.sources, sampled.standard_error[0] > 0
    (100, True)
    """
    n = graph.vcount()
    sources = _sources(n, sample, seed)
    if n < 3 or sources is None:
        values = graph.betweenness(directed=False) if n >= 3 else [0.0] * n
        norm = (n - 1) * (n - 2) / 2 if n >= 3 else 1.0
        return Betweenness([v / norm for v in values], [0.0] * n, None)
    batches = [list(b) for b in np.array_split(sources, min(BATCHES, len(sources)))]
    return _estimate(n, sources, *_sum_batches(graph, batches), len(batches))


def betweenness_later(graph: igraph.Graph, *, sample: int | None, seed: int,
                      beside: Beside | None = None) -> Callable[[], Betweenness]:
    """Start betweenness (the slowest measure) and return a getter for it.

    Given ``beside`` (see :mod:`civicgraph.core.beside`; the pipeline passes a helper process for
    large graphs), the work there begins on the batches of sources at once and this process joins it
    when the getter is called, each taking the next batch until none is left; without, it is
    computed now.

    Examples
    --------
    >>> later = betweenness_later(igraph.Graph.Star(5), sample=None, seed=0)
    >>> round(later().values[0], 3)
    1.0
    """
    n = graph.vcount()
    if n < 3 or beside is None:
        found = betweenness(graph, sample=sample, seed=seed)
        return lambda: found
    sampled = _sources(n, sample, seed)
    sources = list(range(n)) if sampled is None else sampled
    count = max(1, len(sources) // max(SOURCES_PER_BATCH, len(sources) // 64))
    batches = [list(b) for b in np.array_split(sources, count)]
    taken = multiprocessing.get_context("spawn").Value("l", 0)  # shared with a helper that is not a fork
    edges = np.array(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    theirs = beside(_sum_batches_of_edges, n, edges, batches, taken)

    def result() -> Betweenness:
        total, squares = _sum_batches(graph, batches, taken)
        their_total, their_squares = theirs()
        total, squares = total + their_total, squares + their_squares
        if sampled is None:
            norm = (n - 1) * (n - 2) / 2
            return Betweenness((total / norm).tolist(), [0.0] * n, None)
        return _estimate(n, sources, total, squares, len(batches))
    return result
