"""The ``user`` and ``context`` a classic Rule is called with, built from the fake's records
(https://auth0.com/docs/customize/rules/context-object).

Plain JSON, as for Actions' ``event``. ``context.idToken`` and ``context.accessToken`` start
empty (``accessToken.scope`` holds the scopes asked): what a Rule puts there goes into the
tokens once every rule has run.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from ..clients import Client
from ..connections import Connection
from ..users import User
from .events import user_json


def rule_user(user: User) -> dict[str, Any]:
    """The user as rules see it: the profile, metadata and identities (as in Actions)."""
    return user_json(user)


def rule_context(
    user: User,
    connection: Connection,
    client: Client,
    *,
    tenant: str,
    protocol: str = "oidc-basic-profile",
    request: Mapping[str, Any] | None = None,
    scopes: Sequence[str] = (),
    roles: Sequence[str] = (),
    organization: Mapping[str, Any] | None = None,
    session_id: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """The ``context`` of one login of ``user`` through ``connection`` into ``client``;
    ``stats.loginsCount`` already counts this login, as Auth0 counts it before rules run."""
    method = "pwd" if connection.strategy == "auth0" else "federated"
    context: dict[str, Any] = {
        "tenant": tenant.split(".")[0],
        "clientID": client.client_id,
        "clientName": client.name,
        "clientMetadata": copy.deepcopy(client.settings.get("client_metadata") or {}),
        "connectionID": connection.id,
        "connection": connection.name,
        "connectionStrategy": connection.strategy,
        "connectionMetadata": copy.deepcopy(connection.metadata or {}),
        "protocol": protocol,
        "stats": {"loginsCount": user.logins_count or 0},
        "sso": {"with_auth0": False, "with_dbconn": False, "current_clients": []},
        "accessToken": {"scope": list(scopes)},
        "idToken": {},
        "authentication": {"methods": [{"name": method, **({"timestamp": now} if now else {})}]},
        "authorization": {"roles": list(roles)},
        "request": {
            "userAgent": "",
            "ip": "127.0.0.1",
            "hostname": tenant,
            "query": {},
            "body": {},
            "geoip": {},
            **(dict(request) if request else {}),
        },
    }
    if session_id is not None:
        context["sessionID"] = session_id
    if organization is not None:
        context["organization"] = dict(organization)
    return context
