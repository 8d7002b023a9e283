"""Management API handlers for brute-force protection: ``/user-blocks`` (the blocks it left)
and ``/attack-protection/brute-force-protection`` (its settings). The rules live in
:mod:`fakeauth0.blocks`."""

from __future__ import annotations

from typing import Any

from .routes import Call, management

# -- user blocks ----------------------------------------------------------------------------


@management("get_user-blocks")
def user_blocks_by_identifier(call: Call) -> tuple[int, Any]:
    """An identifier no user has answers an empty list, as a user with no blocks does."""
    query = call.query
    blocked = call.tenant.user_blocks_by_identifier(
        query["identifier"],
        consider_enablement=bool(query.get("consider_brute_force_enablement", False)),
    )
    return 200, {"blocked_for": blocked}


@management("delete_user-blocks")
def unblock_identifier(call: Call) -> tuple[int, Any]:
    call.tenant.unblock_identifier(call.query["identifier"])
    return 204, None


@management("get_user-blocks_by_id")
def user_blocks(call: Call) -> tuple[int, Any]:
    blocked = call.tenant.user_blocks(
        call.args["id"],
        consider_enablement=bool(call.query.get("consider_brute_force_enablement", False)),
    )
    return 200, {"blocked_for": blocked}


@management("delete_user-blocks_by_id")
def unblock(call: Call) -> tuple[int, Any]:
    call.tenant.unblock(call.args["id"])
    return 204, None


# -- brute-force protection settings ------------------------------------------------------


@management("get_brute-force-protection")
def brute_force_settings(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_brute_force_settings().to_json()


@management("patch_brute-force-protection")
def update_brute_force_settings(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_brute_force_settings(call.body()).to_json()
