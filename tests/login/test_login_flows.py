"""The login flows' rules, each with its public source: where ``/authorize`` sends an error,
``state``, ``prompt``, ``max_age``, the response modes, refresh-token rotation and expiry,
``/oauth/revoke``, the simulated identity provider, the login page's refusals, post-login hooks
and the login statistics (docs/auth0-behaviour.md#authorize)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import jwt
import pytest

from fakeauth0 import Client, Tenant
from fakeauth0.logins import LoginApi, LoginEvent
from tests.login import browser as drive
from tests.login.conftest import API, CALLBACK, EMAIL, PASSWORD, SPA_CALLBACK, SPA_ORIGIN, Apps

#: A tenant's session settings, in hours, as Auth0's defaults
#: (https://auth0.com/docs/manage-users/sessions/session-lifetime-limits).
HOUR = 3600


def authorize(client: Client, redirect_uri: str = CALLBACK, **params: str) -> str:
    query = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid profile email offline_access",
        "state": "app-state",
        **params,
    }
    return "/authorize?" + urlencode(query)


def sign_in(apps: Apps, browser: httpx.Client, **params: str) -> dict[str, str]:
    """A full login through the page; what the callback receives."""
    answer = drive.login(browser, apps.tenant, authorize(apps.web, **params), EMAIL, PASSWORD)
    return drive.callback_params(answer)


def exchange(browser: httpx.Client, client: Client, code: str, **extra: str) -> httpx.Response:
    body = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
        **extra,
    }
    return browser.post("/oauth/token", json=body)


def refresh(browser: httpx.Client, client: Client, token: str, **extra: str) -> httpx.Response:
    body = {
        "grant_type": "refresh_token",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "refresh_token": token,
        **extra,
    }
    return browser.post("/oauth/token", json=body)


def tokens_of(apps: Apps, browser: httpx.Client, **params: str) -> dict[str, Any]:
    code = sign_in(apps, browser, **params)["code"]
    response = exchange(browser, apps.web, code)
    assert response.status_code == 200, response.text
    return response.json()


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def web_message(page: httpx.Response) -> tuple[dict[str, Any], str]:
    """The message a ``web_message`` page posts, and the origin it posts to."""
    data = re.search(r'id="authorization-response">(.*?)</script>', page.text, re.S)
    origin = re.search(r"postMessage\(\{[^}]*\}, (\"[^\"]*\")\)", page.text)
    assert data is not None and origin is not None, page.text
    return json.loads(data.group(1)), json.loads(origin.group(1))


# -- where errors go -----------------------------------------------------------------------------
# Until client_id and redirect_uri are both valid, Auth0 shows its error page and redirects
# nowhere; after, errors go to the callback (https://auth0.com/docs/universal-login/error-pages;
# https://support.auth0.com/center/s/article/Callback-URL-Mismatch-Error-Is-Not-in-the-List-of-Allowed-Callback-URLs).


def test_unknown_client_is_shown_on_the_error_page(apps: Apps, browser: httpx.Client) -> None:
    query = {"client_id": "nobody", "redirect_uri": CALLBACK, "response_type": "code"}
    page = browser.get("/authorize?" + urlencode(query))
    assert page.status_code == 400 and "Location" not in page.headers
    assert "Unknown client: nobody" in page.text and page.headers["content-type"].startswith(
        "text/html"
    )


def test_callback_mismatch_is_shown_on_the_error_page(apps: Apps, browser: httpx.Client) -> None:
    page = browser.get(authorize(apps.web, "https://evil.example/cb", response_mode="query"))
    assert page.status_code == 400 and "Location" not in page.headers
    assert "Callback URL mismatch. https://evil.example/cb is not in the list" in page.text


def test_errors_after_the_callback_is_trusted_go_to_it_with_state(
    apps: Apps, browser: httpx.Client
) -> None:
    unknown_api = browser.get(authorize(apps.web, audience="https://nowhere.example/"))
    assert drive.callback_params(unknown_api) == {
        "error": "access_denied",
        "error_description": "Service not found: https://nowhere.example/",
        "state": "app-state",
    }
    bad_type = browser.get(authorize(apps.web, response_type="code banana"))
    got = drive.callback_params(bad_type)
    assert got["error"] == "unsupported_response_type" and got["state"] == "app-state"
    # An ID token from /authorize needs a nonce
    # (https://auth0.com/docs/api/authentication#authorize-application); implicit answers
    # travel in the fragment (https://auth0.com/docs/authenticate/protocols/oauth).
    no_nonce = browser.get(authorize(apps.web, response_type="id_token"))
    assert drive.location(no_nonce).startswith(CALLBACK + "#")  # type: ignore[union-attr]
    got = drive.callback_params(no_nonce)
    assert got["error"] == "invalid_request" and got["state"] == "app-state"


# -- state ---------------------------------------------------------------------------------------
# The app's state comes back unchanged on every answer, success or error
# (https://auth0.com/docs/secure/attack-protection/state-parameters).

STATES = ["a", "x y+z/=&?#", "ünïcødé", "%41%20", "s" * 500]


@pytest.mark.parametrize("state", STATES)
def test_state_is_echoed_on_success_and_on_errors(
    apps: Apps, browser: httpx.Client, state: str
) -> None:
    assert sign_in(apps, browser, state=state)["state"] == state
    silent = browser.get(authorize(apps.web, state=state, prompt="none", max_age="0"))
    assert drive.callback_params(silent)["state"] == state
    refused = browser.get(authorize(apps.web, state=state, audience="https://nowhere.example/"))
    assert drive.callback_params(refused)["state"] == state


def test_no_state_sent_none_returned(apps: Apps, browser: httpx.Client) -> None:
    query = {"client_id": apps.web.client_id, "response_type": "code", "redirect_uri": CALLBACK}
    page = drive.get(browser, apps.tenant, "/authorize?" + urlencode(query))
    got = drive.callback_params(drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD))
    assert set(got) == {"code"}


def test_the_exchange_needs_redirect_uri_only_when_authorize_had_one(
    apps: Apps, browser: httpx.Client
) -> None:
    # RFC 6749 section 4.1.3; auth0-python's GetToken.authorization_code: redirect_uri "is
    # required only if it was set at the GET /authorize endpoint. The values must match".
    query = {"client_id": apps.web.client_id, "response_type": "code", "scope": "openid"}
    answer = drive.login(browser, apps.tenant, "/authorize?" + urlencode(query), EMAIL, PASSWORD)
    assert (drive.location(answer) or "").startswith(CALLBACK + "?")  # the first callback
    code = drive.callback_params(answer)["code"]
    body = {
        "grant_type": "authorization_code",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "code": code,
    }
    assert browser.post("/oauth/token", json=body).status_code == 200
    with_uri = sign_in(apps, browser)["code"]
    body["code"] = with_uri
    refused = browser.post("/oauth/token", json=body)
    assert refused.status_code == 403 and refused.json()["error"] == "invalid_grant"


# -- prompt=none ---------------------------------------------------------------------------------
# Silent authentication never shows a page: without a session, login_required "Login required"
# in the response mode (https://auth0.com/docs/authenticate/login/configure-silent-authentication).


def test_silent_login_without_a_session_in_query_mode(apps: Apps, browser: httpx.Client) -> None:
    answer = browser.get(authorize(apps.web, prompt="none"))
    assert drive.location(answer).startswith(CALLBACK + "?")  # type: ignore[union-attr]
    assert drive.callback_params(answer) == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "app-state",
    }


def test_silent_login_without_a_session_in_fragment_mode(apps: Apps, browser: httpx.Client) -> None:
    answer = browser.get(
        authorize(apps.web, prompt="none", response_type="id_token token", nonce="n")
    )
    target = urlsplit(drive.location(answer) or "")
    assert target.query == "" and dict(parse_qsl(target.fragment))["error"] == "login_required"


def test_silent_login_without_a_session_in_form_post_mode(
    apps: Apps, browser: httpx.Client
) -> None:
    page = browser.get(authorize(apps.web, prompt="none", response_mode="form_post"))
    assert page.status_code == 200 and "Location" not in page.headers
    assert f'action="{CALLBACK}"' in page.text
    assert drive.hidden_inputs(page) == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "app-state",
    }


def test_silent_login_without_a_session_in_web_message_mode(
    apps: Apps, browser: httpx.Client
) -> None:
    page = browser.get(
        authorize(apps.spa, SPA_CALLBACK, prompt="none", response_mode="web_message")
    )
    assert page.status_code == 200
    message, origin = web_message(page)
    assert message == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "app-state",
    }
    assert origin == SPA_ORIGIN
    # auth0-spa-js reads only {type: "authorization_response", response}
    # (https://github.com/auth0/auth0-spa-js/blob/main/src/utils.ts, runIframe).
    assert 'type: "authorization_response"' in page.text


def test_silent_login_with_a_session_answers_at_once(apps: Apps, browser: httpx.Client) -> None:
    first = sign_in(apps, browser)
    silent = browser.get(authorize(apps.web, prompt="none", state="again"))
    got = drive.callback_params(silent)
    assert set(got) == {"code", "state"} and got["state"] == "again"
    assert got["code"] != first["code"]
    assert exchange(browser, apps.web, got["code"]).status_code == 200


def test_silent_login_in_web_message_mode_with_a_session(apps: Apps, browser: httpx.Client) -> None:
    drive.login(browser, apps.tenant, authorize(apps.spa, SPA_CALLBACK), EMAIL, PASSWORD)
    page = browser.get(
        authorize(apps.spa, SPA_CALLBACK, prompt="none", response_mode="web_message")
    )
    message, origin = web_message(page)
    assert set(message) == {"code", "state"} and origin == SPA_ORIGIN
    # The page runs in the app's hidden iframe: it must not forbid being framed.
    assert "X-Frame-Options" not in page.headers


def test_web_message_is_refused_for_an_origin_not_in_web_origins(
    apps: Apps, browser: httpx.Client
) -> None:
    apps.tenant.update_client(apps.spa.client_id, {"web_origins": ["https://other.example"]})
    page = browser.get(authorize(apps.spa, SPA_CALLBACK, response_mode="web_message"))
    assert page.status_code == 400 and "Location" not in page.headers
    assert "postMessage" not in page.text


# -- prompt=login, max_age -----------------------------------------------------------------------
# prompt=login always shows the page; max_age asks for a login newer than that many seconds and
# puts auth_time in the ID token
# (https://auth0.com/docs/authenticate/login/auth0-universal-login/universal-login-vs-classic-login/universal-experience;
# https://auth0.com/docs/authenticate/login/max-age-reauthentication).


def test_prompt_login_shows_the_page_despite_a_session(apps: Apps, browser: httpx.Client) -> None:
    sign_in(apps, browser)
    page = drive.get(browser, apps.tenant, authorize(apps.web, prompt="login"))
    assert page.status_code == 200 and urlsplit(str(page.url)).path == "/u/login"
    got = drive.callback_params(drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD))
    tokens = exchange(browser, apps.web, got["code"]).json()
    assert "auth_time" in claims_of(tokens["id_token"])


def test_max_age_puts_auth_time_and_reasks_for_an_older_login(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.clock.freeze(1_800_000_000)
    plain = tokens_of(apps, browser)
    assert "auth_time" not in claims_of(plain["id_token"])
    tenant.clock.advance(100)
    fresh = browser.get(authorize(apps.web, max_age="300"))
    tokens = exchange(browser, apps.web, drive.callback_params(fresh)["code"]).json()
    assert claims_of(tokens["id_token"])["auth_time"] == 1_800_000_000
    # The session is now older than max_age: the page again, and a new auth_time.
    tenant.clock.advance(400)
    page = drive.get(browser, tenant, authorize(apps.web, max_age="300"))
    assert urlsplit(str(page.url)).path == "/u/login"
    got = drive.callback_params(drive.submit_login(browser, tenant, page, EMAIL, PASSWORD))
    again = exchange(browser, apps.web, got["code"]).json()
    assert claims_of(again["id_token"])["auth_time"] == 1_800_000_500
    # Silent authentication cannot satisfy a max_age the session is too old for.
    tenant.clock.advance(400)
    silent = browser.get(authorize(apps.web, max_age="300", prompt="none"))
    assert drive.callback_params(silent)["error"] == "login_required"


# -- response modes ------------------------------------------------------------------------------
# form_post: a page that posts the answer as hidden inputs to redirect_uri
# (https://auth0.com/docs/authenticate/protocols/oauth).


def test_form_post_answers_with_hidden_inputs(apps: Apps, browser: httpx.Client) -> None:
    page = drive.get(browser, apps.tenant, authorize(apps.web, response_mode="form_post"))
    answer = drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD)
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert f'<form method="post" action="{CALLBACK}">' in answer.text
    fields = drive.hidden_inputs(answer)
    assert set(fields) == {"code", "state"} and fields["state"] == "app-state"
    assert exchange(browser, apps.web, fields["code"]).status_code == 200


def test_form_post_escapes_what_it_echoes(apps: Apps, browser: httpx.Client) -> None:
    hostile = '"><script>alert(1)</script>'
    page = browser.get(authorize(apps.web, response_mode="form_post", prompt="none", state=hostile))
    assert "<script>alert(1)</script>" not in page.text
    assert drive.hidden_inputs(page)["state"] == hostile


# -- refresh tokens ------------------------------------------------------------------------------
# Rotation: every exchange returns a new token; a rotated-out token presented again revokes the
# family, so the latest token fails too. Expiring tokens die after their idle lifetime or at
# their absolute lifetime, which rotation does not move
# (https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation;
# https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-expiration).
# Refusals are 403 invalid_grant "Unknown or invalid refresh token."
# (https://github.com/auth0/Auth0.Android, AuthenticationException.kt).

ROTATING = {
    "rotation_type": "rotating",
    "expiration_type": "expiring",
    "leeway": 0,
    "token_lifetime": 30 * 86400,
    "idle_token_lifetime": 86400,
    "infinite_token_lifetime": False,
    "infinite_idle_token_lifetime": False,
}


def rotating(apps: Apps, **changes: Any) -> None:
    apps.tenant.update_client(apps.web.client_id, {"refresh_token": {**ROTATING, **changes}})


def assert_invalid_refresh(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token.",
    }


def test_rotation_issues_a_new_token_each_time_and_reuse_revokes_the_family(
    apps: Apps, browser: httpx.Client
) -> None:
    rotating(apps)
    first = tokens_of(apps, browser)["refresh_token"]
    second = refresh(browser, apps.web, first).json()["refresh_token"]
    third = refresh(browser, apps.web, second).json()["refresh_token"]
    assert len({first, second, third}) == 3
    assert_invalid_refresh(refresh(browser, apps.web, first))
    # The reuse revoked the whole family: the legitimate holder's latest token is dead too.
    assert_invalid_refresh(refresh(browser, apps.web, third))


def test_leeway_zero_allows_no_reuse_even_in_the_same_instant(
    apps: Apps, browser: httpx.Client
) -> None:
    rotating(apps, leeway=0)
    apps.tenant.clock.freeze(1_800_000_000)
    first = tokens_of(apps, browser)["refresh_token"]
    second = refresh(browser, apps.web, first).json()["refresh_token"]
    assert_invalid_refresh(refresh(browser, apps.web, first))
    assert_invalid_refresh(refresh(browser, apps.web, second))


def test_non_rotating_tokens_stay_the_same(apps: Apps, browser: httpx.Client) -> None:
    token = tokens_of(apps, browser)["refresh_token"]
    for _ in range(3):
        answer = refresh(browser, apps.web, token)
        assert answer.status_code == 200 and "refresh_token" not in answer.json()


def test_leeway_lets_the_previous_token_be_reused_briefly(
    apps: Apps, browser: httpx.Client
) -> None:
    rotating(apps, leeway=10)
    apps.tenant.clock.freeze(1_800_000_000)
    first = tokens_of(apps, browser)["refresh_token"]
    second = refresh(browser, apps.web, first).json()["refresh_token"]
    apps.tenant.clock.advance(5)
    assert refresh(browser, apps.web, first).status_code == 200
    apps.tenant.clock.advance(60)
    latest = refresh(browser, apps.web, second)
    assert latest.status_code == 200
    # Beyond the leeway, reuse of a rotated-out token revokes the family.
    apps.tenant.clock.advance(11)
    assert_invalid_refresh(refresh(browser, apps.web, second))
    assert_invalid_refresh(refresh(browser, apps.web, latest.json()["refresh_token"]))


def test_idle_expiry(apps: Apps, browser: httpx.Client) -> None:
    rotating(apps, idle_token_lifetime=3600)
    apps.tenant.clock.freeze(1_800_000_000)
    token = tokens_of(apps, browser)["refresh_token"]
    apps.tenant.clock.advance(3000)
    token = refresh(browser, apps.web, token).json()["refresh_token"]
    # Each exchange restarts the idle window.
    apps.tenant.clock.advance(3000)
    token = refresh(browser, apps.web, token).json()["refresh_token"]
    apps.tenant.clock.advance(3600)
    assert_invalid_refresh(refresh(browser, apps.web, token))


def test_absolute_expiry_is_not_moved_by_rotation(apps: Apps, browser: httpx.Client) -> None:
    rotating(apps, token_lifetime=10_000, idle_token_lifetime=5000)
    apps.tenant.clock.freeze(1_800_000_000)
    token = tokens_of(apps, browser)["refresh_token"]
    for _ in range(3):
        apps.tenant.clock.advance(3000)
        answer = refresh(browser, apps.web, token)
        assert answer.status_code == 200
        token = answer.json()["refresh_token"]
    apps.tenant.clock.advance(1000)  # 10 000 s after the login
    assert_invalid_refresh(refresh(browser, apps.web, token))


def test_a_refused_narrowing_does_not_rotate_the_family(apps: Apps, browser: httpx.Client) -> None:
    rotating(apps)
    token = tokens_of(apps, browser)["refresh_token"]
    wider = refresh(browser, apps.web, token, scope="openid read:items")
    assert wider.status_code == 403 and wider.json()["error"] == "access_denied"
    # The token the client still holds is the family's latest: it must go on working.
    assert refresh(browser, apps.web, token).status_code == 200


def test_narrower_scope_at_refresh(apps: Apps, browser: httpx.Client) -> None:
    token = tokens_of(apps, browser)["refresh_token"]
    narrow = refresh(browser, apps.web, token, scope="openid email").json()
    assert narrow["scope"] == "openid email"
    assert set(claims_of(narrow["id_token"])) >= {"email"}
    assert "name" not in claims_of(narrow["id_token"])


def test_no_refresh_token_without_offline_access_or_for_an_api_that_refuses_it(
    apps: Apps, browser: httpx.Client
) -> None:
    without = tokens_of(apps, browser, scope="openid")
    assert "refresh_token" not in without
    apps.tenant.update_resource_server(API, {"allow_offline_access": False})
    for_api = tokens_of(apps, browser, audience=API)
    assert "refresh_token" not in for_api and "offline_access" not in for_api["scope"].split()


# -- /oauth/revoke -------------------------------------------------------------------------------
# 200 with an empty body, even for a token it does not know
# (https://auth0.com/docs/api/authentication#revoke-refresh-token; go-auth0 recordings
# TestRevokeRefreshToken, https://github.com/auth0/go-auth0/tree/main/test/data/recordings/authentication).


def revoke(browser: httpx.Client, client: Client, token: str) -> httpx.Response:
    body = {"client_id": client.client_id, "client_secret": client.client_secret, "token": token}
    return browser.post("/oauth/revoke", json=body)


def test_revoke_answers_200_empty_for_unknown_tokens(apps: Apps, browser: httpx.Client) -> None:
    answer = revoke(browser, apps.web, "v1.never-issued")
    assert answer.status_code == 200 and answer.content == b""


def test_revoke_kills_the_family_and_only_for_its_own_client(
    apps: Apps, browser: httpx.Client
) -> None:
    token = tokens_of(apps, browser)["refresh_token"]
    other = revoke(browser, apps.spa, token)
    assert other.status_code == 200 and other.content == b""
    assert refresh(browser, apps.web, token).status_code == 200
    assert revoke(browser, apps.web, token).status_code == 200
    assert_invalid_refresh(refresh(browser, apps.web, token))


def test_revoke_with_a_wrong_secret_is_invalid_client(apps: Apps, browser: httpx.Client) -> None:
    body = {"client_id": apps.web.client_id, "client_secret": "wrong", "token": "v1.x"}
    answer = browser.post("/oauth/revoke", json=body)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


# -- the simulated identity provider -------------------------------------------------------------
# The first social login creates the user; later ones find it
# (https://auth0.com/docs/manage-users/user-accounts/user-profiles/user-profile-structure).


@pytest.fixture
def google(apps: Apps) -> str:
    # Auth0's default social connection, enabled for the web app.
    connection = apps.tenant.connection("google-oauth2")
    apps.tenant.set_connection_clients(
        connection.id, [{"client_id": apps.web.client_id, "status": True}]
    )
    return connection.name


def idp_login(
    apps: Apps, browser: httpx.Client, connection: str, **profile: str
) -> tuple[httpx.Response, httpx.Response]:
    """Press the connection's button on the login page and answer the IdP page: (the IdP's
    page as first shown, the answer that leaves the tenant)."""
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    button = browser.post(
        str(page.url), data={"state": drive.page_state(page), "connection": connection}
    )
    idp_page = drive.follow(browser, apps.tenant, button)
    assert idp_page.status_code == 200 and urlsplit(str(idp_page.url)).path == "/u/idp"
    form = {"state": drive.page_state(idp_page), "connection": connection, **profile}
    answer = drive.follow(browser, apps.tenant, browser.post("/u/idp", data=form))
    return idp_page, answer


def test_first_social_login_creates_the_user_and_the_idp_remembers(
    apps: Apps, browser: httpx.Client, google: str
) -> None:
    tenant = apps.tenant
    _, answer = idp_login(apps, browser, google, email="grace@example.com", name="Grace")
    got = drive.callback_params(answer)
    tokens = exchange(browser, apps.web, got["code"]).json()
    sub = claims_of(tokens["id_token"])["sub"]
    assert sub.startswith("google-oauth2|")
    user = tenant.get_user(sub)
    assert user.profile["email"] == "grace@example.com" and user.logins_count == 1

    # A second login: the IdP page offers the account chosen before, and no new user appears.
    browser.cookies.delete("auth0")
    browser.cookies.delete("auth0_compat")
    idp_page, answer = idp_login(apps, browser, google, email="grace@example.com")
    assert 'value="grace@example.com"' in idp_page.text
    again = exchange(browser, apps.web, drive.callback_params(answer)["code"]).json()
    assert claims_of(again["id_token"])["sub"] == sub
    assert [u.user_id for u in tenant.list_users() if u.user_id.startswith("google")] == [sub]
    assert tenant.get_user(sub).logins_count == 2


def test_the_idp_refuses_a_connection_not_enabled_for_the_client(
    apps: Apps, browser: httpx.Client
) -> None:
    apps.tenant.create_connection_from({"name": "github", "strategy": "github"})
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    assert 'value="github"' not in page.text
    query = urlencode({"state": drive.page_state(page), "connection": "github"})
    refused = browser.get("/u/idp?" + query)
    assert refused.status_code == 400 and "Location" not in refused.headers


# -- the login page's refusals and the post-login hooks --------------------------------------------


def test_a_blocked_user_goes_back_to_the_app_with_user_is_blocked(
    apps: Apps, browser: httpx.Client
) -> None:
    # "If a blocked user tries to log in to an application, they are redirected from the
    # application with the error message 'user is blocked' in the URL"
    # (https://auth0.com/docs/manage-users/user-accounts/block-and-unblock-users): an
    # "unauthorized" error (https://community.auth0.com/t/does-blocking-a-user-end-their-session/117905).
    apps.tenant.update_user(apps.user.user_id, {"blocked": True})
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    answer = drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD)
    assert drive.callback_params(answer) == {
        "error": "unauthorized",
        "error_description": "user is blocked",
        "state": "app-state",
    }
    assert "auth0" not in browser.cookies


def test_blocking_a_user_ends_their_session(apps: Apps, browser: httpx.Client) -> None:
    # Blocking invalidates the Auth0 session: the next /authorize asks for a login
    # (https://community.auth0.com/t/does-blocking-a-user-end-their-session/117905).
    sign_in(apps, browser)
    apps.tenant.update_user(apps.user.user_id, {"blocked": True})
    silent = browser.get(authorize(apps.web, prompt="none"))
    assert drive.callback_params(silent)["error"] == "login_required"
    apps.tenant.update_user(apps.user.user_id, {"blocked": False})
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    assert page.status_code == 200 and urlsplit(str(page.url)).path == "/u/login"


def test_a_wrong_password_rerenders_the_page(apps: Apps, browser: httpx.Client) -> None:
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    refused = drive.submit_login(browser, apps.tenant, page, EMAIL, "wrong")
    assert refused.status_code == 400
    assert 'id="error-element-password"' in refused.text
    assert 'data-error-code="wrong-email-credentials"' in refused.text
    # The same transaction goes on: the right password now logs in.
    got = drive.callback_params(drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD))
    assert got["state"] == "app-state"


def test_a_hook_that_denies_sends_access_denied_with_its_reason(
    apps: Apps, browser: httpx.Client
) -> None:
    # api.access.deny(reason) reaches the callback as access_denied with that reason
    # (https://support.auth0.com/center/s/article/troubleshooting-the-access-denied-error).
    def deny(event: LoginEvent, api: LoginApi) -> None:
        api.deny("You can't log in")

    apps.tenant.add_hook(deny)
    page = drive.get(browser, apps.tenant, authorize(apps.web))
    answer = drive.submit_login(browser, apps.tenant, page, EMAIL, PASSWORD)
    assert drive.callback_params(answer) == {
        "error": "access_denied",
        "error_description": "You can't log in",
        "state": "app-state",
    }
    assert "auth0" not in browser.cookies


# -- login statistics ----------------------------------------------------------------------------
# Every authentication counts: logins_count and last_login move on the page, at the IdP and
# through the password grant (https://auth0.com/docs/manage-users/user-accounts/user-profiles/user-profile-structure);
# an SSO answer is no new authentication and leaves them
# (https://auth0.com/docs/customize/rules/context-object, stats.loginsCount).


def test_logins_count_and_last_login_move_on_every_authentication(
    apps: Apps, browser: httpx.Client, google: str
) -> None:
    tenant = apps.tenant
    tenant.clock.freeze(1_800_000_000)
    user_id = apps.user.user_id
    assert not tenant.get_user(user_id).logins_count

    sign_in(apps, browser)
    after_page = tenant.get_user(user_id)
    assert after_page.logins_count == 1

    tenant.clock.advance(60)
    sign_in(apps, browser)  # the SSO session answers: no new authentication
    assert tenant.get_user(user_id).logins_count == 1

    tenant.clock.advance(60)
    tenant.update_client(
        apps.web.client_id, {"grant_types": ["http://auth0.com/oauth/grant-type/password-realm"]}
    )
    grant = {
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "username": EMAIL,
        "password": PASSWORD,
        "realm": "Username-Password-Authentication",
    }
    assert browser.post("/oauth/token", json=grant).status_code == 200
    after_grant = tenant.get_user(user_id)
    assert after_grant.logins_count == 2
    assert after_grant.last_login is not None and after_grant.last_login > after_page.last_login
    assert after_grant.last_login.startswith("2027-01-15T08:")


def test_the_spa_gets_its_code_at_its_own_callback(apps: Apps, browser: httpx.Client) -> None:
    answer = drive.login(browser, apps.tenant, authorize(apps.spa, SPA_CALLBACK), EMAIL, PASSWORD)
    assert (drive.location(answer) or "").startswith(SPA_CALLBACK + "?code=")


def test_a_code_is_bound_to_its_redirect_uri_and_client(
    apps: Apps, browser: httpx.Client, auth0_tenant: Tenant
) -> None:
    code = sign_in(apps, browser)["code"]
    other = exchange(browser, apps.web, code, redirect_uri="https://app.example.com/other")
    assert other.status_code == 403 and other.json()["error"] == "invalid_grant"
    code = sign_in(apps, browser)["code"]
    foreign = exchange(browser, apps.spa, code, client_secret="")
    assert foreign.status_code == 403 and foreign.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }
