"""How a library function lets its caller decide where an independent part of its work runs.

A few functions split their work into two halves that do not depend on each other (scoring
candidate pairs, merging edges while nodes merge, writing the edge table while the node table is
written, checking a second part of a graph). They take a ``beside`` argument: a function that starts
``function(*args)`` and returns a getter for its result. Left as ``None`` the half is computed here,
at once (:func:`run_here`), so the library is plain single-process code. The pipeline decides when a
helper process is worth it and passes its own (see ``civicgraph.pipeline.helpers``): the function
and its arguments are then pickled into another interpreter, so a library function hands over a
function defined at module level (or an instance of a module-level class) and plain data, and
never relies on the half changing its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Starts ``function(*args)`` and returns a getter for its result.
Beside = Callable[..., Callable[[], Any]]


def run_here[Result](function: Callable[..., Result], *args: Any) -> Callable[[], Result]:  # noqa: ANN401
    """Run ``function(*args)`` now, in this process, and return a getter for its result.

    Examples
    --------
    >>> later = run_here(sum, [1, 2, 3])
    >>> later()
    6
    """
    result = function(*args)
    return lambda: result
