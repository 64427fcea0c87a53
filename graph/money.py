"""Where the money goes (question 5), who funds together (question 10), and how the authority
compares with its peers.

Amounts are GBP as published. A grant counts towards a ward when its beneficiary area (``SERVES_AREA``)
is the ward or an LSOA in it, otherwise when its recipient is located there; grants placed nowhere are
reported as ``unknown``.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx
import pandas as pd

from graph.gaps import ward_deprivation
from graph.network import name, organisations, ward_index
from loaders.income_bands import BANDS


def grants_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Every ``FUNDED_BY`` edge as a row: ``recipient``, ``funder``, ``amount`` (GBP), ``year``, ``grant``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0, award_date="2019-04-01", grant="G1")
    >>> grants_frame(g).to_dict("records")
    [{'recipient': 'a', 'funder': 'f', 'amount': 5.0, 'grant': 'G1', 'year': 2019}]
    """
    rows = [(s, t, d.get("amount"), d.get("award_date") or d.get("date"), d.get("grant"))
            for s, t, d in graph.edges(data=True) if d["relation"] == "FUNDED_BY"]
    frame = pd.DataFrame(rows, columns=["recipient", "funder", "amount", "date", "grant"])
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0).astype(float)
    frame["year"] = pd.to_numeric(frame["date"].astype(str).str.slice(0, 4), errors="coerce").astype("Int64")
    return frame.drop(columns=["date"])


def _grants(graph: nx.MultiDiGraph) -> list[dict]:
    """One record per ``FUNDED_BY`` edge: recipient, funder, amount, year, grant id."""
    found = []
    for recipient, funder, data in graph.edges(data=True):
        if data["relation"] == "FUNDED_BY":
            date = str(data.get("award_date") or data.get("date") or "")
            found.append({"recipient": recipient, "funder": funder, "amount": float(data.get("amount") or 0.0),
                          "year": int(date[:4]) if date[:4].isdigit() else None, "grant": data.get("grant")})
    return found


def _ward_of_grant(graph: nx.MultiDiGraph, grant: dict, wards: dict[str, str]) -> str | None:
    grant_id = grant.get("grant")
    if grant_id and grant_id in graph:
        for _, place, data in graph.out_edges(grant_id, data=True):
            if data["relation"] == "SERVES_AREA":
                kind = graph.nodes[place]["kind"]
                if kind == "Ward":
                    return place
                if kind == "LSOA":
                    wards = [w for _, w, d in graph.out_edges(place, data=True)
                             if d["relation"] == "PART_OF" and graph.nodes[w]["kind"] == "Ward"]
                    if wards:
                        return wards[0]
    return wards.get(grant["recipient"])


def funding_by_ward(graph: nx.MultiDiGraph, *, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Grant money by ward against deprivation.

    Parameters
    ----------
    years : (int, int), optional
        First and last award year to count.

    Returns
    -------
    DataFrame
        One row per ward (and ``unknown``): ``ward``, ``ward_name``, ``grants``, ``amount_gbp``,
        ``recipients``, ``organisations_located`` (organisations in the ward), ``imd_score`` (mean
        over its LSOAs), ``imd_rank_in_authority`` (1 = most deprived), ``amount_rank`` (1 = most money).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward", name="Feltham West"); g.add_node("o", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("o", "W", relation="LOCATED_IN")
    >>> _ = g.add_edge("o", "f", relation="FUNDED_BY", amount=500.0, award_date="2017-04-01")
    >>> funding_by_ward(g)[["ward_name", "amount_gbp"]].values.tolist()
    [['Feltham West', 500.0]]
    """
    wards = {n: d for n, d in graph.nodes(data=True) if d["kind"] == "Ward"}
    index = ward_index(graph)
    totals: dict[str, dict] = {w: {"grants": 0, "amount_gbp": 0.0, "recipients": set()} for w in wards}
    for grant in _grants(graph):
        if years and (grant["year"] is None or not years[0] <= grant["year"] <= years[1]):
            continue
        ward = _ward_of_grant(graph, grant, index) or "unknown"
        entry = totals.setdefault(ward, {"grants": 0, "amount_gbp": 0.0, "recipients": set()})
        entry["grants"] += 1
        entry["amount_gbp"] += grant["amount"]
        entry["recipients"].add(grant["recipient"])
    located: dict[str, int] = defaultdict(int)
    for node, ward in index.items():
        if graph.nodes[node]["kind"] not in ("Ward", "LSOA"):
            located[ward] += 1
    imd = ward_deprivation(graph)
    rows = [{"ward": w, "ward_name": name(graph, w) if w in graph else w, "grants": t["grants"],
             "amount_gbp": t["amount_gbp"], "recipients": len(t["recipients"]), "organisations_located": located[w],
             "imd_score": imd.get(w)} for w, t in totals.items()]
    frame = pd.DataFrame(rows, columns=["ward", "ward_name", "grants", "amount_gbp", "recipients",
                                        "organisations_located", "imd_score"])
    frame["imd_rank_in_authority"] = frame["imd_score"].rank(ascending=False, method="min")
    frame["amount_rank"] = frame["amount_gbp"].rank(ascending=False, method="min")
    return frame.sort_values(["amount_gbp", "ward_name"], ascending=[False, True]).reset_index(drop=True)


def funding_by_income_band(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Grant money by the recipient's income band (NCVO bands; ``unknown`` where no income is known).

    Returns
    -------
    DataFrame
        ``income_band``, ``organisations`` (all in the graph in that band), ``recipients``,
        ``grants``, ``amount_gbp``, ``share_of_amount``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", income_band="micro"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=100.0)
    >>> funding_by_income_band(g).set_index("income_band").loc["micro", "share_of_amount"]
    np.float64(1.0)
    """
    bands = [b for b, _ in BANDS] + ["unknown"]
    population = defaultdict(int)
    for node in organisations(graph, ["vcse"]):
        population[graph.nodes[node].get("income_band", "unknown")] += 1
    grants = grants_frame(graph)
    band_of = {n: b for n, b in graph.nodes(data="income_band") if b}
    grants["band"] = [band_of.get(r, "unknown") for r in grants["recipient"]]
    totals = grants.groupby("band").agg(recipients=("recipient", "nunique"), grants=("recipient", "size"),
                                        amount_gbp=("amount", "sum"))
    frame = pd.DataFrame({"income_band": [*bands, *sorted(set(totals.index) - set(bands))]})
    frame["organisations"] = frame["income_band"].map(population).fillna(0).astype(int)
    frame = frame.join(totals, on="income_band").fillna({"recipients": 0, "grants": 0, "amount_gbp": 0.0})
    frame = frame.astype({"recipients": int, "grants": int})
    total = frame["amount_gbp"].sum()
    frame["share_of_amount"] = frame["amount_gbp"] / total if total else None
    return frame[["income_band", "organisations", "recipients", "grants", "amount_gbp", "share_of_amount"]]


def gini(values: list[float]) -> float | None:
    """Gini coefficient of non-negative amounts (0 = equal shares, towards 1 = one takes all).

    Examples
    --------
    >>> gini([10, 10, 10]), gini([0, 0, 30])
    (0.0, 0.6666666666666666)
    """
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return None
    return sum((2 * i - n + 1) * v for i, v in enumerate(ordered)) / (n * total)


def funding_by_funder(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Each funder's grants in the area: total, recipients, and how concentrated (Gini, HHI).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("b", "Charity"), ("f", "Funder")]:
    ...     g.add_node(n, kind=k, name=n.upper())
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=90.0); _ = g.add_edge("b", "f", relation="FUNDED_BY", amount=10.0)
    >>> funding_by_funder(g)[["funder_name", "amount_gbp", "recipients"]].values.tolist()
    [['F', 100.0, 2]]
    """
    grants = grants_frame(graph)
    per_recipient = grants.groupby(["funder", "recipient"])["amount"].sum()
    counts = grants["funder"].value_counts()
    rows = []
    for funder, amounts in per_recipient.groupby(level=0):
        values = amounts.to_numpy()
        total = float(values.sum())
        rows.append({"funder": funder, "funder_name": name(graph, funder), "grants": int(counts[funder]),
                     "amount_gbp": total, "recipients": len(values),
                     "gini": gini(list(values)), "hhi": float(((values / total) ** 2).sum()) if total else None})
    frame = pd.DataFrame(rows, columns=["funder", "funder_name", "grants", "amount_gbp", "recipients", "gini", "hhi"])
    return frame.sort_values("amount_gbp", ascending=False).reset_index(drop=True)


def co_funding(graph: nx.MultiDiGraph, *, min_shared: int = 1) -> pd.DataFrame:
    """Funders that fund the same organisations.

    Returns
    -------
    DataFrame
        One row per pair of funders with at least ``min_shared`` recipients in common:
        ``funder_a``, ``funder_b`` (names), ``shared_recipients`` (count), ``jaccard`` (shared over
        either's recipients), ``recipient_names``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("l", "Funder"), ("c", "Funder")]:
    ...     g.add_node(n, kind=k, name=n.upper())
    >>> _ = g.add_edge("a", "l", relation="FUNDED_BY"); _ = g.add_edge("a", "c", relation="FUNDED_BY")
    >>> co_funding(g)[["funder_a", "funder_b", "shared_recipients"]].values.tolist()
    [['C', 'L', 1]]
    """
    recipients: dict[str, set[str]] = defaultdict(set)
    funders_of: dict[str, set[str]] = defaultdict(set)
    for grant in _grants(graph):
        recipients[grant["funder"]].add(grant["recipient"])
        funders_of[grant["recipient"]].add(grant["funder"])
    # count shared recipients through each recipient's funders: no comparison of every pair of funders
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for recipient, funders in funders_of.items():
        for pair in combinations(sorted(funders, key=lambda f: (name(graph, f), f)), 2):
            shared[pair].append(recipient)
    rows = []
    for (a, b), common in shared.items():
        if len(common) >= min_shared:
            names = sorted(name(graph, r) for r in common)
            rows.append({"funder_a": name(graph, a), "funder_b": name(graph, b), "shared_recipients": len(common),
                         "jaccard": len(common) / (len(recipients[a]) + len(recipients[b]) - len(common)),
                         "recipient_names": "; ".join(names[:50]) + (f"; and {len(names) - 50} more" if len(names) > 50 else "")})
    frame = pd.DataFrame(rows, columns=["funder_a", "funder_b", "shared_recipients", "jaccard", "recipient_names"])
    return frame.sort_values(["shared_recipients", "jaccard"], ascending=False).reset_index(drop=True)


def local_programmes(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Money the council allocates through its own programmes (e.g. Local CIL), with sources.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("c", kind="Council", name="LBH"); g.add_node("p", kind="Programme", name="Local CIL", amount=302292.0)
    >>> _ = g.add_edge("c", "p", relation="DELIVERS", mode="grant-maker")
    >>> local_programmes(g)[["programme", "amount_gbp"]].values.tolist()
    [['Local CIL', 302292.0]]
    """
    rows = []
    for owner, programme, data in graph.edges(data=True):
        node = graph.nodes[programme]
        if data["relation"] == "DELIVERS" and node["kind"] == "Programme":
            rows.append({"programme": name(graph, programme), "delivered_by": name(graph, owner),
                         "amount_gbp": node.get("amount"), "start_date": node.get("start_date"),
                         "end_date": node.get("end_date"), "note": node.get("note"),
                         "source": "; ".join(p["record"] for p in node.get("provenance", []))})
    return pd.DataFrame(rows, columns=["programme", "delivered_by", "amount_gbp", "start_date", "end_date", "note", "source"])


def compare_authorities(grants: pd.DataFrame, authorities: pd.DataFrame, *, focus: str,
                        peers: list[str] | None = None) -> pd.DataFrame:
    """Grant funding of one authority against its peers, in total and per head (the Review's Figure 3).

    Parameters
    ----------
    grants : DataFrame
        From :func:`loaders.threesixtygiving.grants_by_authority` (one or more files concatenated).
    authorities : DataFrame
        ``gss_code``, ``name``, ``population`` of every authority that may appear.
    focus : str
        GSS code of the authority the graph is about.
    peers : list of str, optional
        GSS codes to compare with (e.g. similar outer-London boroughs); by default every authority
        in ``grants``.

    Returns
    -------
    DataFrame
        One row per authority (the focus always included, with zeros if it received nothing):
        ``gss_code``, ``name``, ``grants``, ``amount_gbp``, ``recipients``, ``funders``,
        ``population``, ``gbp_per_head``, ``rank_per_head`` (1 = most), ``focus``.

    Examples
    --------
    >>> grants = pd.DataFrame({"authority": ["A", "A", "B"], "amount": [100.0, 50.0, 300.0],
    ...                        "recipient": ["x", "y", "z"], "funder": ["f", "f", "f"]})
    >>> places = pd.DataFrame({"gss_code": ["A", "B"], "name": ["Ay", "Bee"], "population": [10, 100]})
    >>> compare_authorities(grants, places, focus="A")[["name", "gbp_per_head", "rank_per_head"]].values.tolist()
    [['Ay', 15.0, 1.0], ['Bee', 3.0, 2.0]]
    """
    wanted = set(peers or grants["authority"].dropna()) | {focus}
    chosen = grants[grants["authority"].isin(wanted)]
    totals = chosen.groupby("authority").agg(grants=("amount", "size"), amount_gbp=("amount", "sum"),
                                             recipients=("recipient", "nunique"), funders=("funder", "nunique"))
    frame = authorities[authorities["gss_code"].isin(wanted)].set_index("gss_code")[["name", "population"]]
    frame = frame.join(totals, how="left").fillna({"grants": 0, "amount_gbp": 0.0, "recipients": 0, "funders": 0})
    frame = frame.astype({"grants": int, "recipients": int, "funders": int})
    frame["gbp_per_head"] = frame["amount_gbp"] / frame["population"].astype(float)
    frame["rank_per_head"] = frame["gbp_per_head"].rank(ascending=False, method="min")
    frame["focus"] = frame.index == focus
    frame = frame.reset_index().rename(columns={"index": "gss_code"})
    columns = ["gss_code", "name", "grants", "amount_gbp", "recipients", "funders", "population", "gbp_per_head",
               "rank_per_head", "focus"]
    return frame[columns].sort_values("gbp_per_head", ascending=False).reset_index(drop=True)
