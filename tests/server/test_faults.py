"""Injected faults and Auth0's rate limiting (docs/auth0-behaviour.md#rate-limits), in-process and
with the SDK."""

from __future__ import annotations

import time

import httpx
import pytest
from auth0.management.client import Auth0
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from tests.server.serving import Served
from tests.support import DB, PASSWORD

TOO_MANY = {
    "statusCode": 429,
    "error": "Too Many Requests",
    "message": "Global limit has been reached",
    "errorCode": "too_many_requests",
}


def _auth(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": "Bearer " + tenant.management_token()}


def test_every_auth0_response_carries_rate_limit_headers(
    tenant: Tenant, http: httpx.Client
) -> None:
    now = time.time()
    for response in (
        http.get("/api/v2/users", headers=_auth(tenant)),
        http.get("/api/v2/users/auth0%7Cnobody", headers=_auth(tenant)),  # 404
        http.get("/api/v2/users"),  # 401
        http.get("/no/such/route"),
    ):
        limit = int(response.headers["X-RateLimit-Limit"])
        remaining = int(response.headers["X-RateLimit-Remaining"])
        reset = int(response.headers["X-RateLimit-Reset"])
        assert 0 <= remaining <= limit
        assert now - 1 <= reset <= now + 60  # UTC epoch seconds, not seconds to wait
    # The control plane is the fake's own, not Auth0's: no rate limit headers there.
    assert "X-RateLimit-Limit" not in http.get("/_fake/health").headers


def test_a_dry_bucket_answers_auth0s_429(tenant: Tenant, http: httpx.Client) -> None:
    tenant.faults.limit(2, 60.0, operations=["get_users"])
    statuses = [http.get("/api/v2/users", headers=_auth(tenant)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json() == TOO_MANY
    assert statuses[2].headers["X-RateLimit-Remaining"] == "0"
    assert int(statuses[2].headers["X-RateLimit-Reset"]) > time.time()
    # Other operations are in no bucket: still served.
    assert http.get("/api/v2/users/auth0%7Cx", headers=_auth(tenant)).status_code == 404
    assert [c.status for c in tenant.calls][-2:] == [429, 404]


def test_a_bucket_refills_with_time(tenant: Tenant, http: httpx.Client) -> None:
    tenant.faults.limit(1, 0.2)
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 429
    time.sleep(0.25)
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200


def test_one_shot_fault_fails_once_then_serves(tenant: Tenant, http: httpx.Client) -> None:
    tenant.faults.add(operation="get_users", status=503, message="Service Unavailable")
    first = http.get("/api/v2/users", headers=_auth(tenant))
    assert first.status_code == 503
    assert first.json() == {
        "statusCode": 503,
        "error": "Service Unavailable",
        "message": "Service Unavailable",
    }
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200
    assert tenant.faults.rules == []  # spent


def test_fault_counts_rates_and_operations(tenant: Tenant, http: httpx.Client) -> None:
    tenant.faults.add(operation="post_users", status=500, times=2, error_code="boom")
    body = {"connection": DB, "email": "a@example.com", "password": PASSWORD}
    # Another operation is untouched.
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200
    codes = [http.post("/api/v2/users", json=body, headers=_auth(tenant)) for _ in range(3)]
    assert [r.status_code for r in codes] == [500, 500, 201]
    assert codes[0].json()["errorCode"] == "boom"
    tenant.faults.add(operation="get_users", status=502, times=None, rate=0.0)
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200  # rate 0: never


@pytest.mark.parametrize("spelling", ["get_users-by-email", "get_users_by_email"])
def test_operation_names_take_the_underscore_spelling_too(
    tenant: Tenant, http: httpx.Client, spelling: str
) -> None:
    """The spec's operationId keeps the path's hyphen (``get_users-by-email``); the
    all-underscore spelling names the same operation, for faults and rate limits alike."""
    tenant.faults.add(operation=spelling, status=503)
    tenant.faults.limit(1, 60.0, operations=[spelling])
    url = "/api/v2/users-by-email?email=a%40example.com"
    statuses = [http.get(url, headers=_auth(tenant)).status_code for _ in range(3)]
    assert statuses == [503, 429, 429]
    assert tenant.faults.buckets[0].to_json()["operations"] == ["get_users-by-email"]
    assert [c.operation for c in tenant.calls] == ["get_users-by-email"] * 3


def test_injected_latency_delays_the_answer(tenant: Tenant, http: httpx.Client) -> None:
    tenant.faults.add(operation="get_users", status=None, latency_ms=150)
    started = time.perf_counter()
    assert http.get("/api/v2/users", headers=_auth(tenant)).status_code == 200
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    http.get("/api/v2/users", headers=_auth(tenant))
    assert time.perf_counter() - started < 0.15  # the rule was one-shot


@pytest.mark.parametrize(
    "body",
    [{"status": 200}, {"rate": 2}, {"times": 0}, {"operation": "x", "colour": "red"}],
)
def test_bad_fault_rules_are_refused(http: httpx.Client, body: dict[str, object]) -> None:
    response = http.post("/_fake/faults", json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid control request")


# -- end to end: the CLI and the official SDK's own retry -----------------------------------------


def _sdk(served: Served) -> Auth0:
    return Auth0(base_url=served.url + "/api/v2", token=served.token())


def test_sdk_retries_a_429_after_x_ratelimit_reset(served: Served) -> None:
    sdk = _sdk(served)
    user = sdk.users.create(connection=DB, email="retry@example.com", password=PASSWORD)
    status, _, _ = served.call(
        "POST", "/_fake/rate-limits", {"limit": 1, "window": 1, "operations": ["get_users_by_id"]}
    )
    assert status == 200
    assert sdk.users.get(user.user_id).email == "retry@example.com"
    started = time.monotonic()
    assert sdk.users.get(user.user_id).email == "retry@example.com"  # 429, waits, retries
    assert time.monotonic() - started < 5
    _, log, _ = served.call("GET", "/_fake/calls")
    gets = [c["status"] for c in log["calls"] if c["operation"] == "get_users_by_id"]
    assert gets[:2] == [200, 429] and gets[-1] == 200


def test_sdk_gives_up_after_its_retries_on_a_persistent_fault(served: Served) -> None:
    sdk = _sdk(served)
    served.call("POST", "/_fake/faults", {"operation": "get_users", "status": 503, "times": 10})
    with pytest.raises(ApiError) as failed:
        sdk.users.list()
    assert failed.value.status_code == 503
    _, log, _ = served.call("GET", "/_fake/calls")
    assert [c["status"] for c in log["calls"] if c["operation"] == "get_users"] == [503] * 3
    served.call("DELETE", "/_fake/faults")
    assert sdk.users.list() is not None
