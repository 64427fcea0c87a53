"""Money from 360Giving files: every grant counted once, in its own currency, to the penny."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicgraph.analysis.money import funding_by_funder, funding_by_income_band, funding_by_ward
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
