"""The server's front door: pick the tenant a request is for, and commit its changes before
the response goes out.

A request reaches a tenant by its ``Host`` header, or by a path prefix
``/_tenants/<domain>/...`` for clients that cannot set the header (a browser's fetch, a proxy).
``/_fake/tenants`` lists the tenants and adds one. When the server keeps state, each request's
changes are committed to the store before its status line is sent, so a client never hears of
a change a crash could lose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..errors import Auth0Error, FakeMsg
from .app import FakeAuth0App, create_app, error_response, json_response, read_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..registry import TenantRegistry
    from ..store import StateStore
    from ..tenant import Tenant

TENANT_PREFIX = "/_tenants/"
TENANTS_PATH = "/_fake/tenants"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class HostRouter:
    """A WSGI app over a :class:`TenantRegistry`; one :class:`FakeAuth0App` per tenant."""

    def __init__(
        self,
        registry: TenantRegistry,
        store: StateStore | None = None,
        make_tenant: Callable[[str], Tenant] | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.make_tenant = make_tenant
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
            domain, _, rest = path[len(TENANT_PREFIX) :].partition("/")
            domain = unquote(domain)
            tenant = self.registry.get(domain)
            if tenant is None:
                known = ", ".join(self.registry.domains)
                error = Auth0Error(404, FakeMsg.UNKNOWN_TENANT.format(domain=domain, known=known))
                return error_response(error)(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + TENANT_PREFIX + domain
            environ["PATH_INFO"] = "/" + rest
        elif path == TENANTS_PATH:
            return self._tenants(environ, start_response)
        else:
            tenant = self.registry.for_host(environ.get("HTTP_HOST"))
        app = self.app_for(tenant)
        store = self.store
        if store is None:
            return app(environ, start_response)
        config = environ.get("REQUEST_METHOD", "GET") not in _READS

        def commit_then_start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            store.flush(tenant, config=config)  # durable before the client hears anything
            return start_response(status, headers, *exc)

        with store.deferred():
            return app(environ, commit_then_start)

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
