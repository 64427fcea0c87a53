"""Running one piece of work in a helper process while this process does another.

A helper is a fresh interpreter running :func:`_serve`, started the way :mod:`subprocess` starts
any program. This process is never forked: it has Arrow's and numpy's
threads, and a fork of a process with threads may deadlock in the child (Python 3.12 warns of it).
Nor is the user's main script run again in the helper, as ``multiprocessing``'s ``spawn`` and
``forkserver`` would: a script or notebook calling the pipeline needs no ``if __name__ ==
"__main__"`` guard. A helper imports what its work needs (about a second of processor time), which
is why the pipeline asks for one only for national-size work (:mod:`civicgraph.pipeline.helpers`).
Helpers need file descriptors passed to a child, which Windows has not: there,
:func:`can_start_helpers` is false and the pipeline runs everything here.

The work (``function(*args)``) is pickled into the helper's standard input as the helper reads
it. Its result comes back through temporary files that have no name (so nothing is left on disk
whatever happens to either process): the helper does not wait for this process, busy with its own
half, to read. The result is pickled into one file a little at a time, and the raw memory of its
arrays (numpy arrays and Arrow columns: pickle's out-of-band buffers, protocol 5) into another,
which this process maps rather than reads. Neither side holds the whole pickle as one bytes object,
as ``multiprocessing``'s connections would (a national loader's helper went from 1.1 to 3.3 GB
doing so). Open files among the arguments (a log) cross as file descriptors of the same open file,
and shared values (a counter of work taken) as their shared memory.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import subprocess
import sys
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.context import set_spawning_popen
from multiprocessing.sharedctypes import SynchronizedBase
from typing import IO, Any

#: Buffers smaller than this stay in the pickle: mapping them would cost more than copying.
OUT_OF_BAND_BYTES = 64 << 10
#: Where buffers start in their file (Arrow's and numpy's alignment).
ALIGNMENT = 64

#: (offset, length) of each out-of-band buffer in its file, in pickling order.
Spans = list[tuple[int, int]]


def can_start_helpers() -> bool:
    """Whether this platform can hand files to a helper process (Linux and macOS can, Windows cannot).

    Examples
    --------
    >>> import sys
    >>> can_start_helpers() == (sys.platform != "win32")
    True
    """
    return os.name == "posix"


def start_in_helper[Result](function: Callable[..., Result], *args: Any) -> Callable[[], Result]:  # noqa: ANN401
    """Start ``function(*args)`` in a helper process now and return a getter that waits for its
    result. ``function`` and ``args`` are pickled (functions by name: closures and lambdas cannot
    cross) before this returns. An error in the helper is raised again here, as itself (a
    ``SourceFormatError`` stays one), or as ``RuntimeError`` naming it when it cannot be sent; a
    helper that dies (a native library aborting) is a ``RuntimeError`` in one line with its exit
    code. Without helpers (:func:`can_start_helpers`), the getter runs the function in this process.
    A getter let go of without being called ends its helper.

    Examples
    --------
    >>> later = start_in_helper(sum, [1, 2, 3])
    >>> later()
    6
    """
    if not can_start_helpers():
        return lambda: function(*args)
    files = _Files.made()
    args, opened = _files_apart(args)
    args, shared = _shared_apart(args)
    passed = [f.fileno() for f in files.all()] + opened + shared
    helper = subprocess.Popen([sys.executable, "-c", _HELPER, *map(str, passed)], pass_fds=passed,
                              stdin=subprocess.PIPE)
    try:
        _hand_over(helper.stdin, function, args)
    except BaseException:
        _unasked(helper, files)
        raise

    def outcome() -> Result:
        unasked.detach()
        try:
            code = helper.wait()
            files.status.seek(0)
            try:
                status, value = pickle.load(files.status)  # noqa: S301 - written by our own helper
            except EOFError:
                raise RuntimeError(f"the helper process stopped (exit code {code})") from None
            if status == "ok":
                return _load(files.result, files.result_buffers, value)
        finally:
            files.close()
        if status == "error":
            raise value
        raise RuntimeError(f"the helper process failed: {value}")
    unasked = weakref.finalize(outcome, _unasked, helper, files)
    return outcome


def _hand_over(pipe: IO[bytes], function: Callable, args: tuple) -> None:
    """Pickle the work into the helper's standard input as it reads it: where this process finds
    modules (so that the helper finds the work's functions), then the work."""
    try:
        with pipe:
            pickle.dump(sys.path, pipe)
            pickle.dump((function, args), pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # the helper stopped reading: the getter tells why


def _unasked(helper: subprocess.Popen, files: _Files) -> None:
    """A getter let go of without asking for the result: the helper's work is not wanted."""
    helper.kill()
    helper.wait()
    files.close()


@dataclass
class _Files:
    """The unnamed files a helper leaves its result in: the result, its buffers, and the status
    (how the work went)."""

    result: IO[bytes]
    result_buffers: IO[bytes]
    status: IO[bytes]

    @classmethod
    def made(cls) -> _Files:
        return cls(*(tempfile.TemporaryFile() for _ in range(3)))  # noqa: SIM115 - closed by close()

    def all(self) -> list[IO[bytes]]:
        return [self.result, self.result_buffers, self.status]

    def close(self) -> None:
        for file in self.all():
            file.close()


@dataclass(frozen=True)
class _OpenFile:
    """Where an open file stood among the arguments: its descriptor crosses beside them."""

    number: int
    mode: str


def _files_apart(args: tuple) -> tuple[tuple, list[int]]:
    """The arguments with each open file replaced by an :class:`_OpenFile`, and their descriptors."""
    opened = [a.fileno() for a in args if isinstance(a, io.IOBase)]
    numbers = iter(range(len(opened)))
    return tuple(_OpenFile(next(numbers), getattr(a, "mode", "rb+")) if isinstance(a, io.IOBase) else a
                 for a in args), opened


def _files_back(args: tuple, opened: list[int]) -> tuple:
    """The arguments with their open files and shared values as they were."""
    return tuple(os.fdopen(opened[a.number], a.mode) if isinstance(a, _OpenFile) else
                 pickle.loads(a.pickled) if isinstance(a, _SharedValue) else a for a in args)  # noqa: S301


@dataclass(frozen=True)
class _SharedValue:
    """A value in shared memory among the arguments (``multiprocessing``'s, made in a ``spawn`` or
    ``forkserver`` context: one made for ``fork`` cannot be shared), pickled as ``multiprocessing``
    pickles it for a process it starts."""

    pickled: bytes


class _Spawning:
    """Stands for a process being started while shared values are pickled: ``multiprocessing`` then
    hands their memory over as descriptors, which the helper is given under the same numbers."""

    def __init__(self) -> None:
        from multiprocessing.popen_spawn_posix import _DupFd  # POSIX only, as helpers are

        self.DupFd = _DupFd
        self.fds: list[int] = []

    def duplicate_for_child(self, fd: int) -> int:
        self.fds.append(fd)
        return fd


def _shared_apart(args: tuple) -> tuple[tuple, list[int]]:
    """The arguments with each shared value replaced by a :class:`_SharedValue`, and the
    descriptors of their memory."""
    if not any(isinstance(a, SynchronizedBase) for a in args):
        return args, []
    spawning = _Spawning()
    set_spawning_popen(spawning)
    try:
        return tuple(_SharedValue(bytes(reduction.ForkingPickler.dumps(a))) if isinstance(a, SynchronizedBase) else a
                     for a in args), spawning.fds
    finally:
        set_spawning_popen(None)


def _dump(value: Any, stream: IO[bytes], buffers: IO[bytes]) -> Spans:  # noqa: ANN401
    """Pickle ``value`` into ``stream``, its large buffers into ``buffers``; return where those are."""
    spans: Spans = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        try:
            raw = buffer.raw()
        except BufferError:  # not contiguous: pickled in band
            return True
        if raw.nbytes < OUT_OF_BAND_BYTES:
            return True
        offset = buffers.seek(0, os.SEEK_END)
        offset = buffers.seek(offset + -offset % ALIGNMENT)
        buffers.write(raw)
        spans.append((offset, raw.nbytes))
        return False

    pickle.dump(value, stream, protocol=5, buffer_callback=out_of_band)
    stream.flush()
    buffers.flush()
    return spans


def _load(stream: IO[bytes], buffers: IO[bytes], spans: Spans) -> Any:  # noqa: ANN401
    """What :func:`_dump` wrote, its buffers mapped from their file (copy on write: arrays made on
    them stay writable, and the file is never changed)."""
    stream.seek(0)
    views = []
    if spans:
        mapped = memoryview(mmap.mmap(buffers.fileno(), 0, access=mmap.ACCESS_COPY))
        views = [mapped[offset:offset + length] for offset, length in spans]
    return pickle.load(stream, buffers=views)  # noqa: S301 - written by our own process just now


def _serve(arguments: list[str]) -> None:
    """In the helper: read the work from standard input, run it, and leave its result in the result
    files and ``ok`` in the status, or what went wrong in the status. ``arguments`` are the
    descriptors of the files (see :func:`start_in_helper`) as text."""
    result, result_buffers, status, *opened = map(int, arguments)
    with open(status, "wb") as report:
        try:
            sys.path[:] = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the process that started this one
            function, args = pickle.load(sys.stdin.buffer)  # noqa: S301
            sys.stdin.close()
            with open(result, "wb") as stream, open(result_buffers, "wb") as buffers:
                outcome = ("ok", _dump(function(*_files_back(args, opened)), stream, buffers))
        except Exception as error:  # noqa: BLE001 - reported to the process that asked, which raises it
            outcome = ("error", error.with_traceback(None))
        try:
            pickle.dump(outcome, report)
        except Exception:  # noqa: BLE001 - an error that cannot be pickled is sent as text
            report.seek(0)
            report.truncate()
            error = outcome[1]
            pickle.dump(("unsendable error", f"{type(error).__name__}: {error}"), report)


#: What a helper runs (``-c``): :func:`_serve`, given the descriptors.
_HELPER = f"import sys; from {__name__} import _serve; _serve(sys.argv[1:])"
