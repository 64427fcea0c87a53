"""What each answer rests on: its sources and their dates, how many rows had the fields it needs,
what was left out and why, and the question it cannot answer without another source.

:func:`explain` is called with the answer's key, the graph and the answer's table, and returns the
fields of :class:`civicgraph.pipeline.result.AnswerResult` besides the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civicgraph.analysis.network import name, organisation_edges, organisation_nodes, ward_index
from civicgraph.analysis.placement import ward_set
from civicgraph.core.columns import present_mask
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, derived
from civicgraph.graph.tables import edge_table, grants_frame, node_table
from civicgraph.pipeline.result import COVERAGE_COLUMNS, SOURCE_COLUMNS, coverage_row

#: Kinds of organisation in the voluntary and community sector, whose records the below-the-radar answer reads.
VCSE_KINDS = ("Organisation", "UnregisteredGroup", "Charity", "CharitableIncorporatedOrganisation",
              "CommunityInterestCompany", "FaithGroup", "ResidentsAssociation", "Mutual")
#: Relations and node kinds each answer reads, for its sources and dates.
READS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "01_below_the_radar_groups": (("LOCATED_IN", "FUNDED_BY", "COMMISSIONED_BY", "MEMBER_OF", "PARTNERS_WITH"),
                                  VCSE_KINDS),
    "02_directorate_coproduction": (("COMMISSIONED_BY", "PAID_BY", "FUNDED_BY", "CO_PRODUCES_WITH", "SUPPORTS",
                                     "PARTNERS_WITH", "CHAMPION_FOR", "AWARDED_TO"), ("Directorate", "Team")),
    "03_duplicated_infrastructure": (("OFFERS_FUNCTION", "SERVES_AREA", "MEMBER_OF", "SUPPORTS", "FUNDED_BY"),
                                     ("InfrastructureBody",)),
    "04_brokers": (("FUNDED_BY", "COMMISSIONED_BY", "PAID_BY", "MEMBER_OF", "PARTNERS_WITH", "CO_PRODUCES_WITH",
                    "SUPPORTS", "PART_OF"), ()),
    "05_funding_by_ward": (("FUNDED_BY", "SERVES_AREA", "LOCATED_IN"), ("LSOA",)),
    "05_funding_by_income_band": (("FUNDED_BY",), ()),
    "05_funding_by_funder": (("FUNDED_BY",), ("Funder",)),
    "05_local_programmes": (("DELIVERS",), ("Programme",)),
    "06_asset_use": (("OWNS", "OCCUPIES"), ("Building", "Land", "Asset")),
    "07_contract_consolidation": (("SUCCEEDS", "AWARDED_TO", "COMMISSIONED_BY"), ("Contract",)),
    "08_forum_representativeness": (("MEMBER_OF", "PARTICIPATED_IN"), ("Forum",)),
    "10_co_funding": (("FUNDED_BY",), ("Funder",)),
    "11_board_interlocks": (("TRUSTEE_OF",), ("Person",)),
    "12_service_gaps": (("ADDRESSES", "DELIVERS", "LOCATED_IN"), ("Theme",)),
}
READS["04_bridges"] = READS["04_brokerage_roles"] = READS["04_brokers"]
READS["04_funding_concentration"] = READS["05_funding_by_funder"]
READS["06_asset_transfer_candidates"] = READS["06_asset_use"]
READS["09_alliance_candidates"] = READS["03_duplicated_infrastructure"]

#: Answers whose sources are only the relations touching a node of their kinds.
TOUCHING = frozenset({"02_directorate_coproduction"})

#: Funders the brief names for co-funding (question 10); if none of their grants are loaded, the answer says so.
NAMED_FUNDERS = ("National Lottery", "City Bridge")


@dataclass
class Explanation:
    """The fields of an answer besides its table (see :class:`civicgraph.pipeline.result.AnswerResult`)."""

    headline: str
    coverage: list[dict] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    missing: str = ""
    period: str = ""


def explain(key: str, graph: GraphLike, table: pd.DataFrame,
            comparison: pd.DataFrame | None = None, *, rejections: pd.DataFrame | None = None,
            rates: Mapping[str, float] | None = None) -> dict[str, object]:
    """Headline, coverage, sources, period, caveats and what is missing for one answer.

    Parameters
    ----------
    key : str
        The answer's key (see :data:`civicgraph.pipeline.answers.ANSWERS`).
    graph : GraphFrames or networkx.MultiDiGraph
        The graph the answer was computed on.
    table : DataFrame
        The answer.
    comparison : DataFrame, optional
        The grants of other authorities, for the comparison with peers.
    rejections : DataFrame, optional
        The rows the loaders could not use; those of the answer's sources are counted in a caveat.
    rates : mapping of str to float, optional
        The exchange rates (GBP per unit) the answer's ``amount_gbp`` was counted at; named in a caveat.

    Returns
    -------
    dict
        ``headline``, ``coverage`` (DataFrame), ``sources`` (DataFrame), ``period``, ``caveats``
        (tuple) and ``missing``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> explain("11_board_interlocks", g, pd.DataFrame())["missing"][:23]
    'No trustee table loaded'
    """
    frames = as_frames(graph)
    explanation = EXPLAINERS.get(key, _generic)(frames, table, comparison)
    relations, kinds = READS.get(key, ((), ()))
    sources = sources_of(frames, relations, kinds, touching=key in TOUCHING)
    if key == "05_compare_authorities" and comparison is not None and len(table):
        sources = pd.concat([frame for frame in (sources, comparison_sources(comparison, len(table))) if len(frame)],
                            ignore_index=True)
    caveats = [*explanation.caveats, *stated_by_analysis(frames, table), *converted(rates),
               *left_out(sources, rejections)]
    period = "; ".join(p for p in (table.attrs.get("period", ""), explanation.period) if p)
    return {"headline": explanation.headline,
            "coverage": pd.DataFrame(explanation.coverage, columns=COVERAGE_COLUMNS),
            "sources": sources, "period": period,
            "caveats": tuple(caveats), "missing": explanation.missing}


def comparison_sources(comparison: pd.DataFrame, authorities: int) -> pd.DataFrame:
    """The sources of the comparison with peers: each funder's grants (award dates, grants read) and
    the local authority register's populations.

    Examples
    --------
    >>> grants = pd.DataFrame({"funder_name": ["Trust", "Trust"], "funder": ["t", "t"],
    ...                        "award_date": ["2016-05-01", "2019-02-01"]})
    >>> comparison_sources(grants, 18)[["dataset", "first_date", "last_date", "facts"]].values.tolist()[0]
    ['comparison grants: Trust (360Giving)', '2016-05-01', '2019-02-01', 2]
    """
    names = comparison["funder_name"] if "funder_name" in comparison else comparison["funder"]
    dates = comparison["award_date"].astype(str).str.slice(0, 10) if "award_date" in comparison else \
        pd.Series("", index=comparison.index)
    rows = [{"dataset": f"comparison grants: {funder} (360Giving)", "licence": "",
             "first_date": dates[names == funder].min() or None, "last_date": dates[names == funder].max() or None,
             "facts": int((names == funder).sum())} for funder in sorted(names.dropna().astype(str).unique())]
    rows.append({"dataset": "local authority register (mySociety), pop-2020", "licence": "CC-BY-4.0",
                 "first_date": "2020-06-30", "last_date": "2020-06-30", "facts": authorities})
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


#: Columns that name a ward: an answer with one says which ward set it uses.
WARD_COLUMNS = ("ward", "ward_name", "ward_code")


def stated_by_analysis(graph: GraphLike, table: pd.DataFrame) -> list[str]:
    """What the analysis itself says it left out, the rule it dated relations by (``table.attrs``)
    and, for an answer by ward, which ward set it uses.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("E05000346@2017", kind="Ward", name="Bedfont")
    >>> table = pd.DataFrame({"ward": ["Bedfont"]})
    >>> table.attrs["left out"] = "3 located outside the authority"
    >>> stated_by_analysis(g, table)
    ['Left out: 3 located outside the authority.', 'Wards: 2017 wards (from the ONS LSOA to ward lookup), with names.']
    """
    said = [f"Left out: {table.attrs['left out']}." if table.attrs.get("left out") else "",
            f"Relations dated by: {table.attrs['dating']}." if table.attrs.get("dating") else ""]
    if any(column in table.columns for column in WARD_COLUMNS):
        frames = as_frames(graph)
        said.append(f"Wards: {ward_set(node_table(frames), frames.attributes.get('ward_source', ''))}.")
    return [s for s in said if s]


def converted(rates: Mapping[str, float] | None) -> list[str]:
    """A sentence naming the rate each other currency was counted in GBP at, if any were.

    Examples
    --------
    >>> converted({"USD": 0.79, "EUR": 0.85})
    ['amount_gbp counts EUR at 0.85 GBP per EUR and USD at 0.79 GBP per USD, the rates configured under [money] rates; other currencies are not in it (see other_currencies).']
    >>> converted(None)
    []
    """
    if not rates:
        return []
    used = " and ".join(f"{code} at {rate} GBP per {code}" for code, rate in sorted(rates.items()))
    return [f"amount_gbp counts {used}, the rates configured under [money] rates; other currencies are not in "
            "it (see other_currencies)."]


def left_out(sources: pd.DataFrame, rejections: pd.DataFrame | None) -> list[str]:
    """A sentence per source of the answer whose rows were rejected: how many, and the commonest reasons.

    Examples
    --------
    >>> sources = pd.DataFrame({"dataset": ["360giving:g.json"]})
    >>> rejected = pd.DataFrame({"file": ["g.json", "g.json"], "reason": ["not a number", "not a number"]})
    >>> left_out(sources, rejected)
    ['2 rows of 360giving:g.json were not loaded (not a number: 2); see rejections.csv.']
    """
    if rejections is None or rejections.empty or sources.empty:
        return []
    found = []
    for dataset in sources["dataset"]:
        label = dataset.split(":", 1)[-1]
        rows = rejections[rejections["file"].astype(str) == label]
        if len(rows):
            reasons = rows["reason"].astype(str).value_counts().head(3)
            found.append(f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'} of {dataset} "
                         f"{'was' if len(rows) == 1 else 'were'} not loaded ("
                         + "; ".join(f"{reason}: {count:,}" for reason, count in reasons.items())
                         + "); see rejections.csv.")
    return found


def sources_of(graph: GraphLike, relations: tuple[str, ...], kinds: tuple[str, ...], *,
               touching: bool = False) -> pd.DataFrame:
    """The datasets behind the relations and node kinds an answer reads: licence, dates and facts.

    With ``touching``, only relations with a node of one of ``kinds`` at either end count (each
    relation once). Rows are ordered by facts, most first, then dataset and licence.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", provenance=[
    ...     {"dataset": "360giving:g.json", "record": "1", "date": "2019-05-01", "licence": "CC-BY-4.0"}])
    >>> sources_of(g, ("FUNDED_BY",), ()).values.tolist()
    [['360giving:g.json', 'CC-BY-4.0', '2019-05-01', '2019-05-01', 1]]
    """
    frames = as_frames(graph)
    node_facts, edge_facts = _facts(frames)
    kinds_wanted = node_facts["group"].isin(kinds)
    if touching:
        kind = frames.nodes.set_index(frames.nodes["id"].astype(object))["kind"].astype(object)
        edges = frames.edges
        ends = edges["source"].astype(object).map(kind).isin(kinds) | edges["target"].astype(object).map(kind).isin(kinds)
        rows = np.flatnonzero(ends.to_numpy() & edges["relation"].astype(object).isin(relations).to_numpy())
        chosen = pd.concat([node_facts[kinds_wanted], edge_facts[edge_facts["row"].isin(rows)]])
    else:
        chosen = pd.concat([node_facts[kinds_wanted], edge_facts[edge_facts["group"].isin(relations)]])
    if chosen.empty:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    dated = chosen["date"].where(chosen["date"] != "")
    table = chosen.assign(date=dated).groupby(["dataset", "licence"], sort=False).agg(
        first_date=("date", "min"), last_date=("date", "max"), facts=("date", "size")).reset_index()
    table = table.sort_values(["facts", "dataset", "licence"], ascending=[False, True, True], kind="stable")
    table = table.astype({"first_date": object, "last_date": object})
    table[["first_date", "last_date"]] = table[["first_date", "last_date"]].where(table[["first_date", "last_date"]].notna(), None)
    return pd.DataFrame(table.to_numpy(), columns=SOURCE_COLUMNS).astype({"facts": int})


def _facts(frames: GraphFrames) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every provenance entry of the nodes and of the edges: ``row`` (of the node or edge table),
    ``group`` (its kind or relation), ``dataset``, ``licence`` and ``date`` (text, '' where
    missing); made once per graph (every answer asks for its sources)."""
    cache = derived(frames)
    if "coverage.facts" not in cache:
        cache["coverage.facts"] = tuple(
            _entries(sources, sources[row].to_numpy(), table[group].astype(object).to_numpy())
            for sources, row, table, group in ((frames.node_sources, "node", frames.nodes, "kind"),
                                               (frames.edge_sources, "edge", frames.edges, "relation")))
    return cache["coverage.facts"]


def _entries(sources: pd.DataFrame, rows: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    def text(name: str) -> np.ndarray:
        column = sources[name]
        return np.where(present_mask(column), column.astype(object).to_numpy(), "")
    return pd.DataFrame({"row": rows, "group": groups[rows], "dataset": text("dataset"), "licence": text("licence"),
                         "date": text("date")})


def _count(graph: GraphFrames, relation: str) -> int:
    edges = edge_table(graph)
    return int((edges["relation"] == relation).sum())


def _vcse(graph: GraphFrames) -> pd.DataFrame:
    nodes = organisation_nodes(graph)
    return nodes[nodes["sector"] == "vcse"]


def _generic(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    return Explanation(f"{len(table):,} rows found." if len(table) else
                       "Nothing found in the data loaded: either there is nothing to find, or no source records it.")


def _below_the_radar(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    vcse = _vcse(graph)
    index = ward_index(graph)
    income = pd.to_numeric(node_table(graph).loc[vcse["id"], "latest_income"], errors="coerce")
    placed = int(table["ward"].notna().sum()) if len(table) else 0
    return Explanation(
        f"{len(table):,} organisations show signs of being below the radar; {placed:,} of them can be placed in a ward.",
        [coverage_row("VCSE organisations with a known ward", vcse["id"].isin(index).sum(), len(vcse)),
         coverage_row("VCSE organisations with a known income", income.notna().sum(), len(vcse),
                      "no income known counts as micro"),
         coverage_row("listed groups placed in a ward", placed, len(table))],
        ["`little_known_score` counts the signs of being below the radar that the data shows (on no register, no income "
         "known, seen only in directories or workshops, few links in). It is highest where the sources know least, "
         "so a high score is a prompt to ask local people, not a finding.",
         "Links in are only those a loaded source records: a group with no recorded link may still have one.",
         "'On no register' means no loaded register matched it: directory entries give no charity or company number, "
         "so a registered charity that name matching did not find (a national charity's local service, for "
         "instance) is listed too. Check `register_candidates` and ask local people before quoting a group as "
         "unregistered."])


def _directorates(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    if table.empty:
        return Explanation("No directorate or team is in the data.", missing=(
            "No council directorates loaded: fill in the directorates sheet of the workshop workbook "
            "(`civicgraph template`)."))
    known = table["vcse_link"].value_counts()
    modes = [c for c in ("purchaser-provider", "grant-maker", "co-production", "infrastructure-support",
                         "partnership") if c in table]
    links = int(table[modes].to_numpy().sum())
    coproduction = int(table["co-production"].sum())
    unnamed = int(table["note"].fillna("").str.startswith("not named").sum())
    return Explanation(
        f"{len(table):,} directorates and teams: {known.get('yes', 0):,} work with the VCSE as far as the sources say, "
        f"{known.get('no', 0):,} are stated not to, and for {known.get('unknown', 0):,} it is unknown; "
        f"{coproduction:,} of {links:,} recorded links are co-design or co-production.",
        [coverage_row("directorates and teams with any recorded VCSE link", known.get("yes", 0), len(table)),
         coverage_row("with a known sector champion answer", (table["sector_champion"] != "unknown").sum(), len(table)),
         coverage_row("named in the sources", len(table) - unnamed, len(table),
                      "the rest are departments the source counts but does not name")],
        ["Only co-design and co-production links count towards `coproduction_share`; infrastructure support and "
         "partnership are counted in columns of their own.",
         "`vcse_link` is 'unknown' where no source records a link: not the same as having none."])


def _infrastructure(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    from civicgraph.analysis.infrastructure import infrastructure_profiles

    profiles = infrastructure_profiles(graph)
    with_functions = sum(bool(p["functions"]) for p in profiles.values())
    edges = edge_table(graph)
    areas = set(edges.loc[edges["relation"].isin(("SERVES_AREA", "LOCATED_IN")) & edges["source"].isin(profiles), "source"])
    where = ("no source records where any of them works, so each is taken to serve the whole authority"
             if not areas else f"{len(areas):,} of {len(profiles):,} have an area recorded; the others are taken to "
                               "serve the whole authority")
    return Explanation(
        f"{len(table):,} pairs of support bodies offer the same function; {where}." if "overlap_score" in table or "a" in table
        else f"{len(table):,} bodies chosen.",
        [coverage_row("support bodies with their functions recorded", with_functions, len(profiles)),
         coverage_row("support bodies with an area recorded", len(areas), len(profiles),
                      "a body with no area recorded is taken to serve the whole authority")],
        ["Overlap is measured only on what sources record (functions, areas, members, funders); a dimension "
         "with nothing recorded on either side is left out of the score."])


def _brokers(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    nodes = organisation_nodes(graph)
    edges = organisation_edges(graph)
    linked = set(edges["a"]) | set(edges["b"])
    caveats = ["Centrality sees only the relations loaded sources record; an organisation with no recorded "
               "relation scores 0 because nothing is known of its links, not because it has none."]
    if "degree" in table:
        top = table.iloc[0] if len(table) else None
        headline = (f"{top['name']} is the strongest broker on the recorded relations; "
                    f"{int(table['cut_point'].sum()):,} organisations are cut points." if top is not None
                    else "No organisation network in the data.")
    else:
        headline = f"{len(table):,} rows found."
    return Explanation(headline, [coverage_row("organisations with at least one recorded relation to another",
                                               len(linked & set(nodes["id"])), len(nodes))], caveats)


def _bridges(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    explanation = _brokers(graph, table, comparison)
    explanation.headline = (f"{len(table):,} relations each hold part of the network together; losing the first "
                            f"would cut off {int(table['cut_off'].max()):,} organisation(s)." if len(table)
                            else "No single relation holds the network together.")
    return explanation


def _brokerage(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    explanation = _brokers(graph, table, comparison)
    explanation.headline = (f"{len(table):,} organisations broker between others; {table.iloc[0]['name']} brokers "
                            f"most ({int(table.iloc[0]['total']):,} paths)." if len(table)
                            else "No organisation brokers between others on the recorded relations.")
    return explanation


def _concentration(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    explanation = _money(graph, table, comparison)
    if len(table):
        single = int((table["funders"] == 1).sum())
        explanation.headline = (f"{single:,} of {len(table):,} funded organisations have all their recorded grants "
                                "from one funder.")
    return explanation


def _income_bands(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    explanation = _money(graph, table, comparison)
    if len(table) and table["amount_gbp"].sum():
        unknown = table.loc[table["income_band"] == "unknown", "share_of_amount"].sum()
        explanation.headline = (f"{unknown:.0%} of grant money went to recipients whose income is not known; "
                                + explanation.headline)
    return explanation


def _programmes(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    if table.empty:
        return Explanation("No council programme is recorded.", missing=(
            "No council programmes loaded: record them (e.g. neighbourhood funding allocations) in the workbook's programmes sheet."))
    amounts = pd.to_numeric(table["amount_gbp"], errors="coerce")
    return Explanation(f"{len(table):,} council programmes; {amounts.sum():,.0f} GBP where an amount is given.",
                       [coverage_row("programmes with an amount", amounts.notna().sum(), len(table))],
                       ["Programme amounts are allocations as the source reports them, not grants to named "
                        "recipients: they are not in the other money answers."])


def _money(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    edges = edge_table(graph)
    funded = edges[edges["relation"] == "FUNDED_BY"]
    grants = grants_frame(graph)
    if funded.empty:
        return Explanation("No grants in the data.", missing=(
            "No grants loaded: add 360Giving files (from GrantNav) of the funders active in the area."))
    years = grants["year"].dropna()
    period = f"awards from {int(years.min())} to {int(years.max())}" if len(years) else ""
    ward = funding_placement(graph)
    income = pd.to_numeric(node_table(graph).loc[grants["recipient"].drop_duplicates(), "latest_income"], errors="coerce")
    funders = sorted(name(graph, f) for f in grants["funder"].unique())
    caveats = [f"Grants of {len(funders)} funder(s) are loaded: {', '.join(funders)}. Money from funders whose "
               "grants are not loaded is not in any of these totals."]
    if income.notna().sum() == 0:
        caveats.append("No recipient's income is known, so every grant is in the 'unknown' income band: load the "
                       "Charity Commission register's charity table (loader `ccew`) for incomes.")
    return Explanation(
        f"{grants['amount'].sum():,.0f} GBP in {len(grants):,} grants from {len(funders)} funder(s); "
        f"{ward['unplaced_gbp']:,.0f} GBP of it cannot be placed in a ward.",
        [coverage_row("grants with an amount", funded["amount"].notna().sum(), len(funded)),
         coverage_row("grants with an award date", len(years), len(grants)),
         coverage_row("grants placed in a ward", ward["placed"], len(grants),
                      "by the beneficiary area, else the recipient's address"),
         coverage_row("recipients with a known income", income.notna().sum(), len(income))],
        caveats, period=period)


def funding_placement(graph: GraphLike) -> dict[str, float]:
    """How many grants, and how much money, :func:`analysis.money.funding_by_ward` can place in a ward.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=5.0, currency="GBP")
    >>> nx.set_node_attributes(g, {"a": "Charity", "f": "Funder"}, "kind")
    >>> funding_placement(g)
    {'placed': 0, 'unplaced_gbp': 5.0}
    """
    from civicgraph.analysis.money import funding_by_ward

    frames = as_frames(graph)
    cache = derived(frames)
    if "funding_placement" not in cache:
        by_ward = funding_by_ward(frames)
        unknown = by_ward[by_ward["ward"] == "unknown"]
        cache["funding_placement"] = {"placed": int(by_ward.loc[by_ward["ward"] != "unknown", "grants"].sum()),
                                      "unplaced_gbp": float(unknown["amount_gbp"].sum())}
    return dict(cache["funding_placement"])


def _by_ward(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    explanation = _money(graph, table, comparison)
    unplaced = table.loc[table["ward"] == "unknown", "amount_gbp"].sum() if len(table) else 0
    if unplaced:
        explanation.caveats.insert(0, f"A ward's 0 GBP means no grant is placed there, not that it received none: "
                                      f"{unplaced:,.0f} GBP could not be placed in any ward (row 'unknown').")
    wards = table[table["ward"] != "unknown"] if len(table) else table
    basis = wards["population_basis"].astype(str) if len(wards) else pd.Series(dtype=str)
    explanation.coverage.append(coverage_row("wards with a population (from a source or estimated)",
                                             int((basis != "unknown").sum()), len(wards)))
    estimated = int(basis.str.startswith("estimate").sum())
    if estimated:
        explanation.caveats.append(
            f"The population of {estimated:,} ward{'s' if estimated != 1 else ''} is an estimate, not a count: the authority's 2020 mid-year "
            "population (local authority register, mySociety, from ONS) shared among its LSOAs by their number of "
            "census output areas (ONS postcode lookup), which ONS builds to similar numbers of households. "
            "Per-head figures are approximate; load ONS ward or LSOA population estimates to replace it.")
    unknown = int((basis == "unknown").sum())
    if unknown:
        explanation.caveats.append(
            f"The population of {unknown:,} ward{'s' if unknown != 1 else ''} is not known, so their per-head figures are empty: give a postcode "
            "lookup with an output-area column (ONS PCD_OA_LSOA_MSOA_LAD) or ward population estimates.")
    return explanation


def _compare(graph: GraphFrames, table: pd.DataFrame, comparison: pd.DataFrame | None) -> Explanation:
    if comparison is None or table.empty:
        return Explanation("No comparison made.", missing=(
            "No grants of other authorities loaded: list 360Giving files that cover every borough compared under "
            "[comparison] in the configuration."))
    focus = table[table["focus"]]
    funders = sorted(comparison["funder_name"].dropna().unique()) if "funder_name" in comparison else \
        sorted(comparison["funder"].dropna().unique())
    in_graph = grants_frame(graph)
    graph_funders = {name(graph, f) for f in in_graph["funder"].unique()}
    outside = in_graph[~in_graph["funder"].map(lambda f: name(graph, f)).isin(funders)]
    caveats = [f"Every authority is compared on the grants of the same {len(funders)} funder(s) only "
               f"({', '.join(map(str, funders))}), whose files cover every borough compared; per head uses the "
               "2020 mid-year population in the authorities table."]
    if len(outside):
        caveats.append(f"The graph holds {outside['amount'].sum():,.0f} GBP from {len(graph_funders)} other funder(s) "
                       "for this authority that are not in the comparison, because no file gives their grants in the "
                       "other boroughs; this table is not the authority's total funding.")
    agreement = compared_money(graph, comparison, graph.attributes.get("authority_gss", ""))
    if len(agreement):
        differ = agreement[(agreement["comparison_gbp"] - agreement["graph_gbp"]).abs() > 0.005]
        if differ.empty:
            caveats.append("The authority's row agrees with the funding-by-funder answer for the funders compared: "
                           + "; ".join(f"{r.funder_name} {r.graph_gbp:,.0f} GBP" for r in agreement.itertuples())
                           + " in both.")
        else:
            caveats.append("The authority's row does not agree with the funding-by-funder answer for "
                           + "; ".join(f"{r.funder_name} ({r.comparison_gbp:,.0f} GBP here, {r.graph_gbp:,.0f} GBP "
                                       "there)" for r in differ.itertuples())
                           + ": the comparison files place grants by the codes they carry, the graph by its own "
                             "sources, so grants placed differently (or loaded from different files) differ.")
    if len(funders) < 2:
        caveats.append("With one funder the comparison says how that funder spreads its grants, not how well "
                       "funded each borough is.")
    years = pd.to_numeric(comparison.get("award_date", pd.Series(dtype=object)).astype(str).str.slice(0, 4),
                          errors="coerce").dropna()
    graph_years = in_graph["year"].dropna()
    if len(years) and len(graph_years) and (graph_years.min() < years.min() or graph_years.max() > years.max()):
        caveats.append(f"The comparison's grants were awarded {int(years.min())} to {int(years.max())}; the other "
                       f"answers' grants {int(graph_years.min())} to {int(graph_years.max())}: different periods.")
    row = focus.iloc[0] if len(focus) else None
    headline = "No comparison made."
    named = ", ".join(map(str, funders))
    if row is not None and row["amount_gbp"] == 0:
        none = int((table["amount_gbp"] == 0).sum())
        headline = (f"{named} made no grant in {row['name']} that the comparison files place there; {none - 1:,} of "
                    f"the other {len(table) - 1:,} authorities compared received none either. This ranks nothing: it "
                    "is not its total grant funding.")
    elif row is not None:
        tied = int((table["rank_per_head"] == row["rank_per_head"]).sum())
        rank = f"joint {int(row['rank_per_head'])} (with {tied - 1} others)" if tied > 1 else str(int(row["rank_per_head"]))
        headline = (f"On the grants of {named} only, {row['name']} ranks {rank} of {len(table)} "
                    f"per head ({row['gbp_per_head']:,.2f} GBP); this is not its total grant funding.")
    missing = "" if len(funders) > 1 else (
        f"Only {named}'s grants are loaded for every authority compared, so how well funded the authority is against "
        "its peers cannot be said: list under [comparison] the 360Giving files (GrantNav) of the main funders that "
        "cover every borough compared.")
    return Explanation(headline, [coverage_row("authorities with a population", table["population"].notna().sum(),
                                               len(table))],
                       caveats, missing=missing,
                       period=f"awards from {int(years.min())} to {int(years.max())}" if len(years) else "")


def compared_money(graph: GraphLike, comparison: pd.DataFrame, focus: str) -> pd.DataFrame:
    """For each funder of the comparison (Figure 3), its GBP to the focus authority there and in the graph.

    The same money must be the same in every answer: the comparison's row for the authority and the
    funding-by-funder answer (the graph's grants) count the grants of a funder both hold.

    Parameters
    ----------
    graph : GraphFrames or networkx.MultiDiGraph
        The authority's graph.
    comparison : DataFrame
        Grants by authority (:func:`loaders.threesixtygiving.grants_by_authority`).
    focus : str
        The authority's GSS code.

    Returns
    -------
    DataFrame
        ``funder_name``, ``comparison_gbp`` (its GBP grants placed in the authority by the comparison
        files), ``graph_gbp`` (its GBP grants in the graph, matched by funder id or name).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(authority_gss="A")
    >>> g.add_node("f", kind="Funder", name="Trust"); g.add_node("o", kind="Charity")
    >>> _ = g.add_edge("o", "f", relation="FUNDED_BY", amount=40.0, currency="GBP")
    >>> grants = pd.DataFrame({"authority": ["A", "B"], "funder": ["360G-t", "360G-t"], "funder_name": ["Trust"] * 2,
    ...                        "amount": [40.0, 70.0], "currency": ["GBP", "GBP"]})
    >>> compared_money(g, grants, "A").values.tolist()
    [['Trust', 40.0, 40.0]]
    """
    if comparison is None or comparison.empty or not focus:
        return pd.DataFrame(columns=["funder_name", "comparison_gbp", "graph_gbp"])
    gbp = comparison[comparison["currency"].astype(str).str.upper() == "GBP"]
    names = gbp["funder_name"] if "funder_name" in gbp else gbp["funder"]
    here = gbp.assign(funder_name=names.fillna(gbp["funder"]).astype(str))
    frames = as_frames(graph)
    in_graph = grants_frame(frames)
    in_graph = in_graph[in_graph["currency"].astype(str).str.upper() == "GBP"] if len(in_graph) else in_graph
    rows = []
    for (funder, funder_name), grants in here.groupby(["funder", "funder_name"], sort=True):
        same = in_graph["funder"].eq(funder) | in_graph["funder"].map(lambda f: name(frames, f)).eq(funder_name) \
            if len(in_graph) else pd.Series(dtype=bool)
        rows.append({"funder_name": funder_name,
                     "comparison_gbp": float(grants.loc[grants["authority"] == focus, "amount"].sum()),
                     "graph_gbp": float(in_graph.loc[same, "amount"].sum()) if len(in_graph) else 0.0})
    return pd.DataFrame(rows, columns=["funder_name", "comparison_gbp", "graph_gbp"])


def _assets(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    nodes = node_table(graph)
    assets = nodes.loc[nodes["kind"].isin(("Building", "Land", "Asset")), "id"].tolist()
    edges = edge_table(graph, "rent_terms")
    owned = set(edges.loc[edges["relation"] == "OWNS", "target"]) & set(assets)
    occupied = edges[edges["relation"] == "OCCUPIES"]
    terms = int(occupied["rent_terms"].notna().sum())
    missing = "" if owned else ("No owners or rent terms recorded: load the council's land and assets register "
                                "(loader `assets`) to see who owns each building and on what terms it is used.")
    if not assets:
        return Explanation("No building or land in the data.", missing=missing)
    return Explanation(f"{len(table):,} listed, of {len(assets):,} buildings and pieces of land in the data "
                       f"({len(owned):,} with a known owner).",
                       [coverage_row("assets with a known owner", len(owned), len(assets)),
                        coverage_row("occupancies with rent terms recorded", terms, len(occupied))],
                       ["An asset with no recorded user may still be used: directories record where services "
                        "run, not every group that hires a room."], missing)


def _contracts(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    nodes = node_table(graph, "provider_count")
    contracts = nodes[nodes["kind"] == "Contract"]
    if not _count(graph, "SUCCEEDS"):
        return Explanation("No contract re-let is recorded.", [coverage_row("contracts", 0, len(contracts))], missing=(
            "No contract successions loaded: record re-let contracts in the workbook's contracts and relationships "
            "sheets ('succeeds'), or load the council's contracts register."))
    consolidated = int((table["consolidated"] == "yes").sum())
    return Explanation(f"{consolidated:,} of {len(table):,} recorded re-lets went to fewer providers.",
                       [coverage_row("contracts with a provider count", contracts["provider_count"].notna().sum(),
                                     len(contracts))])


def _forum(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    if table.empty:
        return Explanation("No forum in the data.", missing="No forum loaded: add it to the workbook's organisations sheet.")
    empty = table[table["members"] == 0]
    caveats = ["`council_senior` is 'unknown' where no council member, or no member's seniority, is recorded."]
    missing = ""
    if len(empty) == len(table):
        missing = ("No forum membership recorded: list each forum's members in the workbook's relationships sheet "
                   "('member of', with seniority for council officers).")
    return Explanation(f"{len(table):,} forum(s); {int(table['members'].sum()):,} recorded members.",
                       [coverage_row("forums with their members recorded", len(table) - len(empty), len(table))],
                       caveats, missing)


def _alliance(graph: GraphFrames, table: pd.DataFrame, comparison: object) -> Explanation:
    from civicgraph.analysis.infrastructure import alliance_candidates, infrastructure_profiles

    explanation = _infrastructure(graph, table, comparison)
    covered = float(table["covered"].iloc[-1]) if len(table) else 0.0
    explanation.headline = f"{len(table):,} support bodies together cover {covered:.0%} of the support functions offered."
    uncovered = alliance_candidates(graph).attrs.get("uncovered", []) if infrastructure_profiles(graph) else []
    if uncovered:
        explanation.caveats.append(f"Functions nobody offers: {', '.join(uncovered)}.")
    return explanation


def _co_funding(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    grants = grants_frame(graph)
    funders = sorted(name(graph, f) for f in grants["funder"].unique())
    absent = [f for f in NAMED_FUNDERS if not any(f.lower() in loaded.lower() for loaded in funders)]
    caveats = [f"Grants of {len(funders)} funder(s) are loaded: {', '.join(funders) or 'none'}."]
    missing = ""
    if absent:
        note = f"No grants of {' or '.join(absent)} are loaded"
        if table.empty:
            missing = (f"{note}: co-funding can only be seen among the funders loaded. Add their 360Giving files "
                       "(GrantNav) to the configuration to find funders that fund the same organisations.")
        else:
            caveats.append(f"{note}; pairs with them are not seen.")
    recipients = grants["recipient"].nunique()
    several = int((grants.groupby("recipient")["funder"].nunique() > 1).sum())
    return Explanation(f"{len(table):,} pairs of funders share recipients." if len(table) else
                       "No two loaded funders fund the same organisation.",
                       [coverage_row("recipients with grants from more than one funder", several, recipients)],
                       caveats, missing)


def _interlocks(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    trustees = _count(graph, "TRUSTEE_OF")
    if not trustees:
        return Explanation("Board interlocks cannot be found: no trustees are in the data.", missing=(
            "No trustee table loaded: load the Charity Commission register's trustee table "
            "(publicextract.charity_trustee, loader `ccew`) to find board interlocks."))
    edges = edge_table(graph)
    boards = edges.loc[edges["relation"] == "TRUSTEE_OF", "target"].nunique()
    return Explanation(f"{len(table):,} pairs of organisations share at least one trustee.",
                       [coverage_row("charities with their trustees loaded", boards,
                                     int((organisation_nodes(graph)["kind"] == "Charity").sum()))],
                       ["People are pseudonymised; a shared pseudonym is the same name and register entry, "
                        "not a confirmed same person."])


def _service_gaps(graph: GraphFrames, table: pd.DataFrame, _: object) -> Explanation:
    nodes, edges = node_table(graph), edge_table(graph)
    themes = nodes.loc[nodes["kind"] == "Theme", "id"].tolist()
    services = set(nodes.loc[nodes["kind"] == "Service", "id"])
    themed = set(edges.loc[(edges["relation"] == "ADDRESSES") & edges["source"].isin(services), "source"])
    if not themes:
        return Explanation("No themes in the data.", missing=(
            "No themes loaded: a directory with taxonomy terms (Open Referral UK) or the workbook's themes column "
            "gives them."))
    gaps = table[table["no_located_provider"]] if len(table) else table
    providers = _theme_providers(graph, set(themes))
    located = ward_index(graph)
    unlocated = sum(1 for p in providers if p not in located)
    missing = ""
    if len(table) and not (~table["no_located_provider"]).any():
        missing = ("No provider of any theme is placed in a ward, so a gap cannot be told from a missing address: "
                   "load a postcode directory (ONS NSPL, loader `ons-postcodes`) to place the directory's locations.")
    return Explanation(
        f"{len(gaps):,} ward and theme pairs have no located provider; {unlocated:,} providers of these themes have "
        "no known ward and may fill some of them.",
        [coverage_row("directory services mapped to a theme", len(themed), len(services)),
         coverage_row("providers of a theme placed in a ward", len(providers) - unlocated, len(providers)),
         coverage_row("themes with at least one located provider",
                      table.loc[~table["no_located_provider"], "theme"].nunique() if len(table) else 0, len(themes))],
        ["A gap means no provider of the theme is located in the ward, not that no one serves it: providers with "
         "no known ward, and providers in the next ward, may.",
         "Services of a directory with no taxonomy (the Hounslow Connect workbook) get their themes from their "
         "words and age-group criterion by the documented rules of loaders/directory_themes.py: an inference, "
         "not the directory's own category."], missing)


def _theme_providers(frames: GraphFrames, themes: set[str]) -> set[str]:
    """Organisations that address a theme, directly or through a service they deliver (as
    :func:`analysis.gaps.service_gaps` counts them)."""
    nodes, edges = node_table(frames), edge_table(frames)
    addressers = set(edges.loc[(edges["relation"] == "ADDRESSES") & edges["target"].isin(themes), "source"])
    services = {a for a in addressers if nodes.at[a, "kind"] == "Service"}
    delivered = edges.loc[(edges["relation"] == "DELIVERS") & edges["target"].isin(services), "source"]
    return (addressers - services) | set(delivered)


EXPLAINERS: dict[str, Callable[[GraphFrames, pd.DataFrame, object], Explanation]] = {
    "01_below_the_radar_groups": _below_the_radar,
    "02_directorate_coproduction": _directorates,
    "03_duplicated_infrastructure": _infrastructure,
    "04_brokers": _brokers, "04_bridges": _bridges, "04_brokerage_roles": _brokerage,
    "04_funding_concentration": _concentration,
    "05_funding_by_ward": _by_ward, "05_funding_by_income_band": _income_bands, "05_funding_by_funder": _money,
    "05_local_programmes": _programmes,
    "05_compare_authorities": _compare,
    "06_asset_use": _assets, "06_asset_transfer_candidates": _assets,
    "07_contract_consolidation": _contracts,
    "08_forum_representativeness": _forum,
    "09_alliance_candidates": _alliance,
    "10_co_funding": _co_funding,
    "11_board_interlocks": _interlocks,
    "12_service_gaps": _service_gaps,
}
