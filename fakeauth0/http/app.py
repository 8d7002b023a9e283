"""The WSGI app: one route table, one way in (authentication), one way out (Auth0's errors).

A request is matched against a route table built from Auth0's spec; the bearer token becomes a
:class:`~fakeauth0.tokens.Principal`; the operation's scopes (the spec's ``security``) are checked;
the handler calls the tenant; any :class:`Auth0Error` becomes Auth0's JSON envelope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from ..errors import Auth0Error, Msg, OAuthError
from ..spec import load_spec
from ..tokens import Principal
from . import validation
from .routing import Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..tenant import Tenant

log = logging.getLogger("fakeauth0.http")

MAX_BODY = 1024 * 1024  # Auth0 refuses payloads over 1 MB on every endpoint (behaviour.md §3.5)
JSON_TYPE = "application/json; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"

Handler = Callable[["Call"], tuple[int, Any]]
#: Endpoints of the fake's control plane (``/_fake/``, http/control.py) start with this.
CONTROL_PREFIX = "fake_"
#: operationId -> handler, filled by ``@operation`` in management.py.
HANDLERS: dict[str, Handler] = {}


def operation(operation_id: str) -> Callable[[Handler], Handler]:
    """Register the handler of one Management API operation (named as in the spec)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[operation_id] = handler
        return handler

    return register


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]


class JsonResponse(Response):
    """A JSON body held as bytes, with its Content-Length: answered without werkzeug's generic
    header fix-ups (a copy of every header, Location rewriting), a fifth of a cheap request."""

    @classmethod
    def of(cls, status: int, data: bytes) -> JsonResponse:
        """What ``JsonResponse(data, status=status, content_type=JSON_TYPE)`` builds (same
        headers in the same order), without ``Response.__init__``'s generic argument handling,
        which was a tenth of a cheap request."""
        response = cls.__new__(cls)
        response.headers = headers = Headers()
        # Header values we make (no line breaks): werkzeug's per-value check is moot.
        headers._list = [("Content-Type", JSON_TYPE), ("Content-Length", str(len(data)))]
        response.status = status
        response.direct_passthrough = False
        response._on_close = []
        response.response = [data]
        return response

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(self.status, self.headers.to_wsgi_list())
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return self.response  # type: ignore[return-value]  (set_data keeps a list of bytes)


#: ``json.dumps(body, separators=(",", ":"), ensure_ascii=False)`` makes a new encoder on
#: every call; one made once encodes the same bytes.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 204 or body is None:
        return Response(status=status, headers=headers)
    data = _encode(body).encode()
    if not headers:
        return JsonResponse.of(status, data)
    return JsonResponse(data, status=status, content_type=JSON_TYPE, headers=headers)


def error_response(error: Auth0Error | OAuthError) -> Response:
    headers = getattr(error, "headers", None)
    return json_response(error.status, error.body(), headers)


def _route_table() -> tuple[list[tuple[str, str, list[str]]], dict[str, Operation]]:
    """Every route as ``(rule, endpoint, methods)`` in match order, and the operations."""
    rules = []
    operations: dict[str, Operation] = {}
    for entry in load_spec()["operations"]:
        path = "/api/v2" + entry["path"].replace("{", "<").replace("}", ">")
        op = Operation(entry["operationId"], entry["method"], entry["path"], tuple(entry["scopes"]))
        operations[op.operation_id] = op
        rules.append((path, op.operation_id, [op.method]))
    from . import authentication, control

    for path, (endpoint, methods) in authentication.ROUTES.items():
        rules.append((path, endpoint, methods))
    for path, (endpoint, methods) in control.ROUTES.items():
        rules.append((path, endpoint, methods))
    from .. import dashboard

    for path, (endpoint, methods) in dashboard.ROUTES.items():
        rules.append((path, endpoint, methods))
    return rules, operations


def _build_routes() -> tuple[Router, dict[str, Operation]]:
    rules, operations = _route_table()
    return Router(rules), operations


class Call:
    """One Management API request being served: the tenant, who calls, and typed inputs."""

    def __init__(
        self,
        tenant: Tenant,
        request: Request,
        op: Operation,
        principal: Principal,
        path_args: dict[str, str],
    ) -> None:
        self.tenant = tenant
        self.request = request
        self.operation = op
        self.principal = principal
        self.args = path_args
        self.query = _typed_query(op.operation_id, request)

    def body(self) -> dict[str, Any]:
        """The JSON (or form) body, checked against the operation's schema in the spec."""
        body = read_body(self.request, self.operation.operation_id)
        validation.validate_body(self.operation.operation_id, body)
        return body

    def require_subject(self, user_id: str, self_scopes: Iterable[str]) -> None:
        """A token holding only ``*:current_user*`` scopes may act on its own ``sub`` only."""
        own = set(self_scopes)
        broad = [s for s in self.operation.scopes if s not in own]
        if not self.principal.has_any(broad) and self.principal.sub != user_id:
            raise Auth0Error(403, Msg.SUBJECT_MISMATCH, "insufficient_scope")


def _typed_query(operation_id: str, request: Request) -> dict[str, Any]:
    """Query parameters checked against the spec: unknown names and wrong types are refused."""
    if not request.environ.get("QUERY_STRING"):
        return {}  # most calls carry none: skip parsing
    declared = validation.query_parameters(operation_id) if operation_id in _served() else {}
    typed: dict[str, Any] = {}
    for name in request.args:
        param = declared.get(name)
        if param is None:
            raise validation.query_error(f"Additional properties not allowed: {name}")
        values = request.args.getlist(name)
        raw = values[-1]
        schema = param.get("schema", {})
        kind = schema.get("type")
        description = param.get("description") or schema.get("description")
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
    return typed


def _served() -> dict[str, Any]:
    return load_spec()["served"]


def read_body(request: Request, operation_id: str | None = None) -> Any:
    """Parse a JSON or form body within Auth0's limits; errors are Auth0's, never a 500."""
    raw = _raw_body(request)
    if len(raw) > MAX_BODY:
        raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
    mimetype = request.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype == FORM_TYPE:
        return _coerce_form(request, operation_id)
    if mimetype != "application/json" and not (mimetype == "" and not raw):
        raise Auth0Error(415, Msg.UNSUPPORTED_MEDIA)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
        raise Auth0Error.bad_request(Msg.BAD_JSON, "invalid_body") from None


def _raw_body(request: Request) -> bytes:
    """The body's bytes, kept for later readers (``request.form`` parses them again).

    A plain ``Content-Length`` body is read straight from ``wsgi.input``: werkzeug's stream
    wrappers and header parsing were a quarter of a create. Anything else (chunked, no length)
    goes through werkzeug, which knows those cases.
    """
    cached = getattr(request, "_cached_data", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    environ = request.environ
    text = environ.get("CONTENT_LENGTH")
    if text and text.isdigit() and "HTTP_TRANSFER_ENCODING" not in environ:
        length = int(text)
        if length > MAX_BODY:
            raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
        raw = environ["wsgi.input"].read(length) if length else b""
        request._cached_data = raw
        return raw
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
    return request.get_data(cache=True)


def _coerce_form(request: Request, operation_id: str | None) -> dict[str, Any]:
    """Form values are strings; booleans and integers the schema expects are converted."""
    schema = validation.body_schema(operation_id) if operation_id else None
    properties = _resolve(schema or {}).get("properties", {})
    body: dict[str, Any] = {}
    for name, value in request.form.items():
        kind = _resolve(properties.get(name, {})).get("type")
        if kind == "boolean" and value in ("true", "false"):
            body[name] = value == "true"
        elif kind == "integer" and value.lstrip("-").isdigit():
            body[name] = int(value)
        else:
            body[name] = value
    return body


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return load_spec()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def authenticate(tenant: Tenant, request: Request) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if not header or scheme.lower() != "bearer":
        raise Auth0Error(401, Msg.MISSING_AUTH)
    return tenant.tokens.principal(token.strip())


class FakeAuth0App:
    """The WSGI application serving one tenant: Management API v2 and the token endpoints."""

    #: The route table (werkzeug-compatible ``bind(...).match(path, method)``), built once.
    url_map: Router | None = None
    adapter: Router | None = None
    operations: dict[str, Operation] = {}

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        if FakeAuth0App.url_map is None:
            from . import identities, management  # noqa: F401  (registers the handlers)

            FakeAuth0App.url_map, FakeAuth0App.operations = _build_routes()
            FakeAuth0App.adapter = FakeAuth0App.url_map

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        operation_id = None
        rate_headers: dict[str, str] | None = None
        try:
            assert self.adapter is not None
            try:
                # Rules match on path and method only, so one adapter bound once serves all.
                endpoint, args = self.adapter.match(request.path, request.method)
            except NotFound:
                raise Auth0Error(404, Msg.NOT_FOUND_ROUTE) from None
            except MethodNotAllowed as refused:
                allow = ", ".join(sorted(refused.valid_methods or ()))
                headers = {"Allow": allow} if allow else None  # RFC 9110 §15.5.6
                raise Auth0Error(405, Msg.METHOD_NOT_ALLOWED, headers=headers) from None
            operation_id = endpoint
            if not endpoint.startswith(CONTROL_PREFIX):
                # Injected faults, latency and rate limits (fakeauth0.faults); may raise.
                rate_headers = self.tenant.faults.admit(endpoint)
            op = self.operations.get(endpoint)
            if op is None:
                from . import authentication, control

                handler = authentication.HANDLERS.get(endpoint) or control.HANDLERS.get(endpoint)
                if handler is None:  # the dashboard (fakeauth0/dashboard), HTML, not JSON
                    from .. import dashboard

                    response = dashboard.serve(endpoint, self.tenant, request)
                else:
                    response = handler(self.tenant, request)
            else:
                response = self._management(request, op, args)
        except (Auth0Error, OAuthError) as error:
            response = error_response(error)
        except HTTPException as error:  # werkzeug's own refusals (e.g. bad form encoding)
            status = error.code or 400
            response = error_response(Auth0Error(status, error.name))
        except Exception:  # a bug of ours: say so in Auth0's shape, never a traceback page
            log.exception("fakeauth0 failed on %s %s", request.method, request.path)
            response = error_response(Auth0Error(500, "Internal Server Error"))
        if operation_id is None or not operation_id.startswith(CONTROL_PREFIX):
            # Auth0 sends X-RateLimit-* on every response; the control plane is not Auth0's.
            sent = response.headers
            # A 429 or fault carries its own. (Not ``in sent``: werkzeug answers a miss by
            # raising and catching a BadRequestKeyError, which costs more than this scan.)
            if not any(name.lower() == "x-ratelimit-limit" for name, _ in sent._list):
                extra = rate_headers or self.tenant.faults.peek(operation_id)
                # ``headers.extend`` checks each value for line breaks; these are numbers we
                # formatted, and the check was a tenth of a cheap call.
                sent._list.extend(extra.items())
            self.tenant.record_call(
                request.method, request.path, operation_id, response.status_code
            )
        return response

    def _management(self, request: Request, op: Operation, args: dict[str, str]) -> Response:
        handler = HANDLERS.get(op.operation_id)
        if handler is None:
            raise Auth0Error(
                501,
                Msg.NOT_IMPLEMENTED_OPERATION.format(
                    operation=op.operation_id, method=op.method, path="/api/v2" + op.path
                ),
                "not_implemented",
            )
        principal = authenticate(self.tenant, request)
        if op.scopes and not principal.has_any(op.scopes):
            raise Auth0Error(
                403,
                Msg.INSUFFICIENT_SCOPE.format(scopes=",".join(op.scopes)),
                "insufficient_scope",
            )
        status, body = handler(Call(self.tenant, request, op, principal, args))
        return json_response(status, body)


def create_app(tenant: Tenant) -> FakeAuth0App:
    return FakeAuth0App(tenant)
