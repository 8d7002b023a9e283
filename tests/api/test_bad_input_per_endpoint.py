"""The same bad inputs on every served user endpoint: each gets Auth0's status and body."""

from __future__ import annotations

import pytest

from tests.support import DB, NO_TOKEN, PASSWORD, RawClient, assert_error

USER = "auth0|abc"
#: (method, path, scopes the spec's security lists, a valid body or None)
ENDPOINTS = [
    ("POST", "users", "create:users", {"connection": DB, "email": "n@b.co", "password": PASSWORD}),
    ("GET", "users", "read:users,read:user_idp_tokens", None),
    ("GET", f"users/{USER}", "read:users,read:current_user,read:user_idp_tokens", None),
    (
        "PATCH",
        f"users/{USER}",
        "update:users,update:users_app_metadata,update:current_user_metadata",
        {"user_metadata": {"a": 1}},
    ),
    ("DELETE", f"users/{USER}", "delete:users,delete:current_user", None),
    ("GET", "users-by-email?email=a@b.co", "read:users", None),
]
IDS = [f"{method} {path}" for method, path, _, _ in ENDPOINTS]


@pytest.fixture(autouse=True)
def existing_user(raw: RawClient) -> None:
    raw.create_user(email="a@b.co", user_id="abc")


@pytest.mark.parametrize(("method", "path", "scopes", "body"), ENDPOINTS, ids=IDS)
def test_valid_call_succeeds(raw: RawClient, method: str, path: str, scopes: str, body) -> None:
    response = raw.request(method, path, json=body)
    assert response.status_code in (200, 201, 204), response.text


@pytest.mark.parametrize(("method", "path", "scopes", "body"), ENDPOINTS, ids=IDS)
def test_missing_token(raw: RawClient, method: str, path: str, scopes: str, body) -> None:
    response = raw.request(method, path, json=body, token=NO_TOKEN)
    assert_error(response, 401, "Missing authentication")


@pytest.mark.parametrize(("method", "path", "scopes", "body"), ENDPOINTS, ids=IDS)
def test_malformed_token(raw: RawClient, method: str, path: str, scopes: str, body) -> None:
    assert_error(
        raw.request(method, path, json=body, token="not-a-jwt"),
        400,
        "Bad HTTP authentication header format",
        "Bearer",
    )
    forged = raw.request(method, path, json=body, token="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    assert_error(forged, 401, "Invalid token")


@pytest.mark.parametrize(("method", "path", "scopes", "body"), ENDPOINTS, ids=IDS)
def test_insufficient_scope(raw: RawClient, method: str, path: str, scopes: str, body) -> None:
    unrelated = ["read:roles"]
    response = raw.request(method, path, json=body, scopes=unrelated)
    assert_error(
        response, 403, f"Insufficient scope, expected any of: {scopes}", "insufficient_scope"
    )
    assert raw.get(f"users/{USER}").status_code == 200  # nothing happened


BODY_ENDPOINTS = [(m, p) for m, p, _, b in ENDPOINTS if b is not None]


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_body_errors(raw: RawClient, method: str, path: str) -> None:
    json_type = {"Content-Type": "application/json"}
    assert_error(
        raw.request(method, path, content=b"{,}", headers=json_type),
        400,
        "Invalid request payload JSON format",
        "invalid_body",
    )
    assert_error(
        raw.request(method, path, content=b"{}", headers={"Content-Type": "text/csv"}),
        415,
        "Unsupported Media Type",
    )
    too_big = b'{"user_metadata":{"x":"' + b"x" * (1024 * 1024) + b'"}}'
    assert_error(
        raw.request(method, path, content=too_big, headers=json_type),
        413,
        "Payload content length greater than maximum allowed: 1048576",
    )
    assert_error(
        raw.request(method, path, json={"connection": DB, "blocked": "no"}),
        400,
        "Payload validation error: 'Expected type boolean but found type string' on property "
        "blocked...",
        "invalid_body",
    )
    unknown = raw.request(method, path, json={"connection": DB, "favourite_colour": "red"})
    assert_error(
        unknown,
        400,
        "Payload validation error: 'Additional properties not allowed: favourite_colour...",
        "invalid_body",
    )
