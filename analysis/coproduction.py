"""How the council works with the sector (question 2) and who sits on the forum (question 8)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from civicgraph.analysis.network import is_large_or_national, names_by_id, sector, ward_index
from civicgraph.analysis.period import DATING_RULE, relations_in_period, relations_period_label, resolve_period
from civicgraph.graph.frames import GraphLike, as_frames
from civicgraph.graph.tables import edge_table, node_table

#: How a relation shows a directorate working with an organisation, unless the edge's ``mode`` says.
#: Only ``co-production`` (co-design or co-production of a service) counts towards the co-production
#: share; infrastructure support and partnership are links of their own kind (the Review's three ways
#: of working are purchaser/provider, grant-maker and co-design/co-production).
MODE_OF_RELATION = {"COMMISSIONED_BY": "purchaser-provider", "PAID_BY": "purchaser-provider",
                    "FUNDED_BY": "grant-maker", "CO_PRODUCES_WITH": "co-production",
                    "SUPPORTS": "infrastructure-support", "PARTNERS_WITH": "partnership"}
#: Modes as a workbook or edge may spell them -> the mode counted.
MODE_ALIASES = {"co-design": "co-production", "co-production": "co-production",
                "infrastructure support": "infrastructure-support", "partnership": "partnership",
                "purchaser-provider": "purchaser-provider", "grant-maker": "grant-maker",
                "infrastructure-support": "infrastructure-support"}
#: Kinds of the council's units whose ways of working are counted.
UNIT_KINDS = ("Directorate", "Team")
MODES = ("purchaser-provider", "grant-maker", "co-production", "infrastructure-support", "partnership")


def _partners(graph: GraphLike, unit: str) -> list[tuple[str, str]]:
    """(partner, mode) for each relation between a council unit and a non-council organisation
    (see :func:`_partner_links`)."""
    frames = as_frames(graph)
    links = _partner_links(edge_table(frames), node_table(frames)["kind"], [unit])
    return list(zip(links["partner"].tolist(), links["mode"].tolist()))


def _partner_links(edges: pd.DataFrame, kind: pd.Series, units: list[str]) -> pd.DataFrame:
    """``unit``, ``partner``, ``mode`` for each relation (a row of the edge table) between one of
    the council ``units`` and a non-council organisation, given each node's ``kind``.

    Contracts count through the contract: ``contract -COMMISSIONED_BY-> unit`` and
    ``contract -AWARDED_TO-> provider`` (the contract itself when it names no provider).
    """
    kind = kind.astype(str)
    touching = edges[(edges["source"].isin(units) | edges["target"].isin(units)).to_numpy()]
    mode = touching["mode"].map(lambda m: MODE_ALIASES.get(str(m or "").lower()))
    mode = mode.where(mode.notna(), touching["relation"].astype(str).map(MODE_OF_RELATION))
    into, out_of = touching["target"].isin(units) & mode.notna(), touching["source"].isin(units) & mode.notna()
    links = pd.concat([pd.DataFrame({"unit": touching["target"][into], "other": touching["source"][into], "mode": mode[into]}),
                       pd.DataFrame({"unit": touching["source"][out_of], "other": touching["target"][out_of],
                                     "mode": mode[out_of]})], ignore_index=True)
    by_contract = links["other"].map(kind).eq("Contract").to_numpy()
    awarded = edges[(edges["relation"] == "AWARDED_TO") & edges["source"].isin(links["other"][by_contract])]
    awarded = pd.DataFrame({"other": awarded["source"].to_numpy(), "provider": awarded["target"].to_numpy()})
    contracts = links[by_contract].merge(awarded, on="other", how="left")
    contracts["partner"] = contracts["provider"].where(contracts["provider"].notna(), contracts["other"])
    sectors = {k: sector(k) for k in kind.unique()}
    others = links[~by_contract]
    others = others[others["other"].map(kind).map(sectors).ne("council").to_numpy()]
    return pd.concat([others.rename(columns={"other": "partner"}), contracts[["unit", "partner", "mode"]]],
                     ignore_index=True)


def directorate_coproduction(graph: GraphLike, *, as_of: str | None = None,
                             between: tuple[str, str] | None = None) -> pd.DataFrame:
    """For each directorate and team: how it works with the VCSE, and the Review's warning signs.

    Unknown is kept apart from no: a directorate with no link in the data has ``vcse_link`` "unknown"
    unless a source states it has none (its ``vcse_links`` attribute is "no").

    Parameters
    ----------
    as_of : str, optional
        Count links dated up to this ISO date and not ended before it. By default the latest date
        of the graph's data; ``""`` counts every link.
    between : tuple of str, optional
        A period ``(start, end)`` of ISO dates instead of ``as_of``: count links dated in it or
        running during it. Links without a date are always counted. ``attrs["period"]`` states the
        period and ``attrs["left out"]`` how many links fell outside it.

    Returns
    -------
    DataFrame
        One row per ``Directorate`` or ``Team``: ``id``, ``name``, ``kind``, one count of links per
        mode (:data:`MODES`: ``purchaser-provider`` contracts, ``grant-maker`` grants,
        ``co-production`` co-design or co-production, ``infrastructure-support``, ``partnership``),
        ``partners`` (distinct organisations), ``share_large_or_national`` (of partners),
        ``coproduction_share`` (co-production links over all its links; empty when none is known),
        ``vcse_link`` (yes/no/unknown), ``only_large_national`` (yes/no/unknown: every partner a large
        or national charity), ``sector_champion`` (yes/no/unknown), ``note`` (what the source says
        of it), and ``evidence``: the partners by mode.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("d", kind="Directorate", name="Adult Social Care", sector_champion="no")
    >>> g.add_node("e", kind="Directorate", name="Environment")
    >>> g.add_node("n", kind="Charity", name="National charity", scale="national")
    >>> _ = g.add_edge("n", "d", relation="COMMISSIONED_BY")
    >>> directorate_coproduction(g)[["name", "vcse_link", "only_large_national"]].values.tolist()
    [['Adult Social Care', 'yes', 'yes'], ['Environment', 'unknown', 'unknown']]
    >>> directorate_coproduction(g, as_of="2015-12-31").attrs["period"]
    'as of 2015-12-31 (relations dated after it, or ended before it, are left out)'
    """
    frames = as_frames(graph)
    start, end = resolve_period(frames, as_of, between)
    kept, _ = relations_in_period(frames, end, start=start)
    nodes = node_table(frames, "sector_champion", "vcse_links", "note")
    units = nodes[nodes["kind"].isin(UNIT_KINDS).to_numpy()]
    edges = edge_table(kept)
    outside = _unit_links(edge_table(frames), units.index) - _unit_links(edges, units.index)
    found = _partner_links(edges, nodes["kind"], units.index.tolist())
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for unit, partner, mode in found[["unit", "partner", "mode"]].itertuples(index=False, name=None):
        by_unit.setdefault(unit, []).append((partner, mode))
    championed = set(edges["target"][(edges["relation"] == "CHAMPION_FOR").to_numpy()])
    names = names_by_id(frames, [*units.index, *found["partner"]])
    partnering = [p for p in dict.fromkeys(found["partner"]) if p in nodes.index]
    large_ones = {p for p, data in zip(partnering, nodes.loc[partnering].astype(object).to_dict("records"))
                  if is_large_or_national(data)}
    rows = []
    for data in units.astype(object).to_dict("records"):
        unit = data["id"]
        links = by_unit.get(unit, [])
        modes = Counter(mode for _, mode in links)
        partners = sorted({p for p, _ in links})
        large = [p for p in partners if p in large_ones]
        champion = "yes" if unit in championed else data["sector_champion"] or "unknown"
        stated = str(data["vcse_links"] or "").lower()
        evidence = "; ".join(f"{mode}: {', '.join(sorted({names[p] for p, m in links if m == mode}))}"
                             for mode in MODES if modes[mode])
        rows.append({
            "id": unit, "name": names[unit], "kind": data["kind"], **{mode: modes[mode] for mode in MODES},
            "partners": len(partners), "share_large_or_national": len(large) / len(partners) if partners else None,
            "coproduction_share": modes["co-production"] / len(links) if links else None,
            "vcse_link": "yes" if partners else ("no" if stated == "no" else "unknown"),
            "only_large_national": ("yes" if len(large) == len(partners) else "no") if partners else "unknown",
            "sector_champion": champion, "note": data["note"], "evidence": evidence,
        })
    columns = ["id", "name", "kind", *MODES, "partners", "share_large_or_national", "coproduction_share",
               "vcse_link", "only_large_national", "sector_champion", "note", "evidence"]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["partners", "name"], ascending=[False, True]).reset_index(drop=True)
    frame.attrs["period"] = relations_period_label(end, start)
    frame.attrs["left out"] = f"{outside} links of directorates and teams dated outside the period"
    frame.attrs["dating"] = DATING_RULE
    return frame


def _unit_links(edges: pd.DataFrame, units: pd.Index) -> int:
    """How many relations (rows of the edge table) start or end at the given council units."""
    return int(edges["source"].isin(units).sum() + edges["target"].isin(units).sum())



def forum_representativeness(graph: GraphLike) -> pd.DataFrame:
    """Who sits on each forum, by kind, size and ward; and whether the council attends senior.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph

    Returns
    -------
    DataFrame
        One row per ``Forum``: ``members``, ``by_kind``, ``by_income_band``, ``by_ward`` (counts as
        text), ``large_members``, ``council_members``, ``council_senior`` (a council member marked
        ``seniority = senior``), ``member_names``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("F", kind="Forum", name="VCSE Partnership")
    >>> g.add_node("a", kind="UnregisteredGroup", name="A"); g.add_node("d", kind="Directorate", name="D")
    >>> _ = g.add_edge("a", "F", relation="MEMBER_OF"); _ = g.add_edge("d", "F", relation="MEMBER_OF", seniority="officer")
    >>> forum_representativeness(g)[["members", "council_members", "council_senior"]].to_dict("records")
    [{'members': 2, 'council_members': 1, 'council_senior': 'no'}]
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames), edge_table(frames, "seniority")
    forums = nodes["id"][(nodes["kind"] == "Forum").to_numpy()].tolist()
    memberships = edges[edges["relation"].isin(("MEMBER_OF", "PARTICIPATED_IN")) & edges["target"].isin(forums)]
    by_forum = dict(iter(memberships.groupby("target", sort=False)))
    index = ward_index(frames)
    members_ever = memberships["source"].tolist()
    names = names_by_id(frames, [*forums, *members_ever, *(index[m] for m in members_ever if m in index)])
    sectors = {k: sector(k) for k in nodes["kind"].astype(str).unique()}
    rows = []
    for forum in forums:
        found = by_forum.get(forum, memberships.iloc[:0])
        members = sorted(set(found["source"].tolist()))
        council = found[found["source"].map(nodes["kind"].astype(str)).map(sectors).eq("council").to_numpy()]
        member = nodes.loc[members].astype(object).to_dict("records")
        wards = Counter(names[w] if (w := index.get(m)) else "unknown" for m in members)
        rows.append({
            "id": forum, "name": names[forum], "members": len(members),
            "by_kind": _counts(m["kind"] for m in member),
            "by_income_band": _counts(m["income_band"] or "unknown" for m in member),
            "by_ward": _counts(wards.elements()),
            "large_members": sum(is_large_or_national(m) for m in member),
            "council_members": council["source"].nunique(),
            "council_senior": _senior(council["seniority"].tolist()),
            "member_names": "; ".join(names[m] for m in members),
        })
    return pd.DataFrame(rows, columns=["id", "name", "members", "by_kind", "by_income_band", "by_ward", "large_members",
                                       "council_members", "council_senior", "member_names"])


def _senior(seniority: list[str | None]) -> str:
    """yes, no or unknown: does a council member attend at senior level (given the ``seniority`` of
    each council membership)?"""
    stated = [str(s or "").lower() for s in seniority]
    if "senior" in stated:
        return "yes"
    return "no" if stated and all(stated) else "unknown"


def _counts(values: object) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(Counter(values).items()))
