"""A read-only Cypher endpoint on the embedded database that speaks Neo4j's Query API.

``POST /db/{name}/query/v2`` with ``{"statement": "...", "parameters": {...}}`` answers ``202`` with
``{"data": {"fields": [...], "values": [[...]]}, "bookmarks": []}`` as Neo4j does; ``Accept:
application/vnd.neo4j.query`` asks for typed JSON, and the same ``Content-Type`` sends typed
parameters. Clients authenticate with ``Authorization: Bearer <token>`` or ``Basic`` (any user
name, the token as password). ``GET /`` is a console that draws results as a small graph.

Safety, in layers:

1. a statement runs only if the read-only grammar derives it, and the engine runs a canonical
   rewrite of it, never the client's text (:mod:`cypher.statement`);
2. it runs in a separate process that has opened the database read-only and is confined to reading
   the database's folder, with no network and no exec (:mod:`cypher.sandbox`, :mod:`cypher.workers`);
3. every query has a deadline that covers writing its answer, caps on rows and bytes, and a bounded
   queue (503 when full);
4. the HTTP server (Starlette on Uvicorn) caps request bodies and headers, times out slow clients,
   always answers with a JSON error body, and listens on loopback unless told otherwise; it refuses
   a non-loopback address where the sandbox is not in force unless explicitly allowed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import ipaddress
import json
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

import anyio
import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from civicgraph.core.errors import EndpointError
from civicgraph.cypher.queries import library_examples
from civicgraph.cypher.results import PLAIN, TYPED, ParameterError, read_typed_parameter
from civicgraph.cypher.sandbox import sandbox_support
from civicgraph.cypher.statement import StatementRefused, check_statement
from civicgraph.cypher.workers import QueryFailed, QueryLimits, QueryPool

CONSOLE = Path(__file__).with_name("console.html")
MAX_BODY_BYTES = 1 << 20
MAX_HEADER_BYTES = 16 << 10
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0
MIN_TOKEN_CHARS = 8


@dataclass(frozen=True)
class EndpointSettings:
    """How the endpoint runs.

    Attributes
    ----------
    database : Path
        The LadybugDB database file (see :func:`cypher.store.write_database`).
    token : str
        The token clients must send (``Bearer``, or as the ``Basic`` password): at least
        eight characters, no spaces.
    timeout_ms : int
        Longest a query may take, answer included, in milliseconds.
    max_rows : int
        Most rows returned; more are cut and the response says so.
    max_bytes : int
        Most bytes of rows returned; more are cut at a row and the response says so.
    name : str
        The database name in the URL (``/db/{name}/query/v2``).
    workers : int
        Query processes, each running one query at a time.
    queue_length : int
        Requests that may wait for a query process before the endpoint answers 503.
    sandbox : bool
        Confine query processes (on by default; off only for platforms without Landlock/seccomp).
    """

    database: Path
    token: str
    timeout_ms: int = 10_000
    max_rows: int = 10_000
    max_bytes: int = 16 << 20
    name: str = "ecosystem"
    workers: int = 3
    queue_length: int = 32
    sandbox: bool = True

    def limits(self) -> QueryLimits:
        """The per-query limits these settings give."""
        return QueryLimits(timeout_s=self.timeout_ms / 1000, max_rows=self.max_rows, max_bytes=self.max_bytes)


def check_token(token: str) -> str:
    """The token if it is usable; :class:`EndpointError` otherwise.

    Examples
    --------
    >>> check_token("a-long-token")
    'a-long-token'
    >>> check_token("   ")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.EndpointError: the token must be at least 8 characters without spaces or control characters
    """
    if (not isinstance(token, str) or len(token) < MIN_TOKEN_CHARS
            or any(c.isspace() or ord(c) < 32 for c in token) or not token.isprintable()):
        raise EndpointError(f"the token must be at least {MIN_TOKEN_CHARS} characters without spaces or control characters")
    return token


def new_token() -> str:
    """A random token for a session that did not set one."""
    return secrets.token_urlsafe(24)


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message}]}).encode()


def _error(status: int, code: str, message: str) -> Response:
    return Response(_error_body(code, message), status_code=status, media_type=PLAIN,
                    headers={"X-Content-Type-Options": "nosniff"})


def _authorised(header: str, token: str) -> bool:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        given = credentials
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    else:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def label_expander(tables: Iterable[str]) -> Callable[[str], list[str]]:
    """Maps a label to the node tables it matches: itself, or the existing tables of its subclasses.

    Examples
    --------
    >>> expand = label_expander({"Charity", "FaithGroup", "Ward"})
    >>> sorted(expand("Organisation"))
    ['Charity', 'FaithGroup']
    >>> sorted(label_expander({"Organisation", "Charity"})("Organisation"))
    ['Charity', 'Organisation']
    >>> expand("Ward"), expand("Nowhere")
    (['Ward'], ['Nowhere'])
    """
    from civicgraph.ontology.vocabulary import vocabulary

    existing = set(tables)
    vocab = vocabulary()

    def expand(label: str) -> list[str]:
        try:
            below = [kind for kind in vocab.kinds_under(label) if kind in existing and kind != label]
        except (KeyError, ValueError):
            below = []
        return ([label] if label in existing or not below else []) + below

    return expand


def _tables(database: Path) -> list[tuple[str, str]]:
    """The database's (table name, NODE or REL) pairs, read once with the row cap out of the way."""
    import ladybug

    engine = ladybug.Database(database, read_only=True, buffer_pool_size=64 << 20, max_num_threads=1)
    try:
        session = ladybug.Connection(engine, num_threads=1)
        rows = session.execute("CALL show_tables() RETURN name, type").get_all()
        session.close()
    finally:
        engine.close()
    return [(str(name), str(kind)) for name, kind in rows]


class CypherService:
    """Checks statements and runs them on a pool of confined query processes."""

    def __init__(self, settings: EndpointSettings) -> None:
        check_token(settings.token)
        self.settings = settings
        self.pool = QueryPool(Path(settings.database), settings.limits(), workers=settings.workers,
                              queue_length=settings.queue_length, sandbox=settings.sandbox)
        tables = _tables(Path(settings.database))
        self.node_tables = sorted(name for name, kind in tables if kind == "NODE")
        self.relationship_tables = sorted(name for name, kind in tables if kind == "REL")
        self.expand = label_expander(self.node_tables)
        self.examples = library_examples(set(self.node_tables), set(self.relationship_tables))
        check_statement("RETURN 1")  # builds the parser now rather than on the first request

    def run(self, statement: str, parameters: dict[str, Any], *, typed_json: bool = False) -> bytes:
        """The Query API answer to a statement, as JSON bytes.

        Raises
        ------
        StatementRefused
            The statement is outside the read-only grammar or names a refused function.
        QueryFailed
            The engine refused it, it overran its time, or every query process is busy.
        """
        checked = check_statement(statement, expand_label=self.expand)
        missing = sorted(checked.parameters.keys() - parameters.keys())
        if missing:
            raise QueryFailed("Neo.ClientError.Statement.ParameterMissing",
                              f"expected parameter(s): {', '.join('$' + name for name in missing)}")
        return self.pool.run(checked.text, checked.bind(parameters), typed_json=typed_json)

    def close(self) -> None:
        """Stop the query processes."""
        self.pool.close()


def _console(settings: EndpointSettings, service: CypherService) -> bytes:
    page = CONSOLE.read_text(encoding="utf-8")
    config = {"path": f"/db/{settings.name}/query/v2", "examples": [list(e) for e in service.examples],
              "nodeTables": service.node_tables, "relationshipTables": service.relationship_tables}
    # inside <script>: no "</" or "<!--" can close or confuse the element
    embedded = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return page.replace("{{CONFIG}}", embedded).encode()


def create_app(service: CypherService) -> Callable[..., Any]:
    """The ASGI application for one service.

    Examples
    --------
    >>> create_app  # doctest: +ELLIPSIS
    <function create_app at ...>
    """
    settings = service.settings
    page = _console(settings, service)
    limiter = anyio.CapacityLimiter(settings.workers + settings.queue_length + 4)

    async def console(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers={
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                       "connect-src 'self'; img-src data:"})

    async def query(request: Request) -> Response:
        if request.path_params["name"] != settings.name:
            return _error(404, "Neo.ClientError.Database.DatabaseNotFound",
                          f"no database named {request.path_params['name']!r}; this endpoint serves {settings.name!r}")
        if not _authorised(request.headers.get("authorization", ""), settings.token):
            return _error(401, "Neo.ClientError.Security.Unauthorized",
                          "send 'Authorization: Bearer <token>' or Basic credentials with the token as password")
        body = await _read_body(request)
        if isinstance(body, Response):
            return body
        typed_in = TYPED in request.headers.get("content-type", "")
        typed_out = TYPED in request.headers.get("accept", "")
        try:
            request_json = json.loads(body, parse_constant=_no_constants)
            statement, parameters = request_json["statement"], request_json.get("parameters") or {}
            if not isinstance(statement, str) or not isinstance(parameters, dict):
                raise TypeError
            if typed_in:
                parameters = {name: read_typed_parameter(name, value) for name, value in parameters.items()}
        except ParameterError as error:
            return _error(400, "Neo.ClientError.Request.Invalid", str(error))
        except (ValueError, KeyError, TypeError, RecursionError):
            return _error(400, "Neo.ClientError.Request.Invalid",
                          'send a JSON object: {"statement": "...", "parameters": {...}}')
        try:
            answer = await anyio.to_thread.run_sync(partial(service.run, statement, parameters, typed_json=typed_out),
                                                    limiter=limiter)
        except StatementRefused as error:
            status = 403 if error.code.endswith("Forbidden") else 400
            return _error(status, error.code, str(error))
        except QueryFailed as error:
            return _error(error.status, error.code, str(error))
        return Response(answer, status_code=202, media_type=TYPED if typed_out else PLAIN,
                        headers={"X-Content-Type-Options": "nosniff"})

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(404, "Neo.ClientError.Request.Invalid", f"nothing at {request.method} {request.url.path}")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return _error(405, "Neo.ClientError.Request.Invalid", f"{request.method} is not allowed on {request.url.path}")

    async def failed(request: Request, exc: Exception) -> Response:
        return _error(500, "Neo.DatabaseError.General.UnknownError", "the endpoint failed; the query was not answered")

    app = Starlette(routes=[Route("/", console, methods=["GET"]),
                            Route("/db/{name}/query/v2", query, methods=["POST"])],
                    exception_handlers={404: not_found, 405: not_allowed, 500: failed, Exception: failed})
    return _HeaderLimit(app)


class _HeaderLimit:
    """Refuses (431) a request whose headers together exceed ``MAX_HEADER_BYTES``, before any route sees it."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http" and sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > MAX_HEADER_BYTES:
            response = _error(431, "Neo.ClientError.Request.Invalid",
                              f"the request headers are larger than {MAX_HEADER_BYTES} bytes")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_body(request: Request) -> bytes | Response:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return _error(413, "Neo.ClientError.Request.Invalid", f"the request body is larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    try:
        with anyio.fail_after(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    return _error(413, "Neo.ClientError.Request.Invalid",
                                  f"the request body is larger than {MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
    except TimeoutError:
        return _error(408, "Neo.ClientError.Request.Invalid", f"the request body took longer than {BODY_TIMEOUT_S:g} s")
    except ClientDisconnect:
        return _error(400, "Neo.ClientError.Request.Invalid", "the client went away")
    return b"".join(chunks)


class _Protocol(H11Protocol):
    """Uvicorn's HTTP/1.1 protocol with a deadline for request headers and JSON bodies on its own errors."""

    header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        self.header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self._send_error(408, "Neo.ClientError.Request.Invalid",
                             f"the request headers took longer than {HEADER_TIMEOUT_S:g} s")

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._send_error(400, "Neo.ClientError.Request.Invalid", f"malformed HTTP request: {msg}")

    def _send_error(self, status: int, code: str, message: str) -> None:
        body = _error_body(code, message)
        try:
            if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                headers = [(b"content-type", PLAIN.encode()), (b"connection", b"close"),
                           (b"content-length", str(len(body)).encode())]
                reason = HTTPStatus(status).phrase.encode()
                self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers, reason=reason)))
                self.transport.write(self.conn.send(h11.Data(data=body)))
                self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:
            pass
        self.transport.close()


def is_loopback(host: str) -> bool:
    """Whether a listen address is loopback only.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("::1")
    (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint:
    """A running endpoint: :meth:`serve_forever` in this thread, or :meth:`start` in a background one.

    Examples
    --------
    >>> import tempfile, networkx as nx, requests
    >>> from civicgraph.cypher.store import write_database
    >>> g = nx.MultiDiGraph(); g.add_node("a", kind="Charity", name="A", provenance=[])
    >>> db = write_database(g, Path(tempfile.mkdtemp()) / "cypher")
    >>> endpoint = serve(EndpointSettings(db, token="a-long-token", workers=1, sandbox=False), port=0).start()
    >>> reply = requests.post(f"{endpoint.url}/db/ecosystem/query/v2", json={"statement": "MATCH (c:Charity) RETURN c.name"},
    ...                       headers={"Authorization": "Bearer a-long-token"})
    >>> reply.status_code, reply.json()["data"]["values"]
    (202, [['A']])
    >>> endpoint.stop()
    """

    def __init__(self, service: CypherService, listener: socket.socket) -> None:
        self.service, self.listener = service, listener
        self.host, self.port = listener.getsockname()[:2]
        config = uvicorn.Config(create_app(service), http=_Protocol, lifespan="off", log_level="warning",
                                access_log=False, timeout_keep_alive=5, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                                limit_concurrency=4096, backlog=2048, server_header=False)
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base address, e.g. ``http://127.0.0.1:7474``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until interrupted; then stop the query processes."""
        try:
            self.server.run(sockets=[self.listener])
        finally:
            self.service.close()

    def start(self) -> Endpoint:
        """Serve from a background thread; returns once requests are answered."""
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.listener]}, daemon=True)
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise EndpointError("the endpoint did not start")
            self._thread.join(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and stop the query processes."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.listener.close()
        self.service.close()


def serve(settings: EndpointSettings, *, host: str = "127.0.0.1", port: int = 7474,
          allow_unsandboxed: bool = False) -> Endpoint:
    """Open the listening socket and start the query processes; the caller starts serving.

    Parameters
    ----------
    settings : EndpointSettings
    host : str
        Listen address; loopback by default.
    port : int
        0 picks a free port (see ``Endpoint.port``).
    allow_unsandboxed : bool
        Listen beyond loopback even where query processes cannot be confined.

    Raises
    ------
    EndpointError
        A bad token, or a non-loopback address without the sandbox and without ``allow_unsandboxed``.
    """
    check_token(settings.token)
    support = sandbox_support()
    if settings.sandbox and not support.available:
        if not is_loopback(host) and not allow_unsandboxed:
            raise EndpointError(f"query processes cannot be confined here ({support.reason}); listen on loopback, "
                                "or pass --allow-unsandboxed to listen on another address anyway")
        settings = EndpointSettings(**{**settings.__dict__, "sandbox": False})
    elif not settings.sandbox and not is_loopback(host) and not allow_unsandboxed:
        raise EndpointError("the sandbox is off: listen on loopback, or pass --allow-unsandboxed")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise EndpointError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(2048)
    try:
        service = CypherService(settings)
    except BaseException:
        listener.close()
        raise
    return Endpoint(service, listener)
