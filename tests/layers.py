"""The package's layers, bottom up: a module may import its own layer and those below it, never one above.

``core`` imports nothing of ours; ``ontology`` the core; loaders read sources into records; ``resolve``
finds the same organisation in several records; ``graph`` merges, stores and validates; ``analysis``
asks the twelve questions; maps, the Cypher endpoint and exports are outputs; the pipeline and the
command line sit on top.
"""

from __future__ import annotations

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("ontology",),
    ("loaders",),
    ("resolve",),
    ("graph",),
    ("analysis",),
    ("maps", "cypher", "exports", "visualise"),
    ("pipeline",),
    ("cli", "__init__"),
)
#: The folders that are subpackages of ``civicgraph``.
PACKAGES: tuple[str, ...] = tuple(name for layer in LAYERS for name in layer if name not in ("visualise", "cli", "__init__"))
#: The top-level modules of ``civicgraph``.
MODULES: tuple[str, ...] = ("cli.py", "visualise.py", "__init__.py")


def layer_of(top: str) -> int:
    """The layer (0 at the bottom) of a top-level package or module of ``civicgraph``.

    Examples
    --------
    >>> layer_of("core") < layer_of("graph") < layer_of("pipeline")
    True
    """
    return next(number for number, names in enumerate(LAYERS) if top in names)
