"""Organizations on the Management API, as Auth0 serves them: go-auth0's recordings of a real
tenant (TestOrganizationManager_*, TestUserManager_Organizations,
https://github.com/auth0/go-auth0/tree/main/test/data/recordings) and terraform-provider-auth0's
(TestAccOrganization, https://github.com/auth0/terraform-provider-auth0/tree/main/test/data/recordings);
docs/auth0-behaviour.md#organizations. Member roles and client grants:
tests/api/test_organization_access.py."""

from __future__ import annotations

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
from tests.support import DB, NO_RETRY, PASSWORD, assert_error

ORGS = "/api/v2/organizations"
LOGIN_ROUTE = "https://app.example/login"


def create_org(raw: Any, name: str = "acme", **fields: Any) -> dict[str, Any]:
    created = raw.post(ORGS, json={"name": name, **fields})
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def db_id(tenant: Tenant) -> str:
    return tenant.connection(DB).id


def new_user(raw: Any, email: str) -> str:
    return raw.create_user(connection=DB, email=email, password=PASSWORD)["user_id"]  # type: ignore[no-any-return]


# -- the organization -------------------------------------------------------------------------


def test_crud_by_id_and_by_name(raw: Any) -> None:
    """TestOrganizationManager_Create, _Read, _ReadByName, _Update, _Delete."""
    org = create_org(raw, display_name="Acme", branding={"logo_url": "https://example.com/l.gif"})
    assert re.fullmatch(r"org_[A-Za-z0-9]{16}", org["id"])
    assert org == {
        "id": org["id"],
        "name": "acme",
        "display_name": "Acme",
        "branding": {"logo_url": "https://example.com/l.gif"},
    }
    assert raw.get(f"{ORGS}/{org['id']}").json() == org
    assert raw.get(f"{ORGS}/name/acme").json() == org
    patched = raw.patch(f"{ORGS}/{org['id']}", json={"name": "new-org-name"})
    assert patched.status_code == 200 and patched.json() == dict(org, name="new-org-name")
    assert raw.delete(f"{ORGS}/{org['id']}").status_code == 204
    for gone in (raw.get(f"{ORGS}/{org['id']}"), raw.delete(f"{ORGS}/{org['id']}")):
        body = assert_error(gone, 404)
        assert body["message"] == "No organization found by that id or name"
        assert "errorCode" not in body
    assert_error(raw.get(f"{ORGS}/name/acme"), 404)


def test_metadata_is_replaced_and_empty_metadata_is_not_shown(raw: Any) -> None:
    """TestAccOrganization: a PATCH's metadata replaces the old; ``{}`` leaves none."""
    org = create_org(raw, metadata={"a": "1", "b": "2"})
    changed = raw.patch(f"{ORGS}/{org['id']}", json={"metadata": {"b": "3"}}).json()
    assert changed["metadata"] == {"b": "3"}
    cleared = raw.patch(f"{ORGS}/{org['id']}", json={"metadata": {}}).json()
    assert "metadata" not in cleared


@pytest.mark.parametrize("name", ["Acme", "acme corp", "a" * 51, "acme.io", ""])
def test_a_name_outside_auth0s_rule_is_400(raw: Any, name: str) -> None:
    """Lowercase letters, digits, ``-`` and ``_``, 1 to 50
    (https://auth0.com/docs/manage-users/organizations/configure-organizations/create-organizations)."""
    assert_error(raw.post(ORGS, json={"name": name}), 400, error_code="invalid_body")
    org = create_org(raw, "0-starts_with-a-digit")
    assert_error(
        raw.patch(f"{ORGS}/{org['id']}", json={"name": name}), 400, error_code="invalid_body"
    )


def test_a_name_taken_is_409(raw: Any) -> None:
    create_org(raw, "acme")
    other = create_org(raw, "other")
    duplicate = assert_error(raw.post(ORGS, json={"name": "acme"}), 409, error_code="conflict")
    assert duplicate["message"] == "An organization with this name already exists."
    assert_error(
        raw.patch(f"{ORGS}/{other['id']}", json={"name": "acme"}), 409, error_code="conflict"
    )
    # Its own name is no conflict.
    assert raw.patch(f"{ORGS}/{other['id']}", json={"name": "other"}).status_code == 200


def test_list_by_offset_and_by_checkpoint(raw: Any) -> None:
    """TestOrganizationManager_List (totals) and _ListCheckpointPagination (``take``: no
    totals, ``next`` until the last page), in creation order."""
    ids = [create_org(raw, name)["id"] for name in ("m-org", "b-org", "z-org")]
    listed = raw.get(ORGS, params={"include_totals": "true", "per_page": 50}).json()
    assert listed["total"] == 3 and listed["start"] == 0 and listed["limit"] == 50
    assert [o["id"] for o in listed["organizations"]] == ids
    first = raw.get(ORGS, params={"include_totals": "true", "take": 2}).json()
    assert [o["id"] for o in first["organizations"]] == ids[:2] and "total" not in first
    rest = raw.get(ORGS, params={"take": 2, "from": first["next"]}).json()
    assert [o["id"] for o in rest["organizations"]] == ids[2:] and "next" not in rest
    by_name = raw.get(ORGS, params={"sort": "name:1"}).json()
    assert [o["name"] for o in by_name] == ["b-org", "m-org", "z-org"]
    assert_error(raw.get(ORGS, params={"per_page": 101}), 400, error_code="invalid_query_string")


def test_reading_and_changing_need_their_scopes(raw: Any) -> None:
    org = create_org(raw)
    assert_error(raw.get(ORGS, scopes=["read:users"]), 403, error_code="insufficient_scope")
    assert raw.get(ORGS, scopes=["read:organizations"]).status_code == 200
    assert_error(
        raw.post(ORGS, json={"name": "x"}, scopes=["read:organizations"]),
        403,
        error_code="insufficient_scope",
    )
    assert_error(
        raw.post(f"{ORGS}/{org['id']}/members", json={"members": []}, scopes=["read:users"]),
        403,
        error_code="insufficient_scope",
    )


# -- members ----------------------------------------------------------------------------------


def test_members_are_added_listed_and_removed(raw: Any) -> None:
    """TestOrganizationManager_AddMembers, _DeleteMembers, _MembersCheckpointPagination,
    TestUserManager_Organizations."""
    org = create_org(raw, display_name="Acme")
    users = [new_user(raw, f"u{i}@example.com") for i in range(3)]
    added = raw.post(f"{ORGS}/{org['id']}/members", json={"members": users})
    assert added.status_code == 204 and added.content == b""
    listed = raw.get(f"{ORGS}/{org['id']}/members", params={"include_totals": "true"}).json()
    assert listed["total"] == 3
    assert listed["members"][0] == {
        "user_id": users[0],
        "email": "u0@example.com",
        "picture": raw.get(f"/api/v2/users/{users[0]}").json()["picture"],
        "name": "u0@example.com",
    }
    page = raw.get(f"{ORGS}/{org['id']}/members", params={"take": 2}).json()
    assert [m["user_id"] for m in page["members"]] == users[:2] and "next" in page
    rest = raw.get(f"{ORGS}/{org['id']}/members", params={"take": 2, "from": page["next"]})
    assert [m["user_id"] for m in rest.json()["members"]] == users[2:]
    only_ids = raw.get(f"{ORGS}/{org['id']}/members", params={"fields": "user_id"}).json()
    assert only_ids == [{"user_id": u} for u in users]
    assert raw.get(f"/api/v2/users/{users[0]}/organizations").json() == [org]
    removed = raw.delete(f"{ORGS}/{org['id']}/members", json={"members": users[:2]})
    assert removed.status_code == 204
    assert [m["user_id"] for m in raw.get(f"{ORGS}/{org['id']}/members").json()] == users[2:]
    assert raw.get(f"/api/v2/users/{users[0]}/organizations").json() == []


def test_an_unknown_member_or_organization_is_refused(raw: Any) -> None:
    org = create_org(raw)
    assert_error(
        raw.post(f"{ORGS}/{org['id']}/members", json={"members": ["auth0|nobody"]}),
        400,
        error_code="invalid_body",
    )
    user_id = new_user(raw, "ada@example.com")
    assert_error(raw.post(f"{ORGS}/org_missing/members", json={"members": [user_id]}), 404)
    assert_error(raw.post(f"{ORGS}/{org['id']}/members", json={}), 400, error_code="invalid_body")


def test_deleting_a_user_ends_their_memberships(raw: Any) -> None:
    org = create_org(raw)
    user_id = new_user(raw, "ada@example.com")
    raw.post(f"{ORGS}/{org['id']}/members", json={"members": [user_id]})
    assert raw.delete(f"/api/v2/users/{user_id}").status_code == 204
    assert raw.get(f"{ORGS}/{org['id']}/members").json() == []


# -- enabled connections ----------------------------------------------------------------------


def test_enabled_connections(tenant: Tenant, raw: Any) -> None:
    """TestOrganizationManager_AddConnection, _Connection, _Connections, _UpdateConnection,
    _DeleteConnection: ``show_as_button`` defaults to true, ``connection`` names it, the list's
    ``limit`` is the number of records."""
    org = create_org(raw)
    con = db_id(tenant)
    added = raw.post(
        f"{ORGS}/{org['id']}/enabled_connections",
        json={"connection_id": con, "assign_membership_on_login": True},
    )
    expected = {
        "connection_id": con,
        "assign_membership_on_login": True,
        "show_as_button": True,
        "connection": {"name": DB, "strategy": "auth0"},
    }
    assert added.status_code == 201 and added.json() == expected
    assert raw.get(f"{ORGS}/{org['id']}/enabled_connections/{con}").json() == expected
    listed = raw.get(f"{ORGS}/{org['id']}/enabled_connections", params={"include_totals": "true"})
    assert listed.json() == {"enabled_connections": [expected], "start": 0, "limit": 1, "total": 1}
    patched = raw.patch(
        f"{ORGS}/{org['id']}/enabled_connections/{con}",
        json={"assign_membership_on_login": False, "show_as_button": False},
    )
    assert patched.json() == dict(expected, assign_membership_on_login=False, show_as_button=False)
    assert raw.delete(f"{ORGS}/{org['id']}/enabled_connections/{con}").status_code == 204
    gone = assert_error(raw.get(f"{ORGS}/{org['id']}/enabled_connections/{con}"), 404)
    assert gone["message"] == "No connection found by that id"


def test_signup_needs_a_database_connection_that_assigns_membership(
    tenant: Tenant, raw: Any
) -> None:
    """TestOrganizationManager_UpdateDBConnection."""
    org = create_org(raw)
    con = db_id(tenant)
    path = f"{ORGS}/{org['id']}/enabled_connections"
    created = raw.post(
        path,
        json={"connection_id": con, "assign_membership_on_login": True, "is_signup_enabled": True},
    )
    assert created.json()["is_signup_enabled"] is True
    refused = raw.patch(
        f"{path}/{con}", json={"assign_membership_on_login": False, "is_signup_enabled": True}
    )
    body = assert_error(refused, 400, error_code="invalid_body")
    assert body["message"] == (
        "Only database connections with assign_membership_on_login = true support "
        "is_signup_enabled = true."
    )
    google = tenant.connection("google-oauth2").id
    social = raw.post(
        path,
        json={
            "connection_id": google,
            "assign_membership_on_login": True,
            "is_signup_enabled": True,
        },
    )
    assert_error(social, 400, error_code="invalid_body")


def test_initial_connections_are_echoed_on_create(tenant: Tenant, raw: Any) -> None:
    """TestOrganizationManager_Create."""
    con = db_id(tenant)
    org = create_org(raw, enabled_connections=[{"connection_id": con}])
    assert org["enabled_connections"] == [
        {
            "connection_id": con,
            "assign_membership_on_login": False,
            "show_as_button": True,
            "connection": {"name": DB, "strategy": "auth0"},
        }
    ]
    assert "enabled_connections" not in raw.get(f"{ORGS}/{org['id']}").json()
    assert_error(
        raw.post(ORGS, json={"name": "x", "enabled_connections": [{"connection_id": "con_x"}]}),
        400,
        error_code="invalid_body",
    )


def test_deleting_a_connection_removes_it_from_organizations(tenant: Tenant, raw: Any) -> None:
    created = raw.post("/api/v2/connections", json={"name": "corp-db", "strategy": "auth0"}).json()
    org = create_org(raw, enabled_connections=[{"connection_id": created["id"]}])
    user = raw.create_user(connection="corp-db", email="ada@example.com", password=PASSWORD)
    raw.post(f"{ORGS}/{org['id']}/members", json={"members": [user["user_id"]]})
    raw.delete(f"/api/v2/connections/{created['id']}")
    assert raw.get(f"{ORGS}/{org['id']}/enabled_connections").json() == []
    assert raw.get(f"{ORGS}/{org['id']}/members").json() == []  # its users went with it


# -- invitations ------------------------------------------------------------------------------


def invite(raw: Any, org_id: str, client_id: str, **fields: Any) -> httpx.Response:
    body = {"inviter": {"name": "Jane"}, "invitee": {"email": "john@example.com"}}
    return raw.post(  # type: ignore[no-any-return]
        f"{ORGS}/{org_id}/invitations", json={**body, "client_id": client_id, **fields}
    )


def test_invitations_are_created_read_listed_and_deleted(tenant: Tenant, raw: Any) -> None:
    """TestOrganizationManager_CreateInvitation (201, the link, 7 days), _Invitation,
    _Invitations (no ``total``; ``limit`` is the count), _DeleteInvitation."""
    tenant.clock.freeze(1_700_000_000)
    org = create_org(raw, "acme")
    client = tenant.management_client.client_id
    no_route = assert_error(invite(raw, org["id"], client), 400, error_code="invalid_body")
    assert no_route["message"].startswith("A default login route is required")
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": LOGIN_ROUTE})
    created = invite(raw, org["id"], client)
    assert created.status_code == 201
    invitation = created.json()
    assert re.fullmatch(r"uinv_[A-Za-z0-9]{16}", invitation["id"])
    assert re.fullmatch(r"[A-Za-z0-9]{32}", invitation["ticket_id"])
    assert invitation["invitation_url"] == (
        f"{LOGIN_ROUTE}?invitation={invitation['ticket_id']}&organization={org['id']}"
        "&organization_name=acme"
    )
    assert invitation["created_at"] == "2023-11-14T22:13:20.000Z"
    assert invitation["expires_at"] == "2023-11-21T22:13:20.000Z"
    assert invitation["organization_id"] == org["id"] and invitation["client_id"] == client
    path = f"{ORGS}/{org['id']}/invitations"
    assert raw.get(f"{path}/{invitation['id']}").json() == invitation
    listed = raw.get(path, params={"include_totals": "true", "per_page": 50}).json()
    assert listed == {"invitations": [invitation], "start": 0, "limit": 1}
    assert tenant.mail[-1]["template"] == "organization_invitation"
    assert tenant.mail[-1]["link"] == invitation["invitation_url"]
    assert raw.delete(f"{path}/{invitation['id']}").status_code == 204
    gone = assert_error(
        raw.get(f"{path}/{invitation['id']}"), 404, error_code="inexistent_invitation"
    )
    assert gone["message"] == "The invitation does not exist."


def test_the_clients_login_uri_comes_first_and_mail_can_be_skipped(
    tenant: Tenant, raw: Any
) -> None:
    org = create_org(raw)
    app = raw.post(
        "/api/v2/clients",
        json={"name": "App", "initiate_login_uri": "https://app.example/start"},
    ).json()
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": LOGIN_ROUTE})
    sent = len(tenant.mail)
    created = invite(raw, org["id"], app["client_id"], send_invitation_email=False).json()
    assert created["invitation_url"].startswith("https://app.example/start?invitation=")
    assert len(tenant.mail) == sent


def test_bad_invitations_are_400(tenant: Tenant, raw: Any) -> None:
    org = create_org(raw)
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": LOGIN_ROUTE})
    client = tenant.management_client.client_id
    assert_error(invite(raw, org["id"], "nope"), 400, error_code="invalid_body")
    assert_error(invite(raw, org["id"], client, ttl_sec=2592001), 400, error_code="invalid_body")
    assert_error(
        invite(raw, org["id"], client, connection_id="con_missing"), 400, error_code="invalid_body"
    )
    assert_error(invite(raw, "org_missing", client), 404)
    created = invite(raw, org["id"], client, ttl_sec=60, connection_id=db_id(tenant)).json()
    assert created["connection_id"] == db_id(tenant)


# -- auth0-python -----------------------------------------------------------------------------


def test_auth0_python_manages_organizations(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``organizations.*`` over its own httpx client, intercepted to the
    tenant: its pagers follow the checkpoint ``next`` and the offset pages."""
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    created = [
        mgmt.organizations.create(name=f"org-{i}", display_name=f"Org {i}") for i in range(3)
    ]
    assert [o.name for o in mgmt.organizations.list(take=2)] == ["org-0", "org-1", "org-2"]
    first = created[0]
    assert mgmt.organizations.get(first.id).display_name == "Org 0"
    assert mgmt.organizations.get_by_name("org-1").id == created[1].id
    assert mgmt.organizations.update(first.id, display_name="First").display_name == "First"
    user = auth0_tenant.create_user(
        {"connection": DB, "email": "ada@example.com", "password": PASSWORD}
    )
    mgmt.organizations.members.create(first.id, members=[user.user_id])
    assert [m.user_id for m in mgmt.organizations.members.list(first.id)] == [user.user_id]
    assert [o.id for o in mgmt.users.organizations.list(user.user_id)] == [first.id]
    con = auth0_tenant.connection(DB).id
    added = mgmt.organizations.enabled_connections.add(
        first.id, connection_id=con, assign_membership_on_login=True
    )
    assert added.connection is not None and added.connection.name == DB
    assert [c.connection_id for c in mgmt.organizations.enabled_connections.list(first.id)] == [con]
    auth0_tenant.update_settings({"default_redirection_uri": LOGIN_ROUTE})
    invitation = mgmt.organizations.invitations.create(
        first.id,
        inviter={"name": "Jane"},
        invitee={"email": "john@example.com"},
        client_id=auth0_tenant.management_client.client_id,
    )
    assert invitation.id is not None and invitation.id.startswith("uinv_")
    assert [i.id for i in mgmt.organizations.invitations.list(first.id)] == [invitation.id]
    mgmt.organizations.invitations.delete(first.id, invitation.id)
    mgmt.organizations.members.delete(first.id, members=[user.user_id])
    mgmt.organizations.delete(first.id)
    with pytest.raises(ApiError) as caught:
        mgmt.organizations.get(first.id, request_options=NO_RETRY)
    assert caught.value.status_code == 404
    with pytest.raises(ApiError) as conflict:
        mgmt.organizations.create(name="org-1", request_options=NO_RETRY)
    assert conflict.value.status_code == 409


# -- snapshots, seeds, the state file ---------------------------------------------------------


def populated(tenant: Tenant, raw: Any) -> dict[str, Any]:
    org = create_org(raw, display_name="Acme", metadata={"tier": "gold"})
    user_id = new_user(raw, "ada@example.com")
    raw.post(f"{ORGS}/{org['id']}/members", json={"members": [user_id]})
    raw.post(
        f"{ORGS}/{org['id']}/enabled_connections",
        json={"connection_id": db_id(tenant), "assign_membership_on_login": True},
    )
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": LOGIN_ROUTE})
    invite(raw, org["id"], tenant.management_client.client_id)
    return org


def test_a_snapshot_carries_organizations_and_a_put_restores_them(
    tenant: Tenant, http: httpx.Client, raw: Any
) -> None:
    org = populated(tenant, raw)
    taken = http.get("/_fake/snapshot").json()
    [record] = taken["organizations"]
    assert record["members"] and record["enabled_connections"] and record["invitations"]
    raw.delete(f"{ORGS}/{org['id']}")
    create_org(raw, "other")
    assert http.put("/_fake/snapshot", json=taken).status_code == 200
    assert http.get("/_fake/snapshot").json() == taken
    assert raw.get(f"{ORGS}/{org['id']}").json() == org
    elsewhere = Tenant("elsewhere.example.com")
    elsewhere.restore(taken)
    assert elsewhere.snapshot()["organizations"] == taken["organizations"]


def test_a_seed_names_members_and_connections_it_holds(tenant: Tenant) -> None:
    user = {
        "user_id": "auth0|ada",
        "email": "ada@example.com",
        "identities": [{"connection": DB, "provider": "auth0", "user_id": "ada"}],
    }
    seed = {
        "users": [user],
        "organizations": [
            {
                "name": "acme",
                "members": ["auth0|ada"],
                "enabled_connections": [{"connection": DB, "assign_membership_on_login": True}],
            }
        ],
    }
    tenant.load_seed(seed)
    [org] = tenant.list_organizations()
    assert org.members == ["auth0|ada"]
    assert org.enabled_connections[0].connection_id == tenant.connection(DB).id
    tenant.create_organization({"name": "later"})
    tenant.reset()
    assert [o.name for o in tenant.list_organizations()] == ["acme"]


@pytest.mark.parametrize(
    ("organization", "named"),
    [
        ({"name": "acme", "members": ["auth0|nobody"]}, "unknown member"),
        ({"name": "acme", "enabled_connections": [{"connection_id": "con_x"}]}, "con_x"),
        ({"name": "acme", "enabled_connections": [{"connection": "nope"}]}, "unknown connection"),
        ({"name": "Acme"}, "lowercase"),
        ({"display_name": "no name"}, "needs a string name"),
        ({"name": "acme", "colour": "red"}, "colour"),
    ],
)
def test_a_seed_with_a_bad_organization_is_refused_whole(
    tenant: Tenant, organization: dict[str, Any], named: str
) -> None:
    before = tenant.snapshot()
    with pytest.raises(SeedError, match=named):
        tenant.load_seed({"users": [], "organizations": [organization]})
    assert tenant.snapshot() == before


def test_a_seed_may_not_name_an_organization_twice(tenant: Tenant) -> None:
    with pytest.raises(SeedError, match="twice"):
        tenant.load_seed({"organizations": [{"name": "acme"}, {"name": "acme"}]})


def test_the_state_file_keeps_organizations(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, created = wire.call("POST", ORGS, {"name": "kept"})
        assert status == 201
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert [o.to_json() for o in again.list_organizations()] == [created]
