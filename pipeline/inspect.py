"""Inspect a source file before loading it: what it would add, what it would reject, which columns it found."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from civicgraph.core.errors import ConfigError, SourceFormatError
from civicgraph.loaders.limits import Limits, limits_in_force
from civicgraph.loaders.place_index import PlaceIndex
from civicgraph.loaders.registry import get_loader
from civicgraph.pipeline.authorities import authority_context
from civicgraph.pipeline.build import GEOGRAPHY_LOADERS, run_loaders
from civicgraph.pipeline.config import PSEUDONYM_KEY_VARIABLE, pseudonym_key_from_environment, read_config


def inspect_source(loader: str, path: Path, *, config: str | None = None, authority: str | None = None,
                   options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one loader on one file and report counts, money, the filter, the columns found and every
    rejected row.

    Parameters
    ----------
    loader : str
        A registered loader name.
    path : Path
        The file to check.
    config : str, optional
        A build configuration: its authority is used, and its geography sources give the places
        that grants and organisations are located against.
    authority : str, optional
        GSS code of the authority (or country) to filter to, when no configuration is given.
        One of ``config`` and ``authority`` is required: no council is assumed.
    options : dict, optional
        Loader options (as in a ``[[source]]`` entry).

    Returns
    -------
    dict
        ``loader``, ``file``, ``filter``, ``nodes``, ``edges``, ``money``, ``rejected_rows``,
        ``warnings``, ``columns`` (each column role the loader reads -> the file's column, None where
        not found) and ``rejections`` (a list of row dicts).

    Raises
    ------
    ConfigError
        When neither ``config`` nor ``authority`` is given.

    Examples
    --------
    >>> report = inspect_source("360giving", Path("data/360giving/hounslow_360giving_grants.json"),
    ...                         authority="E09000018", options={"filter": "none"})
    >>> report["nodes"]["Grant"], report["rejected_rows"]
    (12, 0)
    >>> inspect_source("spend", Path("tests/fixtures/spend/lgtc_spend_schema.csv"),
    ...                authority="E08000003")["columns"]["supplier"]
    'BeneficiaryName'
    """
    warnings: list[str] = []
    limits = Limits()
    if config:
        build = read_config(config)
        limits = build.limits
        context = build.context()
        geography = replace(build, sources=[s for s in build.sources if s.loader in GEOGRAPHY_LOADERS
                                            and s.path != Path(path).resolve()])
        try:
            with limits_in_force(limits):
                places = run_loaders(geography, progress=False)[1] if geography.sources else PlaceIndex()
        except SourceFormatError as error:  # one unreadable geography file must not hide this file's report
            places = PlaceIndex()
            warnings.append(f"the configuration's geography could not be read, so nothing is placed: {error}")
        context = replace(context, places=places)
    elif authority:
        context = authority_context(authority)
        if not context.national:
            warnings.append("no postcode directory with --authority alone: rows kept or placed by their postcode "
                            "(a register list's contact postcode, a grant's recipient) are not; give --config "
                            "with your ons-lookup and ons-postcodes sources to see what the build keeps")
    else:
        raise ConfigError("inspect needs --config (a build configuration) or --authority (a GSS code, e.g. "
                          "E08000003, or K04000001 for England and Wales): no council is assumed")
    key = pseudonym_key_from_environment()
    one_time = key is None  # nothing is kept: people are counted under pseudonyms made with a key used once
    context = replace(context, pseudonym_key=secrets.token_bytes(32) if one_time else key)
    reader = get_loader(loader)
    reader.check_options(options or {})
    with limits_in_force(limits):
        result = reader.load(Path(path), context, **(options or {}))
    report = result.summary()
    if one_time and result.nodes["kind"].eq("Person").any():
        warnings.append(f"{PSEUDONYM_KEY_VARIABLE} is not set: people are pseudonymised with a one-time key, "
                        "so the counts are right but the pseudonyms are not those of a build")
    report["warnings"] = warnings + report.get("warnings", [])
    report["columns"] = reader.found_columns(Path(path))
    report["rejections"] = result.rejections.to_dict("records")
    return report
