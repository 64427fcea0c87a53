"""Download the sources a configuration names by URL: cached, checksummed, with a progress bar.

A ``[[source]]`` may carry ``url`` (where the file is published) and ``sha256`` (the expected
checksum of the download). ``fetch`` downloads each such source once into a cache folder keyed by
the URL, checks it, unpacks ``.zip`` archives, and places the file at the source's ``path`` so that
``build`` reads it from there. A cached download whose checksum still matches is not fetched again.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from tqdm.auto import tqdm

from civicgraph.core.errors import ConfigError, FetchError
from civicgraph.core.hashing import sha256_of
from civicgraph.loaders.limits import current_limits, limits_in_force
from civicgraph.pipeline.config import BuildConfig

DEFAULT_CACHE = Path.home() / ".cache" / "civicgraph"


@dataclass(frozen=True)
class Fetched:
    """What happened to one source: its URL, where it was put, its checksum, and whether it was cached."""

    url: str
    path: Path
    sha256: str
    from_cache: bool


def download(url: str, cache: Path, *, expected_sha256: str | None = None, progress: bool = True,
             timeout: float = 60.0) -> Fetched:
    """Download ``url`` into ``cache`` (once), verify it, and return where it is.

    Parameters
    ----------
    url : str
        An http(s) URL.
    cache : Path
        Cache folder; each URL gets a subfolder named by the hash of the URL.
    expected_sha256 : str, optional
        Checksum the file must have. Without it, a cached file is trusted as it is.
    progress : bool
        Show a progress bar.
    timeout : float
        Seconds to wait for the server.

    Raises
    ------
    FetchError
        On an HTTP error, a broken connection, or a checksum that does not match (the bad file is
        deleted).
    """
    folder = cache / hashlib.sha256(url.encode()).hexdigest()[:16]
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download"
    target = folder / name
    if target.exists() and (expected_sha256 is None or sha256_of(target) == expected_sha256):
        return Fetched(url, target, sha256_of(target), True)
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            response.raise_for_status()
            total = int(response.headers.get("Content-Length", 0)) or None
            with partial.open("wb") as handle, tqdm(total=total, unit="B", unit_scale=True, desc=name,
                                                    disable=not progress) as bar:
                for block in response.iter_content(chunk_size=1 << 16):
                    handle.write(block)
                    bar.update(len(block))
    except requests.RequestException as error:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: download failed ({error})") from None
    digest = sha256_of(partial)
    if expected_sha256 and digest != expected_sha256:
        partial.unlink()
        raise FetchError(f"{url}: checksum {digest} does not match the expected {expected_sha256}; "
                         "the file was not kept")
    partial.replace(target)
    return Fetched(url, target, digest, False)


#: The allowance small archives get above :attr:`Limits.max_unpack_ratio` times their size.
UNPACK_ALLOWANCE_BYTES = 64 << 20


def place(fetched: Fetched, destination: Path) -> None:
    """Put a download where its source reads it: unpack a ``.zip`` into a folder, else copy the file.

    Raises
    ------
    FetchError
        An archive that unpacks to more than ``max_unpack_ratio`` times its size (plus
        :data:`UNPACK_ALLOWANCE_BYTES`) or more than ``max_unpacked_bytes``, the limits in force
        (:mod:`loaders.limits`, a configuration's ``[limits]``): the files unpacked so far are removed.
    """
    if zipfile.is_zipfile(fetched.path):
        folder = destination if destination.suffix == "" else destination.parent
        folder.mkdir(parents=True, exist_ok=True)
        limits = current_limits()
        by_ratio = limits.max_unpack_ratio * fetched.path.stat().st_size + UNPACK_ALLOWANCE_BYTES
        limit = min(by_ratio, limits.max_unpacked_bytes)
        named = ("[limits] max_unpacked_bytes" if limit < by_ratio
                 else f"{limits.max_unpack_ratio} times its size, [limits] max_unpack_ratio")
        written: list[Path] = []
        try:
            with zipfile.ZipFile(fetched.path) as archive:
                left = limit
                for member in archive.infolist():
                    name = Path(member.filename).name  # never write outside the folder
                    if name and not member.is_dir():
                        written.append(folder / name)
                        with archive.open(member) as source, (folder / name).open("wb") as out:
                            left = _copy_at_most(source, out, left)
                            if left < 0:
                                raise FetchError(f"{fetched.url}: the archive unpacks to more than the limit of "
                                                 f"{limit:,} bytes ({named}); refused as a zip bomb")
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fetched.path, destination)


def _copy_at_most(source: Any, out: Any, left: int, *, block: int = 1 << 20) -> int:
    """Copy until ``left`` bytes are used up; return what is left (negative: there was more)."""
    while chunk := source.read(min(block, max(left, 0) + 1)):
        left -= len(chunk)
        if left < 0:
            return left
        out.write(chunk)
    return left


def fetch_sources(config: BuildConfig, *, cache: Path = DEFAULT_CACHE, progress: bool = True) -> list[Fetched]:
    """Download every source of ``config`` that has a ``url`` and put it at its ``path``.

    Returns
    -------
    list of Fetched
        One per source with a URL, in configuration order.

    Raises
    ------
    ConfigError
        If no source has a URL.
    """
    fetched = []
    with limits_in_force(config.limits):
        for source in config.sources:
            if not source.url:
                continue
            result = download(source.url, cache, expected_sha256=source.sha256, progress=progress)
            place(result, source.path)
            fetched.append(result)
    if not fetched:
        raise ConfigError(f"{config.path.name}: no [[source]] has a url to fetch")
    return fetched
