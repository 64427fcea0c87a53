"""A read-only HTTP Cypher endpoint on the embedded database, shaped like Neo4j's Query API.

``POST /db/{name}/query/v2`` with ``{"statement": "...", "parameters": {...}}`` and the header
``Authorization: Bearer <token>`` returns ``{"data": {"fields": [...], "values": [[...]]}}``, as
Neo4j's Query API does, so existing tools adapt easily. ``GET /`` is a small console page.

Safety, in layers: the database is opened read-only; write clauses, procedure calls and file access
are refused before execution (:mod:`cypher.guard`); every query has a timeout and a row cap; a
token is required; the server listens on loopback unless told otherwise.
"""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import ladybug

from cypher.guard import StatementRefused, check_read_only

CONSOLE = Path(__file__).with_name("console.html")
MAX_BODY_BYTES = 1 << 20


@dataclass(frozen=True)
class EndpointSettings:
    """How the endpoint runs.

    Attributes
    ----------
    database : Path
        The LadybugDB database file (see :func:`cypher.store.write_database`).
    token : str
        The bearer token clients must send.
    timeout_ms : int
        Longest a query may run, in milliseconds.
    max_rows : int
        Most rows returned; more are cut and the response says so.
    name : str
        The database name in the URL (``/db/{name}/query/v2``).
    """

    database: Path
    token: str
    timeout_ms: int = 10_000
    max_rows: int = 10_000
    name: str = "ecosystem"


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class CypherService:
    """Runs read-only statements against one database with a timeout and a row cap."""

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.database = ladybug.Database(settings.database, read_only=True)
        self._local = threading.local()

    def _connection(self) -> ladybug.Connection:
        if not hasattr(self._local, "connection"):
            connection = ladybug.Connection(self.database)
            connection.set_query_timeout(self.settings.timeout_ms)
            self._local.connection = connection
        return self._local.connection

    def run(self, statement: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one statement; the Query API's response body.

        Raises
        ------
        StatementRefused
            For a statement that would write, call a procedure or reach a file.
        RuntimeError
            For a statement the database rejects or that runs past the timeout.
        """
        check_read_only(statement)
        try:
            result = self._connection().execute(statement, parameters or {})
        except RuntimeError as error:
            message = str(error).splitlines()[0]
            if "interrupt" in message.lower():  # how the database reports its query timeout
                message = f"timeout: the query ran past {self.settings.timeout_ms / 1000:g} s and was stopped"
            raise RuntimeError(message) from None
        fields = result.get_column_names()
        values, truncated = [], False
        while result.has_next():
            if len(values) == self.settings.max_rows:
                truncated = True
                break
            values.append([_json_value(v) for v in result.get_next()])
        result.close()
        body: dict[str, Any] = {"data": {"fields": fields, "values": values}, "bookmarks": []}
        if truncated:
            body["notifications"] = [{"code": "Ecosystem.ClientNotification.RowCap",
                                      "description": f"only the first {self.settings.max_rows} rows are returned"}]
        return body


def _error(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


def make_handler(service: CypherService) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to one service."""
    path = f"/db/{service.settings.name}/query/v2"

    class Handler(BaseHTTPRequestHandler):
        server_version = "civicgraph-cypher"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server API
            pass

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path in ("/", "/index.html"):
                page = CONSOLE.read_text(encoding="utf-8").replace("{{QUERY_PATH}}", path)
                self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
            else:
                self._json(HTTPStatus.NOT_FOUND, _error("Neo.ClientError.Request.Invalid", f"no page at {self.path}"))

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            if self.path != path:
                self._json(HTTPStatus.NOT_FOUND, _error("Neo.ClientError.Request.Invalid", f"POST to {path}"))
                return
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {service.settings.token}".encode()):
                self._json(HTTPStatus.UNAUTHORIZED, _error("Neo.ClientError.Security.Unauthorized",
                                                           "a valid 'Authorization: Bearer <token>' header is required"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error("Neo.ClientError.Request.Invalid", "body too large"))
                return
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
                statement, parameters = request["statement"], request.get("parameters") or {}
                if not isinstance(statement, str) or not isinstance(parameters, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                self._json(HTTPStatus.BAD_REQUEST, _error("Neo.ClientError.Request.Invalid",
                                                          'send JSON: {"statement": "...", "parameters": {...}}'))
                return
            try:
                self._json(HTTPStatus.OK, service.run(statement, parameters))
            except StatementRefused as error:
                self._json(HTTPStatus.FORBIDDEN, _error("Neo.ClientError.Security.Forbidden", str(error)))
            except RuntimeError as error:
                code = ("Neo.ClientError.Transaction.TransactionTimedOut" if str(error).startswith("timeout")
                        else "Neo.ClientError.Statement.SyntaxError")
                self._json(HTTPStatus.BAD_REQUEST, _error(code, str(error)))

    return Handler


def serve(settings: EndpointSettings, *, host: str = "127.0.0.1", port: int = 7474) -> ThreadingHTTPServer:
    """Start the endpoint (on loopback by default); the caller runs ``serve_forever()``.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> from cypher.store import write_database
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> db = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> server = serve(EndpointSettings(db, token="t"), port=0)
    >>> server.server_address[0]
    '127.0.0.1'
    >>> server.server_close()
    """
    if not settings.token:
        raise ValueError("the endpoint needs a token: clients send it as 'Authorization: Bearer <token>'")
    return ThreadingHTTPServer((host, port), make_handler(CypherService(settings)))
