"""The sign-up screen of the hosted login page: New Universal Login's hooks, the connection's
rules (the same as ``/dbconnections/signup``), and the login that follows."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import Client as BrowserClient
from werkzeug.test import TestResponse

from fakeauth0 import Tenant, create_app

BASE = "https://fake.auth0.com"
CALLBACK = "https://app.example.com/callback"


@pytest.fixture
def tenant() -> Tenant:
    return Tenant()


@pytest.fixture
def client_id(tenant: Tenant) -> str:
    app = tenant.create_client_from(
        {"name": "Web", "app_type": "regular_web", "callbacks": [CALLBACK]}
    )
    return app.client_id


@pytest.fixture
def browser(tenant: Tenant) -> BrowserClient:
    return BrowserClient(create_app(tenant))


def open_signup(browser: BrowserClient, client_id: str) -> tuple[TestResponse, str]:
    # screen_hint=signup opens the sign-up screen
    # (https://auth0.com/docs/authenticate/login/auth0-universal-login/universal-login-vs-classic-login/universal-experience).
    answer = browser.get(
        "/authorize",
        query_string={
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid",
            "state": "app-state",
            "screen_hint": "signup",
        },
        base_url=BASE,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/u/signup?state=")
    page = browser.get(answer.headers["Location"], base_url=BASE)
    assert page.status_code == 200
    match = re.search(r'name="state" value="([^"]+)"', page.text)
    assert match is not None
    return page, match.group(1)


def post(browser: BrowserClient, handle: str, **fields: str) -> TestResponse:
    return browser.post(
        "/u/signup", data={"state": handle, "action": "default", **fields}, base_url=BASE
    )


def errors(page: TestResponse) -> dict[str, tuple[str, str]]:
    """``error-element-<field>`` → (data-error-code, text)."""
    found = re.findall(
        r'id="error-element-(\w+)"[^>]*data-error-code="([^"]+)">([^<]*)<', page.text
    )
    return {name: (code, text) for name, code, text in found}


def test_the_screen_has_new_universal_logins_hooks(browser: BrowserClient, client_id: str) -> None:
    # Field ids and the primary button as on Auth0's signup screen
    # (https://docs.cypress.io/guides/end-to-end-testing/auth0-authentication).
    page, _ = open_signup(browser, client_id)
    assert re.search(r'<input[^>]*name="email"[^>]*id="email"', page.text)
    assert re.search(r'<input[^>]*name="password"[^>]*id="password"[^>]*type="password"', page.text)
    assert re.search(
        r'<button type="submit" name="action" value="default"[^>]*'
        r'data-action-button-primary="true">Continue</button>',
        page.text,
    )
    assert 'data-form-primary="true"' in page.text


def test_a_weak_password_shows_the_policy_and_keeps_no_user(
    tenant: Tenant, browser: BrowserClient, client_id: str
) -> None:
    _, handle = open_signup(browser, client_id)
    page = post(browser, handle, email="new@example.com", password="weak")
    assert page.status_code == 400
    assert errors(page)["password"] == ("password-too-weak", "The password is too weak")
    # The checklist under "Your password must contain:" names the policy's rules
    # (https://auth0.com/docs/authenticate/database-connections/password-strength).
    assert "Your password must contain:" in page.text
    assert "At least 8 characters in length" in page.text
    assert tenant.users_by_email("new@example.com") == []
    assert "Set-Cookie" not in page.headers


def test_a_held_email_is_refused_with_the_pages_wording(
    tenant: Tenant, browser: BrowserClient, client_id: str
) -> None:
    tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "taken@example.com",
            "password": "Str0ng!Passw0rd",
        }
    )
    _, handle = open_signup(browser, client_id)
    page = post(browser, handle, email="taken@example.com", password="An0ther!Passw0rd")
    assert errors(page)["email"] == ("email-in-use", "The user already exists.")


def test_a_signup_logs_the_new_user_in_and_returns_to_the_app(
    tenant: Tenant, browser: BrowserClient, client_id: str
) -> None:
    _, handle = open_signup(browser, client_id)
    answer = post(browser, handle, email="new@example.com", password="Str0ng!Passw0rd")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/authorize/resume?state={handle}"
    back = browser.get(answer.headers["Location"], base_url=BASE)
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["app-state"] and query["code"]
    (user,) = tenant.users_by_email("new@example.com")
    assert user.logins_count == 1
    # The sign-up asked for a verification e-mail (docs/auth0-behaviour.md).
    assert [m["template"] for m in tenant.mail] == ["verify_email"]


def test_the_login_screen_links_to_signup_unless_the_connection_disables_it(
    tenant: Tenant, browser: BrowserClient, client_id: str
) -> None:
    def login_page() -> str:
        answer = browser.get(
            "/authorize",
            query_string={
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "response_type": "code",
            },
            base_url=BASE,
        )
        return browser.get(answer.headers["Location"], base_url=BASE).text

    assert 'href="/u/signup?state=' in login_page()
    database = tenant.connection("Username-Password-Authentication")
    database.options["disable_signup"] = True
    assert "/u/signup" not in login_page()
