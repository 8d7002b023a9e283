"""The programmatic login: tokens for a user and an application without driving the login page,
through the same pipeline as every other login (hooks, ``logins_count``, refusals)."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from fakeauth0 import OAuthError, Tenant, clients, create_app

API = "https://api.example.com"
PASSWORD = "Passw0rd!x"


@pytest.fixture
def tenant(auth0_tenant: Tenant) -> Tenant:
    auth0_tenant.add_client(
        clients.from_record(
            {
                "name": "web",
                "client_id": "web-app",
                "client_secret": "web-secret",
                "app_type": "regular_web",
                "grant_types": ["authorization_code", "refresh_token"],
                "callbacks": ["https://app.example.com/callback"],
            }
        )
    )
    auth0_tenant.create_resource_server(
        {
            "identifier": API,
            "name": "Items",
            "scopes": [{"value": "read:items"}, {"value": "write:items"}],
            "allow_offline_access": True,
        }
    )
    auth0_tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "ann@example.com",
            "password": PASSWORD,
            "name": "Ann",
        }
    )
    return auth0_tenant


def claims(tenant: Tenant, token: str, audience: str) -> dict[str, Any]:
    key = jwt.PyJWK(tenant.tokens.jwks()["keys"][0]).key
    return jwt.decode(
        token, key, algorithms=["RS256"], audience=audience, issuer=tenant.tokens.issuer
    )


def test_the_fixture_logs_a_user_in_for_an_api(tenant: Tenant, auth0_login: Any) -> None:
    result = auth0_login(
        "ann@example.com",
        client_id="web-app",
        audience=API,
        scope="openid email offline_access read:items delete:everything",
        nonce="n-1",
    )
    tokens = result.tokens
    assert set(tokens) == {
        "access_token",
        "id_token",
        "refresh_token",
        "scope",
        "expires_in",
        "token_type",
    }
    # Scopes the API does not define are dropped (docs/auth0-behaviour.md#authorize).
    assert tokens["scope"] == "openid email offline_access read:items"
    access = claims(tenant, tokens["access_token"], API)
    assert access["sub"] == result.user.user_id
    assert access["aud"] == [API, f"{tenant.tokens.issuer}userinfo"]
    assert access["azp"] == "web-app"
    identity = claims(tenant, tokens["id_token"], "web-app")
    assert identity["email"] == "ann@example.com"
    assert identity["nonce"] == "n-1"
    assert "name" not in identity  # no profile scope asked
    assert "sid" in identity
    # The login counted, as on every other path.
    assert tenant.get_user(result.user.user_id).logins_count == 1


def test_the_refresh_token_of_a_programmatic_login_works_at_the_token_endpoint(
    tenant: Tenant, auth0_login: Any
) -> None:
    tokens = auth0_login(
        "ann@example.com", client_id="web-app", audience=API, scope="openid offline_access"
    ).tokens
    http = httpx.Client(
        transport=httpx.WSGITransport(app=create_app(tenant)), base_url=tenant.base_url
    )
    answer = http.post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": "web-app",
            "client_secret": "web-secret",
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert answer.status_code == 200, answer.text
    assert claims(tenant, answer.json()["access_token"], API)["sub"].startswith("auth0|")


def test_hooks_refuse_a_programmatic_login_as_any_other(tenant: Tenant, auth0_login: Any) -> None:
    @tenant.add_hook
    def deny(event: Any, api: Any) -> None:
        api.deny("No entry today")

    with pytest.raises(OAuthError) as refused:
        auth0_login("ann@example.com", client_id="web-app", audience=API)
    assert (refused.value.error, refused.value.description) == ("access_denied", "No entry today")


def test_unknown_audience_and_unknown_user_are_refused(tenant: Tenant, auth0_login: Any) -> None:
    with pytest.raises(OAuthError, match="Service not found: https://nope\\.example\\.com"):
        auth0_login("ann@example.com", client_id="web-app", audience="https://nope.example.com")
    with pytest.raises(OAuthError, match="No single user"):
        auth0_login("nobody@example.com", client_id="web-app", audience=API)


@pytest.mark.no_spec_check
def test_the_control_plane_login_takes_an_audience(tenant: Tenant) -> None:
    http = httpx.Client(
        transport=httpx.WSGITransport(app=create_app(tenant)), base_url=tenant.base_url
    )
    answer = http.post(
        "/_fake/login",
        json={
            "connection": "Username-Password-Authentication",
            "email": "ann@example.com",
            "client_id": "web-app",
            "audience": API,
            "scope": "openid read:items",
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["user"]["email"] == "ann@example.com"
    assert body["scope"] == "openid read:items"
    assert claims(tenant, body["access_token"], API)["scope"] == "openid read:items"
    # Without an audience the answer keeps its shape: the user and an ID token.
    plain = http.post(
        "/_fake/login",
        json={"connection": "Username-Password-Authentication", "email": "ann@example.com"},
    ).json()
    assert set(plain) == {"user", "id_token"}
