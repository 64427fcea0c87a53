"""The subgraph each question's map shows. Each preset takes the built graph and returns a smaller
graph ready for :func:`maps.render.render_map`, with a title and a caption."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from civicgraph.analysis.coproduction import _partners
from civicgraph.analysis.gaps import below_the_radar_groups
from civicgraph.analysis.infrastructure import infrastructure_profiles
from civicgraph.analysis.lookup import find_organisation
from civicgraph.analysis.network import neighbours, organisations, sector


@dataclass(frozen=True)
class MapView:
    """A subgraph to draw, with what to call it."""

    graph: nx.MultiDiGraph
    title: str
    caption: str
    #: The whole graph the view was cut from (wards, themes and sizes come from it).
    context: nx.MultiDiGraph


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


def _view(graph: nx.MultiDiGraph, nodes: set[str], title: str, caption: str) -> MapView:
    sub = _in_graph_order(graph, nodes)
    dates = [d for d in graph.graph.get("data_dates", {}).values() if d]
    as_of = f" Data from {min(dates)} to {max(dates)}." if dates else ""
    return MapView(sub, title, caption + as_of, graph)


def below_the_radar_map(graph: nx.MultiDiGraph) -> MapView:
    """Below-the-radar groups, the council and funders, and the links (few or none) between them."""
    groups = set(below_the_radar_groups(graph)["id"])
    hubs = set(organisations(graph, ["council", "funder"])) | {
        n for n, d in graph.nodes(data=True) if d["kind"] == "InfrastructureBody"}
    wards = {w for n in groups for w in neighbours(graph, n, ["LOCATED_IN"])}
    return _view(graph, groups | hubs | wards, "Below-the-radar groups",
                 f"{len(groups)} unregistered or micro groups seen locally, with at most one link into the council "
                 "or funders, among the council, funders and infrastructure bodies.")


def coproduction_map(graph: nx.MultiDiGraph) -> MapView:
    """Council directorates and teams with the organisations they commission, fund or co-produce with."""
    units = {n for n, d in graph.nodes(data=True) if d["kind"] in ("Council", "Directorate", "Team")}
    partners = {p for u in units for p, _ in _partners(graph, u)}
    contracts = {n for n in partners if graph.nodes[n]["kind"] == "Contract"}
    return _view(graph, units | partners | contracts, "How the council works with the sector",
                 "Directorates and teams and the organisations they commission, fund or co-produce with.")


def infrastructure_map(graph: nx.MultiDiGraph) -> MapView:
    """Support bodies, the functions they offer, and their members and funders: where they overlap."""
    profiles = infrastructure_profiles(graph)
    nodes = set(profiles)
    for profile in profiles.values():
        nodes |= profile["functions"] | profile["members"] | profile["funders"]
    return _view(graph, nodes, "Infrastructure support: who offers what",
                 "Support bodies and the functions they offer; two bodies on one function overlap.")


def funding_map(graph: nx.MultiDiGraph) -> MapView:
    """Funders, the organisations they fund, and the wards those are in."""
    nodes = set()
    for recipient, funder, data in graph.edges(data=True):
        if data["relation"] == "FUNDED_BY":
            nodes |= {recipient, funder}
            nodes |= neighbours(graph, recipient, ["LOCATED_IN"])
    return _view(graph, nodes, "Funding flows", "Funders and the organisations they fund; arrows point from funder to "
                 "recipient and line width is money (GBP).")


def ego_map(graph: nx.MultiDiGraph, organisation: str, *, radius: int = 2) -> MapView:
    """One organisation and everything within ``radius`` steps of it.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
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
    organisation = find_organisation(graph, organisation)
    nodes = set(nx.ego_graph(graph.to_undirected(as_view=True), organisation, radius=radius))
    return _view(graph, nodes, f"{graph.nodes[organisation].get('name', organisation)} and its connections",
                 f"Everything within {radius} steps of {graph.nodes[organisation].get('name', organisation)}.")


def network_map(graph: nx.MultiDiGraph) -> MapView:
    """Every organisation and the relations between them (council, funders, VCSE, NHS, business)."""
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


def preset_view(graph: nx.MultiDiGraph, preset: str, *, organisation: str | None = None) -> MapView:
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
    return PRESETS[preset](graph)


def sector_counts(view: MapView) -> dict[str, int]:
    """How many nodes of each sector a view holds (for captions and tests)."""
    counts: dict[str, int] = {}
    for _, data in view.graph.nodes(data=True):
        counts[sector(data["kind"])] = counts.get(sector(data["kind"]), 0) + 1
    return counts
