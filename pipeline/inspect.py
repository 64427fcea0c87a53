"""Inspect a source file before loading it: what it would add, what it would reject."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from loaders.place_index import PlaceIndex
from loaders.registry import get_loader
from pipeline.authorities import authority_context
from pipeline.build import GEOGRAPHY_LOADERS, run_loaders
from pipeline.config import read_config

DEFAULT_AUTHORITY = "E09000018"


def inspect_source(loader: str, path: Path, *, config: str | None = None, authority: str | None = None,
                   options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one loader on one file and report counts, money, the filter and every rejected row.

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
        GSS code of the authority to filter to, when no configuration is given.
    options : dict, optional
        Loader options (as in a ``[[source]]`` entry).

    Returns
    -------
    dict
        ``loader``, ``file``, ``filter``, ``nodes``, ``edges``, ``money``, ``rejected_rows`` and
        ``rejections`` (a list of row dicts).

    Examples
    --------
    >>> report = inspect_source("360giving", Path("data/360giving/hounslow_360giving_grants.json"),
    ...                         options={"filter": "none"})
    >>> report["nodes"]["Grant"], report["rejected_rows"]
    (12, 0)
    """
    if config:
        build = read_config(config)
        geography = replace(build, sources=[s for s in build.sources if s.loader in GEOGRAPHY_LOADERS])
        places = run_loaders(geography, progress=False)[1] if geography.sources else PlaceIndex()
        context = replace(build.context(), places=places)
    else:
        context = authority_context(authority or DEFAULT_AUTHORITY)
    reader = get_loader(loader)
    reader.check_options(options or {})
    result = reader.load(path, context, **(options or {}))
    report = result.summary()
    report["rejections"] = result.rejections.to_dict("records")
    return report
