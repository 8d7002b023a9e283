"""The few places where fakeauth0 reaches into werkzeug's internals, for speed, in one module.

Each shortcut does exactly what a public werkzeug call does, minus generic work that the
benchmarks (``make bench``) showed to be a measurable share of a cheap request. Which way is
used is chosen once, at import: the shortcuts only when this is werkzeug 3 and its internals
look as they did when the shortcuts were written; the public API otherwise (a werkzeug 4, or
``FAKEAUTH0_PORTABLE=1``, which the test suite runs to keep the public path working).
"""

from __future__ import annotations

import inspect
import os
import socket
import socketserver
from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, make_server
from werkzeug.wrappers import Response

#: ``BaseWSGIServer.__init__``'s parameters in werkzeug 3, which ``_BoundServer`` stands for.
_SERVER_PARAMETERS = [
    "self",
    "host",
    "port",
    "app",
    "handler",
    "passthrough_errors",
    "ssl_context",
    "fd",
]


def _werkzeug_3_internals() -> bool:
    """Whether werkzeug's internals are shaped as the shortcuts expect (probed, not read from
    the version: ``importlib.metadata`` would cost a cold start ~30 ms)."""
    if os.environ.get("FAKEAUTH0_PORTABLE"):
        return False
    headers = Headers([("A", "1")])
    response = Response(b"")
    return (
        getattr(headers, "_list", None) == [("A", "1")]
        and isinstance(getattr(response, "_on_close", None), list)
        and list(inspect.signature(BaseWSGIServer.__init__).parameters) == _SERVER_PARAMETERS
    )


#: True: the shortcuts below are in use; False: werkzeug's public API only.
SHORTCUTS = _werkzeug_3_internals()


class _PassthroughResponse(Response):
    """A response whose body is a list of bytes we made: answered without werkzeug's
    per-request header fix-ups (a copy of every header, Location rewriting)."""

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        start_response(self.status, self.headers.to_wsgi_list())
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return self.response  # type: ignore[return-value]  (a list of bytes)


def _public_body_response(status: int, data: bytes, content_type: str) -> Response:
    return Response(data, status=status, content_type=content_type)


def _direct_body_response(status: int, data: bytes, content_type: str) -> Response:
    response = _PassthroughResponse.__new__(_PassthroughResponse)
    response.headers = headers = Headers()
    # Values we made (no line breaks): werkzeug's per-value check is moot.
    headers._list = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    response.status = status
    response.direct_passthrough = False
    response._on_close = []
    response.response = [data]
    return response


def _public_has_header(headers: Headers, name: str) -> bool:
    return name in headers


def _direct_has_header(headers: Headers, name: str) -> bool:
    return any(key.lower() == name for key, _ in headers._list)


def _public_add_headers(headers: Headers, items: Iterable[tuple[str, str]]) -> None:
    headers.extend(items)


def _direct_add_headers(headers: Headers, items: Iterable[tuple[str, str]]) -> None:
    headers._list.extend(items)


#: ``Response(data, status=status, content_type=content_type)``, with the same headers in the
#: same order; the shortcut skips ``Response.__init__``'s generic argument handling.
body_response = _direct_body_response if SHORTCUTS else _public_body_response
#: ``name in headers`` (``name`` in lower case). werkzeug answers a miss by raising and
#: catching a ``BadRequestKeyError``, which costs more than the shortcut's scan.
has_header = _direct_has_header if SHORTCUTS else _public_has_header
#: ``headers.extend(items)``, for values we formatted (numbers): the shortcut skips the
#: line-break check.
add_headers = _direct_add_headers if SHORTCUTS else _public_add_headers


class _BoundServer(ThreadedWSGIServer):
    """werkzeug's threaded server on a socket already bound, set up as ``make_server(...,
    threaded=True, fd=...)`` does, minus two look-ups: werkzeug's version through
    ``importlib.metadata`` (for a ``Server`` header the handler replaces; ~30 ms of a cold start)
    and ``getaddrinfo`` on an address already bound."""

    def __init__(self, host: str, listener: socket.socket, app: Any, handler: type) -> None:
        self.host = host
        self.app = app
        self.passthrough_errors = False
        self.address_family = listener.family
        self.ssl_context = None
        self._server_version = getattr(handler, "server_version", "fakeauth0")
        socketserver.BaseServer.__init__(self, listener.getsockname(), handler)
        self.socket = socket.fromfd(listener.fileno(), listener.family, socket.SOCK_STREAM)
        self.server_address = self.socket.getsockname()
        self.port = self.server_address[1]


def threaded_server(host: str, listener: socket.socket, app: Any, handler: type) -> BaseWSGIServer:
    """A threaded WSGI server on ``listener`` (bound and listening), its requests handled by
    ``handler``; the caller closes ``listener`` (the server holds its own copy)."""
    if SHORTCUTS:
        return _BoundServer(host, listener, app, handler)
    port = listener.getsockname()[1]
    # werkzeug duplicates the descriptor (``socket.fromfd``).
    return make_server(
        host, port, app, threaded=True, request_handler=handler, fd=listener.fileno()
    )
