"""POST /dbconnections/signup and /dbconnections/change_password, through the app and through
auth0-python's ``Database`` client.

Auth0's rules: docs/auth0-behaviour.md#self-service-sign-up-and-password-reset; the choices
where Auth0 shows no answer are CHOICES.md's "signup: ..." and "change_password ..." rows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from auth0.authentication import Database
from auth0.authentication.exceptions import Auth0Error as AuthenticationError

from fakeauth0 import Tenant
from fakeauth0.connections import Connection
from fakeauth0.errors import SignupError
from tests.support import DB, PASSWORD

SIGNUP = "/dbconnections/signup"
RESET = "/dbconnections/change_password"
RESET_SENT = "We've just sent you an email to reset your password."


def body(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    return {"client_id": tenant.management_client.client_id, "connection": DB, **fields}


def assert_signup_error(response: httpx.Response, code: str, description: Any = None) -> dict:
    """Auth0's sign-up refusal: ``{name, code, description, statusCode}``, never the Management
    envelope (``error``/``message``) nor the OAuth one (``error_description``)."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    got = response.json()
    assert got["code"] == code and got["statusCode"] == 400
    assert "error" not in got and "error_description" not in got
    if description is not None:
        assert got["description"] == description
    return got


def set_policy(tenant: Tenant, policy: str, **options: Any) -> None:
    connection = tenant.connection(DB)
    tenant.connections[DB] = Connection(
        connection.id,
        DB,
        "auth0",
        {**connection.options, "passwordPolicy": policy, **options},
        enabled_clients=list(connection.enabled_clients),
    )


# -- sign-up answers -------------------------------------------------------------------------


def test_signup_answers_the_bare_id_and_the_identifiers_only(
    tenant: Tenant, http: httpx.Client
) -> None:
    # go-auth0 TestDatabaseSignUp_WithEmailIdentifier.yaml; the signup docs' example sends
    # given_name/family_name/user_metadata and gets {_id, email, email_verified} back
    response = http.post(
        SIGNUP,
        json=body(
            tenant,
            email="New.User@Example.com",
            password=PASSWORD,
            given_name="New",
            family_name="User",
            user_metadata={"plan": "premium"},
        ),
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(answer) == ["_id", "email", "email_verified"]
    assert answer["email"] == "new.user@example.com" and answer["email_verified"] is False
    stored = tenant.get_user(f"auth0|{answer['_id']}")
    assert stored.profile["given_name"] == "New" and stored.user_metadata == {"plan": "premium"}
    assert stored.primary.connection == DB


def test_signup_with_every_identifier_answers_them_in_auth0s_order(
    tenant: Tenant, http: httpx.Client
) -> None:
    # go-auth0 TestDatabaseSignUp_WithUsernameEmailAndPhoneNumberIdentifiers.yaml
    set_policy(tenant, "none", requires_username=True)
    response = http.post(
        SIGNUP,
        json=body(
            tenant,
            email="mytestaccount@example.com",
            password="mypassword",
            phone_number="+12345678900",
            username="mytestaccount",
        ),
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(answer) == [
        "_id",
        "email",
        "username",
        "email_verified",
        "phone_number",
        "phone_verified",
    ]
    assert len(answer["_id"]) == 24 and int(answer["_id"], 16) >= 0


def test_signup_takes_a_form_body(tenant: Tenant, http: httpx.Client) -> None:
    # https://auth0.com/docs/api/authentication#signup (the Authentication API takes forms)
    response = http.post(SIGNUP, data=body(tenant, email="form@example.com", password=PASSWORD))
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "form@example.com"


def test_signup_records_a_verification_mail(tenant: Tenant, http: httpx.Client) -> None:
    # CHOICES.md "mail the tenant would send"
    tenant.clock.freeze(1_700_000_000)
    answer = http.post(SIGNUP, json=body(tenant, email="v@example.com", password=PASSWORD)).json()
    (sent,) = tenant.mail
    link = sent.pop("link")
    assert sent == {
        "template": "verify_email",
        "recipient": "v@example.com",
        "user_id": f"auth0|{answer['_id']}",
        "client_id": tenant.management_client.client_id,
        "connection": DB,
        "time": tenant.clock.iso(),
    }
    assert link.startswith(f"https://{tenant.domain}/u/email-verification?ticket=")


# -- sign-up refusals ------------------------------------------------------------------------


def test_a_taken_email_is_the_anti_enumeration_invalid_signup(
    tenant: Tenant, http: httpx.Client
) -> None:
    # go-auth0 authentication/authentication_error_test.go ("invalid sign up response")
    tenant.create_user({"connection": DB, "email": "taken@example.com", "password": PASSWORD})
    response = http.post(SIGNUP, json=body(tenant, email="TAKEN@example.com", password=PASSWORD))
    assert response.json() == {
        "name": "BadRequestError",
        "code": "invalid_signup",
        "description": "Invalid sign up",
        "statusCode": 400,
    }
    assert len(tenant.users) == 1 and tenant.mail == []


def test_a_taken_username_is_invalid_signup_too(tenant: Tenant, http: httpx.Client) -> None:
    # CHOICES.md "signup: username rules"
    set_policy(tenant, "good", requires_username=True)
    first = body(tenant, email="a@example.com", password=PASSWORD, username="alice")
    assert http.post(SIGNUP, json=first).status_code == 200
    again = body(tenant, email="b@example.com", password=PASSWORD, username="ALICE")
    assert_signup_error(http.post(SIGNUP, json=again), "invalid_signup", "Invalid sign up")
    with pytest.raises(SignupError) as caught:
        tenant.signup(
            client_id=tenant.management_client.client_id,
            connection=DB,
            email="c@example.com",
            password=PASSWORD,
            username="alice",
        )
    assert caught.value.code == "invalid_signup" and caught.value.field == "username"


def test_a_weak_password_is_password_strength_error_with_the_rules(
    tenant: Tenant, http: httpx.Client
) -> None:
    # go-auth0 authentication/authentication_error_test.go ("invalid password response"): the
    # same password-sheriff rules and policy text for a "good" connection
    response = http.post(SIGNUP, json=body(tenant, email="w@example.com", password="hello!@#"))
    assert response.json() == {
        "name": "PasswordStrengthError",
        "message": "Password is too weak",
        "code": "invalid_password",
        "description": {
            "rules": [
                {
                    "message": "At least %d characters in length",
                    "format": [8],
                    "code": "lengthAtLeast",
                    "verified": True,
                },
                {
                    "message": "Contain at least %d of the following %d types of characters:",
                    "code": "containsAtLeast",
                    "format": [3, 4],
                    "items": [
                        {
                            "message": "lower case letters (a-z)",
                            "code": "lowerCase",
                            "verified": True,
                        },
                        {
                            "message": "upper case letters (A-Z)",
                            "code": "upperCase",
                            "verified": False,
                        },
                        {"message": "numbers (i.e. 0-9)", "code": "numbers", "verified": False},
                        {
                            "message": "special characters (e.g. !@#$%^&*)",
                            "code": "specialCharacters",
                            "verified": True,
                        },
                    ],
                    "verified": False,
                },
            ],
            "verified": False,
        },
        "policy": "* At least 8 characters in length\n"
        "* Contain at least 3 of the following 4 types of characters:\n"
        " * lower case letters (a-z)\n"
        " * upper case letters (A-Z)\n"
        " * numbers (i.e. 0-9)\n"
        " * special characters (e.g. !@#$%^&*)",
        "statusCode": 400,
    }
    assert len(tenant.users) == 0


@pytest.mark.parametrize(
    ("policy", "codes"),
    [
        ("none", ["nonEmpty"]),
        ("low", ["lengthAtLeast"]),
        ("fair", ["lengthAtLeast", "shouldContain"]),
        ("good", ["lengthAtLeast", "containsAtLeast"]),
        ("excellent", ["lengthAtLeast", "containsAtLeast", "identicalChars"]),
    ],
)
def test_each_policy_level_describes_its_own_rules(
    tenant: Tenant, http: httpx.Client, policy: str, codes: list[str]
) -> None:
    # password-sheriff index.js (https://github.com/auth0/password-sheriff): the rules per level
    set_policy(tenant, policy)
    weak = "aaa" if policy != "none" else ""
    got = assert_signup_error(
        http.post(SIGNUP, json=body(tenant, email="p@example.com", password=weak or "x" * 73)),
        "invalid_password",
    )
    described = [rule["code"] for rule in got["description"]["rules"]]
    assert described[: len(codes)] == codes
    assert got["policy"].count("\n* ") == len(codes) - 1


def test_a_password_over_72_bytes_fails_on_the_max_length_rule(
    tenant: Tenant, http: httpx.Client
) -> None:
    # CHOICES.md "signup: a password over 72 bytes"
    got = assert_signup_error(
        http.post(SIGNUP, json=body(tenant, email="l@example.com", password="Aa1!" * 19)),
        "invalid_password",
    )
    assert got["description"]["rules"][-1] == {
        "message": "Maximum password length exceeded",
        "code": "maxLength",
        "format": [72],
        "verified": False,
    }


@pytest.mark.parametrize(
    ("fields", "code", "description"),
    [
        ({"connection": "nope"}, "bad.connection", "Connection does not exist"),
        (
            {"connection": "google-oauth2"},
            "bad.connection",
            "Invalid connection strategy. It must be a database connection",
        ),
        ({"connection": None}, "bad.connection", "Missing required property: connection"),
        ({"client_id": None}, "bad.client_id", "Missing required property: client_id"),
        ({"client_id": "nope"}, "bad.client_id", "Unknown client: nope"),
        ({"email": None}, "bad.email", "Missing required property: email"),
        ({"password": ""}, "bad.password", "Missing required property: password"),
        (
            {"email": 5},
            "bad.email",
            "error in email - invalid type: number (expected string)",
        ),
        (
            {"password": ["x"]},
            "bad.password",
            "error in password - invalid type: array (expected string)",
        ),
        (
            {"user_metadata": "x"},
            "bad.user_metadata",
            "error in user_metadata - invalid type: string (expected object)",
        ),
        ({"username": "bob"}, "bad.username", "The connection " + DB + " does not use usernames"),
    ],
)
def test_bad_requests_are_refused_in_the_signup_shape(
    tenant: Tenant, http: httpx.Client, fields: dict[str, Any], code: str, description: str
) -> None:
    # CHOICES.md "signup: refusals no public answer shows" (texts of the passwordless-start
    # errors, https://github.com/auth0/docs/blob/master/articles/api/authentication/errors/_passwordless-start.md)
    sent = {**body(tenant, email="b@example.com", password=PASSWORD), **fields}
    sent = {k: v for k, v in sent.items() if v is not None}
    assert_signup_error(http.post(SIGNUP, json=sent), code, description)
    assert len(tenant.users) == 0


def test_a_connection_not_enabled_for_the_client_is_disabled(
    tenant: Tenant, http: httpx.Client
) -> None:
    # CHOICES.md "signup: refusals no public answer shows"
    other = tenant.create_client_from({"name": "Other"})
    tenant.set_connection_clients(
        tenant.connection(DB).id, [{"client_id": other.client_id, "status": False}]
    )
    sent = {**body(tenant, email="o@example.com", password=PASSWORD), "client_id": other.client_id}
    assert_signup_error(http.post(SIGNUP, json=sent), "bad.connection", "Connection is disabled")


def test_a_username_is_held_to_the_connections_rule(tenant: Tenant, http: httpx.Client) -> None:
    # CHOICES.md "signup: username rules" (https://auth0.com/docs/authenticate/database-connections/require-username)
    set_policy(tenant, "good", requires_username=True)
    missing = body(tenant, email="u@example.com", password=PASSWORD)
    assert_signup_error(
        http.post(SIGNUP, json=missing), "bad.username", "Missing required property: username"
    )
    for bad in ("x" * 16, "has space", "me@example.com"):
        got = assert_signup_error(
            http.post(SIGNUP, json={**missing, "username": bad}), "bad.username"
        )
        assert got["description"].startswith("The username must be 1 to 15 characters")


def test_user_metadata_is_held_to_the_documented_limits(tenant: Tenant, http: httpx.Client) -> None:
    # https://auth0.com/docs/api/authentication#signup: at most ten properties, names of at most
    # 100 characters, string values of at most 500
    base = body(tenant, email="m@example.com", password=PASSWORD)
    for metadata in (
        {f"k{i}": "v" for i in range(11)},
        {"k" * 101: "v"},
        {"k": "v" * 501},
        {"k": 1},
    ):
        assert_signup_error(
            http.post(SIGNUP, json={**base, "user_metadata": metadata}), "bad.user_metadata"
        )
    fits = {f"k{i}": "v" * 500 for i in range(10)}
    assert http.post(SIGNUP, json={**base, "user_metadata": fits}).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b"{not json", "application/json", "bad.request"),
        (b"[1, 2]", "application/json", "bad.request"),
        (b'"text"', "application/json", "bad.request"),
        (b'{"a": NaN}', "application/json", "bad.request"),
    ],
)
def test_a_body_that_is_not_an_object_is_400(
    tenant: Tenant, http: httpx.Client, content: bytes, content_type: str, code: str
) -> None:
    # CHOICES.md "signup: refusals no public answer shows"
    response = http.post(SIGNUP, content=content, headers={"Content-Type": content_type})
    assert_signup_error(response, code)


def test_huge_strings_are_400_never_500(tenant: Tenant, http: httpx.Client) -> None:
    # the POST /users schema's limits (spec CreateUserRequestContent) hold at sign-up too
    base = body(tenant, email="h@example.com", password=PASSWORD)
    huge = "x" * 500_000
    for field in ("name", "given_name", "nickname", "username", "email", "picture"):
        response = http.post(SIGNUP, json={**base, field: huge})
        assert response.status_code == 400, (field, response.text[:200])
        assert response.json()["code"] in (f"bad.{field}", "bad.username")
    for field in ("password", "client_id", "connection", "phone_number"):
        response = http.post(SIGNUP, json={**base, field: huge})
        assert response.status_code in (200, 400), (field, response.text[:200])
        assert "error" not in response.json()
    assert http.post(SIGNUP, json={**base, "name": "x" * 2_000_000}).status_code == 413


# -- change_password -------------------------------------------------------------------------


def test_change_password_answers_the_recorded_text_and_records_the_reset_mail(
    tenant: Tenant, http: httpx.Client
) -> None:
    # go-auth0 test/data/recordings/authentication/TestDatabaseChangePassword.yaml
    user = tenant.create_user({"connection": DB, "email": "r@example.com", "password": PASSWORD})
    response = http.post(RESET, json=body(tenant, email="R@example.com"))
    assert response.status_code == 200
    assert response.text == RESET_SENT
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    (sent,) = tenant.mail
    assert sent["template"] == "reset_email" and sent["recipient"] == "r@example.com"
    assert sent["user_id"] == user.user_id and sent["connection"] == DB
    assert sent["link"].startswith(f"https://{tenant.domain}/u/reset-password?ticket=")
    assert sent["link"].endswith("#") and len(sent["link"].split("=")[1]) == 33


def test_change_password_for_an_unknown_email_answers_alike(
    tenant: Tenant, http: httpx.Client
) -> None:
    # CHOICES.md "change_password for an unknown e-mail"
    response = http.post(RESET, data=body(tenant, email="nobody@example.com"))
    assert response.status_code == 200 and response.text == RESET_SENT
    assert tenant.mail == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"email": None}, "bad.email"),
        ({"connection": "nope"}, "bad.connection"),
        ({"client_id": "nope"}, "bad.client_id"),
        ({"email": {"a": 1}}, "bad.email"),
    ],
)
def test_change_password_refuses_bad_requests(
    tenant: Tenant, http: httpx.Client, fields: dict[str, Any], code: str
) -> None:
    # CHOICES.md "change_password for an unknown e-mail" (refused as for a sign-up)
    sent = {**body(tenant, email="x@example.com"), **fields}
    sent = {k: v for k, v in sent.items() if v is not None}
    assert_signup_error(http.post(RESET, json=sent), code)


def test_signup_and_reset_are_logged_calls(tenant: Tenant, http: httpx.Client) -> None:
    http.post(SIGNUP, json=body(tenant, email="c@example.com", password=PASSWORD))
    http.post(RESET, json=body(tenant, email="c@example.com"))
    assert tenant.calls.operations() == ["dbconnections_signup", "dbconnections_change_password"]


# -- auth0-python's Database client ----------------------------------------------------------


@pytest.fixture
def database(tenant: Tenant, auth0_intercept: Any) -> Database:
    """auth0-python's ``Database``, its requests intercepted to the tenant."""
    return Database(tenant.domain, tenant.management_client.client_id)


def test_sdk_signup_returns_the_new_users_id(tenant: Tenant, database: Database) -> None:
    # go-auth0 TestDatabaseSignUp_WithEmailIdentifier.yaml (the same answer to every SDK)
    got = database.signup(
        email="sdk@example.com", password=PASSWORD, connection=DB, given_name="Sdk"
    )
    assert got == {"_id": got["_id"], "email": "sdk@example.com", "email_verified": False}
    assert tenant.get_user(f"auth0|{got['_id']}").profile["given_name"] == "Sdk"


def test_sdk_signup_of_a_taken_email_raises_invalid_signup(
    tenant: Tenant, database: Database
) -> None:
    # go-auth0 authentication/authentication_error_test.go
    database.signup(email="twice@example.com", password=PASSWORD, connection=DB)
    with pytest.raises(AuthenticationError) as caught:
        database.signup(email="twice@example.com", password=PASSWORD, connection=DB)
    assert caught.value.status_code == 400
    assert caught.value.error_code == "invalid_signup"


def test_sdk_signup_with_a_weak_password_raises_invalid_password(database: Database) -> None:
    # go-auth0 authentication/authentication_error_test.go ("invalid password response")
    with pytest.raises(AuthenticationError) as caught:
        database.signup(email="weak@example.com", password="weak", connection=DB)
    assert caught.value.status_code == 400
    assert caught.value.error_code == "invalid_password"
    assert caught.value.message == "Password is too weak"


def test_sdk_change_password_returns_the_text(tenant: Tenant, database: Database) -> None:
    # go-auth0 test/data/recordings/authentication/TestDatabaseChangePassword.yaml
    database.signup(email="reset@example.com", password=PASSWORD, connection=DB)
    assert database.change_password(email="reset@example.com", connection=DB) == RESET_SENT
    assert [m["template"] for m in tenant.mail] == ["verify_email", "reset_email"]
