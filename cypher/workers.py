"""Query processes: each opens the database read-only, confines itself, and runs checked statements.

The endpoint never runs a query in its own process. A :class:`QueryPool` keeps a few worker
processes (started with ``spawn``, so no thread state is copied); a statement goes to an idle one
with a deadline that covers execution and writing the JSON answer. A worker that overruns is
killed and replaced, so a runaway query never holds the server. Each worker's engine uses one
thread, so a heavy query takes one core and a light one still gets a worker of its own.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

#: How the engine's first words in an error map to Neo4j's error codes.
ENGINE_ERRORS = (
    ("Parser exception", "Neo.ClientError.Statement.SyntaxError"),
    ("Binder exception", "Neo.ClientError.Statement.SemanticError"),
    ("Catalog exception", "Neo.ClientError.Statement.SemanticError"),
    ("Parameter", "Neo.ClientError.Statement.ParameterMissing"),
    ("Interrupted", "Neo.ClientError.Transaction.TransactionTimedOut"),
    ("Conversion exception", "Neo.ClientError.Statement.ArgumentError"),
    ("Overflow exception", "Neo.ClientError.Statement.ArithmeticError"),
    ("Runtime exception", "Neo.ClientError.Statement.ArgumentError"),
)


@dataclass(frozen=True)
class QueryLimits:
    """What one query may take.

    Attributes
    ----------
    timeout_s : float
        Seconds from dispatch to a finished JSON answer (execution and serialisation).
    max_rows : int
        Rows returned at most; more are cut with a notification.
    max_bytes : int
        Bytes of JSON returned at most; more are cut at a row boundary with a notification.
    """

    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 16 << 20


class QueryFailed(Exception):
    """A statement the engine refused or could not finish; ``code`` is Neo4j's error code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def engine_error(message: str) -> tuple[str, str]:
    """The Neo4j code and a one-line message for an engine error.

    Examples
    --------
    >>> engine_error("Binder exception: Table Foo does not exist.")
    ('Neo.ClientError.Statement.SemanticError', 'Binder exception: Table Foo does not exist.')
    """
    first = (message.splitlines() or [""])[0]
    for prefix, code in ENGINE_ERRORS:
        if first.startswith(prefix):
            return code, first
    return "Neo.ClientError.Statement.ExecutionFailed", first


def _answer(result: Any, typed_json: bool, limits: QueryLimits, deadline: float) -> bytes:
    from civicgraph.cypher.results import plain, typed

    convert = typed if typed_json else plain
    fields = result.get_column_names()
    rows: list[bytes] = []
    size, notice = 0, None
    while result.has_next():
        if time.monotonic() > deadline:
            raise QueryFailed("Neo.ClientError.Transaction.TransactionTimedOut",
                              f"timeout: the query and its answer took longer than {limits.timeout_s:g} s")
        if len(rows) == limits.max_rows:
            notice = f"only the first {limits.max_rows} rows are returned"
            break
        row = json.dumps([convert(v) for v in result.get_next()], ensure_ascii=False, allow_nan=False).encode()
        if size + len(row) > limits.max_bytes:
            notice = f"only the first {len(rows)} rows are returned: the answer is capped at {limits.max_bytes} bytes"
            break
        rows.append(row)
        size += len(row) + 1
    result.close()
    body = b'{"data":{"fields":' + json.dumps(fields).encode() + b',"values":[' + b",".join(rows) + b"]}"
    if notice:
        body += b',"notifications":' + json.dumps([{
            "code": "Neo.ClientNotification.Statement.ResultTruncated", "severity": "WARNING",
            "title": "The answer was cut", "description": notice}]).encode()
    return body + b',"bookmarks":[]}'


def _worker(connection: Connection, database: str, limits: QueryLimits, sandbox: bool) -> None:
    """A query process: open, confine, then answer requests until the pipe closes."""
    import ladybug
    from ladybug import _backend

    import civicgraph.cypher.results  # noqa: F401 - imported before the sandbox closes the filesystem
    from civicgraph.cypher.sandbox import enter_sandbox

    _backend.get_pybind_module()  # the engine's native library, loaded while files can still be read

    if sandbox:  # before the engine starts its threads, so that every one of them is confined
        enter_sandbox(Path(database).resolve().parent)
    engine = ladybug.Database(database, read_only=True, buffer_pool_size=256 << 20, max_num_threads=1)
    session = ladybug.Connection(engine, num_threads=1)
    session.set_query_timeout(int(limits.timeout_s * 1000))
    connection.send(("ready", os.getpid()))
    while True:
        try:
            statement, parameters, typed_json = connection.recv()
        except (EOFError, OSError):
            return
        deadline = time.monotonic() + limits.timeout_s
        try:
            result = session.execute(statement, parameters)
            connection.send(("ok", _answer(result, typed_json, limits, deadline)))
        except QueryFailed as error:
            connection.send(("error", error.code, str(error)))
        except RuntimeError as error:
            code, message = engine_error(str(error))
            if code.endswith("TransactionTimedOut"):
                message = f"timeout: the query ran past {limits.timeout_s:g} s and was stopped"
            connection.send(("error", code, message))
        except (TypeError, ValueError) as error:  # parameters the engine cannot bind
            connection.send(("error", "Neo.ClientError.Statement.ArgumentError", str(error).splitlines()[0]))


class _Worker:
    def __init__(self, context: Any, database: str, limits: QueryLimits, sandbox: bool) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, database, limits, sandbox), daemon=True)
        self.process.start()
        child.close()
        if not self.connection.poll(60) or self.connection.recv()[0] != "ready":
            self.stop()
            raise RuntimeError("a query process did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """Worker processes that run checked statements with a deadline; a queue in front, 503 when full.

    Parameters
    ----------
    database : Path
        The LadybugDB database file.
    limits : QueryLimits
        Time, row and byte limits per query.
    workers : int
        Query processes (each runs one query at a time).
    queue_length : int
        Requests that may wait for a worker; beyond that :meth:`run` refuses at once.
    sandbox : bool
        Confine each worker (:func:`cypher.sandbox.enter_sandbox`).

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> from civicgraph.cypher.store import write_database
    >>> g = nx.MultiDiGraph(); g.add_node("w", kind="Ward", name="Hanworth", provenance=[])
    >>> db = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> pool = QueryPool(db, QueryLimits(timeout_s=5), workers=1, sandbox=False)
    >>> pool.run("MATCH (w:`Ward`) RETURN w.name", {})
    b'{"data":{"fields":["w.name"],"values":[["Hanworth"]]},"bookmarks":[]}'
    >>> pool.close()
    """

    def __init__(self, database: Path, limits: QueryLimits, *, workers: int = 3, queue_length: int = 32,
                 sandbox: bool = True) -> None:
        self.database, self.limits, self.sandbox = str(database), limits, sandbox
        self.queue_length = queue_length
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self._started: list[_Worker] = []
        for _ in range(workers):
            self._idle.put(self._start())
        self.workers = workers

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.database, self.limits, self.sandbox)
        with self._lock:
            self._started = [w for w in self._started if w.process.is_alive()] + [worker]
        return worker

    def run(self, statement: str, parameters: dict[str, Any], *, typed_json: bool = False) -> bytes:
        """The JSON answer to a checked statement, or :class:`QueryFailed`.

        Blocks while every worker is busy, for at most the query timeout; refuses at once (HTTP 503)
        when ``queue_length`` requests are already waiting.
        """
        with self._lock:
            if self._closed:
                raise QueryFailed("Neo.TransientError.General.DatabaseUnavailable", "the endpoint is shutting down", 503)
            if self._waiting >= self.queue_length + self.workers:
                raise QueryFailed("Neo.TransientError.Request.NoThreadsAvailable",
                                  "every query process is busy and the queue is full: try again shortly", 503)
            self._waiting += 1
        try:
            try:
                worker = self._idle.get(timeout=self.limits.timeout_s)
            except queue.Empty:
                raise QueryFailed("Neo.TransientError.Request.NoThreadsAvailable",
                                  f"no query process was free within {self.limits.timeout_s:g} s: try again shortly",
                                  503) from None
            return self._dispatch(worker, statement, parameters, typed_json)
        finally:
            with self._lock:
                self._waiting -= 1

    def _dispatch(self, worker: _Worker, statement: str, parameters: dict[str, Any], typed_json: bool) -> bytes:
        healthy = False
        try:
            worker.connection.send((statement, parameters, typed_json))
            # the worker's own deadline fires first; this one catches a worker stuck inside the engine
            if not worker.connection.poll(self.limits.timeout_s + 0.5):
                raise QueryFailed("Neo.ClientError.Transaction.TransactionTimedOut",
                                  f"timeout: the query ran past {self.limits.timeout_s:g} s and was stopped")
            reply = worker.connection.recv()
            healthy = True
        except (EOFError, OSError, BrokenPipeError):
            raise QueryFailed("Neo.DatabaseError.General.UnknownError", "the query process stopped unexpectedly",
                              500) from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                worker.stop()
                self._replace()
        if reply[0] == "ok":
            return reply[1]
        raise QueryFailed(reply[1], reply[2])

    def _replace(self) -> None:
        """Start a worker in place of a stopped one, in the background: the failed request answers now."""
        def start() -> None:
            if not self._closed:
                self._idle.put(self._start())

        threading.Thread(target=start, daemon=True).start()

    def close(self) -> None:
        """Stop every worker, busy or idle."""
        with self._lock:
            self._closed = True
            started, self._started = self._started, []
        for worker in started:
            worker.stop()
