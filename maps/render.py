"""Render a graph as ONE self-contained HTML file that works offline.

The network is laid out by vis-network (the library pyvis drives); its JavaScript and CSS are
written into the page itself, so nothing is fetched when the page opens: a community hall with no
internet shows the same map. The page has a legend, search, filters by kind, ward and theme (built
on vis-network DataViews), focus on one organisation's partners by clicking it, and physics that
settles and then freezes. Hover cards show name, kind, ward, income band, sources and data date,
never personal data.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

from graph.centrality import MEASURES, centrality
from graph.network import datasets, is_organisation, name, sector, ward_of

TEMPLATE = Path(__file__).with_name("template.html")
VIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
#: Above this many nodes a map is drawn aggregated (by kind or ward) so a projector's browser keeps up.
MAX_NODES = 2_000
#: Colour of each node kind (Tableau 20, colour-blind-aware order); other kinds are grey.
KIND_COLOURS = {
    "Council": "#1f77b4", "Directorate": "#aec7e8", "Team": "#6baed6", "Funder": "#2ca02c", "Charity": "#ff7f0e",
    "CharitableIncorporatedOrganisation": "#ffbb78", "Organisation": "#d62728", "UnregisteredGroup": "#ff9896",
    "InfrastructureBody": "#9467bd", "Forum": "#c5b0d5", "Partnership": "#8c564b", "Network": "#c49c94",
    "Alliance": "#c49c94", "NHSBody": "#17becf", "Business": "#7f7f7f", "BusinessImprovementDistrict": "#c7c7c7",
    "CommunityInterestCompany": "#e377c2", "Company": "#f7b6d2", "Mutual": "#dbdb8d", "FaithGroup": "#bcbd22",
    "ResidentsAssociation": "#9edae5", "Ward": "#d9d9d9", "Building": "#bdbdbd", "Land": "#a1d99b",
    "Service": "#fdd0a2", "Theme": "#fcbba1", "SupportFunction": "#dadaeb", "Grant": "#c7e9c0",
    "Contract": "#fdae6b", "Programme": "#74c476", "Person": "#969696",
}
RELATION_COLOURS = {"FUNDED_BY": "#2ca02c", "COMMISSIONED_BY": "#1f77b4", "PAID_BY": "#1f77b4",
                    "CO_PRODUCES_WITH": "#9467bd", "MEMBER_OF": "#8c564b", "SUPPORTS": "#9467bd"}
PHYSICS = {
    "physics": {"solver": "forceAtlas2Based", "stabilization": {"enabled": True, "iterations": 400, "fit": True},
                "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.4}},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": True, "keyboard": True},
    "nodes": {"shape": "dot", "font": {"size": 14, "face": "Arial"}, "borderWidth": 1},
    "edges": {"smooth": {"type": "continuous"}, "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
              "color": {"inherit": False}},
}


def _colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, "#bbbbbb")


def _data_date(data: dict[str, Any]) -> str:
    dates = [p.get("date", "")[:10] for p in data.get("provenance", []) if p.get("date")]
    return max(dates) if dates else "unknown"


def _themes(graph: nx.MultiDiGraph, node: str) -> list[str]:
    services = [t for _, t, d in graph.out_edges(node, data=True) if d["relation"] == "DELIVERS"]
    found = {name(graph, t) for source in [node, *services] for _, t, d in graph.out_edges(source, data=True)
             if d["relation"] == "ADDRESSES"}
    return sorted(found)


def card(graph: nx.MultiDiGraph, node: str) -> str:
    """The hover card of a node: name, kind, ward, income band, sources, data date. No personal data.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("P-1", kind="Person", pseudonym="P-1", provenance=[{"dataset": "ccew:x", "date": "2024-09-10"}])
    >>> print(card(g, "P-1"))
    Person P-1 (pseudonymised)
    kind: Person
    ward: unknown
    income band: unknown
    sources: ccew
    data as of: 2024-09-10
    """
    data = graph.nodes[node]
    ward = ward_of(graph, node)
    return "\n".join([
        label(graph, node), f"kind: {data['kind']}", f"ward: {name(graph, ward) if ward else 'unknown'}",
        f"income band: {data.get('income_band', 'unknown')}", f"sources: {', '.join(datasets(data)) or 'none'}",
        f"data as of: {_data_date(data)}",
    ])


def label(graph: nx.MultiDiGraph, node: str) -> str:
    """What a map writes on a node: its name; people only by pseudonym.

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("x", kind="Charity", name="Age UK Hounslow")
    >>> label(g, "x")
    'Age UK Hounslow'
    """
    data = graph.nodes[node]
    if data["kind"] == "Person":
        return f"Person {data.get('pseudonym', node)} (pseudonymised)"
    return str(data.get("name") or node)


def aggregate(graph: nx.MultiDiGraph, *, by: str = "kind") -> nx.MultiDiGraph:
    """One node per kind (or ward) with counts, edges summed between groups: for maps too big to draw.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n in "abc":
    ...     g.add_node(n, kind="Charity", provenance=[])
    >>> g.add_node("f", kind="Funder", provenance=[])
    >>> for n in "abc":
    ...     _ = g.add_edge(n, "f", relation="FUNDED_BY", amount=10.0)
    >>> small = aggregate(g)
    >>> sorted(small.nodes(data="name")), small.edges["group:Charity", "group:Funder", 0]["amount"]
    ([('group:Charity', 'Charity (3)'), ('group:Funder', 'Funder (1)')], 30.0)
    """
    if by not in ("kind", "ward"):
        raise ValueError(f"aggregate by {by!r} is not supported. Use one of: 'kind', 'ward'.")
    group_of = {}
    for node, data in graph.nodes(data=True):
        if by == "kind":
            group_of[node] = data["kind"]
        else:
            ward = ward_of(graph, node)
            group_of[node] = name(graph, ward) if ward else "ward unknown"
    sizes = Counter(group_of.values())
    small = nx.MultiDiGraph(**graph.graph)
    for group, count in sizes.items():
        kind = group if by == "kind" else "Ward"
        small.add_node(f"group:{group}", kind=kind, name=f"{group} ({count})", members=count, provenance=[])
    totals: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for source, target, data in graph.edges(data=True):
        key = (group_of[source], group_of[target], data["relation"])
        totals[key][0] += 1
        totals[key][1] += float(data.get("amount") or 0.0)
    for (a, b, relation), (count, amount) in totals.items():
        small.add_edge(f"group:{a}", f"group:{b}", relation=relation, links=count, amount=amount, provenance=[])
    return small


def _sizes(graph: nx.MultiDiGraph, size_by: str) -> dict[str, float]:
    if size_by == "members":
        values = {n: float(d.get("members", 1)) for n, d in graph.nodes(data=True)}
    elif size_by in MEASURES:
        values = {n: float(v) for n, v in centrality(graph, size_by).items()}
    else:
        raise ValueError(f"size_by {size_by!r} is not a centrality. Use one of: {', '.join(MEASURES)}, members.")
    top = max((v for v in values.values() if not math.isnan(v)), default=0.0) or 1.0
    return {n: 10 + 35 * math.sqrt(max(v, 0.0) / top) for n, v in values.items() if not math.isnan(v)}


def map_data(graph: nx.MultiDiGraph, *, size_by: str = "pagerank") -> dict[str, Any]:
    """The nodes, edges, options, filters and legend a map page draws (built with pyvis).

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> data = map_data(g)
    >>> data["nodes"][0]["label"], data["legend"][0]["label"]
    ('A', 'Charity')
    """
    sizes = _sizes(graph, size_by) if graph.number_of_nodes() else {}
    net = Network(directed=True, cdn_resources="in_line")
    wards, themes = set(), set()
    for node, data in graph.nodes(data=True):
        ward = ward_of(graph, node)
        ward_name = name(graph, ward) if ward else "unknown"
        node_themes = _themes(graph, node)
        wards.add(ward_name)
        themes.update(node_themes)
        hover = card(graph, node)
        net.add_node(node, label=label(graph, node), title=hover, color=_colour(data["kind"]),
                     size=sizes.get(node, 8 if not is_organisation(graph, node) else 10), kind=data["kind"],
                     ward=ward_name, themes=node_themes, card=hover, sector=sector(data["kind"]))
    # refunds and credit notes are negative payments: width by size of the amount
    widest = max((abs(float(d.get("amount") or 0.0)) for *_, d in graph.edges(data=True)), default=0.0) or 1.0
    for source, target, data in graph.edges(data=True):
        amount = float(data.get("amount") or 0.0)
        text = data["relation"].replace("_", " ").lower() + (f": {amount:,.0f} GBP" if amount else "")
        net.add_edge(source, target, title=text, width=1 + 7 * math.sqrt(abs(amount) / widest),
                     color=RELATION_COLOURS.get(data["relation"], "#999999"))
    nodes, edges, *_ = net.get_network_data()
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True))
    return {
        "nodes": nodes, "edges": edges, "options": PHYSICS,
        "filters": {"kinds": sorted(kinds), "wards": sorted(wards), "themes": sorted(themes)},
        "legend": [{"label": k, "colour": _colour(k), "count": c} for k, c in sorted(kinds.items())],
    }


def render_map(graph: nx.MultiDiGraph, path: str | Path, *, title: str, caption: str, size_by: str = "pagerank",
               max_nodes: int = MAX_NODES, aggregate_by: str = "kind") -> Path:
    """Write ``graph`` as one self-contained, offline HTML map.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        What to draw (a preset's subgraph, or any query result as a graph).
    path : path
        The ``.html`` file to write.
    title, caption : str
        Shown at the top: what the map is, and one line on what it shows and the data date.
    size_by : str
        Centrality that sizes organisations (``pagerank``, ``betweenness``, ``degree``,
        ``funding_gbp``, ``eigenvector``).
    max_nodes : int
        Above this the map is aggregated by ``aggregate_by`` instead (and the caption says so).
    aggregate_by : {"kind", "ward"}

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> out = render_map(g, Path(tempfile.mkdtemp()) / "map.html", title="T", caption="C")
    >>> "<script src=" in out.read_text()
    False
    """
    path = Path(path)
    if graph.number_of_nodes() > max_nodes:
        caption = f"{caption} Aggregated by {aggregate_by}: {graph.number_of_nodes():,} nodes are too many to draw."
        graph = aggregate(graph, by=aggregate_by)
        size_by = "members"
    data = map_data(graph, size_by=size_by)
    template = jinja2.Template(TEMPLATE.read_text(encoding="utf-8"), autoescape=False)
    html = template.render(
        title=_escape(title), caption=_escape(caption), size_by=size_by.replace("_", " "), width_by="money (GBP)",
        vis_js=(VIS_LIB / "vis-network.min.js").read_text(encoding="utf-8"),
        vis_css=(VIS_LIB / "vis-network.css").read_text(encoding="utf-8"),
        # </script> inside the data would end the script element early
        data_json=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
