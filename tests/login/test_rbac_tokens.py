"""RBAC in users' access tokens: with RBAC on an API (``enforce_policies``), a token's scopes are
those asked for that the user holds as permissions, directly or through a role; the ``_authz``
token dialects add ``permissions``; the RFC 9068 dialects change the token's shape
(https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis;
https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles)."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from fakeauth0 import Tenant, create_app

API = "https://api.example.com"
SCOPE = "openid read:items write:items delete:items"


@pytest.fixture
def tenant() -> Tenant:
    tenant = Tenant()
    tenant.create_resource_server(
        {
            "identifier": API,
            "scopes": [{"value": v} for v in ("read:items", "write:items", "delete:items")],
            "skip_consent_for_verifiable_first_party_clients": True,
        }
    )
    user = tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "ann@example.com",
            "password": "Passw0rd!x",
        }
    )
    reader = tenant.create_role("reader", permissions=[(API, "read:items")])
    tenant.assign_roles(user.user_id, [reader.id])
    tenant.add_user_permissions(user.user_id, [(API, "write:items")])
    return tenant


def access_token(tenant: Tenant, **api: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The header and claims of Ann's access token for the API configured with ``api``, and
    the token response's ``scope``."""
    server = next(s for s in tenant.list_resource_servers() if s.identifier == API)
    tenant.update_resource_server(server.id, api)
    tokens = tenant.login_as("ann@example.com", audience=API, scope=SCOPE).tokens
    token = tokens["access_token"]
    key = jwt.PyJWK(tenant.tokens.jwks()["keys"][0]).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=API)
    return jwt.get_unverified_header(token), claims, tokens["scope"]


def test_without_rbac_every_asked_scope_of_the_api_is_granted(tenant: Tenant) -> None:
    header, claims, scope = access_token(tenant)
    assert claims["scope"] == scope == SCOPE
    assert "permissions" not in claims and header["typ"] == "JWT"


def test_rbac_keeps_the_scopes_the_user_holds_directly_or_through_a_role(tenant: Tenant) -> None:
    _, claims, scope = access_token(tenant, enforce_policies=True)
    assert claims["scope"] == scope == "openid read:items write:items"
    assert "permissions" not in claims  # the access_token dialect carries none


def test_the_authz_dialect_adds_the_users_permissions(tenant: Tenant) -> None:
    header, claims, _ = access_token(
        tenant, enforce_policies=True, token_dialect="access_token_authz"
    )
    assert claims["permissions"] == ["read:items", "write:items"]
    assert claims["azp"] and header["typ"] == "JWT"


def test_the_rfc9068_dialect_names_the_client_and_types_the_token(tenant: Tenant) -> None:
    header, claims, _ = access_token(
        tenant, enforce_policies=True, token_dialect="rfc9068_profile_authz"
    )
    assert header["typ"] == "at+jwt"
    assert claims["client_id"] and "azp" not in claims and "gty" not in claims
    assert len(claims["jti"]) >= 16
    assert claims["permissions"] == ["read:items", "write:items"]


def test_a_role_taken_away_narrows_the_next_refresh(tenant: Tenant) -> None:
    server = next(s for s in tenant.list_resource_servers() if s.identifier == API)
    tenant.update_resource_server(
        server.id, {"enforce_policies": True, "allow_offline_access": True}
    )
    app = tenant.create_client_from({"name": "Web", "app_type": "regular_web"})
    tokens = tenant.login_as(
        "ann@example.com", client_id=app.client_id, audience=API, scope=SCOPE + " offline_access"
    ).tokens
    (ann,) = tenant.users_by_email("ann@example.com")
    tenant.remove_roles(ann.user_id, [r.id for r in tenant.list_roles()])
    http = httpx.Client(
        transport=httpx.WSGITransport(app=create_app(tenant)), base_url=tenant.base_url
    )
    refreshed = http.post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert refreshed["scope"] == "openid write:items offline_access"
