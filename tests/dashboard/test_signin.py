"""The dashboard behind ``serve --control-token``: a browser signs in with the token once.

A browser cannot send the ``X-Fake-Control-Token`` header, so the pages offer a sign-in form;
the right token sets an HttpOnly, SameSite=Strict session cookie that opens the dashboard's
pages and nothing else of the control plane.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client, TestResponse

from fakeauth0 import Tenant
from fakeauth0.dashboard.access import COOKIE, session_value
from fakeauth0.http.hosts import HostRouter
from fakeauth0.registry import TenantRegistry
from tests.support import DB, PASSWORD

BASE = "/_fake/dashboard"
TOKEN = "s3cret-control-token"
SAME_SITE = {"Origin": "http://localhost"}


@pytest.fixture
def registry() -> TenantRegistry:
    registry = TenantRegistry()
    registry.add(Tenant("localhost"))
    registry.add(Tenant("b.example.com"))
    return registry


@pytest.fixture
def client(registry: TenantRegistry) -> Client:
    return Client(HostRouter(registry, control_token=TOKEN))


def _csrf(page: TestResponse) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _sign_in(client: Client, token: str = TOKEN, prefix: str = "") -> TestResponse:
    form = client.get(f"{prefix}{BASE}/signin")
    return client.post(
        f"{prefix}{BASE}/signin",
        data={"csrf_token": _csrf(form), "token": token},
        headers=SAME_SITE,
    )


def test_a_browser_without_a_session_is_sent_to_the_sign_in_form(client: Client) -> None:
    home = client.get(BASE)
    assert home.status_code == 303
    assert home.headers["Location"] == f"{BASE}/signin"
    form = client.get(f"{BASE}/signin")
    assert form.status_code == 200
    assert 'type="password"' in form.text and 'name="token"' in form.text
    # Nothing of the tenants before signing in: no user, no switcher listing other domains.
    assert "b.example.com" not in form.text
    # A form posted without a session is refused with the form, not acted on.
    refused = client.post(f"{BASE}/reset", data={"csrf_token": "x"}, headers=SAME_SITE)
    assert refused.status_code == 401 and 'name="token"' in refused.text


def test_the_right_token_sets_a_session_cookie_that_opens_the_pages(
    client: Client, registry: TenantRegistry
) -> None:
    registry.get("localhost").create_user(  # type: ignore[union-attr]
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    )
    signed = _sign_in(client)
    assert signed.status_code == 303 and signed.headers["Location"] == BASE
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie  # an HMAC of the token, never the token
    home = client.get(BASE)
    assert home.status_code == 200 and "ann@example.com" in home.text
    # Forms work as without a token (their CSRF token still checked).
    created = client.post(
        f"{BASE}/users",
        data={
            "csrf_token": _csrf(home),
            "connection": DB,
            "email": "bob@example.com",
            "password": PASSWORD,
        },
        headers=SAME_SITE,
    )
    assert created.status_code == 303, created.text
    assert registry.get("localhost").users.by_email("bob@example.com")  # type: ignore[union-attr]


def test_a_wrong_token_is_refused_and_sets_nothing(client: Client) -> None:
    refused = _sign_in(client, token="guess")
    assert refused.status_code == 401
    assert "Set-Cookie" not in refused.headers
    assert "not this server" in refused.text
    assert client.get(BASE).status_code == 303


def test_the_session_opens_no_json_control_endpoint(client: Client) -> None:
    """The cookie is for pages whose forms carry a CSRF token; the JSON control plane (reset,
    snapshot, clock...) still needs the token in a header."""
    _sign_in(client)
    assert client.get(BASE).status_code == 200
    for path in ("/_fake/tenant", "/_fake/snapshot", "/_fake/tenants"):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert refused.json["error"] == "Unauthorized"
    assert client.get("/_fake/tenant", headers={"X-Fake-Control-Token": TOKEN}).status_code == 200


def test_a_cross_site_sign_in_is_refused(client: Client) -> None:
    form = client.get(f"{BASE}/signin")
    forged = client.post(
        f"{BASE}/signin",
        data={"csrf_token": _csrf(form), "token": TOKEN},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert "Set-Cookie" not in forged.headers


def test_a_cookie_made_for_another_token_opens_nothing(registry: TenantRegistry) -> None:
    client = Client(HostRouter(registry, control_token=TOKEN))
    client.set_cookie(COOKIE, session_value("another-token"))
    assert client.get(BASE).status_code == 303
    client.set_cookie(COOKIE, session_value(TOKEN))
    assert client.get(BASE).status_code == 200


def test_scripts_still_use_the_header_and_a_prefixed_tenant_keeps_its_prefix(
    client: Client,
) -> None:
    page = client.get(BASE, headers={"X-Fake-Control-Token": TOKEN})
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    prefix = "/_tenants/b.example.com"
    away = client.get(f"{prefix}{BASE}")
    assert away.status_code == 303 and away.headers["Location"] == f"{prefix}{BASE}/signin"
    signed = _sign_in(client, prefix=prefix)
    assert signed.headers["Location"] == f"{prefix}{BASE}"
    there = client.get(f"{prefix}{BASE}")
    assert there.status_code == 200 and 'id="current-tenant">b.example.com<' in there.text
    # One sign-in serves every tenant of the server (the cookie's path is "/").
    assert client.get(BASE).status_code == 200


def test_without_a_control_token_there_is_no_sign_in(registry: TenantRegistry) -> None:
    client = Client(HostRouter(registry))
    assert client.get(BASE).status_code == 200
    assert client.get(f"{BASE}/signin").status_code == 404
    # The control plane switched off keeps the dashboard off, token or not: no form to find.
    off = Client(HostRouter(registry, control=False, control_token=TOKEN))
    for path in (BASE, f"{BASE}/signin"):
        assert off.get(path).status_code == 404
    assert off.post(f"{BASE}/signin", data={"token": TOKEN}).status_code == 404
