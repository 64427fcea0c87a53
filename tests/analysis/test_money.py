"""Money from 360Giving files: every grant counted once, in its own currency, to the penny."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from civicgraph.analysis.money import co_funding, funding_by_funder, funding_by_income_band, funding_by_ward, gini
from civicgraph.core.amounts import exact_sum
from civicgraph.graph.assemble import assemble_frames, assemble_graph
from civicgraph.graph.frames import frames_to_graph
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.threesixtygiving import ThreeSixtyGivingLoader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threesixtygiving"
FILE = FIXTURES / "community_foundation_individuals.json"
GRANTNAV = FIXTURES / "community_foundation_individuals.csv"  # the same grants, as a download in columns
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
#: The fixture's GBP grants that load (the seventh, to an unnamed individual, is rejected).
GBP_TOTAL = 5000 + 1250.5 + 350 + 499.99 + 120.1


def load(path: Path):  # noqa: ANN201
    return ThreeSixtyGivingLoader().load(path, HOUNSLOW, filter="none")


def test_funder_total_is_per_currency_and_never_adds_dollars_to_pounds() -> None:
    graph, _ = assemble_graph([load(FILE)])
    row = funding_by_funder(graph).iloc[0]
    assert row["grants"] == 6
    assert row["amount_gbp"] == round(GBP_TOTAL, 2) == 7220.59
    assert row["other_currencies"] == "USD 2000.0"
    assert row["recipients"] == 5  # two organisations and three grants to individuals, each its own recipient


def test_a_configured_rate_converts_and_is_named() -> None:
    graph, _ = assemble_graph([load(FILE)])
    row = funding_by_funder(graph, rates={"USD": 0.75}).iloc[0]
    assert row["amount_gbp"] == 8720.59
    assert row["other_currencies"] == "USD 2000.0 at 0.75 GBP"


def test_same_grants_in_two_files_count_once_with_both_sources() -> None:
    alone, _ = assemble_graph([load(FILE)])
    frames, rejections = assemble_frames([load(FILE), load(GRANTNAV)])
    both = frames_to_graph(frames)
    assert rejections.empty
    funded = frames.edges[frames.edges["relation"] == "FUNDED_BY"]
    assert len(funded) == 6 and len(frames.edges[frames.edges["relation"] == "AWARDED_TO"]) == 3
    assert (frames.nodes["kind"] == "Grant").sum() == 6
    sources = frames.edge_sources[frames.edge_sources["edge"].isin(funded.index)]
    assert sources.groupby("edge")["dataset"].nunique().eq(2).all()
    columns = ["funder", "grants", "amount_gbp", "other_currencies", "recipients"]
    assert funding_by_funder(both)[columns].equals(funding_by_funder(alone)[columns])
    assert funding_by_ward(both)["amount_gbp"].tolist() == funding_by_ward(alone)["amount_gbp"].tolist()
    assert funding_by_income_band(both)["amount_gbp"].tolist() == funding_by_income_band(alone)["amount_gbp"].tolist()


def test_two_files_disagreeing_on_an_amount_give_a_conflict_not_a_second_grant(tmp_path: Path) -> None:
    package = json.loads(FILE.read_text())
    package["grants"][0]["amountAwarded"] = 5500
    package["grants"][0]["awardDate"] = "2023-04-13"
    changed = tmp_path / "grantnav.json"
    changed.write_text(json.dumps(package))
    frames, _ = assemble_frames([load(FILE), load(changed)])
    funded = frames.edges[frames.edges["relation"] == "FUNDED_BY"]
    assert len(funded) == 6
    assert funded.loc[funded["grant"] == "360G-ECF-0001", "amount"].tolist() == [5000.0]  # the first source's
    grant = frames.nodes.index[frames.nodes["id"] == "360G-ECF-0001"][0]
    conflicts = frames.conflicts[frames.conflicts["node"] == grant]
    assert set(conflicts["field"]) == {"amount", "award_date"}
    assert conflicts.set_index("field").loc["amount", ["kept", "other"]].tolist() == [5000.0, 5500.0]


def test_grants_to_individuals_count_as_their_own_band() -> None:
    graph, _ = assemble_graph([load(FILE)])
    bands = funding_by_income_band(graph).set_index("income_band")
    assert bands.loc["individuals", "grants"] == 3
    assert bands.loc["individuals", "amount_gbp"] == 970.09


@pytest.mark.parametrize(("amounts", "total"), [([0.1, 0.2], 0.3), ([18303977.0, 0.01], 18303977.01),
                                                ([1.005, 2.001], 3.006), ([], 0.0)])
def test_totals_are_exact_decimals(amounts: list[float], total: float) -> None:
    assert repr(exact_sum(amounts)) == repr(total)


def test_cypher_library_totals_gbp_only_with_grants_to_individuals(tmp_path: Path) -> None:
    import ladybug

    from civicgraph.cypher.queries import LIBRARY
    from civicgraph.cypher.store import write_database

    graph, _ = assemble_graph([load(FILE), load(GRANTNAV)])
    connection = ladybug.Connection(ladybug.Database(write_database(graph, tmp_path / "cypher"), read_only=True))
    query = next(q for q in LIBRARY if q.name == "funding_by_funder").cypher.replace("{Organisation}", "Organisation")
    (funder, amount, grants, recipients), = connection.execute(query).get_all()
    assert (funder, grants, recipients) == ("Example Community Foundation", 5, 5)  # the USD grant is not in it
    assert amount == 7220.59  # exact, although the two files gave every grant twice


def test_grant_to_an_individual_counts_in_the_ward_of_its_beneficiary_location() -> None:
    from civicgraph.loaders.base import RecordSink
    from civicgraph.loaders.place_index import PlaceIndex

    places = PlaceIndex(codes={"E05000346": "E05000346@2017", "E09000018": "E09000018@2017"},
                        ward_authority={"E05000346@2017": "E09000018@2017"}, lsoa_ward={})
    context = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow", places=places)
    lookup = RecordSink("ons-lookup", Path("lookup.csv"))
    prov = lookup.provenance("row 2", "", "OGL-UK-3.0")
    lookup.node("E05000346@2017", "Ward", prov, name="Bedfont", gss_code="E05000346", code_generation=2017)
    lookup.node("E09000018@2017", "LocalAuthorityArea", prov, name="Hounslow", gss_code="E09000018",
                code_generation=2017)
    grants = ThreeSixtyGivingLoader().load(FILE, context)
    graph, rejections = assemble_graph([lookup.result(), grants])
    assert rejections.empty
    wards = funding_by_ward(graph).set_index("ward_name")
    # Feltham Community Kitchen's grant (1,250.50) and one grant to an individual (350) serve Bedfont
    assert wards.loc["Bedfont", ["grants", "amount_gbp", "recipients"]].tolist() == [2, 1600.5, 2]


def test_money_by_ward_band_funder_and_co_funding(borough: nx.MultiDiGraph) -> None:
    wards = funding_by_ward(borough).set_index("ward")
    assert wards.loc["W-rich", "amount_gbp"] == 10_000.0
    assert wards.loc["unknown", "amount_gbp"] == 2_000.0  # the micro charity is placed nowhere
    assert wards.loc["W-poor", "imd_rank_in_authority"] == 1
    assert funding_by_ward(borough, years=(2019, 2019))["amount_gbp"].sum() == 2_000.0
    bands = funding_by_income_band(borough).set_index("income_band")
    assert bands.loc["small", "share_of_amount"] == pytest.approx(10 / 12)
    funders = funding_by_funder(borough).set_index("funder_name")
    assert funders.loc["City Bridge", "recipients"] == 2
    pairs = co_funding(borough)
    assert pairs[["funder_a", "funder_b", "shared_recipients"]].values.tolist() == [["City Bridge", "Lottery", 1]]
    assert gini([1.0]) == 0.0 and gini([]) is None


def test_authority_against_its_peers_per_head() -> None:

    from civicgraph.analysis.money import compare_authorities
    from civicgraph.loaders.threesixtygiving import grants_by_authority
    from civicgraph.pipeline.authorities import authority_table

    grants = grants_by_authority(Path(__file__).resolve().parents[2] / "data/360giving/london_powertochange_grants.json")
    assert len(grants) == 102 and grants["authority"].notna().all()
    table = compare_authorities(grants, authority_table(), focus="E09000018", peers=["E09000022", "E09000012"])
    assert set(table["name"]) == {"Hounslow", "Lambeth", "Hackney"}
    lambeth = table.set_index("name").loc["Lambeth"]
    assert lambeth["grants"] == 18
    assert lambeth["gbp_per_head"] == pytest.approx(grants.loc[grants["authority"] == "E09000022", "amount"].sum() / 321813)
    assert table.set_index("name").loc["Hounslow", "amount_gbp"] == 0.0


def test_need_against_reach_per_head_flags_the_deprived_ward_that_gets_least() -> None:
    g = nx.MultiDiGraph()
    g.add_node("F", kind="Funder", name="Funder")
    for ward, lsoas, imd, money in (("Rich", 2, 5.0, 9_000.0), ("Poor", 4, 40.0, 1_000.0)):
        g.add_node(ward, kind="Ward", name=ward, population=lsoas * 1_500,
                   population_basis=f"estimate: {lsoas * 5} of 30 output areas")
        for number in range(lsoas):
            lsoa = f"{ward}-{number}"
            g.add_node(lsoa, kind="LSOA", imd_score=imd)
            g.add_edge(lsoa, ward, relation="PART_OF")
        g.add_node(f"{ward}-org", kind="Charity", name=f"{ward} charity")
        g.add_edge(f"{ward}-org", ward, relation="LOCATED_IN")
        g.add_edge(f"{ward}-org", "F", relation="FUNDED_BY", amount=money, currency="GBP", award_date="2019-01-01")
    table = funding_by_ward(g).set_index("ward")
    assert table.loc["Poor", "population"] == 4 * 1_500
    assert table.loc["Poor", "population_basis"] == "estimate: 20 of 30 output areas"
    assert table.loc["Poor", "amount_per_head_gbp"] == round(1_000 / (4 * 1_500), 2)
    assert table.loc["Rich", "organisations_per_1000"] == round(1 / (2 * 1_500) * 1000, 2)
    assert table.loc["Poor", "need_reach_gap"] == 1  # most deprived, least funded per head
    assert table.loc["Rich", "need_reach_gap"] == -1


def test_a_ward_of_unknown_population_has_no_per_head_figure() -> None:
    g = nx.MultiDiGraph()
    g.add_node("W", kind="Ward", name="Nowhere")
    g.add_node("o", kind="Charity")
    g.add_node("F", kind="Funder")
    g.add_edge("o", "W", relation="LOCATED_IN")
    g.add_edge("o", "F", relation="FUNDED_BY", amount=100.0, currency="GBP", award_date="2019-01-01")
    row = funding_by_ward(g).set_index("ward").loc["W"]
    assert row["population_basis"] == "unknown"
    assert pd.isna(row["population"]) and pd.isna(row["amount_per_head_gbp"])


def test_the_money_answers_read_the_tables_alone(borough: nx.MultiDiGraph) -> None:
    from civicgraph.analysis.money import local_programmes
    from civicgraph.graph.frames import as_frames, derived
    borough.add_node("cil", kind="Programme", name="Local CIL", amount=302292.0, start_date="2021-04-01",
                     provenance=[{"dataset": "workbook:x", "record": "sheet 3 row 2", "date": "", "licence": "x"}])
    borough.add_edge("council", "cil", relation="DELIVERS", mode="grant-maker", provenance=[])
    frames = as_frames(borough)
    for answer in (funding_by_ward, funding_by_income_band, funding_by_funder, co_funding, local_programmes):
        from_tables, from_networkx = answer(frames), answer(borough)
        pd.testing.assert_frame_equal(from_tables, from_networkx)
        assert from_tables.attrs == from_networkx.attrs
    assert local_programmes(frames)[["programme", "source"]].values.tolist() == [["Local CIL", "sheet 3 row 2"]]
    assert funding_by_funder(frames)["grants"].sum() == 3
    assert "networkx" not in derived(frames)
