"""What the Actions and Executions pages show: the tenant's JavaScript and what it did.

Auth0's Dashboard shows a trigger's flow (its bound actions, in order) and each action's code,
with its secrets by name only (https://auth0.com/docs/customize/actions/write-your-first-action);
a login's run of them is read in the execution log (https://auth0.com/docs/customize/actions/test-actions).
Nothing secret leaves this module: secret and rule-configuration values are never read into a
record, and what the code wrote or passed to ``api`` is masked where it repeats one of them or
carries a token (:class:`Masker`). No HTTP here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..actions import TRIGGERS

if TYPE_CHECKING:
    from ..actions import Action, Version
    from ..executions import ActionRun, Execution
    from ..rule_pipeline import RuleRun, Ruling
    from ..tenant import Tenant

#: How many runs the Executions page shows (the tenant keeps more; the control plane's
#: ``/_fake/executions`` lists them all).
MAX_EXECUTIONS = 50
#: What stands in for a masked value.
MASK = "••••••"
#: Shorter secret values are not masked inside text: a one-letter secret would hide every
#: occurrence of that letter (CHOICES.md "dashboard: secrets in execution output").
MIN_MASKED = 4
#: A JWT (an ID or access token, ``api.redirect.encodeToken``'s session token, a rule's
#: ``auth0.accessToken``): three base64url parts, the header a JSON object.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
#: Keys of an ``api`` call's argument whose value is hidden whatever it holds.
_SECRET_KEY = re.compile(r"token|secret|password|credential|api_?key", re.IGNORECASE)
#: The triggers an action can be bound to today, in the order Auth0 lists them.
CURRENT_TRIGGERS = tuple(t["id"] for t in TRIGGERS if t["status"] == "CURRENT")


class Masker:
    """Hides the tenant's secret values and any token in what the code wrote or passed on."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = sorted({s for s in secrets if len(s) >= MIN_MASKED}, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, values))) if values else None

    def text(self, value: str) -> str:
        if self._secrets is not None:
            value = self._secrets.sub(MASK, value)
        return _JWT.sub(MASK, value)

    def value(self, value: Any) -> Any:
        """A JSON value with every string masked, and the whole value of a secret-like key."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                self.text(str(k)): MASK if _SECRET_KEY.search(str(k)) else self.value(v)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def masker(tenant: Tenant) -> Masker:
    """A masker for the tenant's secrets: every action's (draft and deployed versions), the
    rules' configuration values and the applications' client secrets. The caller holds the
    lock."""
    values: list[str] = []
    for action in tenant.action_book.actions.values():
        values += [s.value for s in action.secrets]
        for version in action.versions:
            values += [s.value for s in version.secrets]
    values += list(tenant.rule_book.configs.values())
    values += [c.client_secret for c in tenant.clients.values() if c.client_secret]
    return Masker(values)


# -- the Actions page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    """An action as it runs: its deployed version (the draft when none is deployed)."""

    id: str
    name: str
    trigger: str
    #: The binding's display name, when the action is shown in a trigger's flow.
    display_name: str
    deployed: bool
    version: int | None
    undeployed_changes: bool
    runtime: str
    dependencies: tuple[str, ...]
    secret_names: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class TriggerView:
    id: str
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class RuleView:
    id: str
    name: str
    order: int | float
    enabled: bool
    script: str


@dataclass(frozen=True)
class ActionsPage:
    triggers: tuple[TriggerView, ...]
    #: Actions bound to no trigger (drafts, or deployed and not yet in a flow).
    unbound: tuple[ActionView, ...]
    #: A legacy tenant's rules in execution order; ``None`` on a tenant without Rules.
    rules: tuple[RuleView, ...] | None
    #: The rules' configuration keys (never their values).
    config_keys: tuple[str, ...]


def _dependency(entry: Mapping[str, Any]) -> str:
    name, version = str(entry.get("name", "")), entry.get("version")
    return f"{name}@{version}" if version else name


def action_view(action: Action, display_name: str = "") -> ActionView:
    version: Version | None = action.deployed()
    source: Action | Version = version if version is not None else action
    return ActionView(
        id=action.id,
        name=action.name,
        trigger=action.trigger,
        display_name=display_name or action.name,
        deployed=version is not None,
        version=None if version is None else version.number,
        undeployed_changes=version is not None and not action.all_changes_deployed(),
        runtime=source.runtime,
        dependencies=tuple(_dependency(d) for d in source.dependencies),
        secret_names=tuple(s.name for s in source.secrets),
        code=source.code,
    )


def actions_page(tenant: Tenant) -> ActionsPage:
    """Each trigger's flow in the order it runs, the actions in no flow, and the rules."""
    with tenant.lock:
        book = tenant.action_book
        triggers = tuple(
            TriggerView(
                trigger,
                tuple(action_view(a, b.display_name) for b, a in book.bound(trigger)),
            )
            for trigger in CURRENT_TRIGGERS
        )
        bound = {b.action_id for bs in book.bindings.values() for b in bs}
        unbound = tuple(action_view(a) for a in book.actions.values() if a.id not in bound)
        rules = None
        configs: tuple[str, ...] = ()
        if tenant.rules_enabled:
            rules = tuple(
                RuleView(r.id, r.name, _number(r.order), r.enabled, r.script)
                for r in tenant.rule_book.listed()
            )
            configs = tuple(sorted(tenant.rule_book.configs))
    return ActionsPage(triggers, unbound, rules, configs)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# -- the Executions page -------------------------------------------------------------------------


@dataclass(frozen=True)
class CallView:
    """One ``api`` call: its name and its arguments as JSON (masked)."""

    api: str
    args: str


@dataclass(frozen=True)
class RunView:
    """One action's (or rule's) part of a run."""

    name: str
    started_at: str
    duration_ms: str
    logs: tuple[str, ...]
    calls: tuple[CallView, ...]
    error: str | None
    timed_out: bool


@dataclass(frozen=True)
class ExecutionView:
    id: str
    #: The trigger (``post-login``, ...), or ``rules`` for a legacy tenant's rules.
    trigger: str
    time: str
    user_id: str
    client: str
    connection: str
    #: ``allowed``, ``denied`` (``api.access.deny`` or a rule's ``UnauthorizedError``) or
    #: ``error`` (a throw or a timeout, which deny the login too), or ``suspended``
    #: (``api.redirect.sendUserTo`` and the browser has not come back).
    result: str
    error: str | None
    duration_ms: str
    runs: tuple[RunView, ...]


def _duration(ms: float) -> str:
    return f"{ms:.1f} ms"


def _error_text(error: Mapping[str, Any] | None, timed_out: bool, mask: Masker) -> str | None:
    if error is None:
        return "Timed out" if timed_out else None
    name, message = str(error.get("name") or "Error"), str(error.get("message") or "")
    return mask.text(f"{name}: {message}" if message else name)


def _call(command: Mapping[str, Any], mask: Masker) -> CallView:
    args = mask.value(list(command.get("args") or []))
    shown = ", ".join(json.dumps(a, ensure_ascii=False) for a in args)
    return CallView(str(command.get("api", "")), shown)


def _action_run(run: ActionRun, mask: Masker) -> RunView:
    return RunView(
        name=run.action_name,
        started_at=run.started_at,
        duration_ms=_duration(run.duration_ms),
        logs=tuple(mask.text(line) for line in run.logs),
        calls=tuple(_call(c, mask) for c in run.commands),
        error=_error_text(run.error, run.timed_out, mask),
        timed_out=run.timed_out,
    )


def _rule_run(run: RuleRun, mask: Masker) -> RunView:
    return RunView(
        name=run.rule_name,
        started_at=run.started_at,
        duration_ms=_duration(run.duration_ms),
        logs=tuple(mask.text(line) for line in run.logs),
        calls=(),
        error=_error_text(run.error, run.timed_out, mask),
        timed_out=run.timed_out,
    )


def _execution(execution: Execution, clients: Mapping[str, str], mask: Masker) -> ExecutionView:
    runs = execution.runs
    failed = any(r.error is not None or r.timed_out for r in runs)
    denied = execution.outcome.denied
    if denied is not None:
        result = "error" if failed else "denied"
    elif execution.paused_at is not None:
        result = "suspended"
    else:
        result = "allowed"
    return ExecutionView(
        id=execution.id,
        trigger=execution.trigger_id,
        time=execution.created_at,
        user_id=execution.user_id,
        client=clients.get(execution.client_id, execution.client_id),
        connection=execution.connection or "",
        result=result,
        error=None if denied is None else mask.text(denied),
        duration_ms=_duration(sum(r.duration_ms for r in runs)),
        runs=tuple(_action_run(r, mask) for r in runs),
    )


def _ruling(ruling: Ruling, clients: Mapping[str, str], mask: Masker) -> ExecutionView:
    runs = ruling.runs
    error = ruling.error
    if error is None:
        result = "allowed"
    elif error.error == "unauthorized":
        result = "denied"
    else:
        failed = any(r.error is not None or r.timed_out for r in runs)
        result = "error" if failed else "denied"
    return ExecutionView(
        id="",
        trigger="rules",
        time=runs[0].started_at if runs else "",
        user_id=ruling.user_id,
        client=clients.get(ruling.client_id, ruling.client_id),
        connection="",
        result=result,
        error=None if error is None else mask.text(error.description or error.error),
        duration_ms=_duration(sum(r.duration_ms for r in runs)),
        runs=tuple(_rule_run(r, mask) for r in runs),
    )


@dataclass(frozen=True)
class ExecutionsPage:
    executions: tuple[ExecutionView, ...]
    #: How many runs the tenant holds (for this user), of which the page shows the latest.
    total: int
    user_id: str


def executions_page(tenant: Tenant, user_id: str = "") -> ExecutionsPage:
    """The latest runs, newest first (``user_id``: that user's only): each trigger's Actions
    and, on a legacy tenant, each login's Rules."""
    with tenant.lock:
        mask = masker(tenant)
        clients = {c.client_id: c.name for c in tenant.clients.values()}
        views = [
            _execution(e, clients, mask)
            for e in tenant.executions
            if not user_id or e.user_id == user_id
        ]
        views += [
            _ruling(r, clients, mask)
            for r in tenant.rule_runs
            if not user_id or r.user_id == user_id
        ]
    views.sort(key=lambda v: v.time, reverse=True)
    return ExecutionsPage(tuple(views[:MAX_EXECUTIONS]), len(views), user_id)


def clear_executions(tenant: Tenant) -> None:
    """Empty the execution log (and the rules' runs), as ``DELETE /_fake/executions`` does."""
    with tenant.lock:
        tenant.executions.clear()
        tenant.rule_runs.clear()
