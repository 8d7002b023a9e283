"""A user's life on the hosted pages, in a real browser (Chromium driven by Playwright): sign up
on the sign-up screen, follow the verification e-mail's link from the outbox (it verifies the
user once, and only once); ask for a password reset, follow the reset e-mail's link to the
reset-password page, choose a new password that then logs in on the login page while the old
one no longer does (the login page's "Forgot password?" link leads to the request); log in
with an e-mail code on the passwordless screens.

Auth0's behaviour: the e-mails and their tickets
(https://auth0.com/docs/customize/email/email-templates/email-template-descriptions), the
password reset (https://auth0.com/docs/authenticate/database-connections/password-change), the
passwordless flow of Universal Login
(https://auth0.com/docs/authenticate/passwordless/implement-login/universal-login) and
docs/auth0-behaviour.md#passwordless-on-the-login-page. The app's callback is answered by the
test itself (a routed page), so no request leaves the machine. Screenshots go to
``test-artifacts/login/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from fakeauth0 import Client, Tenant
from fakeauth0.server import FakeAuth0Server
from fakeauth0.tickets import TicketMsg
from tests.dashboard.conftest import CHROMIUM, CHROMIUM_ARGS, _missing
from tests.support import DB, PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'"
).expect

CALLBACK = "https://app.example.com/callback"
EMAIL = "grace@example.com"
NEW_PASSWORD = "N3w-Passw0rd!x"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "login"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched as tests/dashboard/conftest.py launches it; missing, the
    tests skip (and fail under CI, so a missing browser never passes for green)."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the lifecycle browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server() -> Iterator[FakeAuth0Server]:
    with FakeAuth0Server() as running:
        yield running


@pytest.fixture
def tenant(server: FakeAuth0Server) -> Tenant:
    return server.tenant


@pytest.fixture
def app(tenant: Tenant) -> Client:
    return tenant.create_client_from(
        {"name": "Lifecycle app", "app_type": "regular_web", "callbacks": [CALLBACK]}
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.set_default_timeout(10_000)

    def the_app(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<h1>Signed in</h1>")

    context.route("https://app.example.com/**", the_app)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lifecycle-{name}.png"), full_page=True)


def authorize_url(server: FakeAuth0Server, app: Client, **extra: str) -> str:
    query = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "app-state",
        **extra,
    }
    return f"{server.url}/authorize?{urlencode(query)}"


def local(server: FakeAuth0Server, link: str) -> str:
    """An e-mail's link as this browser reaches the tenant: the same path and query."""
    parts = urlsplit(link)
    return f"{server.url}{parts.path}?{parts.query}"


def at_callback(page: Page) -> dict[str, list[str]]:
    page.wait_for_url(re.compile(r"^https://app\.example\.com/callback"))
    return parse_qs(urlsplit(page.url).query)


def log_in(page: Page, server: FakeAuth0Server, app: Client, password: str) -> None:
    page.goto(authorize_url(server, app))
    page.fill("#username", EMAIL)
    page.fill("#password", password)
    page.click("button[name=action][value=default]")


# -- sign up, then verify the address ------------------------------------------------------------


def test_sign_up_then_the_verification_link_verifies_once(
    page: Page, server: FakeAuth0Server, tenant: Tenant, app: Client
) -> None:
    page.goto(authorize_url(server, app))
    page.click("text=Sign up")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    shot(page, "signup")
    page.click("button[name=action][value=default]")
    assert "code" in at_callback(page)

    [user] = tenant.users_by_email(EMAIL)
    assert user.profile["email_verified"] is False
    link = tenant.outbox.wait_for(to=EMAIL, template="verify_email")["link"]

    page.goto(local(server, link))
    expect(page.locator("#message")).to_have_text(TicketMsg.VERIFIED)
    expect(page.locator("#message")).to_have_attribute("data-success", "true")
    shot(page, "verified")
    assert tenant.get_user(user.user_id).profile["email_verified"] is True

    page.goto(local(server, link))
    expect(page.locator("#message")).to_have_text(TicketMsg.USED)
    expect(page.locator("#message")).to_have_attribute("data-success", "false")


# -- forgot password -------------------------------------------------------------------------------


def test_a_reset_link_sets_a_password_that_logs_in_and_the_old_one_no_longer_does(
    page: Page, server: FakeAuth0Server, tenant: Tenant, app: Client
) -> None:
    tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    page.goto(authorize_url(server, app))
    page.click("text=Forgot password?")
    expect(page.locator("h1")).to_have_text("Forgot Your Password?")
    page.fill("#email", EMAIL)
    page.click("button[name=action][value=default]")
    expect(page.locator("h1")).to_have_text("Check Your Email")
    shot(page, "reset-requested")
    link = tenant.outbox.wait_for(to=EMAIL, template="reset_email")["link"]
    assert tenant.outbox.latest(template="reset_email")["client_id"] == app.client_id

    page.goto(local(server, link))
    expect(page.locator("h1")).to_have_text("Change Your Password")
    page.fill("#password-reset", NEW_PASSWORD)
    page.fill("#re-enter-password", NEW_PASSWORD)
    shot(page, "reset")
    page.click("button[name=action][value=default]")
    expect(page.locator("#message")).to_have_text(TicketMsg.PASSWORD_CHANGED)

    log_in(page, server, app, PASSWORD)
    expect(page.locator("#error-element-password")).to_have_text("Wrong email or password")
    shot(page, "old-password-refused")

    page.fill("#password", NEW_PASSWORD)
    page.click("button[name=action][value=default]")
    assert "code" in at_callback(page)

    # The link served its purpose: a second visit says so and changes nothing.
    page.goto(local(server, link))
    expect(page.locator("#message")).to_have_text(TicketMsg.USED)


# -- passwordless: an e-mailed code on the hosted pages --------------------------------------------


def test_an_emailed_code_logs_in_through_the_passwordless_screens(
    page: Page, server: FakeAuth0Server, tenant: Tenant, app: Client
) -> None:
    tenant.set_connection_clients(
        tenant.connections["email"].id, [{"client_id": app.client_id, "status": True}]
    )
    page.goto(authorize_url(server, app, connection="email"))
    expect(page.locator("#password")).to_have_count(0)
    page.fill("#username", "not an address")
    page.click("button[name=action][value=default]")
    expect(page.locator("#error-element-username")).to_have_text("Email is not valid.")
    page.fill("#username", EMAIL.upper())
    shot(page, "passwordless-identifier")
    page.click("button[name=action][value=default]")

    page.wait_for_url(re.compile(r"/u/login-passwordless-email-code\?state="))
    expect(page.locator("#sent-to")).to_contain_text(EMAIL)
    code = tenant.outbox.wait_for(to=EMAIL, template="passwordless_email")["code"]
    wrong = "0" * len(code) if code != "0" * len(code) else "1" * len(code)
    page.fill("#code", wrong)
    page.click("button[name=action][value=default]")
    expect(page.locator("#error-element-code")).to_have_text("The code you entered is invalid")
    shot(page, "passwordless-wrong-code")

    page.fill("#code", code)
    page.click("button[name=action][value=default]")
    assert "code" in at_callback(page)
    [user] = tenant.users_by_email(EMAIL)
    assert user.user_id.startswith("email|") and user.profile["email_verified"] is True

    # The code worked once; the session now answers a second /authorize without the page.
    again = page.request.get(authorize_url(server, app, connection="email"), max_redirects=0)
    assert again.status == 302 and again.headers["location"].startswith(CALLBACK + "?code=")
