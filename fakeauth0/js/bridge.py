"""How the tenant's JavaScript reaches its own tenant at ``https://<domain>``.

An Action's ``require('auth0')`` and a Rule's ``request(auth0.baseUrl + '/users')`` call the
tenant's Management API over HTTP, whether the tenant is served (``fakeauth0 serve``, TLS or
not) or lives in a pytest process with no server at all. Each tenant gets a loopback bridge on
demand: a plain-HTTP server on 127.0.0.1 that serves that tenant alone. The node worker sends
every request for the tenant's domain there (its ``fetch``, ``http`` and ``https`` are
redirected), so the JavaScript runs unmodified and needs no certificate.

The server itself belongs to the HTTP layer, which installs its opener here
(:func:`install_opener`); this module holds only the seam, so the domain never imports HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Given a tenant, the base URL (``http://127.0.0.1:<port>``) of a loopback server for it.
Opener = Callable[[Any], str]

_opener: Opener | None = None


def install_opener(opener: Opener) -> None:
    global _opener
    _opener = opener


def bridge_url(tenant: Any) -> str:
    """The loopback URL that serves ``tenant`` (started on first use)."""
    if _opener is None:
        raise RuntimeError("no HTTP layer is loaded to serve the tenant to its JavaScript")
    return _opener(tenant)
