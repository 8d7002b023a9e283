"""Applications (clients) on the Management API, driven by the official SDK as a judge.

Shapes and defaults follow Auth0's recorded answers (go-auth0 recordings TestClient_*,
https://github.com/auth0/go-auth0/tree/main/test/data/recordings) and the Management API
reference (https://auth0.com/docs/api/management/v2/clients/post-clients).
"""

from __future__ import annotations

from typing import Any

import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant
from tests.support import assert_error


def test_a_new_client_gets_auth0s_credentials_and_defaults(
    auth0_management: ManagementClient,
) -> None:
    created = auth0_management.clients.create(name="Shop", app_type="regular_web")
    assert len(created.client_id) == 32
    assert created.client_secret is not None and len(created.client_secret) == 64
    assert created.app_type == "regular_web"
    # A regular web app may use the code flow, refresh tokens and client credentials
    # (https://auth0.com/docs/get-started/applications/application-grant-types).
    assert "authorization_code" in (created.grant_types or [])
    fetched = auth0_management.clients.get(created.client_id)
    assert fetched.name == "Shop" and fetched.client_id == created.client_id


def test_update_list_rotate_and_delete(auth0_management: ManagementClient) -> None:
    created = auth0_management.clients.create(name="Shop", app_type="spa")
    updated = auth0_management.clients.update(
        created.client_id,
        callbacks=["https://shop.example/callback"],
        allowed_logout_urls=["https://shop.example/"],
    )
    assert updated.callbacks == ["https://shop.example/callback"]
    assert updated.allowed_logout_urls == ["https://shop.example/"]
    names = [c.name for c in auth0_management.clients.list()]
    assert "Shop" in names
    rotated = auth0_management.clients.rotate_secret(created.client_id)
    assert rotated.client_secret and rotated.client_secret != created.client_secret
    auth0_management.clients.delete(created.client_id)
    with pytest.raises(Exception) as missing:
        auth0_management.clients.get(created.client_id)
    assert getattr(missing.value, "status_code", None) == 404


def test_an_unknown_client_is_auth0s_404(raw: Any) -> None:
    response = raw.get("/api/v2/clients/nosuchclient0000000000000000000x")
    assert_error(response, 404, None, "inexistent_client")


def test_secrets_are_shown_only_with_the_client_keys_scopes(auth0_tenant: Tenant, raw: Any) -> None:
    """``client_secret`` needs ``read:client_keys``
    (https://auth0.com/docs/get-started/apis/scopes/management-api-scopes)."""
    created = raw.post("/api/v2/clients", json={"name": "Shop"}).json()
    path = f"/api/v2/clients/{created['client_id']}"
    narrow = auth0_tenant.management_token(["read:clients"])
    without = raw.get(path, token=narrow)
    assert without.status_code == 200 and "client_secret" not in without.json()
    wide = auth0_tenant.management_token(["read:clients", "read:client_keys"])
    assert raw.get(path, token=wide).json()["client_secret"] == created["client_secret"]


def test_the_management_client_keeps_working_after_an_update(
    auth0_tenant: Tenant, auth0_management: ManagementClient
) -> None:
    client_id = auth0_tenant.management_client.client_id
    auth0_management.clients.update(client_id, description="the tests' own client")
    # Its grant (the Management API, every scope) is untouched: a new token still works.
    token = auth0_tenant.management_token()
    assert auth0_tenant.tokens.principal(token).has_any(["read:users"])
    assert auth0_management.clients.get(client_id).description == "the tests' own client"


def test_a_snapshot_keeps_clients_and_their_settings(auth0_tenant: Tenant, raw: Any) -> None:
    raw.post(
        "/api/v2/clients",
        json={"name": "Shop", "app_type": "spa", "callbacks": ["https://shop.example/cb"]},
    )
    before = auth0_tenant.snapshot()
    elsewhere = Tenant(auth0_tenant.domain)
    elsewhere.restore(before)
    assert elsewhere.snapshot() == before


def _walk(raw: Any, path: str, key: str, **params: Any) -> list[Any]:
    """Every record of a list by checkpoint paging, following ``next`` to the end."""
    body = raw.get(path, params=params).json()
    assert "total" not in body  # checkpoint pages carry no totals, whatever include_totals says
    records = body[key]
    while "next" in body:
        body = raw.get(path, params={**params, "from": body["next"]}).json()
        records += body[key]
    return records


def test_take_pages_by_checkpoint_even_with_include_totals(raw: Any) -> None:
    # As GET /organizations?include_totals=true&per_page=50&take=2 answers (go-auth0
    # test/data/recordings/TestOrganizationManager_ListCheckpointPagination.yaml).
    for n in range(3):
        raw.post("clients", json={"name": f"App {n}"})
    listed = [c["client_id"] for c in raw.get("clients").json()]
    first = raw.get("clients", params={"take": 2, "include_totals": "true", "per_page": 50})
    assert set(first.json()) == {"clients", "next"}
    walked = _walk(raw, "clients", "clients", take=2, include_totals="true", per_page=50)
    assert [c["client_id"] for c in walked] == listed
    totals = raw.get("clients", params={"include_totals": "true", "per_page": 2}).json()
    assert set(totals) == {"total", "start", "limit", "clients"}
    assert totals["total"] == len(listed) and len(totals["clients"]) == 2


def test_without_per_page_a_list_holds_at_most_50(raw: Any) -> None:
    # https://auth0.com/docs/troubleshoot/product-lifecycle/past-migrations/migrate-to-paginated-queries
    for n in range(55):
        raw.post("clients", json={"name": f"App {n}"})
    total = raw.get("clients", params={"include_totals": "true"}).json()["total"]
    assert total > 55 and len(raw.get("clients").json()) == 50
    assert len(raw.get("clients", params={"page": 1}).json()) == total - 50
