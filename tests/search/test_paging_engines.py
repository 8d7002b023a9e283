"""Paging, totals, sort, projection, engines and eventual consistency of GET /users
(docs/auth0-behaviour.md#paging-totals-and-consistency,
docs/auth0-behaviour.md#the-legacy-v2-engine)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant, create_app
from tests.search.conftest import ids
from tests.support import DB, PASSWORD, RawClient


@pytest.fixture
def many(tenant: Tenant) -> list[str]:
    return [
        tenant.create_user(
            {"connection": DB, "email": f"u{i:03d}@example.com", "password": PASSWORD}
        ).user_id
        for i in range(120)
    ]


def test_default_page_is_50_with_totals(
    auth0_management: ManagementClient, many: list[str]
) -> None:
    page = auth0_management.users.list(q="email:u*", search_engine="v3").response
    assert (page.start, page.limit, page.length, page.total) == (0, 50, 50, 120)
    assert [u.user_id for u in page.users] == many[:50]


def test_start_is_the_offset(auth0_management: ManagementClient, many: list[str]) -> None:
    # UNCONFIRMED whether start is the offset or the page index; we answer the offset.
    page = auth0_management.users.list(
        q="email:u*", search_engine="v3", page=2, per_page=25
    ).response
    assert (page.start, page.limit, page.length, page.total) == (50, 25, 25, 120)
    assert [u.user_id for u in page.users] == many[50:75]


def test_per_page_over_100_is_refused(auth0_management: ManagementClient, many: list[str]) -> None:
    with pytest.raises(ApiError) as caught:
        auth0_management.users.list(q="email:u*", search_engine="v3", per_page=101)
    assert caught.value.status_code == 400
    assert "greater than maximum 100" in caught.value.body["message"]


def test_only_the_first_1000_results_are_reachable(
    auth0_management: ManagementClient, many: Any
) -> None:
    assert ids(auth0_management.users.list(search_engine="v3", page=9, per_page=100)) == []
    with pytest.raises(ApiError) as caught:
        auth0_management.users.list(search_engine="v3", page=10, per_page=100)
    assert caught.value.status_code == 400
    assert caught.value.body["errorCode"] == "invalid_paging"


def test_sort_both_ways(auth0_management: ManagementClient, many: list[str]) -> None:
    down = ids(auth0_management.users.list(q="email:u00*", search_engine="v3", sort="email:-1"))
    assert down == list(reversed(many[:10]))
    up = ids(auth0_management.users.list(q="email:u00*", search_engine="v3", sort="email:1"))
    assert up == many[:10]


def test_sort_on_metadata_is_refused(raw: RawClient, many: list[str]) -> None:
    response = raw.get("users", params={"sort": "app_metadata.plan:1"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"


def test_fields_projection_and_bare_array(raw: RawClient, many: list[str]) -> None:
    params = {"q": 'email:"u001@example.com"', "fields": "email,user_id"}
    assert raw.get("users", params=params).json() == [
        {"email": "u001@example.com", "user_id": many[1]}
    ]
    excluded = raw.get("users", params={**params, "include_fields": "false"}).json()
    assert "email" not in excluded[0] and "identities" in excluded[0]
    ordered = raw.get("users", params={"q": "email:u00*", "primary_order": "false"}).json()
    assert [u["user_id"] for u in ordered] == many[:10]


def test_v1_and_v2_are_refused_on_a_tenant_of_today(raw: RawClient) -> None:
    v1 = raw.get("users", params={"q": "email:x", "search_engine": "v1"}).json()
    assert v1["message"] == "You are not allowed to use search_engine=v1."
    v2 = raw.get("users", params={"q": "email:x", "search_engine": "v2"}).json()
    assert v2["message"] == (
        "You are not allowed to use search_engine=v2. Use search_engine=v3 instead."
    )


def test_legacy_tenant_serves_the_classic_linking_rule_query() -> None:
    # The "link accounts with same e-mail" rule: email.raw, a quoted boolean, -user_id.
    tenant = Tenant("legacy.auth0.com", search_engine="v2")
    mine = tenant.create_user({"connection": DB, "email": "pat@x.com", "password": PASSWORD})
    other = tenant.add_social_user(
        "google-oauth2", "1", {"email": "pat@x.com", "email_verified": True}
    )
    http = httpx.Client(transport=httpx.WSGITransport(app=create_app(tenant)))
    mgmt = ManagementClient(
        domain=tenant.domain, token=tenant.management_token(), httpx_client=http
    )
    q = f'email.raw:"pat@x.com" AND email_verified: "true" -user_id:"{mine.user_id}"'
    assert ids(mgmt.users.list(q=q, search_engine="v2")) == [other.user_id]
    # v2 analyzed text: one word of the name matches, case folded; .raw is exact.
    assert ids(mgmt.users.list(q="email:x.com", search_engine="v2")) == [
        mine.user_id,
        other.user_id,
    ]
    assert ids(mgmt.users.list(q='email.raw:"PAT@x.com"', search_engine="v2")) == []
    assert ids(mgmt.users.list(q="logins_count:>=1", search_engine="v2")) == [other.user_id]
    # The same tenant still answers v3, with v3's rules.
    assert ids(mgmt.users.list(q="email:x.com", search_engine="v3")) == []


def test_search_lag_delays_search_but_not_direct_lookups(
    tenant: Tenant, auth0_management: ManagementClient
) -> None:
    # Search is eventually consistent; GET /users/{id} and users-by-email are not
    # (docs/auth0-behaviour.md#paging-totals-and-consistency).
    tenant.clock.freeze()
    tenant.search_lag = 2.0
    user = tenant.create_user({"connection": DB, "email": "late@x.com", "password": PASSWORD})
    assert ids(auth0_management.users.list(q="email:late@x.com", search_engine="v3")) == []
    assert auth0_management.users.get(user.user_id).email == "late@x.com"
    assert [u.user_id for u in auth0_management.users.list_users_by_email(email="late@x.com")] == [
        user.user_id
    ]
    tenant.clock.advance(1.9)
    assert ids(auth0_management.users.list(q="email:late@x.com", search_engine="v3")) == []
    tenant.clock.advance(0.2)
    assert ids(auth0_management.users.list(q="email:late@x.com", search_engine="v3")) == [
        user.user_id
    ]
    tenant.delete_user(user.user_id)
    assert ids(auth0_management.users.list(q="email:late@x.com", search_engine="v3")) == [
        user.user_id
    ]
    tenant.search_lag = 0  # switching the lag off catches up at once
    assert ids(auth0_management.users.list(q="email:late@x.com", search_engine="v3")) == []
