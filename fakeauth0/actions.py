"""Actions: the tenant's JavaScript, its versions, and the ordered bindings of each trigger.

The lifecycle is Auth0's as recorded (go-auth0 test/data/recordings/TestActionManager_*.yaml,
https://github.com/auth0/go-auth0): a new or changed action is ``pending``, then ``building``,
then ``built`` (the build is asynchronous, measured on the tenant clock); ``deploy`` makes a
new numbered version of the action as it stands; a trigger's bindings are an ordered list of
deployed actions. No HTTP here, and no JavaScript: :mod:`fakeauth0.js` runs the code. The
caller holds the tenant lock.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import format_iso
from .errors import Auth0Error, Msg

#: What a new action runs on when the body names no runtime (the spec's ``runtime`` default).
DEFAULT_RUNTIME = "node22"
#: Seconds on the tenant clock from a change to ``building`` and to ``built``, for an action
#: without npm dependencies (CHOICES.md "actions: build time").
BUILDING_AFTER = 0.5
BUILT_AFTER = 1.0
#: Auth0's limits (https://auth0.com/docs/customize/actions/limitations).
CODE_MAX = 100 * 1024
SECRET_NAME_MAX = 128
SECRET_VALUE_MAX = 4096

#: The triggers ``GET /actions/triggers`` lists, in a tenant's order and with its runtimes,
#: default runtimes and binding policies, as auth0-deploy-cli's recording of a real tenant shows
#: them (https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json;
#: the first thirteen also in go-auth0's recording TestActionManager_Triggers). Only the
#: login and registration triggers run here; the others are listed, and can be bound.
_CURRENT = ["node18-actions", "node22"]
TRIGGERS: tuple[dict[str, Any], ...] = tuple(
    {
        "id": trigger,
        "version": version,
        "status": status,
        "runtimes": list(runtimes),
        "default_runtime": default,
        "binding_policy": policy,
        "compatible_triggers": (
            [{"id": "post-login", "version": "v2"}]
            if (trigger, version) == ("post-login", "v3")
            else []
        ),
    }
    for trigger, version, status, runtimes, default, policy in (
        ("post-login", "v3", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("post-login", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("post-login", "v2", "DEPRECATED", ["node18", "node22"], "node16", "trigger-bound"),
        ("credentials-exchange", "v2", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("credentials-exchange", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("pre-user-registration", "v2", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("pre-user-registration", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("post-user-registration", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("post-user-registration", "v2", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("post-change-password", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("post-change-password", "v2", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("send-phone-message", "v2", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("send-phone-message", "v1", "DEPRECATED", ["node22"], "node12", "trigger-bound"),
        ("password-reset-post-challenge", "v1", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("custom-phone-provider", "v1", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("custom-email-provider", "v1", "CURRENT", _CURRENT, "node22", "trigger-bound"),
        ("custom-token-exchange", "v1", "CURRENT", ["node18", "node22"], "node22", "entity-bound"),
        ("event-stream", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
        ("password-hash-migration", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
        ("mcp-tool", "v1", "CURRENT", ["node22"], "node22", "entity-bound"),
    )
)
TRIGGER_IDS = frozenset(t["id"] for t in TRIGGERS)


def current_trigger_version(trigger: str) -> str:
    for entry in TRIGGERS:
        if entry["id"] == trigger and entry["status"] == "CURRENT":
            return str(entry["version"])
    raise KeyError(trigger)


@dataclass
class Secret:
    """A secret's value is write-only: it reaches the code as ``event.secrets``, never an
    answer."""

    name: str
    value: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "updated_at": self.updated_at}


def _status(changed: float, now: float) -> str:
    if now >= changed + BUILT_AFTER:
        return "built"
    if now >= changed + BUILDING_AFTER:
        return "building"
    return "pending"


@dataclass
class Version:
    """One deployed snapshot of an action: its code, dependencies, runtime and secrets then."""

    id: str
    number: int
    code: str
    dependencies: list[dict[str, Any]]
    runtime: str
    secrets: list[Secret]
    supported_triggers: list[dict[str, Any]]
    created_at: str
    #: Epoch (tenant clock) the build started; built :data:`BUILT_AFTER` later.
    built_from: float

    def status(self, now: float) -> str:
        return _status(self.built_from, now)

    def built_at(self, now: float) -> str | None:
        if self.status(now) != "built":
            return None
        return format_iso(self.built_from + BUILT_AFTER)

    def updated_at(self, now: float) -> str:
        return self.built_at(now) or self.created_at


@dataclass
class Action:
    id: str
    name: str
    supported_triggers: list[dict[str, Any]]
    code: str
    dependencies: list[dict[str, Any]]
    runtime: str
    secrets: list[Secret]
    created_at: str
    updated_at: str
    #: Epoch (tenant clock) of the last change to what is built (code, dependencies, runtime).
    built_from: float
    versions: list[Version] = field(default_factory=list)
    deployed_version: str | None = None

    @property
    def trigger(self) -> str:
        return str(self.supported_triggers[0]["id"]) if self.supported_triggers else ""

    def status(self, now: float) -> str:
        return _status(self.built_from, now)

    def deployed(self) -> Version | None:
        for version in self.versions:
            if version.id == self.deployed_version:
                return version
        return None

    def all_changes_deployed(self) -> bool:
        deployed = self.deployed()
        return deployed is not None and _content(deployed) == _content(self)


def _content(record: Action | Version) -> tuple[Any, ...]:
    secrets = [(s.name, s.value) for s in record.secrets]
    return (record.code, record.dependencies, record.runtime, secrets, record.supported_triggers)


@dataclass
class Binding:
    id: str
    trigger_id: str
    action_id: str
    display_name: str
    created_at: str
    updated_at: str


@dataclass
class ActionBook:
    """Every action of a tenant, and each trigger's bindings in the order they run."""

    actions: dict[str, Action] = field(default_factory=dict)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)

    def copy(self) -> ActionBook:
        """A copy to put back: changes replace actions and binding lists, never edit them."""
        return ActionBook(dict(self.actions), dict(self.bindings))

    def require(self, action_id: str) -> Action:
        found = self.actions.get(action_id)
        if found is None:
            raise Auth0Error(404, Msg.ACTION_NOT_FOUND)
        return found

    def by_name(self, name: str) -> Action | None:
        for action in self.actions.values():
            if action.name == name:
                return action
        return None

    def bound(self, trigger: str) -> list[tuple[Binding, Action]]:
        """The trigger's bindings with their actions, in the order they run."""
        return [(b, self.actions[b.action_id]) for b in self.bindings.get(trigger, [])]


# -- rendering ----------------------------------------------------------------------------------


def _version_json(version: Version, deployed: bool, now: float) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": version.id,
        "code": version.code,
        "dependencies": copy.deepcopy(version.dependencies),
        "deployed": deployed,
        "number": version.number,
        "secrets": [s.to_json() for s in version.secrets],
        "status": version.status(now),
        "created_at": version.created_at,
        "updated_at": version.updated_at(now),
        "runtime": version.runtime,
        "supported_triggers": copy.deepcopy(version.supported_triggers),
    }
    built_at = version.built_at(now)
    if built_at is not None:
        data["built_at"] = built_at
    return data


def _current_version_json(version: Version, now: float) -> dict[str, Any]:
    """The latest version as Auth0 embeds it in an action: upper-case status, ``build_time``
    (go-auth0 recordings TestActionManager_CreateWithDeploy, TestActionManager_Bindings)."""
    data: dict[str, Any] = {
        "id": version.id,
        "code": version.code,
        "runtime": version.runtime,
        "status": version.status(now).upper(),
        "number": version.number,
        "created_at": version.created_at,
        "updated_at": version.updated_at(now),
    }
    built_at = version.built_at(now)
    if built_at is not None:
        data["build_time"] = built_at
    return data


def base_json(action: Action) -> dict[str, Any]:
    """The action as a version embeds it (``action``)."""
    return {
        "id": action.id,
        "name": action.name,
        "supported_triggers": copy.deepcopy(action.supported_triggers),
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "all_changes_deployed": action.all_changes_deployed(),
    }


def action_json(action: Action, now: float) -> dict[str, Any]:
    """The action as ``GET /actions/actions/{id}`` answers; secret values never shown."""
    data: dict[str, Any] = {
        "id": action.id,
        "name": action.name,
        "supported_triggers": copy.deepcopy(action.supported_triggers),
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "code": action.code,
        "dependencies": copy.deepcopy(action.dependencies),
        "runtime": action.runtime,
        "status": action.status(now),
        "secrets": [s.to_json() for s in action.secrets],
    }
    if action.versions:
        data["current_version"] = _current_version_json(action.versions[-1], now)
    deployed = action.deployed()
    if deployed is not None:
        data["deployed_version"] = _version_json(deployed, True, now)
    data["all_changes_deployed"] = action.all_changes_deployed()
    return data


def version_json(version: Version, action: Action, now: float) -> dict[str, Any]:
    """A version as the versions list and ``GET .../versions/{id}`` answer it."""
    deployed = version.id == action.deployed_version
    return {**_version_json(version, deployed, now), "action": base_json(action)}


def deploy_answer(version: Version, action_before: dict[str, Any], now: float) -> dict[str, Any]:
    """What a deploy answers: the new version, not yet marked deployed (the switch completes
    after the answer: ``"deployed": false`` in go-auth0's recordings TestActionManager_Deploy
    and TestActionManager_DeployVersion), with the action as it was before."""
    data = _version_json(version, False, now)
    data.pop("built_at", None)
    data["updated_at"] = version.created_at
    data["action"] = action_before
    return data


def binding_json(binding: Binding, action: Action, now: float) -> dict[str, Any]:
    """A binding with its action as go-auth0's recording TestActionManager_Bindings shows it."""
    embedded = {k: v for k, v in action_json(action, now).items() if k not in _DRAFT_ONLY}
    return {
        "id": binding.id,
        "trigger_id": binding.trigger_id,
        "action": embedded,
        "created_at": binding.created_at,
        "updated_at": binding.updated_at,
        "display_name": binding.display_name,
    }


#: What a binding's embedded action leaves out: the draft (the binding runs the deployed version).
_DRAFT_ONLY = ("code", "dependencies", "runtime", "status", "secrets")


# -- changes ------------------------------------------------------------------------------------


def _check_triggers(triggers: Any) -> list[dict[str, Any]]:
    if not triggers:
        raise Auth0Error.bad_request(Msg.ACTION_ONE_TRIGGER)
    if len(triggers) != 1:
        raise Auth0Error.bad_request(Msg.ACTION_ONE_TRIGGER)
    trigger = triggers[0]
    if trigger["id"] not in TRIGGER_IDS:
        raise Auth0Error.bad_request(Msg.ACTION_UNKNOWN_TRIGGER.format(trigger=trigger["id"]))
    checked = dict(trigger)
    checked.setdefault("version", current_trigger_version(trigger["id"]))
    return [checked]


def _check_code(code: str) -> str:
    if len(code.encode()) > CODE_MAX:
        raise Auth0Error.bad_request(Msg.ACTION_CODE_TOO_LONG.format(limit=CODE_MAX))
    return code


def _secrets(given: Iterable[Mapping[str, Any]], old: Iterable[Secret], now: str) -> list[Secret]:
    """The new list of secrets: each named one keeps its old value unless a value is given
    (CHOICES.md "actions: a secret without a value")."""
    before = {s.name: s for s in old}
    result: list[Secret] = []
    for entry in given:
        name = entry.get("name")
        if not isinstance(name, str) or not name or len(name) > SECRET_NAME_MAX:
            raise Auth0Error.bad_request(Msg.ACTION_SECRET_NAME.format(limit=SECRET_NAME_MAX))
        value = entry.get("value")
        if value is None:
            kept = before.get(name)
            result.append(copy.copy(kept) if kept is not None else Secret(name, "", now))
            continue
        if not isinstance(value, str) or len(value) > SECRET_VALUE_MAX:
            raise Auth0Error.bad_request(Msg.ACTION_SECRET_VALUE.format(limit=SECRET_VALUE_MAX))
        kept = before.get(name)
        if kept is not None and kept.value == value:
            result.append(copy.copy(kept))
        else:
            result.append(Secret(name, value, now))
    return result


def _dependencies(given: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """As stored: ``registry_url`` is dropped once built (the recordings show it vanish), so
    the fake stores it not at all (CHOICES.md "actions: registry_url")."""
    return [{k: v for k, v in d.items() if k != "registry_url"} for d in given]


def create(book: ActionBook, body: Mapping[str, Any], action_id: str, now: float) -> Action:
    if book.by_name(body["name"]) is not None:
        raise Auth0Error(409, Msg.ACTION_EXISTS.format(name=body["name"]))
    stamp = format_iso(now)
    return Action(
        id=action_id,
        name=body["name"],
        supported_triggers=_check_triggers(body["supported_triggers"]),
        code=_check_code(body.get("code", "")),
        dependencies=_dependencies(body.get("dependencies", [])),
        runtime=body.get("runtime") or DEFAULT_RUNTIME,
        secrets=_secrets(body.get("secrets", []), (), stamp),
        created_at=stamp,
        updated_at=stamp,
        built_from=now,
    )


def update(book: ActionBook, action: Action, body: Mapping[str, Any], now: float) -> Action:
    """A changed copy: a change to what is built starts a new build."""
    changed = copy.deepcopy(action)
    stamp = format_iso(now)
    if "name" in body and body["name"] != action.name:
        other = book.by_name(body["name"])
        if other is not None and other.id != action.id:
            raise Auth0Error(409, Msg.ACTION_EXISTS.format(name=body["name"]))
        changed.name = body["name"]
    if "supported_triggers" in body:
        triggers = _check_triggers(body["supported_triggers"])
        if triggers[0]["id"] != action.trigger and _bound_anywhere(book, action.id):
            raise Auth0Error.bad_request(Msg.ACTION_BOUND_TRIGGER)
        changed.supported_triggers = triggers
    if "code" in body:
        changed.code = _check_code(body["code"])
    if "dependencies" in body:
        changed.dependencies = _dependencies(body["dependencies"])
    if "runtime" in body:
        changed.runtime = body["runtime"] or DEFAULT_RUNTIME
    if "secrets" in body:
        changed.secrets = _secrets(body["secrets"], action.secrets, stamp)
    if _content(changed)[:3] != _content(action)[:3]:
        changed.built_from = now
    changed.updated_at = stamp
    return changed


def _bound_anywhere(book: ActionBook, action_id: str) -> bool:
    return any(b.action_id == action_id for bs in book.bindings.values() for b in bs)


def check_deletable(book: ActionBook, action: Action, force: bool) -> None:
    if not force and _bound_anywhere(book, action.id):
        raise Auth0Error.bad_request(Msg.ACTION_BOUND)


def unbind(book: ActionBook, action_id: str) -> dict[str, list[Binding]]:
    return {
        trigger: [b for b in bindings if b.action_id != action_id]
        for trigger, bindings in book.bindings.items()
    }


def deploy(action: Action, version_id: str, now: float) -> tuple[Action, Version]:
    """A changed copy deploying a new version of the action as it stands; the draft must be
    built ("A draft must be in the 'built' state before it can be deployed.",
    https://github.com/auth0/auth0-deploy-cli/issues/395)."""
    if action.status(now) != "built":
        raise Auth0Error.bad_request(Msg.ACTION_NOT_BUILT)
    return _new_version(action, action, version_id, now, action.built_from)


def _new_version(
    action: Action, source: Action | Version, version_id: str, now: float, built_from: float
) -> tuple[Action, Version]:
    changed = copy.deepcopy(action)
    version = Version(
        id=version_id,
        number=len(action.versions) + 1,
        code=source.code,
        dependencies=copy.deepcopy(source.dependencies),
        runtime=source.runtime,
        secrets=copy.deepcopy(source.secrets),
        supported_triggers=copy.deepcopy(source.supported_triggers),
        created_at=format_iso(now),
        built_from=built_from,
    )
    changed.versions.append(version)
    changed.deployed_version = version.id
    return changed, version


def deploy_on_create(action: Action, version_id: str, now: float) -> tuple[Action, Version]:
    """``deploy: true`` on create: the version is made at once and builds with the action
    (go-auth0 recording TestActionManager_CreateWithDeploy: ``PENDING``, then ``BUILT``)."""
    return _new_version(action, action, version_id, now, action.built_from)


def redeploy(
    action: Action, version: Version, version_id: str, now: float, update_draft: bool
) -> tuple[Action, Version]:
    """``POST .../versions/{id}/deploy`` (a rollback): a new version with the old one's
    content (go-auth0 recording TestActionManager_DeployVersion: number 2, a new id);
    ``update_draft`` makes it the draft too."""
    changed, new = _new_version(action, version, version_id, now, now - BUILT_AFTER)
    if update_draft:
        changed.code = version.code
        changed.dependencies = copy.deepcopy(version.dependencies)
        changed.runtime = version.runtime
        changed.secrets = copy.deepcopy(version.secrets)
        changed.updated_at = format_iso(now)
    return changed, new


def find_version(action: Action, version_id: str) -> Version:
    for version in action.versions:
        if version.id == version_id:
            return version
    raise Auth0Error(404, Msg.ACTION_VERSION_NOT_FOUND)


def check_trigger(trigger: str) -> None:
    if trigger not in TRIGGER_IDS:
        raise Auth0Error(404, Msg.ACTION_TRIGGER_NOT_FOUND.format(trigger=trigger))


def bind(
    book: ActionBook,
    trigger: str,
    refs: Iterable[Mapping[str, Any]],
    new_id: Any,
    now: float,
) -> list[Binding]:
    """The trigger's new ordered bindings (the PATCH replaces the list): each names an action
    by ``action_id`` or ``action_name``, or keeps a binding by ``binding_id``; the action must
    support the trigger and have a deployed version."""
    stamp = format_iso(now)
    old = {b.id: b for b in book.bindings.get(trigger, [])}
    result: list[Binding] = []
    for entry in refs:
        ref = entry["ref"]
        kind, value = ref.get("type"), ref.get("value")
        if kind == "binding_id":
            kept = old.get(value)
            if kept is None:
                raise Auth0Error.bad_request(Msg.ACTION_BINDING_NOT_FOUND.format(value=value))
            result.append(kept)
            continue
        action = book.actions.get(value) if kind == "action_id" else book.by_name(value or "")
        if action is None:
            raise Auth0Error.bad_request(Msg.ACTION_REF_NOT_FOUND.format(value=value))
        if action.trigger != trigger:
            raise Auth0Error.bad_request(
                Msg.ACTION_WRONG_TRIGGER.format(name=action.name, trigger=trigger)
            )
        if action.deployed() is None:
            raise Auth0Error.bad_request(Msg.ACTION_NOT_DEPLOYED.format(name=action.name))
        display = entry.get("display_name") or action.name
        result.append(Binding(new_id(), trigger, action.id, display, stamp, stamp))
    return result


# -- seeds and snapshots ------------------------------------------------------------------------


def record(book: ActionBook) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The seed form: every field (secret values too: a snapshot restores exactly)."""
    actions = [dataclasses.asdict(a) for a in book.actions.values()]
    bindings = {
        trigger: [dataclasses.asdict(b) for b in bs] for trigger, bs in book.bindings.items() if bs
    }
    return actions, bindings


_ACTION_FIELDS = {f.name for f in dataclasses.fields(Action)}
_VERSION_FIELDS = {f.name for f in dataclasses.fields(Version)}
_BINDING_FIELDS = {f.name for f in dataclasses.fields(Binding)}


def _secret_list(raw: Any, now: str) -> list[Secret]:
    if not isinstance(raw, list):
        raise ValueError("secrets must be a list of {name, value}")
    result = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError("each secret needs a name")
        result.append(
            Secret(entry["name"], str(entry.get("value", "")), entry.get("updated_at", now))
        )
    return result


def parse(actions: Any, bindings: Any, new_id: Any, now: float) -> ActionBook:
    """A seed's ``actions`` and ``bindings``: snapshots (every field), or short records people
    write (``name``, ``code``, ``trigger`` or ``supported_triggers``, ``secrets`` as a list or a
    ``{name: value}`` map, ``deployed: true``); bindings as ``{trigger: [name or id, ...]}`` or
    full records. Raises ``ValueError`` naming what is wrong."""
    book = ActionBook()
    stamp = format_iso(now)
    for raw in actions:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ValueError(f"an action needs a name: {raw!r:.80}")
        name = raw["name"]
        if "versions" in raw:
            unknown = sorted(set(raw) - _ACTION_FIELDS)
            if unknown:
                raise ValueError(f"action {name!r}: unknown keys {', '.join(unknown)}")
            fields = dict(copy.deepcopy(raw))
            fields["secrets"] = _secret_list(fields["secrets"], stamp)
            versions = []
            for v in fields["versions"]:
                extra = sorted(set(v) - _VERSION_FIELDS)
                if extra:
                    raise ValueError(f"action {name!r}: unknown version keys {', '.join(extra)}")
                v = dict(v)
                v["secrets"] = _secret_list(v["secrets"], stamp)
                versions.append(Version(**v))
            fields["versions"] = versions
            action = Action(**fields)
        else:
            allowed = {
                "name",
                "code",
                "trigger",
                "supported_triggers",
                "secrets",
                "deployed",
                "runtime",
                "dependencies",
                "id",
            }
            unknown = sorted(set(raw) - allowed)
            if unknown:
                raise ValueError(f"action {name!r}: unknown keys {', '.join(unknown)}")
            secrets = raw.get("secrets", [])
            if isinstance(secrets, dict):
                secrets = [{"name": k, "value": v} for k, v in secrets.items()]
            triggers = raw.get("supported_triggers") or [{"id": raw.get("trigger", "post-login")}]
            body = {
                "name": name,
                "supported_triggers": triggers,
                "code": raw.get("code", ""),
                "secrets": secrets,
                "runtime": raw.get("runtime"),
                "dependencies": raw.get("dependencies", []),
            }
            try:
                action = create(book, body, raw.get("id") or new_id(), now - BUILT_AFTER)
                if raw.get("deployed", True):
                    action, _ = deploy(action, new_id(), now)
            except Auth0Error as error:
                raise ValueError(f"action {name!r}: {error.message}") from None
        if action.id in book.actions or book.by_name(action.name) is not None:
            raise ValueError(f"action {name!r} is listed twice")
        book.actions[action.id] = action
    if not isinstance(bindings, dict):
        raise ValueError("bindings must map a trigger to its list of actions")
    for trigger, entries in bindings.items():
        if trigger not in TRIGGER_IDS:
            raise ValueError(f"bindings: unknown trigger {trigger!r}")
        if not isinstance(entries, list):
            raise ValueError(f"bindings of {trigger!r} must be a list")
        if all(isinstance(e, dict) and "action_id" in e for e in entries):
            parsed = []
            for e in entries:
                unknown = sorted(set(e) - _BINDING_FIELDS)
                if unknown:
                    raise ValueError(f"bindings of {trigger!r}: unknown keys {', '.join(unknown)}")
                if e["action_id"] not in book.actions:
                    raise ValueError(f"bindings of {trigger!r}: no action {e['action_id']!r}")
                parsed.append(Binding(**e))
            book.bindings[trigger] = parsed
            continue
        refs = []
        for e in entries:
            key = e if isinstance(e, str) else e.get("action") if isinstance(e, dict) else None
            if not isinstance(key, str):
                raise ValueError(f"bindings of {trigger!r}: name each action by name or id")
            kind = "action_id" if key in book.actions else "action_name"
            ref = {"ref": {"type": kind, "value": key}}
            if isinstance(e, dict) and e.get("display_name"):
                ref["display_name"] = e["display_name"]
            refs.append(ref)
        try:
            book.bindings[trigger] = bind(book, trigger, refs, new_id, now)
        except Auth0Error as error:
            raise ValueError(f"bindings of {trigger!r}: {error.message}") from None
    return book
