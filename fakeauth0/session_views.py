"""How the Management API shows an SSO session and a refresh token
(docs/auth0-behaviour.md#sessions-and-refresh-tokens-on-the-management-api).

A session is shown under its ``sid``, the id the ID tokens of its logins carry in ``sid``
(https://auth0.com/docs/manage-users/sessions/manage-user-sessions-with-auth0-management-api).
A refresh token is shown as its family: one login's token and the tokens rotation put in its
place share one id, distinct from any token's value, which is never shown
(https://auth0.com/docs/secure/tokens/refresh-tokens/manage-refresh-tokens-with-auth0-management-api).
Shapes: the spec's ``SessionResponseContent`` and ``RefreshTokenResponseContent``. No HTTP here.
"""

from __future__ import annotations

from typing import Any

from .clock import format_iso
from .sessions import RefreshFamily, RefreshToken, Session

#: The authentication method a login through a connection of each strategy records (the
#: spec's ``SessionAuthenticationSignal.name``: "federated", "passkey", "pwd", "sms", "email").
_METHODS = {"auth0": "pwd", "email": "email", "sms": "sms"}


def _date(epoch: float | None) -> str | None:
    return None if epoch is None else format_iso(epoch)


def session_json(
    session: Session, strategy: str | None, *, idle: float, absolute: float
) -> dict[str, Any]:
    """One session; ``strategy`` is that of the connection the user logged in with."""
    expires = session.created + absolute
    return {
        "id": session.sid,
        "user_id": session.user_id,
        "created_at": _date(session.created),
        "updated_at": _date(session.last_active),
        "authenticated_at": _date(session.auth_time),
        "idle_expires_at": _date(min(session.last_active + idle, expires)),
        "expires_at": _date(expires),
        "last_interacted_at": _date(session.last_active),
        "device": {},
        "clients": [{"client_id": client_id} for client_id in sorted(session.clients)],
        "authentication": {
            "methods": [
                {
                    "name": _METHODS.get(strategy or "", "federated"),
                    "timestamp": _date(session.auth_time),
                }
            ]
        },
    }


def refresh_token_json(family: RefreshFamily, latest: RefreshToken, issuer: str) -> dict[str, Any]:
    """One refresh token (its family); a token for no API is one for ``/userinfo``."""
    grant = latest.grant
    idle_expires = None if family.idle is None else latest.last_used + family.idle
    if family.expires is not None and idle_expires is not None:
        idle_expires = min(idle_expires, family.expires)
    return {
        "id": family.id,
        "user_id": family.user_id,
        "created_at": _date(family.created),
        "idle_expires_at": _date(idle_expires),
        "expires_at": _date(family.expires),
        "device": {},
        "client_id": family.client_id,
        "session_id": family.session_id,
        "rotating": family.rotating,
        "resource_servers": [
            {"audience": grant.audience or f"{issuer}userinfo", "scopes": " ".join(grant.scopes)}
        ],
        "last_exchanged_at": _date(family.last_exchanged),
    }
