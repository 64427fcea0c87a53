"""Contract consolidation over time (question 7): many providers re-let to one lead provider."""

from __future__ import annotations

import pandas as pd

from civicgraph.analysis.network import names_of
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.graph.tables import edge_table, in_source_order, node_table, source_records


def contract_consolidation(graph: GraphLike) -> pd.DataFrame:
    """Each contract re-let as another (``SUCCEEDS``), with the providers before and after.

    A contract's providers are the organisations it is ``AWARDED_TO``, or the ``provider_count`` a
    source gives when that is more.

    Returns
    -------
    DataFrame
        One row per succession: ``contract``, ``successor`` (names), ``commissioner``,
        ``providers_before``, ``providers_after``, ``consolidated`` (yes: fewer providers after; no:
        as many or more; unknown: a provider count is not known), dates, and the sources.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", kind="Contract", name="Life (mixed)", provider_count=30)
    >>> g.add_node("new", kind="Contract", name="Life (lead)", provider_count=1)
    >>> _ = g.add_edge("new", "old", relation="SUCCEEDS")
    >>> contract_consolidation(g)[["providers_before", "providers_after", "consolidated"]].to_dict("records")
    [{'providers_before': 30, 'providers_after': 1, 'consolidated': 'yes'}]
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "provider_count", "start_date", "end_date"), edge_table(frames)
    relation = edges["relation"]
    successions = in_source_order(frames, edges[(relation == "SUCCEEDS").to_numpy(dtype=bool)
                                                & (edges["source"].map(nodes["kind"]) == "Contract").to_numpy(dtype=bool)])
    awarded = edges.loc[(relation == "AWARDED_TO").to_numpy(dtype=bool), ["source", "target"]].drop_duplicates()
    named = awarded.groupby("source").size()
    name = pd.Series(names_of(frames, nodes["id"]), index=nodes.index)
    commissioned = edges[(relation == "COMMISSIONED_BY").to_numpy(dtype=bool)]
    commissioners = commissioned["target"].map(name).groupby(commissioned["source"].to_numpy()).agg(set)
    records = source_records(frames, "edges")

    def providers(contract: str) -> int | None:
        declared = nodes.at[contract, "provider_count"]
        count = int(named.get(contract, 0))
        return max(count, declared or 0) if (count or declared is not None) else None

    rows = []
    for row, successor, previous in zip(successions.index, successions["source"], successions["target"]):
        by = commissioners.get(previous, set()) | commissioners.get(successor, set())
        before, after = providers(previous), providers(successor)
        rows.append({
            "contract": name[previous], "successor": name[successor], "commissioner": "; ".join(sorted(by)) or None,
            "providers_before": before, "providers_after": after,
            "consolidated": "unknown" if before is None or after is None else ("yes" if after < before else "no"),
            "ended": nodes.at[previous, "end_date"], "started": nodes.at[successor, "start_date"],
            "sources": records[row],
        })
    return pd.DataFrame(rows, columns=["contract", "successor", "commissioner", "providers_before", "providers_after",
                                       "consolidated", "ended", "started", "sources"])
