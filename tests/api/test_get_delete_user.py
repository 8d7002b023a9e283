"""GET and DELETE /api/v2/users/{id}: projection, ids in paths, 404 and 204."""

from __future__ import annotations

import pytest
from auth0.management import ManagementClient
from auth0.management.errors import NotFoundError

from fakeauth0 import Tenant
from tests.support import RawClient, assert_error


def test_sdk_gets_a_user(auth0_management: ManagementClient, raw: RawClient) -> None:
    created = raw.create_user(email="a@b.co", user_metadata={"theme": "dark"})
    user = auth0_management.users.get(created["user_id"])
    assert user.user_id == created["user_id"]
    assert user.user_metadata == {"theme": "dark"}


def test_fields_include_and_exclude(auth0_management: ManagementClient, raw: RawClient) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    only = raw.get(f"users/{user_id}", params={"fields": "user_id,email"}).json()
    assert only == {"user_id": user_id, "email": "a@b.co"}
    explicit = raw.get(
        f"users/{user_id}", params={"fields": "email", "include_fields": "true"}
    ).json()
    assert explicit == {"email": "a@b.co"}
    without = raw.get(
        f"users/{user_id}", params={"fields": "identities,picture", "include_fields": "false"}
    ).json()
    assert "identities" not in without and "picture" not in without
    assert without["email"] == "a@b.co"
    sdk = auth0_management.users.get(user_id, fields="nickname", include_fields=True)
    assert sdk.nickname == "a" and sdk.email is None


@pytest.mark.parametrize("form", ["raw", "encoded"])
def test_ids_in_paths_raw_or_percent_encoded(raw: RawClient, form: str) -> None:
    # docs/auth0-behaviour.md#user-ids-in-paths: callers send auth0|abc raw or as auth0%7Cabc.
    raw.create_user(email="a@b.co", user_id="abc")
    path = "users/auth0|abc" if form == "raw" else "users/auth0%7Cabc"
    assert raw.get(path).json()["user_id"] == "auth0|abc"
    patched = raw.patch(path, json={"user_metadata": {"k": form}})
    assert patched.json()["user_metadata"] == {"k": form}
    assert raw.delete(path).status_code == 204
    assert raw.get("users/auth0|abc").status_code == 404


def test_unknown_user_is_404_inexistent_user(auth0_management: ManagementClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        auth0_management.users.get("auth0|000000000000000000000000")
    assert caught.value.body == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The user does not exist.",
        "errorCode": "inexistent_user",
    }


def test_get_refuses_unknown_query_parameters(raw: RawClient) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    # auth0.net #157: "Query validation error: Additional properties not allowed".
    response = raw.get(f"users/{user_id}", params={"expand": "all"})
    assert_error(
        response,
        400,
        "Query validation error: 'Additional properties not allowed: expand'.",
        "invalid_query_string",
    )
    bad_bool = raw.get(f"users/{user_id}", params={"fields": "email", "include_fields": "yes"})
    assert_error(
        bad_bool,
        400,
        "Query validation error: 'Expected type boolean but found type string' on property "
        "include_fields...",
        "invalid_query_string",
    )


def test_delete_answers_204_without_a_body(
    auth0_management: ManagementClient, raw: RawClient, tenant: Tenant
) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    response = raw.delete(f"users/{user_id}")
    assert response.status_code == 204 and response.content == b""
    assert user_id not in {u.user_id for u in tenant.list_users()}
    assert raw.get("users-by-email", params={"email": "a@b.co"}).json() == []
    with pytest.raises(NotFoundError):
        auth0_management.users.get(user_id)


def test_delete_of_an_unknown_user_is_204(raw: RawClient) -> None:
    # CHOICES.md "DELETE of an unknown user": the spec lists no 404 for delete_users_by_id.
    assert raw.delete("users/auth0|nobody").status_code == 204


def test_deleting_a_user_frees_its_email(
    auth0_management: ManagementClient, raw: RawClient
) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    auth0_management.users.delete(user_id)
    assert raw.create_user(email="a@b.co")["user_id"] != user_id


def test_scopes_of_get_and_delete(raw: RawClient) -> None:
    user_id = raw.create_user(email="a@b.co")["user_id"]
    read = raw.get(f"users/{user_id}", scopes=["delete:users"])
    assert_error(
        read,
        403,
        "Insufficient scope, expected any of: read:users,read:current_user,read:user_idp_tokens",
        "insufficient_scope",
    )
    delete = raw.delete(f"users/{user_id}", scopes=["read:users"])
    assert_error(
        delete,
        403,
        "Insufficient scope, expected any of: delete:users,delete:current_user",
        "insufficient_scope",
    )
    assert raw.get(f"users/{user_id}", scopes=["read:users"]).status_code == 200
    assert raw.delete(f"users/{user_id}", scopes=["delete:users"]).status_code == 204
