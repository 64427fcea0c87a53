"""The pipeline's one door for speed: what runs in a helper process, and when memory goes back.

Library functions are plain single-process code. Those whose work splits into independent halves
take a ``beside`` argument (:mod:`civicgraph.core.beside`); this module decides, from the size of
the work and the memory the machine has, when a helper process
(:mod:`civicgraph.pipeline.helper_process`) is worth it, and hands the build's freed memory back to
the system between stages (:mod:`civicgraph.pipeline.memory`). Only the pipeline calls it; nothing
below the pipeline imports it.

On a borough every function returns ``None`` (run here): a helper costs more than it saves. A
graph's tables are written here, one after the other: a helper would first have to be handed the
edge tables, which costs about as much as writing them and holds them twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from civicgraph.core.beside import Beside
from civicgraph.graph.frames import GraphFrames
from civicgraph.loaders.base import LoadResult
from civicgraph.pipeline.helper_process import can_start_helpers, start_in_helper
from civicgraph.pipeline.memory import available_memory, large_blocks_mapped, release_freed_memory

#: The build hands memory back between its stages with these.
__all__ = ["large_blocks_mapped", "release_freed_memory"]

#: Sources (bytes on disk) above which the loaders are shared with a helper (two cores).
SHARE_LOADING_BYTES = 50 << 20
#: Node records (all sources) above which candidate pairs are scored by two processes.
SHARED_SCORING_RECORDS = 50_000
#: Edge records above which a build asked for ``parallel_merge`` merges the edges in a helper.
HELPER_EDGES = 200_000
#: Memory the machine must have available, per edge record, for the helper of a parallel merge:
#: the two working sets add up, so with less the edges are merged here, after the nodes.
HELPER_BYTES_PER_EDGE = 640
#: Graphs of more edges than this share betweenness with a helper.
SHARED_BETWEENNESS_EDGES = 200_000


def _helper_if(worth_it: bool) -> Beside | None:
    return start_in_helper if worth_it and can_start_helpers() else None


def loading_helper(total_bytes: int, sources: int) -> Beside | None:
    """A helper for half of the loaders when the sources are large.

    Examples
    --------
    >>> loading_helper(1_000, 3) is None
    True
    """
    return _helper_if(total_bytes >= SHARE_LOADING_BYTES and sources >= 2)


def scoring_helper(results: Iterable[LoadResult]) -> Beside | None:
    """A helper to score every other chunk of candidate pairs, when the sources hold more node
    records than a borough's (resolution asks for it only when there is more than one chunk).

    Examples
    --------
    >>> scoring_helper([]) is None
    True
    """
    return _helper_if(sum(len(r.nodes) for r in results) > SHARED_SCORING_RECORDS)


def edge_merge_helper(results: Iterable[LoadResult], *, wanted: bool) -> Beside | None:
    """A helper to merge the edges beside the nodes, when the build asked for it
    (``[build] parallel_merge``), the edges are many and the machine has room for both.

    Examples
    --------
    >>> edge_merge_helper([], wanted=True) is None
    True
    """
    edges = sum(len(r.edges) for r in results)
    return _helper_if(wanted and edges > HELPER_EDGES and available_memory() > edges * HELPER_BYTES_PER_EDGE)


def betweenness_helper(frames: GraphFrames) -> Beside | None:
    """A helper to share betweenness with, for large graphs.

    Examples
    --------
    >>> import pandas as pd
    >>> betweenness_helper(GraphFrames(*[pd.DataFrame()] * 5, {})) is None
    True
    """
    return _helper_if(len(frames.edges) > SHARED_BETWEENNESS_EDGES)


def contained_helper() -> Beside | None:
    """A helper for work a native library may end the whole process on (LadybugDB, writing the
    Cypher database on a full disk), so that the failure is one line and the run goes on.

    Examples
    --------
    >>> contained_helper() is (start_in_helper if can_start_helpers() else None)
    True
    """
    return _helper_if(True)
