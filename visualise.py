"""Workshop maps and report charts, importable or from the command line.

    python visualise.py output/graph --preset below-the-radar --out map.html
    python visualise.py output/graph --preset ego --organisation GB-CHC-1061681 --out age_uk.html
    python visualise.py output/graph --all --out maps/

Each map is ONE self-contained HTML file that works with no internet (see :mod:`maps.render`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import networkx as nx

from graph.lookup import find_organisation
from maps.charts import centrality_league_chart, funding_against_deprivation_chart
from maps.presets import PRESETS, preset_view
from maps.render import MAX_NODES, render_map


def workshop_map(graph: nx.MultiDiGraph, preset: str, path: str | Path, *, organisation: str | None = None,
                 size_by: str = "pagerank", max_nodes: int = MAX_NODES) -> Path:
    """Write the map of one preset (``below-the-radar``, ``coproduction``, ``infrastructure``,
    ``funding``, ``network``, or ``ego`` with ``organisation``: an id or a name, see
    :func:`graph.lookup.find_organisation`).

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph(); g.add_node("f", kind="Funder", name="F", provenance=[])
    >>> workshop_map(g, "network", Path(tempfile.mkdtemp()) / "m.html").suffix
    '.html'
    """
    if organisation:
        organisation = find_organisation(graph, organisation)
    view = preset_view(graph, preset, organisation=organisation)
    return render_map(view.graph, path, title=view.title, caption=view.caption, size_by=size_by, max_nodes=max_nodes)


def write_all_maps(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Every preset map and the two report charts, into ``folder``.

    Returns
    -------
    list of Path
        ``{preset}.html`` for each preset, ``funding_by_ward_vs_imd.png``, ``centrality_league.png``.
    """
    folder = Path(folder)
    written = [workshop_map(graph, preset, folder / f"{preset}.html") for preset in PRESETS]
    written.append(funding_against_deprivation_chart(graph, folder / "funding_by_ward_vs_imd.png"))
    written.append(centrality_league_chart(graph, folder / "centrality_league.png"))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python visualise.py GRAPH_FOLDER (--preset NAME | --all) --out PATH``."""
    from graph.errors import GraphStoreError
    from graph.store import load_graph

    parser = argparse.ArgumentParser(description="Workshop maps: self-contained, offline HTML.")
    parser.add_argument("graph", help="a graph folder written by 'civicgraph build'")
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--preset", choices=[*PRESETS, "ego"])
    choice.add_argument("--all", action="store_true", help="every preset, and the report charts")
    parser.add_argument("--organisation", help="the organisation (id or name) for --preset ego")
    parser.add_argument("--size-by", default="pagerank", help="centrality that sizes nodes (default pagerank)")
    parser.add_argument("--out", required=True, help="the .html file (or folder, with --all)")
    args = parser.parse_args(argv)
    try:
        graph = load_graph(args.graph)
        written = write_all_maps(graph, args.out) if args.all else [
            workshop_map(graph, args.preset, args.out, organisation=args.organisation, size_by=args.size_by)]
    except (GraphStoreError, ValueError, LookupError) as error:
        print(f"visualise: error: {str(error).strip(chr(39))}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
