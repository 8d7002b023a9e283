"""The dashboard's roles, organizations and blocks, over WSGI: a user's page shows the roles
assigned to them, their organizations and their brute-force blocks, and its forms assign and
remove a role, add to and remove from an organization, and unblock, each through the tenant
operation the Management API uses (``POST``/``DELETE /users/{id}/roles``,
``POST``/``DELETE /organizations/{id}/members``, ``DELETE /user-blocks/{id}``;
docs/auth0-behaviour.md#roles-and-permissions, docs/auth0-behaviour.md#organizations,
docs/auth0-behaviour.md#blocks-and-brute-force-protection)."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client, TestResponse

from fakeauth0 import Tenant, create_app
from fakeauth0.errors import OAuthError
from tests.dashboard.test_pages import BASE, post, token_of
from tests.support import DB, PASSWORD

API = "https://api.example.com"


@pytest.fixture
def client(tenant: Tenant) -> Client:
    return Client(create_app(tenant))


@pytest.fixture
def ann(tenant: Tenant) -> str:
    return tenant.create_user(
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    ).user_id


def user_page(client: Client, user_id: str) -> TestResponse:
    page = client.get(f"{BASE}/user", query_string={"id": user_id})
    assert page.status_code == 200
    return page


def section(page: TestResponse, heading_id: str) -> str:
    """The text of the page's ``<section>`` labelled by ``heading_id``."""
    found = re.search(
        rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page.text, re.DOTALL
    )
    assert found, f"no section {heading_id}"
    return found.group(1)


def test_a_role_is_assigned_shown_and_removed(tenant: Tenant, client: Client, ann: str) -> None:
    tenant.create_resource_server({"identifier": API, "scopes": [{"value": "read:items"}]})
    reader = tenant.create_role("reader", permissions=[(API, "read:items")])
    tenant.create_role("writer")
    before = section(user_page(client, ann), "roles-heading")
    assert "No roles." in before
    assert f'<option value="{reader.id}">reader ({reader.id})</option>' in before

    assigned = post(client, "/roles/assign", user_id=ann, role_id=reader.id)

    assert assigned.status_code == 303 and assigned.headers["Location"].endswith(
        "notice=role-assigned"
    )
    assert [r.id for r in tenant.user_roles(ann)] == [reader.id]
    shown = client.get(assigned.headers["Location"])
    assert "Role assigned." in shown.text
    roles = section(shown, "roles-heading")
    assert "Remove role reader" in roles
    assert f'<option value="{reader.id}">' not in roles  # held: no longer offered
    assert [p["permission_name"] for p in tenant.user_permissions(ann)] == ["read:items"]

    removed = post(client, "/roles/remove", user_id=ann, role_id=reader.id)

    assert removed.status_code == 303
    assert tenant.user_roles(ann) == []
    assert "Role removed." in client.get(removed.headers["Location"]).text


def test_an_unknown_role_is_auth0s_404_and_changes_nothing(
    tenant: Tenant, client: Client, ann: str
) -> None:
    refused = post(client, "/roles/assign", user_id=ann, role_id="rol_0000000000000000")
    assert refused.status_code == 404
    assert "The role does not exist." in refused.text  # Auth0's message, as the API answers
    assert tenant.user_roles(ann) == []


def test_a_user_joins_and_leaves_an_organization(tenant: Tenant, client: Client, ann: str) -> None:
    org = tenant.create_organization({"name": "acme", "display_name": "Acme Inc"})
    before = section(user_page(client, ann), "organizations-heading")
    assert "Not a member of any organization." in before
    assert f'<option value="{org.id}">acme ({org.id})</option>' in before

    added = post(client, "/organizations/add", user_id=ann, org_id=org.id)

    assert added.status_code == 303 and added.headers["Location"].endswith("notice=org-added")
    assert [o.id for o in tenant.user_organizations(ann)] == [org.id]
    shown = section(client.get(added.headers["Location"]), "organizations-heading")
    assert "Acme Inc" in shown and "Remove from acme" in shown
    assert [m["user_id"] for m in tenant.organization_members(org.id)] == [ann]

    removed = post(client, "/organizations/remove", user_id=ann, org_id=org.id)

    assert removed.status_code == 303
    assert tenant.user_organizations(ann) == []
    assert "Removed from the organization." in client.get(removed.headers["Location"]).text


def test_an_unknown_organization_is_auth0s_404(tenant: Tenant, client: Client, ann: str) -> None:
    refused = post(client, "/organizations/add", user_id=ann, org_id="org_0000000000000000")
    assert refused.status_code == 404
    assert 'role="alert"' in refused.text
    assert tenant.user_organizations(ann) == []


def test_blocks_are_shown_and_lifted(tenant: Tenant, client: Client, ann: str) -> None:
    """Ten failed logins from one IP block the pair (Auth0's default threshold,
    https://auth0.com/docs/secure/attack-protection/brute-force-protection); unblocking is
    ``DELETE /user-blocks/{id}``."""
    assert 'id="blocks-heading"' not in user_page(client, ann).text  # nothing to show
    for _ in range(10):
        with pytest.raises(OAuthError):
            tenant.login(DB, email="ann@example.com", password="wrong", ip="203.0.113.7")
    blocks = section(user_page(client, ann), "blocks-heading")
    assert "ann@example.com" in blocks and "203.0.113.7" in blocks

    unblocked = post(client, "/unblock", user_id=ann)

    assert unblocked.status_code == 303
    assert tenant.user_blocks(ann) == []
    page = client.get(unblocked.headers["Location"])
    assert "Brute-force blocks lifted" in page.text and 'id="blocks-heading"' not in page.text
    tenant.login(DB, email="ann@example.com", password=PASSWORD, ip="203.0.113.7")


def test_the_roles_and_organizations_pages_list_them_with_counts(
    tenant: Tenant, client: Client, ann: str
) -> None:
    tenant.create_resource_server(
        {"identifier": API, "scopes": [{"value": "read:items"}, {"value": "write:items"}]}
    )
    editor = tenant.create_role(
        "editor", "Edits items", [(API, "read:items"), (API, "write:items")]
    )
    tenant.create_role("<b>viewer</b>")
    tenant.assign_roles(ann, [editor.id])
    org = tenant.create_organization(
        {"name": "acme", "enabled_connections": [{"connection_id": tenant.connection(DB).id}]}
    )
    tenant.add_organization_members(org.id, [ann])

    roles = client.get(f"{BASE}/roles")
    assert roles.status_code == 200
    row = re.search(r"<tr>\s*<td[^>]*>editor</td>.*?</tr>", roles.text, re.DOTALL)
    assert row and editor.id in row.group(0) and "Edits items" in row.group(0)
    assert re.search(r'class="permissions-count">2<', row.group(0))
    assert re.search(r'class="users-count">1<', row.group(0))
    assert "&lt;b&gt;viewer&lt;/b&gt;" in roles.text and "<b>viewer" not in roles.text
    assert "2 roles." in roles.text

    orgs = client.get(f"{BASE}/organizations")
    assert orgs.status_code == 200
    assert org.id in orgs.text and re.search(r'class="members-count">1<', orgs.text)
    assert DB in orgs.text
    assert 'href="/_fake/dashboard/roles"' in orgs.text  # the navigation reaches both pages


@pytest.mark.parametrize(
    "path", ["/roles/assign", "/roles/remove", "/organizations/add", "/unblock"]
)
def test_the_new_forms_are_refused_cross_site_or_without_the_token(
    tenant: Tenant, client: Client, ann: str, path: str
) -> None:
    role = tenant.create_role("reader")
    if path == "/roles/remove":
        tenant.assign_roles(ann, [role.id])
    org = tenant.create_organization({"name": "acme"})
    fields = {"user_id": ann, "role_id": role.id, "org_id": org.id}
    token = token_of(client.get(BASE))
    cross = client.post(
        BASE + path,
        data={"csrf_token": token, **fields},
        headers={"Origin": "https://evil.example"},
    )
    tokenless = client.post(BASE + path, data=fields)
    assert cross.status_code == tokenless.status_code == 403
    held = [r.id for r in tenant.user_roles(ann)]
    assert held == ([role.id] if path == "/roles/remove" else [])
    assert tenant.user_organizations(ann) == []
