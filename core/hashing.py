"""Checksums of files and folders, as the manifests and ``civicgraph fetch`` record them."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Bytes read at a time: files are hashed without holding them in memory.
BLOCK_BYTES = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 in hex of a file, or of a folder's files (their bytes, in order of their sorted paths).

    Parameters
    ----------
    path : Path
        A file, or a folder (a multi-file source or a Parquet dataset).

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    >>> sha256_of(p.parent) == sha256_of(p)
    True
    """
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
                digest.update(block)
    return digest.hexdigest()
