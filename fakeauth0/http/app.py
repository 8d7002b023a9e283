"""The WSGI app: one route table, one way in (authentication), one way out (Auth0's errors).

A request is matched against a route table built from Auth0's spec; the bearer token becomes a
:class:`~fakeauth0.tokens.Principal`; the operation's scopes (the spec's ``security``) are checked;
the handler calls the tenant; any :class:`Auth0Error` becomes Auth0's JSON envelope.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from ..errors import Auth0Error, Msg, OAuthError
from ..spec import load_spec
from ..tokens import Principal
from . import target, validation
from .routing import Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..tenant import Tenant

log = logging.getLogger("fakeauth0.http")

MAX_BODY = 1024 * 1024  # Auth0 refuses payloads over 1 MB on every endpoint (behaviour.md §3.5)
#: The deepest nesting of objects and arrays a JSON body may have (the body itself is level 1).
#: Auth0 documents none; every part of the fake (search, snapshots, the state file, the
#: dashboard) handles this depth with room to spare, and deeper bodies are refused at the door
#: (CHOICES.md).
MAX_DEPTH = 32
JSON_TYPE = "application/json; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
#: Where the Management API lives: an unknown path below it is an operation not served (501).
MANAGEMENT_PREFIX = "/api/v2/"

Handler = Callable[["Call"], tuple[int, Any]]
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


class FakeRequest(Request):
    """werkzeug's request with Auth0's body limit on every framing (chunked included) and on
    form parsing, enforced while reading: no body larger than the limit is ever held whole."""

    max_content_length = MAX_BODY
    max_form_memory_size = MAX_BODY


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


def _route_table() -> tuple[list[tuple[str, str, list[str]]], dict[str, Operation], dict[str, str]]:
    """Every route as ``(rule, endpoint, methods)`` in match order, the operations, and the
    plane of every endpoint."""
    rules = []
    operations: dict[str, Operation] = {}
    planes: dict[str, str] = {}
    for entry in load_spec()["operations"]:
        path = "/api/v2" + entry["path"].replace("{", "<").replace("}", ">")
        op = Operation(entry["operationId"], entry["method"], entry["path"], tuple(entry["scopes"]))
        operations[op.operation_id] = op
        planes[op.operation_id] = target.MANAGEMENT
        rules.append((path, op.operation_id, [op.method]))
    from .. import dashboard
    from . import authentication, control

    for plane, table in (
        (target.AUTHENTICATION, authentication.ROUTES),
        (target.CONTROL, control.ROUTES),
        (target.DASHBOARD, dashboard.ROUTES),
    ):
        for path, (endpoint, methods) in table.items():
            rules.append((path, endpoint, methods))
            planes[endpoint] = plane
    return rules, operations, planes


def _build_routes() -> tuple[Router, dict[str, Operation], dict[str, str]]:
    rules, operations, planes = _route_table()
    return Router(rules), operations, planes


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
    raw = raw_body(request)
    if len(raw) > MAX_BODY:
        raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
    mimetype = request.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype == FORM_TYPE:
        return _coerce_form(request, operation_id)
    if mimetype != "application/json" and not (mimetype == "" and not raw):
        raise Auth0Error(415, Msg.UNSUPPORTED_MEDIA)
    if not raw.strip():
        return {}
    return parse_json(raw)


def parse_json(raw: bytes | str) -> Any:
    """A JSON document every part of the fake can store, search, snapshot and show; anything
    else is Auth0's 400 payload error: not JSON, ``NaN`` or ``Infinity`` (not JSON either,
    though Python's parser takes them), a number too large for a float, a string that is not
    Unicode (a lone surrogate, escaped or raw), or nesting deeper than :data:`MAX_DEPTH`."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
        raise Auth0Error.bad_request(Msg.BAD_JSON, "invalid_body") from None
    if not sound_json(value):
        raise Auth0Error.bad_request(Msg.BAD_JSON, "invalid_body")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def sound_json(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests at most ``max_depth`` levels, holds only finite numbers, and
    only strings (keys included) that UTF-8 can encode. Iterative: no depth can overflow it."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            if depth > max_depth:
                return False
            for key, child in item.items():
                if not key.isascii() and not _unicode(key):
                    return False
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > max_depth:
                return False
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            if not item.isascii() and not _unicode(item):
                return False
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def raw_body(request: Request) -> bytes:
    """The body's bytes, kept for later readers (``request.form`` parses them again).

    A plain ``Content-Length`` body is read straight from ``wsgi.input``: werkzeug's stream
    wrappers and header parsing were a quarter of a create. Anything else (chunked, no length)
    goes through werkzeug, which knows those cases.
    """
    cached = getattr(request, "_cached_data", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    environ = request.environ
    if environ.get("wsgi.input_terminated"):  # chunked: read no further than the limit
        if environ.get(BODY_REFUSED_KEY):  # a reader before found it too large, and stopped there
            raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
        try:
            raw = _read_bounded(environ["wsgi.input"])
        except Auth0Error:
            environ[BODY_REFUSED_KEY] = True
            raise
        request._cached_data = raw
        return raw
    text = environ.get("CONTENT_LENGTH")
    if text and text.isascii() and text.isdigit() and "HTTP_TRANSFER_ENCODING" not in environ:
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


#: Set in the environ when a chunked body was found too large (the stream is part-read).
BODY_REFUSED_KEY = "fakeauth0.body_refused"


def _read_bounded(stream: Any) -> bytes:
    """A stream's bytes up to :data:`MAX_BODY`; one byte more is Auth0's 413, and the rest is
    never read (the server closes such a connection)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(65536, MAX_BODY + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
        chunks.append(chunk)


def _coerce_form(request: Request, operation_id: str | None) -> dict[str, Any]:
    """Form values are strings; booleans and integers the schema expects are converted."""
    schema = validation.body_schema(operation_id) if operation_id else None
    properties = _resolve(schema or {}).get("properties", {})
    body: dict[str, Any] = {}
    for name, value in request.form.items():
        kind = _resolve(properties.get(name, {})).get("type")
        if kind == "boolean" and value in ("true", "false"):
            body[name] = value == "true"
        elif kind == "integer" and value.lstrip("-").isascii() and value.lstrip("-").isdigit():
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

    #: The route table (werkzeug-compatible ``match(path, method)``), built once.
    url_map: Router | None = None
    adapter: Router | None = None
    operations: dict[str, Operation] = {}
    #: endpoint -> plane (:mod:`fakeauth0.http.target`).
    planes: dict[str, str] = {}

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        if FakeAuth0App.url_map is None:
            from . import identities, management  # noqa: F401  (registers the handlers)

            FakeAuth0App.url_map, FakeAuth0App.operations, FakeAuth0App.planes = _build_routes()
            FakeAuth0App.adapter = FakeAuth0App.url_map

    def route_of(self, environ: WSGIEnvironment) -> target.Target:
        """The request's route, decided on its canonical path (and left in the environ, with
        ``PATH_INFO`` made canonical, so everything after reads the same decision)."""
        decided: target.Target | None = environ.get(target.ENVIRON_KEY)
        if decided is not None:
            return decided
        raw = environ.get("PATH_INFO", "")
        path = target.canonical(raw)
        if path != raw:
            environ["PATH_INFO"] = path
        text = path.encode("latin-1").decode("utf-8", "replace") if not path.isascii() else path
        assert self.url_map is not None
        decided = target.resolve(
            self.url_map, self.planes, text, environ.get("REQUEST_METHOD", "GET")
        )
        environ[target.ENVIRON_KEY] = decided
        return decided

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = FakeRequest(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        routed = self.route_of(request.environ)
        endpoint = routed.endpoint
        # The fake's own planes are neither faulted, rate-limited nor logged as Auth0 calls.
        auth0_plane = routed.plane not in target.FAKE_PLANES
        rate_headers: dict[str, str] | None = None
        try:
            refused = routed.refusal
            if isinstance(refused, MethodNotAllowed):
                allow = ", ".join(sorted(refused.valid_methods or ()))
                headers = {"Allow": allow} if allow else None  # RFC 9110 §15.5.6
                raise Auth0Error(405, Msg.METHOD_NOT_ALLOWED, headers=headers)
            if refused is not None or endpoint is None:
                if routed.path.startswith(MANAGEMENT_PREFIX):
                    message = Msg.NOT_IMPLEMENTED_PATH.format(
                        method=request.method, path=request.path
                    )
                    raise Auth0Error(501, message, "not_implemented")
                raise Auth0Error(404, Msg.NOT_FOUND_ROUTE)
            if auth0_plane:
                # Injected faults, latency and rate limits (fakeauth0.faults); may raise.
                rate_headers = self.tenant.faults.admit(endpoint)
            plane = routed.plane
            if plane == target.MANAGEMENT:
                response = self._management(request, self.operations[endpoint], routed.args)
            elif plane == target.AUTHENTICATION:
                from . import authentication

                response = authentication.HANDLERS[endpoint](self.tenant, request)
            elif plane == target.CONTROL:
                from . import control

                handler = control.HANDLERS.get(endpoint)
                if handler is None:  # served by the server around the app (http/hosts.py)
                    raise Auth0Error(404, Msg.NOT_FOUND_ROUTE)
                response = handler(self.tenant, request)
            else:  # the dashboard (fakeauth0/dashboard), HTML, not JSON
                from .. import dashboard

                response = dashboard.serve(endpoint, self.tenant, request)
        except (Auth0Error, OAuthError) as error:
            response = error_response(error)
        except HTTPException as error:  # werkzeug's own refusals (e.g. bad form encoding)
            status = error.code or 400
            message = Msg.PAYLOAD_TOO_LARGE if status == 413 else error.name
            response = error_response(Auth0Error(status, message))
        except Exception:  # a bug of ours: say so in Auth0's shape, never a traceback page
            log.exception("fakeauth0 failed on %s %s", request.method, request.path)
            response = error_response(Auth0Error(500, "Internal Server Error"))
        if auth0_plane:
            # Auth0 sends X-RateLimit-* on every response; the control plane is not Auth0's.
            sent = response.headers
            # A 429 or fault carries its own. (Not ``in sent``: werkzeug answers a miss by
            # raising and catching a BadRequestKeyError, which costs more than this scan.)
            if not any(name.lower() == "x-ratelimit-limit" for name, _ in sent._list):
                extra = rate_headers or self.tenant.faults.peek(endpoint)
                # ``headers.extend`` checks each value for line breaks; these are numbers we
                # formatted, and the check was a tenth of a cheap call.
                sent._list.extend(extra.items())
            self.tenant.record_call(request.method, request.path, endpoint, response.status_code)
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
