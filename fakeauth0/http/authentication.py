"""The Authentication API's JSON endpoints: ``/oauth/token`` with every grant, ``/oauth/revoke``,
``/userinfo``, the keys and discovery."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from .. import authorization, grants, passwordless, post_login
from ..clients import Client
from ..errors import Auth0Error, OAuthError, OAuthMsg
from ..executions import TokenChanges
from ..logins import Attempt, LoginDesk
from ..tokens import ALGORITHM
from ..users import User
from .responses import json_response
from .routes import Answer, Call, authentication


@authentication("/oauth/token", "POST", endpoint="oauth_token")
def token(call: Call) -> Answer:
    """Every grant: JSON or form bodies; the client secret in the body or Basic auth."""
    tenant = call.tenant
    params = _token_params(call)
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError(
            400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="grant_type")
        )
    if grant_type not in _GRANTS:
        raise OAuthError(
            400, "unsupported_grant_type", OAuthMsg.UNSUPPORTED_GRANT.format(grant_type=grant_type)
        )

    def exchange() -> dict[str, Any]:
        try:
            result = _GRANTS[grant_type](call, params)
        except OAuthError as error:
            with tenant.lock:
                _log_exchange(call, params, error=error)
            raise
        with tenant.lock:
            _log_exchange(call, params, result=result)
        return result

    if grant_type in _RUN_ACTIONS:
        # These take the lock themselves: the post-login Actions run without it.
        result = exchange()
    else:
        with tenant.lock:
            result = exchange()
    return json_response(200, result, _NO_STORE)


def _log_exchange(call: Call, params: dict[str, str], **outcome: Any) -> None:
    tenant = call.tenant
    audience = params.get("audience")
    if params["grant_type"] == "client_credentials":
        audience = audience or tenant.settings.default_audience
    tenant.logs.exchange(
        params["grant_type"],
        tenant.clients.get(params.get("client_id") or ""),
        audience=audience,
        ip=call.request.remote_addr,
        **outcome,
    )


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: How a client may prove itself here: the secret in Basic auth or in the body
#: (:func:`_token_params`), or no secret for a public client (``grants.authenticate_client``).
_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")


def _token_params(call: Call) -> dict[str, str]:
    try:
        body: Any = call.json()
    except Auth0Error as error:
        raise OAuthError(error.status, "invalid_request", error.message) from None
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", OAuthMsg.BAD_BODY)
    params = {k: v for k, v in body.items() if isinstance(v, str)}
    basic = _basic_credentials(call.request)
    if basic is not None:
        params.setdefault("client_id", basic[0])
        params.setdefault("client_secret", basic[1])
    return params


def _client_credentials(call: Call, params: dict[str, str]) -> dict[str, Any]:
    tenant = call.tenant
    for name in ("client_id", "client_secret"):
        if not params.get(name):
            raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    audience = params.get("audience") or tenant.settings.default_audience
    if not audience:
        raise OAuthError(403, "access_denied", OAuthMsg.NO_AUDIENCE)
    return grants.client_credentials_token(
        tenant.clients,
        tenant.tokens,
        params["client_id"],
        params["client_secret"],
        audience,
        params.get("scope"),
        tenant.resource_servers,
        organization=params.get("organization") or None,
        organizations=tenant.organizations,
    )


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise OAuthError(400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name=name))
    return value


def _calling_client(call: Call, params: dict[str, str]) -> Client:
    return grants.authenticate_client(
        call.tenant.clients, params.get("client_id"), params.get("client_secret")
    )


def _authorization_code(call: Call, params: dict[str, str]) -> dict[str, Any]:
    tenant = call.tenant
    client = _calling_client(call, params)
    code = _required(params, "code")
    return grants.authorization_code_token(
        tenant.token_desk(),
        client,
        code,
        params.get("redirect_uri"),
        params.get("code_verifier"),
        authenticated=bool(params.get("client_secret")),
    )


def _refresh_token(call: Call, params: dict[str, str]) -> dict[str, Any]:
    tenant = call.tenant
    with tenant.lock:
        client = _calling_client(call, params)
        token = _required(params, "refresh_token")
    return post_login.refresh(tenant, client, token, params.get("scope"), call.caller())


def _password(call: Call, params: dict[str, str]) -> dict[str, Any]:
    tenant = call.tenant
    found: list[grants.PasswordLogin] = []
    client: Client | None = None

    def begin(desk: LoginDesk) -> Attempt:
        nonlocal client
        client = _calling_client(call, params)
        found.append(
            grants.password_login(
                tenant.token_desk(),
                desk,
                client,
                params["grant_type"],
                params,
                default_directory=tenant.settings.default_directory,
                default_audience=tenant.settings.default_audience,
                ip=call.request.remote_addr,
            )
        )
        return found[0].attempt

    def then(user: User, changes: TokenChanges | None) -> dict[str, Any]:
        assert client is not None
        return grants.password_tokens(tenant.token_desk(), client, found[0], user, changes)

    context = post_login.Context(
        "oauth2-password",
        tuple((params.get("scope") or "").split()),
        params.get("audience") or tenant.settings.default_audience or None,
    ).heard(call.caller(), method=True)
    return post_login.login(tenant, begin, then, context)


#: The grants that run the post-login Actions (a login, or a refresh token's exchange).
_RUN_ACTIONS = frozenset(
    {"refresh_token", "password", grants.PASSWORD_REALM, passwordless.OTP_GRANT}
)


def _passwordless_otp(call: Call, params: dict[str, str]) -> dict[str, Any]:
    with call.tenant.lock:
        client = _calling_client(call, params)
    return call.tenant.passwordless_token(client, params, call.caller())


_GRANTS: dict[str, Callable[[Call, dict[str, str]], dict[str, Any]]] = {
    "client_credentials": _client_credentials,
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "password": _password,
    grants.PASSWORD_REALM: _password,
    passwordless.OTP_GRANT: _passwordless_otp,
}


def served_grants() -> frozenset[str]:
    """The ``grant_type`` values the token endpoint serves (discovery and COVERAGE.md)."""
    return frozenset(_GRANTS)


@authentication("/oauth/revoke", "POST", endpoint="oauth_revoke")
def revoke(call: Call) -> Answer:
    """A refresh token's family dies; unknown or foreign tokens still get 200, empty
    (https://auth0.com/docs/api/authentication#revoke-refresh-token)."""
    tenant = call.tenant
    params = _token_params(call)
    if not params.get("client_id"):
        raise OAuthError(
            400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="client_id")
        )
    if not params.get("token"):
        raise OAuthError(400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="token"))
    with tenant.lock:
        try:
            client = grants.authenticate_client(
                tenant.clients, params["client_id"], params.get("client_secret")
            )
        except OAuthError as error:
            raise OAuthError(401, "invalid_client", error.description) from None
        tenant.sessions.revoke_refresh_token(params["token"], client.client_id)
    return Response(status=200, headers=_NO_STORE)


@authentication("/userinfo", "GET", "POST", endpoint="userinfo")
def userinfo(call: Call) -> Answer:
    """The profile an access token with ``openid`` may read, filtered by its scopes; a JWT
    for an API with ``/userinfo`` in its audience, or the opaque token of a login without one
    (https://auth0.com/docs/api/authentication#get-user-info)."""
    tenant = call.tenant
    header = call.request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized(tenant.domain, "invalid_request")
    with tenant.lock:
        found = tenant.userinfo(token.strip())
    if found is None:
        return _unauthorized(tenant.domain, "invalid_token")
    return json_response(200, found)


def _unauthorized(domain: str, error: str) -> Response:
    """401 with a ``WWW-Authenticate`` challenge (RFC 6750 section 3) and the body Auth0
    answers (docs/auth0-behaviour.md#userinfo)."""
    response = Response(
        "Unauthorized",
        status=401,
        mimetype="text/plain",
        headers={"WWW-Authenticate": f'Bearer realm="{domain}", error="{error}"'},
    )
    return response


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
    """The discovery document: Auth0's field names in Auth0's order, listing only what this
    fake serves (no device code, MFA, registration or CIBA endpoints), so a client that reads
    it never reaches for a missing endpoint (docs/auth0-behaviour.md#discovery)."""
    issuer = call.tenant.tokens.issuer
    return (
        200,
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}authorize",
            "token_endpoint": f"{issuer}oauth/token",
            "userinfo_endpoint": f"{issuer}userinfo",
            "jwks_uri": f"{issuer}.well-known/jwks.json",
            "revocation_endpoint": f"{issuer}oauth/revoke",
            "scopes_supported": _SCOPES,
            "response_types_supported": _RESPONSE_TYPES,
            "code_challenge_methods_supported": list(authorization.CHALLENGE_METHODS),
            "response_modes_supported": list(authorization.RESPONSE_MODES),
            "grant_types_supported": [*_GRANTS, "implicit"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": list(_AUTH_METHODS),
            "claims_supported": _CLAIMS,
            "request_uri_parameter_supported": False,
            "request_parameter_supported": False,
            "end_session_endpoint": f"{issuer}oidc/logout",
        },
    )


#: The scopes that let claims out, in the order Auth0 lists them.
_SCOPES = ["openid", "profile", "offline_access", "email", "phone", "address"]
#: Auth0 spells each response type in the order code, token, id_token, and lists the single
#: words first.
_WORD_ORDER = ("code", "token", "id_token")
_RESPONSE_TYPES = [
    " ".join(words)
    for words in sorted(
        (sorted(kind, key=_WORD_ORDER.index) for kind in authorization.RESPONSE_TYPES),
        key=lambda words: (len(words), [_WORD_ORDER.index(word) for word in words]),
    )
]
#: What an ID token or ``/userinfo`` may carry, sorted as Auth0 sorts them.
_CLAIMS = sorted(
    {"aud", "auth_time", "exp", "iat", "iss", "sid", "sub"}
    | {claim for claims in grants.SCOPE_CLAIMS.values() for claim in claims}
)
