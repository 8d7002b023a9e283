"""POST /api/v2/users through the official SDK and raw HTTP
(docs/auth0-behaviour.md#creating-users)."""

from __future__ import annotations

import re
from datetime import timezone

import pytest
from auth0.management import ManagementClient
from auth0.management.errors import BadRequestError, ConflictError

from fakeauth0 import Tenant
from tests.support import DB, NO_RETRY, PASSWORD, RawClient, assert_error

ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_sdk_creates_a_database_user(auth0_management: ManagementClient) -> None:
    user = auth0_management.users.create(
        connection=DB, email="Ann.Lee@Example.com", password=PASSWORD
    )
    assert re.fullmatch(r"auth0\|[0-9a-f]{24}", user.user_id)
    assert user.email == "ann.lee@example.com"  # database e-mails are lower-cased
    assert user.email_verified is False
    assert user.name == "ann.lee@example.com" and user.nickname == "ann.lee"
    assert user.picture.startswith("https://s.gravatar.com/avatar/")
    assert user.identities[0].provider == "auth0" and user.identities[0].is_social is False
    assert (
        user.created_at.tzinfo is not None
        and user.created_at.utcoffset() == timezone.utc.utcoffset(None)
    )


def test_create_answers_201_with_iso_millisecond_dates(raw: RawClient) -> None:
    response = raw.post("users", json={"connection": DB, "email": "a@b.co", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert ISO_MS.fullmatch(body["created_at"]) and ISO_MS.fullmatch(body["updated_at"])
    assert body["identities"] == [
        {
            "connection": DB,
            "user_id": body["user_id"].removeprefix("auth0|"),
            "provider": "auth0",
            "isSocial": False,
        }
    ]
    for absent in ("password", "logins_count", "last_login", "last_ip"):
        assert absent not in body


def test_create_with_given_user_id(raw: RawClient) -> None:
    # CHOICES.md "POST /users with user_id": the result is auth0|<given>.
    body = raw.create_user(email="a@b.co", user_id="abc")
    assert body["user_id"] == "auth0|abc"
    assert raw.get("users/auth0|abc").json()["email"] == "a@b.co"


def test_create_accepts_form_bodies(raw: RawClient) -> None:
    # The spec lists application/x-www-form-urlencoded for post_users; booleans arrive as text.
    response = raw.post(
        "users",
        data={"connection": DB, "email": "a@b.co", "password": PASSWORD, "email_verified": "true"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["email_verified"] is True


def test_connection_is_required(raw: RawClient, auth0_management: ManagementClient) -> None:
    response = raw.post("users", json={"email": "a@b.co", "password": PASSWORD})
    assert_error(
        response,
        400,
        "Payload validation error: 'Missing required property: connection'.",
        "invalid_body",
    )


def test_unknown_connection(auth0_management: ManagementClient) -> None:
    with pytest.raises(BadRequestError) as caught:
        auth0_management.users.create(connection="nope", email="a@b.co", password=PASSWORD)
    assert caught.value.body == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "The connection does not exist.",
        "errorCode": "inexistent_connection",
    }


def test_social_connections_cannot_create_users(raw: RawClient) -> None:
    # Spec post_users 400; auth0-cli #334: only database and passwordless connections.
    response = raw.post("users", json={"connection": "google-oauth2", "email": "a@b.co"})
    assert_error(
        response,
        400,
        "Connection does not support user creation through the API. "
        "It must either be a database or passwordless connection.",
        "invalid_body",
    )


def test_passwordless_users(auth0_management: ManagementClient) -> None:
    email_user = auth0_management.users.create(connection="email", email="Ann@Example.com")
    assert re.fullmatch(r"email\|[0-9a-f]{24}", email_user.user_id)
    assert email_user.identities[0].provider == "email"
    assert email_user.email == "ann@example.com"  # CHOICES.md "passwordless e-mail casing"
    sms_user = auth0_management.users.create(connection="sms", phone_number="+14155550100")
    assert re.fullmatch(r"sms\|[0-9a-f]{24}", sms_user.user_id)
    assert sms_user.phone_number == "+14155550100" and sms_user.phone_verified is False


def test_duplicate_is_409_auth0_idp_error(auth0_management: ManagementClient) -> None:
    auth0_management.users.create(connection=DB, email="a@b.co", password=PASSWORD)
    with pytest.raises(ConflictError) as caught:
        auth0_management.users.create(
            connection=DB, email="A@B.CO", password=PASSWORD, request_options=NO_RETRY
        )
    assert caught.value.body == {
        "statusCode": 409,
        "error": "Conflict",
        "message": "The user already exists.",
        "errorCode": "auth0_idp_error",
    }


@pytest.mark.parametrize(
    ("policy", "weak", "strong"),
    [
        ("none", None, "x"),
        ("low", "abcde", "abcdef"),
        ("fair", "abcdefgh", "abcdEfg1"),
        ("good", "abcdEfgh", "abcdEfg1"),
        ("excellent", "abcdEfg1!", "abcdEfg1!x"),
    ],
)
def test_password_policy_per_connection(
    tenant: Tenant, raw: RawClient, policy: str, weak: str | None, strong: str
) -> None:
    tenant.create_connection(f"db-{policy}", "auth0", {"passwordPolicy": policy})
    body = {"connection": f"db-{policy}", "email": "a@b.co"}
    if weak is not None:
        response = raw.post("users", json={**body, "password": weak})
        # docs/auth0-behaviour.md#what-a-patch-may-change: the Management API gives no rule detail
        # and no errorCode.
        assert_error(response, 400, "PasswordStrengthError: Password is too weak")
        assert weak not in response.text
    assert raw.post("users", json={**body, "password": strong}).status_code == 201


def test_password_with_spaces_is_accepted(raw: RawClient) -> None:
    # A real create with this password answered 201 (auth0/go-auth0,
    # test/data/recordings/TestUserManager_Read.yaml); password-sheriff's contains.js counts the
    # space as a special character.
    body = {"connection": DB, "email": "chuck@b.co", "password": "Passwords hide their chuck"}
    assert raw.post("users", json=body).status_code == 201


def test_username_requires_a_requires_username_connection(tenant: Tenant, raw: RawClient) -> None:
    response = raw.post(
        "users", json={"connection": DB, "email": "a@b.co", "password": PASSWORD, "username": "ann"}
    )
    assert_error(
        response,
        400,
        "Cannot set username for connection without requires_username.",
        "invalid_body",
    )
    tenant.create_connection("named", "auth0", {"requires_username": True})
    base = {"connection": "named", "email": "a@b.co", "password": PASSWORD}
    missing = raw.post("users", json=base)
    assert_error(
        missing,
        400,
        "Payload validation error: 'Missing required property: username'.",
        "invalid_body",
    )
    created = raw.post("users", json={**base, "username": "Ann_Lee"})
    assert created.status_code == 201 and created.json()["username"] == "ann_lee"
    duplicate = raw.post("users", json={**base, "email": "other@b.co", "username": "ANN_LEE"})
    assert_error(duplicate, 409, "The user already exists.", "auth0_idp_error")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"connection": DB, "email": "a@b.co", "password": PASSWORD, "shoe_size": 44},
            "Payload validation error: 'Additional properties not allowed: shoe_size'.",
        ),
        (
            {"connection": 42, "email": "a@b.co"},
            "Payload validation error: 'Expected type string but found type integer' "
            "on property connection (Name of the connection this user should be created in).",
        ),
        (
            {"connection": DB, "email": "not-an-email", "password": PASSWORD},
            "Payload validation error: 'Object didn't pass validation for format email: "
            "not-an-email' on property email (The user's email).",
        ),
        (
            {"connection": DB, "email": "a@b.co", "password": PASSWORD, "email_verified": "yes"},
            "Payload validation error: 'Expected type boolean but found type string' on property "
            "email_verified...",
        ),
        (
            {"connection": DB, "email": "a@b.co", "password": PASSWORD, "user_metadata": []},
            "Payload validation error: 'Expected type object but found type array' on property "
            "user_metadata...",
        ),
        (
            {"connection": DB, "email": "a@b.co", "password": PASSWORD, "given_name": ""},
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property "
            "given_name (The user's given name(s)).",
        ),
        (
            [{"connection": DB}],
            "Payload validation error: 'Expected type object but found type array'.",
        ),
    ],
)
def test_bad_bodies_are_invalid_body(raw: RawClient, body: object, message: str) -> None:
    assert_error(raw.post("users", json=body), 400, message, "invalid_body")


def test_database_users_need_email_and_password(raw: RawClient) -> None:
    no_password = raw.post("users", json={"connection": DB, "email": "a@b.co"})
    assert_error(
        no_password,
        400,
        "Payload validation error: 'Missing required property: password'.",
        "invalid_body",
    )
    no_email = raw.post("users", json={"connection": DB, "password": PASSWORD})
    assert_error(
        no_email,
        400,
        "Payload validation error: 'Missing required property: email'.",
        "invalid_body",
    )


def test_create_needs_create_users_scope(raw: RawClient) -> None:
    response = raw.post(
        "users",
        json={"connection": DB, "email": "a@b.co", "password": PASSWORD},
        scopes=["read:users", "update:users"],
    )
    # docs/auth0-behaviour.md#management-api-tokens: comma list, no spaces, errorCode
    # insufficient_scope.
    assert_error(
        response, 403, "Insufficient scope, expected any of: create:users", "insufficient_scope"
    )
    assert raw.get("users").json() == []
