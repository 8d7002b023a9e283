"""Attacks on ``fakeauth0 serve``, one test per kind: control-plane bypasses, bodies that could
break the whole server, framing, cross-site and rebinding requests, a write the disk refuses,
and the small ones. RELIABILITY.md has the table of attacks and answers.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant
from fakeauth0.http.bodies import MAX_DEPTH
from fakeauth0.server import FakeAuth0Server
from fakeauth0.store import StateStore
from tests.reliability.wire import DB, Wire, uid

TOKEN = "probe-control-token"
PASSWORD = "Probe-Passw0rd!"
DOMAIN = "probe.auth0.com"
BAD_JSON = {
    "statusCode": 400,
    "error": "Bad Request",
    "message": "Invalid request payload JSON format",
    "errorCode": "invalid_body",
}


def _exchange(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answers until it closes or
    goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
                if _complete(received):
                    break
        except TimeoutError:
            pass
    return received


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    while sep and head.startswith(b"HTTP/1.1 100"):
        head, sep, body = body.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _body(response: bytes) -> Any:
    return json.loads(response.partition(b"\r\n\r\n")[2])


@pytest.fixture
def guarded() -> Iterator[tuple[FakeAuth0Server, Tenant]]:
    tenant = Tenant(DOMAIN)
    tenant.create_user({"connection": DB, "email": "kept@x.co", "password": PASSWORD})
    with FakeAuth0Server(tenant, control_token=TOKEN) as server:
        yield server, tenant


@pytest.fixture
def open_server() -> Iterator[tuple[FakeAuth0Server, Tenant]]:
    tenant = Tenant(DOMAIN)
    tenant.create_user({"connection": DB, "email": "kept@x.co", "password": PASSWORD})
    with FakeAuth0Server(tenant) as server:
        yield server, tenant


# -- critical: the control token and --no-control could be skipped ---------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/%2F_fake/tenant",
        f"/_tenants/{DOMAIN}//_fake/tenant",
        "http://127.0.0.1:{port}//_fake/tenant",
        "/_fake/./tenant",
        "/api/../_fake/tenant",
        "//_fake/snapshot",
    ],
)
def test_no_spelling_of_a_control_path_skips_the_token(
    guarded: tuple[FakeAuth0Server, Tenant], target: str
) -> None:
    server, tenant = guarded
    path = target.format(port=server.port)
    response = _exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert _status(response) == 401, response[:300]
    assert tenant.management_client.client_secret.encode() not in response
    reset = _exchange(
        server.port,
        f"POST {path.rsplit('/', 1)[0]}/reset HTTP/1.1\r\n"
        "Host: localhost\r\nContent-Length: 0\r\n\r\n".encode(),
    )
    assert _status(reset) == 401
    assert len(tenant.users) == 1


#: The routes of the fake's own planes, as paths a client would write.
FAKE_ROUTES = [
    "/_fake/tenant",
    "/_fake/snapshot",
    "/_fake/reset",
    "/_fake/health",
    "/_fake/tenants",
    "/_fake/calls",
    "/_fake/dashboard",
    "/_fake/dashboard/user",
    "/_fake/dashboard/reset",
]


@st.composite
def spellings(draw: st.DrawFn) -> str:
    """A route of the fake's planes respelled: extra, encoded and dot segments, case, percent-
    escapes, the tenant prefix, an absolute-form target."""
    segments = [s for s in draw(st.sampled_from(FAKE_ROUTES)).split("/") if s]
    out: list[str] = []
    for segment in segments:
        for _ in range(draw(st.integers(0, 2))):
            out.append(draw(st.sampled_from(["", ".", "%2E", "x/..", "%2F", "%2f%2F"])))
        if draw(st.integers(0, 4)) == 0:
            segment = "".join(
                f"%{ord(c):02X}" if draw(st.booleans()) else c for c in segment
            )  # percent-escapes a server decodes
        if draw(st.integers(0, 6)) == 0:
            segment = segment.upper()
        out.append(segment)
    path = "/" + "/".join(out)
    if draw(st.booleans()):
        path = f"/_tenants/{DOMAIN}" + draw(st.sampled_from(["", "/", "//"])) + path
    if draw(st.booleans()):
        path = "/" + path
    return path


def _probe(server: FakeAuth0Server, method: str, path: str, absolute: bool) -> bytes:
    target = f"http://127.0.0.1:{server.port}{path}" if absolute else path
    return _exchange(
        server.port,
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Length: 0\r\n\r\n".encode(),
    )


@given(path=spellings(), method=st.sampled_from(["GET", "POST", "DELETE"]), absolute=st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_property_no_path_variant_reaches_a_guarded_plane(
    guarded_once: tuple[FakeAuth0Server, Tenant], path: str, method: str, absolute: bool
) -> None:
    server, tenant = guarded_once
    response = _probe(server, method, path, absolute)
    status = _status(response)
    # 401 (the token), 404/405 (no such route), or the dashboard's way to its sign-in form.
    assert status in (401, 404, 405) or (status == 303 and b"/signin" in response), response[:400]
    assert tenant.management_client.client_secret.encode() not in response
    assert len(tenant.users) == 1


@given(path=spellings(), method=st.sampled_from(["GET", "POST", "DELETE"]), absolute=st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_property_no_path_variant_answers_under_no_control(
    off: tuple[FakeAuth0Server, Tenant], path: str, method: str, absolute: bool
) -> None:
    server, tenant = off
    response = _probe(server, method, path, absolute)
    assert _status(response) == 404, response[:400]
    assert len(tenant.users) == 1


@pytest.fixture(scope="module")
def guarded_once() -> Iterator[tuple[FakeAuth0Server, Tenant]]:
    tenant = Tenant(DOMAIN)
    tenant.create_user({"connection": DB, "email": "kept@x.co", "password": PASSWORD})
    with FakeAuth0Server(tenant, control_token=TOKEN) as server:
        yield server, tenant


@pytest.fixture(scope="module")
def off() -> Iterator[tuple[FakeAuth0Server, Tenant]]:
    tenant = Tenant(DOMAIN)
    tenant.create_user({"connection": DB, "email": "kept@x.co", "password": PASSWORD})
    with FakeAuth0Server(tenant, control=False, control_token=TOKEN) as server:
        yield server, tenant


# -- high: one request could break the whole server ------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[FakeAuth0Server, Wire]]:
    server = FakeAuth0Server(Tenant(DOMAIN), store=StateStore(str(tmp_path / "state.db")))
    server.start()
    wire = Wire("127.0.0.1", server.port, server.tenant.management_token())
    yield server, wire
    wire.close()
    server.stop()


def test_deep_nesting_is_refused_at_the_door_and_the_server_keeps_answering(
    stored: tuple[FakeAuth0Server, Wire],
) -> None:
    server, wire = stored
    user = {"connection": DB, "email": "deep@x.co", "password": PASSWORD}
    status, body = wire.call("POST", "/api/v2/users", {**user, "user_metadata": _nested(500)})
    assert (status, body) == (400, BAD_JSON)
    assert wire.call("GET", "/_fake/health")[0] == 200
    # The deepest body allowed: metadata nested to the limit (the body is level 1, metadata 2).
    deepest = _nested(MAX_DEPTH - 1)
    status, created = wire.call("POST", "/api/v2/users", {**user, "user_metadata": deepest})
    assert status == 201, created
    too_deep = {**user, "email": "deeper@x.co", "user_metadata": _nested(MAX_DEPTH)}
    assert wire.call("POST", "/api/v2/users", too_deep) == (400, BAD_JSON)
    # Every part of the fake stores, searches, snapshots and shows it.
    for path in (
        "/api/v2/users",
        "/api/v2/users?q=_exists_%3Auser_metadata&search_engine=v3",
        f"/api/v2/users/{uid(created['user_id'])}",
        "/_fake/snapshot",
    ):
        status, answer = wire.call("GET", path)
        assert status == 200, (path, answer)
    status, _headers, page = wire.raw("GET", f"/_fake/dashboard/user?id={uid(created['user_id'])}")
    assert status == 200 and b"deep@x.co" in page
    path = server.store.path
    server.stop()
    again = StateStore(path)
    try:
        users = again.load(DOMAIN)["users"]
    finally:
        again.close()
    assert [u["user_metadata"] for u in users] == [deepest]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"user_metadata": {"a": "\\ud800"}}',
        b'{"name": "x\\udfff"}',
        b'{"user_metadata": {"\\ud800": 1}}',
        b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes
        b'{"user_metadata": {"x": NaN}}',
        b'{"user_metadata": {"x": Infinity}}',
        b'{"user_metadata": {"x": -Infinity}}',
        b'{"user_metadata": {"x": 1e999}}',
    ],
)
def test_strings_that_are_not_unicode_and_numbers_that_are_not_json_are_refused(
    stored: tuple[FakeAuth0Server, Wire], raw: bytes
) -> None:
    _server, wire = stored
    status, created = wire.call(
        "POST", "/api/v2/users", {"connection": DB, "email": "u@x.co", "password": PASSWORD}
    )
    assert status == 201
    headers = {"Authorization": f"Bearer {wire.token}", "Content-Type": "application/json"}
    status, _h, body = wire.raw("PATCH", f"/api/v2/users/{uid(created['user_id'])}", raw, headers)
    assert (status, json.loads(body)) == (400, BAD_JSON)
    # Nothing was applied, and every read still answers JSON.
    for path in ("/api/v2/users", "/_fake/snapshot", f"/api/v2/users/{uid(created['user_id'])}"):
        status, answer = wire.call("GET", path)
        assert status == 200, answer
    assert wire.raw("GET", "/_fake/dashboard")[0] == 200


def test_a_lone_surrogate_secret_on_the_token_endpoint_is_an_oauth_400(
    open_server: tuple[FakeAuth0Server, Tenant],
) -> None:
    server, tenant = open_server
    wire = Wire("127.0.0.1", server.port)
    body = (
        b'{"grant_type": "client_credentials", "client_id": "%s", "client_secret": "\\ud800", '
        b'"audience": "%s"}'
        % (tenant.management_client.client_id.encode(), tenant.management_audience.encode())
    )
    status, _h, raw = wire.raw("POST", "/oauth/token", body, {"Content-Type": "application/json"})
    assert status == 400 and json.loads(raw)["error"] == "invalid_request"


@pytest.mark.parametrize("domain", ["\ud800.example", "a.example\r\nX-Injected: 1", "a b", ""])
def test_a_tenant_domain_must_be_a_host_name(
    open_server: tuple[FakeAuth0Server, Tenant], domain: str
) -> None:
    server, _tenant = open_server
    wire = Wire("127.0.0.1", server.port)
    raw = json.dumps({"domain": domain}).encode()
    status, _h, body = wire.raw("POST", "/_fake/tenants", raw, {"Content-Type": "application/json"})
    assert status == 400, body
    assert len(server.tenants) == 1
    assert wire.raw("GET", "/_fake/dashboard")[0] == 200


# -- medium ----------------------------------------------------------------------------------


def test_a_chunked_body_is_refused_at_the_limit_not_after_reading_it_all(
    open_server: tuple[FakeAuth0Server, Tenant],
) -> None:
    """The server answers 413 once the limit is passed, while the body has not ended: it
    never holds more than the limit, and never waits for the rest."""
    server, tenant = open_server
    head = (
        f"POST /api/v2/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {tenant.management_token()}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        for _ in range(20):  # 1.25 MB, and no last chunk: the body never ends
            sock.sendall(chunk)
        response = b""
        while not _complete(response):
            data = sock.recv(65536)
            if not data:
                break
            response += data
    assert _status(response) == 413, response[:300]
    assert len(tenant.users) == 1


def test_a_refused_oversized_body_is_never_read_to_its_end(
    open_server: tuple[FakeAuth0Server, Tenant],
) -> None:
    server, tenant = open_server
    head = (
        f"POST /api/v2/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {tenant.management_token()}\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    ).encode()
    response = _exchange(server.port, head + b"{")  # 200 MB announced, one byte sent
    assert _status(response) == 413
    assert b"Connection: close" in response


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost:3000"},
    ],
    ids=repr,
)
@pytest.mark.parametrize("path", ["/_fake/reset", "/_fake/snapshot", "/_fake/faults"])
def test_the_control_plane_refuses_what_a_page_elsewhere_could_send(
    open_server: tuple[FakeAuth0Server, Tenant], headers: dict[str, str], path: str
) -> None:
    server, tenant = open_server
    wire = Wire("127.0.0.1", server.port)
    status, _h, raw = wire.raw("POST", path, b"", headers)
    assert status in (403, 415), raw
    assert len(tenant.users) == 1 and not tenant.faults.rules
    # A tool's JSON request (no Origin) is served.
    status, _ = wire.call("POST", "/_fake/faults", {"status": 500, "times": 1})
    assert status == 200


def test_dns_rebinding_reaches_no_control_route_but_the_api_still_routes(
    open_server: tuple[FakeAuth0Server, Tenant],
) -> None:
    server, tenant = open_server
    wire = Wire("127.0.0.1", server.port)
    secret = tenant.management_client.client_secret.encode()
    for path in ("/_fake/tenant", "/_fake/snapshot", "/_fake/dashboard"):
        status, _h, raw = wire.raw("GET", path, headers={"Host": "rebind.evil.example:4010"})
        assert status == 403 and secret not in raw, (path, raw[:200])
    for host in ("localhost", f"127.0.0.1:{server.port}", "[::1]:1", DOMAIN, "app.localhost"):
        assert wire.raw("GET", "/_fake/health", headers={"Host": host})[0] == 200, host
    # The Management API keeps routing an unknown host to the default tenant.
    wire.token = tenant.management_token()
    status, users = wire.call("GET", "/api/v2/users", headers={"Host": "rebind.evil.example"})
    assert status == 200 and len(users) == 1


@pytest.mark.no_spec_check  # the 503 of a full state file is the fake's own answer
def test_a_reset_the_disk_refused_is_undone(tmp_path: Path) -> None:
    tenant = Tenant(DOMAIN)
    store = StateStore(str(tmp_path / "state.db"))
    with FakeAuth0Server(tenant, store=store) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, created = wire.call(
            "POST", "/api/v2/users", {"connection": DB, "email": "a@x.co", "password": PASSWORD}
        )
        assert status == 201
        before = tenant.snapshot()
        store._db.execute("PRAGMA query_only = 1")  # every write now fails
        assert wire.call("POST", "/_fake/reset")[0] == 503
        assert wire.call("DELETE", f"/api/v2/users/{uid(created['user_id'])}")[0] == 503
        assert tenant.snapshot() == before
        assert wire.call("GET", f"/api/v2/users/{uid(created['user_id'])}")[0] == 200
        store._db.execute("PRAGMA query_only = 0")
        assert wire.call("DELETE", f"/api/v2/users/{uid(created['user_id'])}")[0] == 204
        wire.close()


# -- low -------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", ["abc", "\u0661\u0668", "18, 18", "-1", "0x12", ""])
def test_a_malformed_content_length_is_a_400(
    open_server: tuple[FakeAuth0Server, Tenant], length: str
) -> None:
    server, _tenant = open_server
    request = (
        f"POST /api/v2/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n"
        '{"a": 1}'
    ).encode()
    response = _exchange(server.port, request)
    assert _status(response) == 400, response[:200]
    assert _body(response)["statusCode"] == 400


def test_two_content_lengths_are_a_400(open_server: tuple[FakeAuth0Server, Tenant]) -> None:
    server, _tenant = open_server
    request = (
        b"POST /api/v2/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    assert _status(_exchange(server.port, request)) == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_fake/rate-limits", {"limit": 1, "window": 1e999}),
        ("/_fake/rate-limits", {"limit": 1e999, "window": 1}),
        ("/_fake/rate-limits", {"limit": 1, "window": 10**9}),
        ("/_fake/faults", {"status": None, "latency_ms": 1e12}),
        ("/_fake/faults", {"status": 500, "latency_ms": 60_001}),
    ],
    ids=repr,
)
def test_control_numbers_a_server_cannot_honour_are_refused(
    open_server: tuple[FakeAuth0Server, Tenant], path: str, body: dict[str, Any]
) -> None:
    server, tenant = open_server
    wire = Wire("127.0.0.1", server.port)
    raw = json.dumps(body).encode().replace(b"Infinity", b"1e999")
    status, _h, answer = wire.raw("POST", path, raw, {"Content-Type": "application/json"})
    assert status == 400, answer
    assert not tenant.faults.rules and not tenant.faults.buckets
    wire.token = tenant.management_token()
    assert wire.call("GET", "/api/v2/users")[0] == 200


def test_an_unknown_tenant_prefix_lists_no_domains_behind_a_token(
    guarded: tuple[FakeAuth0Server, Tenant],
) -> None:
    server, _tenant = guarded
    wire = Wire("127.0.0.1", server.port)
    status, body = wire.call("GET", "/_tenants/nobody.example/api/v2/users")
    assert status == 404 and DOMAIN not in body["message"]


def test_the_sign_in_pages_csrf_token_opens_no_dashboard_form(
    guarded: tuple[FakeAuth0Server, Tenant],
) -> None:
    server, tenant = guarded
    wire = Wire("127.0.0.1", server.port)
    status, _h, page = wire.raw("GET", "/_fake/dashboard/signin")
    assert status == 200
    marker = b'name="csrf_token" value="'
    shown = page.split(marker, 1)[1].split(b'"', 1)[0].decode()
    session = {"Cookie": _session_cookie(wire)}
    form = f"csrf_token={shown}".encode()
    headers = {**session, "Content-Type": "application/x-www-form-urlencoded"}
    status, _h, _page = wire.raw("POST", "/_fake/dashboard/reset", form, headers)
    assert status == 403
    assert len(tenant.users) == 1


def _session_cookie(wire: Wire) -> str:
    status, _h, page = wire.raw("GET", "/_fake/dashboard/signin")
    shown = page.split(b'name="csrf_token" value="', 1)[1].split(b'"', 1)[0].decode()
    form = f"csrf_token={shown}&token={TOKEN}".encode()
    status, headers, _ = wire.raw(
        "POST",
        "/_fake/dashboard/signin",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 303, status
    return headers["Set-Cookie"].split(";", 1)[0]


def test_expect_100_continue_is_answered_once(open_server: tuple[FakeAuth0Server, Tenant]) -> None:
    server, tenant = open_server
    request = (
        f"POST /api/v2/users HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
        f"Authorization: Bearer {tenant.management_token()}\r\n"
        f"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    ).encode()
    response = _exchange(server.port, request)
    assert response.count(b"100 Continue") == 1, response[:300]


@pytest.mark.parametrize("user_id", ["a/b", "/", ".", ".."])
def test_a_user_id_no_url_can_name_is_refused(
    open_server: tuple[FakeAuth0Server, Tenant], user_id: str
) -> None:
    server, tenant = open_server
    wire = Wire("127.0.0.1", server.port, tenant.management_token())
    body = {"connection": DB, "email": "slash@x.co", "password": PASSWORD, "user_id": user_id}
    status, answer = wire.call("POST", "/api/v2/users", body)
    assert status == 400 and answer["errorCode"] == "invalid_body", answer
    assert len(tenant.users) == 1
