"""Build configuration: which authority, which source files, read from one TOML file.

A borough's graph is a configuration, not code. Example (``config/hounslow.toml``)::

    [authority]
    gss_code = "E09000018"       # the rest is derived from the bundled council register:
    name = "London Borough of Hounslow"   # optional: the borough's own words in titles
    org_id = "GB-LAE-HNS"        # optional: checked against the register when given
    code = "HNS"                 # optional: likewise

    [build]
    validate = true      # check the graph against the SHACL shapes
    strict = false       # true: any rejected row aborts the build
    parallel_merge = false  # true: merge a large graph's edges in a second process (faster, more memory)
    min_placed_share = 0.5  # warn of a source that places less than this share of what has a postcode
    keep_contacts = false   # true: keep e-mail addresses and phone numbers found in free text

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

    [briefs]             # optional: LSOA boundaries (GeoJSON) for the ward maps of the one-page briefs
    boundaries = "../data/geography/hounslow_lsoa11_bsc.geojson"
    [classification]     # optional: the borough's own rules for what kind of body each organisation is
    rules = ["my_organisation_classes.csv"]   # tried before pipeline/reference/organisation_classes.csv

    [money]              # optional: count grants in other currencies in GBP totals at these rates
    rates = { USD = 0.79, EUR = 0.85 }   # GBP per unit; the answers name the rate used

    [limits]             # optional: what a source may make the readers do (these are the defaults)
    max_json_depth = 100            # deepest nesting of lists and objects in a JSON source
    max_field_bytes = 1048576       # longest CSV cell, bytes of UTF-8 (1 MiB)
    max_rows = 20000000             # most data rows in a CSV source
    max_unpack_ratio = 100          # fetch: a zip may unpack to this many times its size (+64 MiB)
    max_unpacked_bytes = 8589934592 # fetch: and to this many bytes in all (8 GiB)

Paths are relative to the configuration file and stay inside the project (the folder holding the
configuration's folder) unless written as absolute paths. Unknown sections or keys and values of
the wrong type are refused (:mod:`pipeline.config_schema`). Sources are listed in priority order: where two
disagree on a field, the earlier one's value is kept and the disagreement recorded.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicgraph.core.errors import ConfigError
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.limits import Limits
from civicgraph.pipeline.authorities import Authority, find_authority
from civicgraph.pipeline.config_schema import check_config, project_path
from civicgraph.resolve.resolution import ResolutionSettings

PSEUDONYM_KEY_VARIABLE = "CIVICGRAPH_PSEUDONYM_KEY"
#: Loader options that name a file: relative to the configuration file, like ``path``.
PATH_OPTIONS = frozenset({"directorate_map"})


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
    keep_contacts : bool
        Whether e-mail addresses and phone numbers in free text are kept (by default they are
        withheld as the sources are loaded: :mod:`loaders.personal_data`).
    min_placed_share : float
        A source that places less than this share of its organisations, buildings, land and grants
        with a postcode (in a ward, or outside the authority) is warned of (``[build]``; default 0.5).
    parallel_merge : bool
        Whether a large graph's edges are merged in a second process beside its nodes (see
        :func:`graph.assemble.assemble_frames`: a national build 12-16 s faster, 1.8 GB more memory).
    comparison_grants : list of Path
        360Giving files read unfiltered to compare the authority with its peers (``[comparison]``).
    peers : list of str
        GSS codes of the peer authorities.
    boundaries : Path or None
        LSOA boundaries (GeoJSON) for the ward maps of the briefs (``[briefs] boundaries``).
    resolution : ResolutionSettings
        Entity resolution thresholds and review file (``[resolution]``).
    classification_rules : list of Path
        The borough's own rules for classifying organisations (``[classification] rules``), tried
        before the bundled ones (:mod:`pipeline.classify`).
    rates : dict of str to float
        GBP per unit of other currencies (``[money] rates``); money in a currency without a rate
        is never counted in a GBP total, only listed in its own currency.
    limits : Limits
        What a source may make the readers do (``[limits]``, :mod:`loaders.limits`): in force
        while the sources are built or fetched.
    wards : str
        Which ward set the graph uses (``[geography] wards``): ``lookup`` (the LSOA lookup's wards,
        with their names; the default) or ``postcodes`` (the current ward codes of a postcode
        directory such as OS Code-Point Open, code only; :mod:`pipeline.wards`).
    own_words : dict of str to str
        The borough's own words for some answers (``[answers] own_words``: answer key -> words),
        shown in brackets after the generic title; none by default.
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
    min_placed_share: float = 0.5
    keep_contacts: bool = False
    comparison_grants: list[Path] = field(default_factory=list)
    peers: list[str] = field(default_factory=list)
    boundaries: Path | None = None
    resolution: ResolutionSettings = field(default_factory=ResolutionSettings)
    classification_rules: list[Path] = field(default_factory=list)
    own_words: dict[str, str] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    wards: str = "lookup"

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
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: byte {error.start}: not UTF-8 text (TOML files are UTF-8)") from None
    check_config(raw, path)
    authority = raw.get("authority")
    if not isinstance(authority, dict):
        raise ConfigError(f"{path}: an [authority] table is required")
    found = _authority(authority, path)
    sources = []
    for number, source in enumerate(raw.get("source", []), start=1):
        where = f"source {number}"
        loader = _require(source, "loader", where, path)
        file = project_path(path, _require(source, "path", where, path), f"[{where}] path")
        if require_files and not file.exists():
            hint = "; run 'civicgraph fetch' first" if source.get("url") else ""
            raise ConfigError(f"{path}: [{where}] path {source['path']!r}: no such file ({file}){hint}")
        options = {k: v for k, v in source.items() if k not in ("loader", "path", "url", "sha256")}
        options.update({k: (path.parent / v).resolve() for k, v in options.items() if k in PATH_OPTIONS})
        sources.append(SourceConfig(loader, file, options, source.get("url"), source.get("sha256")))
    if not sources:
        raise ConfigError(f"{path}: no [[source]] entries; list the files the graph is built from")
    build = raw.get("build", {})
    comparison = raw.get("comparison", {})
    comparison_grants = []
    for name in comparison.get("grants", []):
        file = project_path(path, name, "[comparison] grants")
        if require_files and not file.exists():
            raise ConfigError(f"{path}: [comparison] grants {name!r}: no such file ({file})")
        comparison_grants.append(file)
    briefs = raw.get("briefs", {})
    boundaries = project_path(path, briefs["boundaries"], "[briefs] boundaries") if briefs.get("boundaries") else None
    if require_files and boundaries is not None and not boundaries.exists():
        raise ConfigError(f"{path}: [briefs] boundaries {briefs['boundaries']!r}: no such file ({boundaries})")
    classification = raw.get("classification", {})
    classification_rules = []
    for name in classification.get("rules", []):
        file = project_path(path, name, "[classification] rules")
        if require_files and not file.exists():
            raise ConfigError(f"{path}: [classification] rules {name!r}: no such file ({file})")
        classification_rules.append(file)
    return BuildConfig(
        resolution=_resolution_settings(raw.get("resolution", {}), path),
        path=path.resolve(),
        authority_name=str(authority.get("name") or found.name),
        authority_gss=found.gss_code,
        authority_id=found.org_id,
        authority_code=found.code,
        sources=sources,
        validate=build.get("validate", True),
        strict=build.get("strict", False),
        parallel_merge=build.get("parallel_merge", False),
        min_placed_share=_share(build.get("min_placed_share", 0.5), path),
        keep_contacts=build.get("keep_contacts", False),
        comparison_grants=comparison_grants,
        peers=[str(code) for code in comparison.get("peers", [])],
        boundaries=boundaries,
        classification_rules=classification_rules,
        rates={code: float(rate) for code, rate in raw.get("money", {}).get("rates", {}).items()},
        limits=Limits(**raw.get("limits", {})),
        wards=_ward_set(raw.get("geography", {}), path),
        own_words={key: words.strip() for key, words in raw.get("answers", {}).get("own_words", {}).items()},
    )


def _ward_set(table: dict[str, Any], path: Path) -> str:
    """``[geography] wards``, checked."""
    from civicgraph.pipeline.wards import WARD_SETS
    wards = table.get("wards", "lookup")
    if wards not in WARD_SETS:
        raise ConfigError(f"{path}: [geography] wards {wards!r} is not supported. Use one of: "
                          f"{', '.join(repr(w) for w in WARD_SETS)}")
    return wards


def _share(value: float, path: Path) -> float:
    """``[build] min_placed_share``, refused unless between 0 and 1."""
    if not 0 <= value <= 1:
        raise ConfigError(f"{path}: [build] min_placed_share = {value}: give a share between 0 and 1 (0.5 is half)")
    return float(value)


def _authority(table: dict[str, Any], path: Path) -> Authority:
    """The ``[authority]`` table's council, from its GSS code; ``org_id`` and ``code``, where given,
    must be the register's (a copied configuration keeps another council's otherwise)."""
    gss_code = str(_require(table, "gss_code", "authority", path))
    try:
        found = find_authority(gss_code)
    except ConfigError as error:
        raise ConfigError(f"{path}: [authority] gss_code: {error}") from None
    for key, expected in (("org_id", found.org_id), ("code", found.code)):
        given = table.get(key)
        if given not in (None, "") and str(given).strip().upper() != expected.upper():
            raise ConfigError(f"{path}: [authority] {key} = {given!r} is not that of {found.gss_code} "
                              f"({found.name}): the register says {expected!r}; write that, or leave {key} "
                              "out and it is derived from gss_code")
    return found


def _resolution_settings(table: dict[str, Any], path: Path) -> ResolutionSettings:
    defaults = ResolutionSettings()
    accept, review = float(table.get("accept", defaults.accept)), float(table.get("review", defaults.review))
    if not 0 <= review <= accept <= 1:
        raise ConfigError(f"{path}: [resolution] needs 0 <= review <= accept <= 1 (got review={review}, "
                          f"accept={accept})")
    review_file = table.get("review_file")
    return ResolutionSettings(accept=accept, review=review,
                              review_file=project_path(path, review_file, "[resolution] review_file")
                              if review_file else None,
                              max_block=table.get("max_block", defaults.max_block),
                              chunk_pairs=table.get("chunk_pairs", defaults.chunk_pairs),
                              enabled=table.get("enabled", True))


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
