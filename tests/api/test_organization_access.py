"""What organization members may do and which applications may act for an organization:
member roles (``/organizations/{id}/members/{user_id}/roles``, go-auth0 recording
TestOrganizationManager_MemberRoles; roles apply only in the organization,
https://auth0.com/docs/manage-users/organizations/configure-organizations/add-member-roles),
client grants associated with an organization (``/organizations/{id}/client-grants``,
``/client-grants/{id}/organizations``, go-auth0 recording TestClientGrantManager_Organizations,
https://github.com/auth0/go-auth0/tree/main/test/data/recordings;
https://auth0.com/docs/manage-users/organizations/organizations-for-m2m-applications/authorize-m2m-access),
discovery domains (go-auth0 recording TestOrganizationManager_DiscoveryDomains), and the
cascades that leave nothing naming what was deleted
(docs/auth0-behaviour.md#organization-roles-and-grants)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from fakeauth0.snapshot import SeedError
from tests.api.test_organizations import ORGS, create_org, new_user
from tests.support import DB, NO_RETRY, PASSWORD, assert_error

API = "https://api.example.com/"


def role(raw: Any, name: str, description: str = "A role") -> dict[str, Any]:
    created = raw.post("/api/v2/roles", json={"name": name, "description": description})
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


def member(raw: Any, org_id: str, email: str = "ada@example.com") -> str:
    user_id = new_user(raw, email)
    assert raw.post(f"{ORGS}/{org_id}/members", json={"members": [user_id]}).status_code == 204
    return user_id


def roles_path(org_id: str, user_id: str) -> str:
    return f"{ORGS}/{org_id}/members/{user_id}/roles"


# -- member roles ------------------------------------------------------------------------------


def test_member_roles_are_assigned_listed_and_removed(raw: Any) -> None:
    """TestOrganizationManager_MemberRoles: POST and DELETE 204, GET ``{id, name,
    description}`` each, offset pages with totals."""
    org = create_org(raw)
    user_id = member(raw, org["id"])
    admin, viewer = role(raw, "admin", "Test Role"), role(raw, "viewer")
    added = raw.post(roles_path(org["id"], user_id), json={"roles": [viewer["id"], admin["id"]]})
    assert added.status_code == 204 and added.content == b""
    listed = raw.get(roles_path(org["id"], user_id), params={"include_totals": "true"}).json()
    assert listed == {"roles": [admin, viewer], "start": 0, "limit": 50, "total": 2}
    assert raw.get(roles_path(org["id"], user_id), params={"per_page": 1, "page": 1}).json() == [
        viewer
    ]
    # Assigning a role held already changes nothing.
    raw.post(roles_path(org["id"], user_id), json={"roles": [admin["id"]]})
    assert len(raw.get(roles_path(org["id"], user_id)).json()) == 2
    # Organization roles are not the user's own roles.
    assert raw.get(f"/api/v2/users/{user_id}/roles").json() == []
    removed = raw.delete(roles_path(org["id"], user_id), json={"roles": [admin["id"]]})
    assert removed.status_code == 204
    assert raw.get(roles_path(org["id"], user_id)).json() == [viewer]


def test_members_list_shows_their_roles_with_fields_roles(raw: Any) -> None:
    """``fields=roles`` adds ``roles: [{id, name}]`` to each member
    (https://github.com/auth0/go-auth0/issues/291)."""
    org = create_org(raw)
    user_id = member(raw, org["id"])
    other = member(raw, org["id"], "bob@example.com")
    admin = role(raw, "admin")
    raw.post(roles_path(org["id"], user_id), json={"roles": [admin["id"]]})
    rows = raw.get(
        f"{ORGS}/{org['id']}/members", params={"fields": "user_id,roles", "include_fields": "true"}
    ).json()
    assert rows == [
        {"user_id": user_id, "roles": [{"id": admin["id"], "name": "admin"}]},
        {"user_id": other, "roles": []},
    ]


def test_roles_on_the_members_list_need_the_member_roles_scope(raw: Any) -> None:
    """The spec's ``get_organization_members``: ``fields=roles`` needs
    ``read:organization_member_roles``."""
    org = create_org(raw)
    member(raw, org["id"])
    path = f"{ORGS}/{org['id']}/members"
    refused = raw.get(path, params={"fields": "roles"}, scopes=["read:organization_members"])
    body = assert_error(refused, 403, error_code="insufficient_scope")
    assert "read:organization_member_roles" in body["message"]
    plain = raw.get(path, scopes=["read:organization_members"])
    assert plain.status_code == 200 and "roles" not in plain.json()[0]
    both = ["read:organization_members", "read:organization_member_roles"]
    assert raw.get(path, params={"fields": "roles"}, scopes=both).json() == [{"roles": []}]


def test_offset_pages_stop_at_the_first_thousand_records(raw: Any) -> None:
    """The spec's ``get_organizations`` and ``get_organization_members``: "Checkpoint
    pagination must be used if you need to retrieve more than 1000"; page N is refused once
    ``N * per_page + per_page > 1000`` (docs/auth0-behaviour.md#roles-and-permissions)."""
    org = create_org(raw)
    for path in (ORGS, f"{ORGS}/{org['id']}/members"):
        assert raw.get(path, params={"page": 9, "per_page": 100}).status_code == 200
        refused = raw.get(path, params={"page": 10, "per_page": 100})
        assert_error(refused, 400, error_code="invalid_paging")
        assert raw.get(path, params={"take": 100}).status_code == 200


def test_member_roles_need_a_member_a_known_role_and_a_known_organization(raw: Any) -> None:
    """CHOICES.md "organizations: member roles of a non-member"; an unknown role is a 400 as
    the spec's only refusal of the body."""
    org = create_org(raw)
    admin = role(raw, "admin")
    outsider = new_user(raw, "out@example.com")
    for answer in (
        raw.get(roles_path(org["id"], outsider)),
        raw.post(roles_path(org["id"], outsider), json={"roles": [admin["id"]]}),
        raw.delete(roles_path(org["id"], outsider), json={"roles": [admin["id"]]}),
    ):
        body = assert_error(answer, 400, error_code="invalid_body")
        assert outsider in body["message"]
    user_id = member(raw, org["id"], "in@example.com")
    unknown = raw.post(roles_path(org["id"], user_id), json={"roles": ["rol_0000000000000000"]})
    assert_error(unknown, 400, error_code="invalid_body")
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": "https://app/login"})
    invitation = {
        "inviter": {"name": "Jane"},
        "invitee": {"email": "new@example.com"},
        "client_id": raw.tenant.management_client.client_id,
        "roles": ["rol_0000000000000000"],
    }
    refused = raw.post(f"{ORGS}/{org['id']}/invitations", json=invitation)
    assert_error(refused, 400, error_code="invalid_body")
    assert raw.get(roles_path(org["id"], user_id)).json() == []
    assert_error(raw.post(roles_path(org["id"], user_id), json={}), 400, error_code="invalid_body")
    assert_error(raw.get(roles_path("org_missing", user_id)), 404)


def test_member_roles_need_their_scopes(raw: Any) -> None:
    """The spec's 403s: ``read:``, ``create:``, ``delete:organization_member_roles``."""
    org = create_org(raw)
    user_id = member(raw, org["id"])
    answer = raw.get(roles_path(org["id"], user_id), scopes=["read:organizations"])
    assert_error(answer, 403, error_code="insufficient_scope")
    allowed = raw.get(roles_path(org["id"], user_id), scopes=["read:organization_member_roles"])
    assert allowed.status_code == 200


# -- client grants associated with an organization ---------------------------------------------


def m2m_grant(raw: Any, **options: Any) -> dict[str, Any]:
    api = raw.post(
        "/api/v2/resource-servers",
        json={"identifier": API, "scopes": [{"value": "create:resource"}]},
    )
    assert api.status_code in (201, 409), api.text
    client = raw.post("/api/v2/clients", json={"name": "Bot", "app_type": "non_interactive"})
    grant = raw.post(
        "/api/v2/client-grants",
        json={
            "client_id": client.json()["client_id"],
            "audience": API,
            "scope": ["create:resource"],
            **options,
        },
    )
    assert grant.status_code == 201, grant.text
    return grant.json()  # type: ignore[no-any-return]


def test_client_grants_are_associated_listed_and_removed(raw: Any) -> None:
    """TestClientGrantManager_Organizations: POST ``{grant_id}`` 201, the grant's
    organizations by offset pages; the organization's grants filtered by the spec's
    ``audience``, ``client_id`` and ``grant_ids``."""
    org = create_org(raw, display_name="Test Organization")
    grant = m2m_grant(raw, allow_any_organization=True, organization_usage="allow")
    grants = f"{ORGS}/{org['id']}/client-grants"
    added = raw.post(grants, json={"grant_id": grant["id"]})
    assert added.status_code == 201
    assert added.json() == grant  # the spec's AssociateOrganizationClientGrantResponseContent
    assert_error(raw.post(grants, json={"grant_id": grant["id"]}), 409, error_code="conflict")
    assert_error(raw.post(grants, json={"grant_id": "cgr_0000000000000000"}), 404)
    listed = raw.get(grants, params={"include_totals": "true"}).json()
    assert listed == {"client_grants": [grant], "start": 0, "limit": 50, "total": 1}
    assert raw.get(grants, params={"client_id": grant["client_id"]}).json() == [grant]
    assert raw.get(grants, params={"audience": "https://other.example/"}).json() == []
    assert raw.get(grants, params={"grant_ids": [grant["id"]]}).json() == [grant]
    too_many = raw.get(grants, params={"grant_ids": [f"cgr_{i:016d}" for i in range(11)]})
    assert_error(too_many, 400, error_code="invalid_query_string")
    orgs = raw.get(
        f"/api/v2/client-grants/{grant['id']}/organizations",
        params={"include_totals": "true", "per_page": 50},
    ).json()
    assert orgs == {"organizations": [org], "start": 0, "limit": 50, "total": 1}
    unknown = raw.get("/api/v2/client-grants/cgr_0000000000000000/organizations")
    assert_error(unknown, 404, error_code="inexistent_client_grant")
    removed = raw.delete(f"{grants}/{grant['id']}")
    assert removed.status_code == 204
    assert raw.get(grants).json() == []
    assert raw.get(f"/api/v2/client-grants/{grant['id']}/organizations").json() == []
    assert_error(raw.get(f"{ORGS}/org_missing/client-grants"), 404)


# -- discovery domains ---------------------------------------------------------------------------


def test_discovery_domains_are_added_listed_verified_and_removed(raw: Any) -> None:
    """TestOrganizationManager_DiscoveryDomains: 201 with the verification record, checkpoint
    lists, 204 on delete; the spec's 409 for a domain registered already."""
    org = create_org(raw)
    domains = f"{ORGS}/{org['id']}/discovery-domains"
    added = raw.post(domains, json={"domain": "acme.com"})
    assert added.status_code == 201
    domain = added.json()
    assert re.fullmatch(r"ord_[A-Za-z0-9]{22}", domain["id"])
    assert re.fullmatch(r"[0-9a-f]{32}", domain["verification_txt"])
    assert domain == {
        "id": domain["id"],
        "domain": "acme.com",
        "status": "pending",
        "verification_host": f"_ss-verification.{org['id']}.acme.com",
        "verification_txt": domain["verification_txt"],
    }
    assert_error(raw.post(domains, json={"domain": "ACME.com"}), 409, error_code="conflict")
    other = raw.post(domains, json={"domain": "acme.io", "status": "verified"}).json()
    assert other["status"] == "verified"
    page = raw.get(domains, params={"take": 1}).json()
    assert page["domains"] == [domain] and "next" in page
    rest = raw.get(domains, params={"take": 1, "from": page["next"]}).json()
    assert rest == {"domains": [other]}
    verified = raw.patch(f"{domains}/{domain['id']}", json={"status": "verified"})
    assert verified.status_code == 200 and verified.json() == dict(domain, status="verified")
    assert raw.get(f"{domains}/{domain['id']}").json()["status"] == "verified"
    refused = raw.patch(f"{domains}/{domain['id']}", json={"status": "done"})
    assert_error(refused, 400, error_code="invalid_body")
    assert raw.delete(f"{domains}/{domain['id']}").status_code == 204
    assert_error(raw.get(f"{domains}/{domain['id']}"), 404)
    assert_error(raw.delete(f"{domains}/{domain['id']}"), 404)
    assert_error(raw.post(domains, json={"domain": "ab"}), 400, error_code="invalid_body")
    assert_error(raw.get(f"{ORGS}/org_missing/discovery-domains"), 404)


# -- cascades ----------------------------------------------------------------------------------


def test_nothing_names_a_deleted_user_role_grant_client_or_connection(
    tenant: Tenant, raw: Any
) -> None:
    """Deleting a user ends their memberships and member roles; a role, a client grant, a
    client (its grants, its invitations: CHOICES.md "organizations: deleting a client") or a
    connection goes from every organization."""
    org = create_org(raw)
    ada, bob = member(raw, org["id"]), member(raw, org["id"], "bob@example.com")
    admin, viewer = role(raw, "admin"), role(raw, "viewer")
    for user_id in (ada, bob):
        raw.post(roles_path(org["id"], user_id), json={"roles": [admin["id"], viewer["id"]]})
    grant = m2m_grant(raw, organization_usage="allow")
    raw.post(f"{ORGS}/{org['id']}/client-grants", json={"grant_id": grant["id"]})
    raw.patch("/api/v2/tenants/settings", json={"default_redirection_uri": "https://app/login"})
    invited = raw.post(
        f"{ORGS}/{org['id']}/invitations",
        json={
            "inviter": {"name": "Jane"},
            "invitee": {"email": "new@example.com"},
            "client_id": grant["client_id"],
            "roles": [admin["id"], viewer["id"]],
        },
    )
    assert invited.status_code == 201
    raw.post(
        f"{ORGS}/{org['id']}/enabled_connections",
        json={"connection_id": tenant.connection(DB).id},
    )

    raw.delete(f"/api/v2/users/{ada}")
    record = tenant.get_organization(org["id"])
    assert record.members == [bob] and list(record.member_roles) == [bob]

    raw.delete(f"/api/v2/roles/{admin['id']}")
    assert raw.get(roles_path(org["id"], bob)).json() == [viewer]
    [invitation] = raw.get(f"{ORGS}/{org['id']}/invitations").json()
    assert invitation["roles"] == [viewer["id"]]

    raw.delete(f"/api/v2/clients/{grant['client_id']}")
    assert raw.get(f"{ORGS}/{org['id']}/client-grants").json() == []
    assert raw.get(f"{ORGS}/{org['id']}/invitations").json() == []

    tenant.delete_connection(tenant.connection(DB).id)
    record = tenant.get_organization(org["id"])
    assert record.members == [] and record.member_roles == {}
    assert record.enabled_connections == [] and record.client_grants == []


def test_removing_a_member_takes_their_roles(raw: Any) -> None:
    org = create_org(raw)
    user_id = member(raw, org["id"])
    admin = role(raw, "admin")
    raw.post(roles_path(org["id"], user_id), json={"roles": [admin["id"]]})
    raw.delete(f"{ORGS}/{org['id']}/members", json={"members": [user_id]})
    raw.post(f"{ORGS}/{org['id']}/members", json={"members": [user_id]})
    assert raw.get(roles_path(org["id"], user_id)).json() == []


def test_a_deleted_client_grant_leaves_its_organizations(raw: Any) -> None:
    org = create_org(raw)
    grant = m2m_grant(raw, organization_usage="require")
    raw.post(f"{ORGS}/{org['id']}/client-grants", json={"grant_id": grant["id"]})
    assert raw.delete(f"/api/v2/client-grants/{grant['id']}").status_code == 204
    assert raw.get(f"{ORGS}/{org['id']}/client-grants").json() == []


# -- snapshots and seeds -----------------------------------------------------------------------


def test_a_snapshot_carries_member_roles_client_grants_and_discovery_domains(
    tenant: Tenant, raw: Any
) -> None:
    org = create_org(raw)
    user_id = member(raw, org["id"])
    admin = role(raw, "admin")
    raw.post(roles_path(org["id"], user_id), json={"roles": [admin["id"]]})
    grant = m2m_grant(raw, organization_usage="allow")
    raw.post(f"{ORGS}/{org['id']}/client-grants", json={"grant_id": grant["id"]})
    raw.post(f"{ORGS}/{org['id']}/discovery-domains", json={"domain": "acme.com"})
    taken = tenant.snapshot()
    [record] = taken["organizations"]
    assert [d["domain"] for d in record["discovery_domains"]] == ["acme.com"]
    assert record["member_roles"] == {user_id: [admin["id"]]}
    assert record["client_grants"] == [grant["id"]]
    elsewhere = Tenant("elsewhere.example.com")
    elsewhere.restore(taken)
    assert [r.id for r in elsewhere.organization_member_roles(org["id"], user_id)] == [admin["id"]]
    assert elsewhere.snapshot()["organizations"] == taken["organizations"]


# -- auth0-python -------------------------------------------------------------------------------


def test_auth0_python_manages_member_roles_and_client_grants(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``organizations.members.roles`` and ``organizations.client_grants``."""
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    org = mgmt.organizations.create(name="acme")
    user = auth0_tenant.create_user(
        {"connection": DB, "email": "ada@example.com", "password": PASSWORD}
    )
    mgmt.organizations.members.create(org.id, members=[user.user_id])
    admin = mgmt.roles.create(name="admin", description="Admins")
    mgmt.organizations.members.roles.assign(org.id, user.user_id, roles=[admin.id])
    listed = list(mgmt.organizations.members.roles.list(org.id, user.user_id))
    assert [(r.id, r.name, r.description) for r in listed] == [(admin.id, "admin", "Admins")]
    mgmt.organizations.members.roles.delete(org.id, user.user_id, roles=[admin.id])
    assert list(mgmt.organizations.members.roles.list(org.id, user.user_id)) == []
    outsider = auth0_tenant.create_user(
        {"connection": DB, "email": "out@example.com", "password": PASSWORD}
    )
    with pytest.raises(ApiError) as refused:
        mgmt.organizations.members.roles.assign(
            org.id, outsider.user_id, roles=[admin.id], request_options=NO_RETRY
        )
    assert refused.value.status_code == 400

    auth0_tenant.create_resource_server({"identifier": API, "scopes": [{"value": "read:x"}]})
    bot = mgmt.clients.create(name="Bot", app_type="non_interactive")
    grant = mgmt.client_grants.create(
        client_id=bot.client_id, audience=API, scope=["read:x"], organization_usage="allow"
    )
    associated = mgmt.organizations.client_grants.create(org.id, grant_id=grant.id)
    assert associated.id == grant.id and associated.organization_usage == "allow"
    assert [g.id for g in mgmt.organizations.client_grants.list(org.id)] == [grant.id]
    assert [o.id for o in mgmt.client_grants.organizations.list(grant.id)] == [org.id]
    mgmt.organizations.client_grants.delete(org.id, grant.id)
    assert list(mgmt.organizations.client_grants.list(org.id)) == []


def test_a_seed_gives_members_their_organization_roles(tenant: Tenant) -> None:
    """A seed's organization may hold ``member_roles`` (``{user_id: [role ids]}``), naming only
    its members and the tenant's roles (CHOICES.md "organizations: seeds")."""
    user = {
        "user_id": "auth0|ada",
        "email": "ada@example.com",
        "identities": [{"connection": DB, "provider": "auth0", "user_id": "ada"}],
    }
    admin = {"id": "rol_AAAAAAAAAAAAAAAA", "name": "admin"}
    org = {"name": "acme", "members": ["auth0|ada"], "member_roles": {"auth0|ada": [admin["id"]]}}
    tenant.load_seed({"users": [user], "roles": [admin], "organizations": [org]})
    [seeded] = tenant.list_organizations()
    assert [r.name for r in tenant.organization_member_roles(seeded.id, "auth0|ada")] == ["admin"]
    for bad, named in (
        ({"auth0|ada": ["rol_BBBBBBBBBBBBBBBB"]}, "unknown role"),
        ({"auth0|bob": [admin["id"]]}, "not a member"),
    ):
        with pytest.raises(SeedError, match=named):
            tenant.load_seed(
                {"users": [user], "roles": [admin], "organizations": [dict(org, member_roles=bad)]}
            )
