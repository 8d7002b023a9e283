"""The OAuth grants of ``/oauth/token``: each takes the request's inputs and returns the token
response, or raises :class:`~fakeauth0.errors.OAuthError`. No HTTP here; the caller holds the
tenant lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .apis import ResourceServer, by_identifier
from .clients import Client
from .errors import OAuthError, OAuthMsg
from .tokens import ACCESS_TOKEN_LIFETIME, TokenAuthority


def client_credentials_token(
    clients: Mapping[str, Client],
    tokens: TokenAuthority,
    client_id: str,
    client_secret: str,
    audience: str,
    scope: str | None = None,
    resource_servers: Mapping[str, ResourceServer] | None = None,
) -> dict[str, Any]:
    """The ``client_credentials`` grant: a client's access token for an
    audience it was granted, with the scopes asked for (default: every scope granted), living
    as long as the API's ``token_lifetime``."""
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
    lifetime = ACCESS_TOKEN_LIFETIME if api is None else api.token_lifetime
    token = tokens.issue_access_token(client_id, audience, scopes, lifetime)
    return {
        "access_token": token,
        "scope": " ".join(scopes),
        "expires_in": lifetime,
        "token_type": "Bearer",
    }
