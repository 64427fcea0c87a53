"""One Hounslow database and one running endpoint for the Cypher tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
import requests

from civicgraph.cypher.endpoint import Endpoint, EndpointSettings, serve
from civicgraph.cypher.store import write_database
from civicgraph.pipeline.build import build_graph
from civicgraph.pipeline.config import read_config

REPO = Path(__file__).resolve().parents[2]
TOKEN = "test-token-0123"


@pytest.fixture(scope="session")
def hounslow() -> nx.MultiDiGraph:
    return build_graph(read_config(REPO / "config" / "hounslow.toml"), progress=False).graph


@pytest.fixture(scope="session")
def database(hounslow: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_database(hounslow, tmp_path_factory.mktemp("cypher") / "db")


@pytest.fixture(scope="module")
def running(database: Path) -> Iterator[Endpoint]:
    endpoint = serve(EndpointSettings(database, TOKEN, timeout_ms=1_500, max_rows=50, workers=3, queue_length=8),
                     port=0).start()
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def endpoint(running: Endpoint) -> str:
    return running.url


def query(base: str, statement: object, token: str | None = TOKEN, *, headers: dict[str, str] | None = None,
          **parameters: object) -> requests.Response:
    """POST a statement to the Query API path with the bearer token."""
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{base}/db/ecosystem/query/v2", json={"statement": statement, "parameters": parameters},
                         headers={**sent, **(headers or {})}, timeout=30)


def count_nodes(base: str) -> int:
    """Nodes in the database, through the endpoint."""
    return query(base, "MATCH (n) RETURN count(n)").json()["data"]["values"][0][0]
