"""Several tenants in one server: chosen by ``Host`` or ``/_tenants/<domain>/``, each its own."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.server.serving import Served
from tests.support import DB, PASSWORD

pytestmark = pytest.mark.serve("--tenant", "a.example.com", "--tenant", "b.example.com")


def _request(
    served: Served, method: str, path: str, host: str, token: str, body: object = None
) -> tuple[int, object]:
    hostport = served.url.removeprefix("http://")
    conn = http.client.HTTPConnection(hostport, timeout=10)
    headers = {"Host": host, "Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, json.loads(raw) if raw else None


def test_each_tenant_has_its_own_users_keys_and_credentials(served: Served) -> None:
    assert {"a.example.com", "b.example.com"} <= set(served.tenants)
    a, b = served.tenants["a.example.com"], served.tenants["b.example.com"]
    assert a["client_id"] != b["client_id"]
    assert a["audience"] == "https://a.example.com/api/v2/"
    token_a, token_b = served.token("a.example.com"), served.token("b.example.com")
    body = {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    status, ann = _request(served, "POST", "/api/v2/users", "a.example.com", token_a, body)
    assert status == 201
    user_path = "/api/v2/users/" + ann["user_id"].replace("|", "%7C")  # type: ignore[index]
    assert _request(served, "GET", user_path, "a.example.com", token_a)[0] == 200
    assert _request(served, "GET", user_path, "b.example.com", token_b)[0] == 404
    # A's token is signed by A's key for A's audience: B refuses it.
    assert _request(served, "GET", "/api/v2/users", "b.example.com", token_a)[0] == 401
    # The path prefix reaches the same tenant as the Host header.
    status, users, _ = served.call(
        "GET",
        "/_tenants/a.example.com/api/v2/users",
        headers={"Authorization": "Bearer " + token_a},
    )
    assert status == 200 and [u["user_id"] for u in users] == [ann["user_id"]]  # type: ignore[index]


def test_control_plane_is_per_tenant_and_tenants_can_be_added(served: Served) -> None:
    served.call("POST", "/_tenants/a.example.com/_fake/clock", {"freeze": True, "at": 0})
    _, clock_a, _ = served.call("GET", "/_tenants/a.example.com/_fake/clock")
    _, clock_b, _ = served.call("GET", "/_tenants/b.example.com/_fake/clock")
    assert clock_a["frozen"] and clock_a["now"] == "1970-01-01T00:00:00.000Z"
    assert not clock_b["frozen"]
    status, created, _ = served.call("POST", "/_fake/tenants", {"domain": "c.example.com"})
    assert status == 201 and created["domain"] == "c.example.com"
    _, listed, _ = served.call("GET", "/_fake/tenants")
    assert "c.example.com" in [t["domain"] for t in listed["tenants"]]
    assert served.call("POST", "/_fake/tenants", {"domain": "c.example.com"})[0] == 409
    status, body, _ = served.call("GET", "/_tenants/nowhere.example.com/api/v2/users")
    assert status == 404 and "nowhere.example.com" in body["message"]
    # Percent-decoded once, as every URL path is: "%2525" names a domain holding "%25".
    status, body, _ = served.call("GET", "/_tenants/no%2525where.example.com/api/v2/users")
    assert status == 404 and "'no%25where.example.com'" in body["message"]
