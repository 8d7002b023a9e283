"""``POST /users/{id}/identities`` and ``DELETE /users/{id}/identities/{provider}/{user_id}``.

Read with docs/auth0-behaviour.md#account-linking (linking) and docs/auth0-behaviour.md#unlinking
(unlinking); the walkthrough is the one in Auth0's docs
(https://auth0.com/docs/manage-users/user-accounts/user-account-linking and its link and
unlink pages).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant
from fakeauth0.errors import Msg
from fakeauth0.tokens import SigningKey
from tests.support import DB, PASSWORD, RawClient, assert_error

GOOGLE_ID = "103547991597142817347"
GOOGLE = f"google-oauth2|{GOOGLE_ID}"
EMAIL = "ann.lee@gmail.com"
SCOPE_MESSAGE = "Insufficient scope, expected any of: update:users,update:current_user_identities"


def path(user_id: str) -> str:
    return f"users/{quote(user_id, safe='')}/identities"


def bare(user_id: str) -> str:
    return user_id.split("|", 1)[1]


@pytest.fixture
def google(tenant: Tenant) -> str:
    user = tenant.add_social_user(
        "google-oauth2",
        GOOGLE_ID,
        {"email": EMAIL, "email_verified": True, "name": "Ann Lee", "given_name": "Ann"},
    )
    tenant.update_user(user.user_id, {"user_metadata": {"theme": "dark"}})
    return user.user_id


@pytest.fixture
def database(raw: RawClient) -> str:
    user = raw.create_user(
        email=EMAIL,
        user_metadata={"lang": "fr"},
        app_metadata={"plan": "pro"},
        given_name="Annie",
    )
    return user["user_id"]


def link(raw: RawClient, primary: str, body: dict[str, Any], **kwargs: Any) -> Any:
    return raw.post(path(primary), json=body, **kwargs)


# -- the docs walkthrough, with the official SDK ---------------------------------------------------


def test_walkthrough_link_then_unlink_with_the_sdk(
    auth0_management: ManagementClient, google: str, database: str
) -> None:
    identities = auth0_management.users.identities.link(
        google, provider="auth0", user_id=bare(database)
    )

    # 201 with the primary's whole identities array; identities[0] is the primary
    # (docs/auth0-behaviour.md#linking-requests, docs/auth0-behaviour.md#what-linking-changes)
    assert [(i.provider, i.user_id) for i in identities] == [
        ("google-oauth2", GOOGLE_ID),
        ("auth0", bare(database)),
    ]
    # The answer's primary identity carries profileData too (auth0/go-auth0 v1,
    # test/data/recordings/TestUserManager_Link.yaml); GET /users/{id} leaves it out (below).
    assert identities[0].profile_data.email == EMAIL
    assert identities[1].connection == DB and identities[1].is_social is False
    assert identities[1].profile_data.email == EMAIL
    assert identities[1].profile_data.given_name == "Annie"

    # Only the primary is a user now; the secondary's id no longer resolves
    # (docs/auth0-behaviour.md#what-linking-changes, PR 250).
    assert [u.user_id for u in auth0_management.users.list()] == [google]
    assert [u.user_id for u in auth0_management.users.list_users_by_email(email=EMAIL)] == [google]
    with pytest.raises(Exception) as missing:
        auth0_management.users.get(database)
    assert missing.value.status_code == 404

    # The secondary's metadata is gone; the primary's root attributes and metadata remain.
    primary = auth0_management.users.get(google)
    assert primary.user_metadata == {"theme": "dark"}
    assert primary.app_metadata in (None, {})
    assert primary.given_name == "Ann"
    assert len(primary.identities) == 2
    assert primary.identities[0].profile_data is None

    remaining = auth0_management.users.identities.delete(google, "auth0", bare(database))
    assert [(i.provider, i.user_id) for i in remaining] == [("google-oauth2", GOOGLE_ID)]

    # The primary keeps everything; the database user is back on its own with no metadata
    # (docs/auth0-behaviour.md#unlinking).
    primary = auth0_management.users.get(google)
    assert primary.user_metadata == {"theme": "dark"}
    restored = auth0_management.users.get(database)
    assert restored.email == EMAIL
    assert restored.given_name == "Annie"
    assert restored.user_metadata in (None, {}) and restored.app_metadata in (None, {})
    assert [(i.provider, i.user_id) for i in restored.identities] == [("auth0", bare(database))]
    assert sorted(u.user_id for u in auth0_management.users.list()) == sorted([google, database])


def test_walkthrough_with_link_with_id_token_from_a_login(
    tenant: Tenant, auth0_management: ManagementClient, google: str, database: str
) -> None:
    # The management token's azp is the management client, and so is the login's default
    # audience: the aud == azp check passes (docs/auth0-behaviour.md#linking-requests).
    login = tenant.login(DB, email=EMAIL, password=PASSWORD)
    identities = auth0_management.users.identities.link(google, link_with=login.id_token)
    assert [i.provider for i in identities] == ["google-oauth2", "auth0"]
    assert auth0_management.users.get(google).user_metadata == {"theme": "dark"}


def test_user_initiated_link_with_current_user_identities_token(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    spa = tenant.create_client("SPA", app_type="spa", grant_types=())
    primary = tenant.login(
        "google-oauth2",
        user_id=GOOGLE_ID,
        client_id=spa.client_id,
        scope="openid update:current_user_identities",
    )
    secondary = tenant.login(DB, email=EMAIL, password=PASSWORD, client_id=spa.client_id)
    response = link(raw, google, {"link_with": secondary.id_token}, token=primary.access_token)
    assert response.status_code == 201, response.text
    assert [i["user_id"] for i in response.json()] == [GOOGLE_ID, bare(database)]


def test_form_encoded_link_body_is_accepted(raw: RawClient, google: str, database: str) -> None:
    response = raw.post(path(google), data={"provider": "auth0", "user_id": bare(database)})
    assert response.status_code == 201, response.text


def test_numeric_user_id_is_accepted(tenant: Tenant, raw: RawClient, google: str) -> None:
    tenant.create_connection("github", "github")
    tenant.add_social_user("github", 4242, {"name": "octo"})
    response = link(raw, google, {"provider": "github", "user_id": 4242})
    assert response.status_code == 201, response.text
    assert response.json()[1]["user_id"] == 4242
    assert response.json()[1]["isSocial"] is True


def test_connection_id_picks_the_database(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    connection_id = tenant.connections[DB].id
    body = {"provider": "auth0", "user_id": bare(database), "connection_id": connection_id}
    assert link(raw, google, body).status_code == 201


# -- chains and deletion -------------------------------------------------------------------------


def test_linking_a_user_with_linked_identities_brings_them_all(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    other = tenant.add_social_user("google-oauth2", "555", {"email": "x@gmail.com"}).user_id
    assert link(raw, database, {"provider": "google-oauth2", "user_id": "555"}).status_code == 201
    response = link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    assert response.status_code == 201
    # [new primary, the former primary, its secondaries] (community thread 132916)
    assert [(i["provider"], i["user_id"]) for i in response.json()] == [
        ("google-oauth2", GOOGLE_ID),
        ("auth0", bare(database)),
        ("google-oauth2", "555"),
    ]
    assert raw.get(f"users/{quote(database, safe='')}").status_code == 404
    assert raw.get(f"users/{quote(other, safe='')}").status_code == 404


def test_linking_an_identity_already_linked_elsewhere_merges_its_owner(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    # No error: the identity resolves to its owner and the whole owner moves
    # (docs/auth0-behaviour.md#linking-errors).
    third = raw.create_user(email="third@example.com")["user_id"]
    assert (
        link(raw, database, {"provider": "google-oauth2", "user_id": GOOGLE_ID}).status_code == 201
    )
    response = link(raw, third, {"provider": "google-oauth2", "user_id": GOOGLE_ID})
    assert response.status_code == 201
    assert [i["user_id"] for i in response.json()] == [bare(third), bare(database), GOOGLE_ID]
    assert [u["user_id"] for u in raw.get("users").json()] == [third]


def test_deleting_a_primary_deletes_its_linked_identities(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    assert raw.delete(f"users/{quote(google, safe='')}").status_code == 204
    assert raw.get("users").json() == []
    assert tenant.users.owner_of("auth0", bare(database)) is None
    # The database identity is gone for good: its e-mail is free again.
    assert raw.create_user(email=EMAIL)["user_id"] != database


# -- link errors (docs/auth0-behaviour.md#linking-errors) ------------------------------------------


def test_linking_a_user_to_itself(raw: RawClient, google: str) -> None:
    response = link(raw, google, {"provider": "google-oauth2", "user_id": GOOGLE_ID})
    assert_error(response, 400, Msg.LINK_SAME_IDENTITY)


def test_provider_without_a_connection(raw: RawClient, google: str) -> None:
    response = link(raw, google, {"provider": "github", "user_id": "1"})
    assert_error(response, 400, Msg.LINK_PROVIDER_NOT_CONFIGURED, "inexistent_connection")


def test_missing_provider_reads_as_no_connection(raw: RawClient, google: str) -> None:
    # node-auth0 #554: only user_id/connection_id sent.
    response = link(raw, google, {"user_id": "abc"})
    assert_error(response, 400, Msg.LINK_PROVIDER_NOT_CONFIGURED, "inexistent_connection")


def test_unknown_connection_id(raw: RawClient, google: str, database: str) -> None:
    body = {"provider": "auth0", "user_id": bare(database), "connection_id": "con_0000000000000000"}
    assert_error(
        link(raw, google, body), 400, Msg.LINK_PROVIDER_NOT_CONFIGURED, "inexistent_connection"
    )


def test_provider_outside_the_enum(raw: RawClient, google: str) -> None:
    response = link(raw, google, {"provider": "myspace", "user_id": "1"})
    assert_error(response, 400, "Payload validation error: 'No enum match for: ...", "invalid_body")


def test_missing_user_id(raw: RawClient, google: str) -> None:
    response = link(raw, google, {"provider": "auth0"})
    assert_error(response, 400, Msg.LINK_USER_ID_REQUIRED, "invalid_body")


def test_empty_body(raw: RawClient, google: str) -> None:
    assert_error(link(raw, google, {}), 400, Msg.LINK_EMPTY_BODY, "invalid_body")


def test_unknown_secondary(raw: RawClient, google: str) -> None:
    response = link(raw, google, {"provider": "auth0", "user_id": "5f0000000000000000000000"})
    assert_error(response, 400, Msg.LINK_INEXISTENT_IDENTITY, None)


def test_wrong_provider_for_an_existing_id(raw: RawClient, google: str, database: str) -> None:
    response = link(raw, google, {"provider": "google-oauth2", "user_id": bare(database)})
    assert_error(response, 400, Msg.LINK_INEXISTENT_IDENTITY, None)


def test_unknown_primary(raw: RawClient, database: str) -> None:
    response = link(raw, "auth0|nobody", {"provider": "auth0", "user_id": bare(database)})
    assert_error(response, 404, Msg.USER_NOT_FOUND, "inexistent_user")


def test_a_linked_secondary_cannot_be_a_primary(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    third = raw.create_user(email="third@example.com")["user_id"]
    response = link(raw, database, {"provider": "auth0", "user_id": bare(third)})
    assert_error(response, 404, Msg.USER_NOT_FOUND, "inexistent_user")


def test_identity_already_in_this_primary(raw: RawClient, google: str, database: str) -> None:
    link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    response = link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    assert_error(response, 409, Msg.LINK_IDENTITY_EXISTS, None)


def test_link_with_and_provider_together(raw: RawClient, google: str, tenant: Tenant) -> None:
    token = tenant.login("google-oauth2", user_id="42").id_token
    response = link(raw, google, {"link_with": token, "provider": "google-oauth2"})
    assert_error(response, 400, Msg.LINK_WITH_EXCLUSIVE, "invalid_body")


def test_link_needs_a_scope(raw: RawClient, google: str, database: str) -> None:
    body = {"provider": "auth0", "user_id": bare(database)}
    response = link(raw, google, body, scopes=["read:users"])
    assert_error(response, 403, SCOPE_MESSAGE, "insufficient_scope")


def test_current_user_token_on_someone_else(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    token = tenant.user_token(database, ["update:current_user_identities"])
    secondary = tenant.login("google-oauth2", user_id="42").id_token
    response = link(raw, google, {"link_with": secondary}, token=token)
    assert_error(response, 403, Msg.SUBJECT_MISMATCH, "insufficient_scope")


def test_current_user_token_cannot_name_provider_and_user_id(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    # The pre-2018 vulnerable flow; see CHOICES.md
    # (https://github.com/auth0/docs/blob/master/articles/migrations/guides/account-linking.md).
    token = tenant.user_token(google, ["update:current_user_identities"])
    response = link(raw, google, {"provider": "auth0", "user_id": bare(database)}, token=token)
    assert_error(response, 403, Msg.LINK_NEEDS_UPDATE_USERS, "insufficient_scope")


# -- link_with token checks (docs/auth0-behaviour.md#linking-requests; the spec's 400/401 list) -


def id_claims(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": tenant.tokens.issuer,
        "sub": "google-oauth2|42",
        "aud": tenant.management_client.client_id,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def secondary(tenant: Tenant) -> str:
    return tenant.add_social_user("google-oauth2", "42", {"email": "s@gmail.com"}).user_id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"iss": "https://other.auth0.com/"}, Msg.LINK_WITH_ISSUER),
        ({"aud": "some-other-client"}, Msg.LINK_WITH_AUD_AZP),
        ({"aud": None}, Msg.LINK_WITH_AUD_INVALID),
        ({"sub": None}, Msg.LINK_WITH_SUB_MISSING),
        ({"sub": "no-provider"}, Msg.LINK_WITH_SUB_INVALID),
        ({"sub": "google-oauth2|unknown"}, Msg.LINK_SECONDARY_NOT_FOUND),
        ({"exp": int(time.time()) - 10}, Msg.LINK_WITH_INVALID),
    ],
)
def test_link_with_claims_are_checked(
    tenant: Tenant,
    raw: RawClient,
    google: str,
    secondary: str,
    overrides: dict[str, Any],
    message: str,
) -> None:
    token = tenant.tokens.key.sign(id_claims(tenant, **overrides))
    assert_error(link(raw, google, {"link_with": token}), 400, message, None)


def test_link_with_must_be_rs256(
    tenant: Tenant, raw: RawClient, google: str, secondary: str
) -> None:
    token = jwt.encode(id_claims(tenant), "a-shared-secret-of-32-bytes-long!", algorithm="HS256")
    assert_error(link(raw, google, {"link_with": token}), 400, Msg.LINK_WITH_ALG, None)


def test_link_with_garbage(raw: RawClient, google: str) -> None:
    assert_error(link(raw, google, {"link_with": "not-a-jwt"}), 400, Msg.LINK_WITH_INVALID, None)


def test_link_with_bad_signature(
    tenant: Tenant, raw: RawClient, google: str, secondary: str
) -> None:
    tenant.management_token()  # the tenant takes its key first: the forger's is then another
    forger = SigningKey(tenant.tokens.key.kid, tenant.domain)
    forged = forger.sign(id_claims(tenant))
    response = link(raw, google, {"link_with": forged})
    body = assert_error(response, 401, Msg.BAD_SIGNATURE, None)
    assert body["attributes"] == {"error": Msg.BAD_SIGNATURE}


def test_link_with_a_valid_token_links(
    tenant: Tenant, raw: RawClient, google: str, secondary: str
) -> None:
    token = tenant.tokens.key.sign(id_claims(tenant))
    response = link(raw, google, {"link_with": token})
    assert response.status_code == 201
    assert response.json()[1]["user_id"] == "42"


# -- unlink (docs/auth0-behaviour.md#unlinking) ----------------------------------------------------


def unlink_path(primary: str, provider: str, user_id: str) -> str:
    return f"{path(primary)}/{provider}/{quote(user_id, safe='')}"


def test_main_identity_cannot_be_removed(raw: RawClient, google: str) -> None:
    response = raw.delete(unlink_path(google, "google-oauth2", GOOGLE_ID))
    assert_error(response, 400, Msg.UNLINK_MAIN_IDENTITY, None)


def test_unlink_from_an_unknown_primary(raw: RawClient) -> None:
    response = raw.delete(unlink_path("auth0|nobody", "auth0", "abc"))
    assert_error(response, 404, Msg.USER_NOT_FOUND, "inexistent_user")


def test_unlink_an_identity_that_is_not_linked(raw: RawClient, google: str, database: str) -> None:
    # UNCONFIRMED (CHOICES.md): nothing changes, 200 with the unchanged identities.
    response = raw.delete(unlink_path(google, "auth0", bare(database)))
    assert response.status_code == 200
    assert [i["user_id"] for i in response.json()] == [GOOGLE_ID]
    assert raw.get(f"users/{quote(database, safe='')}").status_code == 200


def test_unlink_provider_outside_the_enum(raw: RawClient, google: str) -> None:
    response = raw.delete(unlink_path(google, "myspace", "1"))
    assert_error(response, 400, "Path validation error: 'No enum match for: ...", "invalid_uri")


def test_unlink_accepts_provider_prefixed_user_id(
    raw: RawClient, google: str, database: str
) -> None:
    # "you may also include [connection_name]| before the user_id"
    # (https://auth0.com/docs/manage-users/user-accounts/user-account-linking/unlink-user-accounts).
    link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    response = raw.delete(unlink_path(google, "auth0", database))
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_unlink_with_current_user_token(
    tenant: Tenant, raw: RawClient, google: str, database: str
) -> None:
    link(raw, google, {"provider": "auth0", "user_id": bare(database)})
    own = tenant.user_token(google, ["update:current_user_identities"])
    other = tenant.user_token("auth0|someone", ["update:current_user_identities"])
    target = unlink_path(google, "auth0", bare(database))
    assert_error(raw.delete(target, token=other), 403, Msg.SUBJECT_MISMATCH, "insufficient_scope")
    assert raw.delete(target, token=own).status_code == 200


def test_unlink_needs_a_scope(raw: RawClient, google: str, database: str) -> None:
    response = raw.delete(unlink_path(google, "auth0", bare(database)), scopes=["read:users"])
    assert_error(response, 403, SCOPE_MESSAGE, "insufficient_scope")


# -- answers as recorded against a real tenant -----------------------------------------------------
# auth0/go-auth0 (branch v1) test/data/recordings/TestUserManager_Link.yaml and _Unlink.yaml:
# two database users created with given_name, family_name, username, nickname, picture,
# blocked:false and email_verified:true, then linked with
# {"connection_id": ..., "user_id": "auth0|<id>", "provider": "auth0"}, then unlinked.

RECORDED_CREATE = {
    "given_name": "Chuck",
    "family_name": "Sanchez",
    "nickname": "Chucky",
    "picture": "https://example-picture-url.jpg",
    "blocked": False,
    "email_verified": True,
    "user_metadata": {"favourite_attack": "roundhouse_kick"},
    "app_metadata": {"facts": ["count_to_infinity_twice"]},
}


def recorded_profile(email: str) -> dict[str, Any]:
    """A recorded identity's profileData: what was given, without the generated name."""
    return {
        "email": email,
        "given_name": "Chuck",
        "family_name": "Sanchez",
        "nickname": "Chucky",
        "picture": "https://example-picture-url.jpg",
        "email_verified": True,
    }


@pytest.fixture
def chucks(tenant: Tenant, raw: RawClient) -> tuple[str, str]:
    tenant.create_connection("named-db", "auth0", {"requires_username": True})
    made = [
        raw.create_user(
            connection="named-db",
            email=f"chuck{n}@example.com",
            username=f"test-user{n}",
            password="Passwords hide their chuck",
            **RECORDED_CREATE,
        )
        for n in (249, 203)
    ]
    assert made[0]["name"] == "chuck249@example.com"  # generated at the root
    return made[0]["user_id"], made[1]["user_id"]


def test_link_body_with_a_full_user_id_and_connection_id(
    tenant: Tenant, raw: RawClient, chucks: tuple[str, str]
) -> None:
    primary, secondary = chucks
    body = {
        "connection_id": tenant.connections["named-db"].id,
        "user_id": secondary,  # "auth0|<id>", as go-auth0's test sends it
        "provider": "auth0",
    }
    response = link(raw, primary, body)
    assert response.status_code == 201, response.text
    assert [i["user_id"] for i in response.json()] == [bare(primary), bare(secondary)]


def test_link_and_unlink_answers_carry_profile_data_on_every_identity(
    raw: RawClient, chucks: tuple[str, str]
) -> None:
    primary, secondary = chucks
    linked = link(raw, primary, {"provider": "auth0", "user_id": bare(secondary)}).json()
    assert [i["profileData"] for i in linked] == [
        {**recorded_profile("chuck249@example.com"), "username": "test-user249"},
        {**recorded_profile("chuck203@example.com"), "username": "test-user203"},
    ]
    assert linked[0] == {
        "profileData": linked[0]["profileData"],
        "connection": "named-db",
        "user_id": bare(primary),
        "provider": "auth0",
        "isSocial": False,
    }
    # GET shows the secondary's profileData only.
    shown = raw.get(f"users/{quote(primary, safe='')}").json()["identities"]
    assert "profileData" not in shown[0] and shown[1]["profileData"] == linked[1]["profileData"]

    remaining = raw.delete(f"{path(primary)}/auth0/{bare(secondary)}").json()
    assert remaining == [linked[0]]


def test_generated_root_attributes_stay_out_of_profile_data(
    raw: RawClient, google: str, database: str
) -> None:
    # The database user gave no name, nickname or picture: all three were generated.
    linked = link(raw, google, {"provider": "auth0", "user_id": bare(database)}).json()
    assert linked[1]["profileData"] == {
        "email": EMAIL,
        "email_verified": False,
        "given_name": "Annie",
    }
    # A Google identity keeps no picture or nickname (https://github.com/auth0/node-auth0/issues/781).
    assert linked[0]["profileData"] == {
        "email": EMAIL,
        "email_verified": True,
        "name": "Ann Lee",
        "given_name": "Ann",
    }
