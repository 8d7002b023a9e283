"""Classic Rules on the Management API (``/rules``, ``/rules-configs``): served by a legacy
tenant with the shapes of go-auth0's recordings (TestRuleManager_*, TestRuleConfigManager_* at
https://github.com/auth0/go-auth0/tree/df1084db909530241b4d1165438324b7601a6386/test/data/recordings),
refused by every other tenant as Auth0 refuses a deprecated feature; judged also by
auth0-python's ``ManagementClient``.
"""

from __future__ import annotations

from typing import Any

import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from fakeauth0.server import FakeAuth0Server
from fakeauth0.snapshot import SeedError
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire

RULES = "/api/v2/rules"
SCRIPT = "function (user, context, callback) { callback(null, user, context); }"
legacy = pytest.mark.auth0(rules=True)


def _create(raw: Any, name: str = "test-rule", **extra: Any) -> dict[str, Any]:
    created = raw.post(RULES, json={"name": name, "script": SCRIPT, **extra})
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


@legacy
def test_a_rule_is_created_read_updated_listed_and_deleted(raw: Any) -> None:
    """TestRuleManager_Create / _Update / _List / _Delete: ``rul_`` ids, ``stage``
    ``login_success``; PATCH answers the whole rule; a second DELETE is 204 too."""
    created = _create(raw, order=1, enabled=False)
    assert created["id"].startswith("rul_") and len(created["id"]) == 20
    assert created == {
        "id": created["id"],
        "enabled": False,
        "script": SCRIPT,
        "name": "test-rule",
        "order": 1,
        "stage": "login_success",
    }
    rule = f"{RULES}/{created['id']}"
    patched = raw.patch(rule, json={"enabled": True, "order": 5})
    assert patched.status_code == 200 and patched.json() == {
        **created,
        "enabled": True,
        "order": 5,
    }
    listed = raw.get(
        RULES,
        params={"fields": "id", "include_fields": "true", "include_totals": "true", "per_page": 50},
    )
    assert listed.json() == {"total": 1, "start": 0, "limit": 50, "rules": [{"id": created["id"]}]}
    assert raw.delete(rule).status_code == 204
    gone = raw.get(rule)
    assert gone.status_code == 404 and gone.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The rule does not exist",
        "errorCode": "inexistent_rule",
    }
    assert raw.delete(rule).status_code == 204


@legacy
def test_two_rules_may_not_share_an_order_or_a_name(raw: Any) -> None:
    """409 ``rule_conflict`` "A rule with the same order already exists"
    (https://github.com/auth0-extensions/auth0-deploy-extensions/issues/19); the same for a
    name (the spec's 409: "A rule with the same name already exists")."""
    first = _create(raw, "first", order=1)
    same_order = raw.post(RULES, json={"name": "second", "script": SCRIPT, "order": 1})
    assert same_order.status_code == 409
    assert same_order.json()["message"] == "A rule with the same order already exists"
    assert same_order.json()["errorCode"] == "rule_conflict"
    same_name = raw.post(RULES, json={"name": "first", "script": SCRIPT, "order": 2})
    assert same_name.status_code == 409 and same_name.json()["errorCode"] == "rule_conflict"
    second = _create(raw, "second", order=2)
    moved = raw.patch(f"{RULES}/{second['id']}", json={"order": 1})
    assert moved.status_code == 409
    assert raw.get(f"{RULES}/{first['id']}").json()["order"] == 1


@legacy
def test_rules_without_an_order_run_last_and_list_in_execution_order(raw: Any) -> None:
    late = _create(raw, "late", order=10)
    early = _create(raw, "early", order=3)
    unordered = _create(raw, "unordered")
    assert unordered["order"] == 11
    names = [r["name"] for r in raw.get(RULES).json()]
    assert names == ["early", "late", "unordered"]
    enabled = raw.get(RULES, params={"enabled": "false"}).json()
    assert enabled == []
    assert {late["id"], early["id"]} <= {r["id"] for r in raw.get(RULES).json()}


@legacy
@pytest.mark.parametrize(
    "body",
    [
        {"name": "-dash", "script": SCRIPT},
        {"name": "trailing ", "script": SCRIPT},
        {"name": "under_score", "script": SCRIPT},
        {"name": "ok", "script": ""},
        {"name": "ok", "script": SCRIPT, "order": -1},
        {"name": "ok", "script": SCRIPT, "stage": "login_failure"},
        {"script": SCRIPT},
    ],
)
def test_a_bad_rule_is_a_400_and_nothing_is_created(raw: Any, body: dict[str, Any]) -> None:
    """Names as go-auth0's ``Rule.Name`` documents them: "alphanumeric characters, spaces and
    '-'. Can neither start nor end with '-' or spaces"
    (https://github.com/auth0/go-auth0/blob/main/management/rule.go); the rest as the spec's
    body schema (``script`` minLength 1), and no ``stage`` but ``login_success`` on create
    (CHOICES.md "rules: stage")."""
    answer = raw.post(RULES, json=body)
    assert answer.status_code == 400 and answer.json()["errorCode"] == "invalid_body"
    assert raw.get(RULES).json() == []


@legacy
def test_a_rule_created_with_the_login_success_stage_is_created(raw: Any) -> None:
    """auth0-deploy-cli creates every rule with ``"stage": "login_success"``, which Auth0
    accepts beyond its spec's body schema (201 in the CLI's recording,
    https://github.com/auth0/auth0-deploy-cli/blob/025193b63bfadd7e87fe879812fbb3fea7fae9ce/test/e2e/recordings/should-deploy-without-deleting-resources-if-AUTH0_ALLOW_DELETE-is-false.json)."""
    created = _create(raw, "my-rule", order=2, enabled=True, stage="login_success")
    assert (created["name"], created["order"], created["stage"]) == ("my-rule", 2, "login_success")


@legacy
def test_config_variables_are_set_listed_by_key_only_and_deleted(raw: Any) -> None:
    """TestRuleConfigManager_*: PUT answers ``{key, value}``; the list shows keys only (even
    asked with go-auth0's ``include_totals``/``per_page``); DELETE is 204."""
    put = raw.put("/api/v2/rules-configs/foo", json={"value": "bar"})
    assert put.status_code == 200 and put.json() == {"key": "foo", "value": "bar"}
    listed = raw.get("/api/v2/rules-configs", params={"include_totals": "true", "per_page": 50})
    assert listed.status_code == 200 and listed.json() == [{"key": "foo"}]
    assert "bar" not in listed.text
    assert raw.delete("/api/v2/rules-configs/foo").status_code == 204
    assert raw.get("/api/v2/rules-configs").json() == []
    missing = raw.put("/api/v2/rules-configs/foo", json={})
    assert missing.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", RULES, None),
        ("post", RULES, {"name": "r", "script": SCRIPT}),
        ("get", f"{RULES}/rul_0000000000000000", None),
        ("patch", f"{RULES}/rul_0000000000000000", {"enabled": True}),
        ("delete", f"{RULES}/rul_0000000000000000", None),
        ("get", "/api/v2/rules-configs", None),
        ("put", "/api/v2/rules-configs/k", {"value": "v"}),
        ("delete", "/api/v2/rules-configs/k", None),
    ],
)
def test_a_tenant_made_today_refuses_rules_as_a_deprecated_feature(
    raw: Any, method: str, path: str, body: Any
) -> None:
    """Rules are withdrawn from tenants created since 16 Oct 2023
    (https://auth0.com/docs/customize/actions/migrate/migrate-from-rules-to-actions): 403 with
    the message auth0-deploy-cli treats as "deprecated" (https://github.com/auth0/auth0-deploy-cli/pull/838)."""
    kwargs = {"json": body} if body is not None else {}
    answer = getattr(raw, method)(path, **kwargs)
    assert answer.status_code == 403
    assert answer.json()["message"] == "Insufficient privileges to use this deprecated feature"


def test_rules_survive_snapshot_and_reset_and_only_a_legacy_tenant_takes_them() -> None:
    tenant = Tenant(rules=True)
    rule = tenant.create_rule({"name": "kept", "script": SCRIPT, "order": 2})
    tenant.set_rules_config("KEY", "value")
    saved = tenant.snapshot()
    assert saved["rules"] == [rule.to_json()] and saved["rules_configs"] == {"KEY": "value"}
    tenant.load_seed(saved)
    tenant.delete_rule(rule.id)
    tenant.reset()
    assert [r.name for r in tenant.list_rules()] == ["kept"]
    assert tenant.rules_config_keys() == ["KEY"]
    with pytest.raises(SeedError, match="legacy tenant"):
        Tenant().load_seed(saved)
    assert "rules" not in Tenant().snapshot()


@legacy
def test_auth0_python_manages_rules_and_their_configs(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    created = mgmt.rules.create(name="sdk-rule", script=SCRIPT, order=1, enabled=True)
    assert created.stage == "login_success"
    assert mgmt.rules.get(created.id).name == "sdk-rule"
    assert mgmt.rules.update(created.id, enabled=False).enabled is False
    assert [r.id for r in mgmt.rules.list()] == [created.id]
    mgmt.rules_configs.set("API_URL", value="https://api.example.com")
    assert [c.key for c in mgmt.rules_configs.list()] == ["API_URL"]
    mgmt.rules_configs.delete("API_URL")
    mgmt.rules.delete(created.id)
    with pytest.raises(ApiError) as refused:
        mgmt.rules.get(created.id)
    assert refused.value.status_code == 404


def test_the_state_file_keeps_rules_and_their_configs(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com", rules=True)
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, created = wire.call("POST", RULES, {"name": "kept", "script": SCRIPT})
        assert status == 201
        assert wire.call("PUT", "/api/v2/rules-configs/KEY", {"value": "v"})[0] == 200
        wire.close()
    again = Tenant("state.example.com", rules=True)
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert [r.to_json() for r in again.list_rules()] == [created]
    assert again.rules_config_keys() == ["KEY"]
