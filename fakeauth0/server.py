"""The standalone server: werkzeug's threaded WSGI server around one or more tenants.

HTTP/1.1 with keep-alive, a thread per connection, optional TLS from a local CA (trustme), and
optional durable state (:mod:`fakeauth0.store`). Usable from Python (``FakeAuth0Server``) and
from ``fakeauth0 serve``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from .errors import FakeMsg
from .http import fast
from .http.bodies import MAX_BODY
from .http.hosts import HostRouter
from .registry import TenantRegistry
from .store import StateStore
from .tenant import Tenant

log = logging.getLogger("fakeauth0.server")
access_log = logging.getLogger("fakeauth0.access")
LOOPBACK = "127.0.0.1"
#: Unread body bytes the server reads and drops after answering (a body the app refused, a
#: little over Auth0's limit or not read at all), so the client, still sending, gets to read
#: the answer; a longer body is never read: the connection closes. Read in 64 KB pieces and
#: dropped, never held.
_DRAIN_LIMIT = 8 * MAX_BODY
_LOCAL_HOSTS = frozenset({LOOPBACK, "localhost", "::1"})


class RequestHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, and a one-line access log through ``fakeauth0.access``.

    werkzeug's handler closes every connection (``http.server`` cannot drain a body the app
    left unread, and werkzeug drains by reading whatever else the socket holds). SDKs and
    ``requests.Session`` reuse connections, and a TCP (let alone TLS) handshake per call would
    cost more than the call, so this handler answers WSGI itself: the body is read through a
    length-limited stream that is drained after the response, and the whole response goes out
    in one write. werkzeug still parses the request line and builds the environ.

    The log line holds the method, the path without its query string, the status, the size and
    the time taken: never headers or bodies, so no token, secret or password is ever written.
    """

    protocol_version = "HTTP/1.1"
    server_version = "fakeauth0"
    #: Idle keep-alive connections are closed after this many seconds (frees their thread).
    timeout = 60
    _started = 0.0

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):  # not every socket is TCP
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def run_wsgi(self) -> None:
        # (``Expect: 100-continue`` was answered by http.server's ``parse_request``.)
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or not all(n.isascii() and n.strip().isdigit() for n in lengths):
            # RFC 9112 §6.3: an invalid length is an unrecoverable framing error.
            self.send_error(400, "Invalid Content-Length header")
            return
        environ = self.make_environ()
        if not environ.get("wsgi.input_terminated"):  # (chunked: werkzeug's DechunkedInput)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], length)
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda data: None  # the legacy write() callable; our app never uses it

        try:
            result = self.server.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            log.exception("fakeauth0 failed on %s %s", self.command, self.path.split("?")[0])
            started[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            body = b"Internal Server Error"
            self.close_connection = True
        stream = environ["wsgi.input"]
        if _too_large(stream):
            self.close_connection = True  # a body over the limit is never read to its end
        status, headers = started
        code = int(status[:3])
        out = [f"HTTP/1.1 {status}\r\nDate: {self.date_time_string()}\r\n"]
        out.extend(f"{k}: {v}\r\n" for k, v in headers if k.lower() != "content-length")
        if code >= 200 and code not in (204, 304):
            out.append(f"Content-Length: {len(body)}\r\n")
        if self.close_connection:
            out.append("Connection: close\r\n")
        out.append("\r\n")
        payload = "".join(out).encode("latin-1")
        if self.command != "HEAD" and code not in (204, 304):
            payload += body
        self.wfile.write(payload)
        self.log_request(code, len(body))
        if not self.close_connection and not _drained(stream):
            self.close_connection = True

    def handle_one_request(self) -> None:
        self._started = time.perf_counter()
        super().handle_one_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request http.server refuses before the app sees it (a request line over 64 KiB, a
        malformed one, too many headers): Auth0's JSON envelope, then the connection closes."""
        self.close_connection = True
        if not hasattr(self, "path"):  # refused before the request line was parsed
            self.command, self.path = "-", "-"
        status = HTTPStatus(code)
        body = json.dumps(
            {"statusCode": code, "error": status.phrase, "message": message or status.phrase}
        ).encode()
        self.log_error("code %d, message %s", code, message)
        head = (
            f"HTTP/1.1 {code} {status.phrase}\r\nDate: {self.date_time_string()}\r\n"
            f"Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            self.wfile.write(head.encode("latin-1") + (b"" if self.command == "HEAD" else body))
        self.log_request(code, len(body))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        path = getattr(self, "path", "-").split("?", 1)[0]
        elapsed = (time.perf_counter() - self._started) * 1000
        access_log.info(
            '%s "%s %s" %s %s %.1fms',
            self.address_string(),
            self.command,
            path,
            getattr(code, "value", code),
            size,
            elapsed,
        )

    def log_error(self, format: str, *args: Any) -> None:
        log.warning("%s %s", self.address_string(), format % args)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class LocalCA:
    """A local certificate authority (trustme) that signs the server's certificate.

    The CA is kept in ``ca_file`` (certificate) and ``ca_file + ".key"`` and reused on the
    next start, so a machine or a CI job trusts it once (``SSL_CERT_FILE``,
    ``NODE_EXTRA_CA_CERTS``, ``REQUESTS_CA_BUNDLE``).
    """

    def __init__(self, ca_file: str) -> None:
        import trustme

        self.ca_file = os.path.abspath(ca_file)
        key_file = self.ca_file + ".key"
        if os.path.exists(self.ca_file) and os.path.exists(key_file):
            with open(self.ca_file, "rb") as cert, open(key_file, "rb") as key:
                self.ca = trustme.CA.from_pem(cert.read(), key.read())
        else:
            self.ca = trustme.CA(organization_name="fakeauth0 local CA")
            self.ca.cert_pem.write_to_path(self.ca_file)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as key:
                key.write(self.ca.private_key_pem.bytes())

    def server_context(self, hostnames: Iterable[str]) -> ssl.SSLContext:
        names = sorted({"localhost", "127.0.0.1", "::1", *hostnames})
        cert = self.ca.issue_cert(*names)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        return context


class FakeAuth0Server:
    """Serve tenants over HTTP(S) on loopback (by default); usable from Python or ``serve``.

    ``FakeAuth0Server()`` serves one tenant whose domain is the bound ``host:port``;
    ``tenants=[...]`` serves several, chosen by the ``Host`` header or ``/_tenants/<domain>/``.
    """

    def __init__(
        self,
        tenant: Tenant | None = None,
        host: str = LOOPBACK,
        port: int = 0,
        *,
        tenants: Iterable[Tenant] = (),
        domains: Iterable[str] = (),
        seeds: dict[str, dict[str, Any]] | None = None,
        store: StateStore | None = None,
        ca: LocalCA | None = None,
        control: bool = True,
        control_token: str | None = None,
        **tenant_options: Any,
    ) -> None:
        """Bind ``host:port`` (0: a free port). Without a ``tenant``, make one whose domain is
        the bound ``host:port``, so issuer and audience match the address clients use;
        ``domains`` names more tenants to make; ``seeds`` maps a domain to the seed its tenant
        starts from and resets to. With a ``store``, each tenant starts from
        what it holds and persists every change to it. With ``ca``, serve HTTPS.
        ``control=False`` switches the control plane and dashboard (``/_fake/``) off;
        ``control_token`` makes them need that token."""
        if host not in _LOCAL_HOSTS:
            log.warning(FakeMsg.WIDE_BIND.format(host=host))
            if control and not control_token:
                log.warning(FakeMsg.CONTROL_UNGUARDED.format(host=host))
        self.store = store
        self.ca = ca
        self.seeds = dict(seeds or {})
        self._tenant_options = tenant_options
        self.registry = TenantRegistry()
        self.router = HostRouter(
            self.registry, self.add_tenant, control=control, control_token=control_token
        )
        listener = _listen(host, port)  # raises OSError (werkzeug would print and exit)
        try:
            self._server: BaseWSGIServer = fast.threaded_server(
                host, listener, _not_ready, RequestHandler
            )
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        self._server.daemon_threads = True
        explicit = [t for t in (tenant, *tenants) if t is not None]
        names = [t.domain for t in explicit] + list(domains)
        if not explicit:
            names.insert(0, f"{host}:{self.port}")
        if ca is not None:
            # The certificate must name every domain before the first handshake.
            context = ca.server_context(_hostname(d) for d in names)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._server.ssl_context = context
        for given in explicit:
            self.add_tenant(given)
        for domain in names[len(explicit) :]:
            if domain not in self.registry:
                self.add_tenant(domain)
        self._server.app = self.router
        self._thread: threading.Thread | None = None

    @property
    def tenant(self) -> Tenant:
        """The default tenant (the first): the one a request with an unknown ``Host`` reaches."""
        assert self.registry.default is not None
        return self.registry.default

    @property
    def tenants(self) -> list[Tenant]:
        return list(self.registry)

    def add_tenant(self, tenant: Tenant | str) -> Tenant:
        """Serve one more tenant (a ``Tenant``, or a domain to make one for).

        With a store, a tenant it already holds comes back as stored; a new one is stored.
        """
        if isinstance(tenant, str):
            tenant = Tenant(tenant, **self._tenant_options)
        seed = self.seeds.get(tenant.domain)
        if seed is None and not len(self.registry):
            seed = self.seeds.get("")  # a seed naming no domain is the default tenant's
        if seed is None and self.store is not None:
            seed = self.store.seed_of(tenant.domain)
        if seed is not None:
            tenant.load_seed(seed)
        if self.store is not None:
            stored = self.store.load(tenant.domain)
            if stored is not None:
                tenant.restore(stored)
            self.store.attach(tenant, tenant.seed_state)
        return self.registry.add(tenant)

    def use_tenant(self, tenant: Tenant) -> Tenant:
        """Serve ``tenant`` from the next request on: a reset that keeps the port (and URL)."""
        return self.registry.replace(tenant)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.ca is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def url_for(self, tenant: Tenant) -> str:
        """The base URL reaching ``tenant`` by path prefix (no ``Host`` header needed)."""
        return f"{self.url}/_tenants/{tenant.domain}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def start(self) -> FakeAuth0Server:
        """Serve from a daemon thread; returns at once."""
        self._thread = threading.Thread(
            target=self.serve_forever, daemon=True, name=f"fakeauth0-{self.port}"
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop accepting requests (from another thread than ``serve_forever``'s)."""
        self._server.shutdown()

    def stop(self) -> None:
        """Stop serving, then write what is pending and close the state file."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self.close()

    def close(self) -> None:
        self._server.server_close()
        if self.store is not None:
            self.store.close()
            self.store = None

    def __enter__(self) -> FakeAuth0Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _too_large(stream: Any) -> bool:
    """Whether what is left of the body is known to be more than the server will read."""
    return isinstance(stream, LimitedStream) and stream.limit - stream.tell() > _DRAIN_LIMIT


def _drained(stream: Any) -> bool:
    """Read and drop what the app left of the body, after the answer went out (unread bytes
    would be parsed as the next request; a client still sending gets to read its answer).
    False when more than :data:`_DRAIN_LIMIT` was left or the chunked framing is broken: the
    connection must close."""
    if isinstance(stream, LimitedStream):
        stream.exhaust()
        return True
    dropped = 0
    try:
        while dropped <= _DRAIN_LIMIT:
            chunk = stream.read(65536)
            if not chunk:
                return True
            dropped += len(chunk)
    except (OSError, ValueError):  # a malformed chunk
        return False
    return False


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; an ``OSError`` names the cause (port in use ...)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _hostname(domain: str) -> str:
    if domain.startswith("["):
        return domain[1 : domain.find("]")]
    return domain.split(":", 1)[0] if domain.count(":") == 1 else domain


def _not_ready(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
