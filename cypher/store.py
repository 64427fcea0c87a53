"""Build the embedded Cypher database (LadybugDB) from a graph, atomically."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

import ladybug
import pandas as pd

from civicgraph.analysis.network import datasets
from civicgraph.core.amounts import HUNDREDTHS, hundredths
from civicgraph.core.beside import Beside, run_here
from civicgraph.core.errors import CypherStoreError
from civicgraph.cypher.schema import JSON_ATTRIBUTES, Schema, schema_of
from civicgraph.graph.frames import GraphFrames, GraphLike, as_frames, edge_items, node_items
from civicgraph.graph.store import atomic_directory, canonical_json

DATABASE_FILE = "graph.lbug"


def _cell(key: str, data: dict[str, Any]) -> Any:
    if key == HUNDREDTHS:
        return hundredths(data.get("amount"))
    value = data.get(key)
    if key in JSON_ATTRIBUTES and value is not None:
        return json.dumps(value)
    return value


def write_database(graph: GraphLike, folder: str | Path, *, beside: Beside | None = None) -> Path:
    """Write ``graph`` (its tables, or a networkx graph read through them) as a LadybugDB database
    in ``folder`` (replaced only when complete).

    A write that fails (a full disk, a file size limit) raises :class:`CypherStoreError` in one line
    and leaves ``folder`` as it was: no half-written database. LadybugDB ends the whole process
    (C++ ``terminate``) when it closes a database whose log could not be written; given ``beside``
    that runs the write in another process (see :mod:`civicgraph.core.beside`: the pipeline and the
    command line pass one), that failure too is a :class:`CypherStoreError`.

    Returns
    -------
    Path
        The database file inside ``folder``.

    Raises
    ------
    CypherStoreError
        The database could not be written; the message names ``folder`` and the reason.

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> path = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> conn = ladybug.Connection(ladybug.Database(path, read_only=True))
    >>> conn.execute("MATCH (c:Charity) RETURN c.name").get_all()
    [['A']]

    Amounts also go in as whole hundredths of their currency, which sum exactly:

    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=0.1, currency="GBP", provenance=[])
    >>> _ = g.add_edge("a", "f", relation="FUNDED_BY", amount=0.2, currency="GBP", provenance=[])
    >>> g.nodes["f"].update(kind="Funder", provenance=[])
    >>> path = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> conn = ladybug.Connection(ladybug.Database(path, read_only=True))
    >>> conn.execute("MATCH ()-[r:FUNDED_BY]->() RETURN sum(r.amount), sum(r.amount_hundredths) / 100.0").get_all()
    [[0.30000000000000004, 0.3]]
    """
    folder = Path(folder)
    with atomic_directory(folder) as staging, tempfile.TemporaryFile() as log:
        try:
            # the tables without what was derived from them: all a helper started afresh is sent
            tables = dataclasses.replace(as_frames(graph))
            (beside or run_here)(_write, tables, staging / DATABASE_FILE, log, os.getpid())()
        except RuntimeError as error:
            raise CypherStoreError(f"{folder}: the Cypher database could not be written, nothing was kept: "
                                   f"{_reason(error, log, staging)}") from error
    return folder / DATABASE_FILE


def _write(frames: GraphFrames, path: Path, log: IO[bytes], asker: int) -> None:
    """Write the database file. In another process than the ``asker``'s (a helper that dies instead
    of the build if LadybugDB aborts), LadybugDB's complaints go to ``log`` rather than the console."""
    if os.getpid() != asker:  # the process's own stderr (2), where C++ writes: a notebook's sys.stderr has no fileno
        os.dup2(log.fileno(), 2)
    schema = schema_of(frames)
    database = ladybug.Database(path)
    connection = ladybug.Connection(database)
    for statement in schema.statements():
        connection.execute(statement)
    _copy_nodes(connection, frames, schema)
    _copy_edges(connection, frames, schema)
    connection.close()
    database.close()  # the last checkpoint: a failure here is a failure to write


def _reason(error: RuntimeError, log: IO[bytes], staging: Path) -> str:
    """What went wrong, in one line. LadybugDB reports a failed write as "Transaction committed
    successfully, but the post-commit checkpoint failed ..." with a stale errno, or dies; the file
    system tells whether it is full."""
    log.seek(0)
    text = " ".join(f"{error} {log.read()[-4096:].decode(errors='replace')}".split())
    if "Cannot write to file" not in text and "IO exception" not in text:
        return text.split(". ")[0]
    try:
        free = shutil.disk_usage(staging.parent).free
    except OSError:
        free = None
    if free is not None and free < 64 << 20:
        return f"no space left on the device ({free >> 20} MiB free)"
    return "a write to the database file failed (the disk is full or a file size limit was reached)"


def _copy_nodes(connection: ladybug.Connection, frames: GraphFrames, schema: Schema) -> None:
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in schema.nodes}
    for node, data in node_items(frames):
        keys = schema.nodes[data["kind"]]
        rows[data["kind"]].append({"id": node, **{k: _cell(k, data) for k in keys},
                                   "sources": datasets(data), "provenance": canonical_json(data["provenance"])})
    for kind, records in rows.items():
        frame = pd.DataFrame(records, columns=["id", *schema.nodes[kind], "sources", "provenance"])  # noqa: F841 - COPY reads it by name
        connection.execute(f"COPY {kind} FROM frame")


def _copy_edges(connection: ladybug.Connection, frames: GraphFrames, schema: Schema) -> None:
    kind_of = dict(zip(frames.nodes["id"].astype(object).tolist(), frames.nodes["kind"].astype(object).tolist()))
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for source, target, key, data in edge_items(frames):
        relation = data["relation"]
        pair = (relation, kind_of[source], kind_of[target])
        keys = schema.relations[relation][1]
        rows.setdefault(pair, []).append({"from": source, "to": target, "key": key,
                                          **{k: _cell(k, data) for k in keys},
                                          "provenance": canonical_json(data["provenance"])})
    for (relation, source_kind, target_kind), records in rows.items():
        keys = schema.relations[relation][1]
        frame = pd.DataFrame(records, columns=["from", "to", "key", *keys, "provenance"])  # noqa: F841 - COPY reads it by name
        pairs = schema.relations[relation][0]
        option = f" (from='{source_kind}', to='{target_kind}')" if len(pairs) > 1 else ""
        connection.execute(f"COPY {relation} FROM frame{option}")
