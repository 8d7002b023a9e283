"""The ``/_fake/`` control plane and the server's manners: keep-alive, logs, health, shutdown."""

from __future__ import annotations

import http.client
import json
import logging

import pytest

from fakeauth0.server import FakeAuth0Server
from tests.server.serving import Served
from tests.support import DB, PASSWORD

pytestmark = pytest.mark.serve("--log-level", "INFO")


def test_snapshot_put_loads_and_refuses_naming_user_and_rule(served: Served) -> None:
    _, snapshot, _ = served.call("GET", "/_fake/snapshot")
    assert snapshot["users"] == []
    snapshot["users"] = [
        {
            "user_id": "auth0|ann",
            "email": "ann@example.com",
            "identities": [{"connection": DB, "provider": "auth0", "user_id": "ann"}],
        }
    ]
    status, loaded, _ = served.call("PUT", "/_fake/snapshot", snapshot)
    assert status == 200 and [u["user_id"] for u in loaded["users"]] == ["auth0|ann"]
    snapshot["users"].append(dict(snapshot["users"][0]))
    status, error, _ = served.call("PUT", "/_fake/snapshot", snapshot)
    assert status == 400 and error["errorCode"] == "invalid_seed"
    assert "'auth0|ann'" in error["message"] and "appears twice" in error["message"]
    assert len(served.call("GET", "/_fake/snapshot")[1]["users"]) == 1  # unchanged


def test_clock_freeze_and_advance_drive_created_at(served: Served) -> None:
    auth = {"Authorization": "Bearer " + served.token()}
    status, clock, _ = served.call(
        "POST", "/_fake/clock", {"freeze": True, "at": "2021-03-04T05:06:07Z"}
    )
    assert status == 200 and clock == {
        "now": "2021-03-04T05:06:07.000Z",
        "epoch": 1614834367.0,
        "frozen": True,
    }
    served.call("POST", "/_fake/clock", {"advance": 60})
    body = {"connection": DB, "email": "c@example.com", "password": PASSWORD}
    # A token issued before the freeze would look issued in the future: get a fresh one.
    auth = {"Authorization": "Bearer " + served.token()}
    _, user, _ = served.call("POST", "/api/v2/users", body, auth)
    assert user["created_at"] == "2021-03-04T05:07:07.000Z"
    assert served.call("POST", "/_fake/clock", {"advance": "soon"})[0] == 400


def test_call_log_lists_auth0_calls_only(served: Served) -> None:
    auth = {"Authorization": "Bearer " + served.token()}
    served.call("GET", "/api/v2/users", headers=auth)
    served.call("GET", "/api/v2/users/auth0%7Cnobody", headers=auth)
    _, log, _ = served.call("GET", "/_fake/calls")
    assert [(c["method"], c["operation"], c["status"]) for c in log["calls"]] == [
        ("POST", "oauth_token", 200),
        ("GET", "get_users", 200),
        ("GET", "get_users_by_id", 404),
    ]
    _, later, _ = served.call("GET", "/_fake/calls?since=2")
    assert [c["operation"] for c in later["calls"]] == ["get_users_by_id"]
    assert served.call("DELETE", "/_fake/calls")[0] == 204
    assert served.call("GET", "/_fake/calls")[1]["total"] == 0


def test_keep_alive_and_a_log_without_secrets(served: Served) -> None:
    creds = served.default
    conn = http.client.HTTPConnection(served.url.removeprefix("http://"), timeout=10)
    conn.request(
        "POST",
        "/oauth/token?client_secret=" + creds["client_secret"],
        json.dumps(
            {
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "audience": creds["audience"],
            }
        ),
        {"Content-Type": "application/json"},
    )
    token = json.loads(conn.getresponse().read())["access_token"]
    sock = conn.sock
    for _ in range(3):  # one connection carries every request (HTTP/1.1 keep-alive)
        conn.request(
            "POST",
            "/api/v2/users",
            json.dumps({"connection": DB, "email": "k@example.com", "password": PASSWORD}),
            {"Content-Type": "application/json", "Authorization": "Bearer " + token},
        )
        response = conn.getresponse()
        response.read()
        assert response.status in (201, 409)
        assert conn.sock is sock and response.getheader("Connection") is None
    conn.request("GET", "/_fake/health")
    assert json.loads(conn.getresponse().read())["status"] == "ok"
    conn.close()
    assert served.stop() == 0
    log = served.stderr_text
    assert '"POST /api/v2/users" 201' in log and '"GET /_fake/health" 200' in log
    for secret in (creds["client_secret"], token, PASSWORD):
        assert secret not in log


def test_binding_beyond_loopback_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fakeauth0.server"):
        server = FakeAuth0Server(host="0.0.0.0")
        server.close()
    assert "reachable beyond this machine" in caplog.text
    with caplog.at_level(logging.WARNING, logger="fakeauth0.server"):
        caplog.clear()
        FakeAuth0Server().close()
    assert caplog.text == ""
