"""Operations and query parameters Auth0 serves that the vendored spec does not have yet
(scripts/vendor_spec.py folds them in), as node-auth0 v5+ (generated from Auth0's API
definition) and auth0-deploy-cli call them: tests/node/test_deploy_cli.py runs the CLI itself."""

from __future__ import annotations

from typing import Any

from fakeauth0 import Tenant
from tests.support import DB, assert_error

ORGS = "/api/v2/organizations"
#: node-auth0's generated clients, naming each operation's path and query.
NODE_AUTH0 = "https://github.com/auth0/node-auth0/blob/master/src/management/api/resources/"


def _org(raw: Any) -> str:
    created = raw.post(ORGS, json={"name": "acme"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_roles_filter_by_type_and_owner(raw: Any) -> None:
    """NODE_AUTH0 roles/client/Client.ts: ``GET /roles?type=tenant|organization&owner_id=``;
    auth0-deploy-cli reads a tenant's roles with ``type=tenant``. Every role here is the
    tenant's own (CHOICES.md "roles: type and owner_id")."""
    role = raw.post("/api/v2/roles", json={"name": "reader"}).json()
    assert [r["id"] for r in raw.get("/api/v2/roles", params={"type": "tenant"}).json()] == [
        role["id"]
    ]
    paged = raw.get("/api/v2/roles", params={"type": "tenant", "include_totals": "true"}).json()
    assert paged["total"] == 1 and paged["roles"][0]["id"] == role["id"]
    assert raw.get("/api/v2/roles", params={"type": "organization"}).json() == []
    assert raw.get("/api/v2/roles", params={"owner_id": "org_1"}).json() == []
    assert_error(
        raw.get("/api/v2/roles", params={"type": "global"}), 400, error_code="invalid_query_string"
    )


def test_directory_provisionings_are_an_empty_checkpoint_list(raw: Any) -> None:
    """https://auth0.com/docs/api/management/v2/connections-directory-provisionings/get-connections-directory-provisionings:
    ``{"directory_provisionings": [...], "next"}``, paged by ``from``/``take`` (1..100). No
    connection has a configuration here (CHOICES.md "directory provisioning")."""
    path = "/api/v2/connections-directory-provisionings"
    assert raw.get(path).json() == {"directory_provisionings": []}
    assert raw.get(path, params={"take": "100"}).json() == {"directory_provisionings": []}
    assert_error(raw.get(path, params={"take": "101"}), 400, error_code="invalid_query_string")
    assert_error(raw.get(path, params={"from": "é"}), 400, error_code="invalid_query_string")


def test_organization_connections_under_their_newer_path(tenant: Tenant, raw: Any) -> None:
    """NODE_AUTH0 organizations/resources/connections/client/Client.ts (and
    https://auth0.github.io/auth0.net/api/Auth0.ManagementApi.Organizations.ConnectionsClient.html):
    ``/organizations/{id}/connections[/{connection_id}]``, the records of
    ``/enabled_connections``, listed under ``connections``."""
    org = _org(raw)
    con = tenant.connection(DB).id
    added = raw.post(
        f"{ORGS}/{org}/connections", json={"connection_id": con, "assign_membership_on_login": True}
    )
    expected = {
        "connection_id": con,
        "assign_membership_on_login": True,
        "show_as_button": True,
        "connection": {"name": DB, "strategy": "auth0"},
    }
    assert added.status_code == 201 and added.json() == expected
    assert raw.get(f"{ORGS}/{org}/enabled_connections").json() == [expected]
    listed = raw.get(f"{ORGS}/{org}/connections", params={"include_totals": "true"}).json()
    assert listed == {"connections": [expected], "start": 0, "limit": 1, "total": 1}
    assert raw.get(f"{ORGS}/{org}/connections/{con}").json() == expected
    patched = raw.patch(f"{ORGS}/{org}/connections/{con}", json={"show_as_button": False})
    assert patched.status_code == 200 and patched.json()["show_as_button"] is False
    assert raw.delete(f"{ORGS}/{org}/connections/{con}").status_code == 204
    assert raw.get(f"{ORGS}/{org}/connections").json() == []
    assert_error(raw.delete(f"{ORGS}/{org}/connections/{con}"), 404)
    assert_error(raw.get(f"{ORGS}/org_unknown/connections"), 404)


def test_organization_clients_are_empty(raw: Any) -> None:
    """NODE_AUTH0 organizations/resources/clients/client/Client.ts: ``{"clients", "next"}``,
    paged by ``from``/``take``; not modelled, so an organization has none (CHOICES.md
    "organizations: clients"); an unknown organization is 404."""
    org = _org(raw)
    assert raw.get(f"{ORGS}/{org}/clients").json() == {"clients": []}
    assert raw.get(f"{ORGS}/{org}/clients", params={"take": "5"}).json() == {"clients": []}
    zero = raw.get(f"{ORGS}/{org}/clients", params={"take": "0"})
    assert_error(zero, 400, error_code="invalid_query_string")
    assert_error(raw.get(f"{ORGS}/org_unknown/clients"), 404)
