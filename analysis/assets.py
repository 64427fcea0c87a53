"""Community buildings and land (question 6): who uses them, on what terms, what could transfer."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from civicgraph.analysis.network import name, sector, ward_of

#: Rent terms below market, in the order of generosity.
CONCESSIONARY = ("free", "peppercorn", "discounted")


def asset_use(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every building and piece of land with its owner, users and rent terms.

    Returns
    -------
    DataFrame
        One row per asset: ``id``, ``name``, ``kind``, ``asset_use``, ``ward``, ``owner``,
        ``users`` (count), ``user_names``, ``vcse_users``, ``rent_terms`` (as recorded per user).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("A", kind="Building", name="Hall"); g.add_node("c", kind="Council", name="LBH")
    >>> g.add_node("g", kind="UnregisteredGroup", name="Lunch club")
    >>> _ = g.add_edge("c", "A", relation="OWNS"); _ = g.add_edge("g", "A", relation="OCCUPIES", rent_terms="market")
    >>> asset_use(g)[["name", "owner", "vcse_users", "rent_terms"]].values.tolist()
    [['Hall', 'LBH', 1, 'Lunch club: market']]
    """
    rows = []
    for asset, data in graph.nodes(data=True):
        if data["kind"] not in ("Building", "Land", "Asset"):
            continue
        owners = [s for s, _, d in graph.in_edges(asset, data=True) if d["relation"] == "OWNS"]
        users = [(s, d) for s, _, d in graph.in_edges(asset, data=True) if d["relation"] == "OCCUPIES"]
        ward = ward_of(graph, asset)
        rows.append({
            "id": asset, "name": name(graph, asset), "kind": data["kind"], "asset_use": data.get("asset_use"),
            "ward": name(graph, ward) if ward else None, "owner": "; ".join(name(graph, o) for o in owners) or None,
            "users": len({s for s, _ in users}), "user_names": "; ".join(sorted({name(graph, s) for s, _ in users})),
            "vcse_users": len({s for s, _ in users if sector(graph.nodes[s]["kind"]) == "vcse"}),
            "rent_terms": "; ".join(f"{name(graph, s)}: {d['rent_terms']}" for s, d in users if d.get("rent_terms")),
        })
    columns = ["id", "name", "kind", "asset_use", "ward", "owner", "users", "user_names", "vcse_users", "rent_terms"]
    return pd.DataFrame(rows, columns=columns).sort_values(["users", "name"], ascending=[False, True]).reset_index(drop=True)


def asset_transfer_candidates(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Council-owned assets used by local VCSE organisations: candidates for transfer or a
    discounted lease, most used first; those on market rent flagged (the Review's tension between
    income generation and support for the sector).

    ``on_market_rent`` and ``concessionary`` (free, peppercorn or discounted terms) are yes, no or
    unknown: unknown where no user's rent terms are recorded.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("A", kind="Building", name="Hall"); g.add_node("c", kind="Council", name="LBH")
    >>> g.add_node("g", kind="UnregisteredGroup", name="Lunch club")
    >>> _ = g.add_edge("c", "A", relation="OWNS"); _ = g.add_edge("g", "A", relation="OCCUPIES", rent_terms="market")
    >>> asset_transfer_candidates(g)[["name", "on_market_rent", "concessionary"]].values.tolist()
    [['Hall', 'yes', 'no']]
    """
    uses = asset_use(graph)
    council_owned = {a for a in uses["id"] if any(sector(graph.nodes[s]["kind"]) == "council"
                                                 for s, _, d in graph.in_edges(a, data=True) if d["relation"] == "OWNS")}
    frame = uses[uses["id"].isin(council_owned) & (uses["vcse_users"] > 0)].copy()
    known = frame["rent_terms"].fillna("").str.len() > 0
    market = frame["rent_terms"].fillna("").str.contains("market")
    concessionary = frame["rent_terms"].fillna("").apply(lambda t: any(c in t for c in CONCESSIONARY))
    frame["on_market_rent"] = np.where(known, np.where(market, "yes", "no"), "unknown")
    frame["concessionary"] = np.where(known, np.where(concessionary, "yes", "no"), "unknown")
    return frame.sort_values(["vcse_users", "on_market_rent"], ascending=[False, False]).reset_index(drop=True)
