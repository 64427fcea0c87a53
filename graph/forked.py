"""Running one piece of work in a forked helper process while this process does another.

The machines this runs on have two cores; a large graph is too big to pickle cheaply, but a forked
child sees the parent's memory as it was at the fork, so nothing but the result crosses between
the two. A plain process is used rather than an executor: an executor hands work over through a
feeder thread, which waits for the GIL while this process runs C code that keeps it (igraph does).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Whether this platform can fork (Linux and macOS can, Windows cannot).

    Examples
    --------
    >>> isinstance(can_fork(), bool)
    True
    """
    return "fork" in multiprocessing.get_all_start_methods()


def start_forked[Result](function: Callable[..., Result], *args: Any) -> Callable[[], Result]:  # noqa: ANN401
    """Start ``function(*args)`` in a forked process now and return a getter that waits for its
    result. An error in the helper is raised again here, as itself (a ``SourceFormatError`` stays
    one), or as ``RuntimeError`` naming it when it cannot be sent. Without ``fork``, the getter runs
    the function in this process.

    Examples
    --------
    >>> later = start_forked(sum, [1, 2, 3])
    >>> later()
    6
    """
    if not can_fork():
        return lambda: function(*args)
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    helper = context.Process(target=_run_and_send, args=(function, args, writer), daemon=True)
    helper.start()
    writer.close()

    def result() -> Result:
        try:
            outcome, value = reader.recv()
        except EOFError:
            raise RuntimeError(f"the helper process stopped (exit code {helper.exitcode})") from None
        finally:
            helper.join()
            reader.close()
        if outcome == "error":
            raise value
        if outcome == "unsendable error":
            raise RuntimeError(f"the helper process failed: {value}")
        return value
    return result


def _run_and_send(function: Callable[..., Any], args: tuple, writer: multiprocessing.connection.Connection) -> None:
    """In the helper: run the work and send back its result, or what went wrong."""
    try:
        writer.send(("ok", function(*args)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            writer.send(("error", error.with_traceback(None)))
        except Exception:  # noqa: BLE001 - an error that cannot be pickled is sent as text
            writer.send(("unsendable error", f"{type(error).__name__}: {error}"))
    finally:
        writer.close()
