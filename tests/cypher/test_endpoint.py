"""The Cypher endpoint as a Neo4j Query API client sees it: answers, shapes, types, errors and the console."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import networkx as nx
import pytest
import requests

from civicgraph.analysis.money import funding_by_funder
from civicgraph.cypher.endpoint import EndpointError, EndpointSettings, serve
from tests.cypher.conftest import TOKEN, count_nodes, query


def test_funder_totals_match_the_analysis_function(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    response = query(endpoint, "MATCH (o)-[r:FUNDED_BY]->(f:Funder) WHERE r.currency = 'GBP' RETURN f.name AS funder, "
                               "sum(r.amount_hundredths) / 100.0 AS gbp, count(DISTINCT o) AS recipients "
                               "ORDER BY gbp DESC")
    assert response.status_code == 202
    body = response.json()
    assert body["data"]["fields"] == ["funder", "gbp", "recipients"]
    expected = funding_by_funder(hounslow)[["funder_name", "amount_gbp", "recipients"]].values.tolist()
    assert body["data"]["values"] == expected  # to the penny


def test_a_sum_of_hundredths_is_an_integer_in_both_json_forms(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    from civicgraph.core.amounts import hundredths

    statement = "MATCH ()-[r:FUNDED_BY]->() WHERE r.currency = 'GBP' RETURN sum(r.amount_hundredths)"
    expected = sum(hundredths(d["amount"]) for *_, d in hounslow.edges(data=True)
                   if d["relation"] == "FUNDED_BY" and d.get("currency") == "GBP")
    assert query(endpoint, statement).json()["data"]["values"] == [[expected]]
    typed = query(endpoint, statement, headers={"Accept": "application/vnd.neo4j.query"}).json()
    assert typed["data"]["values"] == [[{"$type": "Integer", "_value": str(expected)}]]


def test_every_node_is_in_the_database(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    assert count_nodes(endpoint) == hounslow.number_of_nodes()
    rows = query(endpoint, "MATCH (w:Ward {name: $name})<-[:PART_OF]-(l:LSOA) RETURN avg(l.imd_score)", name="Bedfont")
    assert rows.json()["data"]["values"][0][0] == pytest.approx(24.2619, abs=1e-3)


def test_superclass_labels_match_every_kind_below_them(endpoint: str, hounslow: nx.MultiDiGraph) -> None:
    from civicgraph.ontology.vocabulary import vocabulary

    below = set(vocabulary().kinds_under("Organisation"))
    expected = sum(1 for _, kind in hounslow.nodes(data="kind") if kind in below)
    body = query(endpoint, "MATCH (o:Organisation) RETURN count(o)").json()
    assert body["data"]["values"] == [[expected]]
    labels = query(endpoint, "MATCH (o:Organisation) RETURN DISTINCT label(o) AS kind").json()["data"]["values"]
    assert {"Charity", "Funder", "Council", "Organisation"} <= {row[0] for row in labels}


def test_nodes_and_relationships_have_the_query_api_shape(endpoint: str) -> None:
    body = query(endpoint, "MATCH (o:Charity)-[r:FUNDED_BY]->(f:Funder) RETURN o, r, f LIMIT 1").json()
    node, rel, funder = body["data"]["values"][0]
    assert set(node) == {"elementId", "labels", "properties"} and node["labels"] == ["Charity"]
    assert node["properties"]["id"].startswith("GB-")
    assert set(rel) == {"elementId", "startNodeElementId", "endNodeElementId", "type", "properties"}
    assert rel["type"] == "FUNDED_BY"
    assert (rel["startNodeElementId"], rel["endNodeElementId"]) == (node["elementId"], funder["elementId"])
    assert body["bookmarks"] == []


def test_a_path_is_its_nodes_and_relationships_in_order(endpoint: str) -> None:
    body = query(endpoint, "MATCH p = (o:Charity)-[:FUNDED_BY]->(f:Funder) RETURN p LIMIT 1").json()
    path = body["data"]["values"][0][0]
    assert [("labels" in e, "type" in e) for e in path] == [(True, False), (False, True), (True, False)]
    assert path[1]["startNodeElementId"] == path[0]["elementId"] and path[1]["endNodeElementId"] == path[2]["elementId"]


def test_typed_json_out_and_in(endpoint: str) -> None:
    headers = {"Accept": "application/vnd.neo4j.query", "Content-Type": "application/vnd.neo4j.query"}
    sent = {"statement": "MATCH (c:Council) RETURN c, $n + 1 AS n, 0.0 / 0.0 AS nan, $when AS when",
            "parameters": {"n": {"$type": "Integer", "_value": "41"}, "when": {"$type": "Date", "_value": "2024-02-29"}}}
    response = requests.post(f"{endpoint}/db/ecosystem/query/v2", data=json.dumps(sent),
                             headers={**headers, "Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 202 and response.headers["content-type"].startswith("application/vnd.neo4j.query")
    council, number, nan, when = response.json()["data"]["values"][0]
    assert council["$type"] == "Node" and council["_value"]["_labels"] == ["Council"]
    assert council["_value"]["_properties"]["name"] == {"$type": "String", "_value": "London Borough of Hounslow"}
    assert number == {"$type": "Integer", "_value": "42"}
    assert nan == {"$type": "Float", "_value": "NaN"}
    assert when == {"$type": "Date", "_value": "2024-02-29"}


def test_plain_json_is_always_valid_json(endpoint: str) -> None:
    response = query(endpoint, "RETURN 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf")
    assert response.status_code == 202
    assert json.loads(response.text, parse_constant=lambda c: pytest.fail(f"{c} in the answer"))["data"]["values"] == [[None, None]]


def test_basic_auth_with_the_token_as_password(endpoint: str) -> None:
    credentials = base64.b64encode(f"neo4j:{TOKEN}".encode()).decode()
    response = requests.post(f"{endpoint}/db/ecosystem/query/v2", json={"statement": "RETURN 1 AS one"},
                             headers={"Authorization": f"Basic {credentials}"}, timeout=10)
    assert response.status_code == 202 and response.json()["data"]["values"] == [[1]]


@pytest.mark.parametrize(("statement", "code"), [
    ("MATCH (n RETURN n", "Neo.ClientError.Statement.SyntaxError"),
    ("MATCH (n:NoSuchKind) RETURN n", "Neo.ClientError.Statement.SemanticError"),
    ("RETURN $missing", "Neo.ClientError.Statement.ParameterMissing"),
    ("RETURN to_int64('abc')", "Neo.ClientError.Statement.ArgumentError"),
])
def test_errors_say_whether_syntax_meaning_or_arguments_were_wrong(endpoint: str, statement: str, code: str) -> None:
    response = query(endpoint, statement)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


@pytest.mark.parametrize("token", [None, "wrong-token-x", " " + TOKEN])
def test_missing_or_wrong_token_is_refused(endpoint: str, token: str | None) -> None:
    response = query(endpoint, "MATCH (n) RETURN count(n)", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "Neo.ClientError.Security.Unauthorized"


def test_an_unknown_database_is_not_found(endpoint: str) -> None:
    response = requests.post(f"{endpoint}/db/neo4j/query/v2", json={"statement": "RETURN 1"},
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "Neo.ClientError.Database.DatabaseNotFound"


def test_a_huge_result_is_capped_by_rows(endpoint: str) -> None:
    body = query(endpoint, "MATCH (l:LSOA) RETURN l.id").json()
    assert len(body["data"]["values"]) == 50
    assert "first 50 rows" in body["notifications"][0]["description"]


def test_a_runaway_query_times_out_and_the_endpoint_carries_on(endpoint: str) -> None:
    response = query(endpoint, "MATCH (a:LSOA), (b:LSOA), (c:LSOA), (d:LSOA), (e:LSOA) "
                               "WHERE a.imd_score + b.imd_score + c.imd_score + d.imd_score + e.imd_score > 1000 RETURN count(*)")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "Neo.ClientError.Transaction.TransactionTimedOut" and "1.5 s" in error["message"]
    assert count_nodes(endpoint) > 0


def test_a_value_too_big_to_write_in_time_is_stopped(endpoint: str) -> None:
    response = query(endpoint, "RETURN range(1, 20000000) AS r")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "Neo.ClientError.Transaction.TransactionTimedOut"


def test_the_console_offers_examples_and_the_schema(endpoint: str) -> None:
    page = requests.get(f"{endpoint}/", timeout=10)
    assert page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    config = json.loads(page.text.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["path"] == "/db/ecosystem/query/v2"
    assert "Charity" in config["nodeTables"] and "FUNDED_BY" in config["relationshipTables"]


def test_the_server_needs_a_real_token(database: Path) -> None:
    for token in ("", "        ", "short", "has space in it"):
        with pytest.raises(EndpointError, match="at least 8 characters"):
            serve(EndpointSettings(database, token), port=0)


def test_no_sandbox_means_loopback_only(database: Path) -> None:
    with pytest.raises(EndpointError, match="allow-unsandboxed"):
        serve(EndpointSettings(database, TOKEN, sandbox=False), host="0.0.0.0", port=0)


def test_the_console_draws_returned_nodes_and_relationships(endpoint: str, tmp_path: Path) -> None:
    import subprocess

    from tests.maps.conftest import FLAGS, chromium

    page = requests.get(f"{endpoint}/", timeout=10).text
    rows = query(endpoint, "MATCH (o:Charity)-[r:FUNDED_BY]->(f:Funder) RETURN o, r, f LIMIT 3").json()["data"]["values"]
    assert len(rows) == 3
    drawn = page.replace("</body>", f"<script>drawGraph({json.dumps(rows)});</script></body>")
    (tmp_path / "console.html").write_text(drawn, encoding="utf-8")
    dom = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          (tmp_path / "console.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    nodes = {e["elementId"] for row in rows for e in (row[0], row[2])}
    assert f'data-nodes="{len(nodes)}"' in dom and 'data-relationships="3"' in dom
    assert dom.count("<circle") == len(nodes) and dom.count("<line") == 3

