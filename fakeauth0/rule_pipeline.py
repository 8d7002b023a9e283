"""A legacy tenant's classic Rules on every login, before the post-login Actions
(docs/auth0-behaviour.md#classic-rules).

Each enabled rule runs in ``order``, called with ``(user, context, callback)``; what one calls
back with is what the next receives. A rule reaches the tenant's Management API as on Auth0:
``auth0.accessToken`` (``read:users`` and ``update:users`` only,
https://auth0.com/docs/customize/rules/use-management-api) at ``auth0.baseUrl``, carried
to the tenant through its loopback bridge; writes made that way commit on their own, while
the rules run without the tenant lock. When every rule has called back, what the last
``context`` holds is applied: ``context.idToken`` / ``context.accessToken`` claims,
``context.accessToken.scope``, and ``context.primaryUser`` (the subject after linking). A rule
that calls back with an error ends the login: an ``UnauthorizedError`` with ``unauthorized``
and its message, anything else (a throw or a timeout too) with ``access_denied``
(https://auth0.com/docs/customize/rules/raise-errors-from-rules).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clock import format_iso
from .errors import OAuthError
from .executions import DENIED_STATUS, TokenChanges, allowed_claim
from .js.bridge import bridge_url
from .js.rule_context import rule_context, rule_user
from .rules import Rule

#: The scopes of ``auth0.accessToken`` in a rule.
RULE_TOKEN_SCOPES = ("read:users", "update:users")
#: How many runs the tenant keeps (newest first).
KEPT = 200
#: Runs one rule: ``(script, user, context, *, auth0, configuration, bridge, timeout)``.
Runner = Callable[..., Any]


@dataclass(frozen=True)
class Prepared:
    """What the rules of one login run with, taken under the tenant lock."""

    rules: tuple[Rule, ...]
    user: dict[str, Any]
    context: dict[str, Any]
    auth0: dict[str, Any]
    configuration: dict[str, str]
    home: tuple[str, str]
    user_id: str
    client_id: str
    timeout: float


@dataclass
class RuleRun:
    """One rule's part of a login: what it logged, its error, how long it took."""

    rule_id: str
    rule_name: str
    started_at: str
    duration_ms: float
    logs: list[str]
    error: dict[str, str] | None = None
    timed_out: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "started_at": self.started_at,
            "duration_ms": self.duration_ms,
            "logs": list(self.logs),
            "error": dict(self.error) if self.error else None,
            "timed_out": self.timed_out,
        }


@dataclass
class Ruling:
    """The rules' effect on one login."""

    user_id: str
    client_id: str
    runs: list[RuleRun] = field(default_factory=list)
    #: The login's failure, when a rule called back with an error (or threw, or timed out).
    error: OAuthError | None = None
    #: ``context.primaryUser`` as the last rule left it.
    primary_user: str | None = None
    tokens: TokenChanges = field(default_factory=TokenChanges)

    def to_record(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "client_id": self.client_id,
            "result": "denied" if self.error is not None else "allowed",
            "error": None if self.error is None else self.error.error,
            "error_description": None if self.error is None else self.error.description,
            "rules": [run.to_json() for run in self.runs],
        }


class RuleRunLog:
    """The tenant's rule runs, one per login, newest first; bounded (:data:`KEPT`)."""

    def __init__(self) -> None:
        self._items: deque[Ruling] = deque(maxlen=KEPT)

    def add(self, ruling: Ruling) -> None:
        self._items.appendleft(ruling)

    def __iter__(self) -> Iterator[Ruling]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def latest(self) -> Ruling | None:
        return self._items[0] if self._items else None

    def clear(self) -> None:
        self._items.clear()


def enabled_rules(tenant: Any) -> tuple[Rule, ...]:
    """The rules a login on ``tenant`` runs (none unless it is a legacy tenant)."""
    if not tenant.rules_enabled or not tenant.rule_book.rules:
        return ()
    return tuple(tenant.rule_book.pipeline())


def prepare(
    tenant: Any,
    rules: Sequence[Rule],
    user: Any,
    connection: Any,
    client_id: str,
    *,
    protocol: str,
    scopes: Sequence[str],
    ip: str,
    organization: dict[str, Any] | None = None,
) -> Prepared:
    """Everything the rules need, read now; the caller holds the lock."""
    client = tenant.clients[client_id]
    roles = [tenant.roles[r].name for r in user.roles if r in tenant.roles]
    return Prepared(
        rules=tuple(rules),
        user=rule_user(user),
        context=rule_context(
            user,
            connection,
            client,
            tenant=tenant.domain,
            protocol=protocol,
            request={"ip": ip},
            scopes=scopes,
            roles=roles,
            organization=organization,
            now=tenant.clock.iso(),
        ),
        auth0={
            "baseUrl": f"{tenant.base_url}/api/v2",
            "accessToken": tenant.management_token(RULE_TOKEN_SCOPES),
            "domain": tenant.domain,
        },
        configuration=dict(tenant.rule_book.configs),
        home=(tenant.domain, bridge_url(tenant)),
        user_id=user.user_id,
        client_id=client_id,
        timeout=tenant.action_timeout,
    )


def run(prepared: Prepared, runner: Runner) -> Ruling:
    """Run the rules in order, with no lock held; stop at the first that fails."""
    ruling = Ruling(prepared.user_id, prepared.client_id)
    user, context = prepared.user, prepared.context
    for rule in prepared.rules:
        started = time.time()
        try:
            result = runner(
                rule.script,
                user,
                context,
                auth0=prepared.auth0,
                configuration=prepared.configuration,
                bridge=prepared.home,
                timeout=prepared.timeout,
            )
        except RuntimeError as error:  # no node, or the worker died: the login fails closed
            ruling.runs.append(
                RuleRun(rule.id, rule.name, format_iso(started), 0.0, [], _error(error))
            )
            ruling.error = OAuthError(DENIED_STATUS, "access_denied", str(error))
            return ruling
        ruling.runs.append(
            RuleRun(
                rule.id,
                rule.name,
                format_iso(started),
                result.duration_ms,
                list(result.logs),
                dict(result.error) if result.error else None,
                result.timed_out,
            )
        )
        if result.failed:
            name = (result.error or {}).get("name")
            message = result.error_description or "Error"
            kind = "unauthorized" if name == "UnauthorizedError" else "access_denied"
            ruling.error = OAuthError(
                401 if kind == "unauthorized" else DENIED_STATUS, kind, message
            )
            return ruling
        output = result.output or {}
        user = output.get("user") if isinstance(output.get("user"), dict) else user
        context = output.get("context") if isinstance(output.get("context"), dict) else context
    ruling.primary_user = _string(context.get("primaryUser"))
    ruling.tokens = _token_changes(prepared.context, context)
    return ruling


def _token_changes(before: dict[str, Any], after: dict[str, Any]) -> TokenChanges:
    """``context.idToken`` and ``context.accessToken`` claims (restricted names dropped, as
    for Actions), and ``context.accessToken.scope`` (an array or a space-separated string) as
    edits of the scopes the login asked for."""
    id_token = after.get("idToken") if isinstance(after.get("idToken"), dict) else {}
    access = after.get("accessToken") if isinstance(after.get("accessToken"), dict) else {}
    id_claims = {k: v for k, v in id_token.items() if allowed_claim(k)}
    access_claims = {k: v for k, v in access.items() if k != "scope" and allowed_claim(k)}
    asked = list(before.get("accessToken", {}).get("scope") or [])
    scope = access.get("scope", asked)
    final = scope.split() if isinstance(scope, str) else [str(s) for s in scope or []]
    edits = [("remove", s) for s in asked if s not in final]
    edits += [("add", s) for s in final if s not in asked]
    return TokenChanges(id_claims, access_claims, tuple(edits))


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _error(error: Exception) -> dict[str, str]:
    return {"name": type(error).__name__, "message": str(error), "stack": ""}
