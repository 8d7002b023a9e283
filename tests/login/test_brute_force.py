"""Brute-force protection on every door a login comes through.

After the tenant's threshold (``max_attempts``, 10 on a new tenant) of consecutive failed
logins of one account from one IP address, that address may not log in as that account, even
with the right password; another address still may; the user is notified by e-mail; an
administrator's unblock, a password change or 30 days end the block
(https://auth0.com/docs/secure/attack-protection/brute-force-protection). The token endpoint
answers 429 ``too_many_attempts`` (https://auth0.com/docs/libraries/auth0js), the login page
its ``user-blocked`` text
(https://auth0.com/docs/customize/login-pages/universal-login/customize-text-elements).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error, RateLimitError

from fakeauth0 import Client, Tenant, create_app
from fakeauth0.errors import OAuthError
from fakeauth0.intercept import Interceptor
from tests.login import browser as drive
from tests.login.conftest import CALLBACK, DB, EMAIL, PASSWORD, Apps

PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"
WRONG = "not-the-password"
#: Where the in-process browser and token calls come from (httpx's WSGI transport's default).
HERE = "127.0.0.1"
ELSEWHERE = "198.51.100.23"
BLOCKED_TEXT = (
    "Your account has been blocked after multiple consecutive login attempts. We've sent you a "
    "notification via your preferred contact method with instructions on how to unblock it."
)


def client_on(tenant: Tenant, remote_addr: str = HERE) -> httpx.Client:
    """httpx on the tenant's app, as a browser or an app at ``remote_addr`` would call it."""
    transport = httpx.WSGITransport(app=create_app(tenant), remote_addr=remote_addr)
    return httpx.Client(transport=transport, base_url=tenant.base_url)


@pytest.fixture
def elsewhere(apps: Apps) -> Iterator[httpx.Client]:
    with client_on(apps.tenant, ELSEWHERE) as client:
        yield client


def authorize(client: Client) -> str:
    query = {
        "client_id": client.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "app-state",
    }
    return "/authorize?" + urlencode(query)


def password_grant(
    apps: Apps, http: httpx.Client, password: str, *, realm: bool = True
) -> httpx.Response:
    """The ``password-realm`` grant (or ``password`` with the default directory)."""
    form = {
        "grant_type": PASSWORD_REALM if realm else "password",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "username": EMAIL,
        "password": password,
    }
    if realm:
        form["realm"] = DB
    return http.post("/oauth/token", data=form)


@pytest.fixture(autouse=True)
def password_grants(apps: Apps) -> None:
    """The web app may use both password grants; ``password`` logs into the database."""
    apps.tenant.update_client(
        apps.web.client_id,
        {"grant_types": ["authorization_code", "refresh_token", "password", PASSWORD_REALM]},
    )
    apps.tenant.update_settings({"default_directory": DB})


# -- each door, the threshold and the 429 -----------------------------------------------------


def page_attempt(apps: Apps, browser: httpx.Client, password: str) -> httpx.Response:
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    return drive.submit_login(browser, apps.tenant, page, EMAIL, password)


def test_the_login_page_blocks_after_the_threshold(apps: Apps, browser: httpx.Client) -> None:
    for _ in range(10):
        wrong = page_attempt(apps, browser, WRONG)
        assert 'data-error-code="wrong-email-credentials"' in wrong.text
    refused = page_attempt(apps, browser, PASSWORD)  # the right password, from the same address
    assert refused.status_code == 400
    assert 'data-error-code="user-blocked"' in refused.text
    assert "Your account has been blocked after multiple consecutive login attempts." in (
        refused.text
    )
    assert apps.tenant.user_blocks(apps.user.user_id) == [
        {"identifier": EMAIL, "ip": HERE, "connection": DB}
    ]


@pytest.mark.parametrize("realm", [True, False], ids=["password-realm", "password"])
def test_the_password_grants_block_after_the_threshold(
    apps: Apps, http: httpx.Client, realm: bool
) -> None:
    for _ in range(10):
        wrong = password_grant(apps, http, WRONG, realm=realm)
        assert (wrong.status_code, wrong.json()["error"]) == (403, "invalid_grant")
    refused = password_grant(apps, http, PASSWORD, realm=realm)
    assert refused.status_code == 429
    assert refused.json() == {"error": "too_many_attempts", "error_description": BLOCKED_TEXT}


def test_tenant_login_blocks_after_the_threshold(apps: Apps) -> None:
    tenant = apps.tenant
    for _ in range(10):
        with pytest.raises(OAuthError) as wrong:
            tenant.login(DB, email=EMAIL, password=WRONG, ip="192.0.2.1")
        assert wrong.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as refused:
        tenant.login(DB, email=EMAIL, password=PASSWORD, ip="192.0.2.1")
    assert (refused.value.status, refused.value.error) == (429, "too_many_attempts")
    # A simulated login without a password is refused from the blocked address too.
    with pytest.raises(OAuthError):
        tenant.login(DB, email=EMAIL, ip="192.0.2.1")
    assert tenant.login(DB, email=EMAIL, password=PASSWORD, ip=ELSEWHERE).user.email == EMAIL


def test_the_control_planes_login_blocks_after_the_threshold(
    apps: Apps, http: httpx.Client
) -> None:
    body = {"connection": DB, "email": EMAIL, "password": WRONG, "ip": "192.0.2.2"}
    for _ in range(10):
        assert http.post("/_fake/login", json=body).status_code == 403
    refused = http.post("/_fake/login", json={**body, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_attempts"


def test_failures_add_up_across_doors(
    apps: Apps, browser: httpx.Client, http: httpx.Client
) -> None:
    """One pipeline, one count: failures on the page, the grant and ``tenant.login`` from one
    address are one account's consecutive failures."""
    for _ in range(4):
        page_attempt(apps, browser, WRONG)
    for _ in range(4):
        password_grant(apps, http, WRONG)
    for _ in range(2):
        with pytest.raises(OAuthError):
            apps.tenant.login(DB, email=EMAIL, password=WRONG, ip=HERE)
    assert password_grant(apps, http, PASSWORD).status_code == 429


# -- the address, the count, the end of a block ------------------------------------------------


def test_another_address_still_logs_in(
    apps: Apps, browser: httpx.Client, http: httpx.Client, elsewhere: httpx.Client
) -> None:
    for _ in range(10):
        password_grant(apps, http, WRONG)
    assert password_grant(apps, http, PASSWORD).status_code == 429
    assert password_grant(apps, elsewhere, PASSWORD).status_code == 200
    # And through the page, a browser elsewhere gets to the app.
    got = drive.callback_params(page_attempt(apps, elsewhere, PASSWORD))
    assert "code" in got
    # The blocked address stays blocked: a success elsewhere resets only that address's count.
    assert password_grant(apps, http, PASSWORD).status_code == 429


def test_a_successful_login_starts_the_count_again(apps: Apps, http: httpx.Client) -> None:
    """Consecutive failures: a right password in between starts the count again."""
    for _ in range(9):
        password_grant(apps, http, WRONG)
    assert password_grant(apps, http, PASSWORD).status_code == 200
    for _ in range(9):
        password_grant(apps, http, WRONG)
    assert password_grant(apps, http, PASSWORD).status_code == 200


def test_unknown_users_are_not_counted(apps: Apps, http: httpx.Client) -> None:
    """CHOICES.md "brute force: what is counted"."""
    for _ in range(12):
        form = {
            "grant_type": PASSWORD_REALM,
            "client_id": apps.web.client_id,
            "client_secret": apps.web.client_secret,
            "username": "nobody@example.com",
            "password": WRONG,
            "realm": DB,
        }
        assert http.post("/oauth/token", data=form).status_code == 403


def test_the_user_is_notified_once(apps: Apps, http: httpx.Client) -> None:
    """The ``blocked_account`` e-mail, when the block starts (CHOICES.md "brute force: the
    notice")."""
    for _ in range(12):
        password_grant(apps, http, WRONG)
    notices = [m for m in apps.tenant.mail if m["template"] == "blocked_account"]
    assert len(notices) == 1
    notice = notices[0]
    assert (notice["recipient"], notice["user_id"], notice["ip"]) == (
        EMAIL,
        apps.user.user_id,
        HERE,
    )
    assert notice["client_id"] == apps.web.client_id and notice["connection"] == DB


def test_without_user_notification_nobody_is_told(apps: Apps, http: httpx.Client) -> None:
    apps.tenant.update_brute_force_settings({"shields": ["block"]})
    for _ in range(10):
        password_grant(apps, http, WRONG)
    assert password_grant(apps, http, PASSWORD).status_code == 429
    assert [m for m in apps.tenant.mail if m["template"] == "blocked_account"] == []


def test_a_disabled_blocked_account_template_sends_no_notice(
    apps: Apps, http: httpx.Client
) -> None:
    """The template's Status off: the block still starts, its e-mail is not sent
    (docs/auth0-behaviour.md#e-mail-templates)."""
    apps.tenant.create_email_template(
        {
            "template": "blocked_account",
            "body": "<p>Blocked</p>",
            "from": "security@example.com",
            "subject": "Blocked",
            "syntax": "liquid",
            "enabled": False,
        }
    )
    for _ in range(10):
        password_grant(apps, http, WRONG)
    assert password_grant(apps, http, PASSWORD).status_code == 429
    assert [m for m in apps.tenant.mail if m["template"] == "blocked_account"] == []


def test_a_lower_threshold(apps: Apps, http: httpx.Client) -> None:
    apps.tenant.update_brute_force_settings({"max_attempts": 3})
    for _ in range(3):
        assert password_grant(apps, http, WRONG).status_code == 403
    assert password_grant(apps, http, PASSWORD).status_code == 429


def test_a_password_change_lifts_the_block(apps: Apps, http: httpx.Client) -> None:
    for _ in range(10):
        password_grant(apps, http, WRONG)
    apps.tenant.update_user(apps.user.user_id, {"password": "An0ther-Horse!"})
    assert password_grant(apps, http, "An0ther-Horse!").status_code == 200


def test_an_admin_unblock_lifts_the_block(apps: Apps, http: httpx.Client) -> None:
    for _ in range(10):
        password_grant(apps, http, WRONG)
    apps.tenant.unblock(apps.user.user_id)
    assert password_grant(apps, http, PASSWORD).status_code == 200


def test_the_block_ends_thirty_days_after_the_last_failure(apps: Apps, http: httpx.Client) -> None:
    """On the tenant clock."""
    clock = apps.tenant.clock
    clock.freeze()
    for _ in range(10):
        password_grant(apps, http, WRONG)
    clock.advance(30 * 24 * 3600 - 60)
    assert password_grant(apps, http, PASSWORD).status_code == 429
    clock.advance(60)
    assert password_grant(apps, http, PASSWORD).status_code == 200


def test_the_admin_block_is_still_401_user_is_blocked(apps: Apps, http: httpx.Client) -> None:
    """``blocked: true`` is the administrator's: 401 ``unauthorized`` "user is blocked"
    (https://auth0.com/docs/api/authentication#resource-owner-password), not the 429."""
    apps.tenant.update_user(apps.user.user_id, {"blocked": True})
    refused = password_grant(apps, http, PASSWORD)
    assert refused.status_code == 401
    assert refused.json() == {"error": "unauthorized", "error_description": "user is blocked"}
    assert apps.tenant.user_blocks(apps.user.user_id) == []


# -- the SDK as a client judges us -------------------------------------------------------------


def refused(call: Callable[[], object]) -> Auth0Error:
    with pytest.raises(Auth0Error) as error:
        call()
    return error.value


def test_auth0_python_get_token_raises_on_the_429(apps: Apps, auth0_intercept: Interceptor) -> None:
    """auth0-python's ``GetToken.login`` raises its ``RateLimitError`` on a 429, with Auth0's
    ``error`` and text."""
    sdk = GetToken(apps.tenant.domain, apps.web.client_id, client_secret=apps.web.client_secret)
    for _ in range(10):
        wrong = refused(lambda: sdk.login(EMAIL, WRONG, realm=DB))
        assert (wrong.status_code, wrong.error_code) == (403, "invalid_grant")
    started = time.monotonic()
    blocked = refused(lambda: sdk.login(EMAIL, PASSWORD, realm=DB))
    assert isinstance(blocked, RateLimitError)
    assert (blocked.status_code, blocked.error_code) == (429, "too_many_attempts")
    assert blocked.message == BLOCKED_TEXT
    assert time.monotonic() - started < 5  # answered, not retried into a timeout
