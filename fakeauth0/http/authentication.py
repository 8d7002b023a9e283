"""The parts of the Authentication API a Management API client needs: tokens and keys."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request

from ..errors import Auth0Error, OAuthError, OAuthMsg
from ..grants import client_credentials_token
from .responses import json_response
from .routes import Answer, Call, authentication


@authentication("/oauth/token", "POST", endpoint="oauth_token")
def token(call: Call) -> Answer:
    """JSON or form bodies; the client secret in the body or Basic auth."""
    tenant, request = call.tenant, call.request
    try:
        body: Any = call.json()
    except Auth0Error as error:
        raise OAuthError(error.status, "invalid_request", error.message) from None
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", OAuthMsg.BAD_BODY)
    params = {k: v for k, v in body.items() if isinstance(v, str)}
    basic = _basic_credentials(request)
    if basic is not None:
        params.setdefault("client_id", basic[0])
        params.setdefault("client_secret", basic[1])
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError(
            400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="grant_type")
        )
    if grant_type != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", OAuthMsg.UNSUPPORTED_GRANT.format(grant_type=grant_type)
        )
    for name in ("client_id", "client_secret"):
        if not params.get(name):
            raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    audience = params.get("audience")
    if not audience:
        raise OAuthError(403, "access_denied", OAuthMsg.NO_AUDIENCE)
    with tenant.lock:
        result = client_credentials_token(
            tenant.clients,
            tenant.tokens,
            params["client_id"],
            params["client_secret"],
            audience,
            params.get("scope"),
            tenant.resource_servers,
        )
    return json_response(200, result, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED) from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


@authentication("/.well-known/jwks.json", "GET", endpoint="jwks")
def jwks(call: Call) -> Answer:
    return 200, call.tenant.tokens.jwks()


@authentication("/.well-known/openid-configuration", "GET", endpoint="openid_configuration")
def openid_configuration(call: Call) -> Answer:
    issuer = call.tenant.tokens.issuer
    return (
        200,
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}authorize",
            "token_endpoint": f"{issuer}oauth/token",
            "userinfo_endpoint": f"{issuer}userinfo",
            "jwks_uri": f"{issuer}.well-known/jwks.json",
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": ["code", "id_token", "token id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": [
                "aud",
                "email",
                "email_verified",
                "exp",
                "iat",
                "iss",
                "name",
                "nickname",
                "picture",
                "sub",
            ],
        },
    )
