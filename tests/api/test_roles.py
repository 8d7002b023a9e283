"""Roles on the Management API (``/roles``, a role's permissions and users), as Auth0 serves
them: go-auth0's recordings TestRoleManager_* (test/data/recordings,
https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings) and
terraform-provider-auth0's TestAccRole, TestAccRolePermissions, TestAccDataSourceRole
(https://github.com/auth0/terraform-provider-auth0/tree/main/test/data/recordings)."""

from __future__ import annotations

import copy
import re
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
from tests.support import DB, PASSWORD, assert_error

API = "https://api.example.com/"
SCOPES = [
    {"value": "create:resource", "description": "Create Resource"},
    {"value": "read:resource", "description": "Read Resource"},
]


def _api(raw: Any, identifier: str = API, name: str = "Test Resource Server") -> dict[str, Any]:
    created = raw.post(
        "resource-servers", json={"identifier": identifier, "name": name, "scopes": SCOPES}
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _role(raw: Any, name: str = "test-role", **fields: Any) -> dict[str, Any]:
    created = raw.post("roles", json={"name": name, **fields})
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


def _permission(name: str, identifier: str = API) -> dict[str, str]:
    return {"resource_server_identifier": identifier, "permission_name": name}


# -- roles ------------------------------------------------------------------------------------


def test_crud_answers_as_recorded(raw: Any) -> None:
    """TestRoleManager_Create/_Read/_Update/_Delete: create 200, delete 200 ``{}``, then the
    role's 404 without an errorCode on GET and on a second DELETE."""
    role = _role(raw, "test-role", description="Test Role")
    assert re.fullmatch(r"rol_[A-Za-z0-9]{16}", role["id"])
    assert role == {"id": role["id"], "name": "test-role", "description": "Test Role"}
    path = f"roles/{role['id']}"
    assert raw.get(path).json() == role
    patched = raw.patch(path, json={"description": "The Administrator"})
    assert patched.status_code == 200
    assert patched.json() == {**role, "description": "The Administrator"}
    deleted = raw.delete(path)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert_error(raw.get(path), 404, "The role does not exist.")
    assert_error(raw.delete(path), 404, "The role does not exist.")
    assert_error(raw.patch(path, json={"name": "x"}), 404, "The role does not exist.")


def test_a_role_created_without_description_reads_an_empty_one(raw: Any) -> None:
    """TestAccRole: the create answer has no ``description``; reads show ``""``."""
    role = _role(raw, "The One")
    assert "description" not in role
    assert raw.get(f"roles/{role['id']}").json()["description"] == ""


def test_list_filters_by_name_in_any_case_and_pages(raw: Any) -> None:
    """TestRoleManager_List: ``name_filter`` with ``include_totals`` answers
    ``{roles, start, limit, total}``; the spec: the filter is case-insensitive."""
    admin = _role(raw, "Test Admin", description="Administrator")
    owner = _role(raw, "Test Owner", description="Owner")
    _role(raw, "Reader")
    found = raw.get("roles", params={"name_filter": "test-", "include_totals": "true"})
    assert found.json() == {"roles": [], "start": 0, "limit": 50, "total": 0}
    found = raw.get(
        "roles", params={"name_filter": "TEST", "include_totals": "true", "per_page": 50}
    ).json()
    assert found == {"roles": [admin, owner], "start": 0, "limit": 50, "total": 2}
    listed = raw.get("roles").json()
    assert [r["name"] for r in listed] == ["Reader", "Test Admin", "Test Owner"]
    second = raw.get("roles", params={"per_page": 1, "page": 1, "include_totals": "true"})
    assert second.json()["roles"] == [admin] and second.json()["start"] == 1


def test_reading_and_changing_roles_need_their_scopes(raw: Any) -> None:
    """The spec: ``read:roles``, ``create:roles``, ``update:roles``, ``delete:roles``."""
    assert raw.get("roles", scopes=["read:users"]).status_code == 403
    assert raw.get("roles", scopes=["read:roles"]).status_code == 200
    assert raw.post("roles", json={"name": "x"}, scopes=["read:roles"]).status_code == 403
    role = _role(raw)
    path = f"roles/{role['id']}"
    assert raw.delete(path, scopes=["update:roles"]).status_code == 403
    assert raw.delete(path, scopes=["delete:roles"]).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": 7},
        {"name": "x", "description": None},
        {"name": "x", "permissions": []},
        [],
        "name",
    ],
)
def test_bad_role_bodies_are_auth0s_400(raw: Any, body: Any) -> None:
    """Spec-invalid bodies are refused as Auth0 words payload validation, never a 500."""
    response = raw.post("roles", json=body)
    assert response.status_code == 400, response.text
    assert raw.get("roles").json() == []


# -- a role's permissions ---------------------------------------------------------------------


def test_permissions_are_added_listed_and_removed_as_recorded(raw: Any) -> None:
    """TestRoleManager_Permissions: add 201 ``{}``, list items ``{permission_name,
    description, resource_server_name, resource_server_identifier}``, remove 204;
    TestAccDataSourceRole: listed by name whatever the order they were added in."""
    api = _api(raw)
    role = _role(raw, description="Test Role")
    path = f"roles/{role['id']}/permissions"
    added = raw.post(
        path, json={"permissions": [_permission("read:resource"), _permission("create:resource")]}
    )
    assert added.status_code == 201 and added.json() == {}
    again = raw.post(path, json={"permissions": [_permission("read:resource")]})
    assert again.status_code == 201  # already held: nothing changes
    listed = raw.get(path, params={"include_totals": "true", "per_page": 50}).json()
    assert listed == {
        "permissions": [
            {
                "permission_name": name,
                "description": description,
                "resource_server_name": api["name"],
                "resource_server_identifier": API,
            }
            for name, description in (
                ("create:resource", "Create Resource"),
                ("read:resource", "Read Resource"),
            )
        ],
        "start": 0,
        "limit": 50,
        "total": 2,
    }
    removed = raw.delete(path, json={"permissions": [_permission("create:resource")]})
    assert removed.status_code == 204 and removed.content == b""
    assert [p["permission_name"] for p in raw.get(path).json()] == ["read:resource"]


def test_a_permission_names_an_existing_api_and_one_of_its_scopes(raw: Any) -> None:
    """An unknown API is Auth0's 404 naming it (https://github.com/auth0/auth0-cli/issues/348);
    an undefined scope is a 400 (CHOICES.md "roles: unknown permission"); nothing is added."""
    _api(raw)
    role = _role(raw)
    path = f"roles/{role['id']}/permissions"
    unknown_api = _permission("read:resource", "https://nope.example.com/")
    assert_error(
        raw.post(path, json={"permissions": [_permission("read:resource"), unknown_api]}),
        404,
        "The resource server does not exist: 'https://nope.example.com/'",
    )
    assert_error(
        raw.post(path, json={"permissions": [_permission("fly:things")]}),
        400,
        "The permission 'fly:things' is not defined on the resource server "
        "'https://api.example.com/'.",
    )
    assert raw.get(path).json() == []
    missing = raw.post("roles/rol_0000000000000000/permissions", json={"permissions": []})
    assert_error(missing, 404, "The role does not exist.")
    for bad in ({}, {"permissions": [{"permission_name": "read:resource"}]}, {"permissions": 3}):
        assert raw.post(path, json=bad).status_code == 400
        assert raw.delete(path, json=bad).status_code == 400


def test_removing_a_scope_or_deleting_the_api_drops_its_permissions(raw: Any) -> None:
    """A permission exists only while its API defines the scope (CHOICES.md "roles: cascades")."""
    api = _api(raw)
    other = _api(raw, "https://other.example.com/", "Other")
    role = _role(raw)
    path = f"roles/{role['id']}/permissions"
    both = [
        _permission("create:resource"),
        _permission("read:resource"),
        _permission("read:resource", other["identifier"]),
    ]
    assert raw.post(path, json={"permissions": both}).status_code == 201
    raw.patch(f"resource-servers/{api['id']}", json={"scopes": SCOPES[1:]})
    names = [(p["resource_server_identifier"], p["permission_name"]) for p in raw.get(path).json()]
    assert names == [(API, "read:resource"), (other["identifier"], "read:resource")]
    assert raw.delete(f"resource-servers/{api['id']}").status_code == 204
    names = [p["resource_server_identifier"] for p in raw.get(path).json()]
    assert names == [other["identifier"]]


# -- a role's users ---------------------------------------------------------------------------


def test_users_are_assigned_and_listed_as_recorded(raw: Any) -> None:
    """TestRoleManager_Users: assign 200 ``{}``; items ``{user_id, email, picture, name}``."""
    user = raw.create_user(email="chuck@example.com")
    role = _role(raw)
    path = f"roles/{role['id']}/users"
    assigned = raw.post(path, json={"users": [user["user_id"]]})
    assert assigned.status_code == 200 and assigned.json() == {}
    listed = raw.get(path, params={"include_totals": "true", "per_page": 50}).json()
    expected = {k: user[k] for k in ("user_id", "email", "picture", "name")}
    assert listed == {"users": [expected], "start": 0, "limit": 50, "total": 1}
    unknown = raw.post(path, json={"users": [user["user_id"], "auth0|nobody"]})
    assert_error(unknown, 404, "One or more of the users do not exist.")
    assert_error(raw.get("roles/rol_0000000000000000/users"), 404, "The role does not exist.")


def test_checkpoint_paging_of_a_roles_users(raw: Any) -> None:
    """TestRoleManager_UsersCheckpointPagination: with ``take`` the answer is ``{users, next}``
    even with ``include_totals=true``, by user id; the last page has no ``next``."""
    ids = sorted(raw.create_user(email=f"chuck{n}@example.com")["user_id"] for n in range(3))
    role = _role(raw)
    path = f"roles/{role['id']}/users"
    assert raw.post(path, json={"users": ids}).status_code == 200
    params = {"include_totals": "true", "per_page": 50, "take": 2}
    first = raw.get(path, params=params).json()
    assert set(first) == {"users", "next"}
    assert [u["user_id"] for u in first["users"]] == ids[:2]
    last = raw.get(path, params={**params, "from": first["next"]}).json()
    assert set(last) == {"users"}
    assert [u["user_id"] for u in last["users"]] == ids[2:]
    assert raw.get(path, params={"take": 0}).status_code == 400
    assert raw.get(path, params={"take": 2, "from": "bm90LWEtdXNlcg"}).status_code == 400


def test_offset_paging_of_a_roles_users_stops_at_1000(raw: Any) -> None:
    """Page N is refused once N * per_page + per_page > 1000, whatever the count
    (https://community.auth0.com/t/unable-to-paginate-more-than-1000-records-when-getting-user-roles/94111)."""
    role = _role(raw)
    path = f"roles/{role['id']}/users"
    assert raw.get(path, params={"page": 9, "per_page": 100}).json() == []
    assert_error(
        raw.get(path, params={"page": 10, "per_page": 100}),
        400,
        "You can only page through the first 1000 records...",
        "invalid_paging",
    )


def test_deleting_a_role_or_a_user_ends_the_assignment(raw: Any, tenant: Tenant) -> None:
    """The spec's delete_roles_by_id: "it is removed from any user who was previously assigned
    that role"; a deleted user holds nothing (CHOICES.md "roles: cascades")."""
    kept = raw.create_user(email="kept@example.com")
    gone = raw.create_user(email="gone@example.com")
    role, other = _role(raw, "a"), _role(raw, "b")
    for r in (role, other):
        raw.post(f"roles/{r['id']}/users", json={"users": [kept["user_id"], gone["user_id"]]})
    assert raw.delete(f"users/{gone['user_id']}").status_code == 204
    users = raw.get(f"roles/{other['id']}/users").json()
    assert [u["user_id"] for u in users] == [kept["user_id"]]
    raw.delete(f"roles/{role['id']}")
    assert [r["id"] for r in raw.get(f"users/{kept['user_id']}/roles").json()] == [other["id"]]
    assert tenant.get_user(kept["user_id"]).roles == [other["id"]]


# -- the judges -------------------------------------------------------------------------------


def test_auth0_python_drives_roles(auth0_tenant: Tenant, auth0_intercept: Interceptor) -> None:
    """auth0-python's ``roles.*``, ``roles.permissions.*`` and ``roles.users.*``, over its own
    httpx client, intercepted to the tenant."""
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    auth0_tenant.create_resource_server({"identifier": API, "name": "API", "scopes": SCOPES})
    created = mgmt.roles.create(name="test-role", description="Test Role")
    assert created.id is not None and created.id.startswith("rol_")
    assert mgmt.roles.get(created.id).name == "test-role"
    assert mgmt.roles.update(created.id, description="Changed").description == "Changed"
    assert [r.id for r in mgmt.roles.list(name_filter="TEST-ROLE")] == [created.id]
    mgmt.roles.permissions.add(
        created.id,
        permissions=[{**_permission("read:resource")}],  # type: ignore[list-item]
    )
    listed = list(mgmt.roles.permissions.list(created.id))
    assert [(p.permission_name, p.description) for p in listed] == [
        ("read:resource", "Read Resource")
    ]
    users = [
        auth0_tenant.create_user(
            {"connection": DB, "email": f"u{n}@example.com", "password": PASSWORD}
        ).user_id
        for n in range(3)
    ]
    mgmt.roles.users.assign(created.id, users=users)
    assert [u.user_id for u in mgmt.roles.users.list(created.id, take=2)] == sorted(users)
    mgmt.roles.permissions.delete(
        created.id,
        permissions=[{**_permission("read:resource")}],  # type: ignore[list-item]
    )
    assert list(mgmt.roles.permissions.list(created.id)) == []
    mgmt.roles.delete(created.id)
    with pytest.raises(ApiError) as caught:
        mgmt.roles.get(created.id)
    assert caught.value.status_code == 404


# -- seeds, snapshots, the state file ---------------------------------------------------------


def test_snapshots_carry_roles_losslessly(raw: Any, http: httpx.Client) -> None:
    """GET /_fake/snapshot then PUT gives the same tenant: roles with their permissions, and
    each user's roles and direct permissions."""
    _api(raw)
    user = raw.create_user(email="snap@example.com")
    role = _role(raw, "snap", description="Snap")
    raw.post(
        f"roles/{role['id']}/permissions", json={"permissions": [_permission("read:resource")]}
    )
    raw.post(f"users/{user['user_id']}/roles", json={"roles": [role["id"]]})
    raw.post(
        f"users/{user['user_id']}/permissions",
        json={"permissions": [_permission("create:resource")]},
    )
    taken = http.get("/_fake/snapshot").json()
    assert taken["roles"] == [
        {
            "id": role["id"],
            "name": "snap",
            "description": "Snap",
            "permissions": [_permission("read:resource")],
        }
    ]
    (record,) = taken["users"]
    assert record["roles"] == [role["id"]]
    assert record["permissions"] == [_permission("create:resource")]
    shown = raw.get(f"users/{user['user_id']}/permissions").json()
    raw.delete(f"roles/{role['id']}")
    assert http.put("/_fake/snapshot", json=taken).status_code == 200
    assert http.get("/_fake/snapshot").json() == taken
    assert raw.get(f"users/{user['user_id']}/permissions").json() == shown


def test_a_seed_names_only_known_roles_and_permissions(tenant: Tenant) -> None:
    """Seeds go through the API's rules: unknown roles, APIs or scopes are a SeedError, and
    the tenant is left as it was."""
    api = {"identifier": API, "scopes": SCOPES}
    user = {
        "user_id": "auth0|seeded",
        "email": "seeded@example.com",
        "identities": [
            {
                "connection": "Username-Password-Authentication",
                "provider": "auth0",
                "user_id": "seeded",
            }
        ],
    }
    role = {
        "id": "rol_AAAAAAAAAAAAAAAA",
        "name": "admin",
        "permissions": [_permission("read:resource")],
    }
    tenant.load_seed(
        {"resource_servers": [api], "roles": [role], "users": [{**user, "roles": [role["id"]]}]}
    )
    assert [r.name for r in tenant.user_roles("auth0|seeded")] == ["admin"]
    before = tenant.snapshot()
    bad_seeds = [
        {"resource_servers": [api], "roles": [role], "users": [{**user, "roles": ["rol_nope"]}]},
        {"resource_servers": [api], "roles": [{**role, "permissions": [_permission("fly")]}]},
        {"roles": [{**role, "permissions": [_permission("read:resource", "https://nope/")]}]},
        {"resource_servers": [api], "roles": [role, role]},
        {"roles": [{"name": 3}]},
        {"roles": [{**role, "colour": "red"}]},
        {
            "resource_servers": [api],
            "users": [{**user, "permissions": [_permission("read:resource", "https://nope/")]}],
        },
        {"resource_servers": [api], "users": [{**user, "permissions": ["read:resource"]}]},
    ]
    for seed in bad_seeds:
        with pytest.raises(SeedError):
            tenant.restore(copy.deepcopy(seed))
        assert tenant.snapshot() == before
    tenant.load_seed({"roles": [{"name": "no id given"}]})
    (made,) = tenant.list_roles()
    assert re.fullmatch(r"rol_[A-Za-z0-9]{16}", made.id)


def test_the_state_file_keeps_roles_and_assignments(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    tenant.create_resource_server({"identifier": API, "scopes": SCOPES})
    user = tenant.create_user({"connection": DB, "email": "kept@example.com", "password": PASSWORD})
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, role = wire.call("POST", "/api/v2/roles", {"name": "kept"})
        assert status == 200
        status, _ = wire.call(
            "POST",
            f"/api/v2/roles/{role['id']}/permissions",
            {"permissions": [_permission("read:resource")]},
        )
        assert status == 201
        status, _ = wire.call(
            "POST", f"/api/v2/users/{user.user_id}/roles", {"roles": [role["id"]]}
        )
        assert status == 204
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert [r.name for r in again.user_roles(user.user_id)] == ["kept"]
    assert [p["permission_name"] for p in again.user_permissions(user.user_id)] == ["read:resource"]
