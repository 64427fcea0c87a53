"""Each answer's columns in plain words: what a measure means and how to read it.

Used by :class:`civicgraph.pipeline.result.AnswerResult` (``columns``), the companion notes of each CSV, the
"About these answers" sheet and the one-page briefs. A column not listed here is an identifier or a
name.
"""

from __future__ import annotations

import pandas as pd

from civicgraph.analysis.gaps import WEIGHTS
from civicgraph.analysis.infrastructure import OVERLAP_WEIGHTS

#: Meanings shared by several answers.
COMMON = {
    "id": "the organisation's identifier (Org-ID where it has one, e.g. GB-CHC-1234567 for a charity)",
    "name": "the organisation's name as the first source in the configuration gives it",
    "kind": "what sort of body it is (Charity, UnregisteredGroup, Directorate, ...)",
    "sector": "vcse, council, funder, nhs, business or partnership",
    "ward": "the ward (GSS code with its boundary year) or its name",
    "ward_name": "the ward's name",
    "imd_score": "mean Index of Multiple Deprivation 2019 score of the ward's LSOAs; higher is more deprived",
    "amount_gbp": "grant money in GBP, as published by the funders loaded",
    "grants": "number of grants",
    "recipients": "number of distinct organisations receiving grants",
    "evidence": "the facts behind the row, in words, with the names involved",
    "sources": "the loaders whose data mention the organisation",
    "other_currencies": "grant money not in GBP, each currency in its own units (with the rate where one was "
                        "configured); empty when all is in GBP",
    "a": "the first organisation's identifier", "b": "the second organisation's identifier",
    "a_name": "the first organisation's name", "b_name": "the second organisation's name",
    "funder": "the funder's identifier", "funder_name": "the funder's name",
    "gss_code": "the authority's GSS code (ONS)",
    "funding_gbp": "grant money on its relations (given or received), GBP",
    "note": "what the source says, in its words",
    "source": "where the fact comes from (file and row)",
}

GLOSSARY: dict[str, dict[str, str]] = {
    "01_below_the_radar_groups": {
        "org_class": "what kind of body it is by the classification rules (community group, branch of a national "
                     "body, statutory body, business, ...)",
        "parent_body": "the national body it is a branch of, if a source says so",
        "register_candidates": "registered organisations it may be, awaiting review (same or similar name)",
        "registered": "yes (on a register: Charity Commission, Companies House, ...), no (not in complete lists of the "
                      "authority's charities and companies that were loaded) or unknown (a match awaits review, or "
                      "the register extracts loaded do not cover it)",
        "registered_reason": "why registered says yes, no or unknown: the register id, the candidate awaiting review, or "
                             "what the loaded register extracts cover",
        "income_gbp": "latest annual income in GBP; empty when no source gives it (counted as micro)",
        "links_in": "how many council bodies and funders a source links it to directly",
        "one_link_in": "the name of its only link into the council or funders, if it has exactly one",
        "little_known_score": "how little the sources know of it: how many signs of being below the radar the data shows, weighted, 0 to 1 ("
                      + ", ".join(f"{sign.replace('_', ' ')} {weight}" for sign, weight in WEIGHTS.items())
                      + ", less 0.1 with one link in). High where the sources know least: "
                      "a prompt for local knowledge, not a verdict",
    },
    "02_directorate_coproduction": {
        "purchaser-provider": "links through contracts or payments (the council buys a service)",
        "grant-maker": "links through grants the directorate makes",
        "co-production": "links where the directorate co-designs or co-produces with the sector",
        "infrastructure-support": "links where it supports the sector's own infrastructure (not co-production)",
        "partnership": "partnerships of other kinds (not co-production)",
        "partners": "distinct VCSE and other non-council organisations linked",
        "share_large_or_national": "share of its partners that are large (income band large or above) or national",
        "coproduction_share": "co-production links over all its links; empty when no link is known",
        "vcse_link": "yes (a source records a link), no (a source says it has none) or unknown",
        "only_large_national": "yes if every partner is large or national; unknown when no partner is known",
        "sector_champion": "yes, no or unknown: does it have a designated VCSE sector champion?",
        "note": "what the source says of the directorate",
    },
    "03_duplicated_infrastructure": {
        "shared_areas": "areas both serve", "shared_members": "members both have",
        "shared_funders": "funders both have",
        "shared_functions": "support functions both offer (volunteering, capacity building, ...)",
        "functions_overlap": "shared functions over either's functions (Jaccard, 0 to 1)",
        "areas_overlap": "the same for the areas they serve", "members_overlap": "the same for their members",
        "funders_overlap": "the same for their funders",
        "overlap_score": "how far the two offer the same thing to the same people, 0 to 1: the overlaps weighted ("
                 + ", ".join(f"{dimension} {weight}" for dimension, weight in OVERLAP_WEIGHTS.items())
                 + "), dimensions with nothing recorded left out; 1 means the same offer to the same people",
    },
    "04_brokers": {
        "degree": "number of distinct organisations it has a recorded relation with",
        "links": "number of recorded relations",
        "funding_gbp": "grant money on its relations (given or received), GBP",
        "betweenness": "share of shortest paths between other organisations that pass through it (0 to 1): a broker "
                       "others depend on to reach each other",
        "betweenness_se": "standard error of a sampled betweenness (0 when exact)",
        "pagerank": "importance by the importance of those linked to it (sums to 1 over all organisations)",
        "eigenvector": "closeness to the well-connected core (0 to 1)",
        "constraint": "Burt's constraint, 0 to 1: high when its partners all know each other (no structural holes), "
                      "low when it alone joins otherwise separate partners; empty for organisations with no partner",
        "cut_point": "True if losing it splits the network: some organisations would lose their only path to the rest",
        "community": "number of the cluster of densely linked organisations it belongs to (0 is the largest)",
    },
    "04_bridges": {"source_name": "one organisation of the relation", "target_name": "the other",
                   "source": "the first organisation's identifier", "target": "the other's identifier",
                   "cut_off": "organisations on the smaller side: how many would be cut off if this relation ended",
                   "relations": "the relations between the two"},
    "04_brokerage_roles": {
        "coordinator": "paths it brokers within its own sector",
        "itinerant": "paths between two organisations of one sector, through it from another sector",
        "gatekeeper": "paths into its own sector from another (it controls who gets in)",
        "representative": "paths from its own sector out to another (it speaks for its sector)",
        "liaison": "paths between two other sectors, neither its own",
        "total": "all paths it brokers (a -> it -> c with no direct a -> c relation)",
    },
    "04_funding_concentration": {
        "top_funder": "the funder giving it most money",
        "funders": "number of funders", "top_funder_share": "share of its grant money from its largest funder",
        "hhi": "Herfindahl-Hirschman index of funder shares: 1 = one funder only, near 0 = many equal funders",
    },
    "05_funding_by_ward": {
        "organisations_located": "organisations placed in the ward",
        "imd_rank_in_authority": "1 = the authority's most deprived ward",
        "amount_rank": "1 = the ward receiving most money",
        "population": "residents; empty when not known",
        "population_basis": "how the population is known: 'source' (a source gives it), 'estimate: ...' (the "
                            "authority's 2020 population shared by census output areas, with the numbers) or "
                            "'unknown'",
        "amount_per_head_gbp": "grant money per resident, GBP; empty when the population is not known",
        "organisations_per_1000": "organisations located per 1,000 residents",
        "need_reach_gap": "per-head funding rank minus deprivation rank: positive = more deprived than it is funded",
    },
    "05_funding_by_income_band": {
        "income_band": "NCVO band of the recipient's latest income; unknown when no income is known",
        "organisations": "VCSE organisations in the graph in that band",
        "share_of_amount": "share of all grant money",
    },
    "05_funding_by_funder": {
        "gini": "how unequally the funder spreads its money over recipients: 0 equal, towards 1 one takes all",
        "hhi": "Herfindahl-Hirschman index of recipient shares: 1 = one recipient only",
    },
    "05_compare_authorities": {
        "name": "the authority's name (local authority register)",
        "funders": "funders with grants in the authority, among those compared",
        "population": "residents (2020 mid-year estimate)", "gbp_per_head": "grant money per resident, GBP",
        "rank_per_head": "1 = most per head", "focus": "True for the authority the graph is about",
    },
    "05_local_programmes": {"programme": "the programme's name", "delivered_by": "the council body running it",
                            "amount_gbp": "the allocation in GBP, as the source gives it",
                            "start_date": "when it started (ISO date), if known", "end_date": "when it ends, if known"},
    "06_asset_use": {"asset_use": "what the building or land is used for, as recorded",
                     "owner": "its owner, if a source records one (empty: not known)",
                     "user_names": "the organisations occupying it",
                     "users": "organisations recorded as occupying it", "vcse_users": "of which VCSE",
                     "rent_terms": "terms per user as recorded: market, discounted, peppercorn, free"},
    "06_asset_transfer_candidates": {"on_market_rent": "yes if a user pays market rent; unknown when no rent "
                                                       "terms are recorded",
                                     "concessionary": "yes if a user has free, peppercorn or discounted terms; "
                                                      "unknown when no rent terms are recorded"},
    "07_contract_consolidation": {"contract": "the earlier contract", "successor": "the contract that replaced it",
                                  "commissioner": "the council body that let it",
                                  "ended": "when the earlier contract ended", "started": "when its successor started",
                                  "providers_before": "providers of the earlier contract (named or counted)",
                                  "providers_after": "providers of the contract that replaced it",
                                  "consolidated": "yes when the re-let has fewer providers, no when not, unknown "
                                                  "when a provider count is not known"},
    "08_forum_representativeness": {
        "members": "recorded members", "by_kind": "members by kind", "by_income_band": "members by income band",
        "by_ward": "members by ward ('unknown' when no ward is known)",
        "large_members": "members that are large or national",
        "council_members": "council bodies among the members",
        "member_names": "the members' names",
        "council_senior": "yes (a senior council officer attends), no (council members recorded, none senior) "
                          "or unknown",
    },
    "09_alliance_candidates": {"adds": "functions this body newly covers", "overlaps": "functions it duplicates",
                               "covered": "running share of the needed functions covered"},
    "10_co_funding": {"funder_a": "one funder", "funder_b": "the other", "recipient_names": "the organisations both fund",
                      "shared_recipients": "organisations both fund",
                      "jaccard": "shared recipients over either's recipients (0 to 1)"},
    "11_board_interlocks": {"shared_trustees": "trustees on both boards", "pseudonyms": "the trustees, pseudonymised"},
    "12_service_gaps": {
        "theme": "the theme's identifier", "provider_names": "the providers located in the ward",
        "theme_name": "the need or theme (from the directory's categories or the workbook)",
        "providers": "providers of the theme located in the ward",
        "no_located_provider": "True when no provider of the theme is located in the ward",
        "unlocated_providers": "providers of the theme anywhere whose ward no source gives",
    },
}


# the transfer candidates are assets of the same table, with two columns more
GLOSSARY["06_asset_transfer_candidates"] = {**GLOSSARY["06_asset_use"], **GLOSSARY["06_asset_transfer_candidates"]}


def columns_of(key: str, table: pd.DataFrame) -> dict[str, str]:
    """Plain words for each column of ``table`` that has a meaning recorded.

    Examples
    --------
    >>> columns_of("04_brokers", pd.DataFrame(columns=["id", "cut_point"]))["cut_point"][:25]
    'True if losing it splits '
    """
    meanings = {**COMMON, **GLOSSARY.get(key, {})}
    return {c: meanings[c] for c in table.columns if c in meanings}
