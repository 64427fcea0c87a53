"""Shared fixtures: a toy ecosystem with every node kind and relation, and paths to real data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, settings

from civicgraph.graph.assemble import assemble_graph
from civicgraph.graph.frames import GraphFrames, graph_to_frames
from civicgraph.loaders.base import LoadResult, RecordSink
from civicgraph.ontology.vocabulary import vocabulary

# Hypothesis: many examples in CI (the default, what `.ci/run` and scripts/test.sh run), few while
# developing (HYPOTHESIS_PROFILE=dev). A test may scale its own count from the profile's.
settings.register_profile("ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Attributes a node of each kind needs to satisfy the shapes (places need codes, people pseudonyms).
KIND_ATTRIBUTES = {
    "Grant": {"amount": 5000.0, "currency": "GBP", "award_date": "2017-04-01", "title": "Lunch club"},
    "Contract": {"amount": 120000.0, "start_date": "2016-04-01", "provider_count": 30},
    "Place": {"gss_code": "K04000001", "code_generation": 2011},
    "LocalAuthorityArea": {"gss_code": "E09000018", "code_generation": 2017},
    "Ward": {"gss_code": "E05000346", "code_generation": 2017},
    "LSOA": {"gss_code": "E01002555", "code_generation": 2011, "imd_score": 14.607, "imd_decile": 6},
    "Person": {"pseudonym": "P-3f2a9c"},
    "Charity": {"charity_number": "1106260", "latest_income": 72863.5, "income_band": "small",
                "other_names": ["Feltham Chaplaincy", "FCCT"], "registration_date": "2004-09-01"},
    "Building": {"address": "Bath Road, Hounslow", "tenure": "freehold", "rent_gbp": 1.0},
    "Workshop": {"date": "2018-07-01"},
    "Funder": {"scale": "national"},
}

#: One edge per relation type: (source kind, target kind, attributes).
RELATION_ENDS = {
    "FUNDED_BY": ("Charity", "Funder", {"amount": 5000.0, "currency": "GBP", "grant": "Grant-1", "award_date": "2017-04-01"}),
    "AWARDED_TO": ("Grant", "Charity", {}),
    "COMMISSIONED_BY": ("Contract", "Directorate", {"mode": "purchaser-provider"}),
    "PAID_BY": ("Company", "Directorate", {"amount": 1534.24, "currency": "GBP", "date": "2012-06-08"}),
    "LOCATED_IN": ("Charity", "Ward", {}),
    "SERVES_AREA": ("Grant", "LSOA", {}),
    "MEMBER_OF": ("UnregisteredGroup", "Forum", {"seniority": "officer"}),
    "PARTNERS_WITH": ("InfrastructureBody", "NHSBody", {}),
    "CO_PRODUCES_WITH": ("Directorate", "InfrastructureBody", {"mode": "co-design"}),
    "OCCUPIES": ("UnregisteredGroup", "Building", {"rent_terms": "discounted"}),
    "PART_OF": ("Directorate", "Council", {}),
    "DELIVERS": ("Charity", "Service", {}),
    "ADDRESSES": ("Service", "Theme", {}),
    "SUPPORTS": ("InfrastructureBody", "UnregisteredGroup", {}),
    "OFFERS_FUNCTION": ("InfrastructureBody", "SupportFunction", {}),
    "TRUSTEE_OF": ("Person", "Charity", {"role": "chair"}),
    "CHAMPION_FOR": ("Team", "Directorate", {}),
    "PARTICIPATED_IN": ("UnregisteredGroup", "Workshop", {}),
    "SUCCEEDS": ("CommunityInterestCompany", "Company", {}),
    "SAME_AS": ("Mutual", "ResidentsAssociation", {}),
}


def toy_results() -> list[LoadResult]:
    """Two sources describing a toy ecosystem: one node of every kind, one edge of every relation."""
    vocab = vocabulary()
    register = RecordSink("register", Path("register.csv"))
    workshop = RecordSink("workbook", Path("workshop.xlsx"))
    for number, kind in enumerate(sorted(vocab.kinds), start=2):
        sink = register if number % 2 else workshop
        attributes = {"name": f"{kind} one", **KIND_ATTRIBUTES.get(kind, {})}
        sink.node(f"{kind}-1", kind, sink.provenance(f"row {number}", "2024-09-10", "OGL-UK-3.0"), **attributes)
    for number, (relation, (source, target, attributes)) in enumerate(sorted(RELATION_ENDS.items()), start=2):
        workshop.edge(f"{source}-1", f"{target}-1", relation,
                      workshop.provenance(f"relationships row {number}", "2018-10-01", "CC-BY-4.0"), **attributes)
    return [register.result(), workshop.result()]


@pytest.fixture
def toy_graph() -> nx.MultiDiGraph:
    """The toy ecosystem, merged (every kind, every relation, provenance from two sources)."""
    graph, rejections = assemble_graph(toy_results(), attributes={"authority_gss": "E09000018"})
    assert rejections.empty
    return graph


@pytest.fixture
def hounslow_config(tmp_path: Path) -> Path:
    """A copy of the Hounslow configuration and data in a temporary folder, safe to break."""
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("UK_IMD_E.csv"))
    (tmp_path / "config").mkdir()
    for name in ("hounslow.toml", "hounslow_review.csv"):
        shutil.copy(REPO / "config" / name, tmp_path / "config" / name)
    return tmp_path / "config" / "hounslow.toml"


def edges_out_of_networkx_order(graph: nx.MultiDiGraph) -> GraphFrames:
    """The tables of ``graph`` with the edge table's rows reversed (a build's edge table is not in the
    order networkx lists the edges, which writers keep)."""
    frames = graph_to_frames(graph)
    last = len(frames.edges) - 1
    frames.edges = frames.edges.iloc[::-1].reset_index(drop=True)
    frames.edge_sources = frames.edge_sources.assign(edge=last - frames.edge_sources["edge"])
    return frames


@pytest.fixture
def no_networkx_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any networkx graph is made while it runs."""
    monkeypatch.setattr(nx.MultiDiGraph, "__init__", lambda *_, **__: pytest.fail("a networkx graph was made"))
