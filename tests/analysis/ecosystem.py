"""Small hand-built ecosystems whose answers are known by construction, for the analysis tests."""

from __future__ import annotations

import networkx as nx


def node(g: nx.MultiDiGraph, node_id: str, kind: str, *sources: str, **attributes: object) -> None:
    g.add_node(node_id, kind=kind, name=attributes.pop("name", node_id),
               provenance=[{"dataset": f"{s}:file", "record": "1", "date": "", "licence": "x"} for s in sources or ("workbook",)],
               **attributes)


def edge(g: nx.MultiDiGraph, source: str, target: str, relation: str, **attributes: object) -> None:
    g.add_edge(source, target, relation=relation, provenance=[], **attributes)


def small_borough() -> nx.MultiDiGraph:
    """A small borough: two wards, a council with two directorates, funders, infrastructure, groups."""
    g = nx.MultiDiGraph(authority_gss="E09000018")
    node(g, "LA", "LocalAuthorityArea", "ons", gss_code="E09000018")
    for ward, score in (("W-rich", 8.0), ("W-poor", 40.0)):
        node(g, ward, "Ward", "ons", name=ward)
        node(g, f"L-{ward}", "LSOA", "ons", imd_score=score)
        edge(g, f"L-{ward}", ward, "PART_OF")
        edge(g, ward, "LA", "PART_OF")
    node(g, "council", "Council", "config")
    node(g, "asc", "Directorate", name="Adult Social Care", sector_champion="yes")
    node(g, "env", "Directorate", name="Environment", sector_champion="no")
    node(g, "kids", "Directorate", name="Children's Services")
    for unit in ("asc", "env", "kids"):
        edge(g, unit, "council", "PART_OF")
    node(g, "lottery", "Funder", "360giving", name="Lottery")
    node(g, "bridge", "Funder", "360giving", name="City Bridge")
    node(g, "cvs", "InfrastructureBody", name="CVS")
    node(g, "vc", "InfrastructureBody", name="Volunteer Centre")
    for function in ("volunteering", "capacity building", "representation"):
        node(g, f"F-{function}", "SupportFunction", name=function)
    edge(g, "cvs", "F-capacity building", "OFFERS_FUNCTION")
    edge(g, "cvs", "F-volunteering", "OFFERS_FUNCTION")
    edge(g, "vc", "F-volunteering", "OFFERS_FUNCTION")
    node(g, "national", "Charity", "ccew", name="National Charity", scale="national", income_band="major",
         latest_income=50e6)
    node(g, "local", "Charity", "ccew", name="Local Charity", income_band="small", latest_income=40_000.0)
    node(g, "club", "UnregisteredGroup", "workbook", name="Lunch Club")
    node(g, "choir", "Organisation", "hounslow-connect", name="Community Choir")
    node(g, "micro", "Charity", "ccew", name="Micro Charity", income_band="micro", latest_income=3_000.0)
    edge(g, "club", "W-poor", "LOCATED_IN")
    edge(g, "local", "W-rich", "LOCATED_IN")
    edge(g, "club", "cvs", "MEMBER_OF")
    edge(g, "micro", "bridge", "FUNDED_BY", currency="GBP", amount=2_000.0, award_date="2019-05-01")
    edge(g, "local", "lottery", "FUNDED_BY", currency="GBP", amount=9_000.0, award_date="2018-05-01")
    edge(g, "local", "bridge", "FUNDED_BY", currency="GBP", amount=1_000.0, award_date="2018-06-01")
    edge(g, "national", "asc", "COMMISSIONED_BY", mode="purchaser-provider")
    edge(g, "national", "kids", "COMMISSIONED_BY")
    edge(g, "asc", "cvs", "CO_PRODUCES_WITH")
    return g
