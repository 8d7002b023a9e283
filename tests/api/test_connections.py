"""The connections family of the Management API: /api/v2/connections..."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from auth0.management import ManagementClient
from auth0.management.errors import ConflictError, NotFoundError

from fakeauth0 import Tenant, create_app
from fakeauth0.store import StateStore
from tests.support import DB, NO_RETRY, RawClient, assert_error

ID = re.compile(r"^con_[A-Za-z0-9]{16}$")


def _id_of(raw: RawClient, name: str) -> str:
    found = raw.get("connections", params={"name": name}).json()
    assert len(found) == 1, found
    return str(found[0]["id"])


def test_sdk_creates_reads_updates_and_deletes(auth0_management: ManagementClient) -> None:
    created = auth0_management.connections.create(name="my-db", strategy="auth0")
    assert created.id is not None and ID.match(created.id)
    read = auth0_management.connections.get(created.id)
    assert read.name == "my-db" and read.strategy == "auth0"
    updated = auth0_management.connections.update(created.id, display_name="My DB")
    assert updated.display_name == "My DB"
    names = [c.name for c in auth0_management.connections.list()]
    assert "my-db" in names and DB in names
    auth0_management.connections.delete(created.id)
    with pytest.raises(NotFoundError):
        auth0_management.connections.get(created.id)


def test_new_database_connection_has_auth0s_defaults(raw: RawClient) -> None:
    # A real POST /connections {name, strategy: auth0} (go-auth0
    # test/data/recordings/TestConnectionManager_List.yaml): 201, options filled in,
    # enabled_clients [], realms [name].
    response = raw.post("connections", json={"name": "Test-DB-1", "strategy": "auth0"})
    assert response.status_code == 201
    body = response.json()
    assert ID.match(body.pop("id"))
    assert body == {
        "name": "Test-DB-1",
        "strategy": "auth0",
        "options": {
            "mfa": {"active": True, "return_enroll_settings": True},
            "passwordPolicy": "good",
            "strategy_version": 2,
            "brute_force_protection": True,
        },
        "enabled_clients": [],
        "is_domain_connection": False,
        "realms": ["Test-DB-1"],
    }


def test_a_new_tenant_enables_its_database_for_its_clients(tenant: Tenant, raw: RawClient) -> None:
    connection = raw.get(f"connections/{_id_of(raw, DB)}").json()
    assert connection["enabled_clients"] == [tenant.management_client.client_id]
    later = tenant.create_client("later app")
    connection = raw.get(f"connections/{_id_of(raw, DB)}").json()
    assert connection["enabled_clients"] == [tenant.management_client.client_id, later.client_id]


def test_duplicate_name_is_409(auth0_management: ManagementClient) -> None:
    # The spec's post_connections 409: "A connection with the same name already exists".
    with pytest.raises(ConflictError) as caught:
        auth0_management.connections.create(name=DB, strategy="auth0", request_options=NO_RETRY)
    assert caught.value.body["message"] == "A connection with the same name already exists"


@pytest.mark.parametrize("name", ["my_db", "-db", "db-", "my db"])
def test_names_follow_auth0s_pattern(raw: RawClient, name: str) -> None:
    # The spec's name description: alphanumerics and '-', starting and ending alphanumeric.
    response = raw.post("connections", json={"name": name, "strategy": "auth0"})
    assert_error(
        response,
        400,
        "Payload validation error: 'String does not match pattern "
        "^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$: ...",
        "invalid_body",
    )


def test_unknown_id_is_404_inexistent_connection(raw: RawClient) -> None:
    # The real body (go-auth0 test/data/recordings/TestConnectionManager_Delete.yaml).
    for response in (
        raw.get("connections/con_0000000000000000"),
        raw.patch("connections/con_0000000000000000", json={"display_name": "x"}),
        raw.get("connections/con_0000000000000000/status"),
        raw.get("connections/con_0000000000000000/clients"),
    ):
        assert_error(response, 404, "The connection does not exist", "inexistent_connection")


def test_strategy_and_name_cannot_change(raw: RawClient) -> None:
    # Neither is in the spec's UpdateConnectionRequestContent (additionalProperties: false).
    connection_id = _id_of(raw, DB)
    for field, value in (("strategy", "github"), ("name", "other")):
        response = raw.patch(f"connections/{connection_id}", json={field: value})
        assert_error(
            response,
            400,
            f"Payload validation error: 'Additional properties not allowed: {field}'.",
            "invalid_body",
        )


def test_patching_the_password_policy_changes_which_passwords_users_can_set(
    raw: RawClient,
) -> None:
    connection_id = _id_of(raw, DB)
    weak = {"connection": DB, "email": "a@b.co", "password": "abcdef"}
    assert_error(raw.post("users", json=weak), 400, "PasswordStrengthError: Password is too weak")
    patched = raw.patch(f"connections/{connection_id}", json={"options": {"passwordPolicy": "low"}})
    assert patched.status_code == 200
    # options are replaced whole: "the whole options object will be overridden"
    # (https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id).
    assert patched.json()["options"] == {"passwordPolicy": "low"}
    assert raw.post("users", json=weak).status_code == 201


def test_patching_username_attributes_requires_usernames(raw: RawClient) -> None:
    connection_id = _id_of(raw, DB)
    options = {"passwordPolicy": "good", "requires_username": True}
    assert raw.patch(f"connections/{connection_id}", json={"options": options}).status_code == 200
    response = raw.post(
        "users", json={"connection": DB, "email": "a@b.co", "password": "Corr3ct-Horse!"}
    )
    assert_error(
        response,
        400,
        "Payload validation error: 'Missing required property: username'.",
        "invalid_body",
    )


def test_patch_without_display_name_sets_it_to_the_name(raw: RawClient) -> None:
    # The spec's UpdateConnectionRequestContent: "If display_name is not included in the
    # request, the field will be overwritten with the name value."
    connection_id = _id_of(raw, "google-oauth2")
    raw.patch(f"connections/{connection_id}", json={"display_name": "Google"})
    body = raw.patch(f"connections/{connection_id}", json={"is_domain_connection": True}).json()
    assert body["display_name"] == "google-oauth2" and body["is_domain_connection"] is True


def test_list_filters_fields_and_offset_paging(raw: RawClient) -> None:
    listed = raw.get("connections").json()
    assert [c["name"] for c in listed] == [DB, "google-oauth2", "email", "sms"]
    assert all("enabled_clients" not in c for c in listed)  # the spec's ConnectionForList
    both = raw.get("connections", params=[("strategy", "email"), ("strategy", "sms")]).json()
    assert [c["name"] for c in both] == ["email", "sms"]
    assert [c["name"] for c in raw.get("connections", params={"name": "sms"}).json()] == ["sms"]
    # fields=id still shows is_domain_connection (go-auth0
    # test/data/recordings/TestConnectionManager_List.yaml).
    only = raw.get("connections", params={"fields": "id", "per_page": 1}).json()
    assert only == [{"id": listed[0]["id"], "is_domain_connection": False}]
    totals = raw.get(
        "connections", params={"page": 1, "per_page": 3, "include_totals": "true"}
    ).json()
    assert totals["total"] == 4 and totals["start"] == 3 and totals["limit"] == 3
    assert [c["name"] for c in totals["connections"]] == ["sms"]
    assert_error(
        raw.get("connections", params={"strategy": "nope"}),
        400,
        "Query validation error: 'No enum match for: \"nope\"' on property strategy.",
        "invalid_query_string",
    )


def test_checkpoint_paging(raw: RawClient, auth0_management: ManagementClient) -> None:
    first = raw.get("connections", params={"take": 3, "include_totals": "true"}).json()
    assert set(first) == {"connections", "next"}  # never totals with checkpoint paging
    second = raw.get("connections", params={"take": 3, "from": first["next"]}).json()
    assert [c["name"] for c in second["connections"]] == ["sms"] and "next" not in second
    # The SDK pages with take/from until no next.
    names = [c.name for c in auth0_management.connections.list(take=1)]
    assert names == [DB, "google-oauth2", "email", "sms"]
    # from without take pages by offset (https://github.com/auth0/go-auth0/issues/109).
    offset = raw.get("connections", params={"from": first["next"]}).json()
    assert [c["name"] for c in offset] == names
    assert_error(
        raw.get("connections", params={"take": 3, "from": "con_nope"}),
        400,
        "Query validation error: 'Invalid from parameter: con_nope' on property from.",
        "invalid_query_string",
    )


def test_delete_takes_the_connections_users_with_it(tenant: Tenant, raw: RawClient) -> None:
    connection = raw.post("connections", json={"name": "second-db", "strategy": "auth0"}).json()
    user = raw.create_user(connection="second-db", email="a@b.co")
    other = raw.create_user(email="b@b.co")
    response = raw.delete(f"connections/{connection['id']}")
    # 202 {deleted_at}: Auth0 deletes in the background (go-auth0 test/data/recordings/
    # TestConnectionManager_Create/It_can_successfully_create_a_Auth0_Connection.yaml).
    assert response.status_code == 202 and set(response.json()) == {"deleted_at"}
    assert raw.get(f"users/{user['user_id']}").status_code == 404
    assert raw.get(f"users/{other['user_id']}").status_code == 200
    # Gone already: the spec's 204 "The connection no longer exists".
    assert raw.delete(f"connections/{connection['id']}").status_code == 204
    assert tenant.snapshot()["users"][0]["user_id"] == other["user_id"]


def test_delete_user_by_email(raw: RawClient, auth0_management: ManagementClient) -> None:
    connection_id = _id_of(raw, DB)
    user = raw.create_user(email="a@b.co")
    auth0_management.connections.users.delete_by_email(connection_id, email="A@b.co")
    assert raw.get(f"users/{user['user_id']}").status_code == 404
    # The spec's delete_users_by_email 400s.
    assert_error(
        raw.delete(f"connections/{_id_of(raw, 'sms')}/users", params={"email": "a@b.co"}),
        400,
        "Connection must be a database connection",
    )
    assert_error(
        raw.delete("connections/con_0000000000000000/users", params={"email": "a@b.co"}),
        400,
        "The connection does not exist",
        "inexistent_connection",
    )


def test_status_of_a_connection(raw: RawClient, auth0_management: ManagementClient) -> None:
    auth0_management.connections.check_status(_id_of(raw, DB))


def test_enabled_clients_both_views_agree(tenant: Tenant, raw: RawClient) -> None:
    # PATCH /connections/{id}/clients and the deprecated enabled_clients show the same list
    # (go-auth0 test/data/recordings/TestConnectionManager_EnabledClients.yaml).
    app = tenant.create_client("app")
    connection_id = _id_of(raw, "sms")
    body = [{"client_id": app.client_id, "status": True}]
    assert raw.patch(f"connections/{connection_id}/clients", json=body).status_code == 204
    assert raw.get(f"connections/{connection_id}/clients").json() == {
        "clients": [{"client_id": app.client_id}]
    }
    assert raw.get(f"connections/{connection_id}").json()["enabled_clients"] == [app.client_id]
    body = [{"client_id": app.client_id, "status": False}]
    assert raw.patch(f"connections/{connection_id}/clients", json=body).status_code == 204
    assert raw.get(f"connections/{connection_id}/clients").json() == {"clients": []}
    unknown = [{"client_id": "x" * 32, "status": True}]
    assert_error(
        raw.patch(f"connections/{connection_id}/clients", json=unknown),
        404,
        "The client does not exist",
        "inexistent_client",
    )


def test_snapshot_round_trip_keeps_new_fields(tenant: Tenant, raw: RawClient) -> None:
    created = raw.post(
        "connections",
        json={
            "name": "partners",
            "strategy": "auth0",
            "display_name": "Partners",
            "realms": ["partners", "p"],
            "metadata": {"team": "x"},
            "show_as_button": True,
        },
    ).json()
    snapshot = tenant.snapshot()
    tenant.restore(snapshot)
    assert tenant.snapshot() == snapshot
    assert raw.get(f"connections/{created['id']}").json() == created


def test_the_state_file_keeps_connections(tmp_path: Path) -> None:
    tenant = Tenant("state.auth0.com")
    store = StateStore(str(tmp_path / "state.db"))
    store.attach(tenant)
    transport = httpx.WSGITransport(app=create_app(tenant))
    with httpx.Client(transport=transport, base_url=tenant.base_url) as http:
        raw = RawClient(tenant, http)
        created = raw.post("connections", json={"name": "kept", "strategy": "auth0"}).json()
        connection_id = _id_of(raw, DB)
        raw.patch(f"connections/{connection_id}", json={"options": {"passwordPolicy": "low"}})
        raw.delete(f"connections/{_id_of(raw, 'sms')}")
    store.close()
    again = StateStore(str(tmp_path / "state.db"))
    try:
        stored = {c["name"]: c for c in again.load("state.auth0.com")["connections"]}
    finally:
        again.close()
    assert stored["kept"]["id"] == created["id"]
    assert stored[DB]["options"] == {"passwordPolicy": "low"}
    assert "sms" not in stored
