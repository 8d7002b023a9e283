"""One run of a trigger's bound Actions (an *execution*) and what it asks of the login.

A login runs the deployed Actions bound to ``post-login`` one after the other
(docs/auth0-behaviour.md#post-login-actions). Each run's ``api`` calls are data
(:class:`~fakeauth0.js.runtime.RunResult`); this module folds them into one
:class:`Outcome` as Auth0 applies them, and keeps the record of the execution that
``GET /actions/executions/{id}`` and the control plane show. No HTTP and no JavaScript here: the
caller hands in the function that runs one action (:func:`fakeauth0.js.run_post_login`).
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clock import format_iso
from .errors import Auth0Error, Msg

#: The status of a login that an Action or a Rule denied, as the token endpoint answers it:
#: "the error code will be HTTP 500", ``{"error": "access_denied", "error_description":
#: <reason>}`` (Auth0's knowledge article,
#: https://community.auth0.com/t/setting-the-error-value-returned-when-denying-access-within-action-via-api-access-deny/124708;
#: also https://community.auth0.com/t/help-understanding-error-codes-in-pre-user-registration-and-post-login-actions/89653).
#: Flows through ``/authorize`` carry it to the callback instead.
DENIED_STATUS = 500

#: Claims an Action may not set: they are dropped silently
#: (https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims).
RESTRICTED_CLAIMS = frozenset(
    [
        "acr",
        "act",
        "active",
        "amr",
        "at_hash",
        "ath",
        "attest",
        "aud",
        "auth_time",
        "authorization_details",
        "azp",
        "c_hash",
        "client_id",
        "cnf",
        "cty",
        "dest",
        "entitlements",
        "events",
        "exp",
        "groups",
        "gty",
        "htm",
        "htu",
        "iat",
        "internalService",
        "iss",
        "jcard",
        "jku",
        "jti",
        "jwe",
        "jwk",
        "kid",
        "may_act",
        "mky",
        "nbf",
        "nonce",
        "object_id",
        "org_id",
        "org_name",
        "orig",
        "origid",
        "permissions",
        "roles",
        "rph",
        "s_hash",
        "sid",
        "sip_callid",
        "sip_cseq_num",
        "sip_date",
        "sip_from_tag",
        "sip_via_branch",
        "sub",
        "sub_jwk",
        "toe",
        "txn",
        "typ",
        "uuid",
        "vot",
        "vtm",
        "x5t#S256",
    ]
)
#: Namespaces Auth0 keeps for itself (same source).
RESERVED_NAMESPACES = ("auth0.com", "webtask.io", "webtask.run")
#: How many executions a tenant keeps (oldest dropped first).
KEPT = 500


def allowed_claim(name: str) -> bool:
    """Whether a custom claim named ``name`` reaches the token."""
    if name in RESTRICTED_CLAIMS or name.startswith("urn:auth0"):
        return False
    return not any(namespace in name for namespace in RESERVED_NAMESPACES)


@dataclass(frozen=True)
class TokenChanges:
    """What the Actions of one login ask of its tokens: custom claims for the ID and access
    tokens, and scope edits of the access token (in the order made). Carried on the grant, so
    tokens issued later for the login (the code exchange) get them too."""

    id_token: Mapping[str, Any] = field(default_factory=dict)
    access_token: Mapping[str, Any] = field(default_factory=dict)
    #: ``("add" | "remove", scope)`` in the order the Actions made them.
    scope_edits: tuple[tuple[str, str], ...] = ()

    def scopes(self, scopes: Iterable[str]) -> tuple[str, ...]:
        """``api.accessToken.addScope`` / ``removeScope`` applied to the token's scopes."""
        result = list(scopes)
        for op, scope in self.scope_edits:
            if op == "add" and scope not in result:
                result.append(scope)
            elif op == "remove" and scope in result:
                result.remove(scope)
        return tuple(result)

    def __bool__(self) -> bool:
        return bool(self.id_token or self.access_token or self.scope_edits)


@dataclass(frozen=True)
class Bound:
    """A bound action as the login runs it: its deployed version, taken under the lock."""

    action_id: str
    name: str
    version_id: str
    code: str
    secrets: Mapping[str, str]
    dependencies: tuple[Mapping[str, Any], ...]


@dataclass
class ActionRun:
    """One action's part of an execution."""

    action_id: str
    action_name: str
    version_id: str
    started_at: str
    ended_at: str
    duration_ms: float
    #: What it wrote with ``console.log`` and friends.
    logs: list[str]
    #: Its ``api`` calls, in order: ``{"api": "idToken.setCustomClaim", "args": [...]}``.
    commands: list[dict[str, Any]]
    #: ``{name, message, stack}`` when it threw or ran out of time.
    error: dict[str, str] | None = None
    timed_out: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "action_name": self.action_name,
            "version_id": self.version_id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_ms": self.duration_ms,
            "logs": list(self.logs),
            "api_calls": [dict(c) for c in self.commands],
            "error": dict(self.error) if self.error else None,
            "timed_out": self.timed_out,
        }


@dataclass
class Outcome:
    """The execution's effect on the login."""

    #: ``api.access.deny``'s reason, or the error of an action that threw or timed out:
    #: either ends the login with ``access_denied``.
    denied: str | None = None
    #: Queued ``setAppMetadata`` / ``setUserMetadata``: top-level keys, ``None`` deletes.
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    primary_user: str | None = None
    tokens: TokenChanges = field(default_factory=TokenChanges)
    #: ``api.redirect.sendUserTo``'s ``(url, query)``: the chain is suspended after the
    #: action that asked, until the browser comes back to ``/continue``.
    redirect: tuple[str, dict[str, str]] | None = None


@dataclass
class Execution:
    """One run of a trigger's bound actions, for one login (or refresh-token exchange)."""

    id: str
    trigger_id: str
    created_at: str
    updated_at: str
    runs: list[ActionRun]
    outcome: Outcome
    user_id: str
    client_id: str
    connection: str | None
    protocol: str
    #: Where a suspended chain resumes: the index of the action that redirected.
    paused_at: int | None = None
    #: The claims and scope edits made so far, kept while the chain is suspended.
    fold: _Fold = field(default_factory=lambda: _Fold())

    @property
    def result(self) -> str:
        return "denied" if self.outcome.denied is not None else "allowed"

    def to_json(self) -> dict[str, Any]:
        """As ``GET /actions/executions/{id}`` answers (the spec's
        ``GetActionExecutionResponseContent``)."""
        results = []
        for run in self.runs:
            entry: dict[str, Any] = {
                "action_name": run.action_name,
                "started_at": run.started_at,
                "ended_at": run.ended_at,
            }
            if run.error is not None:
                entry["error"] = {"id": run.error.get("name", "Error"), "msg": _message(run)}
            results.append(entry)
        return {
            "id": self.id,
            "trigger_id": self.trigger_id,
            "status": "final",
            "results": results,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def to_record(self) -> dict[str, Any]:
        """Everything the fake saw, for tests (``GET /_fake/executions``): each action's logs,
        api calls, error and duration, and the login's result."""
        return {
            **self.to_json(),
            "user_id": self.user_id,
            "client_id": self.client_id,
            "connection": self.connection,
            "protocol": self.protocol,
            "result": self.result,
            "error_description": self.outcome.denied,
            "actions": [run.to_json() for run in self.runs],
        }


def _message(run: ActionRun) -> str:
    error = run.error or {}
    return str(error.get("message") or error.get("name") or "")


class ExecutionLog:
    """The tenant's executions, newest first; bounded (:data:`KEPT`)."""

    def __init__(self) -> None:
        self._items: deque[Execution] = deque(maxlen=KEPT)

    def add(self, execution: Execution) -> None:
        self._items.appendleft(execution)

    def __iter__(self) -> Iterator[Execution]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def latest(self) -> Execution | None:
        return self._items[0] if self._items else None

    def get(self, execution_id: str) -> Execution:
        for execution in self._items:
            if execution.id == execution_id:
                return execution
        raise Auth0Error(404, Msg.EXECUTION_NOT_FOUND)

    def clear(self) -> None:
        self._items.clear()


#: Runs one action: ``(code, event, secrets, timeout, dependencies) -> RunResult``.
Runner = Callable[..., Any]


def run_chain(
    bound: Sequence[Bound],
    event: Mapping[str, Any],
    runner: Runner,
    *,
    timeout: float,
    execution_id: str,
    trigger: str,
    user_id: str,
    client_id: str,
    connection: str | None,
    protocol: str,
) -> Execution:
    """Run each bound action in order with the same ``event``: queued metadata is applied
    only once the trigger ends, so a later action does not see an earlier one's changes
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
    The chain stops at the first action that denies, throws or times out, and is suspended
    after one that calls ``api.redirect.sendUserTo`` (:func:`resume_chain` goes on)."""
    now = _iso(time.time())
    execution = Execution(
        id=execution_id,
        trigger_id=trigger,
        created_at=now,
        updated_at=now,
        runs=[],
        outcome=Outcome(),
        user_id=user_id,
        client_id=client_id,
        connection=connection,
        protocol=protocol,
    )
    _advance(execution, bound, 0, event, runner, timeout, resuming=False)
    return execution


def resume_chain(
    execution: Execution,
    bound: Sequence[Bound],
    event: Mapping[str, Any],
    runner: Runner,
    *,
    timeout: float,
) -> Execution:
    """Resume a chain suspended by a redirect: the action that redirected runs its
    ``onContinuePostLogin`` (the runner is called with ``resume=True``), then the actions
    after it run as usual
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions)."""
    start = execution.paused_at
    if start is None:
        return execution
    execution.paused_at = None
    execution.outcome.redirect = None
    _advance(execution, bound, start, event, runner, timeout, resuming=True)
    return execution


@dataclass
class _Fold:
    """The token changes the actions of one execution asked for, in order."""

    id_claims: dict[str, Any] = field(default_factory=dict)
    access_claims: dict[str, Any] = field(default_factory=dict)
    edits: list[tuple[str, str]] = field(default_factory=list)


def _advance(
    execution: Execution,
    bound: Sequence[Bound],
    start: int,
    event: Mapping[str, Any],
    runner: Runner,
    timeout: float,
    *,
    resuming: bool,
) -> None:
    outcome, fold = execution.outcome, execution.fold
    for index in range(start, len(bound)):
        action = bound[index]
        started = time.time()
        extra = {"resume": True} if resuming and index == start else {}
        try:
            result = runner(
                action.code,
                event,
                dict(action.secrets),
                timeout,
                dependencies=[dict(d) for d in action.dependencies],
                **extra,
            )
        except RuntimeError as error:
            # No node, or the worker died: the action could not run, and the login fails.
            result = _Unrun({"name": type(error).__name__, "message": str(error), "stack": ""})
        ended = started + result.duration_ms / 1000
        execution.runs.append(
            ActionRun(
                action_id=action.action_id,
                action_name=action.name,
                version_id=action.version_id,
                started_at=_iso(started),
                ended_at=_iso(ended),
                duration_ms=result.duration_ms,
                logs=list(result.logs),
                commands=list(result.commands),
                error=dict(result.error) if result.error else None,
                timed_out=result.timed_out,
            )
        )
        _fold(outcome, fold, result)
        if result.failed:
            outcome.denied = result.error_description or "Error"
            break
        if result.denied is not None:
            outcome.denied = result.denied
            break
        redirects = result.calls("redirect.sendUserTo")
        if redirects:
            outcome.redirect = _redirect_of(redirects[-1])
            execution.paused_at = index
            break
    outcome.tokens = TokenChanges(dict(fold.id_claims), dict(fold.access_claims), tuple(fold.edits))
    execution.updated_at = _iso(time.time())


def _fold(outcome: Outcome, fold: _Fold, result: Any) -> None:
    """One action's ``api`` calls into the execution's outcome."""
    switched = bool(result.calls("authentication.setPrimaryUser"))
    for command in result.commands:
        name, args = command.get("api"), list(command.get("args") or [])
        key = str(args[0]) if args else ""
        value = args[1] if len(args) > 1 else None
        if name == "user.setAppMetadata" and args:
            outcome.app_metadata[key] = value
        elif name == "user.setUserMetadata" and args and not switched:
            # setPrimaryUser discards the user_metadata the same action set (same source).
            outcome.user_metadata[key] = value
        elif name == "idToken.setCustomClaim" and args and allowed_claim(key):
            fold.id_claims[key] = value
        elif name == "accessToken.setCustomClaim" and args and allowed_claim(key):
            fold.access_claims[key] = value
        elif name == "accessToken.addScope" and args:
            fold.edits.append(("add", key))
        elif name == "accessToken.removeScope" and args:
            fold.edits.append(("remove", key))
        elif name == "authentication.setPrimaryUser" and args:
            outcome.primary_user = key


def _redirect_of(args: list[Any]) -> tuple[str, dict[str, str]]:
    """``sendUserTo(url, {query})``: the URL and its query values as strings."""
    url = str(args[0]) if args else ""
    options = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    query = options.get("query") if isinstance(options.get("query"), dict) else {}
    return url, {str(k): _text(v) for k, v in query.items() if v is not None}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


class _Unrun:
    """The result of an action the runtime could not run (shaped as a ``RunResult``)."""

    commands: list[dict[str, Any]] = []
    logs: list[str] = []
    timed_out = False
    duration_ms = 0.0
    failed = True
    denied = None

    def __init__(self, error: dict[str, str]) -> None:
        self.error = error
        self.error_description = error["message"]

    def calls(self, name: str) -> list[list[Any]]:
        return []


def _iso(moment: float) -> str:
    return format_iso(moment)
