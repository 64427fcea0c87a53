"""Workshop maps and report charts, importable or from the command line.

    python visualise.py output/graph --preset below-the-radar --out map.html
    python visualise.py output/graph --preset ego --organisation GB-CHC-1061681 --out age_uk.html
    python visualise.py output/graph --all --out maps/
    python visualise.py output/graph --preset network --layout geographic \
        --boundaries data/geography/hounslow_lsoa11_bsc.geojson --presenter --out places.html
    python visualise.py output/graph --preset network --max-nodes 500 --aggregate-by ward --out wards.html

Each map is ONE self-contained HTML file that works with no internet (see :mod:`maps.render`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civicgraph.analysis.lookup import find_organisation
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.maps.charts import centrality_league_chart, funding_against_deprivation_chart
from civicgraph.maps.geography import geographic_layout, read_boundaries
from civicgraph.maps.presets import PRESETS, preset_view
from civicgraph.maps.render import MAX_NODES, render_map


def workshop_map(graph: GraphLike, preset: str, path: str | Path, *, organisation: str | None = None,
                 size_by: str = "pagerank", max_nodes: int = MAX_NODES, aggregate_by: str = "kind",
                 gather_by: str = "kind", layout: str = "force", boundaries: str | Path | None = None,
                 presenter: bool = False, seed: int = 7) -> Path:
    """Write the map of one preset (``below-the-radar``, ``coproduction``, ``infrastructure``,
    ``funding``, ``network``, or ``ego`` with ``organisation``: an id or a name, see
    :func:`analysis.lookup.find_organisation`).

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        The whole built graph (a build's ``outcome.frames`` or its networkx ``outcome.graph``).
    preset : str
    path : path
        The ``.html`` file to write.
    organisation : str, optional
        The organisation id of the ``ego`` map.
    size_by : str
        Measure that sizes organisations (see :func:`maps.render.render_map`).
    max_nodes : int
        Above this the map opens grouped by ``aggregate_by`` (``kind`` or ``ward``); a click on a
        group shows its members.
    gather_by : {"kind", "ward"}
        How organisations with no link on the map are gathered.
    layout : {"force", "geographic"}
        ``geographic`` places each node by its postcode (or its LSOA or ward) over the ward
        boundaries dissolved from ``boundaries``, shaded by deprivation.
    boundaries : path, optional
        LSOA boundaries (GeoJSON, as ONS publishes them); needed for ``geographic``.
    presenter : bool
        Open in presenter mode (large labels, thick lines).
    seed : int
        Seed of the force layout: the same seed, the same map.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("f", kind="Funder", name="F", provenance=[])
    >>> workshop_map(g, "network", Path(tempfile.mkdtemp()) / "m.html").suffix
    '.html'
    """
    graph = as_frames(graph)
    if organisation:
        organisation = find_organisation(graph, organisation)
    view = preset_view(graph, preset, organisation=organisation)
    placed, background, caption = None, None, view.caption
    if layout == "geographic":
        if boundaries is None:
            raise ValueError("the geographic layout needs LSOA boundaries (a GeoJSON file): pass boundaries")
        placed, background, placement = geographic_layout(view.graph, view.context, read_boundaries(boundaries))
        caption = f"{caption} {placement}"
    elif layout != "force":
        raise ValueError(f"layout {layout!r} is not known. Use one of: 'force', 'geographic'.")
    return render_map(view.graph, path, title=view.title, caption=caption, size_by=size_by, max_nodes=max_nodes,
                      aggregate_by=aggregate_by, context=view.context, gather_by=gather_by, seed=seed,
                      presenter=presenter, layout=placed, background=background)


def write_all_maps(graph: GraphLike, folder: str | Path, *, boundaries: str | Path | None = None) -> list[Path]:
    """Every preset map and the two report charts, into ``folder``.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
    folder : path
    boundaries : path, optional
        LSOA boundaries (GeoJSON): with them, ``places.html`` too, every organisation on the
        borough's map.

    Returns
    -------
    list of Path
        ``{preset}.html`` for each preset, ``places.html`` (with ``boundaries``),
        ``funding_by_ward_vs_imd.png``, ``centrality_league.png``.
    """
    folder = Path(folder)
    graph = as_frames(graph)  # read as tables once for every map
    written = [workshop_map(graph, preset, folder / f"{preset}.html") for preset in PRESETS]
    if boundaries is not None:
        written.append(workshop_map(graph, "network", folder / "places.html", layout="geographic",
                                    boundaries=boundaries))
    written.append(funding_against_deprivation_chart(graph, folder / "funding_by_ward_vs_imd.png"))
    written.append(centrality_league_chart(graph, folder / "centrality_league.png"))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python visualise.py GRAPH_FOLDER (--preset NAME | --all) --out PATH``."""
    from civicgraph.core.errors import GraphStoreError, SourceFormatError
    from civicgraph.graph.store import load_graph

    parser = argparse.ArgumentParser(description="Workshop maps: self-contained, offline HTML.")
    parser.add_argument("graph", help="a graph folder written by 'civicgraph build'")
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--preset", choices=[*PRESETS, "ego"])
    choice.add_argument("--all", action="store_true", help="every preset, and the report charts")
    parser.add_argument("--organisation", help="the organisation (id or name) for --preset ego")
    parser.add_argument("--size-by", default="pagerank", help="centrality that sizes nodes (default pagerank)")
    parser.add_argument("--layout", choices=["force", "geographic"], default="force",
                        help="force (default) or geographic: placed by postcode over ward boundaries")
    parser.add_argument("--boundaries", help="LSOA boundaries (GeoJSON) for --layout geographic and --all")
    parser.add_argument("--max-nodes", type=int, default=MAX_NODES,
                        help=f"above this many nodes the map opens grouped (default {MAX_NODES:,})")
    parser.add_argument("--aggregate-by", choices=["kind", "ward"], default="kind", help="how a big map is grouped")
    parser.add_argument("--gather-by", choices=["kind", "ward"], default="kind",
                        help="how organisations with no link on the map are gathered")
    parser.add_argument("--presenter", action="store_true", help="open in presenter mode (large labels)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the layout (default 7)")
    parser.add_argument("--out", required=True, help="the .html file (or folder, with --all)")
    args = parser.parse_args(argv)
    try:
        graph = load_graph(args.graph)
        written = write_all_maps(graph, args.out, boundaries=args.boundaries) if args.all else [
            workshop_map(graph, args.preset, args.out, organisation=args.organisation, size_by=args.size_by,
                         max_nodes=args.max_nodes, aggregate_by=args.aggregate_by, gather_by=args.gather_by,
                         layout=args.layout, boundaries=args.boundaries, presenter=args.presenter, seed=args.seed)]
    except (GraphStoreError, SourceFormatError, ValueError, LookupError, OSError) as error:
        message = str(error).strip(chr(39)) if type(error) is KeyError else str(error)  # KeyError quotes its text
        print(f"visualise: error: {message}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
