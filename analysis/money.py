"""Where the money goes (question 5), who funds together (question 10), and how the authority
compares with its peers.

Each grant keeps its currency. ``amount_gbp`` counts grants in GBP only, exactly (no float noise),
unless ``rates`` (GBP per unit of another currency, as the user configured them) are given; money
in other currencies is listed in ``other_currencies`` in its own currency, with the rate where one
was used. A grant counts towards a ward when its beneficiary area (``SERVES_AREA``) is the ward or an
LSOA in it, otherwise when its recipient is located there; grants placed nowhere are reported as
``unknown``. A grant to an individual is its own (anonymous) recipient.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from civicgraph.analysis.gaps import ward_deprivation
from civicgraph.analysis.network import names_of, organisation_nodes, ward_index
from civicgraph.analysis.period import (
    DATING_RULE,
    grants_in_period,
    relations_in_period,
    relations_period_label,
    resolve_period,
    with_period,
)
from civicgraph.core.amounts import exact_sum, in_base_currency, other_currencies
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.graph.tables import edge_table, grants_frame, in_source_order, node_table, source_records
from civicgraph.loaders.income_bands import BANDS


def _grant_wards(frames: GraphFrames, index: dict[str, str]) -> pd.Series:
    """The ward each grant serves (its ``SERVES_AREA`` ward, or the ward of its LSOA), by grant id."""
    edges, kind = edge_table(frames), node_table(frames)["kind"].astype(str)
    serves = edges[edges["relation"] == "SERVES_AREA"]
    place_kind = serves["target"].map(kind)
    ward = serves["target"].where(place_kind == "Ward", serves["target"].map(index).where(place_kind == "LSOA"))
    found = pd.Series(ward.to_numpy(), index=serves["source"].to_numpy()).dropna()
    return found[~found.index.duplicated()]


def _money_by(grants: pd.DataFrame, column: str, rates: Mapping[str, float] | None) -> pd.DataFrame:
    """Per value of ``column``: ``amount_gbp`` (exact; GBP, or converted at ``rates``) and
    ``other_currencies`` (what was not counted, each in its own currency)."""
    gbp = in_base_currency(grants["amount"], grants["currency"], rates=rates)
    counted = gbp.notna().to_numpy()
    totals = exact_sum(gbp[counted], by=grants.loc[counted, column])
    # every other currency is named, each in its own units; one converted by a rate also says the rate
    others = other_currencies(grants["amount"], grants["currency"], grants[column], rates=rates)
    frame = pd.DataFrame({"amount_gbp": totals, "other_currencies": others}).fillna({"amount_gbp": 0.0})
    frame.index = frame.index.astype(object)
    return frame


def _ward_population(frames: GraphFrames, wards: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each ward's residents and how they are known: its ``population`` attribute, with its
    ``population_basis`` (an estimate, see :mod:`pipeline.population`) or ``source``; ``unknown``
    when neither a source nor an estimate gives it (per-head figures are then left empty)."""
    nodes = node_table(frames, "population", "population_basis")
    population = wards.map(nodes["population"]).astype(float)
    basis = wards.map(nodes["population_basis"])
    basis = basis.where(basis.notna() & (basis != ""), "source")
    return population, basis.where(population.notna(), "unknown").astype(object)


def funding_by_ward(graph: GraphLike, *, years: tuple[int, int] | None = None,
                    rates: Mapping[str, float] | None = None, as_of: str | None = None,
                    between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Grant money by ward against deprivation.

    Parameters
    ----------
    years : (int, int), optional
        First and last award year to count.
    rates : mapping, optional
        GBP per unit of other currencies, to count them in ``amount_gbp`` (named in ``other_currencies``).
    as_of : str, optional
        Count grants awarded up to this ISO date. By default the latest date of the graph's data;
        ``""`` counts every grant.
    between : tuple of str, optional
        A period ``(start, end)`` of ISO dates instead of ``as_of``: count grants awarded in it.
        Grants without a date are always counted. ``attrs["period"]`` states the period and
        ``attrs["left out"]`` how many grants fell outside it.

    Returns
    -------
    DataFrame
        One row per ward (and ``unknown``): ``ward``, ``ward_name``, ``grants`` (in any currency),
        ``amount_gbp``, ``other_currencies`` (totals not in GBP, each in its currency), ``recipients``, ``organisations_located`` (organisations in the ward), ``imd_score`` (mean
        over its LSOAs), ``imd_rank_in_authority`` (1 = most deprived), ``amount_rank`` (1 = most money),
        ``population`` (residents), ``population_basis`` (``source`` when a source gave the ward's
        population, the method and numbers of an estimate, see :mod:`pipeline.population`, or
        ``unknown``),
        ``amount_per_head_gbp``, ``organisations_per_1000`` and ``need_reach_gap``: the ward's IMD
        rank minus its per-head funding rank (positive = more deprived than it is funded).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward", name="Feltham West"); g.add_node("o", kind="Charity"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("o", "W", relation="LOCATED_IN")
    >>> _ = g.add_edge("o", "f", relation="FUNDED_BY", amount=500.0, currency="GBP", award_date="2017-04-01")
    >>> funding_by_ward(g)[["ward_name", "amount_gbp"]].values.tolist()
    [['Feltham West', 500.0]]
    >>> g.nodes["W"]["population"] = 10_000
    >>> funding_by_ward(g)[["amount_per_head_gbp", "organisations_per_1000", "population_basis"]].values.tolist()
    [[0.05, 0.1, 'source']]
    >>> before = funding_by_ward(g, between=("2010-01-01", "2015-12-31"))
    >>> before["amount_gbp"].tolist(), before.attrs["left out"]
    ([0.0], '1 grants dated outside the period')
    """
    frames = as_frames(graph)
    start, end = resolve_period(frames, as_of, between)
    frames, outside = relations_in_period(frames, end, start=start, relations=frozenset({"FUNDED_BY"}))
    kind = node_table(frames)["kind"].astype(str)
    wards = kind.index[(kind == "Ward").to_numpy()].tolist()
    index = ward_index(frames)
    grants = grants_frame(frames)
    if years:
        grants = grants[grants["year"].between(years[0], years[1]).fillna(False).astype(bool)]
    served = grants["grant"].map(_grant_wards(frames, index)).astype(object)
    home = grants["recipient"].map(index).astype(object)
    grants = grants.assign(ward=served.where(served.notna(), home).where(lambda w: w.notna(), "unknown"))
    totals = grants.groupby("ward").agg(grants=("recipient", "size"), recipients=("recipient", "nunique"))
    totals.index = totals.index.astype(object)
    totals = totals.join(_money_by(grants, "ward", rates))[["grants", "amount_gbp", "other_currencies", "recipients"]]
    placed = pd.Series(index)
    located = placed[~placed.index.map(kind).isin(["Ward", "LSOA"])].value_counts()
    imd = ward_deprivation(frames)
    every = list(dict.fromkeys([*wards, *totals.index]))
    totals.index = totals.index.astype(object)
    frame = pd.DataFrame({"ward": pd.Series(every, dtype=object)}).join(totals, on="ward")
    frame = frame.fillna({"grants": 0, "amount_gbp": 0.0, "recipients": 0}).astype({"grants": int, "recipients": int})
    frame.insert(1, "ward_name", names_of(frames, frame["ward"]))
    frame["organisations_located"] = frame["ward"].map(located).fillna(0).astype(int)
    frame["imd_score"] = frame["ward"].map(imd)
    frame = frame[["ward", "ward_name", "grants", "amount_gbp", "other_currencies", "recipients",
                   "organisations_located", "imd_score"]]
    frame["imd_rank_in_authority"] = frame["imd_score"].rank(ascending=False, method="min")
    frame["amount_rank"] = frame["amount_gbp"].rank(ascending=False, method="min")
    population, basis = _ward_population(frames, frame["ward"])
    frame["population"], frame["population_basis"] = population, basis
    frame["amount_per_head_gbp"] = (frame["amount_gbp"] / frame["population"]).round(2)
    frame["organisations_per_1000"] = (frame["organisations_located"] / frame["population"] * 1000).round(2)
    per_head_rank = frame["amount_per_head_gbp"].rank(ascending=False, method="min")
    frame["need_reach_gap"] = per_head_rank - frame["imd_rank_in_authority"]
    frame = frame.sort_values(["amount_gbp", "ward_name"], ascending=[False, True]).reset_index(drop=True)
    frame.attrs["period"] = relations_period_label(end, start)
    frame.attrs["left out"] = f"{outside} grants dated outside the period"
    frame.attrs["dating"] = DATING_RULE
    return frame


def funding_by_income_band(graph: GraphLike, *, rates: Mapping[str, float] | None = None,
                           as_of: str | None = None, between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Grant money by the recipient's income band (NCVO bands; ``unknown`` where no income is known,
    ``individuals`` for grants to individuals).

    Parameters
    ----------
    rates : mapping, optional
        GBP per unit of other currencies, to count them in ``amount_gbp``.
    as_of : str, optional
        The period (ISO date): grants dated after it are left out. By default the latest date of
        the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead: only grants dated in it.

    Returns
    -------
    DataFrame
        ``income_band``, ``organisations`` (all in the graph in that band), ``recipients``,
        ``grants``, ``amount_gbp``, ``other_currencies``, ``share_of_amount`` (of the GBP total).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Charity", income_band="micro"); g.add_node("f", kind="Funder")
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=100.0, currency="GBP")
    >>> funding_by_income_band(g).set_index("income_band").loc["micro", "share_of_amount"]
    np.float64(1.0)
    """
    frames, period = grants_in_period(as_frames(graph), as_of, between)
    bands = [b for b, _ in BANDS] + ["unknown"]
    nodes = node_table(frames)
    band_of = nodes["income_band"]
    vcse = organisation_nodes(frames).query("sector == 'vcse'")["id"]
    population = vcse.map(band_of).fillna("unknown").value_counts()
    grants = grants_frame(frames)
    grants["band"] = grants["recipient"].map(band_of).fillna("unknown")
    grants.loc[grants["recipient"].map(nodes["kind"].astype(str)).eq("Grant").to_numpy(), "band"] = "individuals"
    totals = grants.groupby("band").agg(recipients=("recipient", "nunique"), grants=("recipient", "size"))
    totals.index = totals.index.astype(object)
    totals = totals.join(_money_by(grants, "band", rates))
    frame = pd.DataFrame({"income_band": [*bands, *sorted(set(totals.index) - set(bands))]})
    frame["organisations"] = frame["income_band"].map(population).fillna(0).astype(int)
    frame = frame.join(totals, on="income_band").fillna({"recipients": 0, "grants": 0, "amount_gbp": 0.0})
    frame = frame.astype({"recipients": int, "grants": int})
    total = exact_sum(frame["amount_gbp"])
    frame["share_of_amount"] = frame["amount_gbp"] / total if total else None
    return with_period(frame[["income_band", "organisations", "recipients", "grants", "amount_gbp", "other_currencies",
                              "share_of_amount"]], period)


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


def funding_by_funder(graph: GraphLike, *, rates: Mapping[str, float] | None = None,
                      as_of: str | None = None, between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Each funder's grants in the area: total, recipients, and how concentrated (Gini, HHI).

    Parameters
    ----------
    rates : mapping, optional
        GBP per unit of other currencies, to count them in ``amount_gbp``.
    as_of : str, optional
        The period (ISO date): grants dated after it are left out. By default the latest date of
        the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead: only grants dated in it.

    Returns
    -------
    DataFrame
        ``funder``, ``funder_name``, ``grants`` (in any currency), ``amount_gbp`` (exact),
        ``other_currencies`` (totals not counted in GBP, each in its currency), ``recipients``,
        ``gini`` and ``hhi`` (of the GBP money over its recipients). A grant in two source files
        counts once.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("b", "Charity"), ("f", "Funder")]:
    ...     g.add_node(n, kind=k, name=n.upper())
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=90.1, currency="GBP")
    >>> _ = g.add_edge("b", "f", relation="FUNDED_BY", amount=10.2, currency="GBP")
    >>> _ = g.add_edge("b", "f", relation="FUNDED_BY", amount=50.0, currency="USD")
    >>> funding_by_funder(g)[["funder_name", "grants", "amount_gbp", "other_currencies", "recipients"]].values.tolist()
    [['F', 3, 100.3, 'USD 50.0', 2]]
    """
    frames, period = grants_in_period(as_frames(graph), as_of, between)
    grants = grants_frame(frames)
    gbp = in_base_currency(grants["amount"], grants["currency"], rates=rates)
    counted = grants[gbp.notna().to_numpy()].assign(amount=gbp.dropna().to_numpy())
    per_recipient = exact_sum(counted["amount"], by=counted["funder"].astype(str) + "\0" + counted["recipient"].astype(str))
    values_of: dict[str, list[float]] = defaultdict(list)
    for pair, amount in per_recipient.items():
        values_of[pair.split("\0", 1)[0]].append(amount)
    money = _money_by(grants, "funder", rates)
    counts = grants["funder"].value_counts()
    every = grants.groupby("funder")["recipient"].nunique()
    rows = []
    for funder, funder_name in zip(counts.index, names_of(frames, counts.index.to_series())):
        values = np.array(values_of.get(str(funder), []), dtype=float)
        total = float(money["amount_gbp"].get(funder, 0.0))
        rows.append({"funder": funder, "funder_name": funder_name, "grants": int(counts[funder]),
                     "amount_gbp": total, "other_currencies": money["other_currencies"].get(funder),
                     "recipients": int(every[funder]), "gini": gini(list(values)),
                     "hhi": float(((values / total) ** 2).sum()) if total else None})
    frame = pd.DataFrame(rows, columns=["funder", "funder_name", "grants", "amount_gbp", "other_currencies",
                                        "recipients", "gini", "hhi"])
    return with_period(frame.sort_values(["amount_gbp", "funder"], ascending=[False, True]).reset_index(drop=True),
                       period)


def co_funding(graph: GraphLike, *, min_shared: int = 1, as_of: str | None = None,
               between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Funders that fund the same organisations (through grants of the period).

    Parameters
    ----------
    min_shared : int
        Fewest recipients in common for a pair to be listed.
    as_of : str, optional
        The period (ISO date): grants dated after it are left out. By default the latest date of
        the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead: only grants dated in it.

    Returns
    -------
    DataFrame
        One row per pair of funders with at least ``min_shared`` recipients in common:
        ``funder_a``, ``funder_b`` (names), ``shared_recipients`` (count), ``jaccard`` (shared over
        either's recipients), ``recipient_names``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n, k in [("a", "Charity"), ("l", "Funder"), ("c", "Funder")]:
    ...     g.add_node(n, kind=k, name=n.upper())
    >>> _ = g.add_edge("a", "l", relation="FUNDED_BY"); _ = g.add_edge("a", "c", relation="FUNDED_BY")
    >>> co_funding(g)[["funder_a", "funder_b", "shared_recipients"]].values.tolist()
    [['C', 'L', 1]]
    """
    frames, period = grants_in_period(as_frames(graph), as_of, between)
    grants = grants_frame(frames)[["recipient", "funder"]].drop_duplicates()
    columns = ["funder_a", "funder_b", "shared_recipients", "jaccard", "recipient_names"]

    def label(ids: pd.Series) -> pd.Series:
        return pd.Series(names_of(frames, ids), index=ids.index)

    funders = grants["funder"].drop_duplicates()
    order = pd.Series(range(len(funders)), index=pd.DataFrame({"name": label(funders), "id": funders})
                      .sort_values(["name", "id"])["id"].to_numpy())
    grants = grants.assign(rank=grants["funder"].map(order))
    # pairs of funders through each shared recipient: a self-join on the recipient, not every pair of funders
    pairs = grants.merge(grants, on="recipient", suffixes=("_a", "_b"))
    pairs = pairs[pairs["rank_a"] < pairs["rank_b"]]
    if pairs.empty:
        return with_period(pd.DataFrame(columns=columns), period)
    recipients = grants.groupby("funder")["recipient"].size()
    shared = pairs.groupby(["funder_a", "funder_b"]).size().rename("shared_recipients").reset_index()
    shared = shared[shared["shared_recipients"] >= min_shared]
    pairs = pairs.assign(recipient_name=label(pairs["recipient"])).sort_values(
        ["funder_a", "funder_b", "recipient_name"])
    shared = shared.join(_first_names(pairs.groupby(["funder_a", "funder_b"]).head(50)), on=["funder_a", "funder_b"])
    more = shared["shared_recipients"] - 50
    shared["recipient_names"] = shared["recipient_names"].where(more <= 0, shared["recipient_names"] + "; and "
                                                                + more.astype(str) + " more")
    shared["jaccard"] = shared["shared_recipients"] / (shared["funder_a"].map(recipients)
                                                       + shared["funder_b"].map(recipients) - shared["shared_recipients"])
    shared["funder_a"], shared["funder_b"] = label(shared["funder_a"]), label(shared["funder_b"])
    frame = shared[columns]
    return with_period(frame.sort_values(["shared_recipients", "jaccard"], ascending=False).reset_index(drop=True),
                       period)


def _first_names(pairs: pd.DataFrame) -> pd.Series:
    """``recipient_name`` of consecutive rows of each funder pair, joined with "; " (one pass over
    arrays: a pandas group per pair costs a hundred times as much)."""
    first, second = pairs["funder_a"].to_numpy(dtype=object), pairs["funder_b"].to_numpy(dtype=object)
    names = pairs["recipient_name"].to_numpy(dtype=object).tolist()
    starts = np.flatnonzero(np.r_[True, (first[1:] != first[:-1]) | (second[1:] != second[:-1])])
    ends = np.r_[starts[1:], len(names)]
    joined = ["; ".join(names[start:end]) for start, end in zip(starts.tolist(), ends.tolist())]
    return pd.Series(joined, index=pd.MultiIndex.from_arrays([first[starts], second[starts]],
                                                             names=["funder_a", "funder_b"]), name="recipient_names")


def local_programmes(graph: GraphLike) -> pd.DataFrame:
    """Money the council allocates through its own programmes (e.g. Local CIL), with sources.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("c", kind="Council", name="LBH"); g.add_node("p", kind="Programme", name="Local CIL", amount=302292.0)
    >>> _ = g.add_edge("c", "p", relation="DELIVERS", mode="grant-maker")
    >>> local_programmes(g)[["programme", "amount_gbp"]].values.tolist()
    [['Local CIL', 302292.0]]
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "amount", "start_date", "end_date", "note"), edge_table(frames)
    delivers = edges[(edges["relation"] == "DELIVERS").to_numpy(dtype=bool)]
    delivers = in_source_order(frames, delivers[(delivers["target"].map(nodes["kind"]) == "Programme").to_numpy(dtype=bool)])
    programmes = nodes.loc[delivers["target"]]
    records = source_records(frames).to_numpy()[pd.Index(frames.nodes["id"]).get_indexer(delivers["target"])]
    return pd.DataFrame({"programme": names_of(frames, delivers["target"]), "delivered_by": names_of(frames, delivers["source"]),
                         "amount_gbp": programmes["amount"].to_numpy(), "start_date": programmes["start_date"].to_numpy(),
                         "end_date": programmes["end_date"].to_numpy(), "note": programmes["note"].to_numpy(),
                         "source": records}).infer_objects()


def compare_authorities(grants: pd.DataFrame, authorities: pd.DataFrame, *, focus: str,
                        peers: list[str] | None = None, rates: Mapping[str, float] | None = None) -> pd.DataFrame:
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
    rates : mapping, optional
        GBP per unit of other currencies, to count them in ``amount_gbp``.

    Returns
    -------
    DataFrame
        One row per authority (the focus always included, with zeros if it received nothing):
        ``gss_code``, ``name``, ``grants`` (any currency), ``amount_gbp``, ``other_currencies``,
        ``recipients``, ``funders``,
        ``population``, ``gbp_per_head``, ``rank_per_head`` (1 = most), ``focus``.

    Examples
    --------
    >>> grants = pd.DataFrame({"authority": ["A", "A", "B"], "amount": [100.0, 50.0, 300.0],
    ...                        "currency": ["GBP", "GBP", "GBP"], "recipient": ["x", "y", "z"], "funder": ["f", "f", "f"]})
    >>> places = pd.DataFrame({"gss_code": ["A", "B"], "name": ["Ay", "Bee"], "population": [10, 100]})
    >>> compare_authorities(grants, places, focus="A")[["name", "gbp_per_head", "rank_per_head"]].values.tolist()
    [['Ay', 15.0, 1.0], ['Bee', 3.0, 2.0]]
    """
    wanted = set(peers or grants["authority"].dropna()) | {focus}
    chosen = grants[grants["authority"].isin(wanted)]
    totals = chosen.groupby("authority").agg(grants=("amount", "size"), recipients=("recipient", "nunique"),
                                             funders=("funder", "nunique"))
    totals.index = totals.index.astype(object)
    totals = totals.join(_money_by(chosen, "authority", rates))
    frame = authorities[authorities["gss_code"].isin(wanted)].set_index("gss_code")[["name", "population"]]
    frame = frame.join(totals, how="left").fillna({"grants": 0, "amount_gbp": 0.0, "recipients": 0, "funders": 0})
    frame = frame.astype({"grants": int, "recipients": int, "funders": int})
    frame["gbp_per_head"] = frame["amount_gbp"] / frame["population"].astype(float)
    frame["rank_per_head"] = frame["gbp_per_head"].rank(ascending=False, method="min")
    frame["focus"] = frame.index == focus
    frame = frame.reset_index().rename(columns={"index": "gss_code"})
    columns = ["gss_code", "name", "grants", "amount_gbp", "other_currencies", "recipients", "funders", "population",
               "gbp_per_head", "rank_per_head", "focus"]
    return frame[columns].sort_values("gbp_per_head", ascending=False).reset_index(drop=True)
