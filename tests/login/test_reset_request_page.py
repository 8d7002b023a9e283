"""The login page's "Forgot password?" link and the reset-password-request screen it opens:
the ``reset_email`` goes to a known address, and the answer is the same for an unknown one, as
``/dbconnections/change_password``'s is
(https://auth0.com/docs/authenticate/database-connections/password-change)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx

from tests.login import browser as b
from tests.login.conftest import CALLBACK, EMAIL, Apps

_LINK = re.compile(r'href="([^"]*/u/reset-password/request/[^"]*)"')


def _request_screen(apps: Apps, browser: httpx.Client) -> httpx.Response:
    query = {"client_id": apps.web.client_id, "response_type": "code", "redirect_uri": CALLBACK}
    page = b.get(browser, apps.tenant, "/authorize?" + urlencode(query))
    found = _LINK.search(page.text)
    assert found is not None, page.text
    screen = b.get(browser, apps.tenant, found.group(1).replace("&amp;", "&"))
    assert screen.status_code == 200 and 'id="email"' in screen.text
    return screen


def _send(browser: httpx.Client, screen: httpx.Response, email: str) -> httpx.Response:
    form = {"state": b.page_state(screen), "email": email, "action": "default"}
    return browser.post(str(screen.url), data=form)


def test_a_known_address_gets_the_reset_email(apps: Apps, browser: httpx.Client) -> None:
    screen = _request_screen(apps, browser)
    sent = _send(browser, screen, EMAIL.upper())
    assert sent.status_code == 200 and "Check Your Email" in sent.text
    message = apps.tenant.outbox.latest(to=EMAIL, template="reset_email")
    assert message is not None and message["client_id"] == apps.web.client_id
    assert "/u/reset-password?ticket=" in message["link"]


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    apps: Apps, browser: httpx.Client
) -> None:
    screen = _request_screen(apps, browser)
    sent = _send(browser, screen, "nobody@example.com")
    assert sent.status_code == 200 and "Check Your Email" in sent.text
    assert apps.tenant.outbox.latest(template="reset_email") is None


def test_an_empty_or_malformed_address_is_refused_on_the_page(
    apps: Apps, browser: httpx.Client
) -> None:
    screen = _request_screen(apps, browser)
    empty = _send(browser, screen, " ")
    assert empty.status_code == 400 and 'data-error-code="no-email"' in empty.text
    bad = _send(browser, screen, "not-an-address")
    assert bad.status_code == 400 and 'data-error-code="email-invalid"' in bad.text
    assert apps.tenant.outbox.latest(template="reset_email") is None


def test_another_connection_or_no_transaction_is_an_invalid_state(
    apps: Apps, browser: httpx.Client
) -> None:
    screen = _request_screen(apps, browser)
    state = b.page_state(screen)
    other = browser.get("/u/reset-password/request/other-db?" + urlencode({"state": state}))
    assert other.status_code == 400 and 'data-error-code="invalid-state"' in other.text
    none = browser.get("/u/reset-password/request/Username-Password-Authentication?state=x")
    assert none.status_code == 400 and 'data-error-code="invalid-state"' in none.text
