"""The subgraph each question's map shows. Each preset takes the built graph and returns a smaller
graph ready for :func:`maps.render.render_map`, with a title and a caption."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from civicgraph.analysis.coproduction import _partner_links
from civicgraph.analysis.gaps import below_the_radar_groups
from civicgraph.analysis.infrastructure import infrastructure_profiles
from civicgraph.analysis.lookup import find_organisation
from civicgraph.analysis.network import name, neighbours, organisations, sector
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, as_networkx
from civicgraph.graph.tables import edge_table, node_table


@dataclass(frozen=True)
class MapView:
    """A subgraph to draw, with what to call it."""

    graph: nx.MultiDiGraph
    title: str
    caption: str
    #: The whole graph the view was cut from, as tables (wards, themes and sizes come from it).
    context: GraphLike


def _in_graph_order(graph: nx.MultiDiGraph, nodes: set[str]) -> nx.MultiDiGraph:
    """The subgraph of ``nodes``, its nodes and edges in ``graph``'s order: networkx's subgraph of a
    small set follows the set, whose order changes from run to run with Python's string hashing, and
    so would the page written from it.

    Examples
    --------
    >>> g = nx.MultiDiGraph([("c", "a"), ("a", "b"), ("b", "c")])
    >>> list(_in_graph_order(g, {"c", "a"}).edges())
    [('c', 'a')]
    >>> list(_in_graph_order(g, {"c", "a"}))
    ['c', 'a']
    """
    ordered = [n for n in graph if n in nodes]
    sub = graph.__class__()
    sub.graph.update(graph.graph)
    sub.add_nodes_from((n, graph.nodes[n]) for n in ordered)
    sub.add_edges_from((u, v, k, d) for u, v, k, d in graph.edges(ordered, keys=True, data=True) if v in nodes)
    return sub


def _view(frames: GraphFrames, nodes: set[str], title: str, caption: str) -> MapView:
    """The drawing of ``nodes``: a subgraph of the networkx form of the tables (made once for them)."""
    sub = _in_graph_order(as_networkx(frames), nodes)
    dates = [d for d in frames.attributes.get("data_dates", {}).values() if d]
    as_of = f" Data from {min(dates)} to {max(dates)}." if dates else ""
    return MapView(sub, title, caption + as_of, frames)


def _of_kind(frames: GraphFrames, *kinds: str) -> set[str]:
    nodes = node_table(frames)
    return set(nodes.loc[nodes["kind"].isin(kinds), "id"])


def below_the_radar_map(graph: GraphLike) -> MapView:
    """Below-the-radar groups, the council and funders, and the links (few or none) between them."""
    graph = as_frames(graph)
    groups = set(below_the_radar_groups(graph)["id"])
    hubs = set(organisations(graph, ["council", "funder"])) | _of_kind(graph, "InfrastructureBody")
    wards = {w for n in groups for w in neighbours(graph, n, ["LOCATED_IN"])}
    return _view(graph, groups | hubs | wards, "Below-the-radar groups",
                 f"{len(groups)} unregistered or micro groups seen locally, with at most one link into the council "
                 "or funders, among the council, funders and infrastructure bodies.")


def coproduction_map(graph: GraphLike) -> MapView:
    """Council directorates and teams with the organisations they commission, fund or co-produce with."""
    graph = as_frames(graph)
    units = _of_kind(graph, "Council", "Directorate", "Team")
    partners = set(_partner_links(edge_table(graph), node_table(graph)["kind"], sorted(units))["partner"])
    return _view(graph, units | partners, "How the council works with the sector",
                 "Directorates and teams and the organisations they commission, fund or co-produce with.")


def infrastructure_map(graph: GraphLike) -> MapView:
    """Support bodies, the functions they offer, and their members and funders: where they overlap."""
    graph = as_frames(graph)
    profiles = infrastructure_profiles(graph)
    nodes = set(profiles)
    for profile in profiles.values():
        nodes |= profile["functions"] | profile["members"] | profile["funders"]
    return _view(graph, nodes, "Infrastructure support: who offers what",
                 "Support bodies and the functions they offer; two bodies on one function overlap.")


def funding_map(graph: GraphLike) -> MapView:
    """Funders, the organisations they fund, and the wards those are in."""
    graph = as_frames(graph)
    edges = edge_table(graph)
    funded = edges[edges["relation"] == "FUNDED_BY"]
    recipients = set(funded["source"])
    located = edges[(edges["relation"] == "LOCATED_IN") & edges["source"].isin(recipients)]
    nodes = recipients | set(funded["target"]) | set(located["target"])
    return _view(graph, nodes, "Funding flows", "Funders and the organisations they fund; arrows point from funder to "
                 "recipient and line width is money (GBP).")


def ego_map(graph: GraphLike, organisation: str, *, radius: int = 2) -> MapView:
    """One organisation and everything within ``radius`` steps of it.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        The whole built graph.
    organisation : str
        Its id or name (see :func:`analysis.lookup.find_organisation`): a misspelt or ambiguous name
        raises :class:`analysis.lookup.OrganisationNotFound` with suggestions.
    radius : int
        How many steps out from the organisation to show.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("GB-CHC-1", kind="Charity", name="Age UK Hounslow")
    >>> g.add_node("GB-CHC-2", kind="Funder", name="Lloyds Bank Foundation")
    >>> _ = g.add_edge("GB-CHC-1", "GB-CHC-2", relation="FUNDED_BY")
    >>> ego_map(g, "age uk hounslow").title
    'Age UK Hounslow and its connections'
    """
    graph = as_frames(graph)
    organisation = find_organisation(graph, organisation)
    nodes = set(nx.ego_graph(as_networkx(graph).to_undirected(as_view=True), organisation, radius=radius))
    called = name(graph, organisation)
    return _view(graph, nodes, f"{called} and its connections", f"Everything within {radius} steps of {called}.")


def network_map(graph: GraphLike) -> MapView:
    """Every organisation and the relations between them (council, funders, VCSE, NHS, business)."""
    graph = as_frames(graph)
    nodes = set(organisations(graph))
    return _view(graph, nodes, "The civil-society network",
                 "Every organisation and the relations between them, sized by influence.")


PRESETS = {
    "below-the-radar": below_the_radar_map,
    "coproduction": coproduction_map,
    "infrastructure": infrastructure_map,
    "funding": funding_map,
    "network": network_map,
}


def preset_view(graph: GraphLike, preset: str, *, organisation: str | None = None) -> MapView:
    """The view of a named preset (``ego`` needs ``organisation``).

    Raises
    ------
    ValueError
        For an unknown preset, listing the known ones.

    Examples
    --------
    >>> preset_view(nx.MultiDiGraph(), "funding").graph.number_of_nodes()
    0
    """
    if preset == "ego":
        if not organisation:
            raise ValueError("the 'ego' map needs an organisation (its id or name)")
        return ego_map(graph, organisation)
    if preset not in PRESETS:
        raise ValueError(f"map preset {preset!r} is not known. Use one of: {', '.join([*PRESETS, 'ego'])}.")
    return PRESETS[preset](as_frames(graph))


def sector_counts(view: MapView) -> dict[str, int]:
    """How many nodes of each sector a view holds (for captions and tests)."""
    counts: dict[str, int] = {}
    for _, data in view.graph.nodes(data=True):
        counts[sector(data["kind"])] = counts.get(sector(data["kind"]), 0) + 1
    return counts
