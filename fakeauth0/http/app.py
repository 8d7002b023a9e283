"""The WSGI app of one tenant: one route table, one way in per plane, one way out.

A request is decided once (:mod:`fakeauth0.http.target`): its route, on its canonical path.
Then the route's plane lets the caller in (the Management API checks the bearer token and the
operation's scopes); Auth0's planes pass Auth0's injected faults and rate limits; the handler
runs as one unit of work on the tenant (applied and persisted, or undone); its answer, or any
:class:`Auth0Error`, becomes Auth0's JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from ..errors import Auth0Error, FakeMsg, Msg, OAuthError
from ..spec import load_spec
from ..store import StateWriteError
from . import fast, routes, target
from .bodies import BODY_KEY, FakeRequest
from .responses import error_response, json_response
from .routing import Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..tenant import Tenant
    from ..tokens import Principal

log = logging.getLogger("fakeauth0.http")
#: Methods that change nothing: served without a unit of work.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _load_handlers() -> None:
    """Import every module that declares routes (each registers its own)."""
    from ..dashboard import routes as dashboard_routes  # noqa: F401
    from . import (  # noqa: F401
        access,
        actions,
        applications,
        authentication,
        authorize,
        blocks,
        connections,
        control,
        dbconnections,
        email_templates,
        identities,
        jobs,
        logout,
        logs,
        management,
        organizations,
        password_reset,
        passwordless,
        rules,
        sessions,
        tenants,
        tickets,
    )


class RouteTable:
    """The routes of every plane, matched by path and method (:class:`Router`)."""

    def __init__(self) -> None:
        _load_handlers()
        self.routes = {route.endpoint: route for route in routes.table()}
        self.router = Router(
            (route.rule, route.endpoint, route.methods) for route in self.routes.values()
        )
        self.planes = {endpoint: route.plane for endpoint, route in self.routes.items()}

    def decide(self, environ: WSGIEnvironment) -> target.Target:
        """The request's route, decided on its canonical path (and left in the environ, with
        ``PATH_INFO`` made canonical, so everything after reads the same decision)."""
        decided: target.Target | None = environ.get(target.ENVIRON_KEY)
        if decided is not None:
            return decided
        raw = environ.get("PATH_INFO", "")
        path = target.canonical(raw)
        if path != raw:
            environ["PATH_INFO"] = path
        text = path if path.isascii() else path.encode("latin-1").decode("utf-8", "replace")
        method = environ.get("REQUEST_METHOD", "GET")
        try:  # the common case, without resolve()'s refusal handling
            endpoint, args = self.router.match(text, method)
            decided = target.Target(text, endpoint, self.planes.get(endpoint), args)
        except HTTPException:
            decided = target.resolve(self.router, self.planes, text, method)
        environ[target.ENVIRON_KEY] = decided
        return decided


_TABLE: RouteTable | None = None


def route_table() -> RouteTable:
    """The route table, built on first use (importing the handler modules) and shared."""
    global _TABLE
    if _TABLE is None:
        _TABLE = RouteTable()
    return _TABLE


def authenticate(tenant: Tenant, request: Request) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if not header or scheme.lower() != "bearer":
        raise Auth0Error(401, Msg.MISSING_AUTH)
    return tenant.tokens.principal(token.strip())


class FakeAuth0App:
    """The WSGI application serving one tenant: every plane of :class:`RouteTable`."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.table = route_table()

    def route_of(self, environ: WSGIEnvironment) -> target.Target:
        """The request's route (decided once: :meth:`RouteTable.decide`)."""
        decided: target.Target | None = environ.get(target.ENVIRON_KEY)
        return decided if decided is not None else self.table.decide(environ)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = FakeRequest(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        routed = self.route_of(request.environ)
        route = None if routed.endpoint is None else self.table.routes[routed.endpoint]
        auth0 = route is None or route.auth0
        rate_headers: dict[str, str] | None = None
        try:
            if route is None or routed.refusal is not None:
                raise _routing_error(request, routed)
            if auth0:
                # Injected faults, latency and rate limits (fakeauth0.faults); may raise.
                rate_headers = self.tenant.faults.admit(route.endpoint)
            response = self._serve(request, route, routed.args)
        except (Auth0Error, OAuthError) as error:
            response = error_response(error)
        except HTTPException as error:  # werkzeug's own refusals (e.g. a form too large)
            status = error.code or 400
            message = Msg.PAYLOAD_TOO_LARGE if status == 413 else error.name
            response = error_response(Auth0Error(status, message))
        except Exception:  # a bug of ours: say so in Auth0's shape, never a traceback page
            log.exception("fakeauth0 failed on %s %s", request.method, request.path)
            response = error_response(Auth0Error(500, "Internal Server Error"))
        if auth0:
            endpoint = routed.endpoint
            # Auth0 sends X-RateLimit-* on every response; a 429 or a fault carries its own.
            sent = response.headers
            if not fast.has_header(sent, "x-ratelimit-limit"):
                extra = rate_headers or self.tenant.faults.peek(endpoint)
                fast.add_headers(sent, extra.items())
            self.tenant.record_call(request.method, request.path, endpoint, response.status_code)
        return response

    def _serve(self, request: Request, route: routes.Route, args: dict[str, str]) -> Response:
        principal = None
        if route.plane == target.MANAGEMENT:
            if route.handler is None:
                raise Auth0Error(
                    501,
                    Msg.NOT_IMPLEMENTED_OPERATION.format(
                        operation=route.endpoint,
                        method=route.methods[0],
                        path=route.rule.replace("<", "{").replace(">", "}"),
                    ),
                    "not_implemented",
                )
            principal = authenticate(self.tenant, request)
            if route.scopes and not principal.has_any(route.scopes):
                raise Auth0Error(
                    403,
                    Msg.INSUFFICIENT_SCOPE.format(scopes=",".join(route.scopes)),
                    "insufficient_scope",
                )
        assert route.handler is not None
        call = routes.Call(self.tenant, request, route, args, principal)
        if self.tenant.persistence is None:  # in memory: nothing to commit or undo
            answer = route.handler(call)
            if isinstance(answer, tuple):
                answer = json_response(*answer)
        else:
            try:
                write = request.method not in READS
                if route.endpoint in LOGIN_DOORS and self.tenant.runs_login_actions():
                    # The post-login Actions run without the tenant lock, which a write's unit
                    # of work would hold throughout: the login's changes flush as a read's do.
                    write = False
                with self.tenant.unit_of_work(write=write):
                    answer = route.handler(call)
                    if isinstance(answer, tuple):
                        answer = json_response(*answer)
            except StateWriteError as error:
                log.error("%s", error)  # on stderr: the operator must free the disk or fix it
                raise Auth0Error(
                    503, FakeMsg.STATE_WRITE_FAILED.format(error=error.reason)
                ) from None
        if principal is not None and request.method not in READS and answer.status_code < 400:
            api_write(self.tenant, route.endpoint, principal, request, answer)
        return answer


#: The routes whose requests may log a user in, and so run the post-login Actions.
LOGIN_DOORS = frozenset(
    {
        "oauth_token",
        "login_page",
        "signup_page",
        "simulated_idp",
        "fake_login",
        "passwordless_verify_redirect",
        "dbconnections_signup",
    }
)


def api_write(
    tenant: Tenant, operation: str, principal: Principal, request: Request, response: Response
) -> None:
    """A Management API write that succeeded: Auth0's ``sapi`` event, described by the
    operation's summary in the spec ("Create a User"; the recordings cited in
    ``fakeauth0.logs``). Reads are not logged."""
    environ = request.environ
    sent = response.response  # our answers: a list of one bytes
    ip = environ.get("REMOTE_ADDR")
    tenant.logs.api_call(
        _summaries().get(operation, operation),
        principal.azp,
        environ["REQUEST_METHOD"],
        request.path,
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_USER_AGENT"),
        ip,
        environ.get(BODY_KEY, b""),
        response.status_code,
        sent[0] if type(sent) is list and len(sent) == 1 else response.get_data(),
        principal.claims.get("scope"),
    )


@cache
def _summaries() -> dict[str, str]:
    """operation -> its summary in the spec."""
    return {
        operation: entry["summary"]
        for operation, entry in load_spec()["served"].items()
        if "summary" in entry
    }


def _routing_error(request: Request, routed: target.Target) -> Auth0Error:
    """No route for this method (405, with ``Allow``) or path (404; under ``/api/v2``, an
    operation the spec lacks: 501, CHOICES.md "an unknown path under /api/v2/")."""
    refused = routed.refusal
    if isinstance(refused, MethodNotAllowed):
        allow = ", ".join(sorted(refused.valid_methods or ()))
        headers = {"Allow": allow} if allow else None  # RFC 9110 §15.5.6
        return Auth0Error(405, Msg.METHOD_NOT_ALLOWED, headers=headers)
    if routed.path.startswith(routes.MANAGEMENT_PREFIX + "/"):
        message = Msg.NOT_IMPLEMENTED_PATH.format(method=request.method, path=request.path)
        return Auth0Error(501, message, "not_implemented")
    return Auth0Error(404, Msg.NOT_FOUND_ROUTE)


def create_app(tenant: Tenant) -> FakeAuth0App:
    return FakeAuth0App(tenant)
