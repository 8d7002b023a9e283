"""Simulated logins and post-login hooks (docs/auth0-behaviour.md#logins;
docs/auth0-behaviour.md#linking-during-a-login)."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from fakeauth0 import Tenant
from fakeauth0.errors import OAuthError, OAuthMsg
from fakeauth0.hooks import AMBIGUOUS_EMAIL, link_accounts_with_same_verified_email
from fakeauth0.logins import LoginApi, LoginEvent
from tests.support import DB, PASSWORD, assert_error, assert_oauth_error

EMAIL = "ann@example.com"


def claims_of(tenant: Tenant, id_token: str, audience: str) -> dict[str, Any]:
    return jwt.decode(
        id_token,
        tenant.tokens.key.public_key,
        algorithms=["RS256"],
        audience=audience,
        issuer=tenant.tokens.issuer,
        options={"verify_exp": False},  # the tenant's clock, not the wall clock, governs expiry
    )


def test_first_social_login_creates_the_user(tenant: Tenant) -> None:
    tenant.clock.freeze(1_700_000_000)
    result = tenant.login(
        "google-oauth2", user_id="1001", profile={"email": EMAIL, "name": "Ann"}, ip="10.0.0.1"
    )
    user = tenant.get_user("google-oauth2|1001")
    assert result.user.user_id == user.user_id
    assert user.primary.is_social is True
    assert user.logins_count == 1
    assert user.last_login == user.updated_at == "2023-11-14T22:13:20.000Z"
    assert user.last_ip == "10.0.0.1"
    claims = claims_of(tenant, result.id_token, tenant.management_client.client_id)
    assert claims["sub"] == user.user_id and claims["email"] == EMAIL and claims["name"] == "Ann"


def test_each_login_counts_and_refreshes_root_attributes(tenant: Tenant) -> None:
    tenant.login("google-oauth2", user_id="1001", profile={"name": "Ann"})
    tenant.clock.advance(60)
    user = tenant.login("google-oauth2", user_id="1001", profile={"name": "Ann Lee"}).user
    # on_each_login (the default) overwrites root attributes from the IdP
    # (docs/auth0-behaviour.md#logins)
    assert user.logins_count == 2 and user.profile["name"] == "Ann Lee"
    assert user.last_login == user.updated_at


def test_on_first_login_sync_keeps_the_stored_profile(tenant: Tenant) -> None:
    tenant.create_connection("github", "github", {"set_user_root_attributes": "on_first_login"})
    tenant.login("github", user_id=7, profile={"name": "Octo"})
    user = tenant.login("github", user_id=7, profile={"name": "Renamed"}).user
    assert user.profile["name"] == "Octo" and user.logins_count == 2
    assert user.identities[0].user_id == 7  # the IdP's numeric id is kept as a number


def test_database_login_checks_the_password(tenant: Tenant) -> None:
    tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    assert tenant.login(DB, email="Ann@Example.com", password=PASSWORD).user.logins_count == 1
    for email, password in ((EMAIL, "wrong-Passw0rd"), ("nobody@example.com", PASSWORD)):
        with pytest.raises(OAuthError) as failed:
            tenant.login(DB, email=email, password=password)
        assert (failed.value.status, failed.value.error) == (403, "invalid_grant")
        assert failed.value.description == OAuthMsg.WRONG_CREDENTIALS


def test_passwordless_first_login_creates_a_verified_user(tenant: Tenant) -> None:
    user = tenant.login("email", email="Pat@Example.com").user
    assert user.user_id.startswith("email|")
    assert user.profile["email"] == "pat@example.com" and user.profile["email_verified"] is True
    assert tenant.login("email", email="pat@example.com").user.user_id == user.user_id


def test_a_blocked_user_login_is_counted_then_refused(tenant: Tenant) -> None:
    user = tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    tenant.update_user(user.user_id, {"blocked": True})
    with pytest.raises(OAuthError) as refused:
        tenant.login(DB, email=EMAIL, password=PASSWORD)
    assert (refused.value.status, refused.value.description) == (401, OAuthMsg.USER_BLOCKED)
    # A blocked user's login is still counted
    # (docs/auth0-behaviour.md#root-attributes, docs/auth0-behaviour.md#logins).
    assert tenant.get_user(user.user_id).logins_count == 1


def test_login_with_a_linked_identity_resolves_to_the_primary(tenant: Tenant) -> None:
    google = tenant.login("google-oauth2", user_id="1001", profile={"email": EMAIL}).user
    database = tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    tenant.link(google.user_id, "auth0", database.primary.user_id)
    # The database identity still logs in with its password, as the primary
    # (docs/auth0-behaviour.md#logins).
    result = tenant.login(DB, email=EMAIL, password=PASSWORD)
    assert result.user.user_id == google.user_id
    assert result.user.logins_count == 2
    claims = claims_of(tenant, result.id_token, tenant.management_client.client_id)
    assert claims["sub"] == google.user_id
    # Unlinked again, it is a user of its own and keeps its password.
    tenant.unlink(google.user_id, "auth0", database.primary.user_id)
    assert tenant.login(DB, email=EMAIL, password=PASSWORD).user.user_id == database.user_id


def test_login_for_another_client_and_with_a_user_access_token(tenant: Tenant) -> None:
    spa = tenant.create_client("SPA", app_type="spa", grant_types=())
    result = tenant.login(
        "google-oauth2", user_id="1", client_id=spa.client_id, scope="read:current_user"
    )
    assert claims_of(tenant, result.id_token, spa.client_id)["aud"] == spa.client_id
    principal = tenant.tokens.principal(result.access_token)
    assert principal.sub == "google-oauth2|1" and principal.azp == spa.client_id
    assert principal.scopes == {"read:current_user"}


# -- HTTP: POST /_fake/login ---------------------------------------------------------------------


def test_control_login_endpoint(tenant: Tenant, http: httpx.Client) -> None:
    response = http.post(
        "/_fake/login",
        json={"connection": "google-oauth2", "user_id": "77", "profile": {"email": EMAIL}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["user_id"] == "google-oauth2|77" and body["user"]["logins_count"] == 1
    assert claims_of(tenant, body["id_token"], tenant.management_client.client_id)["sub"] == (
        "google-oauth2|77"
    )


def test_control_login_refuses_bad_bodies(http: httpx.Client) -> None:
    missing = http.post("/_fake/login", json={"user_id": "77"})
    assert_error(missing, 400, "Invalid control request: connection is required")
    unknown = http.post("/_fake/login", json={"connection": "google-oauth2", "nope": 1})
    assert_error(unknown, 400, "Invalid control request: unknown login field(s): nope")
    wrong_type = http.post("/_fake/login", json={"connection": "google-oauth2", "profile": "x"})
    assert_error(wrong_type, 400, "Invalid control request: profile must be an object")
    no_connection = http.post("/_fake/login", json={"connection": "myspace", "user_id": "1"})
    assert_error(no_connection, 400, "The connection does not exist.", "inexistent_connection")


def test_control_login_wrong_password_is_an_oauth_error(tenant: Tenant, http: httpx.Client) -> None:
    tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    response = http.post("/_fake/login", json={"connection": DB, "email": EMAIL, "password": "x"})
    assert_oauth_error(response, 403, "invalid_grant", OAuthMsg.WRONG_CREDENTIALS)


# -- hooks ---------------------------------------------------------------------------------------


@pytest.fixture
def linking_tenant(tenant: Tenant) -> Tenant:
    tenant.add_hook(link_accounts_with_same_verified_email)
    return tenant


def database_user(tenant: Tenant, email: str = EMAIL, verified: bool = True) -> str:
    fields = {"connection": DB, "email": email, "password": PASSWORD, "email_verified": verified}
    return tenant.create_user({**fields, "user_metadata": {"lang": "fr"}}).user_id


def test_example_hook_links_a_new_social_login_into_the_existing_account(
    linking_tenant: Tenant,
) -> None:
    tenant = linking_tenant
    primary = database_user(tenant)
    result = tenant.login(
        "google-oauth2", user_id="1001", profile={"email": EMAIL, "email_verified": True}
    )
    # The existing account is the subject; the Google identity is its secondary.
    assert result.user.user_id == primary
    assert [i.provider for i in result.user.identities] == ["auth0", "google-oauth2"]
    assert result.user.user_metadata == {"lang": "fr"}
    assert claims_of(tenant, result.id_token, tenant.management_client.client_id)["sub"] == primary
    assert [u.user_id for u in tenant.list_users()] == [primary]
    # The next Google login resolves to the primary straight away.
    again = tenant.login("google-oauth2", user_id="1001", profile={"email": EMAIL})
    assert again.user.user_id == primary and len(again.user.identities) == 2


@pytest.mark.parametrize(
    ("db_verified", "social_email", "social_verified"),
    [
        (False, EMAIL, True),  # the existing account's e-mail is not verified
        (True, EMAIL, False),  # the new login's e-mail is not verified
        # users-by-email is case-sensitive (docs/auth0-behaviour.md#users-by-email)
        (True, "Ann@Example.com", True),
    ],
)
def test_example_hook_does_not_link(
    linking_tenant: Tenant, db_verified: bool, social_email: str, social_verified: bool
) -> None:
    database_user(linking_tenant, verified=db_verified)
    profile = {"email": social_email, "email_verified": social_verified}
    result = linking_tenant.login("google-oauth2", user_id="1001", profile=profile)
    assert result.user.user_id == "google-oauth2|1001"
    assert len(linking_tenant.list_users()) == 2


def test_example_hook_refuses_to_guess_between_candidates(linking_tenant: Tenant) -> None:
    database_user(linking_tenant)
    linking_tenant.add_social_user("google-oauth2", "9", {"email": EMAIL, "email_verified": True})
    with pytest.raises(OAuthError) as refused:
        profile = {"email": EMAIL, "email_verified": True}
        linking_tenant.login("google-oauth2", user_id="1001", profile=profile)
    assert (refused.value.error, refused.value.description) == ("access_denied", AMBIGUOUS_EMAIL)


def test_example_hook_through_http(linking_tenant: Tenant, http: httpx.Client) -> None:
    primary = database_user(linking_tenant)
    profile = {"email": EMAIL, "email_verified": True}
    body = {"connection": "google-oauth2", "user_id": "1001", "profile": profile}
    response = http.post("/_fake/login", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["user_id"] == primary


def test_set_primary_user_must_hold_the_login_identity(tenant: Tenant) -> None:
    other = database_user(tenant)

    def wrong_primary(event: LoginEvent, api: LoginApi) -> None:
        api.set_primary_user(other)  # without linking first

    tenant.add_hook(wrong_primary)
    with pytest.raises(OAuthError) as refused:
        tenant.login("google-oauth2", user_id="1001")
    assert refused.value.error == "access_denied"


def test_linking_the_login_user_away_needs_set_primary_user(tenant: Tenant) -> None:
    other = database_user(tenant)

    def link_only(event: LoginEvent, api: LoginApi) -> None:
        api.tenant.link(other, event.identity.provider, event.identity.user_id)

    tenant.add_hook(link_only)
    with pytest.raises(OAuthError) as refused:
        tenant.login("google-oauth2", user_id="1001")
    assert refused.value.description == OAuthMsg.PRIMARY_USER_NOT_SET.format(
        user_id="google-oauth2|1001"
    )


def test_hooks_see_the_login(tenant: Tenant) -> None:
    seen: list[tuple[str, bool, str]] = []

    @tenant.add_hook
    def record(event: LoginEvent, api: LoginApi) -> None:
        seen.append((event.user.user_id, event.first_login, event.ip))

    tenant.login("google-oauth2", user_id="5", ip="10.1.1.1")
    tenant.login("google-oauth2", user_id="5")
    assert seen == [("google-oauth2|5", True, "10.1.1.1"), ("google-oauth2|5", False, "127.0.0.1")]
