"""Passwords and client secrets never appear in any response (body or headers)."""

from __future__ import annotations

import httpx

from fakeauth0 import Tenant
from tests.support import DB, NO_TOKEN, PASSWORD, RawClient


def test_no_response_reveals_a_password_or_the_client_secret(
    tenant: Tenant, http: httpx.Client, raw: RawClient
) -> None:
    secret = tenant.management_client.client_secret
    new_password = "An0ther-Secr3t!"
    user_id = raw.create_user(email="a@b.co")["user_id"]
    responses = [
        raw.post("users", json={"connection": DB, "email": "b@b.co", "password": PASSWORD}),
        raw.post("users", json={"connection": DB, "email": "a@b.co", "password": PASSWORD}),
        raw.post("users", json={"connection": "email", "email": "c@b.co", "password": PASSWORD}),
        raw.post("users", json={"connection": DB, "email": "d@b.co", "password": PASSWORD * 9}),
        raw.post("users", json={"connection": DB, "password": PASSWORD, "x": 1}),
        raw.get(f"users/{user_id}"),
        raw.get("users", params={"include_totals": "true"}),
        raw.get("users-by-email", params={"email": "a@b.co"}),
        raw.patch(f"users/{user_id}", json={"password": new_password}),
        raw.patch(f"users/{user_id}", json={"password": new_password, "email": "z@b.co"}),
        raw.get("users", token=NO_TOKEN, headers={"Authorization": f"Bearer {secret}"}),
        http.post(
            "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": tenant.management_client.client_id,
                "client_secret": secret,
                "audience": tenant.management_audience,
            },
        ),
        http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": tenant.management_client.client_id,
                "client_secret": secret,
                "audience": "https://unknown/",
            },
        ),
        http.get("/.well-known/jwks.json"),
        http.get("/.well-known/openid-configuration"),
    ]
    assert {r.status_code for r in responses} >= {200, 201, 400, 403, 409}
    for response in responses:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for leaked in (PASSWORD, new_password, secret):
            assert leaked not in seen, (response.request.url, response.text)
