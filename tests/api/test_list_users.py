"""GET /api/v2/users (paging, totals) and GET /api/v2/users-by-email
(docs/auth0-behaviour.md#paging-totals-and-consistency, docs/auth0-behaviour.md#users-by-email)."""

from __future__ import annotations

import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant
from tests.support import RawClient, assert_error


@pytest.fixture
def five(raw: RawClient) -> list[str]:
    return [raw.create_user(email=f"user{i}@b.co")["user_id"] for i in range(5)]


def test_bare_array_by_default(raw: RawClient, five: list[str]) -> None:
    body = raw.get("users").json()
    assert isinstance(body, list)
    assert [u["user_id"] for u in body] == five


def test_page_and_per_page(raw: RawClient, five: list[str]) -> None:
    page1 = raw.get("users", params={"page": 1, "per_page": 2}).json()
    assert [u["user_id"] for u in page1] == five[2:4]
    assert raw.get("users", params={"page": 3, "per_page": 2}).json() == []


def test_include_totals_envelope(raw: RawClient, five: list[str]) -> None:
    # CHOICES.md "include_totals start": start is the offset page*per_page.
    body = raw.get("users", params={"page": 2, "per_page": 2, "include_totals": "true"}).json()
    assert {k: v for k, v in body.items() if k != "users"} == {
        "start": 4,
        "limit": 2,
        "length": 1,
        "total": 5,
    }
    assert [u["user_id"] for u in body["users"]] == five[4:]


def test_sdk_pager_walks_every_page(auth0_management: ManagementClient, five: list[str]) -> None:
    # The SDK asks include_totals=true by default and follows pages itself.
    assert [u.user_id for u in auth0_management.users.list(per_page=2)] == five


def test_fields_projection_on_lists(raw: RawClient, five: list[str]) -> None:
    rows = raw.get("users", params={"fields": "user_id", "include_fields": "true"}).json()
    assert rows == [{"user_id": uid} for uid in five]


def test_per_page_over_100_is_refused(raw: RawClient) -> None:
    # node-auth0 #648: the real wording.
    response = raw.get("users", params={"per_page": 101})
    assert_error(
        response,
        400,
        "Query validation error: 'Value 101 is greater than maximum 100' on property per_page "
        "(Number of results per page. Defaults to 50).",
        "invalid_query_string",
    )


def test_paging_beyond_the_first_1000_is_refused(raw: RawClient) -> None:
    response = raw.get("users", params={"page": 10, "per_page": 100})
    assert_error(
        response,
        400,
        "You can only page through the first 1000 records. See "
        "https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation",
        "invalid_paging",
    )


def test_wrong_types_and_unknown_query_parameters(raw: RawClient) -> None:
    assert_error(
        raw.get("users", params={"page": "first"}),
        400,
        "Query validation error: 'Expected type integer but found type string' on property page...",
        "invalid_query_string",
    )
    assert_error(
        raw.get("users", params={"limit": 5}),
        400,
        "Query validation error: 'Additional properties not allowed: limit'.",
        "invalid_query_string",
    )


def test_old_search_engines_are_refused(raw: RawClient) -> None:
    assert_error(
        raw.get("users", params={"search_engine": "v2"}),
        400,
        "You are not allowed to use search_engine=v2. Use search_engine=v3 instead.",
        "invalid_query_string",
    )


def test_listing_needs_read_users(raw: RawClient) -> None:
    response = raw.get("users", scopes=["create:users"])
    assert_error(
        response,
        403,
        "Insufficient scope, expected any of: read:users,read:user_idp_tokens",
        "insufficient_scope",
    )


# -- /users-by-email --------------------------------------------------------------------------


def test_users_by_email_is_exact(auth0_management: ManagementClient, raw: RawClient) -> None:
    user_id = raw.create_user(email="ann@b.co")["user_id"]
    raw.create_user(email="anna@b.co")
    found = auth0_management.users.list_users_by_email(email="ann@b.co")
    assert [u.user_id for u in found] == [user_id]
    assert raw.get("users-by-email", params={"email": "ann@b"}).json() == []


def test_users_by_email_is_case_sensitive(tenant: Tenant, raw: RawClient) -> None:
    # docs/auth0-behaviour.md#users-by-email: DB e-mails are stored lower-case, IdP e-mails keep
    # their casing, and the look-up is case-sensitive, so "Ann@Gmail.com" from Google is missed by
    # "ann@gmail.com".
    social = tenant.add_social_user("google-oauth2", "1080", {"email": "Ann@Gmail.com"})
    db_id = raw.create_user(email="Ann@Gmail.com")["user_id"]
    upper = raw.get("users-by-email", params={"email": "Ann@Gmail.com"}).json()
    lower = raw.get("users-by-email", params={"email": "ann@gmail.com"}).json()
    assert [u["user_id"] for u in upper] == [social.user_id]
    assert [u["user_id"] for u in lower] == [db_id]


def test_users_by_email_returns_one_user_per_connection(raw: RawClient) -> None:
    db_id = raw.create_user(email="ann@b.co")["user_id"]
    email_id = raw.post("users", json={"connection": "email", "email": "ann@b.co"}).json()[
        "user_id"
    ]
    rows = raw.get("users-by-email", params={"email": "ann@b.co", "fields": "user_id"}).json()
    assert sorted(r["user_id"] for r in rows) == sorted([db_id, email_id])
    assert all(set(r) == {"user_id"} for r in rows)


def test_users_by_email_requires_email(raw: RawClient) -> None:
    assert_error(
        raw.get("users-by-email"),
        400,
        "Query validation error: 'Missing required property: email'.",
        "invalid_query_string",
    )
    assert_error(
        raw.get("users-by-email", params={"email": "a@b.co", "page": 0}),
        400,
        "Query validation error: 'Additional properties not allowed: page'.",
        "invalid_query_string",
    )


def test_users_by_email_matches_primaries_only(tenant: Tenant, raw: RawClient) -> None:
    # docs/auth0-behaviour.md#users-by-email: a linked secondary is no longer a user record, so its
    # e-mail is not found.
    primary_id = raw.create_user(email="ann@b.co")["user_id"]
    tenant.add_social_user("google-oauth2", "1080", {"email": "Ann@Gmail.com"})
    tenant.link(primary_id, "google-oauth2", "1080")
    assert raw.get("users-by-email", params={"email": "Ann@Gmail.com"}).json() == []
    rows = raw.get("users-by-email", params={"email": "ann@b.co"}).json()
    assert [r["user_id"] for r in rows] == [primary_id]
    assert [i["provider"] for i in rows[0]["identities"]] == ["auth0", "google-oauth2"]
