"""civicgraph: a knowledge graph of a local civil-society ecosystem.

The repository's folders install as this one package (``civicgraph.graph``, ``civicgraph.loaders``,
...). What an analyst needs is here at the top::

    import civicgraph

    outcome = civicgraph.build("config/hounslow.toml")
    money = civicgraph.ask(outcome.frames, "05_funding_by_funder")
    civicgraph.workshop_map(outcome.frames, "funding", "funding.html")

``build`` reads a configuration and builds the graph; ``ask`` and ``answers`` give one or all of the
twelve answers with their coverage and caveats; ``workshop_map`` writes an offline map;
``load_graph`` and ``load_frames`` read a saved graph folder; ``read_config`` reads a configuration.
The parts are imported when first used, so ``import civicgraph`` stays quick.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civicgraph.pipeline.build import BuildOutcome
    from civicgraph.pipeline.config import BuildConfig

#: The analyst's names and the module each comes from.
API = {
    "ask": "civicgraph.pipeline.answers",
    "answers": "civicgraph.pipeline.answers",
    "read_config": "civicgraph.pipeline.config",
    "load_graph": "civicgraph.graph.store",
    "load_frames": "civicgraph.graph.store",
    "workshop_map": "civicgraph.visualise",
}
_RENAMED = {"answers": "answer_all"}

__all__ = ["build", *API]


def build(config: str | os.PathLike[str] | BuildConfig, *, progress: bool = True) -> BuildOutcome:
    """Build the graph a configuration describes (a path to its TOML file, or one already read).

    Examples
    --------
    >>> from pathlib import Path
    >>> outcome = build(Path(__file__).parent / "config" / "hounslow.toml", progress=False)  # doctest: +SKIP
    """
    from civicgraph.pipeline.build import build_graph
    from civicgraph.pipeline.config import read_config

    return build_graph(read_config(config) if isinstance(config, (str, os.PathLike)) else config, progress=progress)


def __getattr__(name: str) -> Any:
    if name in API:
        return getattr(import_module(API[name]), _RENAMED.get(name, name))
    raise AttributeError(f"module 'civicgraph' has no attribute {name!r}")
