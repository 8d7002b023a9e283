"""Every Management API call verifies its bearer token and scopes
(docs/auth0-behaviour.md#management-api-tokens)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from auth0.management import ManagementClient
from auth0.management.errors import UnauthorizedError
from cryptography.hazmat.primitives import serialization

from fakeauth0 import Tenant
from fakeauth0.grants import client_credentials_token
from tests.support import NO_TOKEN, RawClient, assert_error


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    now = int(tenant.clock.time())
    client_id = tenant.management_client.client_id
    claims = {
        "iss": f"https://{tenant.domain}/",
        "sub": f"{client_id}@clients",
        "aud": f"https://{tenant.domain}/api/v2/",
        "iat": now,
        "exp": now + 3600,
        "scope": "read:users",
        "gty": "client-credentials",
        "azp": client_id,
    }
    claims.update(overrides)
    return claims


def assert_invalid_token(response: Any, message: str = "Invalid token") -> None:
    # docs/auth0-behaviour.md#management-api-tokens: verification failures are 401 with
    # attributes.error and no errorCode.
    body = assert_error(response, 401, message)
    assert body["attributes"] == {"error": message}


def test_missing_authorization_header(raw: RawClient) -> None:
    body = assert_error(raw.get("users", token=NO_TOKEN), 401, "Missing authentication")
    assert body == {"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"}


def test_other_schemes_count_as_missing(raw: RawClient) -> None:
    response = raw.get("users", token=NO_TOKEN, headers={"Authorization": "Basic YTpi"})
    assert_error(response, 401, "Missing authentication")


@pytest.mark.parametrize("value", ["opaque-token", "a.b", "", "a..c"])
def test_non_jwt_bearer_is_400_bad_header_format(raw: RawClient, value: str) -> None:
    # docs/auth0-behaviour.md#error-bodies, docs/auth0-behaviour.md#management-api-tokens: the odd
    # but real errorCode "Bearer".
    response = raw.get("users", token=NO_TOKEN, headers={"Authorization": f"Bearer {value}"})
    assert_error(response, 400, "Bad HTTP authentication header format", "Bearer")


def test_garbage_jwt_is_invalid_token(raw: RawClient) -> None:
    assert_invalid_token(raw.get("users", token="abc.def.ghi"))


def test_expiry_follows_the_tenant_clock(tenant: Tenant, raw: RawClient) -> None:
    token = tenant.management_token()
    tenant.clock.advance(86400 - 5)
    assert raw.get("users", token=token).status_code == 200
    tenant.clock.advance(5)
    response = raw.get("users", token=token)
    assert_invalid_token(response, "Expired token received for JSON Web Token validation")


def test_sdk_sees_expiry_as_unauthorized(
    tenant: Tenant, auth0_management: ManagementClient
) -> None:
    tenant.clock.advance(86401)
    with pytest.raises(UnauthorizedError) as caught:
        auth0_management.users.list()
    assert caught.value.body["message"] == "Expired token received for JSON Web Token validation"


def test_tampered_payload_is_a_bad_signature(tenant: Tenant, raw: RawClient) -> None:
    header, _, signature = tenant.management_token(["read:users"]).split(".")
    forged = b64(json.dumps(claims_for(tenant, scope="read:users delete:users")).encode())
    response = raw.get("users", token=f"{header}.{forged}.{signature}")
    assert_invalid_token(response, "Invalid signature received for JSON Web Token validation")


def test_wrong_audience(tenant: Tenant, raw: RawClient) -> None:
    token = tenant.tokens.key.sign(claims_for(tenant, aud="https://api.example.com/"))
    assert_invalid_token(raw.get("users", token=token), "Bad audience: https://api.example.com/")


def test_id_token_used_as_management_token_is_invalid_token(tenant: Tenant, raw: RawClient) -> None:
    # docs/auth0-behaviour.md#management-api-tokens: an ID token, like any other invalid bearer,
    # is 401 "Invalid token" (not "Bad audience").
    client_id = tenant.management_client.client_id
    id_token = tenant.tokens.issue_id_token("auth0|0123456789abcdef01234567", client_id, {})
    assert_invalid_token(raw.get("users", token=id_token), "Invalid token")


def test_wrong_issuer_is_invalid_token(tenant: Tenant, raw: RawClient) -> None:
    # docs/auth0-behaviour.md#management-api-tokens: a token must be used against the domain that
    # issued it. Message: CHOICES.md.
    token = tenant.tokens.key.sign(claims_for(tenant, iss="https://other.auth0.com/"))
    assert_invalid_token(raw.get("users", token=token))


def test_alg_none_is_refused(tenant: Tenant, raw: RawClient) -> None:
    token = jwt.encode(
        claims_for(tenant), key=None, algorithm="none", headers={"kid": tenant.tokens.key.kid}
    )
    # An empty signature part is not a 3-part bearer at all (CHOICES.md "alg none").
    assert token.endswith(".")
    assert_error(
        raw.get("users", token=token), 400, "Bad HTTP authentication header format", "Bearer"
    )
    with_signature = token + b64(b"anything")
    assert_invalid_token(raw.get("users", token=with_signature))


def test_hs256_signed_with_the_public_key_is_refused(tenant: Tenant, raw: RawClient) -> None:
    # The classic algorithm-confusion attack: HMAC keyed with the published RSA public key.
    pem = tenant.tokens.key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": tenant.tokens.key.kid}).encode())
    payload = b64(json.dumps(claims_for(tenant)).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert_invalid_token(raw.get("users", token=f"{header}.{payload}.{b64(mac)}"))


def test_token_of_another_tenant_is_refused(tenant: Tenant, raw: RawClient) -> None:
    # Even a tenant with the same domain has its own key and kid. Message: CHOICES.md.
    for other in (Tenant(tenant.domain), Tenant("other.auth0.com")):
        assert_invalid_token(raw.get("users", token=other.management_token()))


def test_token_for_another_api_of_this_tenant(tenant: Tenant, raw: RawClient) -> None:
    client = tenant.create_client("api", scopes=["read:things"], audience="https://api.example/")
    token = client_credentials_token(
        tenant.clients,
        tenant.tokens,
        client.client_id,
        client.client_secret,
        "https://api.example/",
    )["access_token"]
    assert_invalid_token(raw.get("users", token=token), "Bad audience: https://api.example/")


def test_token_without_scopes_is_403(raw: RawClient) -> None:
    response = raw.get("users", scopes=[])
    assert_error(
        response,
        403,
        "Insufficient scope, expected any of: read:users,read:user_idp_tokens",
        "insufficient_scope",
    )


def test_any_one_listed_scope_is_enough(raw: RawClient) -> None:
    # The spec's security lists alternatives: read:user_idp_tokens alone may list users.
    assert raw.get("users", scopes=["read:user_idp_tokens"]).status_code == 200


def test_authentication_comes_before_body_parsing(raw: RawClient) -> None:
    response = raw.post(
        "users",
        token=NO_TOKEN,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 401, "Missing authentication")
