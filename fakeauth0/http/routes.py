"""The route table: every route of every plane, declared beside its handler.

A handler is registered with the decorator of its plane, which says everything the app needs to
know about it: the path and methods (for the Management API, the spec's operation, which also
gives the scopes), and whether Auth0's injected faults, rate limits and the call log apply::

    @management("get_users_by_id")
    def get_user(call: Call) -> Answer: ...

    @control("/_fake/clock", "GET", "POST")
    def clock(call: Call) -> Answer: ...

Every handler has one shape: it takes a :class:`Call` and returns an :data:`Answer` (a
werkzeug ``Response``, or ``(status, body)`` rendered as JSON). "Where is X handled" is one
grep for the path (or, for the Management API, the operation id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ..caller import Caller, first_language
from ..errors import Auth0Error, Msg
from ..spec import load_spec
from . import target, validation
from .bodies import read_body

if TYPE_CHECKING:
    from ..tenant import Tenant
    from ..tokens import Principal

#: What a handler returns: a response, or ``(status, JSON body)``.
Answer = Response | tuple[int, Any]
Handler = Callable[["Call"], Answer]
#: Where the Management API lives.
MANAGEMENT_PREFIX = "/api/v2"


@dataclass(frozen=True)
class Route:
    """One route: which plane, which handler, which scopes, and whether faults apply."""

    endpoint: str
    plane: str
    rule: str
    methods: tuple[str, ...]
    handler: Handler | None
    #: Any of these scopes lets a Management API caller in (the spec's ``security``).
    scopes: tuple[str, ...] = ()
    #: Auth0's planes: injected faults, latency and rate limits apply, and the call is logged.
    auth0: bool = True


#: endpoint -> the handler registered for it (Management operations without one answer 501).
_HANDLERS: dict[str, tuple[str, str | None, tuple[str, ...], Handler]] = {}


def _register(
    plane: str, endpoint: str, rule: str | None, methods: Iterable[str]
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if endpoint in _HANDLERS:
            raise ValueError(f"two handlers for {endpoint!r}")
        _HANDLERS[endpoint] = (plane, rule, tuple(m.upper() for m in methods), handler)
        return handler

    return register


def management(operation_id: str) -> Callable[[Handler], Handler]:
    """The handler of one Management API operation, named as in Auth0's spec (which gives
    its path, method and scopes)."""
    return _register(target.MANAGEMENT, operation_id, None, ())


def authentication(rule: str, *methods: str, endpoint: str) -> Callable[[Handler], Handler]:
    """A route of Auth0's Authentication API (``/oauth/token``, keys, discovery)."""
    return _register(target.AUTHENTICATION, endpoint, rule, methods)


def control(rule: str, *methods: str, endpoint: str) -> Callable[[Handler], Handler]:
    """A route of the fake's own control plane (``/_fake/...``): never faulted or logged."""
    return _register(target.CONTROL, endpoint, rule, methods)


def dashboard(rule: str, *methods: str, endpoint: str) -> Callable[[Handler], Handler]:
    """A page of the fake's dashboard (``/_fake/dashboard...``): never faulted or logged."""
    return _register(target.DASHBOARD, endpoint, rule, methods)


def registered(plane: str) -> set[str]:
    """The endpoints of ``plane`` that have a handler (import the handler modules first)."""
    return {endpoint for endpoint, entry in _HANDLERS.items() if entry[0] == plane}


#: Spec paths whose last parameter takes the rest of the path: an API is addressed by its id
#: or by its identifier, a URL whose slashes arrive decoded ("ID or audience of the resource
#: server", the spec's get_resource-servers_by_id).
PATH_TAILS = frozenset({"/resource-servers/{id}"})


def _rule(path: str) -> str:
    if path in PATH_TAILS:
        head, _, last = path.rpartition("/")
        path = f"{head}/<path:{last[1:-1]}>"
    return MANAGEMENT_PREFIX + path.replace("{", "<").replace("}", ">")


def table() -> list[Route]:
    """Every route, in match order: the spec's operations (served or not), then the others in
    the order they were registered. Call after the handler modules are imported."""
    routes: list[Route] = []
    for entry in load_spec()["operations"]:
        operation_id = entry["operationId"]
        registered = _HANDLERS.get(operation_id)
        routes.append(
            Route(
                endpoint=operation_id,
                plane=target.MANAGEMENT,
                rule=_rule(entry["path"]),
                methods=(entry["method"],),
                handler=None if registered is None else registered[3],
                scopes=tuple(entry["scopes"]),
            )
        )
    for endpoint, (plane, rule, methods, handler) in _HANDLERS.items():
        if plane == target.MANAGEMENT:
            continue
        assert rule is not None
        routes.append(
            Route(
                endpoint=endpoint,
                plane=plane,
                rule=rule,
                methods=methods,
                handler=handler,
                auth0=plane not in target.FAKE_PLANES,
            )
        )
    return routes


class Call:
    """One request being served: the tenant, the route, the path's arguments, and (on the
    Management API) who calls; typed inputs on demand."""

    def __init__(
        self,
        tenant: Tenant,
        request: Request,
        route: Route,
        args: dict[str, str],
        principal: Principal | None = None,
    ) -> None:
        self.tenant = tenant
        self.request = request
        self.route = route
        self.args = args
        #: Who calls: set on Management API routes (the bearer token's principal), else None.
        self.principal: Principal = principal  # type: ignore[assignment]
        self._query: dict[str, Any] | None = None
        if route.plane == target.MANAGEMENT:
            self._query = _typed_query(route.endpoint, request)  # refused before the handler

    @property
    def query(self) -> dict[str, Any]:
        """The query string checked against the operation's parameters in the spec."""
        if self._query is None:
            self._query = _typed_query(self.route.endpoint, self.request)
        return self._query

    def body(self) -> dict[str, Any]:
        """The JSON (or form) body, checked against the operation's schema in the spec."""
        body = read_body(self.request, self.route.endpoint)
        validation.validate_body(self.route.endpoint, body)
        return body  # type: ignore[no-any-return]

    def json(self) -> Any:
        """The JSON (or form) body, unchecked: the handler judges it."""
        return read_body(self.request)

    def fields(self) -> dict[str, str]:
        """A browser form's string fields (JSON accepted too); an unreadable body has none,
        so a page answers it as an empty form rather than with an API error."""
        try:
            body = read_body(self.request)
        except Auth0Error:
            return {}
        if not isinstance(body, dict):
            return {}
        return {k: v for k, v in body.items() if isinstance(v, str)}

    def caller(self) -> Caller:
        """What ``event.request`` says of this request: the address, the method, the
        ``User-Agent`` and the first language of ``Accept-Language`` (in the order of its
        weights), for the Actions a login or a sign-up runs."""
        request = self.request
        languages = [value for value, quality in request.accept_languages if quality > 0]
        return Caller(
            ip=request.remote_addr,
            user_agent=request.headers.get("User-Agent", ""),
            language=first_language(languages),
            method=request.method,
        )

    def require_subject(self, user_id: str, self_scopes: Iterable[str]) -> None:
        """A token holding only ``*:current_user*`` scopes may act on its own ``sub`` only."""
        principal = self.principal
        if principal.sub == user_id:
            return
        own = set(self_scopes)
        if not principal.has_any([s for s in self.route.scopes if s not in own]):
            raise Auth0Error(403, Msg.SUBJECT_MISMATCH, "insufficient_scope")


#: Query parameters Auth0 accepts, and ignores, where the spec declares none: go-auth0's SDK
#: sends ``include_totals`` and ``per_page`` to ``GET /rules-configs`` and Auth0 answers 200
#: with the bare list (recording TestRuleConfigManager_List at
#: https://github.com/auth0/go-auth0/tree/df1084db909530241b4d1165438324b7601a6386/test/data/recordings).
IGNORED_QUERY: dict[str, frozenset[str]] = {
    "get_rules-configs": frozenset({"include_totals", "per_page", "page"}),
}


def _typed_query(operation_id: str, request: Request) -> dict[str, Any]:
    """Query parameters checked against the spec: unknown names, wrong types and missing
    required ones are refused."""
    if not request.environ.get("QUERY_STRING"):
        _require(operation_id, {})
        return {}  # most calls carry none: skip parsing
    served = load_spec()["served"]
    declared = validation.query_parameters(operation_id) if operation_id in served else {}
    typed: dict[str, Any] = {}
    for name in request.args:
        param = declared.get(name)
        if param is None and name in IGNORED_QUERY.get(operation_id, ()):
            continue
        if param is None:
            raise validation.query_error(f"Additional properties not allowed: {name}")
        values = request.args.getlist(name)
        raw = values[-1]
        schema = param.get("schema", {})
        kind = schema.get("type")
        description = param.get("description") or schema.get("description")
        strings = values if kind == "array" else [raw] if kind in (None, "string") else []
        item = schema.get("items", {}) if kind == "array" else schema
        for value in strings:
            problem = validation.string_problem(value, item)
            if problem is not None:
                raise validation.query_error(problem, name, description)
        if kind == "integer":
            try:
                typed[name] = int(raw, 10)
            except ValueError:
                raise validation.query_error(
                    "Expected type integer but found type string", name, description
                ) from None
        elif kind == "boolean":
            if raw not in ("true", "false"):
                raise validation.query_error(
                    "Expected type boolean but found type string", name, description
                )
            typed[name] = raw == "true"
        else:
            typed[name] = raw
    _require(operation_id, typed)
    return typed


def _require(operation_id: str, typed: dict[str, Any]) -> None:
    for name in validation.required_query(operation_id):
        if name not in typed:
            raise validation.query_error(f"Missing required property: {name}")
