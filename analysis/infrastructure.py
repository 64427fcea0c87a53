"""Duplicated infrastructure (question 3) and alliance candidates (question 9).

Infrastructure bodies are organisations that offer support functions (``OFFERS_FUNCTION``) or whose
kind is ``InfrastructureBody``. Two of them overlap where they offer the same functions, to the same
areas, to the same members, with the same funders.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pandas as pd

from civicgraph.analysis.network import names_by_id
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.graph.tables import edge_table, node_table

#: Weight of each dimension in the overlap score (they sum to 1).
OVERLAP_WEIGHTS = {"functions": 0.4, "areas": 0.2, "members": 0.2, "funders": 0.2}


def infrastructure_profiles(graph: GraphLike) -> dict[str, dict[str, set[str]]]:
    """For each infrastructure body: its functions, areas, members (and those it supports) and funders.

    An infrastructure body with no area recorded is taken to serve the whole authority.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("cvs", kind="InfrastructureBody"); g.add_node("vol", kind="SupportFunction")
    >>> g.add_node("club", kind="UnregisteredGroup")
    >>> _ = g.add_edge("cvs", "vol", relation="OFFERS_FUNCTION"); _ = g.add_edge("club", "cvs", relation="MEMBER_OF")
    >>> infrastructure_profiles(g)
    {'cvs': {'functions': {'vol'}, 'areas': set(), 'members': {'club'}, 'funders': set()}}
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "gss_code"), edge_table(frames)
    authority = frames.attributes.get("authority_gss")
    areas = nodes[(nodes["kind"] == "LocalAuthorityArea").to_numpy()]
    whole = set(areas["id"] if authority is None else areas["id"][(areas["gss_code"] == authority).to_numpy()])
    offers = _ends(edges, ("OFFERS_FUNCTION",), "source", "target")
    bodies = nodes["id"][((nodes["kind"] == "InfrastructureBody") | nodes["id"].isin(offers)).to_numpy()].tolist()
    serves = _ends(edges, ("SERVES_AREA", "LOCATED_IN"), "source", "target")
    members, supports = _ends(edges, ("MEMBER_OF",), "target", "source"), _ends(edges, ("SUPPORTS",), "source", "target")
    funders = _ends(edges, ("FUNDED_BY",), "source", "target")
    return {body: {"functions": offers.get(body, set()), "areas": serves.get(body) or set(whole),
                   "members": members.get(body, set()) | supports.get(body, set()), "funders": funders.get(body, set())}
            for body in bodies}


def _ends(edges: pd.DataFrame, relations: tuple[str, ...], start: str, end: str) -> dict[str, set[str]]:
    """For each node at the ``start`` end ("source" or "target") of an edge of ``relations``, the
    nodes at its other end."""
    chosen = edges[edges["relation"].isin(relations)]
    found: dict[str, set[str]] = {}
    for node, other in zip(chosen[start].tolist(), chosen[end].tolist()):
        found.setdefault(node, set()).add(other)
    return found


def _jaccard(a: set[str], b: set[str]) -> float | None:
    return len(a & b) / len(a | b) if a | b else None


def duplicated_infrastructure(graph: GraphLike, *, min_score: float = 0.0) -> pd.DataFrame:
    """Pairs of support bodies offering the same functions to the same areas, members and funders.

    Parameters
    ----------
    min_score : float
        Smallest overlap score (0 to 1) to list. Only pairs offering a function in the same area
        are compared (a body with no area recorded serves the whole authority).

    Returns
    -------
    DataFrame
        One row per pair: ``a``, ``b`` (ids), their names, ``shared_functions``, ``shared_areas``,
        ``shared_members``, ``shared_funders`` (names), a Jaccard overlap per dimension (shared over
        either's, 0 to 1), and ``overlap_score``: how far the two offer the same thing to the same
        people, 0 to 1, the overlaps weighted by :data:`OVERLAP_WEIGHTS` with dimensions that have
        nothing recorded on either side left out; highest first.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n in ("cvs", "vc", "net"):
    ...     g.add_node(n, kind="InfrastructureBody", name=n.upper())
    >>> g.add_node("vol", kind="SupportFunction", name="volunteering")
    >>> g.add_node("od", kind="SupportFunction", name="organisational development")
    >>> for s, t in [("cvs", "vol"), ("cvs", "od"), ("vc", "vol"), ("net", "od")]:
    ...     _ = g.add_edge(s, t, relation="OFFERS_FUNCTION")
    >>> duplicated_infrastructure(g)[["a_name", "b_name", "shared_functions"]].values.tolist()
    [['CVS', 'NET', 'organisational development'], ['CVS', 'VC', 'volunteering']]
    """
    frames = as_frames(graph)
    profiles = infrastructure_profiles(frames)
    # candidate pairs share a function in an area: an inverted index, not every pair of bodies
    offering: dict[tuple[str, str], list[str]] = defaultdict(list)
    for body, profile in profiles.items():
        for function in profile["functions"]:
            for area in profile["areas"] or {None}:
                offering[(function, area)].append(body)
    candidates = {tuple(sorted(pair)) for bodies in offering.values() for pair in combinations(sorted(set(bodies)), 2)}
    names = names_by_id(frames, _profiled(profiles))
    rows = []
    for a, b in sorted(candidates):
        pa, pb = profiles[a], profiles[b]
        shared = {dim: pa[dim] & pb[dim] for dim in OVERLAP_WEIGHTS}
        overlaps = {dim: _jaccard(pa[dim], pb[dim]) for dim in OVERLAP_WEIGHTS}
        known = {dim: v for dim, v in overlaps.items() if v is not None}
        score = sum(OVERLAP_WEIGHTS[d] * v for d, v in known.items()) / sum(OVERLAP_WEIGHTS[d] for d in known)
        if score < min_score:
            continue
        rows.append({
            "a": a, "b": b, "a_name": names[a], "b_name": names[b],
            **{f"shared_{dim}": "; ".join(sorted(names[n] for n in shared[dim])) for dim in OVERLAP_WEIGHTS},
            **{f"{dim}_overlap": overlaps[dim] for dim in OVERLAP_WEIGHTS}, "overlap_score": round(score, 3),
        })
    columns = ["a", "b", "a_name", "b_name", *(f"shared_{d}" for d in OVERLAP_WEIGHTS),
               *(f"{d}_overlap" for d in OVERLAP_WEIGHTS), "overlap_score"]
    return pd.DataFrame(rows, columns=columns).sort_values(["overlap_score", "a_name", "b_name"], ascending=[False, True, True]
                                                           ).reset_index(drop=True)


def alliance_candidates(graph: GraphLike, *, functions: list[str] | None = None) -> pd.DataFrame:
    """A set of support bodies that together cover the functions needed, with the least overlap
    (greedy weighted set cover, the usual approximation for Alliance Contracting shortlists).

    Parameters
    ----------
    functions : list of str, optional
        Support-function node ids the alliance must cover; by default every function offered.

    Returns
    -------
    DataFrame
        The bodies in the order chosen: ``id``, ``name``, ``adds`` (functions it newly covers),
        ``overlaps`` (functions it duplicates), ``covered`` (running share of what is needed), and
        ``attrs["uncovered"]``: functions nobody offers.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n in ("cvs", "vc", "net"):
    ...     g.add_node(n, kind="InfrastructureBody", name=n.upper())
    >>> for f in ("vol", "od", "rep"):
    ...     g.add_node(f, kind="SupportFunction", name=f)
    >>> for s, t in [("cvs", "vol"), ("cvs", "od"), ("vc", "vol"), ("net", "rep")]:
    ...     _ = g.add_edge(s, t, relation="OFFERS_FUNCTION")
    >>> alliance_candidates(g)["name"].tolist()
    ['CVS', 'NET']
    """
    frames = as_frames(graph)
    profiles = infrastructure_profiles(frames)
    needed = set(functions) if functions is not None else set().union(*(p["functions"] for p in profiles.values()))
    names = names_by_id(frames, [*_profiled(profiles), *needed])
    covered: set[str] = set()
    chosen: list[dict] = []
    remaining = dict(profiles)
    while needed - covered and remaining:
        def gain(node: str) -> tuple[int, int, str]:
            offered = remaining[node]["functions"] & needed
            return (len(offered - covered), -len(offered & covered), node)
        best = max(remaining, key=gain)
        adds = remaining[best]["functions"] & needed - covered
        if not adds:
            break
        overlaps = remaining[best]["functions"] & covered
        covered |= adds
        chosen.append({"id": best, "name": names[best], "adds": "; ".join(sorted(names[f] for f in adds)),
                       "overlaps": "; ".join(sorted(names[f] for f in overlaps)),
                       "covered": len(covered & needed) / len(needed)})
        del remaining[best]
    frame = pd.DataFrame(chosen, columns=["id", "name", "adds", "overlaps", "covered"])
    known = node_table(frames).index
    frame.attrs["uncovered"] = sorted(names[f] for f in needed - covered if f in known)
    return frame


def _profiled(profiles: dict[str, dict[str, set[str]]]) -> list[str]:
    """The bodies of ``profiles`` and every node in their profiles."""
    return [*profiles, *(n for profile in profiles.values() for nodes in profile.values() for n in nodes)]
