"""Build the embedded Cypher database (LadybugDB) from a graph, atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ladybug
import networkx as nx
import pandas as pd

from civicgraph.analysis.network import datasets
from civicgraph.cypher.schema import JSON_ATTRIBUTES, Schema, schema_of
from civicgraph.graph.store import atomic_directory, canonical_json

DATABASE_FILE = "graph.lbug"


def _cell(key: str, value: Any) -> Any:
    if key in JSON_ATTRIBUTES and value is not None:
        return json.dumps(value)
    return value


def write_database(graph: nx.MultiDiGraph, folder: str | Path) -> Path:
    """Write ``graph`` as a LadybugDB database in ``folder`` (replaced only when complete).

    Returns
    -------
    Path
        The database file inside ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> path = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> conn = ladybug.Connection(ladybug.Database(path, read_only=True))
    >>> conn.execute("MATCH (c:Charity) RETURN c.name").get_all()
    [['A']]
    """
    folder = Path(folder)
    schema = schema_of(graph)
    with atomic_directory(folder) as staging:
        database = ladybug.Database(staging / DATABASE_FILE)
        connection = ladybug.Connection(database)
        for statement in schema.statements():
            connection.execute(statement)
        _copy_nodes(connection, graph, schema)
        _copy_edges(connection, graph, schema)
        connection.close()
        database.close()
    return folder / DATABASE_FILE


def _copy_nodes(connection: ladybug.Connection, graph: nx.MultiDiGraph, schema: Schema) -> None:
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in schema.nodes}
    for node, data in graph.nodes(data=True):
        keys = schema.nodes[data["kind"]]
        rows[data["kind"]].append({"id": node, **{k: _cell(k, data.get(k)) for k in keys},
                                   "sources": datasets(data), "provenance": canonical_json(data.get("provenance", []))})
    for kind, records in rows.items():
        frame = pd.DataFrame(records, columns=["id", *schema.nodes[kind], "sources", "provenance"])  # noqa: F841 - COPY reads it by name
        connection.execute(f"COPY {kind} FROM frame")


def _copy_edges(connection: ladybug.Connection, graph: nx.MultiDiGraph, schema: Schema) -> None:
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for source, target, key, data in graph.edges(keys=True, data=True):
        relation = data["relation"]
        pair = (relation, graph.nodes[source]["kind"], graph.nodes[target]["kind"])
        keys = schema.relations[relation][1]
        rows.setdefault(pair, []).append({"from": source, "to": target, "key": key,
                                          **{k: _cell(k, data.get(k)) for k in keys},
                                          "provenance": canonical_json(data.get("provenance", []))})
    for (relation, source_kind, target_kind), records in rows.items():
        keys = schema.relations[relation][1]
        frame = pd.DataFrame(records, columns=["from", "to", "key", *keys, "provenance"])  # noqa: F841 - COPY reads it by name
        pairs = schema.relations[relation][0]
        option = f" (from='{source_kind}', to='{target_kind}')" if len(pairs) > 1 else ""
        connection.execute(f"COPY {relation} FROM frame{option}")
