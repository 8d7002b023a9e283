"""Resource servers (APIs) on the Management API, as Auth0 serves them (go-auth0 recordings
TestResourceServer_*, https://github.com/auth0/go-auth0/tree/main/test/data/recordings;
terraform-provider-auth0 recording TestAccResourceServerAuth0APIManagementImport)."""

from __future__ import annotations

from typing import Any

import pytest
from auth0.management import ManagementClient

from fakeauth0 import Auth0Error, Tenant
from fakeauth0.intercept import Interceptor
from fakeauth0.server import FakeAuth0Server
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire


def test_a_new_tenant_has_the_system_management_api(auth0_tenant: Tenant, raw: Any) -> None:
    listed = raw.get("/api/v2/resource-servers").json()
    system = [s for s in listed if s.get("is_system")]
    assert len(system) == 1
    assert system[0]["identifier"] == f"https://{auth0_tenant.domain}/api/v2/"
    assert system[0]["name"] == "Auth0 Management API"
    assert raw.delete(f"/api/v2/resource-servers/{system[0]['id']}").status_code == 400
    assert (
        raw.patch(f"/api/v2/resource-servers/{system[0]['id']}", json={"name": "x"}).status_code
        == 400
    )


def test_crud_and_client_credentials_for_a_custom_api(auth0_tenant: Tenant, raw: Any) -> None:
    created = raw.post(
        "/api/v2/resource-servers",
        json={"identifier": "https://api.example/", "name": "Example", "token_lifetime": 600},
    )
    assert created.status_code == 201
    api = created.json()
    assert api["token_lifetime_for_web"] == 7200 and api["signing_alg"] == "RS256"
    assert (
        raw.post(
            "/api/v2/resource-servers", json={"identifier": "https://api.example/"}
        ).status_code
        == 409
    )
    by_identifier = raw.get(f"/api/v2/resource-servers/{api['id']}")
    assert by_identifier.json()["id"] == api["id"]
    client = auth0_tenant.management_client
    grant = raw.post(
        "/api/v2/client-grants",
        json={"client_id": client.client_id, "audience": "https://api.example/", "scope": []},
    )
    assert grant.status_code == 201
    token = raw.http.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "audience": "https://api.example/",
        },
    )
    assert token.status_code == 200 and token.json()["expires_in"] == 600
    patched = raw.patch(f"/api/v2/resource-servers/{api['id']}", json={"enforce_policies": True})
    assert patched.status_code == 200 and patched.json()["enforce_policies"] is True
    assert raw.delete(f"/api/v2/resource-servers/{api['id']}").status_code == 204
    grants = raw.get("/api/v2/client-grants", params={"audience": "https://api.example/"}).json()
    assert grants == []
    missing = raw.get(f"/api/v2/resource-servers/{api['id']}")
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "inexistent_resource_server"


def test_snapshot_carries_resource_servers(auth0_tenant: Tenant) -> None:
    auth0_tenant.create_resource_server({"identifier": "https://api.example/", "scopes": []})
    taken = auth0_tenant.snapshot()
    auth0_tenant.restore(taken)
    assert auth0_tenant.snapshot() == taken


def test_the_state_file_keeps_apis(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, _ = wire.call(
            "POST", "/api/v2/resource-servers", {"identifier": "https://kept.example/"}
        )
        assert status == 201
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    identifiers = {s.identifier for s in again.list_resource_servers()}
    assert "https://kept.example/" in identifiers


def test_an_identifier_cannot_change_so_no_permission_is_left_naming_nothing(
    auth0_tenant: Tenant, raw: Any
) -> None:
    """The spec: the identifier "Can not be changed once set"; its update body has no such
    property, so Auth0 refuses it as an additional property. The Python API refuses it too, or
    a role's permission would name an API that no longer exists."""
    server = auth0_tenant.create_resource_server(
        {"identifier": "https://a.example.com", "scopes": [{"value": "read"}]}
    )
    role = auth0_tenant.create_role("reader", permissions=[("https://a.example.com", "read")])
    refused = raw.patch(
        f"/api/v2/resource-servers/{server.id}", json={"identifier": "https://b.example.com"}
    )
    assert refused.status_code == 400 and refused.json()["errorCode"] == "invalid_body"
    with pytest.raises(Auth0Error) as caught:
        auth0_tenant.update_resource_server(server.id, {"identifier": "https://b.example.com"})
    assert caught.value.status == 400 and caught.value.message == refused.json()["message"]
    assert auth0_tenant.get_resource_server(server.id).identifier == "https://a.example.com"
    assert auth0_tenant.role_permissions(role.id)[0]["resource_server_name"]
    same = auth0_tenant.update_resource_server(server.id, {"identifier": "https://a.example.com"})
    assert same.identifier == "https://a.example.com"  # naming the same one changes nothing


def test_an_api_is_reached_by_its_url_identifier_encoded_in_the_path(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """``/resource-servers/{id}``: "ID or audience of the resource server" (the spec's
    get_resource-servers_by_id); SDKs send the identifier percent-encoded, slashes too, and the
    server decodes them before routing."""
    created = auth0_tenant.create_resource_server(
        {"identifier": "https://api.example.com/v1", "name": "V1", "scopes": []}
    )
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    assert mgmt.resource_servers.get("https://api.example.com/v1").id == created.id
    updated = mgmt.resource_servers.update("https://api.example.com/v1", name="V1 renamed")
    assert updated.name == "V1 renamed"
    mgmt.resource_servers.delete("https://api.example.com/v1")
    assert all(
        s.identifier != "https://api.example.com/v1" for s in auth0_tenant.list_resource_servers()
    )


def test_a_served_fake_decodes_an_encoded_identifier_the_same_way() -> None:
    tenant = Tenant("rs.example.com")
    tenant.create_resource_server({"identifier": "https://api.example.com/", "name": "A"})
    with FakeAuth0Server(tenant) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, body = wire.call("GET", "/api/v2/resource-servers/https%3A%2F%2Fapi.example.com%2F")
        wire.close()
    assert status == 200 and body["identifier"] == "https://api.example.com/"
