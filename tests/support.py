"""Helpers for the tests: a raw Management API client and Auth0 error assertions."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx

from fakeauth0 import Tenant

DB = "Username-Password-Authentication"
PASSWORD = "Corr3ct-Horse!"  # meets every password policy, "excellent" included
#: SDK request options for calls expected to fail with 409/429/5xx, which the SDK would retry.
NO_RETRY: Any = {"max_retries": 0}
#: ``token=NO_TOKEN`` sends no Authorization header at all.
NO_TOKEN = object()


class RawClient:
    """httpx on the tenant's app; every call carries an all-scopes token unless told otherwise."""

    def __init__(self, tenant: Tenant, http: httpx.Client) -> None:
        self.tenant = tenant
        self.http = http

    def token(self, scopes: Any = None) -> str:
        return self.tenant.management_token(scopes)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: Any = None,
        scopes: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if token is None:
            token = self.token(scopes)
        if token is not NO_TOKEN:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("/") else "/api/v2/" + path
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def create_user(self, **fields: Any) -> dict[str, Any]:
        body = {"connection": DB, "password": PASSWORD, **fields}
        response = self.post("users", json=body)
        assert response.status_code == 201, response.text
        return response.json()


def assert_error(
    response: httpx.Response,
    status: int,
    message: str | None = None,
    error_code: str | None = None,
) -> dict[str, Any]:
    """Auth0's Management API envelope: ``{statusCode, error, message[, errorCode]}`` as JSON.

    ``message`` ending in ``...`` matches a prefix. ``error_code=None`` means "must be absent".
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["statusCode"] == status
    assert body["error"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        if message.endswith("..."):
            assert body["message"].startswith(message[:-3]), body["message"]
        else:
            assert body["message"] == message
    if error_code is None:
        assert "errorCode" not in body, body
    else:
        assert body.get("errorCode") == error_code, body
    return body


def assert_oauth_error(
    response: httpx.Response, status: int, error: str, description: str | None = None
) -> dict[str, Any]:
    """The Authentication API's OAuth error shape: ``{error, error_description}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    if description is not None:
        assert body["error_description"] == description
    assert "statusCode" not in body
    return body
