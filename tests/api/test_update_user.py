"""PATCH /api/v2/users/{id}: merge rules, refusals, social users
(docs/auth0-behaviour.md#what-a-patch-may-change, docs/auth0-behaviour.md#metadata)."""

from __future__ import annotations

import pytest
from auth0.management import ManagementClient
from auth0.management.errors import BadRequestError

from fakeauth0 import Tenant
from tests.support import PASSWORD, RawClient, assert_error


@pytest.fixture
def user_id(raw: RawClient) -> str:
    return raw.create_user(
        email="a@b.co",
        user_metadata={"theme": "dark", "prefs": {"lang": "en", "tz": "UTC"}},
        app_metadata={"plan": "free"},
    )["user_id"]


def test_metadata_merges_at_the_first_level(
    auth0_management: ManagementClient, user_id: str
) -> None:
    # docs/auth0-behaviour.md#metadata: a nested object replaces the whole top-level key.
    user = auth0_management.users.update(
        user_id, user_metadata={"prefs": {"lang": "fr"}, "beta": True}
    )
    assert user.user_metadata == {"theme": "dark", "prefs": {"lang": "fr"}, "beta": True}
    assert user.app_metadata == {"plan": "free"}


def test_null_deletes_a_metadata_key(raw: RawClient, user_id: str) -> None:
    body = raw.patch(f"users/{user_id}", json={"user_metadata": {"theme": None}}).json()
    assert body["user_metadata"] == {"prefs": {"lang": "en", "tz": "UTC"}}


def test_empty_object_clears_metadata(raw: RawClient, user_id: str) -> None:
    body = raw.patch(f"users/{user_id}", json={"app_metadata": {}}).json()
    assert "app_metadata" not in body
    assert body["user_metadata"]["theme"] == "dark"
    assert "app_metadata" not in raw.get(f"users/{user_id}").json()


def test_empty_user_metadata_is_shown_and_empty_app_metadata_dropped(
    raw: RawClient, user_id: str
) -> None:
    # A real PATCH {"user_metadata": {}, "app_metadata": {}} answered with "user_metadata": {}
    # and no app_metadata, and later GETs the same (auth0/terraform-provider-auth0,
    # test/data/recordings/TestAccUser.yaml).
    body = raw.patch(f"users/{user_id}", json={"user_metadata": {}, "app_metadata": {}}).json()
    assert body["user_metadata"] == {} and "app_metadata" not in body
    again = raw.get(f"users/{user_id}").json()
    assert again["user_metadata"] == {} and "app_metadata" not in again


def test_empty_user_metadata_on_create_is_shown(raw: RawClient) -> None:
    # The same rule as on update (CHOICES.md "empty user_metadata"); a user created without
    # user_metadata has none (TestAccUser.yaml above: the first create and its GETs).
    body = raw.create_user(email="e@b.co", user_metadata={}, app_metadata={})
    assert body["user_metadata"] == {} and "app_metadata" not in body
    assert "user_metadata" not in raw.create_user(email="f@b.co")


def test_password_change_sets_last_password_reset(raw: RawClient, user_id: str) -> None:
    # auth0/go-auth0 (branch v1) test/data/recordings/TestUserManager_Update.yaml: the create
    # answer has no last_password_reset; the PATCH with a password answers with one, equal to
    # or just before updated_at.
    assert "last_password_reset" not in raw.get(f"users/{user_id}").json()
    body = raw.patch(f"users/{user_id}", json={"password": "Brand-N3w-Secret"}).json()
    assert body["last_password_reset"] == body["updated_at"]
    assert raw.get(f"users/{user_id}").json()["last_password_reset"] == body["updated_at"]
    later = raw.patch(f"users/{user_id}", json={"given_name": "Ann"}).json()
    assert later["last_password_reset"] == body["last_password_reset"]


def test_null_unsets_a_root_attribute(raw: RawClient, user_id: str) -> None:
    raw.patch(f"users/{user_id}", json={"given_name": "Ann"})
    body = raw.patch(f"users/{user_id}", json={"given_name": None}).json()
    assert "given_name" not in body


def test_patch_answers_200_with_the_full_user(raw: RawClient, user_id: str) -> None:
    before = raw.get(f"users/{user_id}").json()
    response = raw.patch(f"users/{user_id}", json={"blocked": True, "family_name": "Lee"})
    assert response.status_code == 200
    body = response.json()
    assert body["blocked"] is True and body["family_name"] == "Lee"
    assert body["created_at"] == before["created_at"]
    assert body["identities"] == before["identities"]


def test_email_change_lowercases_and_resets_verification(raw: RawClient, user_id: str) -> None:
    raw.patch(f"users/{user_id}", json={"email_verified": True})
    body = raw.patch(f"users/{user_id}", json={"email": "New@B.co"}).json()
    assert (body["email"], body["email_verified"]) == ("new@b.co", False)


@pytest.mark.parametrize(
    "field", ["user_id", "created_at", "updated_at", "identities", "last_login", "logins_count"]
)
def test_read_only_attributes_are_refused(raw: RawClient, user_id: str, field: str) -> None:
    # auth0-java #58: a real 400 naming the read-only properties sent.
    response = raw.patch(f"users/{user_id}", json={field: "x", "name": "Ann"})
    body = assert_error(
        response,
        400,
        f"Payload validation error: 'Additional properties not allowed: {field}...",
        "invalid_body",
    )
    assert "consider storing them in app_metadata or user_metadata" in body["message"]
    assert raw.get(f"users/{user_id}").json()["name"] == "a@b.co"  # nothing was applied


def test_unknown_attributes_are_refused_not_stored(raw: RawClient, user_id: str) -> None:
    # auth0-java #58: unknown root properties are refused, all of them named, with Auth0's hint to
    # use metadata; the spec's additionalProperties:true on this schema is not what the API does.
    response = raw.patch(f"users/{user_id}", json={"shoe_size": 44, "hobby": "chess"})
    body = assert_error(
        response,
        400,
        "Payload validation error: 'Additional properties not allowed: shoe_size,hobby ...",
        "invalid_body",
    )
    assert body["message"].endswith("for more details)'.")
    assert "shoe_size" not in raw.get(f"users/{user_id}").json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"password": "N3w-Passw0rd!", "email": "c@b.co"}, "password and email"),
        ({"password": "N3w-Passw0rd!", "email_verified": True}, "password and email_verified"),
        ({"username": "ann", "email": "c@b.co"}, "username and email"),
        ({"username": "ann", "email_verified": True}, "username and email_verified"),
        ({"username": "ann", "password": "N3w-Passw0rd!"}, "username and password"),
    ],
)
def test_forbidden_combinations(
    tenant: Tenant, raw: RawClient, body: dict[str, object], message: str
) -> None:
    # Spec patch_users_by_id 400 x-description-4..8.
    tenant.create_connection("named", "auth0", {"requires_username": True})
    created = raw.create_user(connection="named", email="n@b.co", username="nina")
    response = raw.patch(f"users/{created['user_id']}", json=body)
    assert_error(response, 400, f"Cannot update {message} simultaneously.")
    assert "N3w-Passw0rd!" not in response.text


def test_weak_new_password_is_refused(auth0_management: ManagementClient, user_id: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        auth0_management.users.update(user_id, password="short")
    assert caught.value.body["message"] == "PasswordStrengthError: Password is too weak"
    assert auth0_management.users.update(user_id, password="An0ther-Passw0rd").user_id == user_id


def test_wrong_types_are_invalid_body(raw: RawClient, user_id: str) -> None:
    response = raw.patch(f"users/{user_id}", json={"blocked": "yes"})
    assert_error(
        response,
        400,
        "Payload validation error: 'Expected type boolean but found type string' on property "
        "blocked...",
        "invalid_body",
    )
    response = raw.patch(f"users/{user_id}", json={"user_metadata": "dark"})
    assert_error(
        response, 400, "Payload validation error: 'Expected type object...", "invalid_body"
    )


def test_patch_of_unknown_user_is_404(raw: RawClient) -> None:
    response = raw.patch("users/auth0|nobody", json={"name": "x"})
    assert_error(response, 404, "The user does not exist.", "inexistent_user")


def test_social_users_synced_root_attributes(tenant: Tenant, raw: RawClient) -> None:
    # docs/auth0-behaviour.md#what-a-patch-may-change, docs/auth0-behaviour.md#logins: on_each_login
    # (the default) overwrites these at each login, so Auth0 refuses to PATCH them; e-mail of a
    # non-database user cannot change either.
    user = tenant.add_social_user("google-oauth2", "1080", {"email": "Ann@Gmail.com"})
    path = f"users/{user.user_id}"
    response = raw.patch(path, json={"given_name": "Ann"})
    assert_error(
        response,
        400,
        "The following user attributes cannot be updated: family_name, given_name, name, "
        "nickname, picture. The connection must either be a database connection (using the "
        "Auth0 store), a passwordless connection (email or sms) or has disabled 'Sync user "
        "profile attributes at each login'.",
    )
    assert_error(
        raw.patch(path, json={"email": "x@gmail.com"}),
        400,
        "Cannot update email for non-database user.",
    )
    ok = raw.patch(path, json={"user_metadata": {"a": 1}, "blocked": True})
    assert ok.status_code == 200 and ok.json()["user_metadata"] == {"a": 1}


def test_social_users_patchable_when_sync_is_off(tenant: Tenant, raw: RawClient) -> None:
    tenant.create_connection("github", "github", {"set_user_root_attributes": "on_first_login"})
    user = tenant.add_social_user("github", 99, {"name": "Old"})
    body = raw.patch(f"users/{user.user_id}", json={"name": "New"}).json()
    assert body["name"] == "New"
    # some IdPs' ids are JSON numbers (docs/auth0-behaviour.md#user-ids)
    assert body["identities"][0]["user_id"] == 99


def test_narrow_scope_update_users_app_metadata(raw: RawClient, user_id: str) -> None:
    scopes = ["update:users_app_metadata"]
    ok = raw.patch(f"users/{user_id}", json={"app_metadata": {"plan": "pro"}}, scopes=scopes)
    assert ok.status_code == 200 and ok.json()["app_metadata"] == {"plan": "pro"}
    refused = raw.patch(f"users/{user_id}", json={"name": "x"}, scopes=scopes)
    assert_error(refused, 403, "Some fields cannot be updated...", "insufficient_scope")


def test_patch_needs_an_update_scope(raw: RawClient, user_id: str) -> None:
    response = raw.patch(f"users/{user_id}", json={"name": "x"}, scopes=["read:users"])
    assert_error(
        response,
        403,
        "Insufficient scope, expected any of: "
        "update:users,update:users_app_metadata,update:current_user_metadata",
        "insufficient_scope",
    )


def test_password_change_keeps_no_trace_in_responses(raw: RawClient, user_id: str) -> None:
    response = raw.patch(f"users/{user_id}", json={"password": "Brand-N3w-Secret"})
    assert response.status_code == 200
    assert "Brand-N3w-Secret" not in response.text and PASSWORD not in response.text


def test_email_taken_in_the_same_connection_is_400(raw: RawClient, user_id: str) -> None:
    # Unlike POST's 409, PATCH answers 400 "The specified new email already exists" with
    # errorCode auth0_idp_error (node-auth0 #139; public clients match this message).
    raw.create_user(email="taken@b.co")
    response = raw.patch(f"users/{user_id}", json={"email": "Taken@B.co"})
    assert_error(response, 400, "The specified new email already exists", "auth0_idp_error")
    assert raw.get(f"users/{user_id}").json()["email"] == "a@b.co"
