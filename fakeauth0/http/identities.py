"""Account linking over HTTP: ``POST /users/{id}/identities`` and its ``DELETE``
(docs/auth0-behaviour.md#account-linking,
docs/auth0-behaviour.md#unlinking).

The rules live in :mod:`fakeauth0.linking`; here are the two ways in (``update:users`` with
``{provider, user_id}``, or ``link_with`` an ID token) and who may use which.
"""

from __future__ import annotations

from typing import Any

from ..errors import Auth0Error, Msg
from ..linking import identities_json
from ..spec import load_spec
from .management import idp_tokens
from .routes import Call, management

SELF_SCOPE = "update:current_user_identities"
BROAD_SCOPE = "update:users"


@management("post_identities")
def link_identity(call: Call) -> tuple[int, Any]:
    primary_id = call.args["id"]
    body = call.body()
    if not body:
        raise Auth0Error.invalid_body(Msg.LINK_EMPTY_BODY)
    # A token with only update:current_user_identities acts on its own sub
    # (docs/auth0-behaviour.md#linking-requests).
    call.require_subject(primary_id, (SELF_SCOPE,))
    link_with = body.get("link_with")
    others = [name for name in ("provider", "user_id", "connection_id") if name in body]
    if link_with is not None:
        if others:
            raise Auth0Error.invalid_body(Msg.LINK_WITH_EXCLUSIVE)
        user = call.tenant.link_with(primary_id, link_with, call.principal.azp)
        return 201, identities_json(user, idp_tokens=idp_tokens(call))
    if not call.principal.has_any((BROAD_SCOPE,)):
        # Linking by provider/user_id with a user's own token was the flow closed in Oct 2018
        # (https://github.com/auth0/docs/blob/master/articles/migrations/guides/account-linking.md);
        # its status now is UNCONFIRMED.
        raise Auth0Error(403, Msg.LINK_NEEDS_UPDATE_USERS, "insufficient_scope")
    if "provider" not in body:
        # node-auth0 #554: user_id alone gives this 400 with inexistent_connection.
        raise Auth0Error.bad_request(Msg.LINK_PROVIDER_NOT_CONFIGURED, "inexistent_connection")
    if "user_id" not in body:
        raise Auth0Error.invalid_body(Msg.LINK_USER_ID_REQUIRED)
    user = call.tenant.link(
        primary_id, body["provider"], body["user_id"], body.get("connection_id")
    )
    return 201, identities_json(user, idp_tokens=idp_tokens(call))


@management("delete_user_identity_by_user_id")
def unlink_identity(call: Call) -> tuple[int, Any]:
    primary_id = call.args["id"]
    provider = call.args["provider"]
    _check_provider(provider)
    call.require_subject(primary_id, (SELF_SCOPE,))
    user = call.tenant.unlink(primary_id, provider, call.args["user_id"])
    return 200, identities_json(user, idp_tokens=idp_tokens(call))


def _check_provider(provider: str) -> None:
    """``{provider}`` in the path is validated against the spec's provider enum."""
    schema = load_spec()["components"]["schemas"]["UserIdentityProviderEnum"]
    if provider not in schema["enum"]:
        raise Auth0Error.bad_request(
            Msg.PATH_ENUM.format(
                value=provider,
                name="provider",
                description="Identity provider name of the secondary linked account",
            ),
            "invalid_uri",
        )
