"""The pages a ticket's link opens, followed from the outbox as a user follows them from the
inbox: e-mail verification (once, and only once), the password reset (held to the connection's
policy), expiry on the tenant's clock, and the ``result_url`` with Auth0's ``success`` and
``message`` (https://auth0.com/docs/customize/email/email-templates/email-template-descriptions).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fakeauth0 import Tenant, create_app
from fakeauth0.tickets import DEFAULT_TTL, TicketMsg
from tests.support import DB, PASSWORD

NEW_PASSWORD = "N3w-Passw0rd!x"


@pytest.fixture
def tenant() -> Tenant:
    return Tenant()


@pytest.fixture
def browser(tenant: Tenant) -> Iterator[httpx.Client]:
    transport = httpx.WSGITransport(app=create_app(tenant))
    with httpx.Client(transport=transport, base_url=tenant.base_url) as client:
        yield client


def signup(tenant: Tenant, browser: httpx.Client, email: str = "new@example.com") -> str:
    body = {
        "client_id": tenant.management_client.client_id,
        "connection": DB,
        "email": email,
        "password": PASSWORD,
    }
    answer = browser.post("/dbconnections/signup", json=body)
    assert answer.status_code == 200, answer.text
    return "auth0|" + answer.json()["_id"]


def path_of(link: str) -> str:
    """The link as the browser requests it: path and query (the ``#`` never leaves it)."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def ticket_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["ticket"][0]


def password_works(tenant: Tenant, password: str) -> bool:
    try:
        tenant.login(DB, email="new@example.com", password=password)
    except Exception:
        return False
    return True


# -- e-mail verification ---------------------------------------------------------------------


def test_the_verification_link_verifies_once_and_only_once(
    tenant: Tenant, browser: httpx.Client
) -> None:
    user_id = signup(tenant, browser)
    assert tenant.get_user(user_id).profile["email_verified"] is False
    link = tenant.outbox.latest(to="new@example.com", template="verify_email")["link"]
    first = browser.get(path_of(link))
    assert first.status_code == 200
    assert TicketMsg.VERIFIED in first.text and 'data-success="true"' in first.text
    assert tenant.get_user(user_id).profile["email_verified"] is True
    again = browser.get(path_of(link))
    # "This URL can be used only once", on a page (a real tenant's answer, 200)
    assert again.status_code == 200 and TicketMsg.USED in again.text
    assert 'data-success="false"' in again.text


def test_verification_goes_to_result_url_with_the_outcome(
    tenant: Tenant, browser: httpx.Client
) -> None:
    user_id = signup(tenant, browser)
    answer = browser.post(
        "/api/v2/tickets/email-verification",
        json={
            "user_id": user_id,
            "result_url": "https://app.example.com/verified?from=mail",
            "includeEmailInRedirect": True,
        },
        headers={"Authorization": f"Bearer {tenant.management_token()}"},
    )
    link = answer.json()["ticket"]
    first = browser.get(path_of(link))
    assert first.status_code == 302
    where = urlsplit(first.headers["Location"])
    assert (where.netloc, where.path) == ("app.example.com", "/verified")
    assert parse_qs(where.query) == {
        "from": ["mail"],
        "success": ["true"],
        "message": [TicketMsg.VERIFIED],
        "email": ["new@example.com"],
    }
    again = parse_qs(urlsplit(browser.get(path_of(link)).headers["Location"]).query)
    assert again["success"] == ["false"] and again["message"] == [TicketMsg.USED]


def test_an_expired_verification_link_says_access_expired(
    tenant: Tenant, browser: httpx.Client
) -> None:
    user_id = signup(tenant, browser)
    link = tenant.outbox.latest(template="verify_email")["link"]
    tenant.clock.advance(DEFAULT_TTL + 1)
    page = browser.get(path_of(link))
    assert page.status_code == 200 and TicketMsg.EXPIRED in page.text
    assert tenant.get_user(user_id).profile["email_verified"] is False


def test_an_unknown_ticket_is_refused(browser: httpx.Client) -> None:
    page = browser.get("/u/email-verification?ticket=nope")
    assert TicketMsg.INVALID in page.text and 'data-success="false"' in page.text
    assert TicketMsg.INVALID in browser.get("/u/email-verification").text
    assert TicketMsg.INVALID in browser.get("/u/reset-password?ticket=nope").text


# -- password reset -------------------------------------------------------------------------


def request_reset(tenant: Tenant, browser: httpx.Client) -> str:
    answer = browser.post(
        "/dbconnections/change_password",
        json={
            "client_id": tenant.management_client.client_id,
            "connection": DB,
            "email": "new@example.com",
        },
    )
    assert answer.status_code == 200
    return tenant.outbox.latest(to="new@example.com", template="reset_email")["link"]


def test_the_reset_link_sets_a_new_password(tenant: Tenant, browser: httpx.Client) -> None:
    signup(tenant, browser)
    link = request_reset(tenant, browser)
    form = browser.get(path_of(link))
    assert form.status_code == 200
    assert 'name="password-reset"' in form.text and 'name="re-enter-password"' in form.text
    ticket = ticket_in(link)
    done = browser.post(
        "/u/reset-password",
        data={"ticket": ticket, "password-reset": NEW_PASSWORD, "re-enter-password": NEW_PASSWORD},
    )
    assert done.status_code == 200 and TicketMsg.PASSWORD_CHANGED in done.text
    assert password_works(tenant, NEW_PASSWORD) and not password_works(tenant, PASSWORD)
    # one use only
    reused = browser.post(
        "/u/reset-password",
        data={"ticket": ticket, "password-reset": PASSWORD, "re-enter-password": PASSWORD},
    )
    assert TicketMsg.USED in reused.text and password_works(tenant, NEW_PASSWORD)
    assert TicketMsg.USED in browser.get(path_of(link)).text


def test_a_weak_password_is_refused_with_the_rules(tenant: Tenant, browser: httpx.Client) -> None:
    signup(tenant, browser)
    ticket = ticket_in(request_reset(tenant, browser))
    page = browser.post(
        "/u/reset-password",
        data={"ticket": ticket, "password-reset": "short", "re-enter-password": "short"},
    )
    assert page.status_code == 400
    assert 'data-error-code="password-too-weak"' in page.text
    assert 'id="password-policy"' in page.text and 'data-verified="false"' in page.text
    assert password_works(tenant, PASSWORD)
    # the ticket is not spent by a refusal
    differ = browser.post(
        "/u/reset-password",
        data={"ticket": ticket, "password-reset": NEW_PASSWORD, "re-enter-password": "other"},
    )
    assert differ.status_code == 400 and TicketMsg.PASSWORDS_DIFFER in differ.text
    done = browser.post(
        "/u/reset-password", data={"ticket": ticket, "password-reset": NEW_PASSWORD}
    )
    assert done.status_code == 200 and password_works(tenant, NEW_PASSWORD)


def test_mark_email_as_verified_and_result_url(tenant: Tenant, browser: httpx.Client) -> None:
    user_id = signup(tenant, browser)
    answer = browser.post(
        "/api/v2/tickets/password-change",
        json={
            "user_id": user_id,
            "result_url": "https://app.example.com/done",
            "mark_email_as_verified": True,
        },
        headers={"Authorization": f"Bearer {tenant.management_token()}"},
    )
    ticket = ticket_in(answer.json()["ticket"])
    done = browser.post(
        "/u/reset-password", data={"ticket": ticket, "password-reset": NEW_PASSWORD}
    )
    assert done.status_code == 302
    query = parse_qs(urlsplit(done.headers["Location"]).query)
    assert query == {"success": ["true"], "message": [TicketMsg.PASSWORD_CHANGED]}
    assert tenant.get_user(user_id).profile["email_verified"] is True


def test_an_expired_reset_link_says_access_expired(tenant: Tenant, browser: httpx.Client) -> None:
    signup(tenant, browser)
    link = request_reset(tenant, browser)
    tenant.clock.advance(DEFAULT_TTL + 1)
    assert TicketMsg.EXPIRED in browser.get(path_of(link)).text
    late = browser.post(
        "/u/reset-password", data={"ticket": ticket_in(link), "password-reset": NEW_PASSWORD}
    )
    assert TicketMsg.EXPIRED in late.text and password_works(tenant, PASSWORD)


def test_reset_clears_tickets_and_outbox(tenant: Tenant, browser: httpx.Client) -> None:
    signup(tenant, browser)
    link = tenant.outbox.latest(template="verify_email")["link"]
    tenant.reset()
    assert tenant.outbox == [] and len(tenant.tickets) == 0
    assert TicketMsg.INVALID in browser.get(path_of(link)).text
