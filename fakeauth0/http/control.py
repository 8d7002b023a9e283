"""The fake's own control plane under ``/_fake/``: reset, snapshots, clock, faults, call log.

These routes are not Auth0's: they live outside ``/api/v2`` so no Management API path can
collide with them, need no token (the server binds loopback by default), are never rate-limited
or faulted, and are left out of the call log. Every one calls a public method of the tenant, so
Python code does the same without HTTP (``tenant.reset()``, ``tenant.faults.add(...)``).
Handlers take ``(tenant, request)``, as those of ``authentication.py`` do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ..errors import Auth0Error, FakeMsg
from ..snapshot import SeedError
from .app import json_response, read_body

if TYPE_CHECKING:
    from ..tenant import Tenant

ControlHandler = Callable[["Tenant", Request], Response]
PREFIX = "/_fake/"


def _body(request: Request) -> dict[str, Any]:
    body = read_body(request)
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body


def _bad(problem: str) -> Auth0Error:
    return Auth0Error.bad_request(FakeMsg.BAD_CONTROL_BODY.format(problem=problem))


def health(tenant: Tenant, request: Request) -> Response:
    return json_response(200, {"status": "ok", "domain": tenant.domain})


def tenant_info(tenant: Tenant, request: Request) -> Response:
    """What a suite in another language needs to talk to this tenant."""
    client = tenant.management_client
    return json_response(
        200,
        {
            "domain": tenant.domain,
            "issuer": tenant.tokens.issuer,
            "audience": tenant.management_audience,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )


def reset(tenant: Tenant, request: Request) -> Response:
    """Back to the seed (not to empty): users, connections, clients, faults, clock, call log."""
    tenant.reset()
    return json_response(204, None)


def snapshot(tenant: Tenant, request: Request) -> Response:
    """``GET``: the tenant as a seed document. ``PUT``/``POST``: load one (refused as a whole
    when it breaks a rule); ``?as_seed=true`` also makes it what ``reset`` returns to."""
    if request.method == "GET":
        return json_response(200, tenant.snapshot())
    data = read_body(request)
    as_seed = request.args.get("as_seed", "false") == "true"
    try:
        if as_seed:
            tenant.load_seed(data)
        else:
            tenant.restore(data)
    except SeedError as error:
        raise Auth0Error.bad_request(str(error), "invalid_seed") from None
    return json_response(200, tenant.snapshot())


def clock(tenant: Tenant, request: Request) -> Response:
    """``POST {"freeze": true, "at": "2020-01-01T00:00:00Z"}``, ``{"freeze": false}``,
    ``{"advance": 3600}``: drives ``created_at``, token ``iat``/``exp`` and their checks."""
    if request.method == "POST":
        body = _body(request)
        unknown = sorted(set(body) - {"freeze", "at", "advance"})
        if unknown:
            raise _bad("unknown clock field(s): " + ", ".join(unknown))
        with tenant.lock:
            try:
                if body.get("freeze") is True:
                    tenant.clock.freeze(_moment(body.get("at")))
                elif body.get("freeze") is False:
                    tenant.clock.unfreeze()
                if "advance" in body:
                    if not isinstance(body["advance"], (int, float)) or isinstance(
                        body["advance"], bool
                    ):
                        raise _bad("advance must be a number of seconds")
                    tenant.clock.advance(float(body["advance"]))
            except (ValueError, OverflowError) as error:  # a moment out of the clock's range
                raise _bad(str(error)) from None
    return json_response(
        200,
        {"now": tenant.clock.iso(), "epoch": tenant.clock.time(), "frozen": tenant.clock.frozen},
    )


def _moment(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise _bad("at must be epoch seconds or an ISO-8601 date")


def faults(tenant: Tenant, request: Request) -> Response:
    """``POST`` one rule (``operation``, ``status``, ``message``, ``error_code``, ``times``,
    ``rate``, ``latency_ms``); ``DELETE`` clears them; ``GET`` lists them."""
    if request.method == "POST":
        try:
            tenant.faults.add(**_body(request))
        except (TypeError, ValueError, OverflowError) as error:
            raise _bad(str(error)) from None
    elif request.method == "DELETE":
        tenant.faults.clear()
    return json_response(200, tenant.faults.to_json())


def rate_limits(tenant: Tenant, request: Request) -> Response:
    """``POST {"limit": 2, "window": 1, "operations": ["get_users_by_id"]}`` adds a bucket that
    answers 429 when dry; ``DELETE`` removes them all."""
    if request.method == "POST":
        body = _body(request)
        try:
            tenant.faults.limit(**body)
        except (TypeError, ValueError, OverflowError) as error:
            raise _bad(str(error)) from None
    elif request.method == "DELETE":
        tenant.faults.clear_limits()
    return json_response(200, tenant.faults.to_json())


def calls(tenant: Tenant, request: Request) -> Response:
    """The call log, oldest first; ``?since=N`` skips the first N; ``DELETE`` empties it."""
    if request.method == "DELETE":
        tenant.calls.clear()
        return json_response(204, None)
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        raise _bad("since must be an integer") from None
    with tenant.lock:
        records = list(tenant.calls)[since:]
    return json_response(
        200,
        {"total": len(tenant.calls), "calls": [dataclasses.asdict(r) for r in records]},
    )


_JSON_TYPE = {str: "a string", int: "an integer", dict: "an object"}
_LOGIN_FIELDS = (
    "connection",
    "user_id",
    "email",
    "username",
    "password",
    "profile",
    "ip",
    "client_id",
    "scope",
)


def login(tenant: Tenant, request: Request) -> Response:
    """``POST /_fake/login``: simulate a successful login (:meth:`Tenant.login`); the body names
    the ``connection`` and who logs in; the answer is the user and the tokens the app gets.

    (Owned by the logins work; rebuilt here after this file was overwritten by mistake.)
    """
    body = _body(request)
    unknown = sorted(set(body) - set(_LOGIN_FIELDS))
    if unknown:
        raise _bad("unknown login field(s): " + ", ".join(unknown))
    connection = body.pop("connection", None)
    if not isinstance(connection, str) or not connection:
        raise _bad("connection is required")
    for name, value in body.items():
        expected = {"user_id": (str, int), "profile": (dict,)}.get(name, (str,))
        if not isinstance(value, expected) or isinstance(value, bool):
            raise _bad(f"{name} must be " + " or ".join(_JSON_TYPE[t] for t in expected))
    result = tenant.login(connection, **body)
    return json_response(200, result.to_json())


ROUTES: dict[str, tuple[str, list[str]]] = {
    "/_fake/login": ("fake_login", ["POST"]),
    "/_fake/health": ("fake_health", ["GET"]),
    "/_fake/tenant": ("fake_tenant", ["GET"]),
    "/_fake/reset": ("fake_reset", ["POST"]),
    "/_fake/snapshot": ("fake_snapshot", ["GET", "PUT", "POST"]),
    "/_fake/clock": ("fake_clock", ["GET", "POST"]),
    "/_fake/faults": ("fake_faults", ["GET", "POST", "DELETE"]),
    "/_fake/rate-limits": ("fake_rate_limits", ["GET", "POST", "DELETE"]),
    "/_fake/calls": ("fake_calls", ["GET", "DELETE"]),
    # Served by the server around the tenants' apps (http/hosts.py), which holds the registry.
    "/_fake/tenants": ("fake_tenants", ["GET", "POST"]),
}
HANDLERS: dict[str, ControlHandler] = {
    "fake_login": login,
    "fake_health": health,
    "fake_tenant": tenant_info,
    "fake_reset": reset,
    "fake_snapshot": snapshot,
    "fake_clock": clock,
    "fake_faults": faults,
    "fake_rate_limits": rate_limits,
    "fake_calls": calls,
}
