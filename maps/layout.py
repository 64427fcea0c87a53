"""Where each node of a map is drawn, computed once in Python so that the page appears at once and
the same every time it opens.

Each connected part of the map is laid out by force (igraph's Fruchterman-Reingold, seeded), scaled
so that linked nodes sit a readable distance apart, and the parts are packed in rows, the largest
first. Nodes with no link on the map are gathered into labelled blocks (by ward or by kind) below
them, rather than scattered in a disc. Coordinates are vis-network's: x to the right, y downwards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from civicgraph.analysis.fast import seeded_igraph

__all__ = ["SPACING", "Layout", "force_layout", "grouped_layout", "separate"]

#: Typical distance between two linked nodes, in map units (a node is 10 to 45 units across).
SPACING = 130.0
#: Closest two nodes of a force layout may be: two of the largest side by side.
_APART = 95.0
#: Distance between neighbouring nodes in a block of unlinked nodes.
_CELL = 75.0
#: Room a block leaves for each letter of its caption (a caption drawn wider than its block shrinks).
_CAPTION_UNITS_PER_LETTER = 20.0


@dataclass
class Layout:
    """Node positions, the captions of the blocks of unlinked nodes, and the nodes drawn apart from
    the map (a geographic map's nodes with no known place), whose lines the page hides until asked."""

    positions: dict[str, tuple[float, float]]
    captions: list[dict[str, object]] = field(default_factory=list)
    apart: set[str] = field(default_factory=set)


@dataclass
class _Block:
    positions: dict[str, tuple[float, float]]  # relative to the block's top-left corner
    width: float
    height: float
    caption: str | None = None


def _normalised(positions: dict[str, tuple[float, float]], caption: str | None = None) -> _Block:
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    left, top = min(xs), min(ys)
    return _Block({n: (x - left, y - top) for n, (x, y) in positions.items()},
                  max(xs) - left, max(ys) - top, caption)


def _force_block(part: nx.Graph, seed: int) -> _Block:
    nodes = sorted(part)
    if len(nodes) == 2:
        return _normalised({nodes[0]: (0.0, 0.0), nodes[1]: (SPACING, 0.0)})
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted({tuple(sorted((index[a], index[b]))) for a, b in part.edges() if a != b})
    small = ig.Graph(n=len(nodes), edges=edges)
    start = np.random.default_rng(seed).uniform(-1, 1, (len(nodes), 2)).tolist()
    with seeded_igraph(seed):
        coords = np.array(small.layout_fruchterman_reingold(seed=start, niter=500 if len(nodes) <= 1000 else 250).coords)
    lengths = np.array([np.linalg.norm(coords[a] - coords[b]) for a, b in edges])
    scale = SPACING / max(float(np.median(lengths)), 1e-9)
    nearest = cKDTree(coords).query(coords, k=2)[0][:, 1]
    crowded = float(np.percentile(nearest, 10))
    if crowded > 0:
        scale = max(scale, 0.6 * _CELL / crowded)
    placed = {n: (float(x) * scale, float(y) * scale) for n, (x, y) in zip(nodes, coords, strict=True)}
    return _normalised(separate(placed, apart=_APART))


def separate(positions: dict[str, tuple[float, float]], *, apart: float, rounds: int = 30
             ) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than ``apart``, each pair by half its shortfall per round, so that no
    node hides another and none moves further than it must.

    Examples
    --------
    >>> moved = separate({"a": (0.0, 0.0), "b": (10.0, 0.0), "c": (500.0, 0.0)}, apart=100)
    >>> moved["b"][0] - moved["a"][0] > 90, moved["c"]
    (True, (500.0, 0.0))
    """
    if len(positions) < 2:
        return positions
    nodes = list(positions)
    at = np.array([positions[n] for n in nodes], dtype=float)
    for _ in range(rounds):
        pairs = cKDTree(at).query_pairs(apart, output_type="ndarray")
        if not len(pairs):
            break
        delta = at[pairs[:, 1]] - at[pairs[:, 0]]
        distance = np.hypot(delta[:, 0], delta[:, 1])
        same = distance < 1e-6
        delta[same] = np.column_stack([np.cos(pairs[same, 0]), np.sin(pairs[same, 0])])
        distance[same] = 1.0
        push = (delta / distance[:, None]) * ((apart - np.where(same, 0.0, distance)) / 2)[:, None]
        np.add.at(at, pairs[:, 1], push / 2)
        np.add.at(at, pairs[:, 0], -push / 2)
    return {n: (round(float(x), 1), round(float(y), 1)) for n, (x, y) in zip(nodes, at, strict=True)}


def _grid_block(nodes: list[str], caption: str) -> _Block:
    # about three times as wide as tall: a projector's screen is wide, and the map fits it by height
    columns = max(1, math.ceil(math.sqrt(len(nodes) * 3)))
    positions = {n: ((i % columns) * _CELL, (i // columns) * _CELL) for i, n in enumerate(nodes)}
    # room for the caption beside the next block, at the size it is drawn when the map fits the screen
    return _Block(positions, max((columns - 1) * _CELL, len(caption) * _CAPTION_UNITS_PER_LETTER),
                  ((len(nodes) - 1) // columns) * _CELL, caption)


def _pack(blocks: list[_Block], *, gap: float = SPACING, top: float = 0.0) -> Layout:
    """Place blocks left to right in rows no wider than the widest block or a rectangle two and a half
    times as wide as tall holding them all (whichever is more), each caption above its block."""
    if not blocks:
        return Layout({})
    area = sum((b.width + gap) * (b.height + gap) for b in blocks)
    row_width = max(max(b.width for b in blocks), math.sqrt(area * 2.5))
    positions: dict[str, tuple[float, float]] = {}
    captions: list[dict[str, object]] = []
    x, y, row_height = 0.0, top, 0.0
    for block in blocks:
        head = SPACING * 0.8 if block.caption else 0.0
        if x > 0 and x + block.width > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for node, (dx, dy) in block.positions.items():
            positions[node] = (round(x + dx, 1), round(y + head + dy, 1))
        if block.caption:  # the page shrinks a caption to its block's width and the room above it
            captions.append({"text": block.caption, "x": round(x, 1), "y": round(y, 1),
                             "width": round(block.width + gap * 0.8, 1), "height": round(head - 0.25 * _CELL, 1),
                             "members": sorted(block.positions, key=str)})
        x += block.width + gap
        row_height = max(row_height, block.height + head)
    return Layout(positions, captions)


def force_layout(graph: nx.Graph, *, seed: int = 7, gather: Mapping[str, str] | None = None) -> Layout:
    """Positions for every node of ``graph``: linked parts by seeded force layout, unlinked nodes
    gathered in blocks.

    Parameters
    ----------
    graph : networkx.Graph
        Any networkx graph (directions and parallel edges are ignored).
    seed : int
        The same seed gives the same positions.
    gather : mapping, optional
        Node -> the block an unlinked node goes in (a ward name, a kind); the block's caption says
        it. Nodes not in the mapping go in a block called "other".

    Returns
    -------
    Layout
        ``positions`` (node -> (x, y) in map units) and ``captions`` of the unlinked blocks.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")]); g.add_node("lonely")
    >>> one, two = force_layout(g, gather={"lonely": "Feltham"}), force_layout(g, gather={"lonely": "Feltham"})
    >>> one.positions == two.positions, one.captions[0]["text"]
    (True, 'Not linked: Feltham (1)')
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph, key=str))
    simple.add_edges_from((a, b) for a, b in graph.edges() if a != b)
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(simple) if len(c) > 1),
                   key=lambda c: (-len(c), str(c[0])))
    blocks = [_force_block(simple.subgraph(part), seed) for part in parts]
    unlinked: dict[str, list[str]] = {}
    for node in simple:
        if simple.degree(node) == 0:
            unlinked.setdefault((gather or {}).get(node, "other"), []).append(node)
    linked = _pack(blocks)
    bottom = max((y for _, y in linked.positions.values()), default=-SPACING) + SPACING * 1.5
    groups = sorted(unlinked.items(), key=lambda item: (-len(item[1]), item[0]))
    loose = _pack([_grid_block(nodes, f"Not linked: {group} ({len(nodes)})") for group, nodes in groups],
                        gap=SPACING * 0.8, top=bottom)
    return Layout({**linked.positions, **loose.positions}, loose.captions)


def grouped_layout(graph: nx.Graph, groups: Mapping[str, str], *, seed: int = 7) -> Layout:
    """Positions for a map drawn group by group: each group's members laid out by
    :func:`force_layout` in a block of their own, and the group itself (its id in ``groups``) at the
    block's centre, so a group opens where it stood.

    Examples
    --------
    >>> g = nx.Graph([("a", "b")]); g.add_node("c")
    >>> placed = grouped_layout(g, {"a": "g1", "b": "g1", "c": "g2"}).positions
    >>> sorted(placed), placed["g1"]
    (['a', 'b', 'c', 'g1', 'g2'], (65.0, 0.0))
    """
    members: dict[str, list[str]] = {}
    for node in graph:
        members.setdefault(groups[node], []).append(node)
    blocks = []
    for group in sorted(members, key=lambda g: (-len(members[g]), g)):
        block = _normalised(force_layout(graph.subgraph(members[group]), seed=seed).positions)
        block.positions[group] = (block.width / 2, block.height / 2)
        blocks.append(block)
    return _pack(blocks)
