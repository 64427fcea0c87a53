"""Pushing to Neo4j: the statements, batching and idempotency are tested without a server; a real
server is used when NEO4J_URI is set (no Neo4j server can be installed on the CI machines)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import networkx as nx
import pytest

from civicgraph.cypher.neo4j_push import (
    Neo4jPushError,
    export_neo4j_import,
    labels,
    node_batches,
    push_to_neo4j,
    relationship_batches,
)
from tests.conftest import toy_results


@pytest.fixture
def toy() -> nx.MultiDiGraph:
    from civicgraph.graph.assemble import assemble_graph

    return assemble_graph(toy_results())[0]


class _Result:
    def consume(self) -> None:
        pass


class _Transaction:
    def __init__(self, log: list) -> None:
        self.log = log

    def run(self, cypher: str, parameters: dict) -> _Result:
        self.log.append((cypher, parameters))
        return _Result()


class _Session:
    def __init__(self, log: list) -> None:
        self.log = log

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def run(self, cypher: str) -> _Result:
        self.log.append((cypher, None))
        return _Result()

    def execute_write(self, work):  # noqa: ANN001, ANN201
        return work(_Transaction(self.log))


class RecordingDriver:
    """Stands in for the neo4j driver, keeping every statement it is sent."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.log: list = []
        self.failure = failure

    def verify_connectivity(self) -> None:
        if self.failure:
            raise self.failure

    def session(self, database: str | None = None) -> _Session:
        return _Session(self.log)


def test_labels_carry_the_ontologys_ancestors() -> None:
    assert labels("Forum") == ["Entity", "Organisation", "Partnership", "Forum"]
    assert labels("Ward") == ["Entity", "Place", "Ward"]


def test_every_node_and_edge_is_merged_on_a_stable_key(toy: nx.MultiDiGraph) -> None:
    nodes = [row for b in node_batches(toy, batch_size=7) for row in b.parameters["rows"]]
    edges = [row for b in relationship_batches(toy, batch_size=7) for row in b.parameters["rows"]]
    assert sorted(r["id"] for r in nodes) == sorted(toy.nodes)
    assert sorted(r["key"] for r in edges) == sorted(k for *_, k in toy.edges(keys=True))
    assert all(len(b.parameters["rows"]) <= 7 for b in node_batches(toy, batch_size=7))
    for batch in [*node_batches(toy), *relationship_batches(toy)]:
        assert "MERGE" in batch.cypher and "CREATE" not in batch.cypher
    charity = next(r for r in nodes if r["id"] == "Charity-1")["properties"]
    assert charity["other_names"] == ["Feltham Chaplaincy", "FCCT"]  # lists stay lists
    assert isinstance(charity["provenance"], str)  # maps become JSON text


def test_pushing_twice_sends_the_same_merges(toy: nx.MultiDiGraph) -> None:
    first, second = RecordingDriver(), RecordingDriver()
    sent = push_to_neo4j(toy, "bolt://localhost:7687", ("neo4j", "x"), driver=first, progress=False)
    push_to_neo4j(toy, "bolt://localhost:7687", ("neo4j", "x"), driver=second, progress=False)
    assert first.log == second.log
    assert first.log[0][0].startswith("CREATE CONSTRAINT entity_id IF NOT EXISTS")
    assert sent["nodes"] == toy.number_of_nodes() and sent["relationships"] == toy.number_of_edges()


def test_connection_and_credential_failures_are_clear(toy: nx.MultiDiGraph) -> None:
    from neo4j.exceptions import AuthError, ServiceUnavailable

    with pytest.raises(Neo4jPushError, match="refused the credentials for user 'neo4j'"):
        push_to_neo4j(toy, "neo4j://db:7687", ("neo4j", "bad"), driver=RecordingDriver(AuthError("wrong")), progress=False)
    with pytest.raises(Neo4jPushError, match="could not be reached"):
        push_to_neo4j(toy, "neo4j://db:7687", ("neo4j", "x"), driver=RecordingDriver(ServiceUnavailable("down")),
                      progress=False)
    with pytest.raises(Neo4jPushError, match="not a Neo4j URI"):
        push_to_neo4j(toy, "http://db:7474", ("neo4j", "x"), progress=False)


def test_admin_import_files(toy: nx.MultiDiGraph, tmp_path: Path) -> None:
    files = export_neo4j_import(toy, tmp_path)
    charity = next(p for p in files if p.name == "nodes_Charity.csv")
    with charity.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["id:ID(Entity)", ":LABEL"] and "latest_income:double" in rows[0]
    assert rows[1][1] == "Entity;Organisation;Charity"
    assert "Feltham Chaplaincy;FCCT" in rows[1]
    funded = next(p for p in files if p.name == "rels_FUNDED_BY.csv").read_text().splitlines()
    assert funded[0].startswith(":START_ID(Entity),:END_ID(Entity),:TYPE,key")
    assert len(files) == len({d["kind"] for _, d in toy.nodes(data=True)}) + len(
        {d["relation"] for *_, d in toy.edges(data=True)})


@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="needs a Neo4j server: set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD")
def test_push_to_a_real_server_is_idempotent(toy: nx.MultiDiGraph) -> None:
    from neo4j import GraphDatabase

    uri, auth = os.environ["NEO4J_URI"], (os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"])
    push_to_neo4j(toy, uri, auth, progress=False)
    with GraphDatabase.driver(uri, auth=auth) as driver:
        count = driver.execute_query("MATCH (n:Entity) RETURN count(n) AS n").records[0]["n"]
        push_to_neo4j(toy, uri, auth, progress=False)
        assert driver.execute_query("MATCH (n:Entity) RETURN count(n) AS n").records[0]["n"] == count
