"""Client grants: which APIs a client may get tokens for with client credentials
(https://auth0.com/docs/get-started/applications/application-access-to-apis-client-credentials),
driven by the official SDK as a judge."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant

API = "https://orders.example/"


@pytest.fixture
def api_and_client(auth0_management: ManagementClient) -> tuple[str, str, str]:
    auth0_management.resource_servers.create(
        identifier=API, name="Orders", scopes=[{"value": "read:orders"}]
    )
    client = auth0_management.clients.create(name="Worker", app_type="non_interactive")
    assert client.client_secret is not None
    return API, client.client_id, client.client_secret


def _token(raw: Any, client_id: str, secret: str, audience: str) -> Any:
    return raw.http.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "audience": audience,
        },
    )


def test_a_grant_lets_the_client_get_a_token_for_the_api(
    auth0_tenant: Tenant,
    auth0_management: ManagementClient,
    api_and_client: tuple[str, str, str],
    raw: Any,
) -> None:
    audience, client_id, secret = api_and_client
    # Without a grant Auth0 refuses the token (403 access_denied).
    assert _token(raw, client_id, secret, audience).status_code == 403
    grant = auth0_management.client_grants.create(
        client_id=client_id, audience=audience, scope=["read:orders"]
    )
    assert grant.id and grant.id.startswith("cgr_")
    answer = _token(raw, client_id, secret, audience)
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["aud"] == audience and claims["scope"] == "read:orders"
    listed = auth0_management.client_grants.list(client_id=client_id)
    assert [g.audience for g in listed] == [audience]


def test_a_second_grant_for_the_same_pair_is_a_409(
    auth0_management: ManagementClient, api_and_client: tuple[str, str, str], raw: Any
) -> None:
    audience, client_id, _secret = api_and_client
    body = {"client_id": client_id, "audience": audience, "scope": []}
    assert raw.post("/api/v2/client-grants", json=body).status_code == 201
    assert raw.post("/api/v2/client-grants", json=body).status_code == 409


def test_a_grant_for_an_unknown_api_is_refused(
    api_and_client: tuple[str, str, str], raw: Any
) -> None:
    _audience, client_id, _secret = api_and_client
    body = {"client_id": client_id, "audience": "https://nowhere.example/", "scope": []}
    assert raw.post("/api/v2/client-grants", json=body).status_code == 404


def test_deleting_the_api_or_the_grant_ends_the_tokens(
    auth0_management: ManagementClient, api_and_client: tuple[str, str, str], raw: Any
) -> None:
    audience, client_id, secret = api_and_client
    grant = auth0_management.client_grants.create(client_id=client_id, audience=audience, scope=[])
    assert _token(raw, client_id, secret, audience).status_code == 200
    auth0_management.client_grants.delete(grant.id)
    assert _token(raw, client_id, secret, audience).status_code == 403
    auth0_management.client_grants.create(client_id=client_id, audience=audience, scope=[])
    api = next(s for s in auth0_management.resource_servers.list() if s.identifier == audience)
    auth0_management.resource_servers.delete(api.id)
    assert list(auth0_management.client_grants.list(audience=audience)) == []


def test_grants_page_by_checkpoint_and_by_offset(
    raw: Any, api_and_client: tuple[str, str, str]
) -> None:
    _, client_id, _ = api_and_client
    for scope in ("a", "b"):
        api = raw.post("resource-servers", json={"identifier": f"https://{scope}.example/"})
        assert api.status_code == 201
        grant = {"client_id": client_id, "audience": api.json()["identifier"], "scope": []}
        assert raw.post("client-grants", json=grant).status_code == 201
    listed = raw.get("client-grants").json()
    first = raw.get("client-grants", params={"take": 1, "include_totals": "true"}).json()
    assert first["client_grants"] == listed[:1] and set(first) == {"client_grants", "next"}
    rest = raw.get("client-grants", params={"take": 100, "from": first["next"]}).json()
    assert rest == {"client_grants": listed[1:]}
    assert raw.get("client-grants", params={"from": first["next"]}).json() == listed
