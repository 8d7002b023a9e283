"""The server's front door: which tenant a request is for, and the guard of the fake's planes.

A request reaches a tenant by its ``Host`` header, or by a path prefix
``/_tenants/<domain>/...`` for clients that cannot set the header (a browser's fetch, a proxy).
Its route is decided once, on the canonical path (:mod:`fakeauth0.http.target`), and the
control plane and dashboard are guarded by the route's plane, never by how the path was spelled.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..dashboard import access
from ..errors import Auth0Error, FakeMsg, Msg
from ..registry import hostname
from . import target
from .app import READS, FakeAuth0App, create_app
from .responses import error_response
from .target import ADD_TENANT_KEY, REGISTRY_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..registry import TenantRegistry
    from ..tenant import Tenant

#: Content types a browser sends cross-site without a CORS preflight (the Fetch standard's
#: CORS-safelisted request headers): the JSON control plane takes none of them.
_SIMPLE_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


class HostRouter:
    """A WSGI app over a :class:`TenantRegistry`; one :class:`FakeAuth0App` per tenant.

    Every request is decided once (:mod:`fakeauth0.http.target`): the tenant, then the route on
    the canonical path, then the guard of the route's plane. The fake's own planes (control
    plane, dashboard) answer only when switched on, only to ``Host`` names this machine or a
    served tenant answers to (a DNS-rebound name is refused), only with the control token when
    one is set, and never to a state-changing request a browser could send from another site.
    """

    def __init__(
        self,
        registry: TenantRegistry,
        make_tenant: Callable[[str], Tenant] | None = None,
        *,
        control: bool = True,
        control_token: str | None = None,
    ) -> None:
        self.registry = registry
        #: Makes and serves one more tenant (``POST /_fake/tenants``), when the server can.
        self.make_tenant = make_tenant
        #: ``False``: every route of the control plane and the dashboard answers 404.
        self.control = control
        #: When set, those routes need it as ``Authorization: Bearer`` or
        #: ``X-Fake-Control-Token`` (the dashboard also takes its sign-in cookie).
        self.control_token = control_token
        self._apps: dict[int, tuple[Tenant, FakeAuth0App]] = {}

    def app_for(self, tenant: Tenant) -> FakeAuth0App:
        entry = self._apps.get(id(tenant))
        if entry is None or entry[0] is not tenant:
            entry = (tenant, create_app(tenant))
            self._apps[id(tenant)] = entry
        return entry[1]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # The tenant list and switcher (``/_fake/tenants``, the dashboard) read these.
        environ[REGISTRY_KEY] = self.registry
        environ[ADD_TENANT_KEY] = self.make_tenant
        domain, path = target.split_tenant(target.canonical(environ.get("PATH_INFO", "")))
        if domain is not None:
            # PATH_INFO is already percent-decoded by the server: decoding it again would
            # turn "%25" sent as "%2525" into "%" (and name another tenant in the message).
            tenant = self.registry.get(domain)
            if tenant is None:
                return error_response(self._unknown_tenant(domain))(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + target.TENANT_PREFIX + domain
        else:
            tenant = self.registry.for_host(environ.get("HTTP_HOST"))
        environ["PATH_INFO"] = path
        app = self.app_for(tenant)
        routed = app.route_of(environ)
        if routed.plane in target.FAKE_PLANES:
            refused = self._guard(environ, routed)
            if refused is not None:
                if refused.status == 401 and routed.plane == target.DASHBOARD:
                    # A browser cannot send the token header: offer it the sign-in form.
                    assert self.control_token is not None
                    return access.answer(tenant, environ, start_response, self.control_token)
                return error_response(refused)(environ, start_response)
        return app(environ, start_response)

    def _unknown_tenant(self, domain: str) -> Auth0Error:
        """No tenant by that domain: the list of those served is for an open control plane."""
        if self.control and self.control_token is None:
            known = ", ".join(self.registry.domains)
            return Auth0Error(404, FakeMsg.UNKNOWN_TENANT.format(domain=domain, known=known))
        return Auth0Error(404, FakeMsg.UNKNOWN_TENANT_GUARDED.format(domain=domain))

    def _guard(self, environ: WSGIEnvironment, routed: target.Target) -> Auth0Error | None:
        """Why a request for a route of the fake's own planes is refused, or None."""
        if not self.control:
            return Auth0Error(404, Msg.NOT_FOUND_ROUTE)  # as if it were not there at all
        host = environ.get("HTTP_HOST")
        if host is not None and not self._trusted_host(host, environ):
            return Auth0Error(403, FakeMsg.CONTROL_FOREIGN_HOST)
        if self.control_token is not None and not self._holds_token(environ, routed):
            return Auth0Error(401, FakeMsg.CONTROL_TOKEN_REQUIRED)
        if routed.plane == target.CONTROL and environ.get("REQUEST_METHOD") not in READS:
            return _cross_site(environ)
        return None

    def _trusted_host(self, host: str, environ: WSGIEnvironment) -> bool:
        """A loopback name or address, the address the server is bound to, or the domain of a
        served tenant: any other name reached this port through someone else's DNS."""
        name = hostname(host).lower()
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            if ipaddress.ip_address(name).is_loopback:
                return True
        except ValueError:
            pass
        if name == str(environ.get("SERVER_NAME", "")).lower():
            return True
        return any(hostname(domain).lower() == name for domain in self.registry.domains)

    def _holds_token(self, environ: WSGIEnvironment, routed: target.Target) -> bool:
        assert self.control_token is not None
        given = environ.get("HTTP_X_FAKE_CONTROL_TOKEN")
        if given is None:
            scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
            given = value.strip() if scheme.lower() == "bearer" else ""
        expected = self.control_token.encode("utf-8", "surrogateescape")
        if hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            return True
        # A browser signed in to the dashboard: its pages only, never the JSON control plane.
        return (
            routed.plane == target.DASHBOARD
            and routed.endpoint != access.SIGNIN_ENDPOINT
            and access.has_session(environ, self.control_token)
        )


def _cross_site(environ: WSGIEnvironment) -> Auth0Error | None:
    """A state-changing control request that a page on another site could have sent without a
    CORS preflight: refused (the JSON control plane takes ``application/json`` from tools)."""
    if environ.get("HTTP_SEC_FETCH_SITE") == "cross-site":
        return Auth0Error(403, FakeMsg.CONTROL_CROSS_SITE)
    origin = environ.get("HTTP_ORIGIN")
    host = environ.get("HTTP_HOST", "").lower()
    if origin is not None and urlsplit(origin).netloc.lower() != host:
        return Auth0Error(403, FakeMsg.CONTROL_CROSS_SITE)
    mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype in _SIMPLE_TYPES:
        return Auth0Error(415, FakeMsg.CONTROL_JSON_ONLY)
    return None
