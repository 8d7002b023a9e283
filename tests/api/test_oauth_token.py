"""POST /oauth/token (client_credentials), JWKS and discovery.

Auth0's rules: docs/auth0-behaviour.md#authentication-api-errors and
docs/auth0-behaviour.md#management-api-tokens."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from fakeauth0 import Tenant
from tests.support import RawClient, assert_error, assert_oauth_error


def credentials(tenant: Tenant, **overrides: str) -> dict[str, str]:
    client = tenant.management_client
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "audience": tenant.management_audience,
        **overrides,
    }


def verify(http: httpx.Client, token: str, audience: str) -> dict[str, Any]:
    """Verify a token the way a resource server would: with the published JWKS."""
    keys = http.get("/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in keys if k["kid"] == kid]
    issuer = http.get("/.well-known/openid-configuration").json()["issuer"]
    return jwt.decode(
        token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience=audience, issuer=issuer
    )


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_client_credentials_json_and_form(
    tenant: Tenant, http: httpx.Client, encoding: str
) -> None:
    body = credentials(tenant)
    kwargs = {"json": body} if encoding == "json" else {"data": body}
    response = http.post("/oauth/token", **kwargs)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = response.json()
    assert set(token) == {"access_token", "expires_in", "scope", "token_type"}
    assert token["expires_in"] == 86400 and token["token_type"] == "Bearer"
    assert "read:users" in token["scope"].split() and "create:users" in token["scope"].split()


def test_access_token_has_auth0_claims(tenant: Tenant, http: httpx.Client) -> None:
    tenant.clock.freeze(1_700_000_000)
    token = http.post("/oauth/token", json=credentials(tenant)).json()["access_token"]
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": tenant.tokens.key.kid}
    claims = jwt.decode(token, options={"verify_signature": False})
    client_id = tenant.management_client.client_id
    assert claims == {
        "iss": "https://fake-tenant.auth0.com/",
        "sub": f"{client_id}@clients",
        "aud": "https://fake-tenant.auth0.com/api/v2/",
        "iat": 1_700_000_000,
        "exp": 1_700_000_000 + 86400,
        "scope": claims["scope"],
        "gty": "client-credentials",
        "azp": client_id,
    }


def test_tokens_verify_against_the_published_jwks(tenant: Tenant, http: httpx.Client) -> None:
    token = http.post("/oauth/token", json=credentials(tenant)).json()["access_token"]
    claims = verify(http, token, tenant.management_audience)
    assert claims["azp"] == tenant.management_client.client_id
    # A different tenant's key does not verify it.
    other_jwk = Tenant("other.auth0.com").tokens.jwks()["keys"][0]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            RSAAlgorithm.from_jwk(other_jwk),
            algorithms=["RS256"],
            audience=tenant.management_audience,
        )


def test_jwks_shape_and_per_tenant_kid(tenant: Tenant, http: httpx.Client) -> None:
    (key,) = http.get("/.well-known/jwks.json").json()["keys"]
    assert {"kty", "use", "alg", "kid", "n", "e", "x5c", "x5t"} <= set(key)
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
    assert key["kid"] == tenant.tokens.key.kid
    assert "d" not in key and "p" not in key  # never the private parts
    assert Tenant(tenant.domain).tokens.key.kid != key["kid"]


def test_openid_configuration(tenant: Tenant, http: httpx.Client) -> None:
    config = http.get("/.well-known/openid-configuration").json()
    assert config["issuer"] == "https://fake-tenant.auth0.com/"
    assert config["jwks_uri"] == "https://fake-tenant.auth0.com/.well-known/jwks.json"
    assert config["token_endpoint"] == "https://fake-tenant.auth0.com/oauth/token"
    assert "RS256" in config["id_token_signing_alg_values_supported"]


def test_token_from_the_endpoint_works_on_the_management_api(
    tenant: Tenant, http: httpx.Client, raw: RawClient
) -> None:
    token = http.post("/oauth/token", json=credentials(tenant)).json()["access_token"]
    assert raw.get("users", token=token).status_code == 200


def test_requested_scope_narrows_the_token(
    tenant: Tenant, http: httpx.Client, raw: RawClient
) -> None:
    response = http.post("/oauth/token", json=credentials(tenant, scope="read:users"))
    token = response.json()
    assert token["scope"] == "read:users"
    denied = raw.post("users", json={"connection": "x"}, token=token["access_token"])
    assert_error(
        denied, 403, "Insufficient scope, expected any of: create:users", "insufficient_scope"
    )


def test_client_granted_few_scopes(tenant: Tenant, http: httpx.Client, raw: RawClient) -> None:
    client = tenant.create_client("reader", scopes=["read:users"])
    body = credentials(tenant, client_id=client.client_id, client_secret=client.client_secret)
    token = http.post("/oauth/token", data=body).json()
    assert token["scope"] == "read:users"
    assert raw.get("users", token=token["access_token"]).status_code == 200
    response = http.post("/oauth/token", json={**body, "scope": "read:users delete:users"})
    # node-auth0 #357.
    assert_oauth_error(
        response, 403, "access_denied", "Client has not been granted scopes: delete:users"
    )


def test_basic_authentication_of_the_client(tenant: Tenant, http: httpx.Client) -> None:
    client = tenant.management_client
    basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
    response = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": tenant.management_audience},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("bad", ["client_id", "client_secret"])
def test_unknown_client_or_wrong_secret(tenant: Tenant, http: httpx.Client, bad: str) -> None:
    # node-auth0 #428: 401 access_denied "Unauthorized", the same for both.
    response = http.post("/oauth/token", json=credentials(tenant, **{bad: "wrong"}))
    assert_oauth_error(response, 401, "access_denied", "Unauthorized")
    missing = {k: v for k, v in credentials(tenant).items() if k != bad}
    assert_oauth_error(
        http.post("/oauth/token", json=missing), 401, "access_denied", "Unauthorized"
    )


def test_unknown_audience(tenant: Tenant, http: httpx.Client) -> None:
    # node-auth0 #292.
    response = http.post("/oauth/token", json=credentials(tenant, audience="https://nope/"))
    assert_oauth_error(
        response, 403, "access_denied", "Service not enabled within domain: https://nope/"
    )


def test_missing_audience(tenant: Tenant, http: httpx.Client) -> None:
    body = credentials(tenant)
    del body["audience"]
    assert_oauth_error(
        http.post("/oauth/token", data=body),
        403,
        "access_denied",
        "No audience parameter was provided, and no default audience has been configured",
    )


def test_client_without_a_grant_on_the_audience(tenant: Tenant, http: httpx.Client) -> None:
    client = tenant.create_client("api-only", scopes=["read:x"], audience="https://api.example/")
    body = credentials(tenant, client_id=client.client_id, client_secret=client.client_secret)
    response = http.post("/oauth/token", json=body)
    body = assert_oauth_error(response, 403, "access_denied")
    assert body["error_description"].startswith(
        f'Client "{client.client_id}" is not authorized to access resource server '
        f'"{tenant.management_audience}".'
    )


def test_client_not_allowed_client_credentials(tenant: Tenant, http: httpx.Client) -> None:
    client = tenant.create_client("spa", scopes=["read:users"], grant_types=["authorization_code"])
    body = credentials(tenant, client_id=client.client_id, client_secret=client.client_secret)
    result = assert_oauth_error(
        http.post("/oauth/token", json=body),
        403,
        "unauthorized_client",
        "Grant type 'client_credentials' not allowed for the client.",
    )
    assert result["error_uri"] == "https://auth0.com/docs/clients/client-grant-types"


def test_missing_and_unsupported_grant_types(tenant: Tenant, http: httpx.Client) -> None:
    # CHOICES.md "grant_type missing / unsupported".
    body = credentials(tenant)
    del body["grant_type"]
    assert_oauth_error(
        http.post("/oauth/token", json=body),
        400,
        "invalid_request",
        "Missing required parameter: grant_type",
    )
    assert_oauth_error(
        http.post("/oauth/token", json=credentials(tenant, grant_type="urn:example:unknown")),
        400,
        "unsupported_grant_type",
        "Unsupported grant type: urn:example:unknown",
    )


def test_bad_token_request_bodies_keep_the_oauth_shape(http: httpx.Client) -> None:
    for response in (
        http.post("/oauth/token", content=b"{", headers={"Content-Type": "application/json"}),
        http.post("/oauth/token", content=b"[]", headers={"Content-Type": "application/json"}),
        http.post("/oauth/token", content=b"x", headers={"Content-Type": "text/plain"}),
    ):
        assert 400 <= response.status_code < 500
        assert response.json()["error"] == "invalid_request"
        assert "statusCode" not in response.json()


def test_token_endpoint_takes_only_post(http: httpx.Client) -> None:
    assert_error(http.get("/oauth/token"), 405, "Method Not Allowed")
