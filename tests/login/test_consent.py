"""The consent screen, asked as Auth0 asks it: always for third-party applications; for
first-party ones requesting an API, unless the API skips consent for verifiable first-party
clients and the callback is not on the local machine
(https://auth0.com/docs/get-started/applications/confidential-and-public-applications/user-consent-and-third-party-applications;
https://auth0.com/docs/libraries/auth0-single-page-app-sdk, "consent_required" on localhost)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from fakeauth0 import Client
from tests.login.browser import callback_params, get, login, page_state
from tests.login.conftest import API, EMAIL, PASSWORD, Apps

LOCAL_CALLBACK = "http://localhost:3000/callback"


def authorize_url(client: Client, callback: str, **extra: str) -> str:
    query = {
        "client_id": client.client_id,
        "redirect_uri": callback,
        "response_type": "code",
        "scope": "openid read:items",
        "state": "app-state",
        **extra,
    }
    return "/authorize?" + urlencode(query)


def local_app(apps: Apps) -> Client:
    return apps.tenant.create_client_from(
        {"name": "Local app", "app_type": "regular_web", "callbacks": [LOCAL_CALLBACK]}
    )


def answer(browser: httpx.Client, apps: Apps, page: httpx.Response, action: str) -> dict[str, str]:
    assert page.status_code == 200 and "/u/consent" in str(page.url), page.text
    posted = browser.post(str(page.url), data={"state": page_state(page), "action": action})
    return callback_params(posted)


def test_a_local_callback_asks_for_consent_once_per_scope_set(
    apps: Apps, browser: httpx.Client
) -> None:
    app = local_app(apps)
    page = login(
        browser, apps.tenant, authorize_url(app, LOCAL_CALLBACK, audience=API), EMAIL, PASSWORD
    )
    assert 'data-scope="read:items"' in page.text
    params = answer(browser, apps, page, "accept")
    assert params["state"] == "app-state" and params["code"]
    # Agreed once, the same scopes go through without the screen.
    again = get(browser, apps.tenant, authorize_url(app, LOCAL_CALLBACK, audience=API))
    assert "code" in callback_params(again)
    # A scope not agreed to yet asks again.
    wider = get(
        browser,
        apps.tenant,
        authorize_url(app, LOCAL_CALLBACK, audience=API, scope="openid read:items write:items"),
    )
    assert wider.status_code == 200 and 'data-scope="write:items"' in wider.text


def test_silent_login_answers_consent_required_until_the_user_agrees(
    apps: Apps, browser: httpx.Client
) -> None:
    app = local_app(apps)
    page = login(
        browser, apps.tenant, authorize_url(app, LOCAL_CALLBACK, audience=API), EMAIL, PASSWORD
    )
    assert "/u/consent" in str(page.url)
    silent = get(
        browser, apps.tenant, authorize_url(app, LOCAL_CALLBACK, audience=API, prompt="none")
    )
    assert callback_params(silent) == {
        "error": "consent_required",
        "error_description": "Consent required",
        "state": "app-state",
    }


def test_declining_sends_access_denied_to_the_callback(apps: Apps, browser: httpx.Client) -> None:
    app = local_app(apps)
    page = login(
        browser, apps.tenant, authorize_url(app, LOCAL_CALLBACK, audience=API), EMAIL, PASSWORD
    )
    params = answer(browser, apps, page, "deny")
    assert params["error"] == "access_denied" and params["state"] == "app-state"


def test_a_third_party_app_always_asks_and_prompt_consent_forces_the_screen(
    apps: Apps, browser: httpx.Client
) -> None:
    third = apps.tenant.create_client_from(
        {
            "name": "Partner",
            "app_type": "regular_web",
            "is_first_party": False,
            "callbacks": ["https://partner.example.com/cb"],
        }
    )
    page = login(
        browser,
        apps.tenant,
        authorize_url(third, "https://partner.example.com/cb"),
        EMAIL,
        PASSWORD,
    )
    assert "/u/consent" in str(page.url)
    assert "code" in answer(browser, apps, page, "accept")
    # The first-party web app on a verifiable callback skips the screen (the API skips consent),
    # unless prompt=consent asks for it.
    plain = get(
        browser,
        apps.tenant,
        authorize_url(apps.web, "https://app.example.com/callback", audience=API),
    )
    assert "code" in callback_params(plain)
    forced = get(
        browser,
        apps.tenant,
        authorize_url(apps.web, "https://app.example.com/callback", audience=API, prompt="consent"),
    )
    assert "/u/consent" in str(forced.url)


def test_an_api_that_does_not_skip_consent_asks_first_party_apps_too(
    apps: Apps, browser: httpx.Client
) -> None:
    apps.tenant.update_resource_server(
        API, {"skip_consent_for_verifiable_first_party_clients": False}
    )
    page = login(
        browser,
        apps.tenant,
        authorize_url(apps.web, "https://app.example.com/callback", audience=API),
        EMAIL,
        PASSWORD,
    )
    assert "/u/consent" in str(page.url)
    # Without an API there is nothing to consent to for a first-party app.
    plain = get(browser, apps.tenant, authorize_url(apps.web, "https://app.example.com/callback"))
    assert "code" in callback_params(plain)
