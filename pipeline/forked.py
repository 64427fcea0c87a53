"""Running one piece of work in a forked helper process while this process does another.

The machines this runs on have two cores; a large graph is too big to pickle cheaply, but a forked
child sees the parent's memory as it was at the fork, so nothing but the result crosses between
the two. A plain process is used rather than an executor: an executor hands work over through a
feeder thread, which waits for the GIL while this process runs C code that keeps it (igraph does).

The result comes back through an unnamed temporary file, pickled into it a little at a time and
read back the same way: sent through the pipe, it would be pickled whole into one bytes object
first, and the helper would hold it while this process, still busy, did not read (at national size
the loaders' helper went from 1.1 to 3.3 GB doing so). The file has no name, so nothing is left on
disk whatever happens to either process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import pickle
import tempfile
from collections.abc import Callable
from typing import IO, Any


def can_fork() -> bool:
    """Whether this platform can fork (Linux and macOS can, Windows cannot).

    Examples
    --------
    >>> import sys
    >>> can_fork() == (sys.platform != "win32")
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
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the getter, or with it when never called
    helper = context.Process(target=_run_and_send, args=(function, args, writer, spool), daemon=True)
    helper.start()
    writer.close()

    def result() -> Result:
        try:
            outcome, value = reader.recv()
            if outcome == "ok":
                spool.seek(0)
                value = pickle.load(spool)  # noqa: S301 - written by our own helper just now
        except EOFError:
            raise RuntimeError(f"the helper process stopped (exit code {helper.exitcode})") from None
        finally:
            helper.join()
            reader.close()
            spool.close()
        if outcome == "error":
            raise value
        if outcome == "unsendable error":
            raise RuntimeError(f"the helper process failed: {value}")
        return value
    return result


def _run_and_send(function: Callable[..., Any], args: tuple, writer: multiprocessing.connection.Connection,
                  spool: IO[bytes]) -> None:
    """In the helper: run the work and leave its result in ``spool``, or send what went wrong."""
    try:
        pickle.dump(function(*args), spool, protocol=pickle.HIGHEST_PROTOCOL)
        spool.flush()
        writer.send(("ok", None))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            writer.send(("error", error.with_traceback(None)))
        except Exception:  # noqa: BLE001 - an error that cannot be pickled is sent as text
            writer.send(("unsendable error", f"{type(error).__name__}: {error}"))
    finally:
        writer.close()
