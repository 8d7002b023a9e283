"""A user's roles and permissions (``/users/{id}/roles``, ``/users/{id}/permissions``), as Auth0
serves them: go-auth0's recordings TestUserManager_Roles and TestUserManager_Permissions
(https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings), terraform-provider-auth0's
TestAccUserRoles and TestAccUserPermissions
(https://github.com/auth0/terraform-provider-auth0/tree/main/test/data/recordings)."""

from __future__ import annotations

from typing import Any

import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from tests.support import DB, PASSWORD, assert_error

API = "https://api.example.com/"
SCOPES = [
    {"value": "create:foo", "description": "Can create Foo"},
    {"value": "read:foo", "description": "Can read Foo"},
]
DIRECT = {"source_id": "", "source_name": "", "source_type": "DIRECT"}


def _permission(name: str, identifier: str = API) -> dict[str, str]:
    return {"resource_server_identifier": identifier, "permission_name": name}


@pytest.fixture
def user(raw: Any) -> dict[str, Any]:
    raw.post("resource-servers", json={"identifier": API, "name": "Foo API", "scopes": SCOPES})
    return raw.create_user(email="chuck@example.com")  # type: ignore[no-any-return]


def _role(raw: Any, name: str, description: str) -> dict[str, Any]:
    return raw.post("roles", json={"name": name, "description": description}).json()  # type: ignore[no-any-return]


# -- roles ------------------------------------------------------------------------------------


def test_roles_are_assigned_listed_and_removed_as_recorded(raw: Any, user: dict[str, Any]) -> None:
    """TestUserManager_Roles: assign 204, list ``{roles, start, limit, total}``, remove 204;
    TestAccUserRoles: listed by name."""
    owner = _role(raw, "Test Owner", "Owner")
    admin = _role(raw, "Test Admin", "Administrator")
    path = f"users/{user['user_id']}/roles"
    assigned = raw.post(path, json={"roles": [owner["id"]]})
    assert assigned.status_code == 204 and assigned.content == b""
    assert raw.post(path, json={"roles": [admin["id"], owner["id"]]}).status_code == 204
    listed = raw.get(path, params={"include_totals": "true", "per_page": 50}).json()
    assert listed == {"roles": [admin, owner], "start": 0, "limit": 50, "total": 2}
    removed = raw.delete(path, json={"roles": [admin["id"], owner["id"]]})
    assert removed.status_code == 204 and removed.content == b""
    listed = raw.get(path, params={"include_totals": "true", "per_page": 50}).json()
    assert listed == {"roles": [], "start": 0, "limit": 50, "total": 0}
    assert raw.delete(path, json={"roles": [owner["id"]]}).status_code == 204  # not held


def test_unknown_users_and_roles_are_refused(raw: Any, user: dict[str, Any]) -> None:
    """An unknown user is 404 inexistent_user, an unknown role the role's 404, and nothing is
    assigned (CHOICES.md "roles: unknown user", "roles: unknown role assigned")."""
    role = _role(raw, "r", "R")
    nobody = "users/auth0%7Cnobody"
    for response in (
        raw.get(f"{nobody}/roles"),
        raw.post(f"{nobody}/roles", json={"roles": [role["id"]]}),
        raw.delete(f"{nobody}/roles", json={"roles": [role["id"]]}),
        raw.get(f"{nobody}/permissions"),
        raw.post(f"{nobody}/permissions", json={"permissions": [_permission("read:foo")]}),
        raw.delete(f"{nobody}/permissions", json={"permissions": [_permission("read:foo")]}),
    ):
        assert_error(response, 404, "The user does not exist.", "inexistent_user")
    path = f"users/{user['user_id']}/roles"
    unknown = raw.post(path, json={"roles": [role["id"], "rol_0000000000000000"]})
    assert_error(unknown, 404, "The role does not exist.")
    assert raw.get(path).json() == []
    for bad in ({}, {"roles": "x"}, {"roles": [""]}, {"roles": [3]}):
        assert raw.post(path, json=bad).status_code == 400
        assert raw.delete(path, json=bad).status_code == 400


def test_a_users_roles_need_their_scopes(raw: Any, user: dict[str, Any]) -> None:
    """The spec: reading needs ``read:users`` and ``read:roles``; assigning ``update:users``
    (or ``read:roles``, as the spec lists it)."""
    path = f"users/{user['user_id']}/roles"
    assert raw.get(path, scopes=["create:users"]).status_code == 403
    assert raw.get(path, scopes=["read:users", "read:roles"]).status_code == 200
    assert raw.post(path, json={"roles": []}, scopes=["create:users"]).status_code == 403


# -- permissions ------------------------------------------------------------------------------


def test_direct_permissions_as_recorded(raw: Any, user: dict[str, Any]) -> None:
    """TestUserManager_Permissions / TestAccUserPermissions: add 201 ``{}``; each item carries
    ``sources: [{"source_id": "", "source_name": "", "source_type": "DIRECT"}]``; remove 204."""
    path = f"users/{user['user_id']}/permissions"
    added = raw.post(path, json={"permissions": [_permission("read:foo")]})
    assert added.status_code == 201 and added.json() == {}
    raw.post(path, json={"permissions": [_permission("create:foo")]})
    listed = raw.get(path, params={"include_totals": "true", "page": 0, "per_page": 100}).json()
    assert listed == {
        "permissions": [
            {
                "permission_name": name,
                "description": description,
                "resource_server_name": "Foo API",
                "resource_server_identifier": API,
                "sources": [DIRECT],
            }
            for name, description in (
                ("create:foo", "Can create Foo"),
                ("read:foo", "Can read Foo"),
            )
        ],
        "start": 0,
        "limit": 100,
        "total": 2,
    }
    removed = raw.delete(path, json={"permissions": [_permission("read:foo")]})
    assert removed.status_code == 204 and removed.content == b""
    assert [p["permission_name"] for p in raw.get(path).json()] == ["create:foo"]


def test_permissions_through_roles_name_their_sources(raw: Any, user: dict[str, Any]) -> None:
    """A permission held directly and through roles is listed once, its sources DIRECT first,
    then each role (CHOICES.md "roles: permission sources")."""
    reader = _role(raw, "Reader", "Reads")
    writer = _role(raw, "Writer", "Writes")
    raw.post(f"roles/{reader['id']}/permissions", json={"permissions": [_permission("read:foo")]})
    raw.post(
        f"roles/{writer['id']}/permissions",
        json={"permissions": [_permission("read:foo"), _permission("create:foo")]},
    )
    user_id = user["user_id"]
    raw.post(f"users/{user_id}/roles", json={"roles": [writer["id"], reader["id"]]})
    raw.post(f"users/{user_id}/permissions", json={"permissions": [_permission("read:foo")]})
    listed = {
        p["permission_name"]: p["sources"] for p in raw.get(f"users/{user_id}/permissions").json()
    }

    def role(r: dict[str, Any]) -> dict[str, str]:
        return {"source_id": r["id"], "source_name": r["name"], "source_type": "ROLE"}

    assert listed == {
        "create:foo": [role(writer)],
        "read:foo": [DIRECT, role(reader), role(writer)],
    }
    raw.delete(f"users/{user_id}/roles", json={"roles": [writer["id"]]})
    listed = {
        p["permission_name"]: p["sources"] for p in raw.get(f"users/{user_id}/permissions").json()
    }
    assert listed == {"read:foo": [DIRECT, role(reader)]}


def test_unknown_permissions_are_refused(raw: Any, user: dict[str, Any]) -> None:
    """The rule of a role's permissions: an existing API and one of its scopes."""
    path = f"users/{user['user_id']}/permissions"
    assert_error(
        raw.post(path, json={"permissions": [_permission("read:foo", "https://nope/")]}),
        404,
        "The resource server does not exist: 'https://nope/'",
    )
    assert_error(
        raw.post(path, json={"permissions": [_permission("fly:things")]}),
        400,
        "The permission 'fly:things' is not defined on the resource server "
        "'https://api.example.com/'.",
    )
    assert raw.get(path).json() == []


def test_removing_a_scope_takes_it_from_users(raw: Any, user: dict[str, Any]) -> None:
    """TestAccUserPermissions ends by emptying the API's scopes: the permissions go with them."""
    path = f"users/{user['user_id']}/permissions"
    raw.post(path, json={"permissions": [_permission("read:foo"), _permission("create:foo")]})
    (api,) = [s for s in raw.get("resource-servers").json() if s["identifier"] == API]
    raw.patch(f"resource-servers/{api['id']}", json={"scopes": SCOPES[:1]})
    assert [p["permission_name"] for p in raw.get(path).json()] == ["create:foo"]


# -- the Python side and the judges -----------------------------------------------------------


def test_the_python_side_follows_the_same_rules(tenant: Tenant) -> None:
    tenant.create_resource_server({"identifier": API, "name": "Foo API", "scopes": SCOPES})
    user = tenant.create_user({"connection": DB, "email": "py@example.com", "password": PASSWORD})
    role = tenant.create_role("Reader", "Reads", permissions=[(API, "read:foo")])
    tenant.assign_roles(user.user_id, [role.id])
    tenant.add_user_permissions(user.user_id, [(API, "create:foo")])
    held = {p["permission_name"]: p["sources"] for p in tenant.user_permissions(user.user_id)}
    assert held == {
        "create:foo": [DIRECT],
        "read:foo": [{"source_id": role.id, "source_name": "Reader", "source_type": "ROLE"}],
    }
    assert [u.user_id for u in tenant.role_users(role.id)] == [user.user_id]
    with pytest.raises(Exception, match="The role does not exist"):
        tenant.assign_roles(user.user_id, ["rol_missing"])
    with pytest.raises(Exception, match="not defined"):
        tenant.add_user_permissions(user.user_id, [(API, "nope")])
    tenant.delete_user(user.user_id)
    assert tenant.role_users(role.id) == []


def test_auth0_python_drives_a_users_roles_and_permissions(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``users.roles.*`` and ``users.permissions.*``, intercepted to the tenant."""
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    auth0_tenant.create_resource_server({"identifier": API, "name": "Foo API", "scopes": SCOPES})
    user = auth0_tenant.create_user(
        {"connection": DB, "email": "sdk@example.com", "password": PASSWORD}
    )
    role = mgmt.roles.create(name="Reader", description="Reads")
    assert role.id is not None
    mgmt.users.roles.assign(user.user_id, roles=[role.id])
    assert [r.name for r in mgmt.users.roles.list(user.user_id)] == ["Reader"]
    mgmt.users.permissions.create(
        user.user_id,
        permissions=[{**_permission("read:foo")}],  # type: ignore[list-item]
    )
    (held,) = list(mgmt.users.permissions.list(user.user_id))
    assert held.permission_name == "read:foo" and held.resource_server_name == "Foo API"
    mgmt.users.permissions.delete(
        user.user_id,
        permissions=[{**_permission("read:foo")}],  # type: ignore[list-item]
    )
    assert list(mgmt.users.permissions.list(user.user_id)) == []
    mgmt.users.roles.delete(user.user_id, roles=[role.id])
    assert list(mgmt.users.roles.list(user.user_id)) == []
    with pytest.raises(ApiError) as caught:
        mgmt.users.roles.assign(user.user_id, roles=["rol_0000000000000000"])
    assert caught.value.status_code == 404
