"""Contract consolidation over time (question 7): many providers re-let to one lead provider."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from civicgraph.analysis.network import name


def _providers(graph: nx.MultiDiGraph, contract: str) -> int | None:
    named = {t for _, t, d in graph.out_edges(contract, data=True) if d["relation"] == "AWARDED_TO"}
    declared = graph.nodes[contract].get("provider_count")
    return max(len(named), declared or 0) if (named or declared is not None) else None


def contract_consolidation(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Each contract re-let as another (``SUCCEEDS``), with the providers before and after.

    Returns
    -------
    DataFrame
        One row per succession: ``contract``, ``successor`` (names), ``commissioner``,
        ``providers_before``, ``providers_after``, ``consolidated`` (yes: fewer providers after; no:
        as many or more; unknown: a provider count is not known), dates, and the sources.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Contract", name="Life (mixed)", provider_count=30)
    >>> g.add_node("new", kind="Contract", name="Life (lead)", provider_count=1)
    >>> _ = g.add_edge("new", "old", relation="SUCCEEDS")
    >>> contract_consolidation(g)[["providers_before", "providers_after", "consolidated"]].to_dict("records")
    [{'providers_before': 30, 'providers_after': 1, 'consolidated': 'yes'}]
    """
    rows = []
    for successor, previous, data in graph.edges(data=True):
        if data["relation"] != "SUCCEEDS" or graph.nodes[successor]["kind"] != "Contract":
            continue
        commissioners = {name(graph, t) for c in (previous, successor)
                         for _, t, d in graph.out_edges(c, data=True) if d["relation"] == "COMMISSIONED_BY"}
        before, after = _providers(graph, previous), _providers(graph, successor)
        rows.append({
            "contract": name(graph, previous), "successor": name(graph, successor),
            "commissioner": "; ".join(sorted(commissioners)) or None,
            "providers_before": before, "providers_after": after,
            "consolidated": "unknown" if before is None or after is None else ("yes" if after < before else "no"),
            "ended": graph.nodes[previous].get("end_date"), "started": graph.nodes[successor].get("start_date"),
            "sources": "; ".join(p["record"] for p in data.get("provenance", [])),
        })
    return pd.DataFrame(rows, columns=["contract", "successor", "commissioner", "providers_before", "providers_after",
                                       "consolidated", "ended", "started", "sources"])
