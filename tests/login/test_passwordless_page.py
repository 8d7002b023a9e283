"""The passwordless screens of the hosted login page without a browser: the address stays with
the transaction (the code screen never reads it from the form), a code screen needs a
transaction whose code was sent, the code works once, and a database connection on the page
keeps the password form (docs/auth0-behaviour.md#passwordless-on-the-login-page; CHOICES.md
"passwordless: login page")."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from tests.login import browser as b
from tests.login.conftest import CALLBACK, Apps

SCREEN = "/u/login-passwordless-email-code"


def _start(apps: Apps, browser: httpx.Client, email: str = "lin@example.com") -> httpx.Response:
    tenant = apps.tenant
    tenant.set_connection_clients(
        tenant.connections["email"].id, [{"client_id": apps.web.client_id, "status": True}]
    )
    query = {
        "client_id": apps.web.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "connection": "email",
    }
    page = b.get(browser, tenant, "/authorize?" + urlencode(query))
    assert page.status_code == 200 and 'id="password"' not in page.text
    form = {"state": b.page_state(page), "username": email, "action": "default"}
    return browser.post(str(page.url), data=form)


def test_the_code_screen_logs_in_the_address_the_code_went_to(
    apps: Apps, browser: httpx.Client
) -> None:
    sent = _start(apps, browser)
    assert sent.status_code == 302 and sent.headers["Location"].startswith(SCREEN + "?state=")
    screen = b.get(browser, apps.tenant, sent.headers["Location"])
    assert "lin@example.com" in screen.text
    code = apps.tenant.outbox.latest(template="passwordless_email")["code"]
    # An address in the form is ignored: the transaction's is the one logged in.
    form = {"state": b.page_state(screen), "code": code, "email": "ada@example.com"}
    done = b.follow(browser, apps.tenant, browser.post(SCREEN, data=form))
    assert "code" in b.callback_params(done)
    [user] = apps.tenant.users_by_email("lin@example.com")
    assert user.user_id.startswith("email|")
    assert apps.tenant.users_by_email("ada@example.com")[0].user_id.startswith("auth0|")
    # The screen is gone with the code: the same state cannot log in again.
    again = browser.post(SCREEN, data={"state": form["state"], "code": code})
    assert again.status_code == 400 and 'data-error-code="invalid-state"' in again.text


def test_the_code_screen_without_a_sent_code_is_an_invalid_state(
    apps: Apps, browser: httpx.Client
) -> None:
    answer = browser.get(SCREEN + "?state=made-up")
    assert answer.status_code == 400 and 'data-error-code="invalid-state"' in answer.text


def test_an_empty_identifier_asks_for_an_email(apps: Apps, browser: httpx.Client) -> None:
    answer = _start(apps, browser, email="  ")
    assert answer.status_code == 400 and 'data-error-code="no-email"' in answer.text
    assert apps.tenant.outbox.latest(template="passwordless_email") is None


def test_with_a_database_connection_the_page_keeps_the_password_form(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.set_connection_clients(
        tenant.connections["email"].id, [{"client_id": apps.web.client_id, "status": True}]
    )
    query = {"client_id": apps.web.client_id, "response_type": "code", "redirect_uri": CALLBACK}
    page = b.get(browser, tenant, "/authorize?" + urlencode(query))
    assert 'id="password"' in page.text and "_form-login-passwordless" not in page.text
