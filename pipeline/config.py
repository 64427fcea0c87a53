"""Build configuration: which authority, which source files, read from one TOML file.

A borough's graph is a configuration, not code. Example (``config/hounslow.toml``)::

    [authority]
    name = "London Borough of Hounslow"
    gss_code = "E09000018"
    org_id = "GB-LAE-HNS"
    code = "HNS"

    [build]
    validate = true      # check the graph against the SHACL shapes
    strict = false       # true: any rejected row aborts the build
    parallel_merge = false  # true: merge a large graph's edges in a second process (faster, more memory)

    [[source]]
    loader = "ons-lookup"
    path = "../data/geography/hounslow_lsoa11_ward17_lookup.csv"

    [resolution]         # optional: entity resolution (these are the defaults, but for the file)
    accept = 0.9         # pairs scoring at least this are merged
    review = 0.75        # pairs scoring at least this wait in the review file
    review_file = "hounslow_review.csv"   # decisions kept across rebuilds

    [comparison]         # optional: compare the authority's grant funding with its peers
    grants = ["../data/360giving/london_powertochange_grants.json"]
    peers = ["E09000009", "E09000017"]

    [maps]               # optional: the workshop maps
    boundaries = "../data/geography/hounslow_lsoa11_bsc.geojson"   # LSOA boundaries: adds places.html

Paths are relative to the configuration file. Sources are listed in priority order: where two
disagree on a field, the earlier one's value is kept and the disagreement recorded.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import ConfigError
from loaders.base import LoadContext
from resolve.resolution import ResolutionSettings

PSEUDONYM_KEY_VARIABLE = "CIVICGRAPH_PSEUDONYM_KEY"


@dataclass(frozen=True)
class SourceConfig:
    """One source file and the loader that reads it; other keys are the loader's options.

    ``url`` and ``sha256``, where given, say where ``civicgraph fetch`` downloads the file from and
    the checksum it must have.
    """

    loader: str
    path: Path
    options: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class BuildConfig:
    """A parsed build configuration.

    Attributes
    ----------
    path : Path
        The configuration file.
    authority_name, authority_gss, authority_id, authority_code : str
        The local authority: name, GSS code, Org-ID and three-letter code.
    sources : list of SourceConfig
        In priority order.
    validate : bool
        Whether the build checks the graph against the SHACL shapes.
    strict : bool
        Whether any rejected row aborts the build.
    parallel_merge : bool
        Whether a large graph's edges are merged in a second process beside its nodes (see
        :func:`graph.assemble.assemble_frames`: a national build 12-16 s faster, 1.8 GB more memory).
    comparison_grants : list of Path
        360Giving files read unfiltered to compare the authority with its peers (``[comparison]``).
    peers : list of str
        GSS codes of the peer authorities.
    resolution : ResolutionSettings
        Entity resolution thresholds and review file (``[resolution]``).
    map_boundaries : Path or None
        LSOA boundaries (GeoJSON) for the geographic workshop map (``[maps] boundaries``).
    """

    path: Path
    authority_name: str
    authority_gss: str
    authority_id: str
    authority_code: str
    sources: list[SourceConfig]
    validate: bool = True
    strict: bool = False
    parallel_merge: bool = False
    comparison_grants: list[Path] = field(default_factory=list)
    peers: list[str] = field(default_factory=list)
    resolution: ResolutionSettings = field(default_factory=ResolutionSettings)
    map_boundaries: Path | None = None

    def context(self, pseudonym_key: bytes | None = None) -> LoadContext:
        """The :class:`LoadContext` loaders get for this authority."""
        return LoadContext(self.authority_gss, self.authority_id, self.authority_name, pseudonym_key)


def _require(table: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in table or table[key] in ("", None):
        raise ConfigError(f"{path}: [{where}] needs '{key}'")
    return table[key]


def read_config(path: str | os.PathLike[str], *, require_files: bool = True) -> BuildConfig:
    """Read and check a build configuration file.

    Parameters
    ----------
    path : path
        A TOML file as described in this module's docstring.
    require_files : bool
        Check that every source file exists (not before ``fetch`` has downloaded them).

    Returns
    -------
    BuildConfig

    Raises
    ------
    ConfigError
        Naming the file and the missing or wrong key, or a source file that does not exist.

    Examples
    --------
    >>> read_config("config/hounslow.toml").authority_gss
    'E09000018'
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    authority = raw.get("authority")
    if not isinstance(authority, dict):
        raise ConfigError(f"{path}: an [authority] table is required")
    for key in ("name", "gss_code", "org_id", "code"):
        _require(authority, key, "authority", path)
    sources = []
    for number, source in enumerate(raw.get("source", []), start=1):
        where = f"source {number}"
        loader = _require(source, "loader", where, path)
        file = (path.parent / _require(source, "path", where, path)).resolve()
        if require_files and not file.exists():
            hint = "; run 'civicgraph fetch' first" if source.get("url") else ""
            raise ConfigError(f"{path}: [{where}] path {source['path']!r}: no such file ({file}){hint}")
        options = {k: v for k, v in source.items() if k not in ("loader", "path", "url", "sha256")}
        sources.append(SourceConfig(loader, file, options, source.get("url"), source.get("sha256")))
    if not sources:
        raise ConfigError(f"{path}: no [[source]] entries; list the files the graph is built from")
    build = raw.get("build", {})
    _refuse_unknown(build, {"validate", "strict", "parallel_merge"}, "build", path)
    comparison = raw.get("comparison", {})
    comparison_grants = []
    for name in comparison.get("grants", []):
        file = (path.parent / name).resolve()
        if require_files and not file.exists():
            raise ConfigError(f"{path}: [comparison] grants {name!r}: no such file ({file})")
        comparison_grants.append(file)
    maps = raw.get("maps", {})
    _refuse_unknown(maps, {"boundaries"}, "maps", path)
    boundaries = (path.parent / maps["boundaries"]).resolve() if "boundaries" in maps else None
    if require_files and boundaries is not None and not boundaries.exists():
        raise ConfigError(f"{path}: [maps] boundaries {maps['boundaries']!r}: no such file ({boundaries})")
    return BuildConfig(
        resolution=_resolution_settings(raw.get("resolution", {}), path),
        path=path.resolve(),
        authority_name=_require(authority, "name", "authority", path),
        authority_gss=_require(authority, "gss_code", "authority", path),
        authority_id=_require(authority, "org_id", "authority", path),
        authority_code=_require(authority, "code", "authority", path),
        sources=sources,
        validate=_flag(build, "validate", True, path),
        strict=_flag(build, "strict", False, path),
        parallel_merge=_flag(build, "parallel_merge", False, path),
        comparison_grants=comparison_grants,
        peers=[str(code) for code in comparison.get("peers", [])],
        map_boundaries=boundaries,
    )


def _refuse_unknown(table: dict[str, Any], known: set[str], where: str, path: Path) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: [{where}] {unknown[0]!r} is not a setting. Use one of: "
                          + ", ".join(f"'{k}'" for k in sorted(known)) + ".")


def _flag(build: dict[str, Any], key: str, default: bool, path: Path) -> bool:
    value = build.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: [build] {key} = {value!r}: write true or false")
    return value


def _resolution_settings(table: dict[str, Any], path: Path) -> ResolutionSettings:
    _refuse_unknown(table, {"accept", "review", "review_file", "enabled", "max_block", "chunk_pairs"},
                    "resolution", path)
    defaults = ResolutionSettings()
    try:
        accept, review = float(table.get("accept", defaults.accept)), float(table.get("review", defaults.review))
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: [resolution] accept and review are scores between 0 and 1") from None
    if not 0 <= review <= accept <= 1:
        raise ConfigError(f"{path}: [resolution] needs 0 <= review <= accept <= 1 (got review={review}, "
                          f"accept={accept})")
    review_file = table.get("review_file")
    return ResolutionSettings(accept=accept, review=review,
                              review_file=(path.parent / review_file).resolve() if review_file else None,
                              max_block=int(table.get("max_block", defaults.max_block)),
                              chunk_pairs=int(table.get("chunk_pairs", defaults.chunk_pairs)),
                              enabled=bool(table.get("enabled", True)))


def pseudonym_key_from_environment() -> bytes | None:
    """The user's pseudonymisation key, from ``$CIVICGRAPH_PSEUDONYM_KEY`` (never from the repo).

    Examples
    --------
    >>> os.environ[PSEUDONYM_KEY_VARIABLE] = "s3cret"
    >>> pseudonym_key_from_environment()
    b's3cret'
    >>> del os.environ[PSEUDONYM_KEY_VARIABLE]
    """
    value = os.environ.get(PSEUDONYM_KEY_VARIABLE)
    return value.encode() if value else None
