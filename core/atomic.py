"""Output folders that are replaced whole or not at all, and only when civicgraph wrote them.

Every folder written through :func:`atomic_directory` carries a marker file,
:data:`MARKER` (JSON: the format name and every file the folder held when written). A later run
replaces a folder only when it is new, empty, or proven to be a previous output by its marker (and
holds no file the marker does not list) or by the manifest of an earlier version's graph; anything
else is refused with a one-line :class:`~civicgraph.core.errors.OutputFolderError` and left untouched.

The new folder is written in a hidden sibling (``.{name}.building-{pid}-...``). On Linux the
finished folder and the previous one are exchanged in one step (``renameat2`` with
``RENAME_EXCHANGE``), so the output is never missing; elsewhere the previous one is renamed aside
(``.{name}.old-{pid}-...``) just before the new one takes its place, and a run that finds the output
missing puts the previous one back. Siblings left by a process that is no longer running (a build
killed partway) are removed at the start of the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from civicgraph.core.errors import OutputFolderError

__all__ = ["MARKER", "OUTPUT_FORMAT", "atomic_directory", "check_replaceable", "clean_stale_siblings"]

#: The marker file in every output folder civicgraph writes.
MARKER = ".civicgraph-output.json"
#: The marker's ``format``.
OUTPUT_FORMAT = "civicgraph-output"
#: Top-level names of the outputs of versions that wrote no marker (a graph folder, ``run``'s
#: folder, a Cypher folder); such a folder is replaced only when it holds nothing else.
EARLIER_OUTPUT_NAMES = frozenset({
    "manifest.json", "nodes.parquet", "edges.parquet", "conflicts.parquet", "nodes.jsonl", "edges.jsonl",
    "rejections.csv", "matches.csv", "summary.json", "graph", "answers", "maps", "cypher", "exports",
    "graph.lbug", "graph.lbug.wal",
})
_STAGES = ("building", "old")


def _files(folder: Path) -> Iterator[str]:
    """Relative paths of every file and symlink under ``folder``, not following symlinks, except
    inside subfolders that carry their own marker (they are checked on their own)."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        here = Path(root)
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)
                files.append(name)
            elif (here / name / MARKER).is_file():
                dirs.remove(name)
                check_replaceable(here / name)
        for name in files:
            yield (here / name).relative_to(folder).as_posix()


def _marker_files(folder: Path) -> set[str] | None:
    """The files the marker in ``folder`` lists, or None when there is no readable marker."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("format") != OUTPUT_FORMAT:
        return None
    return {str(f) for f in marker.get("files", [])}


def _is_earlier_output(folder: Path) -> bool:
    """Whether ``folder`` is a graph, ``run`` or Cypher folder written before markers existed."""
    for manifest in (folder / "manifest.json", folder / "graph" / "manifest.json"):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("format") == "civicgraph-graph":
                return True
        except (OSError, ValueError, AttributeError):
            continue
    return (folder / "graph.lbug").is_file()


def _shown(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _refuse_unwritable(folder: Path) -> None:
    """Raise the system's error (read-only file system, permission) for the nearest existing folder
    at or above ``folder`` if nothing can be created in it: before a build, not after it."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        probe = folder / f".civicgraph-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError as error:
            raise OSError(error.errno, error.strerror, str(folder)) from None
        probe.rmdir()


def check_replaceable(target: str | os.PathLike[str]) -> None:
    """Refuse to replace ``target`` unless it is new, empty or an output civicgraph wrote.

    Parameters
    ----------
    target : path
        The output folder a command was given.

    Raises
    ------
    OutputFolderError
        ``target`` is a file, the working folder (or holds it), or a folder holding anything that
        is not a previous output; the message names it and what it holds.
    OSError
        Nothing can be written where ``target`` would be (a read-only file system): the message
        names the folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_replaceable(folder / "new")
    >>> _ = (folder / "thesis.txt").write_text("three years of work")
    >>> check_replaceable(folder)
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.OutputFolderError: ... holds files civicgraph did not write (thesis.txt); ...
    """
    target = Path(target)
    resolved = target.resolve()
    if resolved == resolved.parent:
        raise OutputFolderError(f"{target}: the root of a file system cannot be an output folder")
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise OutputFolderError(f"{target}: is the folder you are working in (or holds it); give a new folder")
    _refuse_unwritable(resolved.parent)
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise OutputFolderError(f"{target}: is a file, not a folder; give a new folder or one civicgraph wrote")
    names = sorted(p.name for p in target.iterdir())
    if not names:
        return
    listed = _marker_files(target)
    if listed is None:
        foreign = sorted(set(names) - EARLIER_OUTPUT_NAMES) if _is_earlier_output(target) else names
        if foreign:
            raise OutputFolderError(f"{target}: holds files civicgraph did not write ({_shown(foreign)}); "
                                    "give a new or empty folder, or one a previous run wrote")
        return
    foreign = sorted(set(_files(target)) - listed - {MARKER})
    if foreign:
        raise OutputFolderError(f"{target}: holds files civicgraph did not write ({_shown(foreign)}); "
                                "move them out first, or give another folder")


def _owner_alive(sibling: Path) -> bool:
    """Whether the process named in a staging folder's name (``...-{pid}-...``) is still running."""
    try:
        pid = int(sibling.name.rsplit(".", 1)[-1].split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _siblings(target: Path, stage: str) -> list[Path]:
    prefix = f".{target.name}.{stage}-"
    with contextlib.suppress(OSError):
        return sorted((p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()),
                      key=lambda p: p.stat().st_mtime)
    return []


def clean_stale_siblings(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the staging folders of ``target`` whose process is no longer running; when ``target``
    itself is missing because a swap was interrupted, put the previous output back first.

    Returns
    -------
    list of Path
        The folders removed.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".out.building-999999999-x").mkdir()  # no such process
    >>> [p.name for p in clean_stale_siblings(root / "out")]
    ['.out.building-999999999-x']
    """
    target = Path(target)
    old = [p for p in _siblings(target, "old") if not _owner_alive(p)]
    if old and not os.path.lexists(target):
        os.replace(old.pop(), target)
    removed = []
    for sibling in old + [p for p in _siblings(target, "building") if not _owner_alive(p)]:
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    return removed


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if function(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _write_marker(staging: Path) -> None:
    files = sorted(set(_files(staging)) - {MARKER})
    text = json.dumps({"format": OUTPUT_FORMAT, "version": 1, "files": files}, indent=1)
    (staging / MARKER).write_text(text + "\n", encoding="utf-8")


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh folder that replaces ``target`` only if the block completes.

    Parameters
    ----------
    target : path
        Folder to create or replace: new, empty, or an output civicgraph wrote
        (see :func:`check_replaceable`); checked before anything is written.

    Yields
    ------
    Path
        A hidden sibling of ``target`` to write into. On an exception it is removed and ``target``
        is untouched; on success the marker is added and it takes ``target``'s place.

    Raises
    ------
    OutputFolderError
        ``target`` holds something civicgraph did not write.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "out") as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (root / "out" / "a.txt").read_text()
    'done'
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.civicgraph-output.json', 'a.txt']
    """
    target = Path(target)
    clean_stale_siblings(target)
    check_replaceable(target)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-{os.getpid()}-", dir=target.parent))
    except OSError as error:  # named by the folder the user gave, not the hidden staging name tried
        raise OSError(error.errno, error.strerror, str(target.parent)) from None
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result should read like any folder
    try:
        yield staging
        _write_marker(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not os.path.lexists(target):
        os.replace(staging, target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous output
    else:
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
        os.rmdir(retired)
        os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
