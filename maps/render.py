"""Render a graph as ONE self-contained HTML file that works offline.

Positions are computed here (:mod:`maps.layout`, seeded; or :mod:`maps.geography` by postcode) and
written into the page, so the map appears at once, the same every time, and filtering, focusing and
"show all" never move a node. vis-network (the library pyvis ships) draws it; its JavaScript and CSS
are written into the page itself, so nothing is fetched when the page opens: a community hall with
no internet shows the same map.

The page (``template.html``) has a legend of kinds (colour and shape) and relations, search as you
type, filters by kind, ward, theme and relation computed from the whole graph, focus that moves
from organisation to organisation with a Back button, a presenter mode for projectors, export to
PNG and SVG, and a link that restores the view. Details cards show kind, ward, income band, every
source with record and date, and the links; never personal data.
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

from civicgraph.analysis.centrality import MEASURES, centrality
from civicgraph.analysis.network import is_organisation, name, ward_index
from civicgraph.graph.frames import GraphLike, as_networkx
from civicgraph.maps.layout import SPACING, Layout, force_layout, grouped_layout
from civicgraph.maps.palette import REVERSED_RELATIONS, kind_label, kind_style, relation_label, relation_style

__all__ = ["MAX_NODES", "aggregate", "card", "label", "map_data", "render_map"]

TEMPLATE = Path(__file__).with_name("template.html")
VIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
#: Above this many nodes a map opens aggregated (by kind or ward); each group expands on click.
MAX_NODES = 2_000
#: Up to this many nodes a grouped map carries every member, so that groups open on click; above
#: it the page holds the groups only (laying out and sending every member would take too long).
MAX_MEMBERS = 10_000
#: Up to this many nodes in the whole graph, node sizes are measured on the whole graph.
MAX_CONTEXT = 200_000
_MEASURE_WORDS = {"degree": "number of partners", "links": "number of links", "funding_gbp": "money (GBP)",
                  "betweenness": "brokerage (betweenness)", "pagerank": "influence (PageRank)",
                  "eigenvector": "influence (eigenvector)", "members": "members of the group"}


def _data_date(data: dict[str, Any]) -> str:
    dates = [str(p.get("date") or "")[:10] for p in data.get("provenance", []) if p.get("date")]
    return max(dates) if dates else "not known"


def _themes(graph: nx.MultiDiGraph, node: str) -> list[str]:
    services = [t for _, t, d in graph.out_edges(node, data=True) if d["relation"] == "DELIVERS"]
    found = {name(graph, t) for source in [node, *services] for _, t, d in graph.out_edges(source, data=True)
             if d["relation"] == "ADDRESSES"}
    return sorted(found)


def _sources(data: dict[str, Any]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for entry in data.get("provenance", []):
        source = {k: str(entry.get(k) or "") for k in ("dataset", "record", "date", "licence")}
        source["date"] = source["date"][:10]
        seen.setdefault((source["dataset"], source["record"], source["date"]), source)
    return list(seen.values())


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


def card(graph: nx.MultiDiGraph, node: str, *, ward: str | None = None) -> str:
    """The hover card of a node: name, kind, ward, income band, each source with its record and
    date. No personal data.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    node : str
    ward : str, optional
        The ward's name when already known (from the whole graph); else looked up in ``graph``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("P-1", kind="Person", pseudonym="P-1", provenance=[{"dataset": "ccew:x", "record": "row 4", "date": "2024-09-10"}])
    >>> print(card(g, "P-1"))
    Person P-1 (pseudonymised)
    kind: Person
    ward: not known
    income band: not known
    source: ccew:x, row 4, 2024-09-10
    """
    data = graph.nodes[node]
    if ward is None:
        found = ward_index(graph).get(node)
        ward = name(graph, found) if found else "not known"
    lines = [label(graph, node), f"kind: {kind_label(data['kind'])}", f"ward: {ward}",
             f"income band: {data.get('income_band') or 'not known'}"]
    sources = _sources(data)
    lines += [f"source: {', '.join(v for v in (s['dataset'], s['record'], s['date']) if v)}" for s in sources]
    return "\n".join(lines if sources else [*lines, "source: none recorded"])


def aggregate(graph: nx.MultiDiGraph, *, by: str = "kind", context: GraphLike | None = None) -> nx.MultiDiGraph:
    """One node per kind (or ward) with counts, edges summed between groups: for maps too big to draw.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    by : {"kind", "ward"}
    context : GraphFrames or networkx.MultiDiGraph, optional
        The whole graph, where each node's ward is found (default ``graph``).

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
    group_of = _groups(graph, graph if context is None else context, by)
    small = nx.MultiDiGraph(**graph.graph)
    for group, count in Counter(group_of.values()).items():
        kind = group if by == "kind" else "Ward"
        words = kind_label(group) if by == "kind" else group
        small.add_node(f"group:{group}", kind=kind, name=f"{words} ({count})", members=count, provenance=[])
    totals: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for source, target, data in graph.edges(data=True):
        key = (group_of[source], group_of[target], data["relation"])
        totals[key][0] += 1
        totals[key][1] += float(data.get("amount") or 0.0)
    for (a, b, relation), (count, amount) in totals.items():
        if a == b:  # links inside a group: a loop on its node says nothing a room can read
            continue
        small.add_edge(f"group:{a}", f"group:{b}", relation=relation, links=count, amount=amount, provenance=[])
    return small


def _groups(graph: nx.MultiDiGraph, context: GraphLike, by: str) -> dict[str, str]:
    if by not in ("kind", "ward"):
        raise ValueError(f"aggregate by {by!r} is not supported. Use one of: 'kind', 'ward'.")
    if by == "kind":
        return {n: d["kind"] for n, d in graph.nodes(data=True)}
    wards = ward_index(context)
    return {n: name(context, wards[n]) if n in wards else "ward not known" for n in graph}


def _sizes(graph: nx.MultiDiGraph, context: GraphLike, size_by: str) -> tuple[dict[str, float], str]:
    """Node sizes (map units) and the words for what they show. A measure that is the same for every
    organisation on the map says nothing, so sizes then show links in the whole graph."""
    if size_by == "members":
        values = {n: float(d.get("members", 1)) for n, d in graph.nodes(data=True)}
    elif size_by in MEASURES:
        # measured on the whole graph (a preset's cut leaves most organisations alone), unless that
        # is national: then on the map itself, which is quick
        source = context if len(context.nodes) <= MAX_CONTEXT else graph
        measured = centrality(source, size_by) if len(source.nodes) else {}
        values = {n: float(measured[n]) for n in graph if n in measured and not math.isnan(measured[n])}
        if len({round(v, 12) for v in values.values()}) < 2 and size_by != "links":
            links = centrality(source, "links") if len(source.nodes) else {}
            values = {n: float(links[n]) for n in graph if n in links}
            size_by = "links"
    else:
        raise ValueError(f"size_by {size_by!r} is not a centrality. Use one of: {', '.join(MEASURES)}, members.")
    top = max(values.values(), default=0.0) or 1.0
    return ({n: round(12 + 33 * math.sqrt(max(v, 0.0) / top), 1) for n, v in values.items()},
            _MEASURE_WORDS.get(size_by, size_by))


def _edge_records(graph: nx.MultiDiGraph, apart: set[str]) -> list[dict[str, Any]]:
    # refunds and credit notes are negative payments: width by size of the amount
    widest = max((abs(float(d.get("amount") or 0.0)) for *_, d in graph.edges(data=True)), default=0.0) or 1.0
    records = []
    for number, (source, target, data) in enumerate(graph.edges(data=True)):
        relation = data["relation"]
        amount = float(data.get("amount") or 0.0)
        start, end = (target, source) if relation in REVERSED_RELATIONS else (source, target)
        colour, dashed = relation_style(relation)
        text = relation_label(relation).split(" (")[0] + (f": {amount:,.0f} GBP" if amount else "")
        if data.get("links", 1) > 1:
            text += f" ({data['links']:,} links)"
        records.append({"id": f"e{number}", "from": start, "to": end, "relation": relation, "title": text,
                        "color": colour, "dashes": dashed, "width": round(1.5 + 7 * math.sqrt(abs(amount) / widest), 2)})
        if source in apart or target in apart:
            records[-1]["apart"] = True
    return records


def map_data(graph: nx.MultiDiGraph, *, context: GraphLike | None = None, size_by: str = "pagerank",
             gather_by: str = "kind", seed: int = 7, layout: Layout | None = None,
             groups: dict[str, str] | None = None) -> dict[str, Any]:
    """The nodes (with positions), edges, filters and legend a map page draws.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        What to draw.
    context : GraphFrames or networkx.MultiDiGraph, optional
        The whole graph ``graph`` was cut from: wards, themes, sizes and the links counted on each
        card come from it (a preset's subgraph holds no ward or theme nodes). Default ``graph``.
    size_by : str
        Measure that sizes organisations (:data:`civicgraph.analysis.centrality.MEASURES`, or ``members``).
    gather_by : {"kind", "ward"}
        How nodes with no link on the map are gathered.
    seed : int
        Seed of the force layout.
    layout : Layout, optional
        Positions to use instead of the force layout (e.g. :func:`maps.geography.geographic_layout`).
    groups : dict, optional
        Node -> group id, for an aggregated map whose groups expand on click.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``captions``, ``filters``, ``legend``, JSON-ready.

    Examples
    --------
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> data = map_data(g)
    >>> data["nodes"][0]["label"], data["legend"]["kinds"][0]["label"]
    ('A', 'Charity')
    """
    context = graph if context is None else context
    whole = as_networkx(context)
    sizes, size_words = _sizes(graph, context, size_by) if graph.number_of_nodes() else ({}, size_by)
    wards = ward_index(context)
    ward_names = {n: name(context, wards[n]) if n in wards else "not known" for n in graph}
    if layout is None:
        gather = ward_names if gather_by == "ward" else {n: kind_label(d["kind"]) for n, d in graph.nodes(data=True)}
        layout = force_layout(graph, seed=seed, gather=gather)
    degree = dict(graph.degree())
    order = sorted(graph, key=lambda n: (-sizes.get(n, 0.0), -degree[n], str(n)))
    rank = {n: i for i, n in enumerate(order)}
    nodes = []
    for node, data in graph.nodes(data=True):
        colour, shape = kind_style(data["kind"])
        in_context = node in whole
        x, y = (round(v) for v in layout.positions[node])  # whole map units, as vis-network reports them
        record = {
            "id": node, "label": label(graph, node), "kind": data["kind"], "x": x, "y": y, "rank": rank[node],
            "size": sizes.get(node, 12.0 if is_organisation(graph, node) else 9.0), "shape": shape, "color": colour,
            "ward": ward_names[node], "themes": _themes(whole, node) if in_context else [],
            "title": card(graph, node, ward=ward_names[node]),
            "card": {"kind": kind_label(data["kind"]), "ward": ward_names[node],
                     "income": str(data.get("income_band") or "not known"), "sources": _sources(data),
                     "links": whole.degree(node) if in_context else degree[node]},
        }
        if groups:
            record["group"] = groups.get(node)
        if "members" in data:
            record["members"] = data["members"]
        if node in layout.apart:
            record["apart"] = True
        nodes.append(record)
    edges = _edge_records(graph, layout.apart)
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True) if "members" not in d or not groups)
    relations = Counter(e["relation"] for e in edges)
    themes = sorted({t for n in nodes for t in n["themes"]})
    return {
        "nodes": nodes, "edges": edges, "captions": layout.captions,
        "filters": {"kinds": [{"value": k, "label": kind_label(k)} for k in sorted(kinds, key=kind_label)],
                    "wards": sorted({n["ward"] for n in nodes}), "themes": themes,
                    "relations": [{"value": r, "label": relation_label(r).split(" (")[0]} for r in sorted(relations)]},
        "legend": {
            "kinds": [{"kind": k, "label": kind_label(k), "colour": kind_style(k)[0], "shape": kind_style(k)[1],
                       "count": c} for k, c in sorted(kinds.items(), key=lambda kc: kind_label(kc[0]))],
            "relations": [{"relation": r, "label": relation_label(r), "colour": relation_style(r)[0],
                           "dashes": relation_style(r)[1], "count": c} for r, c in sorted(relations.items())],
            "size": size_words,
            "width": "money (GBP)" if any(e["width"] > 1.5 for e in edges) else "",
        },
        "spacing": SPACING,
    }


def render_map(graph: nx.MultiDiGraph, path: str | Path, *, title: str, caption: str, size_by: str = "pagerank",
               max_nodes: int = MAX_NODES, aggregate_by: str = "kind", context: GraphLike | None = None,
               gather_by: str = "kind", seed: int = 7, presenter: bool = False,
               layout: Layout | None = None, background: dict[str, Any] | None = None) -> Path:
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
        Measure that sizes organisations (``pagerank``, ``betweenness``, ``degree``, ``links``,
        ``funding_gbp``, ``eigenvector``); one that is the same for all falls back to ``links``.
    max_nodes : int
        Above this the map opens aggregated by ``aggregate_by``; clicking a group shows its members
        (up to :data:`MAX_MEMBERS` nodes; above that the page holds the groups only).
    aggregate_by : {"kind", "ward"}
    context : GraphFrames or networkx.MultiDiGraph, optional
        The whole graph (for wards, themes and sizes); default ``graph``.
    gather_by : {"kind", "ward"}
        How nodes with no link on the map are gathered.
    seed : int
        Seed of the layout: the same seed, the same map.
    presenter : bool
        Open in presenter mode (large labels, thick lines) for a projector.
    layout : Layout, optional
        Positions to use (default: the seeded force layout).
    background : dict, optional
        Ward boundaries and shading drawn under the nodes (:func:`maps.geography.background`).

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
    context = graph if context is None else context
    if graph.number_of_nodes() > MAX_MEMBERS:
        caption = (f"{caption} {graph.number_of_nodes():,} nodes, grouped by {aggregate_by}; too many to open "
                   "the groups here: draw a preset or a query's result instead.")
        data = map_data(aggregate(graph, by=aggregate_by, context=context), size_by="members", seed=seed)
    elif graph.number_of_nodes() > max_nodes:
        caption = (f"{caption} {graph.number_of_nodes():,} nodes, grouped by {aggregate_by}: click a group "
                   "to show its members.")
        data = _aggregated_data(graph, context, aggregate_by=aggregate_by, size_by=size_by, seed=seed)
    else:
        data = map_data(graph, context=context, size_by=size_by, gather_by=gather_by, seed=seed, layout=layout)
    data["background"] = background
    template = jinja2.Template(TEMPLATE.read_text(encoding="utf-8"), autoescape=False)
    html = template.render(
        title=_escape(title), caption=_escape(caption), presenter="presenter" if presenter else "",
        vis_js=_script_text((VIS_LIB / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=(VIS_LIB / "vis-network.css").read_text(encoding="utf-8").replace("</", "<\\/"),
        data_json=_script_json(data),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def _aggregated_data(graph: nx.MultiDiGraph, context: GraphLike, *, aggregate_by: str, size_by: str,
                     seed: int) -> dict[str, Any]:
    """Every node, laid out group by group, plus one node per group: the page opens with the groups
    and shows a group's members when it is clicked. Lines join groups, members and groups, and
    members, and each is drawn while both its ends are."""
    group_of = _groups(graph, context, aggregate_by)
    small = aggregate(graph, by=aggregate_by, context=context)
    packed = grouped_layout(graph, {n: f"group:{g}" for n, g in group_of.items()}, seed=seed)
    whole = nx.compose(graph, small)
    # a member's links into a closed group: drawn while one group is open and the other closed
    halves: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for source, target, edge in graph.edges(data=True):
        if group_of[source] != group_of[target]:
            for key in ((source, f"group:{group_of[target]}", edge["relation"]),
                        (f"group:{group_of[source]}", target, edge["relation"])):
                halves[key][0] += 1
                halves[key][1] += float(edge.get("amount") or 0.0)
    for (source, target, relation), (count, amount) in halves.items():
        whole.add_edge(source, target, relation=relation, links=count, amount=amount, provenance=[])
    data = map_data(whole, context=context, size_by=size_by, layout=packed,
                    groups={n: f"group:{g}" for n, g in group_of.items()})
    group_sizes = _sizes(small, small, "members")[0]
    for record in data["nodes"]:
        if record["id"] in small:
            record["size"] = group_sizes[record["id"]]
            record["isGroup"] = True
    data["legend"]["size"] = f"{data['legend']['size']}; groups: {_MEASURE_WORDS['members']}"
    data["aggregated"] = True
    return data


#: Characters that mean something to the HTML parser inside a script element (``<!--``, ``</script``,
#: ``<script``, a character reference) or end a line in older JavaScript (U+2028, U+2029); as ``\u``
#: escapes they are the same characters to ``JSON.parse`` and to JavaScript, and nothing to HTML.
_SCRIPT_ESCAPES = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"})


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end, comment out or open a script inside the script element it sits in."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _script_text(code: str) -> str:
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")
