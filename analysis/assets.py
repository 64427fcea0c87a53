"""Community buildings and land (question 6): who uses them, on what terms, what could transfer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civicgraph.analysis.network import names_of, sector, ward_index
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.graph.tables import edge_table, node_table

#: Rent terms below market, in the order of generosity.
CONCESSIONARY = ("free", "peppercorn", "discounted")
#: Kinds of node that are a building or land.
ASSET_KINDS = ("Building", "Land", "Asset")


def _into_assets(frames: GraphFrames, relation: str) -> pd.DataFrame:
    """The ``relation`` edges into a building or land: ``source``, ``target``, ``rent_terms``, and
    the source's ``sector``."""
    nodes, edges = node_table(frames), edge_table(frames, "rent_terms")
    kind = nodes["kind"].astype(str)
    chosen = edges[(edges["relation"] == relation).to_numpy(dtype=bool)
                   & edges["target"].map(kind).isin(ASSET_KINDS).to_numpy(dtype=bool)]
    sectors = {k: sector(k) for k in kind.unique()}
    return chosen[["source", "target", "rent_terms"]].assign(sector=chosen["source"].map(kind).map(sectors))


def asset_use(graph: GraphLike) -> pd.DataFrame:
    """Every building and piece of land with its owner, users and rent terms.

    Returns
    -------
    DataFrame
        One row per asset: ``id``, ``name``, ``kind``, ``asset_use``, ``ward``, ``owner``,
        ``users`` (count), ``user_names``, ``vcse_users``, ``rent_terms`` (as recorded per user).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("A", kind="Building", name="Hall"); g.add_node("c", kind="Council", name="LBH")
    >>> g.add_node("g", kind="UnregisteredGroup", name="Lunch club")
    >>> _ = g.add_edge("c", "A", relation="OWNS"); _ = g.add_edge("g", "A", relation="OCCUPIES", rent_terms="market")
    >>> asset_use(g)[["name", "owner", "vcse_users", "rent_terms"]].values.tolist()
    [['Hall', 'LBH', 1, 'Lunch club: market']]
    """
    frames = as_frames(graph)
    nodes = node_table(frames, "asset_use")
    name = pd.Series(names_of(frames, nodes["id"]), index=nodes.index)
    owners = _into_assets(frames, "OWNS")
    owners = owners["source"].map(name).groupby(owners["target"].to_numpy(), sort=False).agg("; ".join)
    users = _into_assets(frames, "OCCUPIES").assign(user=lambda e: e["source"].map(name).astype(object))
    stated = (users["rent_terms"].notna() & (users["rent_terms"] != "")).to_numpy()
    users["terms"] = (users["user"] + ": " + users["rent_terms"].astype(str)).where(stated, None)
    by_asset = users.groupby(users["target"].to_numpy(), sort=False)
    index = ward_index(frames)
    assets = nodes[nodes["kind"].astype(str).isin(ASSET_KINDS).to_numpy()]
    ward = assets["id"].map(index)
    frame = pd.DataFrame({
        "id": assets["id"].to_numpy(), "name": name[assets.index].to_numpy(), "kind": assets["kind"].astype(str).to_numpy(),
        "asset_use": assets["asset_use"].to_numpy(),
        "ward": ward.map(name).to_numpy(dtype=object),
        "owner": assets["id"].map(owners).to_numpy(dtype=object),
        "users": assets["id"].map(by_asset["source"].nunique()).fillna(0).astype(int).to_numpy(),
        "user_names": assets["id"].map(by_asset["user"].agg(lambda n: "; ".join(sorted(set(n))))).fillna("")
        .to_numpy(dtype=object),
        "vcse_users": assets["id"].map(users[users["sector"] == "vcse"].groupby("target")["source"].nunique())
        .fillna(0).astype(int).to_numpy(),
        "rent_terms": assets["id"].map(by_asset["terms"].agg(lambda t: "; ".join(t.dropna()))).fillna("")
        .to_numpy(dtype=object),
    })
    return frame.sort_values(["users", "name"], ascending=[False, True]).reset_index(drop=True)


def asset_transfer_candidates(graph: GraphLike) -> pd.DataFrame:
    """Council-owned assets used by local VCSE organisations: candidates for transfer or a
    discounted lease, most used first; those on market rent flagged (the Review's tension between
    income generation and support for the sector).

    ``on_market_rent`` and ``concessionary`` (free, peppercorn or discounted terms) are yes, no or
    unknown: unknown where no user's rent terms are recorded.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("A", kind="Building", name="Hall"); g.add_node("c", kind="Council", name="LBH")
    >>> g.add_node("g", kind="UnregisteredGroup", name="Lunch club")
    >>> _ = g.add_edge("c", "A", relation="OWNS"); _ = g.add_edge("g", "A", relation="OCCUPIES", rent_terms="market")
    >>> asset_transfer_candidates(g)[["name", "on_market_rent", "concessionary"]].values.tolist()
    [['Hall', 'yes', 'no']]
    """
    frames = as_frames(graph)
    uses = asset_use(frames)
    owners = _into_assets(frames, "OWNS")
    council_owned = set(owners.loc[(owners["sector"] == "council").to_numpy(), "target"])
    frame = uses[uses["id"].isin(council_owned) & (uses["vcse_users"] > 0)].copy()
    known = frame["rent_terms"].fillna("").str.len() > 0
    market = frame["rent_terms"].fillna("").str.contains("market")
    concessionary = frame["rent_terms"].fillna("").apply(lambda t: any(c in t for c in CONCESSIONARY))
    frame["on_market_rent"] = np.where(known, np.where(market, "yes", "no"), "unknown")
    frame["concessionary"] = np.where(known, np.where(concessionary, "yes", "no"), "unknown")
    return frame.sort_values(["vcse_users", "on_market_rent"], ascending=[False, False]).reset_index(drop=True)
