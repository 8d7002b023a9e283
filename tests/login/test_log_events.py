"""The events each real flow leaves in the tenant logs, read back with auth0-python's
``ManagementClient`` (``logs.list``): logins on the hosted page, the token endpoint's grants
driven by auth0-python's ``GetToken``, sign-ups, logouts, password resets, e-mail verification
and brute-force blocks.

Event types and their meaning: https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes
(``s``, ``fp``, ``fu``, ``ss``, ``fs``, ``seacft``, ``seccft``, ``sepft``, ``fepft``,
``sertft``, ``fertft``, ``slo``, ``scpr``, ``scp``, ``sv``, ``limit_wc``); an exchange's
``audience`` and ``scope`` as a ``seccft`` event of a real tenant shows them
(https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestLogManager_Search.yaml).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error

from fakeauth0.errors import OAuthError
from tests.login import browser as drive
from tests.login.conftest import API, CALLBACK, DB, EMAIL, PASSWORD, Apps

pytestmark = pytest.mark.usefixtures("auth0_intercept")
PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"


def events(mgmt: Any, **params: Any) -> list[Any]:
    """Every event, oldest first, as the SDK reads them."""
    return list(reversed(list(mgmt.logs.list(per_page=100, **params))))


def authorize_url(apps: Apps) -> str:
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email offline_access",
        "audience": API,
        "state": "s-1",
    }
    return "/authorize?" + urlencode(query)


def test_the_login_page_and_the_code_exchange(
    apps: Apps, browser: httpx.Client, auth0_management: Any
) -> None:
    """A wrong password (``fp``), an unknown e-mail (``fu``), a login (``s``), its code
    exchanged (``seacft``), the refresh token used (``sertft``) and a bad one (``fertft``)."""
    tenant = apps.tenant
    page = drive.get(browser, tenant, authorize_url(apps))
    for username, password in ((EMAIL, "not-the-password"), ("nobody@example.com", PASSWORD)):
        form = {"state": drive.page_state(page), "username": username, "password": password}
        again = browser.post(str(page.url), data={**form, "action": "default"})
        assert "Wrong email or password" in again.text
    answer = drive.submit_login(browser, tenant, page, EMAIL, PASSWORD)
    code = drive.callback_params(answer)["code"]
    sdk = GetToken(tenant.domain, apps.web.client_id, client_secret=apps.web.client_secret)
    tokens = sdk.authorization_code(code, CALLBACK)
    sdk.refresh_token(tokens["refresh_token"])
    with pytest.raises(Auth0Error):
        sdk.refresh_token("not-a-refresh-token")

    seen = events(auth0_management)
    assert [e.type for e in seen] == ["fp", "fu", "s", "seacft", "sertft", "fertft"]
    fp, fu, s, seacft, sertft, fertft = seen
    user_id = apps.user.user_id
    assert (fp.user_id, fp.user_name, fp.description) == (
        user_id,
        EMAIL,
        "Wrong email or password.",
    )
    assert (fu.user_id, fu.user_name) == (None, "nobody@example.com")
    assert s.user_id == user_id and s.client_name == "Web app" and s.connection == DB
    assert seacft.user_id == user_id and seacft.client_id == apps.web.client_id
    assert seacft.description == "Authorization Code for Access Token"
    assert seacft.audience == API and "openid" in seacft.scope
    assert sertft.user_id == user_id
    assert fertft.description == "Unknown or invalid refresh token."
    mine = list(auth0_management.users.logs.list(user_id))
    assert [e.type for e in mine] == ["sertft", "seacft", "s", "fp"]


def test_the_password_and_client_credentials_grants(apps: Apps, auth0_management: Any) -> None:
    tenant = apps.tenant
    tenant.update_client(
        apps.web.client_id, {"grant_types": ["password", PASSWORD_REALM, "client_credentials"]}
    )
    tenant.create_client_grant(
        {"client_id": apps.web.client_id, "audience": API, "scope": ["read:items"]}
    )
    sdk = GetToken(tenant.domain, apps.web.client_id, client_secret=apps.web.client_secret)
    sdk.login(EMAIL, PASSWORD, realm=DB, audience=API, scope="openid")
    with pytest.raises(Auth0Error):
        sdk.login(EMAIL, "not-it", realm=DB)
    sdk.client_credentials(API)

    seen = events(auth0_management)
    assert [e.type for e in seen] == ["s", "sepft", "fp", "fepft", "seccft"]
    sepft, fepft, seccft = seen[1], seen[3], seen[4]
    assert sepft.user_id == apps.user.user_id and sepft.audience == API
    assert sepft.description == "Password for Access Token"
    assert fepft.description == "Wrong email or password."
    assert seccft.user_id is None and seccft.client_id == apps.web.client_id
    assert (seccft.audience, seccft.scope) == (API, "read:items")
    assert seccft.description == "Client Credentials for Access Token"


def test_signups_logouts_and_password_resets(
    apps: Apps, browser: httpx.Client, auth0_management: Any
) -> None:
    tenant = apps.tenant
    body = {"client_id": apps.web.client_id, "connection": DB, "password": PASSWORD}
    assert browser.post("/dbconnections/signup", json={**body, "email": "new@example.com"})
    held = browser.post("/dbconnections/signup", json={**body, "email": "new@example.com"})
    assert held.status_code == 400
    answer = drive.login(browser, tenant, authorize_url(apps), EMAIL, PASSWORD)
    assert drive.callback_params(answer)["code"]
    drive.get(browser, tenant, "/v2/logout")
    asked = browser.post(
        "/dbconnections/change_password",
        json={"client_id": apps.web.client_id, "connection": DB, "email": EMAIL},
    )
    assert asked.status_code == 200
    link = tenant.outbox.latest(to=EMAIL, template="reset_email")["link"]
    ticket = link.split("ticket=")[1].rstrip("#")
    new = "An0ther-Horse!"
    done = browser.post(
        "/u/reset-password",
        data={"ticket": ticket, "password-reset": new, "re-enter-password": new},
    )
    assert done.status_code == 200
    verify = tenant.outbox.latest(to="new@example.com", template="verify_email")["link"]
    browser.get(verify.split(tenant.domain)[1])

    seen = events(auth0_management)
    assert [e.type for e in seen] == ["ss", "fs", "s", "slo", "scpr", "scp", "sv"]
    ss, fs, _, slo, scpr, scp, sv = seen
    assert ss.user_name == "new@example.com" and ss.client_name == "Web app"
    assert fs.user_id is None and fs.user_name == "new@example.com"
    assert slo.user_id == apps.user.user_id
    assert scpr.user_id == scp.user_id == apps.user.user_id
    assert sv.user_name == "new@example.com" and sv.connection == DB
    assert new not in str([e.dict() for e in seen])


def test_a_brute_force_block_is_limit_wc(apps: Apps, auth0_management: Any) -> None:
    """https://auth0.com/docs/secure/attack-protection/brute-force-protection: after the
    threshold the account is blocked for that address."""
    tenant = apps.tenant
    tenant.update_brute_force_settings({"max_attempts": 2})
    for _ in range(2):
        with pytest.raises(OAuthError, match="Wrong email or password"):
            tenant.login(DB, email=EMAIL, password="nope", ip="203.0.113.9")
    with pytest.raises(OAuthError, match="blocked"):
        tenant.login(DB, email=EMAIL, password=PASSWORD, ip="203.0.113.9")
    seen = events(auth0_management)
    assert [e.type for e in seen] == ["fp", "fp", "limit_wc"]
    assert seen[-1].ip == "203.0.113.9" and seen[-1].user_id == apps.user.user_id
