"""Every failure is Auth0's JSON envelope: never a 500, an HTML page or a traceback
(docs/auth0-behaviour.md#error-bodies)."""

from __future__ import annotations

import json

import pytest

from tests.support import DB, PASSWORD, RawClient, assert_error

MB = 1024 * 1024


def test_unknown_route_is_a_json_404(raw: RawClient) -> None:
    assert_error(raw.get("/favicon.ico"), 404, "Not Found")
    assert_error(raw.get("/api/v3/users"), 404, "Not Found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # Newer than the vendored spec (Auth0's Management API reference lists both).
        ("GET", "/api/v2/users/auth0|abc/connected-accounts"),
        ("POST", "/api/v2/users/auth0|abc/risk-assessments/clear"),
        ("GET", "/api/v2/no-such-thing"),
    ],
)
def test_a_path_under_api_v2_the_spec_lacks_is_a_501_naming_it(
    raw: RawClient, method: str, path: str
) -> None:
    """Never a 404 that reads as "user not found": CHOICES.md "an unknown path under /api/v2/"."""
    body = assert_error(raw.request(method, path, json={}), 501, None, "not_implemented")
    assert method in body["message"] and path in body["message"]


def test_wrong_method_is_a_json_envelope(raw: RawClient) -> None:
    # CHOICES.md "wrong method on a known path".
    assert_error(raw.request("PUT", "users/auth0|abc", json={}), 405, "Method Not Allowed")
    assert_error(raw.request("DELETE", "users"), 405, "Method Not Allowed")


def test_operations_not_served_yet_say_so(raw: RawClient) -> None:
    body = assert_error(raw.get("stats/active-users"), 501, None, "not_implemented")
    assert "get_active-users" in body["message"]
    assert "GET /api/v2/stats/active-users" in body["message"]


def test_malformed_json(raw: RawClient) -> None:
    response = raw.post(
        "users", content=b'{"connection": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "Invalid request payload JSON format", "invalid_body")
    response = raw.patch(
        "users/auth0|abc", content=b"\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "Invalid request payload JSON format", "invalid_body")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_wrong_content_type_is_415(raw: RawClient, content_type: str) -> None:
    body = json.dumps({"connection": DB, "email": "a@b.co", "password": PASSWORD})
    response = raw.post("users", content=body, headers={"Content-Type": content_type})
    assert_error(response, 415, "Unsupported Media Type")
    assert raw.get("users").json() == []


def test_json_content_type_with_charset_is_accepted(raw: RawClient) -> None:
    body = json.dumps({"connection": DB, "email": "a@b.co", "password": PASSWORD})
    response = raw.post(
        "users", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201


def test_body_over_1mb_is_413(raw: RawClient) -> None:
    # docs/auth0-behaviour.md#metadata: the whole payload is at most 1 MB on every Management API
    # endpoint.
    big = {"connection": DB, "email": "a@b.co", "password": PASSWORD, "user_metadata": {}}
    big["user_metadata"]["blob"] = "x" * MB
    response = raw.post("users", json=big)
    assert_error(response, 413, "Payload content length greater than maximum allowed: 1048576")
    assert raw.get("users").json() == []


def test_body_just_under_1mb_is_accepted(raw: RawClient) -> None:
    fields = {"connection": DB, "email": "a@b.co", "password": PASSWORD}
    filler = MB - len(json.dumps({**fields, "user_metadata": {"blob": ""}}).encode())
    response = raw.post("users", json={**fields, "user_metadata": {"blob": "x" * filler}})
    assert response.status_code == 201


def test_non_object_json_on_patch(raw: RawClient) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    for body in (b"[]", b'"text"', b"3", b"null"):
        response = raw.patch(
            f"users/{user_id}", content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(
            response, 400, "Payload validation error: 'Expected type object...", "invalid_body"
        )


def test_every_error_is_json_never_html(raw: RawClient) -> None:
    probes = [
        raw.get("/"),
        raw.post("users", content=b"<xml/>", headers={"Content-Type": "application/json"}),
        raw.get("users", params={"per_page": "-1"}),
        raw.get("users/%ZZ"),
        raw.post("/oauth/token", content=b"{", headers={"Content-Type": "application/json"}),
    ]
    for response in probes:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert "<html" not in response.text.lower()
        assert "Traceback" not in response.text
