"""The loopback bridge of :mod:`fakeauth0.js.bridge`: one plain-HTTP server per process, on
127.0.0.1 and a free port, started when a tenant's JavaScript first runs.

Each tenant is reached under a path of its own, ``/<key>/...``, where ``key`` is a random
token made when the tenant first needs the bridge (so nothing else on the machine can guess
it), and the tenant is held weakly (a tenant a test dropped is not kept alive). Every request is
served as a request to ``https://<domain>`` (the app sees Auth0's scheme and host), since the
worker redirected it from there. Only Auth0's own APIs are served: the fake's control plane and
dashboard (``/_fake/``) are not reachable this way.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..js import bridge
from .app import create_app
from .target import FAKE_PLANES

if TYPE_CHECKING:
    from ..tenant import Tenant


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _refuse(start_response: Any, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


class LoopbackBridge:
    """The process's bridge server: tenants by key, served from a daemon thread."""

    def __init__(self) -> None:
        self._tenants: weakref.WeakValueDictionary[str, Tenant] = weakref.WeakValueDictionary()
        self._keys: weakref.WeakKeyDictionary[Tenant, str] = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._dispatch, threaded=True, request_handler=_Quiet
        )
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="fakeauth0-bridge",
            daemon=True,
        ).start()

    def url_for(self, tenant: Tenant) -> str:
        with self._guard:
            key = self._keys.get(tenant)
            if key is None:
                key = secrets.token_urlsafe(18)
                self._keys[tenant] = key
                self._tenants[key] = tenant
        return f"{self.url}/{key}"

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        key, _, rest = environ.get("PATH_INFO", "").partition("/")[2].partition("/")
        tenant = self._tenants.get(key)
        if tenant is None:
            return _refuse(start_response, "404 Not Found", "no tenant here")
        environ["PATH_INFO"] = "/" + rest
        app = create_app(tenant)
        if app.route_of(environ).plane in FAKE_PLANES:
            return _refuse(start_response, "404 Not Found", "the bridge serves Auth0's APIs only")
        domain = tenant.domain
        environ["SCRIPT_NAME"] = ""
        environ["HTTP_HOST"] = domain
        environ["wsgi.url_scheme"] = "https"
        environ["SERVER_NAME"], environ["SERVER_PORT"] = domain.partition(":")[0], "443"
        return app(environ, start_response)


_shared: LoopbackBridge | None = None
_shared_guard = threading.Lock()


def open_bridge(tenant: Tenant) -> str:
    """The base URL reaching ``tenant`` through the process's bridge (started on first use)."""
    global _shared
    with _shared_guard:
        if _shared is None:
            _shared = LoopbackBridge()
    return _shared.url_for(tenant)


bridge.install_opener(open_bridge)
