"""Management API handlers for Actions: ``/actions/actions`` (and their versions, deploys and
test runs), ``/actions/triggers`` and each trigger's ``bindings``.

Lists answer ``{key: [...], "total", "per_page"}`` as go-auth0's recordings show
(TestActionManager_List, _Versions, _Bindings: https://github.com/auth0/go-auth0/tree/main/test/data/recordings),
20 a page unless ``per_page`` says otherwise (the spec's parameter descriptions). An empty list
has no ``total``: ``{"actions": [], "per_page": 100}`` and ``{"bindings": [], "per_page": 50}``
in auth0-deploy-cli's recordings of a real tenant
(https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json),
where a list of one says ``"total": 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import actions
from .routes import Call, management

#: "20 by default" (the spec's ``per_page`` of get_actions, get_action_versions, get_bindings).
PER_PAGE_DEFAULT = 20


def _page(call: Call, rows: Sequence[Any], key: str) -> tuple[int, dict[str, Any]]:
    page = int(call.query.get("page", 0))
    per_page = int(call.query.get("per_page", PER_PAGE_DEFAULT))
    start = max(page, 0) * max(per_page, 0)
    answer: dict[str, Any] = {key: list(rows[start : start + per_page])}
    if rows:
        answer["total"] = len(rows)
    answer["per_page"] = per_page
    return 200, answer


def _now(call: Call) -> float:
    return call.tenant.clock.time()


@management("get_actions")
def list_actions(call: Call) -> tuple[int, Any]:
    query, now = call.query, _now(call)
    found = call.tenant.list_actions()
    if "triggerId" in query:
        found = [a for a in found if a.trigger == query["triggerId"]]
    if "actionName" in query:
        found = [a for a in found if a.name == query["actionName"]]
    if "deployed" in query:
        found = [a for a in found if (a.deployed() is not None) == query["deployed"]]
    if query.get("installed"):
        found = []  # marketplace integrations are not modelled: every action is custom
    return _page(call, [actions.action_json(a, now) for a in found], "actions")


@management("post_action")
def create_action(call: Call) -> tuple[int, Any]:
    return 201, actions.action_json(call.tenant.create_action(call.body()), _now(call))


@management("get_action")
def get_action(call: Call) -> tuple[int, Any]:
    return 200, actions.action_json(call.tenant.get_action(call.args["id"]), _now(call))


@management("patch_action")
def update_action(call: Call) -> tuple[int, Any]:
    action = call.tenant.update_action(call.args["id"], call.body())
    return 200, actions.action_json(action, _now(call))


@management("delete_action")
def delete_action(call: Call) -> tuple[int, Any]:
    call.tenant.delete_action(call.args["id"], force=bool(call.query.get("force", False)))
    return 204, None


@management("post_deploy_action")
def deploy_action(call: Call) -> tuple[int, Any]:
    """200, as Auth0 answers (go-auth0 recording TestActionManager_Deploy; the spec says 202)."""
    _, version, before = call.tenant.deploy_action(call.args["id"])
    return 200, actions.deploy_answer(version, before, _now(call))


@management("get_action_versions")
def list_versions(call: Call) -> tuple[int, Any]:
    """Newest first (CHOICES.md "actions: version order")."""
    action, now = call.tenant.get_action(call.args["actionId"]), _now(call)
    rows = [actions.version_json(v, action, now) for v in reversed(action.versions)]
    return _page(call, rows, "versions")


@management("get_action_version")
def get_version(call: Call) -> tuple[int, Any]:
    action, version = call.tenant.get_action_version(call.args["actionId"], call.args["id"])
    return 200, actions.version_json(version, action, _now(call))


@management("post_deploy_draft_version")
def deploy_version(call: Call) -> tuple[int, Any]:
    """A rollback: 200 as recorded (go-auth0 recording TestActionManager_DeployVersion; the
    spec says 202)."""
    body = call.body() or {}
    _, version, before = call.tenant.deploy_action_version(
        call.args["actionId"], call.args["id"], update_draft=bool(body.get("update_draft"))
    )
    return 200, actions.deploy_answer(version, before, _now(call))


@management("post_test_action")
def test_action(call: Call) -> tuple[int, Any]:
    """The draft run once with ``payload.event``: ``{"payload": {...}}`` with the ``error`` of a
    failed run, as go-auth0's recording TestActionManager_Test shows; the fake adds what the
    run did (CHOICES.md "actions: test answer")."""
    payload = call.body()["payload"]
    event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    result = call.tenant.test_action(call.args["id"], event)
    answer: dict[str, Any] = {
        "commands": result.commands,
        "logs": result.logs,
        "stats": {"action_duration_ms": round(result.duration_ms)},
    }
    if result.failed:
        error = result.error or {}
        answer["error"] = {
            "name": error.get("name", "Error"),
            "message": result.error_description or "",
            "stack": error.get("stack", ""),
        }
    return 200, {"payload": answer}


@management("get_action_modules")
def list_modules(call: Call) -> tuple[int, Any]:
    """Actions Modules (shared code) are not modelled, so none can exist: the empty list in
    the shape a tenant without modules answers (auth0-deploy-cli's recording
    https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json)."""
    answer: dict[str, Any] = {"modules": [], "total": 0}
    for key in ("page", "per_page"):
        if key in call.query:
            answer[key] = int(call.query[key])
    return 200, answer


@management("get_triggers")
def list_triggers(call: Call) -> tuple[int, Any]:
    return 200, {"triggers": [dict(t) for t in actions.TRIGGERS]}


def _bindings(call: Call, bound: Sequence[tuple[actions.Binding, actions.Action]]) -> list[Any]:
    now = _now(call)
    return [actions.binding_json(b, a, now) for b, a in bound]


@management("get_bindings")
def list_bindings(call: Call) -> tuple[int, Any]:
    bound = call.tenant.bindings(call.args["triggerId"])
    return _page(call, _bindings(call, bound), "bindings")


@management("patch_bindings")
def update_bindings(call: Call) -> tuple[int, Any]:
    body = call.body()
    bound = call.tenant.bind_actions(call.args["triggerId"], body.get("bindings", []))
    return 200, {"bindings": _bindings(call, bound)}


@management("get_execution")
def get_execution(call: Call) -> tuple[int, Any]:
    """One run of a trigger's actions, as a login made it (``fakeauth0.executions``)."""
    return 200, call.tenant.get_execution(call.args["id"]).to_json()
