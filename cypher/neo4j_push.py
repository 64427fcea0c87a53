"""Push the graph to Neo4j (official driver), and export it for ``neo4j-admin database import``.

Push: uniqueness constraints first, then nodes and relationships in batches of ``UNWIND $rows ...
MERGE`` on stable ids and edge keys, so pushing the same graph twice changes nothing. Every node has
the label ``Entity``, its kind's label and its ancestors' labels (``:Entity:Organisation:Charity``),
which is how :mod:`cypher.queries` translates "any organisation" for Neo4j. Nested values
(provenance, income history) are stored as JSON text, as Neo4j properties hold no maps. A node or
relationship with an ``amount`` also gets ``amount_hundredths``, the amount as a whole number of
hundredths of its ``currency``: Neo4j sums integers exactly, floats not.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from civicgraph.core.amounts import HUNDREDTHS, hundredths
from civicgraph.core.errors import Neo4jPushError
from civicgraph.graph.assemble import LIST_ATTRIBUTES
from civicgraph.graph.frames import RESERVED_EDGE_KEYS, RESERVED_NODE_KEYS, GraphLike, as_frames, edge_items, node_items
from civicgraph.graph.store import canonical_json
from civicgraph.ontology.vocabulary import vocabulary


@dataclass(frozen=True)
class Batch:
    """One statement and its parameters."""

    cypher: str
    parameters: dict[str, Any]


def labels(kind: str) -> list[str]:
    """The Neo4j labels of a node kind: ``Entity``, its ancestors and itself, most general first.

    Examples
    --------
    >>> labels("CharitableIncorporatedOrganisation")
    ['Entity', 'Organisation', 'Charity', 'CharitableIncorporatedOrganisation']
    """
    vocab = vocabulary()
    ancestors = sorted(vocab.ancestors[kind], key=lambda k: len(vocab.ancestors[k]))
    return ["Entity", *ancestors]


def _property(value: Any) -> Any:
    if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
        return json.dumps(value, sort_keys=True)
    return value


def _with_hundredths(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` with :data:`core.amounts.HUNDREDTHS` beside an amount that has it."""
    exact = hundredths(properties.get("amount"))
    return properties if exact is None else {**properties, HUNDREDTHS: exact}


def constraint_statements(graph: GraphLike) -> list[str]:
    """Uniqueness constraints (which also index): one on ``Entity.id``.

    Examples
    --------
    >>> import networkx as nx
    >>> constraint_statements(nx.MultiDiGraph())
    ['CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE']
    """
    return ["CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"]


def node_batches(graph: GraphLike, *, batch_size: int = 5_000) -> Iterator[Batch]:
    """``UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n:Kind..., n += row.properties``, per kind.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> batch = next(node_batches(g))
    >>> batch.cypher
    'UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n:Organisation:Charity SET n += row.properties'
    >>> batch.parameters["rows"][0]["properties"]["name"]
    'A'
    """
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node, data in node_items(as_frames(graph)):
        properties = {k: _property(v) for k, v in data.items() if k not in RESERVED_NODE_KEYS and v is not None}
        properties.update(kind=data["kind"], provenance=canonical_json(data.get("provenance", [])))
        by_kind[data["kind"]].append({"id": node, "properties": _with_hundredths(properties)})
    for kind, rows in sorted(by_kind.items()):
        extra = ":".join(labels(kind)[1:])
        cypher = f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) SET n:{extra} SET n += row.properties"
        for start in range(0, len(rows), batch_size):
            yield Batch(cypher, {"rows": rows[start:start + batch_size]})


def relationship_batches(graph: GraphLike, *, batch_size: int = 5_000) -> Iterator[Batch]:
    """``UNWIND ... MATCH`` both ends ``MERGE (a)-[r:TYPE {key: row.key}]->(b) SET r += row.properties``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); _ = g.add_edge("a", "f", key="k1", relation="FUNDED_BY", amount=5.1, provenance=[])
    >>> properties = next(relationship_batches(g)).parameters["rows"][0]["properties"]
    >>> properties["amount"], properties["amount_hundredths"]
    (5.1, 510)
    """
    by_relation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source, target, key, data in edge_items(as_frames(graph)):
        properties = {k: _property(v) for k, v in data.items() if k not in RESERVED_EDGE_KEYS and v is not None}
        properties["provenance"] = canonical_json(data.get("provenance", []))
        by_relation[data["relation"]].append({"source": source, "target": target, "key": key,
                                              "properties": _with_hundredths(properties)})
    for relation, rows in sorted(by_relation.items()):
        vocabulary().check_relation(relation)
        cypher = ("UNWIND $rows AS row MATCH (a:Entity {id: row.source}) MATCH (b:Entity {id: row.target}) "
                  f"MERGE (a)-[r:{relation} {{key: row.key}}]->(b) SET r += row.properties")
        for start in range(0, len(rows), batch_size):
            yield Batch(cypher, {"rows": rows[start:start + batch_size]})


def push_to_neo4j(graph: GraphLike, uri: str, auth: tuple[str, str], *, database: str | None = None,
                  batch_size: int = 5_000, progress: bool = True, driver: Any = None) -> dict[str, int]:
    """Push the graph to a Neo4j server; pushing twice changes nothing.

    Parameters
    ----------
    uri : str
        ``neo4j://``, ``neo4j+s://``, ``bolt://`` or ``bolt+s://``.
    auth : (str, str)
        User and password.
    database : str, optional
        Neo4j database name (default: the server's default).
    driver : optional
        A driver to use instead of making one (for tests).

    Returns
    -------
    dict
        ``nodes`` and ``relationships`` sent, and ``batches``.

    Raises
    ------
    Neo4jPushError
        If the server cannot be reached or refuses the credentials.
    """
    try:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable
    except ImportError:  # an optional part: say how to get it
        raise Neo4jPushError("pushing to Neo4j needs the neo4j extra: pip install -e '.[neo4j]'") from None

    if not uri.startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")):
        raise Neo4jPushError(f"{uri!r} is not a Neo4j URI; use neo4j://host:7687 or bolt://host:7687")
    own_driver = driver is None
    driver = driver or GraphDatabase.driver(uri, auth=auth)
    sent = {"nodes": 0, "relationships": 0, "batches": 0}
    frames = as_frames(graph)
    batches = [*(("nodes", b) for b in node_batches(frames, batch_size=batch_size)),
               *(("relationships", b) for b in relationship_batches(frames, batch_size=batch_size))]
    try:
        driver.verify_connectivity()
        with driver.session(database=database) as session:
            for statement in constraint_statements(frames):
                session.run(statement).consume()
            for what, batch in tqdm(batches, desc="pushing to Neo4j", unit="batch", disable=not progress):
                session.execute_write(lambda tx, b=batch: tx.run(b.cypher, b.parameters).consume())
                sent[what] += len(batch.parameters["rows"])
                sent["batches"] += 1
    except AuthError as error:
        raise Neo4jPushError(f"{uri}: Neo4j refused the credentials for user {auth[0]!r} ({error.message})") from None
    except ServiceUnavailable as error:
        raise Neo4jPushError(f"{uri}: Neo4j could not be reached ({error})") from None
    finally:
        if own_driver:
            driver.close()
    return sent


def _header(key: str, values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if key in LIST_ATTRIBUTES:
        return f"{key}:string[]"
    if isinstance(sample, bool):
        return f"{key}:boolean"
    if isinstance(sample, int):
        return f"{key}:long"
    if isinstance(sample, float):
        return f"{key}:double"
    return key


def export_neo4j_import(graph: GraphLike, folder: str | Path) -> list[Path]:
    """Write CSV files for ``neo4j-admin database import full`` (one file per node kind and relation).

    Arrays use ``;`` (the tool's default array delimiter). Import with, for example::

        neo4j-admin database import full --nodes=nodes_Charity.csv ... --relationships=rels_FUNDED_BY.csv ...

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", latest_income=5.0, provenance=[])
    >>> [p.name for p in export_neo4j_import(g, Path(tempfile.mkdtemp()))]
    ['nodes_Charity.csv']
    >>> _ = g.add_edge("a", "a", relation="FUNDED_BY", amount=0.29, currency="GBP", provenance=[])
    >>> print(export_neo4j_import(g, Path(tempfile.mkdtemp()))[1].read_text().splitlines()[:2])
    [':START_ID(Entity),:END_ID(Entity),:TYPE,key,amount:double,amount_hundredths:long,currency,provenance', 'a,a,FUNDED_BY,0,0.29,29,GBP,[]']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = as_frames(graph)
    written = []
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for node, data in node_items(frames):
        by_kind[data["kind"]].append((node, _with_hundredths(data)))
    for kind, members in sorted(by_kind.items()):
        keys = sorted({k for _, d in members for k in d if k not in RESERVED_NODE_KEYS})
        path = folder / f"nodes_{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id:ID(Entity)", ":LABEL", *(_header(k, [d.get(k) for _, d in members]) for k in keys),
                             "provenance"])
            for node, data in members:
                writer.writerow([node, ";".join(labels(kind)),
                                 *(_csv_value(k, data.get(k)) for k in keys), canonical_json(data.get("provenance", []))])
        written.append(path)
    by_relation: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = defaultdict(list)
    for source, target, key, data in edge_items(frames):
        by_relation[data["relation"]].append((source, target, key, _with_hundredths(data)))
    for relation, edges in sorted(by_relation.items()):
        keys = sorted({k for *_, d in edges for k in d if k not in RESERVED_EDGE_KEYS})
        path = folder / f"rels_{relation}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "key",
                             *(_header(k, [d.get(k) for *_, d in edges]) for k in keys), "provenance"])
            for source, target, key, data in edges:
                writer.writerow([source, target, relation, key, *(_csv_value(k, data.get(k)) for k in keys),
                                 canonical_json(data.get("provenance", []))])
        written.append(path)
    return written


def _csv_value(key: str, value: Any) -> Any:
    if value is None:
        return ""
    if key in LIST_ATTRIBUTES and isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
