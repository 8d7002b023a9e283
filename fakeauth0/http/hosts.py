"""The server's front door: pick the tenant a request is for, and commit its changes before
the response goes out.

A request reaches a tenant by its ``Host`` header, or by a path prefix
``/_tenants/<domain>/...`` for clients that cannot set the header (a browser's fetch, a proxy).
``/_fake/tenants`` lists the tenants and adds one. When the server keeps state, each request's
changes are committed to the store before its status line is sent, so a client never hears of
a change a crash could lose.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..dashboard import access
from ..errors import Auth0Error, FakeMsg, Msg
from ..registry import hostname
from ..store import StateWriteError
from . import target
from .app import FakeAuth0App, FakeRequest, create_app, error_response, json_response, read_body
from .target import REGISTRY_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..registry import TenantRegistry
    from ..store import StateStore
    from ..tenant import Tenant

log = logging.getLogger("fakeauth0.server")
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Content types a browser sends cross-site without a CORS preflight (the Fetch standard's
#: CORS-safelisted request headers): the JSON control plane takes none of them.
_SIMPLE_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
#: The route of the tenant list (``GET``) and of adding a tenant (``POST``).
TENANTS_ENDPOINT = "fake_tenants"


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
        store: StateStore | None = None,
        make_tenant: Callable[[str], Tenant] | None = None,
        *,
        control: bool = True,
        control_token: str | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
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
        environ[REGISTRY_KEY] = self.registry  # the dashboard's tenant switcher reads it
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
            if routed.endpoint == TENANTS_ENDPOINT and routed.refusal is None:
                return self._tenants(environ, start_response)
        store = self.store
        if store is None:
            return app(environ, start_response)
        started: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            started[:] = [status, headers, *exc]
            return lambda data: None  # the legacy write() callable; our apps never use it

        writes = environ.get("REQUEST_METHOD", "GET") not in _READS
        try:
            # Durable before the client hears anything; refused by the disk, undone.
            with store.unit_of_work(tenant, config=writes):
                body = app(environ, hold)
        except StateWriteError as error:
            log.error("%s", error)  # on stderr: the operator must free the disk or fix the file
            refused = Auth0Error(503, FakeMsg.STATE_WRITE_FAILED.format(error=error.reason))
            return error_response(refused)(environ, start_response)
        start_response(*started)
        return body

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
        if routed.plane == target.CONTROL and environ.get("REQUEST_METHOD") not in _READS:
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

    def _tenants(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """``GET``: the domains served. ``POST {"domain": ...}``: serve one more tenant."""
        request = FakeRequest(environ)
        try:
            if request.method == "POST":
                body = read_body(request)
                domain = body.get("domain") if isinstance(body, dict) else None
                if not isinstance(domain, str) or not domain or self.make_tenant is None:
                    raise Auth0Error.bad_request(
                        FakeMsg.BAD_CONTROL_BODY.format(problem="a domain is required")
                    )
                if not _DOMAIN.fullmatch(domain):
                    raise Auth0Error.bad_request(
                        FakeMsg.BAD_CONTROL_BODY.format(problem=FakeMsg.BAD_DOMAIN)
                    )
                if domain in self.registry:
                    raise Auth0Error(409, FakeMsg.TENANT_EXISTS.format(domain=domain))
                tenant = self.make_tenant(domain)
                response = json_response(201, _describe(tenant))
            else:
                response = json_response(200, {"tenants": [_describe(t) for t in self.registry]})
        except Auth0Error as error:
            response = error_response(error)
        return response(environ, start_response)


#: A host name (letters, digits, ``-``, ``.``, ``_``) or a bracketed IPv6 address, with an
#: optional port: what a ``Host`` header can name, so nothing else can become a tenant.
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
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


def _describe(tenant: Tenant) -> dict[str, Any]:
    return {
        "domain": tenant.domain,
        "audience": tenant.management_audience,
        "client_id": tenant.management_client.client_id,
        "users": len(tenant.users),
    }
