"""The linking rules on the tenant's records, without HTTP (docs/auth0-behaviour.md#account-linking,
docs/auth0-behaviour.md#unlinking)."""

from __future__ import annotations

import pytest

from fakeauth0 import Auth0Error, Tenant
from fakeauth0.errors import Msg
from fakeauth0.users import password_matches
from tests.support import DB, PASSWORD

EMAIL = "ann@example.com"


@pytest.fixture
def pair(tenant: Tenant) -> tuple[str, str]:
    tenant.clock.freeze(1_700_000_000)
    google = tenant.add_social_user(
        "google-oauth2",
        "1001",
        {"email": EMAIL, "email_verified": True, "name": "Ann", "locale": "en"},
    )
    database = tenant.create_user(
        {
            "connection": DB,
            "email": EMAIL,
            "password": PASSWORD,
            "family_name": "Lee",
            "user_metadata": {"lang": "fr"},
            "app_metadata": {"plan": "pro"},
        }
    )
    tenant.clock.advance(5)
    return google.user_id, database.user_id


def test_profile_data_is_the_secondary_profile_without_picture_or_nickname(
    tenant: Tenant, pair: tuple[str, str]
) -> None:
    _, database = pair
    primary = tenant.link(database, "google-oauth2", "1001")
    # A real Google secondary kept email, names and locale, not picture or nickname
    # (docs/auth0-behaviour.md#what-linking-changes, node-auth0 #781); user_id, dates and metadata
    # are never in it.
    assert primary.identities[1].profile_data == {
        "email": EMAIL,
        "email_verified": True,
        "name": "Ann",
        "locale": "en",
    }
    assert primary.identities[0].profile_data is None


def test_linking_leaves_the_primary_root_and_metadata_and_touches_updated_at(
    tenant: Tenant, pair: tuple[str, str]
) -> None:
    _, database = pair
    before = tenant.get_user(database)
    after = tenant.link(database, "google-oauth2", "1001")
    assert after.profile == before.profile
    assert (after.user_metadata, after.app_metadata) == ({"lang": "fr"}, {"plan": "pro"})
    assert after.created_at == before.created_at
    # linking updates the primary (docs/auth0-behaviour.md#what-linking-changes)
    assert after.updated_at == "2023-11-14T22:13:25.000Z"
    assert tenant.users_by_email(EMAIL) == [after]


def test_unlinked_identity_comes_back_from_profile_data(
    tenant: Tenant, pair: tuple[str, str]
) -> None:
    google, database = pair
    tenant.link(google, "auth0", database.split("|")[1])
    tenant.clock.advance(60)
    primary = tenant.unlink(google, "auth0", database.split("|")[1])
    assert [i.provider for i in primary.identities] == ["google-oauth2"]
    restored = tenant.get_user(database)
    assert restored.profile["family_name"] == "Lee" and restored.profile["email"] == EMAIL
    assert restored.profile["nickname"] == "ann"  # generated again, as for a new user
    assert restored.user_metadata == {} and restored.app_metadata == {}
    assert restored.created_at == restored.updated_at == "2023-11-14T22:14:25.000Z"
    assert restored.logins_count is None  # no login since it was re-created (CHOICES.md)
    assert password_matches(restored.password_hash, PASSWORD)


def test_link_errors_leave_the_tenant_unchanged(tenant: Tenant, pair: tuple[str, str]) -> None:
    google, database = pair
    before = {u.user_id: u.to_json() for u in tenant.list_users()}
    cases = [
        ((google, "google-oauth2", "1001"), 400, Msg.LINK_SAME_IDENTITY),
        ((google, "auth0", "nope"), 400, Msg.LINK_INEXISTENT_IDENTITY),
        ((google, "github", "1"), 400, Msg.LINK_PROVIDER_NOT_CONFIGURED),
        (("auth0|nobody", "auth0", database.split("|")[1]), 404, Msg.USER_NOT_FOUND),
    ]
    for args, status, message in cases:
        with pytest.raises(Auth0Error) as failed:
            tenant.link(*args)
        assert (failed.value.status, failed.value.message) == (status, message)
    assert {u.user_id: u.to_json() for u in tenant.list_users()} == before


def test_connection_id_of_another_database_reads_as_no_such_identity(
    tenant: Tenant, pair: tuple[str, str]
) -> None:
    google, database = pair
    other = tenant.create_connection("Other-DB", "auth0")
    with pytest.raises(Auth0Error) as failed:
        tenant.link(google, "auth0", database.split("|")[1], connection_id=other.id)
    assert failed.value.message == Msg.LINK_INEXISTENT_IDENTITY


def test_a_linked_database_identity_still_holds_its_email_in_its_connection(
    tenant: Tenant, pair: tuple[str, str]
) -> None:
    # The database user lives on as a secondary identity of the Google user; its connection
    # still holds the e-mail, so signing up again with it is Auth0's 409
    # (docs/auth0-behaviour.md#creating-users).
    google, database = pair
    tenant.link(google, "auth0", database.split("|")[1])
    with pytest.raises(Auth0Error) as caught:
        tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    assert (caught.value.status, caught.value.message) == (409, Msg.USER_EXISTS)
    # Once unlinked it is a standalone user again: still a duplicate.
    tenant.unlink(google, "auth0", database.split("|")[1])
    with pytest.raises(Auth0Error):
        tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    # Deleted for good, the e-mail is free.
    tenant.delete_user(database)
    assert tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
