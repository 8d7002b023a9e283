"""The standalone server: werkzeug's threaded WSGI server around one tenant's app."""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .http import create_app
from .tenant import Tenant

log = logging.getLogger("fakeauth0.server")
LOOPBACK = "127.0.0.1"


class FakeAuth0Server:
    """Serve one tenant over HTTP on loopback (by default); usable from Python or ``serve``."""

    def __init__(
        self,
        tenant: Tenant | None = None,
        host: str = LOOPBACK,
        port: int = 0,
        **tenant_options: Any,
    ) -> None:
        """Bind ``host:port`` (0: a free port). Without a ``tenant``, make one whose domain is
        the bound ``host:port``, so issuer and audience match the address clients use."""
        if host not in (LOOPBACK, "localhost", "::1"):
            log.warning("fakeauth0 is listening on %s: reachable beyond this machine", host)
        self._server: BaseWSGIServer = make_server(host, port, _not_ready, threaded=True)
        self.tenant = tenant or Tenant(f"{host}:{self.port}", **tenant_options)
        self._server.app = create_app(self.tenant)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> FakeAuth0Server:
        """Serve from a daemon thread; returns at once."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name=f"fakeauth0-{self.port}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAuth0Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _not_ready(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
