"""The Cypher endpoint: answers like the analysis functions, refuses anything unsafe, graph unchanged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
import requests

from cypher.endpoint import EndpointSettings, serve
from cypher.store import write_database
from graph.money import funding_by_funder
from pipeline.build import build_graph
from pipeline.config import read_config

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-token"


@pytest.fixture(scope="module")
def hounslow() -> nx.MultiDiGraph:
    return build_graph(read_config(REPO / "config" / "hounslow.toml"), progress=False).graph


@pytest.fixture(scope="module")
def endpoint(hounslow: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = write_database(hounslow, tmp_path_factory.mktemp("cypher") / "db")
    server = serve(EndpointSettings(database, TOKEN, timeout_ms=1_000, max_rows=50), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def query(base: str, statement: str, token: str | None = TOKEN, **parameters: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{base}/db/ecosystem/query/v2", json={"statement": statement, "parameters": parameters},
                         headers=headers, timeout=30)


def count_nodes(base: str) -> int:
    return query(base, "MATCH (n) RETURN count(n)").json()["data"]["values"][0][0]


def test_funder_totals_match_the_analysis_function(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    response = query(endpoint, "MATCH (o)-[r:FUNDED_BY]->(f:Funder) RETURN f.name AS funder, sum(r.amount) AS gbp, "
                               "count(DISTINCT o) AS recipients ORDER BY gbp DESC")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["fields"] == ["funder", "gbp", "recipients"]
    expected = funding_by_funder(hounslow)[["funder_name", "amount_gbp", "recipients"]].values.tolist()
    assert [[f, pytest.approx(g), r] for f, g, r in body["data"]["values"]] == expected


def test_every_node_is_in_the_database(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    assert count_nodes(endpoint) == hounslow.number_of_nodes()
    rows = query(endpoint, "MATCH (w:Ward {name: $name})<-[:PART_OF]-(l:LSOA) RETURN avg(l.imd_score)", name="Bedfont")
    assert rows.json()["data"]["values"][0][0] == pytest.approx(24.2619, abs=1e-3)


@pytest.mark.parametrize("statement", [
    "CREATE (:Charity {id: 'x', name: 'x'})",
    "MATCH (c:Council) SET c.name = 'renamed'",
    "MATCH (n) DETACH DELETE n",
    "MERGE (:Funder {id: 'y'})",
    "CALL show_tables() RETURN *",
    "LOAD FROM '/etc/passwd' RETURN *",
    "COPY Charity FROM '/tmp/x.csv'",
    "DROP TABLE Charity",
])
def test_writes_procedures_and_file_access_are_refused(endpoint: str, statement: str) -> None:
    before = count_nodes(endpoint)
    response = query(endpoint, statement)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Neo.ClientError.Security.Forbidden"
    assert count_nodes(endpoint) == before
    assert query(endpoint, "MATCH (c:Council) RETURN c.name").json()["data"]["values"] == [["London Borough of Hounslow"]]


def test_keywords_inside_strings_are_not_refused(endpoint: str) -> None:
    response = query(endpoint, "MATCH (c:Council) WHERE c.name <> 'CREATE SET DELETE' RETURN c.name")
    assert response.status_code == 200


@pytest.mark.parametrize("token", [None, "wrong"])
def test_missing_or_wrong_token_is_refused(endpoint: str, token: str | None) -> None:
    response = query(endpoint, "MATCH (n) RETURN count(n)", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "Neo.ClientError.Security.Unauthorized"


def test_a_huge_result_is_capped(endpoint: str) -> None:
    body = query(endpoint, "MATCH (l:LSOA) RETURN l.id").json()
    assert len(body["data"]["values"]) == 50
    assert "first 50 rows" in body["notifications"][0]["description"]


def test_a_runaway_query_times_out(endpoint: str) -> None:
    response = query(endpoint, "MATCH (a:LSOA), (b:LSOA), (c:LSOA), (d:LSOA), (e:LSOA) "
                               "WHERE a.imd_score + b.imd_score + c.imd_score + d.imd_score + e.imd_score > 1000 RETURN count(*)")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "Neo.ClientError.Transaction.TransactionTimedOut" and "1 s" in error["message"]
    assert count_nodes(endpoint) > 0  # still serving


def test_bad_requests_and_the_console(endpoint: str) -> None:
    bad = requests.post(f"{endpoint}/db/ecosystem/query/v2", data=b"not json",
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert bad.status_code == 400
    syntax = query(endpoint, "MATCH (n RETURN n")
    assert syntax.status_code == 400 and syntax.json()["errors"][0]["code"] == "Neo.ClientError.Statement.SyntaxError"
    page = requests.get(f"{endpoint}/", timeout=10)
    assert page.status_code == 200 and "/db/ecosystem/query/v2" in page.text and "<textarea" in page.text


def test_the_server_needs_a_token(tmp_path: Path, hounslow: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError, match="needs a token"):
        serve(EndpointSettings(tmp_path / "none", ""), port=0)
