"""How the council works with the sector (question 2) and who sits on the forum (question 8)."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd

from civicgraph.analysis.network import is_large_or_national, name, sector, ward_of
from civicgraph.analysis.period import DATING_RULE, relations_in_period, relations_period_label, resolve_period

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
MODES = ("purchaser-provider", "grant-maker", "co-production", "infrastructure-support", "partnership")


def _partners(graph: nx.MultiDiGraph, unit: str) -> list[tuple[str, str]]:
    """(partner, mode) for each relation between a council unit and a non-council organisation.

    Contracts count through the contract: ``contract -COMMISSIONED_BY-> unit`` and
    ``contract -AWARDED_TO-> provider``.
    """
    found = []
    edges = [(s, d) for s, _, d in graph.in_edges(unit, data=True)] + [(t, d) for _, t, d in graph.out_edges(unit, data=True)]
    for other, data in edges:
        mode = MODE_ALIASES.get(str(data.get("mode") or "").lower()) or MODE_OF_RELATION.get(data["relation"])
        if mode is None:
            continue
        kind = graph.nodes[other]["kind"]
        if kind == "Contract":
            providers = [t for _, t, d in graph.out_edges(other, data=True) if d["relation"] == "AWARDED_TO"]
            found += [(p, mode) for p in providers] or [(other, mode)]
        elif sector(kind) not in ("council",):
            found.append((other, mode))
    return found


def _unit_links(graph: nx.MultiDiGraph, units: list[str]) -> int:
    """How many relations start or end at the given council units."""
    return sum(graph.in_degree(u) + graph.out_degree(u) for u in units)


def directorate_coproduction(graph: nx.MultiDiGraph, *, as_of: str | None = None,
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
    start, end = resolve_period(graph, as_of, between)
    units = [n for n, k in graph.nodes(data="kind") if k in ("Directorate", "Team")]
    everything, (graph, _) = graph, relations_in_period(graph, end, start=start)
    outside = _unit_links(everything, units) - _unit_links(graph, units)
    rows = []
    for unit, data in graph.nodes(data=True):
        if data["kind"] not in ("Directorate", "Team"):
            continue
        links = _partners(graph, unit)
        modes = Counter(mode for _, mode in links)
        partners = sorted({p for p, _ in links})
        large = [p for p in partners if is_large_or_national(graph.nodes[p])]
        champions = [s for s, _, d in graph.in_edges(unit, data=True) if d["relation"] == "CHAMPION_FOR"]
        champion = "yes" if champions else data.get("sector_champion") or "unknown"
        stated = str(data.get("vcse_links") or "").lower()
        evidence = "; ".join(f"{mode}: {', '.join(sorted({name(graph, p) for p, m in links if m == mode}))}"
                             for mode in MODES if modes[mode])
        rows.append({
            "id": unit, "name": name(graph, unit), "kind": data["kind"], **{mode: modes[mode] for mode in MODES},
            "partners": len(partners), "share_large_or_national": len(large) / len(partners) if partners else None,
            "coproduction_share": modes["co-production"] / len(links) if links else None,
            "vcse_link": "yes" if partners else ("no" if stated == "no" else "unknown"),
            "only_large_national": ("yes" if len(large) == len(partners) else "no") if partners else "unknown",
            "sector_champion": champion, "note": data.get("note"), "evidence": evidence,
        })
    columns = ["id", "name", "kind", *MODES, "partners", "share_large_or_national", "coproduction_share",
               "vcse_link", "only_large_national", "sector_champion", "note", "evidence"]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["partners", "name"], ascending=[False, True]).reset_index(drop=True)
    frame.attrs["period"] = relations_period_label(end, start)
    frame.attrs["left out"] = f"{outside} links of directorates and teams dated outside the period"
    frame.attrs["dating"] = DATING_RULE
    return frame


def forum_representativeness(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Who sits on each forum, by kind, size and ward; and whether the council attends senior.

    Returns
    -------
    DataFrame
        One row per ``Forum``: ``members``, ``by_kind``, ``by_income_band``, ``by_ward`` (counts as
        text), ``large_members``, ``council_members``, ``council_senior`` (a council member marked
        ``seniority = senior``), ``member_names``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("F", kind="Forum", name="VCSE Partnership")
    >>> g.add_node("a", kind="UnregisteredGroup", name="A"); g.add_node("d", kind="Directorate", name="D")
    >>> _ = g.add_edge("a", "F", relation="MEMBER_OF"); _ = g.add_edge("d", "F", relation="MEMBER_OF", seniority="officer")
    >>> forum_representativeness(g)[["members", "council_members", "council_senior"]].to_dict("records")
    [{'members': 2, 'council_members': 1, 'council_senior': 'no'}]
    """
    rows = []
    for forum, data in graph.nodes(data=True):
        if data["kind"] != "Forum":
            continue
        memberships = [(s, d) for s, _, d in graph.in_edges(forum, data=True) if d["relation"] in ("MEMBER_OF", "PARTICIPATED_IN")]
        members = sorted({s for s, _ in memberships})
        council = [(s, d) for s, d in memberships if sector(graph.nodes[s]["kind"]) == "council"]
        wards = Counter(name(graph, w) if (w := ward_of(graph, m)) else "unknown" for m in members)
        rows.append({
            "id": forum, "name": name(graph, forum), "members": len(members),
            "by_kind": _counts(graph.nodes[m]["kind"] for m in members),
            "by_income_band": _counts(graph.nodes[m].get("income_band", "unknown") for m in members),
            "by_ward": _counts(wards.elements()),
            "large_members": sum(is_large_or_national(graph.nodes[m]) for m in members),
            "council_members": len({s for s, _ in council}),
            "council_senior": _senior(council),
            "member_names": "; ".join(name(graph, m) for m in members),
        })
    return pd.DataFrame(rows, columns=["id", "name", "members", "by_kind", "by_income_band", "by_ward", "large_members",
                                       "council_members", "council_senior", "member_names"])


def _senior(council: list[tuple[str, dict]]) -> str:
    """yes, no or unknown: does a council member attend at senior level?"""
    seniority = [str(d.get("seniority") or "").lower() for _, d in council]
    if "senior" in seniority:
        return "yes"
    return "no" if seniority and all(seniority) else "unknown"


def _counts(values: object) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(Counter(values).items()))
