"""Money in the Cypher database: exact totals per currency, from real 360Giving files, once per grant."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import ladybug
import networkx as nx
import pytest

from civicgraph.cypher.queries import LIBRARY, translate
from civicgraph.cypher.store import write_database
from civicgraph.graph.assemble import assemble_graph
from civicgraph.loaders.base import LoadContext
from civicgraph.loaders.threesixtygiving import ThreeSixtyGivingLoader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "threesixtygiving"
LLOYDS = FIXTURES / "lloyds_bank_foundation_2010_2015.json"
LLOYDS_XLSX = FIXTURES / "lloyds_bank_foundation_2010_2015.xlsx"
POWER_TO_CHANGE = Path(__file__).resolve().parents[2] / "data" / "360giving" / "london_powertochange_grants.json"
HOUNSLOW = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
TOTALS = ("MATCH ()-[r:FUNDED_BY]->() RETURN r.currency AS currency, sum(r.amount_hundredths) AS hundredths, "
          "sum(r.amount_hundredths) / 100.0 AS total, count(r) AS grants ORDER BY currency")


def _connection(graph: nx.MultiDiGraph, folder: Path) -> ladybug.Connection:
    return ladybug.Connection(ladybug.Database(write_database(graph, folder), read_only=True))


def _published_totals(path: Path, loaded: set[str]) -> dict[str, Decimal]:
    """Per currency, the exact total of the file's grants that loaded, read from the JSON text as decimals."""
    totals: dict[str, Decimal] = {}
    for grant in json.loads(path.read_text(), parse_float=Decimal)["grants"]:
        if grant["id"] in loaded:
            totals[grant["currency"]] = totals.get(grant["currency"], Decimal(0)) + Decimal(grant["amountAwarded"])
    return totals


@pytest.fixture(scope="module")
def lloyds() -> nx.MultiDiGraph:
    return assemble_graph([ThreeSixtyGivingLoader().load(LLOYDS, HOUNSLOW, filter="none")])[0]


@pytest.mark.parametrize("path", [LLOYDS, POWER_TO_CHANGE], ids=lambda p: p.name)
def test_cypher_sum_of_real_grants_is_the_published_total_to_the_penny(path: Path, tmp_path: Path,
                                                                       lloyds: nx.MultiDiGraph) -> None:
    graph = lloyds if path == LLOYDS else assemble_graph([ThreeSixtyGivingLoader().load(path, HOUNSLOW,
                                                                                        filter="none")])[0]
    grants = {n for n, kind in graph.nodes(data="kind") if kind == "Grant"}
    expected = _published_totals(path, grants)
    rows = _connection(graph, tmp_path / "cypher").execute(TOTALS).get_all()
    assert {currency for currency, *_ in rows} == set(expected)
    for currency, hundredths, total, count in rows:
        assert Decimal(hundredths) / 100 == expected[currency]  # the integer sum is exact
        assert Decimal(repr(total)) == expected[currency]  # and so is its one division, as printed
        assert count == len(grants)


def test_the_library_funder_totals_are_exact(tmp_path: Path, lloyds: nx.MultiDiGraph) -> None:
    query = next(q for q in LIBRARY if q.name == "funding_by_funder")
    connection = _connection(lloyds, tmp_path / "cypher")
    rows = connection.execute(translate(query.cypher, "ladybug", kinds={k for _, k in lloyds.nodes(data="kind")},
                                        relations={"FUNDED_BY", "AWARDED_TO", "SERVES_AREA"})).get_all()
    grants = {n for n, kind in lloyds.nodes(data="kind") if kind == "Grant"}
    (funder, amount, count, _recipients), = rows
    assert funder == "Lloyds Bank Foundation for England and Wales"
    assert (repr(amount), count) == (str(_published_totals(LLOYDS, grants)["GBP"]), len(grants))


def test_the_same_grants_from_json_and_spreadsheet_total_the_same_in_cypher(tmp_path: Path,
                                                                             lloyds: nx.MultiDiGraph) -> None:
    both = assemble_graph([ThreeSixtyGivingLoader().load(LLOYDS, HOUNSLOW, filter="none"),
                           ThreeSixtyGivingLoader().load(LLOYDS_XLSX, HOUNSLOW, filter="none")])[0]
    alone = _connection(lloyds, tmp_path / "alone").execute(TOTALS).get_all()
    twice = _connection(both, tmp_path / "both").execute(TOTALS).get_all()
    assert twice == alone
    recipients = "MATCH ()-[r:AWARDED_TO]->() RETURN count(r), count(DISTINCT r.key)"
    assert (_connection(both, tmp_path / "again").execute(recipients).get_all()
            == _connection(lloyds, tmp_path / "once").execute(recipients).get_all())


def test_neo4j_gets_the_same_exact_column() -> None:
    from civicgraph.cypher.neo4j_push import relationship_batches

    graph = nx.MultiDiGraph()
    graph.add_edge("a", "f", relation="FUNDED_BY", amount=18303977.01, currency="GBP", provenance=[])
    graph.add_edge("a", "f", relation="FUNDED_BY", amount=1.005, currency="GBP", provenance=[])
    rows = next(relationship_batches(graph)).parameters["rows"]
    assert [r["properties"].get("amount_hundredths") for r in rows] == [1830397701, None]
    assert all(r["properties"]["currency"] == "GBP" for r in rows)
