"""Tenant user operations, no HTTP: Auth0's create / update / delete rules
(docs/auth0-behaviour.md#users)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from fakeauth0 import Auth0Error, Tenant
from tests.support import DB, PASSWORD

pytestmark = pytest.mark.auth0(domain="unit.auth0.com", seed=7)


@pytest.fixture(autouse=True)
def frozen_clock(tenant: Tenant) -> None:
    tenant.clock.freeze(1_700_000_000.123)


def create(tenant: Tenant, **fields: Any):
    return tenant.create_user({"connection": DB, "password": PASSWORD, **fields})


def error_of(call, *args: Any, **kwargs: Any) -> Auth0Error:
    with pytest.raises(Auth0Error) as caught:
        call(*args, **kwargs)
    return caught.value


def test_database_user_id_is_auth0_pipe_24_hex(tenant: Tenant) -> None:
    user = create(tenant, email="a@example.com")
    assert re.fullmatch(r"auth0\|[0-9a-f]{24}", user.user_id)
    identity = user.to_json()["identities"][0]
    assert identity == {
        "connection": DB,
        "user_id": user.user_id.split("|", 1)[1],
        "provider": "auth0",
        "isSocial": False,
    }


def test_seeded_tenants_hand_out_the_same_ids() -> None:
    a, b = Tenant(seed=3), Tenant(seed=3)
    assert create(a, email="x@y.co").user_id == create(b, email="x@y.co").user_id


def test_given_user_id_becomes_provider_pipe_given(tenant: Tenant) -> None:
    # CHOICES.md "POST /users with user_id".
    user = create(tenant, email="a@example.com", user_id="legacy-42")
    assert user.user_id == "auth0|legacy-42"
    assert user.primary.user_id == "legacy-42"


def test_database_email_is_lower_cased(tenant: Tenant) -> None:
    user = create(tenant, email="Ann.Lee@Example.COM")
    assert user.to_json()["email"] == "ann.lee@example.com"


def test_generated_name_nickname_and_gravatar_picture(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#root-attributes: name = email, nickname = local part, picture =
    # gravatar of the lower-cased e-mail with an initials avatar as fallback (checked example:
    # initials "ga").
    user = create(tenant, email="Gabriel.Andretta@gmail.com").to_json()
    assert user["name"] == "gabriel.andretta@gmail.com"
    assert user["nickname"] == "gabriel.andretta"
    digest = hashlib.md5(b"gabriel.andretta@gmail.com").hexdigest()
    assert digest.startswith("05a41708")
    assert user["picture"] == (
        f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg"
        "&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fga.png"
    )


def test_given_profile_attributes_are_kept(tenant: Tenant) -> None:
    user = create(tenant, email="a@example.com", name="Ann Lee", nickname="annie").to_json()
    assert (user["name"], user["nickname"]) == ("Ann Lee", "annie")


def test_new_user_dates_and_no_login_fields(tenant: Tenant) -> None:
    user = create(tenant, email="a@example.com").to_json()
    assert user["created_at"] == user["updated_at"] == "2023-11-14T22:13:20.123Z"
    assert user["email_verified"] is False
    # docs/auth0-behaviour.md#root-attributes: absent until the first login.
    for absent in ("last_login", "last_ip", "logins_count", "password"):
        assert absent not in user


def test_password_is_stored_hashed_never_in_clear(tenant: Tenant) -> None:
    user = create(tenant, email="a@example.com")
    assert PASSWORD not in repr(user)
    assert PASSWORD not in str(user.to_json())
    assert user.password_hash and PASSWORD not in user.password_hash


def test_only_database_and_passwordless_connections_create_users(tenant: Tenant) -> None:
    error = error_of(tenant.create_user, {"connection": "google-oauth2", "email": "a@b.co"})
    assert (error.status, error.error_code) == (400, "invalid_body")
    assert error.message.startswith("Connection does not support user creation through the API.")
    assert tenant.create_user({"connection": "email", "email": "A@B.co"}).user_id.startswith(
        "email|"
    )
    sms = tenant.create_user({"connection": "sms", "phone_number": "+14155550100"})
    assert re.fullmatch(r"sms\|[0-9a-f]{24}", sms.user_id)
    # docs/auth0-behaviour.md#root-attributes: name = phone for sms
    assert sms.to_json()["name"] == "+14155550100"


def test_unknown_connection(tenant: Tenant) -> None:
    error = error_of(tenant.create_user, {"connection": "nope", "email": "a@b.co"})
    assert (error.status, error.message, error.error_code) == (
        400,
        "The connection does not exist.",
        "inexistent_connection",
    )


def test_missing_connection_is_auth0s_400_not_a_key_error(tenant: Tenant) -> None:
    with pytest.raises(Auth0Error) as caught:
        tenant.create_user({"email": "a@example.com", "password": PASSWORD})
    assert caught.value.status == 400
    assert caught.value.error_code == "invalid_body"
    assert "Missing required property: connection" in caught.value.message


def test_passwordless_rules(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#creating-users: password only for auth0; sms needs phone_number; email
    # needs email.
    error = error_of(
        tenant.create_user, {"connection": "email", "email": "a@b.co", "password": "x"}
    )
    assert error.message == "Password is only valid for auth0 connection strategy."
    error = error_of(tenant.create_user, {"connection": "sms"})
    assert error.message == "Payload validation error: 'Missing required property: phone_number'."
    error = error_of(tenant.create_user, {"connection": "email"})
    assert error.message == "Payload validation error: 'Missing required property: email'."


def test_duplicate_email_in_a_connection_is_409(tenant: Tenant) -> None:
    create(tenant, email="a@example.com")
    error = error_of(create, tenant, email="A@EXAMPLE.com")
    assert (error.status, error.message, error.error_code) == (
        409,
        "The user already exists.",
        "auth0_idp_error",
    )
    # The same e-mail on another connection is another user.
    assert tenant.create_user({"connection": "email", "email": "a@example.com"})


def test_duplicate_given_user_id_is_409(tenant: Tenant) -> None:
    create(tenant, email="a@example.com", user_id="same")
    assert error_of(create, tenant, email="b@example.com", user_id="same").status == 409


def test_requires_username_rules(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#email-username-and-password: only on requires_username connections;
    # lower-cased; 1-15 by default; not an e-mail address; unique.
    error = error_of(create, tenant, email="a@example.com", username="ann")
    assert error.message == "Cannot set username for connection without requires_username."
    tenant.create_connection("named", "auth0", {"requires_username": True})

    def named(**fields: Any):
        return tenant.create_user({"connection": "named", "password": PASSWORD, **fields})

    missing = error_of(named, email="a@example.com")
    assert missing.message == "Payload validation error: 'Missing required property: username'."
    assert named(email="a@example.com", username="Ann.Lee").to_json()["username"] == "ann.lee"
    for bad in ("x" * 16, "ann lee", "ann@example.com"):
        assert error_of(named, email="b@example.com", username=bad).status == 400
    assert error_of(named, email="c@example.com", username="ANN.LEE").status == 409


def test_username_length_follows_connection_validation(tenant: Tenant) -> None:
    tenant.create_connection(
        "long", "auth0", {"requires_username": True, "validation": {"username": {"max": 20}}}
    )
    user = tenant.create_user(
        {"connection": "long", "email": "a@b.co", "username": "u" * 20, "password": PASSWORD}
    )
    assert user.profile["username"] == "u" * 20


def test_metadata_key_rules(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#metadata: no "." or "$" in keys; app_metadata reserved names.
    assert error_of(create, tenant, email="a@b.co", user_metadata={"a.b": 1}).status == 400
    assert error_of(create, tenant, email="a@b.co", app_metadata={"$x": 1}).status == 400
    error = error_of(create, tenant, email="a@b.co", app_metadata={"email": "x"})
    assert error.error_code == "invalid_body"


def test_update_merges_metadata_at_the_first_level_only(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#metadata: first-level merge; null deletes a key; {} clears everything.
    user = create(tenant, email="a@b.co", user_metadata={"a": 1, "nested": {"x": 1, "y": 2}})
    updated = tenant.update_user(user.user_id, {"user_metadata": {"b": 2, "nested": {"x": 9}}})
    assert updated.user_metadata == {"a": 1, "b": 2, "nested": {"x": 9}}
    updated = tenant.update_user(user.user_id, {"user_metadata": {"a": None}})
    assert updated.user_metadata == {"b": 2, "nested": {"x": 9}}
    updated = tenant.update_user(user.user_id, {"user_metadata": {}})
    assert updated.user_metadata == {}
    # An emptied user_metadata is still shown, as {} (auth0/terraform-provider-auth0,
    # test/data/recordings/TestAccUser.yaml).
    assert updated.to_json()["user_metadata"] == {}


def test_update_null_unsets_a_root_attribute(tenant: Tenant) -> None:
    user = create(tenant, email="a@b.co", given_name="Ann")
    assert "given_name" not in tenant.update_user(user.user_id, {"given_name": None}).to_json()


def test_update_moves_updated_at_but_not_created_at(tenant: Tenant) -> None:
    user = create(tenant, email="a@b.co")
    tenant.clock.advance(61)
    updated = tenant.update_user(user.user_id, {"name": "Ann"}).to_json()
    assert updated["created_at"] == "2023-11-14T22:13:20.123Z"
    assert updated["updated_at"] == "2023-11-14T22:14:21.123Z"


def test_changing_email_lowercases_and_unverifies(tenant: Tenant) -> None:
    user = create(tenant, email="a@b.co", email_verified=True)
    updated = tenant.update_user(user.user_id, {"email": "New@B.co"}).to_json()
    assert (updated["email"], updated["email_verified"]) == ("new@b.co", False)
    assert tenant.users_by_email("new@b.co")[0].user_id == user.user_id
    assert tenant.users_by_email("a@b.co") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("password", "email"),
        ("password", "email_verified"),
        ("username", "email"),
        ("username", "email_verified"),
        ("username", "password"),
    ],
)
def test_update_refuses_forbidden_combinations(tenant: Tenant, a: str, b: str) -> None:
    # The spec's patch_users_by_id 400 list: "Cannot update <a> and <b> simultaneously."
    tenant.create_connection("named", "auth0", {"requires_username": True})
    user = tenant.create_user(
        {"connection": "named", "email": "a@b.co", "username": "ann", "password": PASSWORD}
    )
    values = {"password": "N3w-Passw0rd!", "email": "b@b.co", "email_verified": True}
    values["username"] = "bob"
    error = error_of(tenant.update_user, user.user_id, {a: values[a], b: values[b]})
    assert (error.status, error.message) == (400, f"Cannot update {a} and {b} simultaneously.")


def test_update_password_is_checked_against_the_policy(tenant: Tenant) -> None:
    user = create(tenant, email="a@b.co")
    error = error_of(tenant.update_user, user.user_id, {"password": "weak"})
    assert error.message == "PasswordStrengthError: Password is too weak"


def test_unknown_user(tenant: Tenant) -> None:
    for call in (tenant.get_user, lambda uid: tenant.update_user(uid, {"name": "x"})):
        error = error_of(call, "auth0|000000000000000000000000")
        assert (error.status, error.message, error.error_code) == (
            404,
            "The user does not exist.",
            "inexistent_user",
        )


def test_delete_removes_user_and_is_idempotent(tenant: Tenant) -> None:
    user = create(tenant, email="a@b.co")
    tenant.delete_user(user.user_id)
    assert tenant.users.get(user.user_id) is None
    assert tenant.users_by_email("a@b.co") == []
    tenant.delete_user(user.user_id)  # CHOICES.md "DELETE of an unknown user"


def test_users_by_email_is_exact_and_case_sensitive(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#users-by-email: social e-mails keep their casing, so a lower-case
    # look-up misses them.
    social = tenant.add_social_user("google-oauth2", "1234567890", {"email": "Ann@Gmail.com"})
    db = create(tenant, email="Ann@Gmail.com")
    assert [u.user_id for u in tenant.users_by_email("Ann@Gmail.com")] == [social.user_id]
    assert [u.user_id for u in tenant.users_by_email("ann@gmail.com")] == [db.user_id]
    assert tenant.users_by_email("ann@gmail") == []


def test_add_social_user_is_what_a_first_social_login_stores(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#user-ids, docs/auth0-behaviour.md#logins: provider|idp-id, isSocial,
    # IdP casing kept, extra IdP claims at the root, and the first login counted.
    user = tenant.add_social_user(
        "google-oauth2",
        "103547991597142817347",
        {"email": "Ann@Gmail.com", "email_verified": True, "name": "Ann Lee", "locale": "en"},
    ).to_json()
    assert user["user_id"] == "google-oauth2|103547991597142817347"
    assert user["identities"] == [
        {
            "connection": "google-oauth2",
            "user_id": "103547991597142817347",
            "provider": "google-oauth2",
            "isSocial": True,
        }
    ]
    assert (user["email"], user["email_verified"], user["locale"]) == ("Ann@Gmail.com", True, "en")
    assert (user["name"], user["nickname"]) == ("Ann Lee", "Ann")
    assert user["picture"].startswith("https://s.gravatar.com/avatar/")
    assert user["logins_count"] == 1
    assert user["last_login"] == user["created_at"] == user["updated_at"]


def test_add_social_user_refuses_database_connections_and_duplicates(tenant: Tenant) -> None:
    with pytest.raises(ValueError):
        tenant.add_social_user(DB, "x", {})
    tenant.add_social_user("google-oauth2", "1", {})
    assert error_of(tenant.add_social_user, "google-oauth2", "1", {}).status == 409


def test_social_users_synced_attributes_cannot_be_patched(tenant: Tenant) -> None:
    # docs/auth0-behaviour.md#what-a-patch-may-change, docs/auth0-behaviour.md#logins: with
    # set_user_root_attributes = on_each_login (the default) Auth0 refuses name, nickname, picture,
    # given_name, family_name; metadata stays writable.
    user = tenant.add_social_user("google-oauth2", "1", {"email": "a@gmail.com"})
    error = error_of(tenant.update_user, user.user_id, {"name": "New"})
    assert error.message.startswith("The following user attributes cannot be updated:")
    error = error_of(tenant.update_user, user.user_id, {"email": "b@gmail.com"})
    assert error.message == "Cannot update email for non-database user."
    assert tenant.update_user(user.user_id, {"app_metadata": {"plan": "pro"}}).app_metadata


def test_on_first_login_sync_lets_root_attributes_be_patched(tenant: Tenant) -> None:
    tenant.create_connection("gh", "github", {"set_user_root_attributes": "on_first_login"})
    user = tenant.add_social_user("gh", 42, {"name": "Old"})
    assert user.user_id == "github|42"
    assert tenant.update_user(user.user_id, {"name": "New"}).to_json()["name"] == "New"


def test_enterprise_users_cannot_patch_email_verified(tenant: Tenant) -> None:
    tenant.create_connection("corp", "samlp", {"set_user_root_attributes": "on_first_login"})
    user = tenant.add_social_user("corp", "john@corp.example", {"email": "john@corp.example"})
    assert user.to_json()["identities"][0]["isSocial"] is False
    error = error_of(tenant.update_user, user.user_id, {"email_verified": True})
    assert error.message == "Email verification is not supported for enterprise users."
