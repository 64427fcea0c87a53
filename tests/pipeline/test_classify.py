"""Classification rules on small hand-built graphs: each rule, the evidence, the workbook's override."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from civicgraph.core.errors import SourceFormatError
from civicgraph.graph.frames import frames_to_graph, graph_to_frames
from civicgraph.pipeline.candidates import mark_register_candidates
from civicgraph.pipeline.classify import CLASS_RULES_FILE, classify_organisations, read_class_rules


def _graph(*organisations: tuple[str, dict]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for node, data in organisations:
        g.add_node(node, **{"kind": "Organisation", **data}, provenance=[{"dataset": "d", "record": "r", "date": "",
                                                                          "licence": "x"}],
                   field_provenance={k: [0] for k in data if k != "kind"}, conflicts=[])
    return g


def _classes(g: nx.MultiDiGraph, rules=None) -> dict[str, tuple]:
    out = frames_to_graph(classify_organisations(graph_to_frames(g), rules))
    return {n: (d.get("org_class"), d.get("community_group"), d.get("parent_body")) for n, d in out.nodes(data=True)
            if "org_class" in d}


@pytest.mark.parametrize(("data", "expected"), [
    ({"name": "Heston Library"}, "statutory: library"),
    ({"name": "Heston Community School"}, "statutory: school"),
    ({"name": "Hounslow School of Lifesaving"}, "community group"),
    ({"name": "Hounslow Tamil School"}, "community group"),
    ({"name": "West Middlesex University Hospital"}, "statutory: NHS"),
    ({"name": "Metropolitan Police Safer Neighbourhoods"}, "statutory: police"),
    ({"name": "Acme Consulting Ltd"}, "business"),
    ({"name": "Feltham Community Association Ltd"}, "community group"),
    ({"name": "Gurdwara Sri Guru Singh Sabha"}, "faith group"),
    ({"name": "Lunch club", "description": "Prayers on Friday"}, "faith group"),
    ({"name": "Wyke Green Tenants' Group"}, "residents' association"),
    ({"name": "Anything", "scale": "national"}, "national body"),
    ({"name": "Anything", "kind": "NHSBody"}, "statutory: NHS"),
    ({"name": "Anything", "other_ids": ["GB-EDU-102520"]}, "statutory: school"),
    ({"name": "Digital help", "description": "The UK's leading charity for digital inclusion"}, "national body"),
    ({"name": "Care together", "description": "We provide support to adults across London."}, "regional body"),
    ({"name": "Armenian Centre", "description": "For the Armenians scattered across London."}, "community group"),
    ({"name": "Helping Hands Trust", "description": "Provides grants to families in need"}, "funder"),
    ({"name": "Visa advice", "description": "Help with the EU Settlement Scheme"}, "community group"),
    ({"name": "EU Settlement Scheme"}, "statutory: government service"),
    ({"name": "Feltham Assembly Hall"}, "statutory: council service"),
    ({"name": "Learn Online", "description": "Courses run by Hounslow Adult & Community Education"},
     "statutory: council service"),
    ({"name": "Cranford Community Colllege"}, "statutory: school"),
    ({"name": "Future Learn"}, "business or online service"),
    ({"name": "Info4Care.org.uk"}, "business or online service"),
    ({"name": "Carers Week - Carers Afternoon Tea"}, "event or activity"),
    ({"name": "Osterley Park 10k"}, "event or activity"),
    ({"name": "Ferdowsi Hall", "description": "Big hall available for Hire, for weddings, etc."}, "business"),
    ({"name": "Convent Way Community Centre", "description": "A community centre with a hall to hire"},
     "community group"),
])
def test_each_rule_gives_its_class(data: dict, expected: str) -> None:
    assert _classes(_graph(("o", data)))["o"][0] == expected


def test_a_registered_charity_called_limited_is_not_a_business() -> None:
    g = _graph(("GB-CHC-1", {"kind": "Charity", "name": "Feltham Helping Hands Limited"}))
    assert _classes(g)["GB-CHC-1"][0] == "registered voluntary organisation"


def test_a_member_of_a_federated_charity_is_a_branch_and_its_parent_a_national_body() -> None:
    g = _graph(("GB-CHC-2", {"kind": "Charity", "name": "Age UK Hounslow"}), ("GB-CHC-9", {"kind": "Charity", "name": "Age UK"}))
    g.add_edge("GB-CHC-2", "GB-CHC-9", relation="MEMBER_OF", provenance=[])
    classes = _classes(g)
    assert classes["GB-CHC-2"] == ("branch of a national body", True, "Age UK")
    assert classes["GB-CHC-9"][:2] == ("national body", False)


@pytest.mark.parametrize(("name", "parent"), [
    ("3rd Chiswick Scout Group", "The Scout Association"),
    ("94 (Feltham) Squadron Air Cadets", "RAF Air Cadets"),
    ("Bedfont Belles Women's Institute", "National Federation of Women's Institutes"),
    ("West London Branch of Motor Neurone Disease Association", "Motor Neurone Disease Association"),
])
def test_a_branch_names_its_parent_body(name: str, parent: str) -> None:
    assert _classes(_graph(("o", {"name": name})))["o"] == ("branch of a national body", True, parent)


def test_a_branch_the_description_names_takes_its_parent_from_it() -> None:
    g = _graph(("o", {"name": "Hounslow Cycling", "description": "The borough branch of [London Cycling Campaign](x)"}))
    assert _classes(g)["o"] == ("branch of a national body", True, "London Cycling Campaign")


def test_the_national_body_itself_is_not_its_own_branch() -> None:
    g = _graph(("GB-CHC-306101", {"kind": "Charity", "name": "The Scout Association"}))
    assert _classes(g)["GB-CHC-306101"][0] == "registered voluntary organisation"


def test_a_borough_rule_may_name_the_parent_in_its_own_column(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("rule,class,community_group,field,pattern,parent,note\n"
                                       "bb,branch of a national body,yes,name,boys' brigade,The Boys' Brigade,\n")
    g = _graph(("o", {"name": "1st Hounslow Boys' Brigade"}))
    rules = read_class_rules(tmp_path / "mine.csv", CLASS_RULES_FILE)
    assert _classes(g, rules)["o"] == ("branch of a national body", True, "The Boys' Brigade")


def test_a_class_the_workbook_gives_is_kept_with_its_source() -> None:
    g = _graph(("o", {"name": "Heston Library Friends", "org_class": "community group"}))
    out = frames_to_graph(classify_organisations(graph_to_frames(g)))
    data = out.nodes["o"]
    assert (data["org_class"], data["community_group"]) == ("community group", True)
    assert data["provenance"][data["field_provenance"]["org_class"][0]]["dataset"] == "d"


def test_a_borough_rule_comes_before_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("rule,class,community_group,field,pattern,note\n"
                                       "local-library-friends,community group,yes,name,friends of .* library,\n")
    rules = read_class_rules(tmp_path / "mine.csv", CLASS_RULES_FILE)
    g = _graph(("o", {"name": "Friends of Heston Library"}))
    assert _classes(g, rules)["o"][0] == "community group"
    assert _classes(g)["o"][0] == "statutory: library"


def test_a_bad_rule_names_file_row_and_field(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("rule,class,community_group,field,pattern\nx,y,yes,nmae,z\n")
    with pytest.raises(SourceFormatError, match=r"mine.csv row 2, field field: 'nmae' is not supported"):
        read_class_rules(tmp_path / "mine.csv")
    (tmp_path / "mine.csv").write_text("rule,class,community_group,field,pattern\nx,y,yes,name,(\n")
    with pytest.raises(SourceFormatError, match=r"mine.csv row 2, field pattern"):
        read_class_rules(tmp_path / "mine.csv")


def test_every_class_of_the_bundled_rules_says_whether_it_is_a_community_group() -> None:
    rules = read_class_rules()
    assert rules[-1].field == "any"
    assert {r.name for r in rules if not r.community_group} >= {"statutory: library", "statutory: school",
                                                                "housing association", "national body", "business"}


def test_a_decided_review_pair_gives_no_candidate() -> None:
    import pandas as pd
    g = _graph(("LOCAL-X-club", {"name": "Club"}))
    review = pd.DataFrame({"left_id": ["GB-CHC-5", "GB-CHC-6"], "left_name": ["CLUB", "CLUB TRUST"],
                           "right_id": ["LOCAL-X-club"] * 2, "right_name": ["Club"] * 2, "score": [0.8, 0.9],
                           "decision": ["reject", ""]})
    out = frames_to_graph(mark_register_candidates(graph_to_frames(g), review))
    assert out.nodes["LOCAL-X-club"]["register_candidates"] == ["GB-CHC-6 CLUB TRUST (score 0.90)"]
