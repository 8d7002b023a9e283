"""Network exposure: loopback by default; the control plane (and the dashboard under it) can be
switched off or put behind a token, from Python and from ``fakeauth0 serve``."""

from __future__ import annotations

import pytest

from fakeauth0 import Tenant
from fakeauth0.server import FakeAuth0Server
from tests.reliability.wire import Wire
from tests.server.serving import serve

CONTROL_PATHS = [
    "/_fake/health",
    "/_fake/tenant",
    "/_fake/snapshot",
    "/_fake/dashboard",
    "/_fake/tenants",
]


def test_the_server_binds_loopback_by_default() -> None:
    with FakeAuth0Server(Tenant("loop.auth0.com")) as server:
        assert server._server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("path", CONTROL_PATHS)
def test_no_control_answers_404_and_leaves_the_api_served(path: str) -> None:
    tenant = Tenant("off.auth0.com")
    with FakeAuth0Server(tenant, control=False) as server:
        wire = Wire("127.0.0.1", server.port)
        status, body = wire.call("GET", path)
        assert status == 404 and body == {
            "statusCode": 404,
            "error": "Not Found",
            "message": "Not Found",
        }
        status, body = wire.call("GET", f"/_tenants/off.auth0.com{path}")
        assert status == 404
        wire.token = tenant.management_token()
        assert wire.call("GET", "/api/v2/users")[0] == 200
        wire.close()


@pytest.mark.parametrize("path", CONTROL_PATHS)
def test_a_control_token_is_required_when_set(path: str) -> None:
    with FakeAuth0Server(Tenant("tok.auth0.com"), control_token="s3cr3t-ctl") as server:
        wire = Wire("127.0.0.1", server.port)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Fake-Control-Token": "s3cr3t"}):
            if path == "/_fake/dashboard":
                # A browser cannot send the header: it is sent to the sign-in form
                # (tests/dashboard/test_signin.py), and sees nothing of the tenant.
                status, got, body = wire.raw("GET", path, headers=headers)
                assert status == 303 and got["Location"] == "/_fake/dashboard/signin", got
                assert b"s3cr3t-ctl" not in body
                continue
            status, body = wire.call("GET", path, headers=headers)
            assert status == 401 and body["statusCode"] == 401, body
            assert "control token" in body["message"] and "s3cr3t-ctl" not in body["message"]
        for headers in (
            {"Authorization": "Bearer s3cr3t-ctl"},
            {"X-Fake-Control-Token": "s3cr3t-ctl"},
        ):
            status, _headers, _body = wire.raw("GET", path, headers=headers)
            assert status == 200, (path, headers)
        wire.close()


def test_the_cli_switches() -> None:
    off = serve("--no-control")
    try:
        assert off.call("GET", "/_fake/health")[0] == 404
        assert any("control plane: off" in line for line in off.lines)
    finally:
        off.stop()
    guarded = serve("--control-token", "cli-token")
    try:
        assert guarded.call("GET", "/_fake/health")[0] == 401
        ok = guarded.call("GET", "/_fake/health", headers={"X-Fake-Control-Token": "cli-token"})
        assert ok[0] == 200
        assert guarded.token()  # /oauth/token is Auth0's, not the control plane
    finally:
        guarded.stop()
