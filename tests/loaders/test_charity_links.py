"""Charity relationships, company numbers and mergers from the real lookup tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.graph.assemble import assemble_graph
from civicgraph.graph.errors import SourceFormatError
from civicgraph.loaders.base import LoadContext, RecordSink
from civicgraph.loaders.charity_links import CharityLinksLoader

DATA = Path(__file__).resolve().parents[2] / "data" / "ccew"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")


def test_mergers_make_succession_edges_including_unnumbered_charities() -> None:
    result = CharityLinksLoader().load(DATA / "hounslow_ccew_mergers.csv", HOUNSLOW)
    edges = set(zip(result.edges["source"], result.edges["target"]))
    assert ("GB-CHC-1061681", "GB-CHC-296742") in edges  # Age Concern Hounslow took on Feltham's
    assert ("GB-CHC-1178854", "LOCAL-HNS-hounslow-evangelical-church-exempt-charity") in edges
    dates = result.edges.set_index("target")["date"]
    assert dates["GB-CHC-296742"] == "2011-07-12"


def test_company_numbers_unite_a_charity_with_its_company() -> None:
    grants = RecordSink("grants", Path("g.json"))
    companies = RecordSink("companies", Path("c.csv"))
    grants.node("GB-CHC-1000611", "Charity", grants.provenance("g1", "", "x"), name="Denton Burn CA")
    companies.node("GB-COH-08591698", "Company", companies.provenance("row 2", "", "x"), name="DENTON BURN COMMUNITY ASSOCIATION")
    links = CharityLinksLoader().load(DATA / "charity-company-numbers.csv", HOUNSLOW)
    graph, _ = assemble_graph([grants.result(), companies.result(), links])
    assert "GB-COH-08591698" not in graph
    assert graph.nodes["GB-CHC-1000611"]["other_ids"] == ["GB-COH-08591698"]
    assert graph.number_of_nodes() == 1  # the other 4,398 pairs name nobody in this graph


def test_parent_links_only_where_the_local_charity_is_known() -> None:
    register = RecordSink("ccew", Path("charity.txt"))
    register.node("GB-CHC-1061681", "Charity", register.provenance("row 2", "", "x"), name="AGE UK HOUNSLOW")
    links = CharityLinksLoader().load(DATA / "hounslow_charity_parent_relationships.csv", HOUNSLOW)
    graph, rejections = assemble_graph([register.result(), links])
    assert rejections.empty
    member_of = [(s, t) for s, t, d in graph.edges(data=True) if d["relation"] == "MEMBER_OF"]
    assert member_of == [("GB-CHC-1061681", "GB-CHC-1128267")]
    assert graph.nodes["GB-CHC-1128267"]["name"] == "Age UK"


def test_unknown_layout_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SourceFormatError, match="not a known charity-lookups layout"):
        CharityLinksLoader().load(tmp_path / "x.csv", HOUNSLOW)
