"""Handing memory a build has freed back to the system, so that its stages do not add up.

A national build frees gigabytes between its stages (the loaders' working columns, entity
resolution's candidate pairs), but the allocators keep what is freed for reuse: glibc keeps it in
its heap, and Arrow's pool (mimalloc) keeps its pages. After entity resolution the build then holds
0.7 GB it no longer uses. Two things return it:

- :func:`large_blocks_mapped` has glibc give each large block (an array, a column) its own
  mapping, unmapped when it is freed, for the length of a ``with`` block. glibc does so by default
  only until large blocks have been freed: it then raises its threshold (up to 32 MB) and serves
  them from its heap, where they stay.
- :func:`release_freed_memory`, called between stages, returns what the allocators hold free.

:func:`available_memory` tells the merge whether the machine has room for a helper process.

The build (:func:`pipeline.build.build_graph`) releases after each stage and maps large blocks
during the merge: on the national build of the scale benchmark the peak memory of the build falls
from 7.4 to 6.7 GB at the same speed. Mapping large blocks from the start takes it to 6.4 GB, but
entity resolution, which makes and frees arrays of a few MB for each chunk of pairs, is then 3 to
7 s slower (at a 256 kB threshold, 6.1 GB and a fifth slower). Where the C library is not glibc
(macOS, musl) the two do nothing.
"""

from __future__ import annotations

import ctypes
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psutil
import pyarrow as pa

#: glibc's ``mallopt`` parameter for the size from which blocks get their own mapping.
_M_MMAP_THRESHOLD = -3
#: glibc's highest threshold on 64-bit systems, where it settles once large blocks have been freed.
_MMAP_THRESHOLD_MAX = 32 << 20
#: Blocks of this size or more are mapped on their own by :func:`large_blocks_mapped`.
LARGE_BLOCK_BYTES = 4 << 20


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library, if it is glibc (the only one with ``mallopt`` thresholds and ``malloc_trim``)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    library = ctypes.CDLL("libc.so.6")  # glibc's name on every Linux it runs on
    return library if hasattr(library, "malloc_trim") and hasattr(library, "mallopt") else None


@contextmanager
def large_blocks_mapped(threshold: int = LARGE_BLOCK_BYTES) -> Iterator[bool]:
    """Within the ``with`` block, have glibc map every block of ``threshold`` bytes or more on its
    own, so that it goes back to the system as soon as it is freed. Afterwards the threshold is glibc's highest (32 MB), where its own adjustment takes it
    once large blocks have been freed.

    Parameters
    ----------
    threshold : int
        Bytes. Smaller is leaner but slower: each block mapped costs page faults when first used.

    Yields
    ------
    bool
        Whether the allocator took the setting (False where the C library is not glibc).

    Examples
    --------
    >>> import numpy as np
    >>> with large_blocks_mapped():
    ...     block = np.ones(1 << 20)  # 8 MB: a mapping of its own, unmapped when freed
    ...     del block
    """
    library = _glibc()
    taken = bool(library and library.mallopt(_M_MMAP_THRESHOLD, int(threshold)))
    try:
        yield taken
    finally:
        if taken:
            library.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)


def release_freed_memory() -> bool:
    """Return to the system what Arrow's memory pool and glibc's heap hold free.

    Returns
    -------
    bool
        Whether glibc returned anything (Arrow's pool is released wherever it runs).

    Examples
    --------
    >>> _ = release_freed_memory()  # between two stages of a build
    """
    pa.default_memory_pool().release_unused()
    library = _glibc()
    return bool(library and library.malloc_trim(0))


def available_memory() -> int:
    """Bytes the system can give without swapping (free memory and what it can reclaim at once).

    Examples
    --------
    >>> available_memory() > 0
    True
    """
    return int(psutil.virtual_memory().available)
