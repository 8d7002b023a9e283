"""The fake's own control plane under ``/_fake/``: reset, snapshots, clock, faults, call log,
outbox.

These routes are not Auth0's: they live outside ``/api/v2`` so no Management API path can
collide with them, need no token (the server binds loopback by default), are never rate-limited
or faulted, and are left out of the call log. Every one calls a public method of the tenant, so
Python code does the same without HTTP (``tenant.reset()``, ``tenant.faults.add(...)``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import Auth0Error, FakeMsg
from ..snapshot import SeedError
from .routes import Answer, Call, control
from .target import ADD_TENANT_KEY, REGISTRY_KEY

if TYPE_CHECKING:
    from ..tenant import Tenant


def _body(call: Call) -> dict[str, Any]:
    body = call.json()
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body


def _bad(problem: str) -> Auth0Error:
    return Auth0Error.bad_request(FakeMsg.BAD_CONTROL_BODY.format(problem=problem))


@control("/_fake/health", "GET", endpoint="fake_health")
def health(call: Call) -> Answer:
    return 200, {"status": "ok", "domain": call.tenant.domain}


@control("/_fake/tenant", "GET", endpoint="fake_tenant")
def tenant_info(call: Call) -> Answer:
    """What a suite in another language needs to talk to this tenant."""
    tenant = call.tenant
    client = tenant.management_client
    return (
        200,
        {
            "domain": tenant.domain,
            "issuer": tenant.tokens.issuer,
            "audience": tenant.management_audience,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )


@control("/_fake/reset", "POST", endpoint="fake_reset")
def reset(call: Call) -> Answer:
    """Back to the seed (not to empty): users, connections, clients, faults, clock, call log."""
    call.tenant.reset()
    return 204, None


@control("/_fake/snapshot", "GET", "PUT", "POST", endpoint="fake_snapshot")
def snapshot(call: Call) -> Answer:
    """``GET``: the tenant as a seed document. ``PUT``/``POST``: load one (refused as a whole
    when it breaks a rule); ``?as_seed=true`` also makes it what ``reset`` returns to."""
    tenant, request = call.tenant, call.request
    if request.method == "GET":
        return 200, tenant.snapshot()
    data = call.json()
    as_seed = request.args.get("as_seed", "false") == "true"
    try:
        if as_seed:
            tenant.load_seed(data)
        else:
            tenant.restore(data)
    except SeedError as error:
        raise Auth0Error.bad_request(str(error), "invalid_seed") from None
    return 200, tenant.snapshot()


@control("/_fake/clock", "GET", "POST", endpoint="fake_clock")
def clock(call: Call) -> Answer:
    """``POST {"freeze": true, "at": "2020-01-01T00:00:00Z"}``, ``{"freeze": false}``,
    ``{"advance": 3600}``: drives ``created_at``, token ``iat``/``exp`` and their checks."""
    tenant = call.tenant
    if call.request.method == "POST":
        body = _body(call)
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
    return (
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


@control("/_fake/faults", "GET", "POST", "DELETE", endpoint="fake_faults")
def faults(call: Call) -> Answer:
    """``POST`` one rule (``operation``, ``status``, ``message``, ``error_code``, ``times``,
    ``rate``, ``latency_ms``); ``DELETE`` clears them; ``GET`` lists them."""
    tenant, method = call.tenant, call.request.method
    if method == "POST":
        try:
            tenant.faults.add(**_body(call))
        except (TypeError, ValueError, OverflowError) as error:
            raise _bad(str(error)) from None
    elif method == "DELETE":
        tenant.faults.clear()
    return 200, tenant.faults.to_json()


@control("/_fake/rate-limits", "GET", "POST", "DELETE", endpoint="fake_rate_limits")
def rate_limits(call: Call) -> Answer:
    """``POST {"limit": 2, "window": 1, "operations": ["get_users_by_id"]}`` adds a bucket that
    answers 429 when dry; ``DELETE`` removes them all."""
    tenant, method = call.tenant, call.request.method
    if method == "POST":
        body = _body(call)
        try:
            tenant.faults.limit(**body)
        except (TypeError, ValueError, OverflowError) as error:
            raise _bad(str(error)) from None
    elif method == "DELETE":
        tenant.faults.clear_limits()
    return 200, tenant.faults.to_json()


@control("/_fake/search", "GET", "POST", endpoint="fake_search")
def search(call: Call) -> Answer:
    """``POST {"lag": 2}``: writes show in ``GET /users?q=`` only after that many seconds on
    the tenant's clock, as Auth0's index lags; ``{"lag": 0}``: at once (the default)."""
    tenant = call.tenant
    if call.request.method == "POST":
        body = _body(call)
        unknown = sorted(set(body) - {"lag"})
        if unknown:
            raise _bad("unknown search field(s): " + ", ".join(unknown))
        lag = body.get("lag")
        if not isinstance(lag, (int, float)) or isinstance(lag, bool):
            raise _bad("lag must be a number of seconds")
        try:
            tenant.search_lag = lag
        except ValueError as error:
            raise _bad(str(error)) from None
    return 200, {"lag": tenant.search_lag}


@control("/_fake/jobs/settle", "POST", endpoint="fake_jobs_settle")
def settle_jobs(call: Call) -> Answer:
    """Finish every pending job now (imports, exports, verification e-mails), whatever the
    tenant clock says; without it a job finishes two seconds after creation on that clock."""
    call.tenant.settle_jobs()
    return 204, None


@control("/_fake/calls", "GET", "DELETE", endpoint="fake_calls")
def calls(call: Call) -> Answer:
    """The call log, oldest first; ``?since=N`` skips the first N; ``DELETE`` empties it."""
    tenant, request = call.tenant, call.request
    if request.method == "DELETE":
        tenant.calls.clear()
        return 204, None
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        raise _bad("since must be an integer") from None
    with tenant.lock:
        records = list(tenant.calls)[since:]
    return (
        200,
        {"total": len(tenant.calls), "calls": [r._asdict() for r in records]},
    )


@control("/_fake/outbox", "GET", "DELETE", endpoint="fake_outbox")
def outbox(call: Call) -> Answer:
    """What the tenant would have sent, oldest first, with the links and codes a user would
    follow (``?to=<address>``, ``?template=<name>`` to narrow it); ``DELETE`` empties it."""
    tenant, request = call.tenant, call.request
    if request.method == "DELETE":
        with tenant.lock:
            tenant.outbox.clear()
        return 204, None
    args = request.args
    unknown = sorted(set(args) - {"to", "recipient", "template", "kind"})
    if unknown:
        raise _bad("unknown outbox filter(s): " + ", ".join(unknown))
    to = args.get("to", args.get("recipient"))
    template = args.get("template", args.get("kind"))
    with tenant.lock:
        messages = [dict(m) for m in tenant.outbox.matching(to or None, template or None)]
    return 200, {"total": len(messages), "messages": messages}


@control("/_fake/executions", "GET", "DELETE", endpoint="fake_executions")
def executions(call: Call) -> Answer:
    """Each run of the post-login Actions, newest first: which action ran, its ``console.log``
    output, its ``api`` calls, its error and duration, and the login's result
    (``?user_id=`` narrows it); on a legacy tenant, each login's run of its Rules too
    (``rule_runs``); ``DELETE`` empties both."""
    tenant, request = call.tenant, call.request
    if request.method == "DELETE":
        with tenant.lock:
            tenant.executions.clear()
            tenant.rule_runs.clear()
        return 204, None
    unknown = sorted(set(request.args) - {"user_id"})
    if unknown:
        raise _bad("unknown executions filter(s): " + ", ".join(unknown))
    user_id = request.args.get("user_id")
    with tenant.lock:
        records = [
            e.to_record() for e in tenant.executions if user_id is None or e.user_id == user_id
        ]
        ruled = [r.to_record() for r in tenant.rule_runs if user_id is None or r.user_id == user_id]
    answer: dict[str, Any] = {"total": len(records), "executions": records}
    if tenant.rules_enabled:
        answer["rule_runs"] = ruled
    return 200, answer


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
    "audience",
    "nonce",
    "organization",
)


@control("/_fake/login", "POST", endpoint="fake_login")
def login(call: Call) -> Answer:
    """Simulate a successful login (:meth:`Tenant.login`); the body names the ``connection``
    and who logs in; the answer is the user and the tokens the app gets."""
    body = _body(call)
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
    result = call.tenant.login(connection, **body)
    return 200, result.to_json()


#: A host name (letters, digits, ``-``, ``.``, ``_``) or a bracketed IPv6 address, with an
#: optional port: what a ``Host`` header can name, so nothing else can become a tenant.
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)


@control("/_fake/tenants", "GET", "POST", endpoint="fake_tenants")
def tenants(call: Call) -> Answer:
    """``GET``: the tenants served. ``POST {"domain": ...}``: serve one more (the server
    around the app leaves its registry in the environ; an app on its own serves one tenant)."""
    environ = call.request.environ
    registry = environ.get(REGISTRY_KEY)
    if registry is None:
        return 200, {"tenants": [_describe(call.tenant)]}
    if call.request.method == "GET":
        return 200, {"tenants": [_describe(t) for t in registry]}
    body = call.json()
    domain = body.get("domain") if isinstance(body, dict) else None
    make_tenant = environ.get(ADD_TENANT_KEY)
    if not isinstance(domain, str) or not domain or make_tenant is None:
        raise _bad("a domain is required")
    if not _DOMAIN.fullmatch(domain):
        raise _bad(FakeMsg.BAD_DOMAIN)
    if domain in registry:
        raise Auth0Error(409, FakeMsg.TENANT_EXISTS.format(domain=domain))
    return 201, _describe(make_tenant(domain))


def _describe(tenant: Tenant) -> dict[str, Any]:
    return {
        "domain": tenant.domain,
        "audience": tenant.management_audience,
        "client_id": tenant.management_client.client_id,
        "users": len(tenant.users),
    }
