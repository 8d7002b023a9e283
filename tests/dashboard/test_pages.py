"""The dashboard over WSGI, without a browser: what each page shows, what each form does, and
what it refuses (cross-site requests, bad JSON, secrets in the page)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import Client, TestResponse

from fakeauth0 import Tenant, create_app
from fakeauth0.http.hosts import HostRouter
from fakeauth0.registry import TenantRegistry
from tests.support import DB, PASSWORD

BASE = "/_fake/dashboard"
GOOGLE_ID = "103547991597142817347"


@pytest.fixture
def client(tenant: Tenant) -> Client:
    return Client(create_app(tenant))


def token_of(page: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def post(client: Client, path: str, **form: str) -> TestResponse:
    """A form post from the dashboard's own page (same origin, with its token)."""
    token = form.pop("csrf_token", None) or token_of(client.get(BASE))
    return client.post(
        BASE + path, data={"csrf_token": token, **form}, headers={"Origin": "http://localhost"}
    )


def listed_ids(page: TestResponse) -> list[str]:
    return [
        parse_qs(urlsplit(href).query)["id"][0]
        for href in re.findall(r'href="([^"]*/user\?id=[^"]*)"', page.text.replace("&amp;", "&"))
    ]


def two_anns(tenant: Tenant) -> tuple[str, str]:
    """A database user and a Google user with the same e-mail: the walkthrough's start."""
    db = tenant.create_user({"connection": DB, "email": "ann@example.com", "password": PASSWORD})
    google = tenant.add_social_user("google-oauth2", GOOGLE_ID, {"email": "ann@example.com"})
    tenant.update_user(google.user_id, {"user_metadata": {"source": "google"}})
    return db.user_id, google.user_id


def test_the_list_shows_primaries_only_and_a_linked_account_under_identities(
    tenant: Tenant, client: Client
) -> None:
    db_id, google_id = two_anns(tenant)
    assert sorted(listed_ids(client.get(BASE))) == sorted([db_id, google_id])

    linked = post(client, "/link", user_id=db_id, secondary_id=google_id)

    assert linked.status_code == 303
    assert linked.headers["Location"].endswith("notice=linked")
    assert listed_ids(client.get(BASE)) == [db_id]
    page = client.get(linked.headers["Location"])
    assert "Account linked" in page.text
    assert f"Unlink {google_id}" in page.text
    assert "profileData" in page.text
    assert [i.provider for i in tenant.get_user(db_id).identities] == ["auth0", "google-oauth2"]


def test_unlink_brings_the_account_back_without_its_metadata(
    tenant: Tenant, client: Client
) -> None:
    db_id, google_id = two_anns(tenant)
    tenant.link(db_id, "google-oauth2", GOOGLE_ID)

    unlinked = post(
        client, "/unlink", user_id=db_id, provider="google-oauth2", identity_user_id=GOOGLE_ID
    )

    assert unlinked.status_code == 303
    assert sorted(listed_ids(client.get(BASE))) == sorted([db_id, google_id])
    back = client.get(f"{BASE}/user", query_string={"id": google_id})
    assert back.status_code == 200
    assert re.search(r'<pre id="user-metadata"[^>]*>\{\}</pre>', back.text)
    assert tenant.get_user(google_id).user_metadata == {}


def test_a_link_refused_by_the_domain_shows_its_message_and_changes_nothing(
    tenant: Tenant, client: Client
) -> None:
    db_id, _ = two_anns(tenant)
    bad_shape = post(client, "/link", user_id=db_id, secondary_id="no-bar-here")
    missing = post(client, "/link", user_id=db_id, secondary_id="google-oauth2|999")
    itself = post(client, "/link", user_id=db_id, secondary_id=db_id)

    assert bad_shape.status_code == 400 and "provider|id" in bad_shape.text
    assert missing.status_code == 400 and 'role="alert"' in missing.text
    assert itself.status_code == 400
    assert len(tenant.get_user(db_id).identities) == 1
    assert len(tenant.list_users()) == 2


def test_metadata_editing_replaces_the_objects(tenant: Tenant, client: Client) -> None:
    user = tenant.create_user({"connection": DB, "email": "m@example.com", "password": PASSWORD})
    tenant.update_user(user.user_id, {"user_metadata": {"keep": 1, "drop": 2}})

    saved = post(
        client,
        "/metadata",
        user_id=user.user_id,
        user_metadata='{"keep": 1, "added": {"nested": true}}',
        app_metadata='{"plan": "pro"}',
    )

    assert saved.status_code == 303
    stored = tenant.get_user(user.user_id)
    assert stored.user_metadata == {"keep": 1, "added": {"nested": True}}
    assert stored.app_metadata == {"plan": "pro"}
    cleared = post(client, "/metadata", user_id=user.user_id, user_metadata="{}", app_metadata="")
    assert cleared.status_code == 303
    assert tenant.get_user(user.user_id).user_metadata == {}
    assert tenant.get_user(user.user_id).app_metadata == {}


@pytest.mark.parametrize(
    ("text", "says"),
    [('{"a": ', "is not valid JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_bad_metadata_is_refused_and_the_draft_kept(
    tenant: Tenant, client: Client, text: str, says: str
) -> None:
    user = tenant.create_user({"connection": DB, "email": "m@example.com", "password": PASSWORD})
    tenant.update_user(user.user_id, {"user_metadata": {"keep": 1}})

    refused = post(client, "/metadata", user_id=user.user_id, user_metadata=text, app_metadata="")

    assert refused.status_code == 400
    assert says in refused.text
    assert "<details open>" in refused.text  # the editor stays open with the draft in it
    assert tenant.get_user(user.user_id).user_metadata == {"keep": 1}


def test_auth0_metadata_rules_apply(tenant: Tenant, client: Client) -> None:
    user = tenant.create_user({"connection": DB, "email": "m@example.com", "password": PASSWORD})
    refused = post(
        client, "/metadata", user_id=user.user_id, user_metadata='{"a.b": 1}', app_metadata=""
    )
    assert refused.status_code == 400
    assert tenant.get_user(user.user_id).user_metadata == {}


def test_create_user_and_its_errors(tenant: Tenant, client: Client) -> None:
    created = post(client, "/users", connection=DB, email="New@Example.com", password=PASSWORD)
    assert created.status_code == 303
    user_id = parse_qs(urlsplit(created.headers["Location"]).query)["id"][0]
    assert tenant.get_user(user_id).email == "new@example.com"

    again = post(client, "/users", connection=DB, email="new@example.com", password=PASSWORD)
    assert again.status_code == 409
    assert "The user already exists." in again.text
    assert 'value="new@example.com"' in again.text  # the form keeps what was typed...
    assert PASSWORD not in again.text  # ...but never the password
    weak = post(client, "/users", connection=DB, email="weak@example.com", password="a")
    assert weak.status_code == 400
    assert len(tenant.list_users()) == 1


def test_simulated_login_counts_and_creates_social_users(tenant: Tenant, client: Client) -> None:
    first = post(
        client, "/login", connection="google-oauth2", email="g@example.com", login_user_id="42"
    )
    assert first.status_code == 303
    assert "google-oauth2%7C42" in first.headers["Location"]
    again = post(client, "/login", connection="google-oauth2", login_user_id="42")
    assert again.status_code == 303
    assert tenant.get_user("google-oauth2|42").logins_count == 2
    page = client.get(again.headers["Location"])
    assert re.search(r'id="logins-count">2<', page.text)
    assert "eyJ" not in page.text  # no ID token (a JWT) in the page


def test_a_failed_login_says_why(tenant: Tenant, client: Client) -> None:
    tenant.create_user({"connection": DB, "email": "d@example.com", "password": PASSWORD})
    wrong = post(client, "/login", connection=DB, email="d@example.com", password="nope")
    assert wrong.status_code == 403
    assert "Wrong email or password." in wrong.text
    assert tenant.list_users()[0].logins_count is None


def test_the_user_page_shows_the_users_events_newest_first(tenant: Tenant, client: Client) -> None:
    """The user's events, as ``GET /api/v2/users/{id}/logs`` lists them
    (docs/auth0-behaviour.md#tenant-logs)."""
    user = tenant.create_user({"connection": DB, "email": "e@example.com", "password": PASSWORD})
    empty = client.get(f"{BASE}/user", query_string={"id": user.user_id})
    assert "No events." in empty.text
    post(client, "/login", connection=DB, email="e@example.com", password="nope")
    tenant.login(DB, email="e@example.com", password=PASSWORD)
    page = client.get(f"{BASE}/user", query_string={"id": user.user_id})
    table = page.text.split('id="user-logs"')[1].split("</table>")[0]
    rows = re.findall(r'<span class="mono">(\w+)</span> ([^<]+)</td>', table)
    assert rows == [("s", "Success Login"), ("fp", "Failed Login (Incorrect Password)")]
    assert "Wrong email or password." in table


def test_reset_returns_to_the_seed(tenant: Tenant, client: Client) -> None:
    tenant.create_user({"connection": DB, "email": "gone@example.com", "password": PASSWORD})
    done = post(client, "/reset")
    assert done.status_code == 303
    assert tenant.list_users() == []
    assert "Tenant reset" in client.get(done.headers["Location"]).text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_forms_are_refused_even_with_the_token(
    tenant: Tenant, client: Client, headers: dict[str, str]
) -> None:
    token = token_of(client.get(BASE))
    response = client.post(
        BASE + "/users",
        data={
            "csrf_token": token,
            "connection": DB,
            "email": "x@example.com",
            "password": PASSWORD,
        },
        headers=headers,
    )
    assert response.status_code == 403
    assert tenant.list_users() == []


@pytest.mark.parametrize("token", ["", "guessed"])
def test_forms_without_the_tenants_token_are_refused(
    tenant: Tenant, client: Client, token: str
) -> None:
    tenant.create_user({"connection": DB, "email": "keep@example.com", "password": PASSWORD})
    response = client.post(BASE + "/reset", data={"csrf_token": token} if token else {})
    assert response.status_code == 403
    assert "Reload the page" in response.text
    assert len(tenant.list_users()) == 1


def test_the_token_is_per_tenant(tenant: Tenant, client: Client) -> None:
    other = Client(create_app(Tenant("other.auth0.com")))
    other_token = token_of(other.get(BASE))
    assert other_token != token_of(client.get(BASE))
    tenant.create_user({"connection": DB, "email": "keep@example.com", "password": PASSWORD})
    assert post(client, "/reset", csrf_token=other_token).status_code == 403
    assert len(tenant.list_users()) == 1


def test_no_secrets_in_any_page(tenant: Tenant, client: Client) -> None:
    db_id, _ = two_anns(tenant)
    tenant.link(db_id, "google-oauth2", GOOGLE_ID)
    login = post(client, "/login", connection=DB, email="ann@example.com", password=PASSWORD)
    pages = [client.get(BASE), client.get(f"{BASE}/user", query_string={"id": db_id})]
    pages.append(client.get(login.headers["Location"]))
    stored = tenant.get_user(db_id)
    secrets = [tenant.management_client.client_secret, PASSWORD, stored.password_hash]
    for page in pages:
        assert page.status_code == 200
        for secret in secrets:
            assert secret and secret not in page.text
        assert "eyJ" not in page.text  # no JWT
        assert "password_hash" not in page.text


def test_user_content_is_escaped_and_pages_run_no_script(tenant: Tenant, client: Client) -> None:
    user = tenant.add_social_user(
        "google-oauth2", "7", {"email": "x@example.com", "name": "<script>alert(1)</script>"}
    )
    for page in (client.get(BASE), client.get(f"{BASE}/user", query_string={"id": user.user_id})):
        assert "<script>alert(1)" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert page.headers["X-Frame-Options"] == "DENY"


def test_search_uses_the_v3_syntax_and_pages(tenant: Tenant, client: Client) -> None:
    for n in range(12):
        tenant.create_user(
            {"connection": DB, "email": f"u{n:02}@example.com", "password": PASSWORD}
        )
    tenant.add_social_user("google-oauth2", "1", {"email": "g@example.com"})

    found = client.get(BASE, query_string={"q": 'identities.connection:"google-oauth2"'})
    assert listed_ids(found) == ["google-oauth2|1"]
    first = client.get(BASE, query_string={"per_page": "10"})
    assert len(listed_ids(first)) == 10
    assert "Page 1 of 2" in first.text
    assert "Showing 1 to 10 of 13 users" in first.text
    second = client.get(BASE, query_string={"per_page": "10", "page": "2"})
    assert len(listed_ids(second)) == 3
    assert not set(listed_ids(first)) & set(listed_ids(second))
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_a_query_the_engine_refuses_is_explained(tenant: Tenant, client: Client) -> None:
    refused = client.get(BASE, query_string={"q": "email:("})
    assert refused.status_code == 400
    assert "Invalid query string" in refused.text
    assert 'value="email:("' in refused.text


def test_an_unknown_user_is_a_404_page(client: Client) -> None:
    page = client.get(f"{BASE}/user", query_string={"id": "auth0|nobody"})
    assert page.status_code == 404
    assert "User not found" in page.text
    assert page.mimetype == "text/html"


def test_dashboard_requests_are_not_auth0_calls(tenant: Tenant, client: Client) -> None:
    client.get(BASE)
    post(client, "/reset")
    assert list(tenant.calls) == []


def test_tenant_switching_through_the_server_registry() -> None:
    registry = TenantRegistry()
    first, second = Tenant("a.example.com"), Tenant("b.example.com")
    registry.add(first)
    registry.add(second)
    second.create_user({"connection": DB, "email": "bee@example.com", "password": PASSWORD})
    client = Client(HostRouter(registry))

    home = client.get(BASE)
    assert '<option value="b.example.com">' in home.text
    switched = client.get(f"{BASE}/switch", query_string={"tenant": "b.example.com"})
    assert switched.status_code == 303
    assert switched.headers["Location"] == "/_tenants/b.example.com/_fake/dashboard"
    there = client.get(switched.headers["Location"])
    assert 'id="current-tenant">b.example.com<' in there.text
    assert "bee@example.com" in there.text
    # Links and forms stay under the prefix, so every action reaches the same tenant.
    assert 'action="/_tenants/b.example.com/_fake/dashboard/reset"' in there.text
    back = client.get(
        "/_tenants/b.example.com/_fake/dashboard/switch", query_string={"tenant": "a.example.com"}
    )
    assert back.headers["Location"] == "/_tenants/a.example.com/_fake/dashboard"
    assert client.get(f"{BASE}/switch", query_string={"tenant": "c.example"}).status_code == 404


def test_one_tenant_offers_no_switcher(client: Client) -> None:
    page = client.get(BASE)
    assert "Switch tenant" not in page.text
    assert client.get(f"{BASE}/switch", query_string={"tenant": "x"}).status_code == 404
