"""The OAuth grants of ``/oauth/token``: each takes the request's inputs and returns the token
response, or raises :class:`~fakeauth0.errors.OAuthError`. No HTTP here; the caller holds the
tenant lock.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .access import Role, permissions_on
from .apis import ResourceServer, by_identifier
from .clients import REFRESH_TOKEN_DEFAULT, Client, grant_id
from .errors import OAuthError, OAuthMsg
from .executions import TokenChanges
from .logins import Attempt, LoginDesk, sign_in
from .organizations import Organization, find_for_login, member_permissions_on
from .sessions import Grant, RefreshToken, SessionBook
from .tokens import ACCESS_TOKEN_LIFETIME, ID_TOKEN_LIFETIME, TokenAuthority, b64url
from .users import User, UserDirectory


def client_credentials_token(
    clients: Mapping[str, Client],
    tokens: TokenAuthority,
    client_id: str,
    client_secret: str,
    audience: str,
    scope: str | None = None,
    resource_servers: Mapping[str, ResourceServer] | None = None,
    organization: str | None = None,
    organizations: Mapping[str, Organization] | None = None,
) -> dict[str, Any]:
    """The ``client_credentials`` grant: a client's access token for an
    audience it was granted, with the scopes asked for (default: every scope granted), living
    as long as the API's ``token_lifetime``; with ``organization``, for that organization
    (:func:`m2m_organization_claims`)."""
    client = clients.get(client_id)
    if client is None or not client.secret_matches(client_secret):
        raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    if "client_credentials" not in client.grant_types:
        raise OAuthError(
            403,
            "unauthorized_client",
            OAuthMsg.GRANT_NOT_ALLOWED.format(grant_type="client_credentials"),
            "https://auth0.com/docs/clients/client-grant-types",
        )
    servers = resource_servers or {}
    api = by_identifier(servers, audience)
    # An audience granted in a seed counts as an API even without a resource server record.
    known_audiences = {tokens.management_audience} | {
        aud for c in clients.values() for aud in c.grants
    }
    if api is not None:
        known_audiences.add(audience)
    if audience not in known_audiences:
        raise OAuthError(
            403, "access_denied", OAuthMsg.SERVICE_NOT_ENABLED.format(audience=audience)
        )
    granted = client.grants.get(audience)
    if granted is None:
        raise OAuthError(
            403,
            "access_denied",
            OAuthMsg.NOT_AUTHORIZED_FOR_API.format(client_id=client_id, audience=audience),
        )
    if scope is None:
        scopes = list(granted)
    else:
        scopes = scope.split()
        missing = [s for s in scopes if s not in granted]
        if missing:
            raise OAuthError(
                403,
                "access_denied",
                OAuthMsg.SCOPES_NOT_GRANTED.format(scopes=" ".join(missing)),
            )
    org = m2m_organization_claims(client, audience, organization, organizations or {})
    lifetime = ACCESS_TOKEN_LIFETIME if api is None else api.token_lifetime
    token = tokens.issue_access_token(client_id, audience, scopes, lifetime, extra=org)
    return {
        "access_token": token,
        "scope": " ".join(scopes),
        "expires_in": lifetime,
        "token_type": "Bearer",
    }


def m2m_organization_claims(
    client: Client,
    audience: str,
    organization: str | None,
    organizations: Mapping[str, Organization],
) -> dict[str, str]:
    """The ``org_id`` and ``org_name`` of a client's own token for an organization, named by
    id or name, as the client grant's ``organization_usage`` (``deny`` when unset) and
    ``allow_any_organization`` permit: the grant must be associated with the organization
    unless it allows any
    (https://auth0.com/docs/manage-users/organizations/organizations-for-m2m-applications/configure-your-application-for-m2m-access;
    auth0-python's ``GetToken.client_credentials``: "the access token returned will include
    the org_id and org_name claims",
    https://github.com/auth0/auth0-python/blob/master/auth0/authentication/get_token.py).
    The refusals' wording is the fake's (CHOICES.md "organizations: M2M refusals")."""
    options = client.client_grants.get(audience, {})
    usage = options.get("organization_usage") or "deny"
    if not organization:
        if usage == "require":
            raise OAuthError(400, "invalid_request", OAuthMsg.M2M_ORGANIZATION_REQUIRED)
        return {}
    if usage == "deny":
        raise OAuthError(400, "invalid_request", OAuthMsg.M2M_ORGANIZATION_DENIED)
    org = find_for_login(organizations, organization, names_allowed=True)
    if org is None:
        raise OAuthError(
            400, "invalid_request", OAuthMsg.ORGANIZATION_UNKNOWN.format(value=organization)
        )
    if options.get("allow_any_organization") is not True and (
        grant_id(client, audience) not in org.client_grants
    ):
        raise OAuthError(
            403,
            "access_denied",
            OAuthMsg.M2M_ORGANIZATION_NOT_AUTHORIZED.format(
                client_id=client.client_id, org_id=org.id, audience=audience
            ),
        )
    return {"org_id": org.id, "org_name": org.name}


# -- the grants a user's login makes ----------------------------------------------------------

#: The OpenID Connect scopes; every other scope belongs to an API.
OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access")
#: Which claims each OIDC scope lets into the ID token and ``/userinfo``
#: (https://auth0.com/docs/get-started/apis/scopes/openid-connect-scopes).
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": (
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_verified"),
    "address": ("address",),
}
#: What the ``password`` grants answer with when the request names no scope (go-auth0
#: recording TestOAuthLoginWithPassword).
PASSWORD_DEFAULT_SCOPE = ("openid", "profile", "email", "address", "phone")
#: Auth0's ``token_endpoint_auth_method`` when a client does not set one.
_PUBLIC_APP_TYPES = ("spa", "native")


@dataclass(frozen=True)
class TokenDesk:
    """What issuing a user's tokens needs of the tenant."""

    users: UserDirectory
    clients: Mapping[str, Client]
    resource_servers: Mapping[str, ResourceServer]
    tokens: TokenAuthority
    sessions: SessionBook
    roles: Mapping[str, Role] = field(default_factory=dict)
    organizations: Mapping[str, Organization] = field(default_factory=dict)


def auth_method(client: Client) -> str:
    """How the client authenticates at ``/oauth/token``: its ``token_endpoint_auth_method``, or
    Auth0's default for its type (``none`` for single-page and native apps)."""
    method = client.settings.get("token_endpoint_auth_method")
    if isinstance(method, str):
        return method
    return "none" if client.app_type in _PUBLIC_APP_TYPES else "client_secret_post"


def authenticate_client(
    clients: Mapping[str, Client], client_id: str | None, client_secret: str | None
) -> Client:
    """The calling client: a confidential one must prove its secret; a public one (``none``)
    is known by its id alone. Unknown or wrong: 401 ``access_denied`` "Unauthorized"."""
    client = clients.get(client_id or "")
    if client is None:
        raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    if client_secret:
        if not client.secret_matches(client_secret):
            raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    elif auth_method(client) != "none":
        raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
    return client


def require_grant_type(client: Client, grant_type: str) -> None:
    if grant_type not in client.grant_types:
        raise OAuthError(
            403,
            "unauthorized_client",
            OAuthMsg.GRANT_NOT_ALLOWED.format(grant_type=grant_type),
            "https://auth0.com/docs/clients/client-grant-types",
        )


def granted_scopes(
    desk: TokenDesk, client: Client, requested: Iterable[str], audience: str | None
) -> tuple[str, ...]:
    """The scopes a login grants: the OIDC ones, and those the API defines (``offline_access``
    only where refresh tokens may be issued). Unknown scopes are dropped, as Auth0 does."""
    api = by_identifier(desk.resource_servers, audience) if audience else None
    defined = set(api.scope_values) if api is not None else set()
    offline = "refresh_token" in client.grant_types and (api is None or api.allow_offline_access)
    kept: list[str] = []
    for scope in requested:
        if scope in kept:
            continue
        if scope == "offline_access" and not offline:
            continue
        if scope in OIDC_SCOPES or scope in defined:
            kept.append(scope)
    return tuple(kept)


def require_audience(desk: TokenDesk, audience: str | None) -> ResourceServer | None:
    """The API an audience names; an unknown one: 403 ``access_denied`` "Service not found"."""
    if not audience:
        return None
    api = by_identifier(desk.resource_servers, audience)
    if api is None:
        raise OAuthError(403, "access_denied", OAuthMsg.SERVICE_NOT_FOUND.format(audience=audience))
    return api


def profile_claims(user: User, scopes: Iterable[str]) -> dict[str, Any]:
    """The user's claims each granted OIDC scope lets out (ID token and ``/userinfo``)."""
    claims: dict[str, Any] = {}
    for scope in scopes:
        for name in SCOPE_CLAIMS.get(scope, ()):
            if name == "updated_at":
                claims[name] = user.updated_at
            elif name in user.profile:
                claims[name] = copy.deepcopy(user.profile[name])
    return claims


def token_hash(value: str) -> str:
    """``at_hash`` / ``c_hash``: the left half of the SHA-256 of the value, base64url."""
    return b64url(hashlib.sha256(value.encode("ascii")).digest()[:16])


def issue_tokens(
    desk: TokenDesk,
    client: Client,
    grant: Grant,
    *,
    access_token: bool = True,
    id_token: bool | None = None,
    refresh_token: bool = False,
    code: str | None = None,
    gty: str | None = None,
    web: bool = False,
) -> dict[str, Any]:
    """The tokens of a grant, as ``/oauth/token`` (or ``/authorize``'s fragment) returns them.

    An API audience gets a JWT for that API (with ``/userinfo`` beside it when ``openid`` was
    granted); no audience, Auth0's opaque token good at ``/userinfo`` only. The ID token comes
    with ``openid``; ``at_hash`` and ``c_hash`` bind it to what it travels with.
    """
    user = desk.users.get(grant.user_id)
    if user is None:
        raise OAuthError(403, "invalid_grant", OAuthMsg.REFRESH_USER_GONE)
    api = require_audience(desk, grant.audience)
    body: dict[str, Any] = {}
    lifetime = ACCESS_TOKEN_LIFETIME
    if api is not None:
        # Tokens handed to the browser by /authorize live as long as the API's web setting.
        lifetime = api.token_lifetime_for_web if web else api.token_lifetime
    scopes = grant.scopes
    org = organization_claims(grant)
    changes = grant.changes
    if access_token:
        if api is not None:
            audiences = [api.identifier]
            if "openid" in grant.scopes:
                audiences.append(f"{desk.tokens.issuer}userinfo")
            dialect = str(api.extra.get("token_dialect") or "access_token")
            permissions = None
            if api.extra.get("enforce_policies") is True:
                permissions = rbac_permissions(desk, user, grant, api.identifier)
                scopes = rbac_scopes(grant.scopes, permissions)
            if changes is not None:
                # Actions' addScope/removeScope have the last word, RBAC included
                # (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
                scopes = changes.scopes(scopes)
            body["access_token"] = desk.tokens.issue_user_token(
                grant.user_id,
                client.client_id,
                audiences if len(audiences) > 1 else audiences[0],
                scopes,
                lifetime,
                gty=gty,
                dialect=dialect,
                permissions=permissions,
                extra={**custom_claims(changes, "access_token", grant.scopes), **org},
            )
        else:
            body["access_token"] = desk.sessions.issue_opaque(
                grant.user_id, client.client_id, grant.scopes, lifetime, desk.tokens.issuer
            )
    if refresh_token and "offline_access" in grant.scopes:
        policy = client.settings.get("refresh_token") or REFRESH_TOKEN_DEFAULT
        body["refresh_token"] = desk.sessions.issue_refresh_token(grant, policy)
    if (id_token is None and "openid" in grant.scopes) or id_token:
        claims = profile_claims(user, grant.scopes)
        claims.update(custom_claims(changes, "id_token", grant.scopes))
        claims.update(org)
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        if grant.sid is not None:
            claims["sid"] = grant.sid
        if grant.with_auth_time and grant.auth_time is not None:
            claims["auth_time"] = grant.auth_time
        if "access_token" in body:
            claims["at_hash"] = token_hash(body["access_token"])
        if code is not None:
            claims["c_hash"] = token_hash(code)
        body["id_token"] = desk.tokens.issue_id_token(
            grant.user_id, client.client_id, claims, id_token_lifetime(client)
        )
    body["scope"] = " ".join(scopes)
    if "access_token" in body:
        body["expires_in"] = lifetime
        body["token_type"] = "Bearer"
    return body


def rbac_permissions(desk: TokenDesk, user: User, grant: Grant, identifier: str) -> list[str]:
    """The user's permissions on an API with RBAC: through an organization, those of the
    member's organization roles only; else the user's own, direct and through roles
    (https://community.auth0.com/t/organization-permissions-claim-empty/99135)."""
    if grant.org_id is not None:
        org = desk.organizations.get(grant.org_id)
        return member_permissions_on(org, user.user_id, desk.roles, identifier)
    return permissions_on(user, desk.roles, identifier)


def custom_claims(
    changes: TokenChanges | None, token: str, scopes: Iterable[str]
) -> dict[str, Any]:
    """The custom claims Actions set on ``token`` (``"id_token"`` or ``"access_token"``),
    less the profile claims of OIDC scopes the login did not get: Auth0 removes those even when
    an Action set them (https://auth0.com/docs/get-started/apis/scopes/openid-connect-scopes)."""
    if changes is None:
        return {}
    claims = changes.id_token if token == "id_token" else changes.access_token
    granted = set(scopes)
    withheld = {
        name for scope, names in SCOPE_CLAIMS.items() if scope not in granted for name in names
    }
    return {k: copy.deepcopy(v) for k, v in claims.items() if k not in withheld}


def rbac_scopes(requested: Iterable[str], permissions: Iterable[str]) -> tuple[str, ...]:
    """With RBAC on an API, its scopes in a user's token are those asked for that the user
    holds as permissions; OIDC scopes stay
    (https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis)."""
    held = set(permissions)
    return tuple(s for s in requested if s in OIDC_SCOPES or s in held)


def organization_claims(grant: Grant) -> dict[str, str]:
    """``org_id``, and ``org_name`` when the tenant allows names, in the ID and access tokens
    of a login through an organization
    (https://auth0.com/docs/manage-users/organizations/using-tokens)."""
    claims = {}
    if grant.org_id is not None:
        claims["org_id"] = grant.org_id
        if grant.org_name is not None:
            claims["org_name"] = grant.org_name
    return claims


def id_token_lifetime(client: Client) -> int:
    configuration = client.settings.get("jwt_configuration") or {}
    lifetime = configuration.get("lifetime_in_seconds") if isinstance(configuration, dict) else None
    return lifetime if isinstance(lifetime, int) and lifetime > 0 else ID_TOKEN_LIFETIME


def authorization_code_token(
    desk: TokenDesk,
    client: Client,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
    *,
    authenticated: bool,
) -> dict[str, Any]:
    """The ``authorization_code`` grant: the code once, for the client it was issued to, with
    the same ``redirect_uri`` and the PKCE verifier when a challenge was sent.

    A client that did not prove a secret (``authenticated`` False) must have used PKCE.
    """
    require_grant_type(client, "authorization_code")
    record = desk.sessions.redeem_code(code, client.client_id)
    if record.redirect_uri is not None and redirect_uri != record.redirect_uri:
        raise OAuthError(403, "invalid_grant", OAuthMsg.REDIRECT_URI_MISMATCH)
    if record.code_challenge is not None:
        if not code_verifier or not verifier_matches(
            code_verifier, record.code_challenge, record.code_challenge_method
        ):
            raise OAuthError(403, "invalid_grant", OAuthMsg.BAD_VERIFIER)
    elif not authenticated:
        raise OAuthError(403, "invalid_grant", OAuthMsg.BAD_VERIFIER)
    return issue_tokens(desk, client, record.grant, refresh_token=True)


def verifier_matches(verifier: str, challenge: str, method: str | None) -> bool:
    """RFC 7636: ``S256`` hashes the verifier; ``plain`` compares it as it is."""
    computed = _s256(verifier) if method == "S256" else verifier
    return hmac.compare_digest(computed.encode(), challenge.encode())


def _s256(value: str) -> str:
    return b64url(hashlib.sha256(value.encode("ascii", "replace")).digest())


def refresh_token_grant(
    desk: TokenDesk,
    client: Client,
    token: str,
    scope: str | None,
    *,
    changes: TokenChanges | None = None,
) -> dict[str, Any]:
    """The ``refresh_token`` grant: new tokens for the family's grant, a narrower ``scope``
    allowed; a rotating family answers with its next refresh token. ``changes``: what the
    post-login Actions run for this exchange asked of the tokens (none ran: no custom claims)."""
    require_grant_type(client, "refresh_token")
    # An empty scope asks for no narrowing: the official SDKs send ``scope=""`` by default.
    asked = scope.split() if scope else []

    def check(record: RefreshToken) -> None:
        if desk.users.get(record.grant.user_id) is None:
            raise OAuthError(403, "invalid_grant", OAuthMsg.REFRESH_USER_GONE)
        wider = [s for s in asked if s not in record.grant.scopes]
        if wider:
            raise OAuthError(
                403, "access_denied", OAuthMsg.SCOPES_NOT_GRANTED.format(scopes=" ".join(wider))
            )

    record, rotated = desk.sessions.use_refresh_token(token, client.client_id, check)
    grant = record.grant
    if asked:
        grant = replace(grant, scopes=tuple(asked))
    # A refreshed ID token is not a new authentication: no nonce.
    grant = replace(grant, nonce=None, changes=changes)
    body = issue_tokens(desk, client, grant, gty=None)
    if rotated is not None:
        body["refresh_token"] = rotated
    return body


PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"


@dataclass(frozen=True)
class PasswordLogin:
    """A ``password`` grant once its credentials passed: what its tokens will be for."""

    attempt: Attempt
    audience: str | None
    requested: tuple[str, ...]


def password_login(
    desk: TokenDesk,
    login_desk: LoginDesk,
    client: Client,
    grant_type: str,
    params: Mapping[str, str],
    *,
    default_directory: str | None,
    default_audience: str | None,
    ip: str | None,
) -> PasswordLogin:
    """The ``password`` and ``password-realm`` grants up to the login: the user's own
    credentials, checked in the ``realm`` (or the tenant's default directory) through the one
    login pipeline (:func:`fakeauth0.logins.sign_in`); :func:`password_tokens` issues."""
    require_grant_type(client, grant_type)
    for name in ("username", "password"):
        if not params.get(name):
            raise OAuthError(400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name=name))
    realm = params.get("realm") if grant_type == PASSWORD_REALM else None
    if grant_type == PASSWORD_REALM and not realm:
        raise OAuthError(400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="realm"))
    connection_name = realm or default_directory
    if not connection_name:
        raise OAuthError(500, "server_error", OAuthMsg.NO_DEFAULT_CONNECTION)
    connection = login_desk.connections.get(connection_name)
    if connection is None or not connection.is_database:
        raise OAuthError(400, "invalid_request", OAuthMsg.UNKNOWN_CONNECTION)
    if client.client_id not in connection.enabled_clients:
        raise OAuthError(400, "invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED)
    audience = params.get("audience") or default_audience or None
    require_audience(desk, audience)
    username = params["username"]
    by = {"email": username} if "@" in username else {"username": username}
    attempt = sign_in(
        login_desk,
        connection.name,
        password=params["password"],
        ip=ip,
        client_id=client.client_id,
        **by,
    )
    asked = params.get("scope")
    requested = asked.split() if asked is not None else list(PASSWORD_DEFAULT_SCOPE)
    return PasswordLogin(attempt, audience, tuple(requested))


def password_tokens(
    desk: TokenDesk,
    client: Client,
    login: PasswordLogin,
    user: User,
    changes: TokenChanges | None = None,
) -> dict[str, Any]:
    """The ``password`` grants' answer for the user the login resolved to."""
    grant = Grant(
        client_id=client.client_id,
        user_id=user.user_id,
        scopes=granted_scopes(desk, client, login.requested, login.audience),
        audience=login.audience,
        auth_time=int(desk.tokens.clock.time()),
        changes=changes,
    )
    return issue_tokens(desk, client, grant, refresh_token=True, gty="password")
