"""Who is missing (question 1) and what is missing (question 12).

Below-the-radar groups are organisations on no register, or micro (income under 10k GBP, or none
known), that the graph sees in directories, surveys or workshops but that have at most one link into
the council or funders. A ``little_known_score`` weighs the evidence: it measures how little the
registers, funders and the council know of a group (on no register, no income known, seen only in
directories or workshops, few links in), so it is a prompt for local knowledge, not a verdict: an
organisation can look "below the radar" only because no source records its links.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from civicgraph.analysis.centrality import links_into
from civicgraph.analysis.network import datasets, names_by_id, organisation_nodes, ward_index
from civicgraph.analysis.period import (
    DATING_RULE,
    inactive_organisations,
    period_label,
    relations_in_period,
    resolve_period,
)
from civicgraph.core.provenance import DERIVED_DATASETS
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames
from civicgraph.graph.tables import edge_table, node_table

#: Sources that see groups without registering them.
GRASSROOTS_SOURCES = frozenset({"workbook", "hounslow-connect", "open-referral", "assets"})
#: Kinds that cannot be below the radar (public bodies, funders, partnerships, infrastructure bodies).
EXCLUDED_SECTORS = ("council", "funder", "nhs", "partnership")
EXCLUDED_KINDS = frozenset({"InfrastructureBody"})
#: Places of the authority's own geography (the lookups keep only its LSOAs and wards).
AUTHORITY_PLACES = frozenset({"LocalAuthorityArea", "Ward", "LSOA"})
REGISTERED_PREFIXES = ("GB-CHC-", "GB-COH-", "GB-MPR-", "GB-SC-", "GB-NIC-")
#: Weight of each sign of being little known in the ``little_known_score`` (they sum to 1).
WEIGHTS = {"unregistered": 0.35, "micro_or_unknown_income": 0.2, "only_grassroots_sources": 0.2, "few_links_in": 0.25}


#: How the Charity Commission's register of mergers names a charity that is not registered.
UNREGISTERED_NAME = re.compile(r"\((unregistered charity|exempt charity|excepted charity)\)", re.IGNORECASE)
REGISTERED_KINDS = ("Charity", "CharitableIncorporatedOrganisation", "CommunityInterestCompany", "Company", "Mutual")
#: Node attributes :func:`registration` reads.
REGISTRATION_ATTRIBUTES = ("other_ids", "matched_ids", "register_candidates")
#: Node attributes a below-the-radar group is examined by.
GROUP_ATTRIBUTES = (*REGISTRATION_ATTRIBUTES, "community_group", "inside_authority", "org_class", "parent_body")
#: Columns of :func:`service_gaps`.
GAP_COLUMNS = ["ward", "ward_name", "theme", "theme_name", "providers", "provider_names", "no_located_provider",
               "unlocated_providers", "imd_score"]


def registration(graph: GraphLike, node: str) -> tuple[str, str]:
    """Whether an organisation is registered: ``yes``, ``no`` or ``unknown``, and why.

    ``yes`` when it has a register's identifier (or is of a registered form); ``no`` when its
    source names it an unregistered, exempt or excepted charity; ``unknown`` when a
    pair with a registered organisation awaits review, or when the build loaded no complete list of
    the authority's registered charities and companies (the graph attribute ``registers``, see
    :func:`civicgraph.pipeline.candidates.register_extracts`): not found in an extract that does
    not cover it is not "not registered"; ``no`` only when both lists were loaded and it is in neither.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(registers=[{"source": "ccew:extract", "complete": False, "covers": "other names only"}])
    >>> g.add_node("GB-CHC-1", kind="Charity"); g.add_node("club", kind="UnregisteredGroup")
    >>> registration(g, "GB-CHC-1")
    ('yes', 'on a register as GB-CHC-1')
    >>> registration(g, "club")
    ('unknown', 'not found in the register extracts loaded, which hold no complete list of the charities or companies of the authority (ccew:extract: other names only)')
    """
    frames = as_frames(graph)
    return _registration(node_table(frames, *REGISTRATION_ATTRIBUTES).loc[node].to_dict(),
                         frames.attributes.get("registers") or [])


def _registration(data: dict[str, Any], registers: list[dict[str, Any]]) -> tuple[str, str]:
    """:func:`registration` of a row of the node table, given the register extracts loaded."""
    ids = [i for i in (data["id"], *_listed(data.get("other_ids")), *_listed(data.get("matched_ids")))
           if i.startswith(REGISTERED_PREFIXES)]
    if ids:
        return "yes", f"on a register as {ids[0]}"
    if data.get("kind") in REGISTERED_KINDS:
        return "yes", f"a {data['kind']}, a registered form"
    said = UNREGISTERED_NAME.search(str(data.get("name") or ""))
    if said:
        return "no", f"its source names it an {said.group(1).lower()}, which is not on the register"
    candidates = _listed(data.get("register_candidates"))
    if candidates:
        return "unknown", f"possibly registered: {candidates[0]}, awaiting review"
    loaded = "; ".join(f"{r['source']}: {r['covers']}" for r in registers) or "none loaded"
    complete = {str(r["source"]).split(":")[0] for r in registers if r.get("complete")}
    if complete >= {"ccew", "companies-house"}:
        return "no", f"not found in the registers loaded ({loaded})"
    missing = " or ".join(kind for kind, loader in (("charities", "ccew"), ("companies", "companies-house"))
                          if loader not in complete)
    return "unknown", (f"not found in the register extracts loaded, which hold no complete list of the {missing} "
                       f"of the authority ({loaded})")


def _listed(value: Any) -> list[Any]:
    """A list attribute's values ([] when missing)."""
    return [] if value is None else list(value)


def _candidates(frames: GraphFrames, income_threshold_gbp: float, max_links_in: int,
                linked_in: dict[str, set[str]]) -> list[str]:
    """Organisations that may be below the radar, found from the tables before each is examined:
    of the VCSE sector, and unregistered or with a micro or unknown income, and few links in."""
    nodes = organisation_nodes(frames)
    table = node_table(frames).loc[nodes["id"]]
    income = pd.to_numeric(table["latest_income"], errors="coerce").to_numpy()
    keep = (~nodes["sector"].isin(EXCLUDED_SECTORS) & ~nodes["kind"].isin(EXCLUDED_KINDS)).to_numpy()
    registered_kind = nodes["kind"].isin(REGISTERED_KINDS) | nodes["id"].str.startswith(REGISTERED_PREFIXES)
    micro = pd.isna(income) | (income < income_threshold_gbp)
    few_links = nodes["id"].map(lambda n: len(linked_in.get(n, ())) <= max_links_in).to_numpy()
    # registered by kind or id and not micro cannot qualify; other ids are checked node by node
    return nodes["id"][keep & few_links & (~registered_kind.to_numpy() | micro)].tolist()


def _sightings(frames: GraphFrames, ids: list[str]) -> dict[str, list[str]]:
    """The datasets that saw each of ``ids`` (:func:`analysis.network.datasets`), derived ones left out."""
    rows = node_table(frames).index.get_indexer(ids)
    sources = frames.node_sources
    chosen = sources[sources["node"].isin(rows)]
    provenance: dict[int, list[dict[str, str]]] = {}
    for row, dataset in zip(chosen["node"].tolist(), chosen["dataset"].astype(object).tolist()):
        provenance.setdefault(row, []).append({"dataset": dataset})
    return {node: [d for d in datasets({"provenance": provenance.get(row, [])}) if d not in DERIVED_DATASETS]
            for node, row in zip(ids, rows.tolist())}


def below_the_radar_groups(graph: GraphLike, *, income_threshold_gbp: float = 10_000, max_links_in: int = 1,
                           min_little_known_score: float = 0.5, as_of: str | None = None,
                           between: tuple[str, str] | None = None) -> pd.DataFrame:
    """Unregistered or micro groups seen locally but (almost) absent from funders' and the council's networks.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        A built ecosystem graph.
    income_threshold_gbp : float
        Below this latest annual income (GBP) a group counts as micro.
    max_links_in : int
        Groups with more direct links into council bodies and funders than this are not listed.
    min_little_known_score : float
        Smallest ``little_known_score`` (0 to 1) to list.
    as_of : str, optional
        The period (ISO date): organisations ended by then (removed, merged, dissolved) or only
        proposed are left out. By default the latest date of the graph's data.
    between : tuple of str, optional
        A period ``(start, end)`` instead of ``as_of``: organisations active at some time in it.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``kind``, ``ward`` (name, if known), ``registered`` (``yes``, ``no`` or
        ``unknown``, see :func:`registration`), ``registered_reason`` (why: the register id, the
        candidate awaiting review, or what the loaded register extracts cover), ``income_gbp``,
        ``links_in`` (count), ``one_link_in`` (the name of its only link, if it has one), ``sources``,
        ``evidence`` (the reasons, in words), ``little_known_score`` (how little the sources know of it, 0 to 1: the weighted
        signs of :data:`WEIGHTS`, less 0.1 with one link in; 1 = on no register, no income known,
        seen only in directories or workshops, no link in), ``org_class`` (what kind of body, see :mod:`pipeline.classify`),
        ``parent_body`` (for a branch) and ``register_candidates`` (registered organisations it may
        be, awaiting review); least known first. ``attrs`` say the period and how many
        organisations were left out, and why: located outside the authority (unless a source says
        they serve a place in it), not community groups (statutory bodies, businesses, national
        or regional bodies, funders), or not active in the period. Only ``registered == "no"``
        counts as a sign of being unregistered: unknown is not no.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("LOCAL-HNS-club", kind="UnregisteredGroup", name="Lunch club",
    ...            provenance=[{"dataset": "workbook:x"}])
    >>> g.add_node("GB-CHC-1", kind="Charity", name="Big charity", latest_income=2e6,
    ...            provenance=[{"dataset": "ccew:x"}])
    >>> below_the_radar_groups(g)[["name", "registered", "little_known_score"]].values.tolist()
    [['Lunch club', 'unknown', 0.65]]
    >>> g.graph["registers"] = [{"source": "ccew:x", "complete": True, "covers": "Hounslow's charities"},
    ...                         {"source": "companies-house:y", "complete": True, "covers": "Hounslow's companies"}]
    >>> below_the_radar_groups(g)[["name", "registered", "little_known_score"]].values.tolist()
    [['Lunch club', 'no', 1.0]]
    """
    frames = as_frames(graph)
    start, as_of = resolve_period(frames, as_of, between)
    linked_in = links_into(relations_in_period(frames, as_of, start=start)[0])  # links of the period only
    candidates = _candidates(frames, income_threshold_gbp, max_links_in, linked_in)
    table = node_table(frames, *GROUP_ATTRIBUTES).loc[candidates]
    serving = _serving_authority(edge_table(frames), node_table(frames)["kind"])
    index, inactive = ward_index(frames), (inactive_organisations(frames, as_of, start=start) if as_of else {})
    registers = frames.attributes.get("registers") or []
    sightings = _sightings(frames, candidates)
    names = names_by_id(frames, [*candidates, *{n for c in candidates for n in linked_in.get(c, ())},
                            *{index[c] for c in candidates if c in index}])
    rows = []
    left_out = {"outside": 0, "not_community": 0, "inactive": 0}
    for data in table.astype(object).to_dict("records"):
        node = data["id"]
        reason = _ineligible(data, serving, inactive)
        if reason:
            left_out[reason] += 1
            continue
        registered, why = _registration(data, registers)
        possible = _listed(data["register_candidates"])
        income = data["latest_income"]
        micro = income is None or income < income_threshold_gbp
        if registered == "yes" and not micro:
            continue
        sources = sightings[node]
        linked = sorted(linked_in.get(node, ()), key=names.get)
        if len(linked) > max_links_in:
            continue
        evidence = {
            "unregistered": registered == "no",
            "micro_or_unknown_income": micro,
            "only_grassroots_sources": bool(sources) and set(sources) <= GRASSROOTS_SOURCES,
            "few_links_in": True,
        }
        score = sum(WEIGHTS[k] for k, v in evidence.items() if v) - (0.1 if len(linked) == 1 else 0.0)
        if score < min_little_known_score:
            continue
        ward = index.get(node)
        register = {"yes": f"registered ({why})", "no": f"on no register ({why})"}.get(registered) or \
            (f"registration unknown ({why})" if possible else "registration unknown (no complete register loaded)")
        reasons = [register, *([f"branch of {data['parent_body']}"] if data["parent_body"] else []),
                   "no income known" if income is None else f"income {income:,.0f} GBP",
                   f"seen only in {', '.join(sources)}" if evidence["only_grassroots_sources"] else f"seen in {', '.join(sources)}",
                   "no link into the council or funders" if not linked else f"one link in: {names[linked[0]]}"]
        rows.append({
            "id": node, "name": names[node], "kind": data["kind"],
            "ward": names[ward] if ward else None, "registered": registered, "registered_reason": why,
            "income_gbp": income,
            "links_in": len(linked), "one_link_in": names[linked[0]] if linked else None,
            "sources": ", ".join(sources), "evidence": "; ".join(reasons), "little_known_score": round(score, 2),
            "org_class": data["org_class"], "parent_body": data["parent_body"],
            "register_candidates": "; ".join(possible) or None,
        })
    columns = ["id", "name", "kind", "ward", "registered", "registered_reason", "income_gbp", "links_in", "one_link_in", "sources",
               "evidence", "little_known_score", "org_class", "parent_body", "register_candidates"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(["little_known_score", "name"], ascending=[False, True]).reset_index(drop=True)
    frame.attrs["period"] = period_label(as_of, start)
    frame.attrs["dating"] = DATING_RULE
    frame.attrs["left out"] = (f"{left_out['outside']} located outside the authority (and serving no place in it), "
                               f"{left_out['not_community']} not community groups (statutory bodies, businesses, "
                               f"national or regional bodies, funders, events), {left_out['inactive']} not active in the period")
    return frame


def _ineligible(data: dict[str, Any], serving: set[str], inactive: dict[str, str]) -> str:
    """Why an organisation (a row of the node table) cannot be a below-the-radar group of the
    authority ('' if it can be): ``outside`` it (and not in ``serving``, those a source says serve a
    place in it), ``not_community`` (its class is a statutory body's, a business's or a national
    body's), or ``inactive`` in the period. Unknown location or class is no reason."""
    if data["community_group"] is False:
        return "not_community"
    if data["inside_authority"] is False and data["id"] not in serving:
        return "outside"
    if data["id"] in inactive:
        return "inactive"
    return ""


def _serving_authority(edges: pd.DataFrame, kind: pd.Series) -> set[str]:
    """The nodes a source says serve a place of the authority (its area, a ward, an LSOA), from the
    edge table and each node's kind."""
    serves = edges[edges["relation"] == "SERVES_AREA"]
    return set(serves["source"][serves["target"].map(kind).isin(AUTHORITY_PLACES).to_numpy()])


def service_gaps(graph: GraphLike, *, themes: list[str] | None = None) -> pd.DataFrame:
    """Themes or needs with no provider in a ward.

    A provider addresses a theme directly (``ADDRESSES``) or through a service it delivers, and is
    in a ward (see :func:`analysis.network.ward_of`; a service's ward is that of its organisation).

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
    themes : list of str, optional
        Theme node ids to check; by default every theme in the graph.

    Returns
    -------
    DataFrame
        One row per ward and theme: ``ward``, ``ward_name``, ``theme``, ``theme_name``,
        ``providers`` (located in the ward), ``provider_names``, ``no_located_provider`` (True when no
        provider of the theme is located in the ward: a gap in what the sources place, not proof that
        nobody serves the ward), ``unlocated_providers`` (providers of the theme whose ward no source
        gives: the gap is only certain when this is 0), and the ward's mean IMD score ``imd_score``
        to rank gaps by need. Providers located outside the authority (unless a source says they
        serve a place in it) are not local providers and are left out; ``attrs["left out"]`` counts them.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W1", kind="Ward", name="Bedfont"); g.add_node("W2", kind="Ward", name="Cranford")
    >>> g.add_node("T", kind="Theme", name="older people"); g.add_node("o", kind="Charity", name="O")
    >>> _ = g.add_edge("o", "T", relation="ADDRESSES"); _ = g.add_edge("o", "W1", relation="LOCATED_IN")
    >>> service_gaps(g)[["ward_name", "no_located_provider"]].values.tolist()
    [['Cranford', True], ['Bedfont', False]]
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "inside_authority"), edge_table(frames)
    kind = nodes["kind"].astype(str)
    wards = nodes["id"][(kind == "Ward").to_numpy()].tolist()
    wanted = list(themes) if themes is not None else nodes["id"][(kind == "Theme").to_numpy()].tolist()
    addresses = edges[(edges["relation"] == "ADDRESSES") & edges["target"].isin(wanted)]
    addresses = pd.DataFrame({"owner": addresses["source"].to_numpy(), "theme": addresses["target"].to_numpy()})
    by_service = addresses["owner"].map(kind).eq("Service").to_numpy()
    delivers = edges[edges["relation"] == "DELIVERS"]
    delivered = addresses[by_service].merge(pd.DataFrame({"owner": delivers["source"].to_numpy(),
                                                          "service": delivers["target"].to_numpy()}),
                                            left_on="owner", right_on="service", suffixes=("_service", ""))
    owners = pd.concat([addresses[~by_service], delivered[["owner", "theme"]]], ignore_index=True).drop_duplicates()
    index, serving = ward_index(frames), _serving_authority(edges, kind)
    outside = (np.array([v is False for v in owners["owner"].map(nodes["inside_authority"]).tolist()], dtype=bool)
               & ~owners["owner"].isin(list(serving)).to_numpy())
    owners = owners.assign(ward=owners["owner"].map(index))
    local = owners[~outside]
    located, unlocated = local[local["ward"].notna()], local[local["ward"].isna()]
    names = names_by_id(frames, [*wards, *wanted, *located["owner"]])
    providers: dict[tuple[str, str], list[str]] = {}
    for ward, theme, owner in located[["ward", "theme", "owner"]].itertuples(index=False, name=None):
        providers.setdefault((ward, theme), []).append(names[owner])
    unlocated_count = unlocated.groupby("theme")["owner"].nunique().to_dict()
    imd = ward_deprivation(frames)
    rows = []
    for ward in wards:
        for theme in wanted:
            found = sorted(providers.get((ward, theme), ()))
            rows.append((ward, names[ward], theme, names[theme], len(found), "; ".join(found), not found,
                         unlocated_count.get(theme, 0), imd.get(ward)))
    frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
    frame = frame.sort_values(["no_located_provider", "imd_score", "ward_name"], ascending=[False, False, True],
                              na_position="last").reset_index(drop=True)
    frame.attrs["left out"] = (f"{owners['owner'][outside].nunique()} providers located outside the authority "
                               "(and serving no place in it)")
    return frame


def ward_deprivation(graph: GraphLike) -> dict[str, float]:
    """Mean IMD score of each ward's LSOAs (higher is more deprived).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("W", kind="Ward"); g.add_node("L1", kind="LSOA", imd_score=10.0); g.add_node("L2", kind="LSOA", imd_score=20.0)
    >>> _ = g.add_edge("L1", "W", relation="PART_OF"); _ = g.add_edge("L2", "W", relation="PART_OF")
    >>> ward_deprivation(g)
    {'W': 15.0}
    """
    frames = as_frames(graph)
    nodes, edges = node_table(frames, "imd_score"), edge_table(frames)
    kind = nodes["kind"].astype(str)
    part_of = edges[(edges["relation"] == "PART_OF").to_numpy()]
    part_of = part_of[(part_of["source"].map(kind).eq("LSOA") & part_of["target"].map(kind).eq("Ward")).to_numpy()]
    score = part_of["source"].map(nodes["imd_score"])
    scores: dict[str, list[float]] = {}
    for ward, value in zip(part_of["target"][score.notna()].tolist(), score[score.notna()].tolist()):
        scores.setdefault(ward, []).append(float(value))  # summed in order, as the published figures were
    return {ward: sum(v) / len(v) for ward, v in scores.items()}
