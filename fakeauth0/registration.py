"""The sign-up triggers: ``pre-user-registration`` before a database sign-up is stored,
``post-user-registration`` after
(docs/auth0-behaviour.md#registration-actions).

The pre-user-registration Actions run without the tenant lock, on the user as the sign-up
would store it; ``api.access.deny(reason, userMessage)`` refuses the sign-up, and
``api.user.setAppMetadata`` / ``setUserMetadata`` shape the user that is stored
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-api-object).
The post-user-registration Actions run once the user is stored and cannot change the result
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/post-user-registration-trigger);
the fake runs them right away, so a test sees their effects when the sign-up answers.
No HTTP here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import action_cache, executions
from .caller import Caller
from .clients import Client
from .connections import Connection
from .errors import SignupError, SignupMsg
from .executions import Bound, Execution
from .js.bridge import bridge_url
from .js.runtime import shared_runtime
from .logins import merged_metadata
from .users import User

PRE = "pre-user-registration"
POST = "post-user-registration"
#: The fields of ``event.user`` before the user exists (the pre-user-registration event object:
#: https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-event-object).
PRE_USER_FIELDS = (
    "email",
    "username",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "picture",
)


@dataclass(frozen=True)
class Denial:
    """``api.access.deny(reason, userMessage)``: ``reason`` for the logs and the API answer,
    ``user_message`` for the sign-up page."""

    reason: str
    user_message: str | None


def event(
    user: User,
    connection: Connection,
    client: Client,
    *,
    tenant_id: str,
    hostname: str,
    caller: Caller,
    registered: bool,
) -> dict[str, Any]:
    """``event`` for either trigger: before the sign-up is stored (``registered=False``) the
    user has no id yet; after, it is the stored user. ``event.request`` is the request that
    registers the user (``caller``): its address, method, ``User-Agent`` and language
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-event-object)."""
    if registered:
        profile = user.to_json()
    else:
        profile = {k: copy.deepcopy(user.profile[k]) for k in PRE_USER_FIELDS if k in user.profile}
        profile["user_metadata"] = copy.deepcopy(user.user_metadata or {})
        profile["app_metadata"] = copy.deepcopy(user.app_metadata or {})
    return {
        "user": profile,
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
            "ip": caller.ip or "127.0.0.1",
            "hostname": hostname,
            "query": {},
            "body": {},
            "geoip": {},
            **caller.request_json(),
        },
        "transaction": {"locale": "en", "requested_scopes": [], "acr_values": [], "ui_locales": []},
        "tenant": {"id": tenant_id},
    }


def run(
    tenant: Any, trigger: str, bound: list[Bound], event_json: Mapping[str, Any], user_id: str
) -> Execution:
    """Run the bound actions of ``trigger``, in order, with no lock held."""
    home = (tenant.domain, bridge_url(tenant))
    runtime = shared_runtime()

    def runner(code: str, event_: Any, secrets: Any, timeout: float, **kwargs: Any) -> Any:
        return runtime.run(trigger, code, event_, secrets, timeout=timeout, bridge=home, **kwargs)

    return executions.run_chain(
        bound,
        event_json,
        action_cache.cached(runner, tenant.action_cache, trigger, tenant.clock),
        timeout=tenant.action_timeout,
        execution_id=tenant.new_execution_id(),
        trigger=trigger,
        user_id=user_id,
        client_id=str(event_json["client"]["client_id"]),
        connection=str(event_json["connection"]["name"]),
        protocol="oauth2-password" if trigger == PRE else "",
    )


def denial(execution: Execution) -> Denial | None:
    """The refusal of a pre-user-registration run: a denial, a throw or a timeout."""
    if execution.outcome.denied is None:
        return None
    for run in execution.runs:
        for command in run.commands:
            if command.get("api") == "access.deny":
                args = list(command.get("args") or [])
                message = args[1] if len(args) > 1 and isinstance(args[1], str) else None
                return Denial(str(args[0]) if args else "", message)
    return Denial(execution.outcome.denied, None)


def refusal(denied: Denial) -> SignupError:
    """The sign-up's answer: 400 ``extensibility_error`` with the reason, as auth0.js reads it
    (``{code, description}``); the page shows ``user_message``."""
    return SignupError(
        "extensibility_error",
        denied.reason or SignupMsg.EXTENSIBILITY,
        name="ExtensibilityError",
        user_message=denied.user_message,
    )


def shaped(user: User, execution: Execution) -> User:
    """The user to store, with the metadata the actions set (``None`` deletes a key)."""
    outcome = execution.outcome
    if not outcome.app_metadata and not outcome.user_metadata:
        return user
    changed = copy.copy(user)
    changed.app_metadata = merged_metadata(user.app_metadata or {}, outcome.app_metadata)
    if outcome.user_metadata:
        changed.user_metadata = merged_metadata(user.user_metadata or {}, outcome.user_metadata)
        changed.user_metadata_set = True
    return changed
