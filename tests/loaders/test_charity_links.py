"""Charity relationships, company numbers and mergers from the real lookup tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.analysis.period import active_graph
from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.assemble import assemble_graph
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


def test_a_membership_keeps_its_valid_from_and_to_and_a_period_filter_uses_them(tmp_path: Path) -> None:
    (tmp_path / "parents.csv").write_text(
        "org_id_a,org_id_b,relationship,source,valid_from,valid_to,org_name,org_name_a,org_name_b\n"
        "GB-CHC-1,GB-CHC-2,parent,Federated Charities,2012-04-01,2016-07-21,,MEMBER,Parent\n"
        "GB-CHC-1,GB-CHC-3,parent,Federated Charities,,,,OTHER,Parent\n"
        "GB-CHC-1,GB-CHC-4,parent,Federated Charities,soon,,,BAD,Parent\n")
    register = RecordSink("ccew", Path("charity.txt"))
    for number in (2, 3, 4):
        register.node(f"GB-CHC-{number}", "Charity", register.provenance("row 2", "", "x"), name=f"C{number}")
    links = CharityLinksLoader().load(tmp_path / "parents.csv", HOUNSLOW, date="2024-01-31")
    assert links.rejections[["field", "value"]].values.tolist() == [["valid_from", "soon"]]
    edges = links.edges.set_index("source")
    assert edges.loc["GB-CHC-2", ["start_date", "end_date"]].tolist() == ["2012-04-01", "2016-07-21"]
    assert edges.loc["GB-CHC-3", "date"] == "2024-01-31"  # no period: as of the file's date
    graph, _ = assemble_graph([register.result(), links])
    members = {when: {s for s, _, d in active_graph(graph, end, start=start)[0].edges(data=True)
                      if d["relation"] == "MEMBER_OF"}
               for when, (start, end) in {"2010s": ("2010-01-01", "2015-12-31"), "2020s": ("2020-01-01", "2024-12-31"),
                                          "2011": ("", "2011-12-31")}.items()}
    assert members == {"2010s": {"GB-CHC-2"}, "2020s": {"GB-CHC-3"}, "2011": set()}
