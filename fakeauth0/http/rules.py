"""Management API handlers for classic Rules: ``/rules`` and ``/rules-configs``
(a legacy tenant's; any other answers 403, see :mod:`fakeauth0.rules`)."""

from __future__ import annotations

from typing import Any

from .management import project
from .paging import offset
from .routes import Call, management


@management("get_rules")
def list_rules(call: Call) -> tuple[int, Any]:
    """Offset paging as go-auth0's recording TestRuleManager_List shows it
    (``{"total", "start", "limit", "rules"}`` with ``include_totals``)."""
    found = call.tenant.list_rules(call.query.get("enabled"))
    return offset(call, found, "rules", lambda rows: [project(r.to_json(), call) for r in rows])


@management("post_rules")
def create_rule(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.create_rule(call.body()).to_json()


@management("get_rules_by_id")
def get_rule(call: Call) -> tuple[int, Any]:
    return 200, project(call.tenant.get_rule(call.args["id"]).to_json(), call)


@management("patch_rules_by_id")
def update_rule(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_rule(call.args["id"], call.body()).to_json()


@management("delete_rules_by_id")
def delete_rule(call: Call) -> tuple[int, Any]:
    call.tenant.delete_rule(call.args["id"])
    return 204, None


@management("get_rules-configs")
def list_rules_configs(call: Call) -> tuple[int, Any]:
    """The keys only: "config variable values cannot be retrieved outside rule execution"
    (the spec's get_rules-configs)."""
    return 200, [{"key": key} for key in call.tenant.rules_config_keys()]


@management("put_rules-configs_by_key")
def set_rules_config(call: Call) -> tuple[int, Any]:
    body = call.body()
    return 200, call.tenant.set_rules_config(call.args["key"], body["value"])


@management("delete_rules-configs_by_key")
def delete_rules_config(call: Call) -> tuple[int, Any]:
    call.tenant.delete_rules_config(call.args["key"])
    return 204, None
