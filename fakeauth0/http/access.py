"""Management API handlers for roles and permissions: ``/roles``, ``/roles/{id}/permissions``,
``/roles/{id}/users``, ``/users/{id}/roles``, ``/users/{id}/permissions``.

Sibling operations answer with different successes, each as Auth0 does (go-auth0 recordings
TestRoleManager_*, TestUserManager_Roles, TestUserManager_Permissions,
https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings): creating a role 200, deleting
one 200 ``{}``, adding a role's permissions 201 ``{}`` and removing them 204, assigning a role's
users 200 ``{}``, a user's roles 204 either way, a user's permissions 201 ``{}`` and 204.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import access
from ..errors import Auth0Error, Msg
from ..search import RESULT_WINDOW
from ..users import User
from .paging import PER_PAGE_DEFAULT, paged
from .routes import Call, management

# -- roles ------------------------------------------------------------------------------------


@management("get_roles")
def list_roles(call: Call) -> tuple[int, Any]:
    roles = call.tenant.list_roles(call.query.get("name_filter"))
    if call.query.get("type") == "organization" or "owner_id" in call.query:
        roles = []  # every role here is the tenant's: CHOICES.md "roles: type and owner_id"
    return paged(call, [r.to_json() for r in roles], "roles")


@management("post_roles")
def create_role(call: Call) -> tuple[int, Any]:
    body = call.body()
    role = call.tenant.create_role(body["name"], body.get("description"))
    return 200, role.to_json(as_created=True)


@management("get_roles_by_id")
def get_role(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_role(call.args["id"]).to_json()


@management("patch_roles_by_id")
def update_role(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_role(call.args["id"], call.body()).to_json()


@management("delete_roles_by_id")
def delete_role(call: Call) -> tuple[int, Any]:
    call.tenant.delete_role(call.args["id"])
    return 200, {}


# -- a role's permissions and users -----------------------------------------------------------


@management("get_role_permission")
def list_role_permissions(call: Call) -> tuple[int, Any]:
    return paged(call, call.tenant.role_permissions(call.args["id"]), "permissions")


@management("post_role_permission_assignment")
def add_role_permissions(call: Call) -> tuple[int, Any]:
    call.tenant.add_role_permissions(call.args["id"], call.body()["permissions"])
    return 201, {}


@management("delete_role_permission_assignment")
def remove_role_permissions(call: Call) -> tuple[int, Any]:
    call.tenant.remove_role_permissions(call.args["id"], call.body()["permissions"])
    return 204, None


def _members(users: Sequence[User]) -> list[dict[str, Any]]:
    return [access.member_json(u) for u in users]


@management("get_role_user")
def list_role_users(call: Call) -> tuple[int, Any]:
    """Checkpoint paging with ``take`` (``next`` names the page's last user), else offset
    paging, which stops at the first 1000 records: page N is refused once
    ``N * per_page + per_page > 1000``
    (https://community.auth0.com/t/unable-to-paginate-more-than-1000-records-when-getting-user-roles/94111)."""
    users = call.tenant.role_users(call.args["id"])
    query = call.query
    if "take" not in query:
        page, per_page = int(query.get("page", 0)), int(query.get("per_page", PER_PAGE_DEFAULT))
        if page >= 0 and per_page >= 0 and page * per_page + per_page > RESULT_WINDOW:
            raise Auth0Error(400, Msg.PAGING_LIMIT, "invalid_paging")
    return paged(call, users, "users", lambda u: u.user_id, _members)


@management("post_role_users")
def assign_role_users(call: Call) -> tuple[int, Any]:
    call.tenant.assign_role_to_users(call.args["id"], call.body()["users"])
    return 200, {}


# -- a user's roles and permissions -----------------------------------------------------------


@management("get_user_roles")
def list_user_roles(call: Call) -> tuple[int, Any]:
    roles = call.tenant.user_roles(call.args["id"])
    return paged(call, [r.to_json() for r in roles], "roles")


@management("post_user_roles")
def assign_user_roles(call: Call) -> tuple[int, Any]:
    call.tenant.assign_roles(call.args["id"], call.body()["roles"])
    return 204, None


@management("delete_user_roles")
def remove_user_roles(call: Call) -> tuple[int, Any]:
    call.tenant.remove_roles(call.args["id"], call.body()["roles"])
    return 204, None


@management("get_permissions")
def list_user_permissions(call: Call) -> tuple[int, Any]:
    return paged(call, call.tenant.user_permissions(call.args["id"]), "permissions")


@management("post_permissions")
def add_user_permissions(call: Call) -> tuple[int, Any]:
    call.tenant.add_user_permissions(call.args["id"], call.body()["permissions"])
    return 201, {}


@management("delete_permissions")
def remove_user_permissions(call: Call) -> tuple[int, Any]:
    call.tenant.remove_user_permissions(call.args["id"], call.body()["permissions"])
    return 204, None
