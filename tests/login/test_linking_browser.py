"""Account linking on login, driven by a real browser (Playwright in Debian's Chromium) through
the hosted login page and the simulated Google: a database user and a Google identity share a
verified e-mail; on the Google login the tenant's own login pipeline links them — on a legacy
tenant by the gallery's classic rule (tests/node/rules/, verbatim), on today's tenant by a
post-login Action with node's ``auth0`` SDK — and the app receives tokens for the one primary,
which holds the Google identity with its ``profileData``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from fakeauth0 import Tenant
from fakeauth0.server import FakeAuth0Server
from tests.dashboard.conftest import browser  # noqa: F401  (the module's Chromium)
from tests.login.test_linking_action import LINK_ACTION
from tests.login.test_rules_on_login import _seed_rule

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
]

DB = "Username-Password-Authentication"
EMAIL = "grace@example.com"
PASSWORD = "Passw0rd!long"
CALLBACK = "https://app.example.com/callback"


def _serve(**options: Any) -> Iterator[tuple[FakeAuth0Server, Tenant, Any]]:
    server = FakeAuth0Server(**options)
    server.start()
    tenant = server.tenant
    tenant.action_timeout = 20.0
    web = tenant.create_client_from(
        {"name": "Web", "app_type": "regular_web", "callbacks": [CALLBACK]}
    )
    database = tenant.create_user(
        {"connection": DB, "email": EMAIL, "password": PASSWORD, "email_verified": True}
    )
    google = tenant.connection("google-oauth2")
    tenant.set_connection_clients(google.id, [{"client_id": web.client_id, "status": True}])
    try:
        yield server, tenant, (web, database)
    finally:
        server.stop()


def _google_login(browser: Browser, server: FakeAuth0Server, client_id: str) -> str:  # noqa: F811
    """The app's /authorize, the login page's Google button, the IdP page: the callback URL."""
    context = browser.new_context()
    page = context.new_page()
    landed: list[str] = []

    def callback(route: Any) -> None:
        landed.append(route.request.url)
        route.fulfill(status=200, body="signed in")

    page.route(CALLBACK + "*", callback)
    query = {
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "xyz",
    }
    page.goto(f"{server.url}/authorize?{urlencode(query)}")
    page.click("button[data-provider='google-oauth2']")
    page.fill("#email", EMAIL)
    page.fill("#user_id", "112233")
    page.check("#email_verified")
    page.click("button[data-action-button-primary='true']")
    page.wait_for_url(CALLBACK + "*")
    context.close()
    assert landed, "the browser never reached the app's callback"
    return landed[-1]


def _subject(server: FakeAuth0Server, web: Any, callback: str) -> str:
    query = parse_qs(urlsplit(callback).query)
    assert "code" in query, query
    tokens = httpx.post(
        f"{server.url}/oauth/token",
        json={
            "grant_type": "authorization_code",
            "client_id": web.client_id,
            "client_secret": web.client_secret,
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
        },
    ).json()
    return str(jwt.decode(tokens["id_token"], options={"verify_signature": False})["sub"])


def _linked(tenant: Tenant, primary_id: str) -> None:
    primary = tenant.get_user(primary_id)
    assert [i.provider for i in primary.identities] == ["auth0", "google-oauth2"]
    assert (primary.identities[1].profile_data or {}).get("email") == EMAIL
    assert tenant.users.get("google-oauth2|112233") is None


def test_the_classic_rule_links_on_a_legacy_tenant(browser: Browser) -> None:  # noqa: F811
    for server, tenant, (web, database) in _serve(search_engine="v2", rules=True):
        tenant.create_rule({"name": "link-accounts", "script": _seed_rule(), "order": 1})
        callback = _google_login(browser, server, web.client_id)
        assert _subject(server, web, callback) == database.user_id
        _linked(tenant, database.user_id)


def test_a_post_login_action_links_on_today_s_tenant(browser: Browser) -> None:  # noqa: F811
    for server, tenant, (web, database) in _serve():
        client = tenant.management_client
        tenant.add_action(
            LINK_ACTION,
            name="link-accounts",
            secrets={
                "DOMAIN": tenant.domain,
                "CLIENT_ID": client.client_id,
                "CLIENT_SECRET": client.client_secret,
            },
            dependencies=[{"name": "auth0", "version": "4.37.0"}],
        )
        callback = _google_login(browser, server, web.client_id)
        assert _subject(server, web, callback) == database.user_id
        _linked(tenant, database.user_id)
