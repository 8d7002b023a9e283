"""Send httpx, requests and aiohttp calls for a tenant's domain into its app, without sockets.

Code under test often builds its own HTTP clients (the official SDK fetches its token with a
bare ``httpx.Client()``), so handing it a client is not always possible. While an
:class:`Interceptor` is active, every call to ``https://<tenant domain>/...`` made by those
libraries is answered in-process by the tenant's WSGI app; calls to other hosts go on as before.

Each library is hooked at its own transport seam, above the layer that mocking libraries patch,
so a suite that also uses respx (httpcore) or responses (``HTTPAdapter.send``) keeps working:

- httpx: ``HTTPTransport.handle_request`` / ``AsyncHTTPTransport.handle_async_request`` hand the
  request to httpx's own ``WSGITransport``;
- requests: ``Session.get_adapter`` returns a transport adapter that runs the WSGI app;
- aiohttp: ``ClientSession._request`` sends a tenant's calls, unchanged but for the address, to a
  loopback HTTP server (started on first use) that runs the app; aiohttp reads a real response,
  so no mocking library is needed and none is in the way. Only the response's ``url`` shows the
  loopback address.

There is no module-level registry: each interceptor wraps whatever hook was in place when it
started and restores it when it stops, so interceptors nest (last started, first stopped).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import io
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from types import CodeType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .http import FakeAuth0App, create_app, target

if TYPE_CHECKING:
    from .tenant import Tenant

F = TypeVar("F", bound=Callable[..., Any])
LIBRARIES = ("httpx", "requests", "aiohttp")


class UnservedRoute(Exception):
    """A call reached a fake tenant's domain on a path the fake does not serve.

    Raised instead of answering, so code under test cannot mistake a missing feature of the
    fake for Auth0's own 404 (which client code often reads as "no such user").
    """

    #: The call, ``"<METHOD> <url>"``.
    where: str = ""

    def caught_in(self, code: CodeType) -> bool:
        """Whether the frame that caught this error (the first of its traceback) runs
        ``code``: ``pytest.raises`` in a test function catches it in that function's frame."""
        traceback = self.__traceback__
        return traceback is not None and traceback.tb_frame.f_code is code


class Interceptor:
    """Routes ``https://<domain>/...`` calls of httpx, requests and aiohttp into tenants' apps.

    Use it as a context manager (``with intercept(tenant): ...``), a decorator (sync or async
    functions) or through the ``auth0_intercept`` fixture. ``strict`` (the default) raises
    :class:`UnservedRoute` for a path outside the fake's route table; every such call is also
    kept in :attr:`unserved`, so a fixture can fail the test even if the code swallowed it.
    """

    def __init__(
        self,
        tenants: Iterable[Tenant] = (),
        *,
        strict: bool = True,
        libraries: Iterable[str] | None = None,
    ) -> None:
        self.strict = strict
        self.unserved: list[str] = []
        #: The :class:`UnservedRoute` errors raised, in order (``unserved`` names their calls).
        self.raised: list[UnservedRoute] = []
        self._apps: dict[str, FakeAuth0App] = {}
        chosen = tuple(LIBRARIES if libraries is None else libraries)
        unknown = set(chosen) - set(LIBRARIES)
        if unknown:
            raise ValueError(f"cannot intercept {sorted(unknown)}; known: {LIBRARIES}")
        self.libraries = tuple(
            name for name in chosen if importlib.util.find_spec(name) is not None
        )
        self._undo: list[Callable[[], None]] = []
        self._loopback: _LoopbackServer | None = None
        for tenant in tenants:
            self.add(tenant)

    # -- which hosts ----------------------------------------------------------------------------

    def add(self, tenant: Tenant | FakeAuth0App) -> None:
        """Serve ``tenant``'s domain from now on (also while active)."""
        app = tenant if isinstance(tenant, FakeAuth0App) else create_app(tenant)
        domain = app.tenant.domain.lower()
        if domain in self._apps and self._apps[domain].tenant is not app.tenant:
            raise ValueError(f"another tenant already answers for {domain}")
        self._apps[domain] = app

    def remove(self, domain: str) -> None:
        self._apps.pop(domain.lower(), None)

    @property
    def domains(self) -> list[str]:
        return list(self._apps)

    def app_for(self, url: str) -> FakeAuth0App | None:
        """The app answering ``url``, or None when the URL is not a fake tenant's."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if parts.port not in (None, 443):
            host = f"{host}:{parts.port}"
        return self._apps.get(host)

    def _check_route(self, app: FakeAuth0App, method: str, url: str) -> None:
        if not self.strict:
            return
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path) or "/"
        try:
            app.table.router.match(target.canonical(path), method)
        except MethodNotAllowed:
            return  # the app answers 405 as Auth0 does
        except NotFound:
            where = f"{method} {url}"
            self.unserved.append(where)
            error = UnservedRoute(
                f"fakeauth0 does not serve {where} (tenant {app.tenant.domain}); "
                "it is not in the fake's route table"
            )
            error.where = where
            self.raised.append(error)
            raise error from None

    # -- activation -----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return bool(self._undo)

    def start(self) -> Interceptor:
        if self._undo:
            raise RuntimeError("this interceptor is already active")
        patchers = {
            "httpx": self._patch_httpx,
            "requests": self._patch_requests,
            "aiohttp": self._patch_aiohttp,
        }
        try:
            for name in self.libraries:
                patchers[name]()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        while self._undo:
            self._undo.pop()()

    def __enter__(self) -> Interceptor:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Decorate a function (sync or async) to run with interception active."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    def _swap(self, owner: Any, name: str, replacement: Callable[..., Any]) -> Callable[..., Any]:
        """Install ``replacement`` as ``owner.name``; undo checks nobody replaced it since."""
        original = owner.__dict__[name]

        def undo() -> None:
            if owner.__dict__.get(name) is not replacement:
                raise RuntimeError(
                    f"{owner.__qualname__}.{name} was replaced after fakeauth0 hooked it: "
                    "stop interceptors and other patches in reverse order of starting them"
                )
            setattr(owner, name, original)

        setattr(owner, name, replacement)
        self._undo.append(undo)
        return original  # type: ignore[no-any-return]

    # -- httpx ----------------------------------------------------------------------------------

    def _patch_httpx(self) -> None:
        import httpx

        interceptor = self

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> Any:
            app = interceptor.app_for(str(request.url))
            if app is None:
                return original(transport, request)
            interceptor._check_route(app, request.method, str(request.url))
            return httpx.WSGITransport(app=app).handle_request(request)

        async def handle_async_request(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> Any:
            app = interceptor.app_for(str(request.url))
            if app is None:
                return await original_async(transport, request)
            interceptor._check_route(app, request.method, str(request.url))
            body = await request.aread()
            sync_request = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = httpx.WSGITransport(app=app).handle_request(sync_request)
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.read()
            )

        original = self._swap(httpx.HTTPTransport, "handle_request", handle_request)
        original_async = self._swap(
            httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request
        )

    # -- requests -------------------------------------------------------------------------------

    def _patch_requests(self) -> None:
        import requests

        interceptor = self
        adapter_type = _requests_adapter_type()

        def get_adapter(session: requests.Session, url: str) -> Any:
            app = interceptor.app_for(url)
            if app is None:
                return original(session, url)
            return adapter_type(interceptor, app)

        original = self._swap(requests.Session, "get_adapter", get_adapter)

    # -- aiohttp --------------------------------------------------------------------------------

    def _patch_aiohttp(self) -> None:
        import aiohttp
        from multidict import CIMultiDict

        interceptor = self

        async def _request(
            session: aiohttp.ClientSession, method: str, str_or_url: Any, *a: Any, **kw: Any
        ) -> Any:
            target = session._build_url(str_or_url) if hasattr(session, "_build_url") else None
            app = interceptor.app_for(str(target if target is not None else str_or_url))
            if app is None:
                return await original(session, method, str_or_url, *a, **kw)
            interceptor._check_route(app, method.upper(), str(target))
            headers: CIMultiDict[str] = CIMultiDict(kw.get("headers") or {})
            headers["Host"] = target.raw_authority  # type: ignore[union-attr]
            kw["headers"] = headers
            kw.pop("proxy", None)
            kw.pop("proxy_auth", None)
            local = interceptor._loopback_url().join(target.relative())  # type: ignore[union-attr]
            return await original(session, method, local, *a, **kw)

        original = self._swap(aiohttp.ClientSession, "_request", _request)

    def _loopback_url(self) -> Any:
        """The plain-HTTP address of this interceptor's loopback server (started on first use)."""
        from yarl import URL

        if self._loopback is None:
            self._loopback = _LoopbackServer(self._apps)
            self._undo.insert(0, self._stop_loopback)
        return URL(self._loopback.url)

    def _stop_loopback(self) -> None:
        if self._loopback is not None:
            self._loopback.stop()
            self._loopback = None


class _LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 that answers from the tenants' apps by ``Host``.

    aiohttp is intercepted by sending a tenant's calls here instead of to the tenant's domain, so
    aiohttp's own client code reads a real HTTP response: nothing depends on how aiohttp builds
    its response objects. The app sees the request as Auth0 would (``https``, the domain).
    """

    def __init__(self, apps: dict[str, FakeAuth0App]) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
            host = environ.get("HTTP_HOST", "").lower()
            app = apps.get(host) or apps.get(host.removesuffix(":443"))
            if app is None:
                start_response("421 Misdirected Request", [("Content-Type", "text/plain")])
                return [f"no fake tenant answers {host} any more".encode()]
            environ["wsgi.url_scheme"] = "https"
            environ["SERVER_NAME"], environ["SERVER_PORT"] = host.partition(":")[0], "443"
            return app(environ, start_response)

        self._server = make_server(
            "127.0.0.1", 0, dispatch, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fakeauth0-aiohttp", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def intercept(
    *tenants: Tenant, strict: bool = True, libraries: Iterable[str] | None = None
) -> Interceptor:
    """Route calls to these tenants' domains into their apps: ``with intercept(tenant): ...``."""
    return Interceptor(tenants, strict=strict, libraries=libraries)


def mount_requests(session: Any, tenant: Tenant, *, strict: bool = True) -> Any:
    """Mount ``tenant``'s app on ``https://<domain>/`` of a ``requests.Session`` (no patching:
    only this session is affected). Returns the session."""
    interceptor = Interceptor([tenant], strict=strict, libraries=())
    app = interceptor.app_for(tenant.base_url + "/")
    session.mount(tenant.base_url + "/", _requests_adapter_type()(interceptor, app))
    return session


def _call_wsgi(
    app: FakeAuth0App, method: str, url: str, headers: dict[str, str], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one request through the WSGI app; returns status, headers (repeated ones, such as
    ``Set-Cookie``, each on its own) and the whole body."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    builder = EnvironBuilder(
        path=path,
        base_url=f"{parts.scheme}://{parts.netloc}",
        method=method,
        headers=headers,
        data=body,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        content = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return int(status.split()[0]), list(response_headers.to_wsgi_list()), content


@functools.cache
def _requests_adapter_type() -> type:
    """A requests transport adapter that answers from a WSGI app (built once, on first use)."""
    import http.client

    import requests
    from urllib3 import HTTPHeaderDict, HTTPResponse

    class _Original:
        """What requests reads cookies from: the ``http.client`` response's header message
        (its cookie jar takes every ``Set-Cookie`` from there, and from nowhere else)."""

        def __init__(self, headers: list[tuple[str, str]]) -> None:
            self.msg = http.client.HTTPMessage()
            for name, value in headers:
                self.msg[name] = value

        def close(self) -> None:
            pass

        def isclosed(self) -> bool:
            return True

    class WSGIAdapter(requests.adapters.HTTPAdapter):
        """Answers from the fake's app; only ``send`` differs from requests' own adapter."""

        def __init__(self, interceptor: Interceptor, app: FakeAuth0App) -> None:
            super().__init__()
            self._interceptor = interceptor
            self._app = app

        def send(  # type: ignore[override]
            self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
        ) -> requests.Response:
            url = request.url or ""
            method = request.method or "GET"
            self._interceptor._check_route(self._app, method, url)
            body = request.body
            if body is None:
                raw = b""
            elif isinstance(body, str):
                raw = body.encode("utf-8")
            elif isinstance(body, bytes):
                raw = body
            else:  # a generator or file: requests streams it; we read it whole
                raw = body.read() if hasattr(body, "read") else b"".join(body)
            status, headers, content = _call_wsgi(
                self._app, method, url, dict(request.headers), raw
            )
            response = HTTPResponse(
                body=io.BytesIO(content),
                headers=HTTPHeaderDict(headers),
                status=status,
                preload_content=False,
                decode_content=False,
                original_response=_Original(headers),
            )
            return self.build_response(request, response)

    return WSGIAdapter
