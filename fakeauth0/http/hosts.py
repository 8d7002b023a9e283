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
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..dashboard import access
from ..errors import Auth0Error, FakeMsg, Msg
from ..store import StateWriteError
from .app import FakeAuth0App, create_app, error_response, json_response, read_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..registry import TenantRegistry
    from ..store import StateStore
    from ..tenant import Tenant

log = logging.getLogger("fakeauth0.server")
TENANT_PREFIX = "/_tenants/"
TENANTS_PATH = "/_fake/tenants"
#: The fake's own endpoints: the control plane and the dashboard.
CONTROL_PATH = "/_fake/"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class HostRouter:
    """A WSGI app over a :class:`TenantRegistry`; one :class:`FakeAuth0App` per tenant."""

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
        #: ``False``: every ``/_fake/`` path (control plane, dashboard) answers 404.
        self.control = control
        #: When set, ``/_fake/`` needs it as ``Authorization: Bearer`` or ``X-Fake-Control-Token``.
        self.control_token = control_token
        self._apps: dict[int, tuple[Tenant, FakeAuth0App]] = {}

    def app_for(self, tenant: Tenant) -> FakeAuth0App:
        entry = self._apps.get(id(tenant))
        if entry is None or entry[0] is not tenant:
            entry = (tenant, create_app(tenant))
            self._apps[id(tenant)] = entry
        return entry[1]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        environ["fakeauth0.registry"] = self.registry  # the dashboard's tenant switcher reads it
        if path.startswith(TENANT_PREFIX):
            # PATH_INFO is already percent-decoded by the server: decoding it again would
            # turn "%25" sent as "%2525" into "%" (and name another tenant in the message).
            domain, _, rest = path[len(TENANT_PREFIX) :].partition("/")
            tenant = self.registry.get(domain)
            if tenant is None:
                known = ", ".join(self.registry.domains)
                error = Auth0Error(404, FakeMsg.UNKNOWN_TENANT.format(domain=domain, known=known))
                return error_response(error)(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + TENANT_PREFIX + domain
            environ["PATH_INFO"] = "/" + rest
        elif path == TENANTS_PATH:
            refused = self._control_refusal(environ)
            if refused is not None:
                return error_response(refused)(environ, start_response)
            return self._tenants(environ, start_response)
        else:
            tenant = self.registry.for_host(environ.get("HTTP_HOST"))
        refused = self._control_refusal(environ)
        if refused is not None:
            if refused.status == 401 and access.is_dashboard(environ["PATH_INFO"]):
                # A browser cannot send the token header: offer it the sign-in form.
                return access.answer(tenant, environ, start_response, self.control_token)
            return error_response(refused)(environ, start_response)
        app = self.app_for(tenant)
        store = self.store
        if store is None:
            return app(environ, start_response)
        config = environ.get("REQUEST_METHOD", "GET") not in _READS
        started: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            started[:] = [status, headers, *exc]
            return lambda data: None  # the legacy write() callable; our apps never use it

        with store.deferred():
            body = app(environ, hold)
        try:
            store.flush(tenant, config=config)  # durable before the client hears anything
        except StateWriteError as error:
            if hasattr(body, "close"):
                body.close()
            log.error("%s", error)  # on stderr: the operator must free the disk or fix the file
            refused = Auth0Error(503, FakeMsg.STATE_WRITE_FAILED.format(error=error.reason))
            return error_response(refused)(environ, start_response)
        start_response(*started)
        return body

    def _control_refusal(self, environ: WSGIEnvironment) -> Auth0Error | None:
        """Why a request for the control plane (``/_fake/...``) is refused, or None."""
        path = environ.get("PATH_INFO", "")
        if not (path.startswith(CONTROL_PATH) or path == CONTROL_PATH.rstrip("/")):
            return None
        if not self.control:
            return Auth0Error(404, Msg.NOT_FOUND_ROUTE)  # as if it were not there at all
        if self.control_token is None:
            return None
        given = environ.get("HTTP_X_FAKE_CONTROL_TOKEN")
        if given is None:
            scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
            given = value.strip() if scheme.lower() == "bearer" else ""
        expected = self.control_token.encode("utf-8", "surrogateescape")
        if hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            return None
        if (
            access.is_dashboard(path)
            and path != access.SIGNIN
            and access.has_session(environ, self.control_token)
        ):
            return None  # a browser signed in to the dashboard (its pages only)
        return Auth0Error(401, FakeMsg.CONTROL_TOKEN_REQUIRED)

    def _tenants(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """``GET``: the domains served. ``POST {"domain": ...}``: serve one more tenant."""
        from werkzeug.wrappers import Request

        request = Request(environ)
        try:
            if request.method == "POST":
                body = read_body(request)
                domain = body.get("domain") if isinstance(body, dict) else None
                if not isinstance(domain, str) or not domain or self.make_tenant is None:
                    raise Auth0Error.bad_request(
                        FakeMsg.BAD_CONTROL_BODY.format(problem="a domain is required")
                    )
                if domain in self.registry:
                    raise Auth0Error(409, FakeMsg.TENANT_EXISTS.format(domain=domain))
                tenant = self.make_tenant(domain)
                response = json_response(201, _describe(tenant))
            elif request.method == "GET":
                response = json_response(200, {"tenants": [_describe(t) for t in self.registry]})
            else:
                raise Auth0Error(405, "Method Not Allowed")
        except Auth0Error as error:
            response = error_response(error)
        return response(environ, start_response)


def _describe(tenant: Tenant) -> dict[str, Any]:
    return {
        "domain": tenant.domain,
        "audience": tenant.management_audience,
        "client_id": tenant.management_client.client_id,
        "users": len(tenant.users),
    }
