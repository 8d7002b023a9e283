"""Actions on the Management API (``/actions/...``) as Auth0 serves them: the lifecycle of
go-auth0's recordings (test/data/recordings/TestActionManager_*.yaml,
https://github.com/auth0/go-auth0), judged also by auth0-python's ``ManagementClient``.
"""

from __future__ import annotations

import copy
import shutil
from typing import Any

import httpx
import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from fakeauth0.server import FakeAuth0Server
from fakeauth0.snapshot import SeedError
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

ACTIONS = "/api/v2/actions/actions"
CODE = "exports.onExecutePostLogin = async (event, api) => {}"


def _create(raw: Any, name: str = "My Action", **extra: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "code": CODE,
        "secrets": [{"name": "API_KEY", "value": "s3cr3t"}],
        **extra,
    }
    created = raw.post(ACTIONS, json=body)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _built(tenant: Tenant) -> None:
    tenant.clock.advance(1)


def test_a_new_action_is_pending_then_building_then_built(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_Deploy: 201 ``pending``, then ``building``, then ``built``; secret
    values are never shown; the default runtime is the spec's ``node22``."""
    tenant.clock.freeze()
    created = _create(raw)
    assert created["status"] == "pending" and created["all_changes_deployed"] is False
    assert created["secrets"] == [{"name": "API_KEY", "updated_at": created["created_at"]}]
    assert created["runtime"] == "node22"
    assert "s3cr3t" not in str(created)
    tenant.clock.advance(0.5)
    assert raw.get(f"{ACTIONS}/{created['id']}").json()["status"] == "building"
    tenant.clock.advance(0.5)
    got = raw.get(f"{ACTIONS}/{created['id']}").json()
    assert got["status"] == "built" and "s3cr3t" not in str(got)


def test_deploy_answers_200_with_the_new_version(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_Deploy: 200 (the spec says 202), ``number`` 1, ``deployed`` false in
    the answer; the versions list then shows it deployed with ``built_at``."""
    tenant.clock.freeze()
    action = _create(raw)
    refused = raw.post(f"{ACTIONS}/{action['id']}/deploy")
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        "A draft must be in the 'built' state before it can be deployed."
    )
    _built(tenant)
    deployed = raw.post(f"{ACTIONS}/{action['id']}/deploy")
    assert deployed.status_code == 200
    version = deployed.json()
    assert version["number"] == 1 and version["deployed"] is False
    assert version["status"] == "built" and version["action"]["id"] == action["id"]
    versions = raw.get(f"{ACTIONS}/{action['id']}/versions").json()
    assert versions["total"] == 1 and versions["per_page"] == 20
    listed = versions["versions"][0]
    assert listed["deployed"] is True and "built_at" in listed
    got = raw.get(f"{ACTIONS}/{action['id']}").json()
    assert got["deployed_version"]["id"] == version["id"]
    assert got["all_changes_deployed"] is True
    one = raw.get(f"{ACTIONS}/{action['id']}/versions/{version['id']}")
    assert one.status_code == 200 and one.json()["number"] == 1


def test_deploy_on_create_shows_the_current_and_deployed_version(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_CreateWithDeploy: ``current_version`` with an upper-case status,
    ``deployed_version`` deployed, ``all_changes_deployed``."""
    tenant.clock.freeze()
    created = _create(raw, deploy=True)
    assert created["current_version"]["status"] == "PENDING"
    assert created["deployed_version"]["deployed"] is True
    assert created["all_changes_deployed"] is True
    _built(tenant)
    got = raw.get(f"{ACTIONS}/{created['id']}").json()
    assert got["current_version"]["status"] == "BUILT" and "build_time" in got["current_version"]


def test_a_change_rebuilds_and_is_not_deployed_until_deployed(tenant: Tenant, raw: Any) -> None:
    tenant.clock.freeze()
    action = _create(raw, deploy=True)
    _built(tenant)
    changed = raw.patch(f"{ACTIONS}/{action['id']}", json={"code": CODE + "\n// v2"})
    assert changed.status_code == 200
    body = changed.json()
    assert body["status"] == "pending" and body["all_changes_deployed"] is False
    assert body["deployed_version"]["code"] == CODE


def test_rolling_back_deploys_an_old_version_as_a_new_one(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_DeployVersion: deploying version 1 again makes version 2 with its
    code; ``update_draft`` (the spec) makes it the draft too."""
    tenant.clock.freeze()
    action = _create(raw, deploy=True)
    _built(tenant)
    first = raw.get(f"{ACTIONS}/{action['id']}").json()["deployed_version"]["id"]
    raw.patch(f"{ACTIONS}/{action['id']}", json={"code": CODE + "\n// v2"})
    _built(tenant)
    raw.post(f"{ACTIONS}/{action['id']}/deploy")
    back = raw.post(
        f"{ACTIONS}/{action['id']}/versions/{first}/deploy", json={"update_draft": True}
    )
    assert back.status_code == 200
    assert back.json()["number"] == 3 and back.json()["code"] == CODE
    got = raw.get(f"{ACTIONS}/{action['id']}").json()
    assert got["code"] == CODE and got["deployed_version"]["number"] == 3
    numbers = [
        v["number"] for v in raw.get(f"{ACTIONS}/{action['id']}/versions").json()["versions"]
    ]
    assert numbers == [3, 2, 1]


def test_unknown_actions_and_versions_are_404(raw: Any) -> None:
    """TestActionManager_Delete: "That action does not exist."; the spec's version 404."""
    missing = raw.get(f"{ACTIONS}/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["message"] == "That action does not exist."
    assert raw.delete(f"{ACTIONS}/nope").status_code == 404
    assert raw.post(f"{ACTIONS}/nope/deploy").status_code == 404


def test_list_filters_by_name_trigger_and_deployment(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_List: ``actionName`` and ``{"actions", "total", "per_page"}``."""
    tenant.clock.freeze()
    a = _create(raw, "first", deploy=True)
    _create(raw, "second")
    by_name = raw.get(ACTIONS, params={"actionName": "first", "per_page": 50}).json()
    assert [x["id"] for x in by_name["actions"]] == [a["id"]]
    assert by_name["total"] == 1 and by_name["per_page"] == 50
    deployed = raw.get(ACTIONS, params={"deployed": "true"}).json()["actions"]
    assert [x["name"] for x in deployed] == ["first"]
    assert raw.get(ACTIONS, params={"triggerId": "post-login"}).json()["total"] == 2
    # An empty list says no total (auth0-deploy-cli's recordings, cited in http/actions.py).
    assert raw.get(ACTIONS, params={"triggerId": "credentials-exchange"}).json() == {
        "actions": [],
        "per_page": 20,
    }


def test_names_are_unique(raw: Any) -> None:
    _create(raw, "same")
    assert (
        raw.post(
            ACTIONS, json={"name": "same", "supported_triggers": [{"id": "post-login"}]}
        ).status_code
        == 409
    )


def test_triggers_are_listed_as_recorded(raw: Any) -> None:
    """The triggers a tenant lists today, in its order, with their versions, runtimes and
    binding policies (auth0-deploy-cli's recording of a real tenant,
    https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json;
    go-auth0's TestActionManager_Triggers for the older ones)."""
    triggers = raw.get("/api/v2/actions/triggers").json()["triggers"]
    assert len(triggers) == 20
    current = {t["id"]: t for t in triggers if t["status"] == "CURRENT"}
    assert current["post-login"]["version"] == "v3"
    assert current["post-login"]["runtimes"] == ["node18-actions", "node22"]
    assert current["post-login"]["compatible_triggers"] == [{"id": "post-login", "version": "v2"}]
    assert {"pre-user-registration", "post-user-registration"} <= set(current)
    entity_bound = {t["id"] for t in triggers if t["binding_policy"] == "entity-bound"}
    assert entity_bound == {
        "custom-token-exchange",
        "event-stream",
        "password-hash-migration",
        "mcp-tool",
    }
    assert all(
        t["default_runtime"] == "node12"
        for t in triggers
        if t["version"] == "v1" and t["status"] == "DEPRECATED"
    )


def test_actions_modules_are_listed_empty_as_a_tenant_without_modules_answers(
    tenant: Tenant, raw: Any
) -> None:
    """auth0-deploy-cli lists the Actions Modules before it manages actions; a tenant without
    modules answered ``{"modules": [], "total": 0, "page": 0, "per_page": 100}`` in its
    recording (https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json).
    Modules are not modelled, so an action changes nothing."""
    _create(raw)
    listed = raw.get("/api/v2/actions/modules", params={"page": 0, "per_page": 100})
    assert listed.status_code == 200
    assert listed.json() == {"modules": [], "total": 0, "page": 0, "per_page": 100}
    assert raw.get("/api/v2/actions/modules").json() == {"modules": [], "total": 0}


def test_bindings_replace_the_ordered_list(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_Bindings: PATCH replaces the list, by ``action_name`` or
    ``action_id``; GET adds ``total`` and ``per_page``; an empty list unbinds all."""
    tenant.clock.freeze()
    one = _create(raw, "one", deploy=True)
    two = _create(raw, "two", deploy=True)
    _built(tenant)
    url = "/api/v2/actions/triggers/post-login/bindings"
    patched = raw.patch(
        url,
        json={
            "bindings": [
                {"ref": {"type": "action_name", "value": "two"}, "display_name": "Second"},
                {"ref": {"type": "action_id", "value": one["id"]}},
            ]
        },
    )
    assert patched.status_code == 200
    bound = patched.json()["bindings"]
    assert [b["action"]["id"] for b in bound] == [two["id"], one["id"]]
    assert bound[0]["display_name"] == "Second" and bound[0]["trigger_id"] == "post-login"
    assert "deployed_version" in bound[0]["action"]
    listed = raw.get(url).json()
    assert listed["total"] == 2 and [b["id"] for b in listed["bindings"]] == [
        b["id"] for b in bound
    ]
    assert [a.name for _, a in tenant.bindings("post-login")] == ["two", "one"]
    assert raw.patch(url, json={"bindings": []}).json() == {"bindings": []}
    assert raw.get(url).json() == {"bindings": [], "per_page": 20}


def test_binding_needs_a_deployed_action_of_the_trigger(tenant: Tenant, raw: Any) -> None:
    tenant.clock.freeze()
    _create(raw, "draft")
    url = "/api/v2/actions/triggers/post-login/bindings"
    ref = {"bindings": [{"ref": {"type": "action_name", "value": "draft"}}]}
    assert raw.patch(url, json=ref).status_code == 400
    other = "/api/v2/actions/triggers/credentials-exchange/bindings"
    raw.post(f"{ACTIONS}/{_create(raw, 'x', deploy=True)['id']}/deploy")
    wrong = {"bindings": [{"ref": {"type": "action_name", "value": "x"}}]}
    assert raw.patch(other, json=wrong).status_code == 400
    assert raw.get("/api/v2/actions/triggers/no-such-trigger/bindings").status_code == 404


def test_a_bound_action_is_deleted_only_with_force(tenant: Tenant, raw: Any) -> None:
    """The spec's ``force``: "Force action deletion detaching bindings"."""
    action = tenant.add_action(CODE, name="bound")
    assert raw.delete(f"{ACTIONS}/{action.id}").status_code == 400
    assert raw.delete(f"{ACTIONS}/{action.id}", params={"force": "true"}).status_code == 204
    assert tenant.bindings("post-login") == []


def test_the_scopes_are_the_specs(raw: Any) -> None:
    assert raw.get(ACTIONS, scopes=["read:users"]).status_code == 403
    assert raw.get(ACTIONS, scopes=["read:actions"]).status_code == 200
    body = {"name": "x", "supported_triggers": [{"id": "post-login"}]}
    assert raw.post(ACTIONS, json=body, scopes=["read:actions"]).status_code == 403


def test_add_action_creates_deploys_and_binds_in_order(tenant: Tenant) -> None:
    first = tenant.add_action(CODE, name="first", secrets={"K": "v"})
    second = tenant.add_action(CODE, name="second")
    assert [a.id for _, a in tenant.bindings("post-login")] == [first.id, second.id]
    assert first.deployed() is not None and first.status(tenant.clock.time()) == "built"
    assert first.secrets[0].value == "v"


@needs_node
def test_testing_an_action_runs_its_code(tenant: Tenant, raw: Any) -> None:
    """TestActionManager_Test: ``{"payload": {"error": {name, message, stack}, "stats"}}`` for
    a throwing action; the fake adds the ``api`` commands the run made."""
    tenant.clock.freeze()
    code = (
        "exports.onExecutePostLogin = async (event, api) => {"
        " api.idToken.setCustomClaim('k', event.secrets.API_KEY + event.user.id); };"
    )
    action = _create(raw, code=code)
    ran = raw.post(
        f"{ACTIONS}/{action['id']}/test", json={"payload": {"event": {"user": {"id": "u"}}}}
    )
    assert ran.status_code == 200
    payload = ran.json()["payload"]
    assert payload["commands"] == [{"api": "idToken.setCustomClaim", "args": ["k", "s3cr3tu"]}]
    assert "error" not in payload
    failing = raw.post(f"{ACTIONS}/{action['id']}/test", json={"payload": {"event": {}}})
    error = failing.json()["payload"]["error"]
    assert error["name"] == "TypeError" and "reading 'id'" in error["message"]


# -- seeds and snapshots -------------------------------------------------------------------------


def test_a_snapshot_carries_actions_and_a_put_restores_them_exactly(
    tenant: Tenant, http: httpx.Client, raw: Any
) -> None:
    tenant.clock.freeze()
    tenant.add_action(CODE, name="kept", secrets={"K": "secret value"})
    _create(raw, "draft")
    taken = http.get("/_fake/snapshot").json()
    shown = raw.get(ACTIONS).json()
    raw.patch("/api/v2/actions/triggers/post-login/bindings", json={"bindings": []})
    raw.delete(f"{ACTIONS}/{shown['actions'][1]['id']}")
    assert http.put("/_fake/snapshot", json=taken).status_code == 200
    assert http.get("/_fake/snapshot").json() == taken
    assert raw.get(ACTIONS).json() == shown
    assert tenant.get_action(shown["actions"][0]["id"]).secrets[0].value == "secret value"


def test_a_seed_writes_actions_shortly_and_reset_returns_to_them(tenant: Tenant) -> None:
    tenant.load_seed(
        {
            "actions": [
                {"name": "claims", "code": CODE, "secrets": {"K": "v"}},
                {"name": "draft", "code": CODE, "deployed": False},
            ],
            "bindings": {"post-login": ["claims"]},
        }
    )
    assert [a.name for _, a in tenant.bindings("post-login")] == ["claims"]
    tenant.add_action(CODE, name="later")
    tenant.reset()
    assert sorted(a.name for a in tenant.list_actions()) == ["claims", "draft"]
    elsewhere = Tenant("elsewhere.example.com")
    elsewhere.restore(copy.deepcopy(tenant.snapshot()))
    assert elsewhere.snapshot()["actions"] == tenant.snapshot()["actions"]


@pytest.mark.parametrize(
    ("seed", "named"),
    [
        ({"actions": [{"code": CODE}]}, "needs a name"),
        ({"actions": [{"name": "a", "colour": 1}]}, "unknown keys colour"),
        ({"actions": [], "bindings": {"post-login": ["missing"]}}, "missing"),
        (
            {"actions": [{"name": "a", "deployed": False}], "bindings": {"post-login": ["a"]}},
            "deployed",
        ),
        ({"bindings": {"nope": []}}, "unknown trigger"),
    ],
)
def test_a_bad_actions_seed_is_refused_whole(tenant: Tenant, seed: Any, named: str) -> None:
    before = tenant.snapshot()
    with pytest.raises(SeedError, match=named):
        tenant.load_seed(seed)
    assert tenant.snapshot() == before


# -- the SDK as a client judges us ---------------------------------------------------------------


def test_auth0_python_manages_actions(auth0_tenant: Tenant, auth0_intercept: Interceptor) -> None:
    """auth0-python's ``actions.*`` over its own httpx client, intercepted to the tenant."""
    auth0_tenant.clock.freeze()
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    created = mgmt.actions.create(
        name="sdk", supported_triggers=[{"id": "post-login", "version": "v3"}], code=CODE
    )
    assert created.status == "pending"
    auth0_tenant.clock.advance(1)
    assert mgmt.actions.get(created.id).status == "built"
    version = mgmt.actions.deploy(created.id)
    assert version.number == 1
    mgmt.actions.triggers.bindings.update_many(
        "post-login", bindings=[{"ref": {"type": "action_id", "value": created.id}}]
    )
    listed = list(mgmt.actions.triggers.bindings.list("post-login"))
    assert [b.action.id for b in listed] == [created.id]
    assert any(t.id == "post-login" for t in mgmt.actions.triggers.list().triggers)
    with pytest.raises(ApiError) as caught:
        mgmt.actions.get("00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == 404


def test_the_state_file_keeps_actions_and_bindings(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        body = {"name": "kept", "supported_triggers": [{"id": "post-login"}], "code": CODE}
        status, created = wire.call("POST", ACTIONS, body)
        assert status == 201
        tenant.clock.advance(1)
        assert wire.call("POST", f"{ACTIONS}/{created['id']}/deploy", None)[0] == 200
        ref = {"bindings": [{"ref": {"type": "action_name", "value": "kept"}}]}
        assert wire.call("PATCH", "/api/v2/actions/triggers/post-login/bindings", ref)[0] == 200
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert [a.name for _, a in again.bindings("post-login")] == ["kept"]
    assert again.snapshot()["actions"] == tenant.snapshot()["actions"]
