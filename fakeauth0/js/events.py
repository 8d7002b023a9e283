"""Auth0's post-login ``event`` object, built from the fake's records
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object).

Plain JSON: it crosses to node as one line. ``event.secrets`` is added by the runtime, from
the action's own secrets.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from ..clients import Client
from ..connections import Connection
from ..users import User

#: The first factor a login through a connection of each strategy completed
#: (``event.authentication.methods[].name``: "pwd" for a database, "email" / "sms" for
#: passwordless, "federated" for social and enterprise connections; the event object reference).
_METHODS = {"auth0": "pwd", "email": "email", "sms": "sms"}


def user_json(user: User) -> dict[str, Any]:
    """``event.user``: the full profile, metadata and identities, as the Management API shows
    it, with both metadata objects always present (the event object reference lists them)."""
    data = user.to_json()
    data.setdefault("app_metadata", {})
    data.setdefault("user_metadata", {})
    return data


def post_login_event(
    user: User,
    connection: Connection,
    client: Client,
    *,
    tenant_id: str,
    protocol: str = "oidc-basic-profile",
    request: Mapping[str, Any] | None = None,
    transaction: Mapping[str, Any] | None = None,
    organization: Mapping[str, Any] | None = None,
    authentication: Sequence[Mapping[str, Any]] | None = None,
    resource_server: str | None = None,
    roles: Sequence[str] = (),
    session: Mapping[str, Any] | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """The event of one login of ``user`` through ``connection`` into ``client``.

    ``authentication``: the methods used (default: the connection's first factor at ``now``:
    ``pwd``, ``email``, ``sms`` or ``federated``). ``stats.logins_count`` is the user's count,
    which Auth0 has already incremented for this login when Actions run
    (https://community.auth0.com/t/how-logins-count-attribute-works/91318).
    """
    method = _METHODS.get(connection.strategy, "federated")
    methods = (
        [dict(m) for m in authentication]
        if authentication is not None
        else [{"name": method, **({"timestamp": now} if now else {})}]
    )
    event: dict[str, Any] = {
        "user": user_json(user),
        "connection": {
            "id": connection.id,
            "name": connection.name,
            "strategy": connection.strategy,
            "metadata": copy.deepcopy(connection.metadata or {}),
        },
        "client": {
            "client_id": client.client_id,
            "name": client.name,
            "metadata": copy.deepcopy(client.settings.get("client_metadata") or {}),
        },
        "request": {
            "ip": "127.0.0.1",
            "method": "GET",
            "query": {},
            "body": {},
            "geoip": {},
            "language": "en",
            "user_agent": "",
            **(dict(request) if request else {}),
        },
        "authentication": {"methods": methods},
        "authorization": {"roles": list(roles)},
        "transaction": {
            "protocol": protocol,
            "requested_scopes": [],
            "metadata": {},
            **(dict(transaction) if transaction else {}),
        },
        "stats": {"logins_count": user.logins_count or 0},
        "tenant": {"id": tenant_id},
    }
    if organization is not None:
        event["organization"] = dict(organization)
    if resource_server is not None:
        event["resource_server"] = {"identifier": resource_server}
    if session is not None:
        event["session"] = dict(session)
    return event
