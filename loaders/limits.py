"""Limits on what a source may make the readers do, set by a configuration's ``[limits]`` table.

Every reader refuses, in one line naming the file and the limit, a source past these limits rather
than exhausting memory or disk: JSON nested deeper than ``max_json_depth``, a CSV cell longer than
``max_field_bytes``, more than ``max_rows`` data rows, and (``fetch``) a zip archive that unpacks
to more than ``max_unpack_ratio`` times its size or more than ``max_unpacked_bytes`` in all.

The limits in force are process-wide: a build sets them from its configuration for its duration
(:func:`limits_in_force`), and hands them to the helper process that runs some loaders. Readers
called outside a build use the defaults.

Examples
--------
>>> current_limits().max_json_depth
100
>>> with limits_in_force(Limits(max_json_depth=5)):
...     current_limits().max_json_depth
5
>>> current_limits().max_json_depth
100
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

__all__ = ["Limits", "current_limits", "limits_in_force"]


@dataclass(frozen=True)
class Limits:
    """What a source may make the readers do; the defaults are well above any published source.

    Attributes
    ----------
    max_json_depth : int
        Deepest nesting of lists and objects in a JSON source (360Giving grants nest a few levels;
        parsing memory grows with the square of the depth).
    max_field_bytes : int
        Longest CSV cell, in bytes of UTF-8 (1 MiB: a longer one is a quote left open that
        swallows the rest of the file, or a file made to exhaust memory).
    max_rows : int
        Most data rows in a CSV source (above the largest national register read).
    max_unpack_ratio : int
        How many times its own size a fetched zip archive may unpack to (text compresses well
        below this; a zip bomb far above). Small archives get 64 MiB more.
    max_unpacked_bytes : int
        Most bytes a fetched zip archive may unpack to in all (8 GiB).

    Examples
    --------
    >>> Limits().max_rows
    20000000
    """

    max_json_depth: int = 100
    max_field_bytes: int = 1 << 20
    max_rows: int = 20_000_000
    max_unpack_ratio: int = 100
    max_unpacked_bytes: int = 8 << 30

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The keys of a ``[limits]`` table.

        Examples
        --------
        >>> Limits.names()[0]
        'max_json_depth'
        """
        return tuple(f.name for f in fields(cls))


_IN_FORCE = [Limits()]


def current_limits() -> Limits:
    """The limits in force: a build's own, else the defaults.

    Examples
    --------
    >>> current_limits() == Limits()
    True
    """
    return _IN_FORCE[-1]


@contextmanager
def limits_in_force(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the ones every reader uses until the block ends.

    Examples
    --------
    >>> with limits_in_force(Limits(max_rows=10)) as limits:
    ...     current_limits().max_rows, limits.max_rows
    (10, 10)
    """
    _IN_FORCE.append(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.pop()
