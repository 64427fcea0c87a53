"""Brokers and single points of failure (question 4): centrality, structural holes, brokerage,
cut points, communities, and what happens when one organisation goes.

All measures are computed on the organisation network: organisations (council bodies, funders, NHS
and businesses included) joined by the relations between them, made from the graph's tables
(:func:`analysis.network.organisation_edges`) as an igraph graph (:func:`analysis.fast.organisation_igraph`)
or, for the networkx algorithms, a simple ``nx.Graph`` (:func:`analysis.network.organisation_network`).
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.analysis.fast import measures, organisation_igraph
from civicgraph.analysis.network import (
    names_of,
    organisation_edges,
    organisation_network,
    organisation_nodes,
    organisation_relation_ends,
)
from civicgraph.analysis.period import (
    DATING_RULE,
    active_graph,
    grants_in_period,
    period_label,
    resolve_period,
    with_period,
)
from civicgraph.core.beside import Beside
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.graph.tables import grants_frame

#: Above this many nodes betweenness is estimated from a sample of sources (see ``centrality_table``).
EXACT_BETWEENNESS_LIMIT = 5_000
#: Above this many nodes ``backend="auto"`` computes with igraph (see :mod:`analysis.fast`).
IGRAPH_ABOVE = 2_000
BACKENDS = ("auto", "networkx", "igraph")


def _eigenvector(simple: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality within each connected component of three or more nodes (0 elsewhere);
    on a disconnected graph the measure is only defined component by component."""
    scores = dict.fromkeys(simple, 0.0)
    for component in nx.connected_components(simple):
        if len(component) < 3:
            continue
        sub = simple.subgraph(component)
        try:
            values = nx.eigenvector_centrality_numpy(sub, weight=None)
        except (nx.NetworkXException, ValueError, TypeError):
            continue
        scale = len(component) / simple.number_of_nodes()
        scores.update({n: abs(v) * scale for n, v in values.items()})
    return scores


#: Measures :func:`centrality` computes one at a time (a map sizes its nodes by one of them).
MEASURES = ("degree", "links", "funding_gbp", "betweenness", "pagerank", "eigenvector")


def _use_igraph(frames: GraphFrames, backend: str) -> bool:
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not supported. Use one of: {', '.join(BACKENDS)}.")
    return backend == "igraph" or (backend == "auto" and len(organisation_nodes(frames)) > IGRAPH_ABOVE)


#: Work budget of a sampled betweenness (sources x edges): the sample shrinks on big graphs to fit it,
#: to no fewer than :data:`FEWEST_SOURCES` (about 40 sources on a million relations, some 5 s of work).
BETWEENNESS_BUDGET = 40_000_000
FEWEST_SOURCES = 40


def _sample(frames: GraphFrames, betweenness_sample: int | None) -> int | None:
    size = len(organisation_nodes(frames))
    default = max(FEWEST_SOURCES, min(1_000, BETWEENNESS_BUDGET // max(len(organisation_edges(frames)), 1)))
    k = betweenness_sample or (default if size > EXACT_BETWEENNESS_LIMIT else None)
    return k if k is not None and k < size else None


def centrality(graph: GraphLike, measure: str, *, seed: int = 0, backend: str = "auto") -> dict[str, float]:
    """One centrality measure of every organisation (cheaper than the whole table).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=10.0)
    >>> centrality(g, "funding_gbp"), centrality(as_frames(g), "betweenness")
    ({'a': 10.0, 'f': 10.0}, {'a': 0.0, 'f': 0.0})
    """
    frames = as_frames(graph)
    if measure in ("betweenness", "pagerank", "eigenvector") and _use_igraph(frames, backend):
        fast, ids = organisation_igraph(frames)
        return dict(zip(ids, measures(fast, ids, betweenness_sample=_sample(frames, None), seed=seed)[measure]))
    simple = organisation_network(frames)
    if measure == "degree":
        return dict(simple.degree())
    if measure in ("links", "funding_gbp"):
        return dict(simple.degree(weight="links" if measure == "links" else "weight"))
    if measure == "betweenness":
        return nx.betweenness_centrality(simple, k=_sample(frames, None), seed=seed)
    if measure == "pagerank":
        return nx.pagerank(simple, weight="links") if simple.number_of_edges() else \
            dict.fromkeys(simple, 1 / max(simple.number_of_nodes(), 1))
    if measure == "eigenvector":
        return _eigenvector(simple)
    raise ValueError(f"measure {measure!r} is not a centrality. Use one of: {', '.join(MEASURES)}.")


def centrality_table(graph: GraphLike, *, betweenness_sample: int | None = None, seed: int = 0,
                     backend: str = "auto", as_of: str | None = None,
                     between: tuple[str, str] | None = None, beside: Beside | None = None) -> pd.DataFrame:
    """Centrality of every organisation, with structural holes, cut points and communities.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    betweenness_sample : int, optional
        Estimate betweenness from this many source nodes. By default it is exact up to
        :data:`EXACT_BETWEENNESS_LIMIT` nodes and sampled above, from 1,000 sources or fewer (at
        least :data:`FEWEST_SOURCES`) to keep within :data:`BETWEENNESS_BUDGET`; the frame's
        ``attrs["betweenness"]`` says which. A sampled value comes with its own standard error in
        ``betweenness_se`` (see :mod:`analysis.betweenness`; NaN with the networkx backend). With the
        igraph backend, Burt's constraint is NaN for organisations with more than
        :data:`civicgraph.analysis.fast.CONSTRAINT_MAX_DEGREE` partners.
    seed : int
        For the sample and the community detection.
    backend : {"auto", "networkx", "igraph"}
        Where the measures are computed. ``auto`` uses networkx up to :data:`IGRAPH_ABOVE`
        organisations and igraph (:mod:`analysis.fast`) above; the results are the same measures.
    as_of : str, optional
        The period (ISO date): organisations not active then (removed, merged, only proposed) are
        left out before anything is measured, so they are never brokers or cut points. By default
        the latest date of the graph's data; ``""`` keeps every organisation. ``attrs`` say the
        period and how many were left out.
    between : tuple of str, optional
        A period ``(start, end)`` instead of ``as_of``: organisations active at some time in it,
        and relations dated in it (relations without a date are kept).
    beside : callable, optional
        Where to share betweenness with (see :mod:`civicgraph.core.beside`; igraph backend only):
        the pipeline passes a helper process for large graphs. By default all is computed here.

    Returns
    -------
    DataFrame
        One row per organisation: ``id``, ``name``, ``kind``, ``sector``, ``degree`` (distinct
        partners), ``links`` (relations), ``funding_gbp`` (money on its edges), ``betweenness``, ``betweenness_se``,
        ``pagerank``, ``eigenvector``, ``constraint`` (Burt; high = no structural holes, NaN for
        isolates), ``cut_point`` (its loss disconnects others), ``community``; sorted by betweenness.

    Notes
    -----
    How to read the measures (all on the relations the loaded sources record, so an organisation
    with no recorded relation scores 0 because nothing is known of its links):

    - ``betweenness``: the share of shortest paths between two other organisations that pass
      through this one. High means others depend on it to reach each other: a broker, and a risk
      if it goes.
    - ``pagerank`` and ``eigenvector``: influence by association, high when linked to
      organisations that are themselves well linked.
    - ``constraint`` (Burt): near 1 when all its partners know each other, so it brokers nothing;
      low when it alone joins partners who are not otherwise linked (it spans structural holes).
    - ``cut_point``: removing it leaves some organisations with no path to the rest; see
      :func:`what_if_removed` for who.
    - ``community``: clusters of densely linked organisations (Louvain), numbered from the largest.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("b", "InfrastructureBody"), ("c", "Charity"), ("f", "Funder")]:
    ...     g.add_node(n, kind=k, name=n.upper())
    >>> for s, t in [("a", "b"), ("c", "b")]:
    ...     _ = g.add_edge(s, t, relation="MEMBER_OF")
    >>> _ = g.add_edge("b", "f", relation="FUNDED_BY", amount=1000.0)
    >>> table = centrality_table(g)
    >>> table.loc[0, "id"], bool(table.loc[0, "cut_point"])
    ('b', True)
    """
    frames, period = _active_in_period(graph, as_of, between)
    table = _centrality_table(frames, betweenness_sample=betweenness_sample, seed=seed, backend=backend, beside=beside)
    return with_period(table, period)


def _active_in_period(graph: GraphLike, as_of: str | None,
                      between: tuple[str, str] | None) -> tuple[GraphFrames, dict[str, str]]:
    """The tables of the organisations active in the period and their relations (see
    :func:`analysis.period.active_graph`), and the ``attrs`` the answer states its period by."""
    frames = as_frames(graph)
    start, end = resolve_period(frames, as_of, between)
    active, left_out = active_graph(frames, end, start=start)
    return active, {
        "period": period_label(end, start), "left out": f"{len(left_out)} organisations not active in the period",
        "dating": DATING_RULE}


def _centrality_table(frames: GraphFrames, *, betweenness_sample: int | None, seed: int,
                      backend: str, beside: Beside | None) -> pd.DataFrame:
    columns = ["id", "name", "kind", "sector", "degree", "links", "funding_gbp", "betweenness", "betweenness_se", "pagerank",
               "eigenvector", "constraint", "cut_point", "community"]
    nodes = organisation_nodes(frames)
    if nodes.empty:
        return pd.DataFrame(columns=columns)
    k = _sample(frames, betweenness_sample)
    table = nodes[["id", "name", "kind", "sector"]].copy()
    if _use_igraph(frames, backend):
        fast, ids = organisation_igraph(frames)
        found = measures(fast, ids, betweenness_sample=k, seed=seed, beside=beside)
        table["degree"] = fast.degree()
        table["links"] = fast.strength(weights="links") if fast.ecount() else 0
        table["funding_gbp"] = fast.strength(weights="weight") if fast.ecount() else 0.0
    else:
        simple = organisation_network(frames)
        n = simple.number_of_nodes()
        links = nx.get_edge_attributes(simple, "links")
        communities = nx.community.louvain_communities(simple, seed=seed)
        found = {
            "betweenness": nx.betweenness_centrality(simple, k=k, seed=seed, normalized=True),
            "betweenness_se": dict.fromkeys(simple, 0.0 if k is None else math.nan),
            "pagerank": nx.pagerank(simple, weight="links") if links else dict.fromkeys(simple, 1 / n),
            "constraint": nx.constraint(simple),
            "cut_point": dict.fromkeys(nx.articulation_points(simple), True),
            "community": {node: number for number, members in enumerate(sorted(communities, key=len, reverse=True))
                          for node in members},
            "eigenvector": _eigenvector(simple),
        }
        table["degree"] = table["id"].map(dict(simple.degree()))
        table["links"] = table["id"].map(dict(simple.degree(weight="links")))
        table["funding_gbp"] = table["id"].map(dict(simple.degree(weight="weight")))
    for measure in ("betweenness", "betweenness_se", "pagerank", "eigenvector", "constraint", "cut_point", "community"):
        values = found[measure]
        table[measure] = values if isinstance(values, list) else table["id"].map(values)
    table["constraint"] = table["constraint"].astype(float)
    table["cut_point"] = table["cut_point"].eq(True)  # NaN (no value) is not a cut point
    table["funding_gbp"] = table["funding_gbp"].astype(float)
    table = table[columns].sort_values(["betweenness", "degree"], ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["betweenness"] = _betweenness_note(table, k)
    return table


def _betweenness_note(table: pd.DataFrame, sample: int | None) -> str:
    """Whether betweenness is exact, and how sure the sampled values of the top brokers are."""
    if sample is None:
        return "exact"
    top = table.head(20)
    relative = (top["betweenness_se"] / top["betweenness"]).replace([math.inf, -math.inf], math.nan).median()
    sureness = "" if math.isnan(relative) else \
        f"; median standard error of the 20 highest {relative:.0%} of their value (column betweenness_se)"
    return f"sampled from {sample} sources{sureness}"


def bridges(graph: GraphLike, *, as_of: str | None = None, between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Relations whose loss splits the organisation network, with what each one joins.

    Parameters
    ----------
    as_of : str, optional
        The period (ISO date): organisations ended by then (removed, merged) or only proposed,
        and relations outside it, are left out. By default the latest date of the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead of ``as_of``.

    Returns
    -------
    DataFrame
        ``source``, ``target``, their names, ``relations`` and ``cut_off``: the number of
        organisations on the smaller side.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("b", kind="Funder")
    >>> _ = g.add_edge("a", "b", relation="FUNDED_BY")
    >>> bridges(g)["cut_off"].tolist()
    [1]
    """
    frames, period = _active_in_period(graph, as_of, between)
    fast, ids = organisation_igraph(frames)
    edges = organisation_edges(frames).set_index(["a", "b"])["relations"]
    names = organisation_nodes(frames).set_index("id")["name"]
    # a bridge is in every spanning tree, and the side it cuts off is the subtree below it: one
    # breadth-first tree per component (igraph, in C) gives every bridge's side
    parent = [-1] * fast.vcount()
    subtree = [1] * fast.vcount()
    component_size = [0] * fast.vcount()
    found = fast.bridges()
    ends = {v for edge in found for v in fast.es[edge].tuple}
    for component in fast.connected_components():
        if len(component) == 2 and component[0] in ends:  # a lone pair: the bridge cuts off one
            parent[component[1]], component_size[component[0]], component_size[component[1]] = component[0], 2, 2
            continue
        if len(component) < 3 or not ends.intersection(component):
            continue  # no bridge here (a breadth-first search costs a pass over every vertex)
        order, _, parents = fast.bfs(component[0])
        order = order[:len(component)]
        for vertex in order:
            parent[vertex] = parents[vertex] if parents[vertex] != vertex else -1
            component_size[vertex] = len(component)
        for vertex in reversed(order):
            if parent[vertex] >= 0:
                subtree[parent[vertex]] += subtree[vertex]
    rows = []
    for edge in found:
        a, b = fast.es[edge].tuple
        child = b if parent[b] == a else a
        side = subtree[child]
        source, target = sorted((ids[a], ids[b]))
        rows.append({"source": source, "source_name": names[source], "target": target,
                     "target_name": names[target], "relations": edges[(source, target)],
                     "cut_off": min(side, component_size[child] - side)})
    frame = pd.DataFrame(rows, columns=["source", "source_name", "target", "target_name", "relations", "cut_off"])
    return with_period(frame.sort_values("cut_off", ascending=False).reset_index(drop=True), period)


BROKERAGE_ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def brokerage_roles(graph: GraphLike, *, as_of: str | None = None,
                    between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Gould–Fernandez brokerage roles of each organisation across sectors.

    For every two-step path ``a -> b -> c`` between organisations with no direct ``a -> c`` tie
    (edges in the direction the relation is stated, e.g. recipient ``FUNDED_BY`` funder), ``b``
    brokers in the role set by the sectors of the three: coordinator (all one sector), itinerant
    (``a`` and ``c`` share a sector, ``b`` does not), gatekeeper (``b`` and ``c`` share one),
    representative (``a`` and ``b`` share one), liaison (all different).

    Parameters
    ----------
    as_of : str, optional
        The period (ISO date): organisations ended by then (removed, merged) or only proposed,
        and relations outside it, are left out. By default the latest date of the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead of ``as_of``.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``sector``, one count column per role, ``total``; brokers only, most first.

    Notes
    -----
    How to read the counts: each is a number of two-step paths the organisation sits in the
    middle of, with no direct tie around it, so the two ends reach each other only through it
    (as far as the loaded sources record).

    - ``coordinator``: it links two organisations of its own sector (e.g. a VCSE forum between
      two charities).
    - ``itinerant``: it links two organisations of one sector from outside that sector.
    - ``gatekeeper``: it lets another sector in to its own (a council team through which the
      sector reaches other council bodies).
    - ``representative``: it carries its own sector out to another (an infrastructure body
      speaking for its members to the council).
    - ``liaison``: it links two sectors, neither its own.

    A high count means many relations depend on it, not that it brokers well; zero may mean its
    relations are not recorded.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("g", kind="UnregisteredGroup"); g.add_node("i", kind="InfrastructureBody")
    >>> g.add_node("d", kind="Directorate")
    >>> _ = g.add_edge("g", "i", relation="MEMBER_OF"); _ = g.add_edge("i", "d", relation="CO_PRODUCES_WITH")
    >>> brokerage_roles(g)[["id", "representative"]].values.tolist()
    [['i', 1]]
    """
    frames, period = _active_in_period(graph, as_of, between)
    nodes = organisation_nodes(frames)
    n = len(nodes)
    codes = _directed_pairs(frames, nodes)
    pairs = pd.DataFrame({"a": codes // max(n, 1), "b": codes % max(n, 1)})
    # every two-step path a -> b -> c: the relations into b joined to the relations out of b
    paths = pairs.merge(pairs.rename(columns={"a": "b", "b": "c"}), on="b")
    a, b, c = paths["a"].to_numpy(), paths["b"].to_numpy(), paths["c"].to_numpy()
    open_path = (a != c) & ~_contains(codes, a * n + c)  # no direct a -> c tie
    a, b, c = a[open_path], b[open_path], c[open_path]
    group = pd.factorize(nodes["sector"])[0]
    ga, gb, gc = group[a], group[b], group[c]
    role = np.select([(ga == gb) & (gb == gc), ga == gc, gb == gc, ga == gb], [0, 1, 2, 3], default=4)
    counts = np.bincount(b * len(BROKERAGE_ROLES) + role, minlength=n * len(BROKERAGE_ROLES)).reshape(n, len(BROKERAGE_ROLES))
    frame = nodes[["id", "name", "sector"]].assign(**{r: counts[:, i] for i, r in enumerate(BROKERAGE_ROLES)})
    frame["total"] = counts.sum(axis=1)
    frame = frame[frame["total"] > 0]
    return with_period(frame.sort_values(["total", "id"], ascending=[False, True]).reset_index(drop=True), period)


def _directed_pairs(frames: GraphFrames, nodes: pd.DataFrame) -> np.ndarray:
    """Distinct ``source -> target`` relations between two different organisations, as sorted codes
    ``source * n + target`` of positions in ``nodes``."""
    _, source, target = organisation_relation_ends(frames)
    return np.unique(source * len(nodes) + target)


def _contains(sorted_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Whether each of ``codes`` is in ``sorted_codes``."""
    if not len(sorted_codes):
        return np.zeros(len(codes), dtype=bool)
    found = np.searchsorted(sorted_codes, codes)
    return (found < len(sorted_codes)) & (sorted_codes[np.minimum(found, len(sorted_codes) - 1)] == codes)


def links_into(graph: GraphLike, *, into: tuple[str, ...] = ("council", "funder")) -> dict[str, set[str]]:
    """The council bodies and funders (by default) each organisation is directly joined to, from the
    organisation tables; organisations with none are left out.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity"); g.add_node("f", kind="Funder"); g.add_node("b", kind="Charity")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY"); _ = g.add_edge("a", "b", relation="PARTNERS_WITH")
    >>> links_into(g), links_into(as_frames(g), into=("vcse",))["f"]
    ({'a': {'f'}}, {'a'})
    """
    frames = as_frames(graph)
    return _links_into(organisation_edges(frames), organisation_nodes(frames), into)


def _links_into(edges: pd.DataFrame, nodes: pd.DataFrame, into: tuple[str, ...]) -> dict[str, set[str]]:
    """:func:`links_into` over some rows of the organisation tables."""
    group = nodes.set_index("id")["sector"]
    both = pd.concat([pd.DataFrame({"node": edges["a"], "other": edges["b"]}),
                      pd.DataFrame({"node": edges["b"], "other": edges["a"]})], ignore_index=True)
    both = both[both["other"].map(group).isin(into)]
    found: dict[str, set[str]] = defaultdict(set)
    for node, other in zip(both["node"].to_numpy(dtype=object), both["other"].to_numpy(dtype=object)):
        found[node].add(other)  # plain dicts: a pandas group per organisation costs far more
    return dict(found)


def what_if_removed(graph: GraphLike, removed: str) -> pd.DataFrame:
    """Who loses their only link into the council and funders, or their connection to the rest of
    the network, if one organisation (a funder, an infrastructure body) goes.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    removed : str
        The organisation's id or name (see :func:`analysis.lookup.find_organisation`; a misspelt or
        ambiguous name raises :class:`civicgraph.analysis.lookup.OrganisationNotFound` with suggestions).

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``kind``, ``effect`` ("loses its only link in" or "cut off from the
        network"), ``links_in_before``, ``links_in_after``.

    Notes
    -----
    "The network" is the largest connected part of the organisation network (the first found,
    in node order, when two are as large); those cut off are the organisations of it that are not
    in the largest part left when ``removed`` goes.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="UnregisteredGroup", name="A"); g.add_node("f", kind="Funder", name="F")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY")
    >>> what_if_removed(g, "F")[["id", "effect"]].values.tolist()
    [['a', 'loses its only link in']]
    """
    frames = as_frames(graph)
    removed = _organisation_id(frames, removed)
    nodes, edges = organisation_nodes(frames), organisation_edges(frames)
    fast, ids = organisation_igraph(frames)
    main_before = max(fast.connected_components(), key=len, default=[])
    cut_off = set()
    if removed in (members := {ids[v] for v in main_before}):
        rest = [v for v in main_before if ids[v] != removed]
        pieces = fast.induced_subgraph(rest).connected_components()  # in the order of ``rest``
        reachable_after = {ids[rest[v]] for v in max(pieces, key=len, default=[])}
        cut_off = members - reachable_after - {removed}
    untouched = (edges["a"] != removed) & (edges["b"] != removed)
    linked_before = _links_into(edges, nodes, ("council", "funder"))
    linked_after = _links_into(edges[untouched.to_numpy()], nodes, ("council", "funder"))
    rows = []
    for node, node_name, kind, group in nodes[["id", "name", "kind", "sector"]].itertuples(index=False):
        if node == removed or group in ("council", "funder"):
            continue
        before, now = linked_before.get(node, set()), linked_after.get(node, set())
        effect = None
        if before and not now:
            effect = "loses its only link in"
        elif node in cut_off:
            effect = "cut off from the network"
        if effect:
            rows.append({"id": node, "name": node_name, "kind": kind, "effect": effect,
                         "links_in_before": len(before), "links_in_after": len(now)})
    return pd.DataFrame(rows, columns=["id", "name", "kind", "effect", "links_in_before", "links_in_after"])


def _organisation_id(frames: GraphFrames, name_or_id: str) -> str:
    """The organisation a user means (see :func:`analysis.lookup.find_organisation`)."""
    from civicgraph.analysis.lookup import find_organisation

    if frames.nodes["id"].eq(name_or_id).any():
        return name_or_id
    return find_organisation(frames, name_or_id)


def funding_concentration(graph: GraphLike, *, as_of: str | None = None,
                          between: tuple[str, str] | None = None) -> pd.DataFrame:
    """How concentrated each funded organisation's grants are: total, funders, top funder's share,
    and the Herfindahl–Hirschman index of funder shares (1 = one funder only).

    Parameters
    ----------
    as_of : str, optional
        The period (ISO date): grants dated after it are left out. By default the latest date of
        the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead: only grants dated in it.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("f", "Funder"), ("h", "Funder")]:
    ...     g.add_node(n, kind=k)
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=75.0, currency="GBP")
    >>> _ = g.add_edge("a", "h", relation="FUNDED_BY", amount=25.0, currency="GBP")
    >>> [float(v) for v in funding_concentration(g).iloc[0][["top_funder_share", "hhi"]]]
    [0.75, 0.625]
    """
    columns = ["id", "name", "funding_gbp", "funders", "top_funder", "top_funder_share", "hhi"]
    frames, period = grants_in_period(as_frames(graph), as_of, between)
    grants = grants_frame(frames)
    grants = grants[grants["currency"].eq("GBP").to_numpy()]  # money in other currencies is not GBP
    if grants.empty:
        return with_period(pd.DataFrame(columns=columns), period)
    by_funder = grants.groupby(["recipient", "funder"], sort=False)["amount"].sum().reset_index()
    total = by_funder.groupby("recipient", sort=False)["amount"].transform("sum")
    by_funder["share_squared"] = (by_funder["amount"] / total.where(total > 0)) ** 2
    top = by_funder.sort_values("amount", ascending=False, kind="stable").drop_duplicates("recipient")
    frame = by_funder.groupby("recipient", sort=False).agg(
        funding_gbp=("amount", "sum"), funders=("funder", "size"), hhi=("share_squared", "sum")).reset_index()
    top = top.set_index("recipient").loc[frame["recipient"]]
    frame = pd.DataFrame({
        "id": frame["recipient"].to_numpy(), "name": names_of(frames, frame["recipient"]),
        "funding_gbp": frame["funding_gbp"].to_numpy(), "funders": frame["funders"].to_numpy(),
        "top_funder": names_of(frames, pd.Series(top["funder"].to_numpy())),
        "top_funder_share": (top["amount"].to_numpy() / frame["funding_gbp"].where(frame["funding_gbp"] > 0)).to_numpy(),
        "hhi": frame["hhi"].where(frame["funding_gbp"] > 0).to_numpy()})
    return with_period(frame.sort_values(["hhi", "funding_gbp"], ascending=[False, False]).reset_index(drop=True),
                       period)
