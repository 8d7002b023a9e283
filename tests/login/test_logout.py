"""``GET /v2/logout`` and ``GET|POST /oidc/logout`` through the app, from a real SSO session.

Auth0's rules (docs/auth0-behaviour.md#logout); sources named in the comments:
- v2-logout: https://auth0.com/docs/api/authentication#logout
- oidc-logout: https://auth0.com/docs/api/authentication#oidc-logout
- after-logout: https://auth0.com/docs/authenticate/login/logout/redirect-users-after-logout
- out-of-auth0: https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0
- logout-errors: https://support.auth0.com/center/s/article/Simple-errors-related-to-Logout
- rp-logout: https://openid.net/specs/openid-connect-rpinitiated-1_0.html
Choices where Auth0 is silent are rows of CHOICES.md, cited by their case name.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant
from fakeauth0.errors import OAuthMsg
from tests.login.support import (
    Login,
    add_user,
    browser,
    cleared_cookies,
    get,
    log_in,
    silent_login,
    web_app,
)

BYE = "https://app.example.com/bye"
HOME = "https://app.example.com/home"
TENANT_BYE = "https://portal.example.net/signed-out"


@pytest.fixture
def login(tenant: Tenant) -> Login:
    add_user(tenant)
    tenant.settings.allowed_logout_urls = [TENANT_BYE]
    return log_in(tenant, web_app(tenant, [BYE, HOME]))


def session_is_live(tenant: Tenant, login: Login) -> bool:
    return tenant.session(login.sid) is not None


def error_text(body: str) -> str:
    found = re.search(r'id="error-description">([^<]*)<', body)
    assert found is not None, body
    return html.unescape(found.group(1))


def confirmation_of(body: str) -> str:
    found = re.search(r'name="confirmation" value="([^"]+)"', body)
    assert found is not None, body
    return found.group(1)


def assert_logged_out(tenant: Tenant, login: Login) -> None:
    """The session is over for good: a silent login answers ``login_required``, even with the
    old cookie sent again by hand."""
    assert not session_is_live(tenant, login)
    assert "error=login_required" in silent_login(tenant, login)
    replayed = Login(browser(tenant), login.client, login.id_token)
    replayed.browser.set_cookie("auth0", login.sid, domain=tenant.domain)
    assert "error=login_required" in silent_login(tenant, replayed)


# -- /v2/logout --------------------------------------------------------------------------------


def test_v2_logout_ends_the_session_clears_the_cookies_and_returns(
    tenant: Tenant, login: Login
) -> None:
    assert "code=" in silent_login(tenant, login)  # the session works before
    query = {"client_id": login.client.client_id, "returnTo": BYE}
    response = get(login.browser, tenant, "/v2/logout", **query)
    # v2-logout: the session ends, then the redirect to returnTo.
    assert response.status_code == 302
    assert response.headers["Location"] == BYE
    assert cleared_cookies(response) == {"auth0", "auth0_compat"}
    assert_logged_out(tenant, login)


def test_v2_logout_with_client_id_and_no_return_to_goes_to_the_first_url(
    tenant: Tenant, login: Login
) -> None:
    # v2-logout: "If the client_id parameter is included and the returnTo URL is NOT set, the
    # server returns the user to the first Allowed Logout URLs set in the Dashboard."
    response = get(login.browser, tenant, "/v2/logout", client_id=login.client.client_id)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert not session_is_live(tenant, login)


def test_v2_logout_without_client_id_uses_the_tenant_list(tenant: Tenant, login: Login) -> None:
    # v2-logout, after-logout: without client_id, returnTo must be in the tenant's list.
    response = get(login.browser, tenant, "/v2/logout", returnTo=TENANT_BYE)
    assert response.status_code == 302 and response.headers["Location"] == TENANT_BYE
    # The client's list is not consulted then.
    response = get(browser(tenant), tenant, "/v2/logout", returnTo=BYE)
    assert response.status_code == 400


def test_v2_logout_ignores_query_and_fragment_in_the_match(tenant: Tenant, login: Login) -> None:
    # after-logout: "the query string, and hash information provided as part of the URL are not
    # taken into account"; the browser goes to the URL as sent.
    wanted = BYE + "?next=/orders&lang=fr#top"
    query = {"client_id": login.client.client_id, "returnTo": wanted}
    response = get(login.browser, tenant, "/v2/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == wanted


def test_v2_logout_refuses_a_return_to_not_in_the_list(tenant: Tenant, login: Login) -> None:
    wanted = "https://evil.example.com/bye"
    query = {"client_id": login.client.client_id, "returnTo": wanted}
    response = get(login.browser, tenant, "/v2/logout", **query)
    # logout-errors: an error page with this text, after the user is signed out.
    assert response.status_code == 400 and "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert error_text(response.text) == OAuthMsg.RETURN_TO_NOT_ALLOWED.format(url=wanted)
    assert error_text(response.text) == (
        'The "returnTo" querystring parameter "https://evil.example.com/bye" is not defined as '
        'a valid URL in "Allowed Logout URLs".'
    )
    assert cleared_cookies(response) == {"auth0", "auth0_compat"}
    assert_logged_out(tenant, login)


def test_v2_logout_without_return_to_shows_ok(tenant: Tenant, login: Login) -> None:
    # CHOICES.md "logout without returnTo": a 200 "OK" page, the session ended.
    response = get(login.browser, tenant, "/v2/logout")
    assert response.status_code == 200 and "Location" not in response.headers
    assert '<h1 id="logout-status">OK</h1>' in response.text
    assert_logged_out(tenant, login)


def test_v2_logout_with_an_empty_client_list_shows_ok(tenant: Tenant) -> None:
    # CHOICES.md "logout without returnTo": no first URL to go to.
    client = web_app(tenant, [])
    response = get(browser(tenant), tenant, "/v2/logout", client_id=client.client_id)
    assert response.status_code == 200 and "Location" not in response.headers


def test_v2_logout_with_an_unknown_client_is_an_error_after_logout(
    tenant: Tenant, login: Login
) -> None:
    # CHOICES.md "logout with an unknown client_id".
    query = {"client_id": "nope", "returnTo": BYE}
    response = get(login.browser, tenant, "/v2/logout", **query)
    assert response.status_code == 400 and "Location" not in response.headers
    assert error_text(response.text) == OAuthMsg.UNKNOWN_CLIENT.format(client_id="nope")
    assert_logged_out(tenant, login)


def test_v2_logout_federated_is_accepted(tenant: Tenant, login: Login) -> None:
    # v2-logout: `federated` also logs out of the IdP (CHOICES.md "federated logout").
    query = {"client_id": login.client.client_id, "returnTo": BYE, "federated": ""}
    response = get(login.browser, tenant, "/v2/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert_logged_out(tenant, login)


# -- /oidc/logout --------------------------------------------------------------------------------


def test_oidc_logout_with_id_token_hint_ends_the_session_and_echoes_state(
    tenant: Tenant, login: Login
) -> None:
    query = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE, "state": "a b&c"}
    response = get(login.browser, tenant, "/oidc/logout", **query)
    # out-of-auth0: the hint selects the application's list; `state` comes back on the redirect.
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location._replace(query="").geturl() == BYE
    assert parse_qs(location.query) == {"state": ["a b&c"]}
    assert cleared_cookies(response) == {"auth0", "auth0_compat"}
    assert_logged_out(tenant, login)


def test_oidc_logout_by_form_post(tenant: Tenant, login: Login) -> None:
    # oidc-logout: "The POST HTTP method is also supported ... as form parameters".
    form = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE, "federated": "false"}
    response = login.browser.post("/oidc/logout", data=form, base_url=tenant.base_url)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert_logged_out(tenant, login)


def test_oidc_logout_accepts_an_expired_id_token_hint(tenant: Tenant, login: Login) -> None:
    # rp-logout section 2: the OP "SHOULD accept ID Tokens ... even when the exp time has passed"
    # (an ID token lives 10 hours, a session 72 idle).
    tenant.clock.advance(11 * 3600)
    query = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE}
    response = get(login.browser, tenant, "/oidc/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert_logged_out(tenant, login)


def test_oidc_logout_checks_the_query_string(tenant: Tenant) -> None:
    # out-of-auth0: "You must include the exact URL with query string parameters in your
    # Allowed Logout URLs" (CHOICES.md "oidc/logout query string").
    add_user(tenant)
    login = log_in(tenant, web_app(tenant, [BYE + "?from=app"]))
    refused = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE + "?from=x"}
    response = get(login.browser, tenant, "/oidc/logout", **refused)
    assert response.status_code == 400
    assert error_text(response.text) == OAuthMsg.POST_LOGOUT_NOT_ALLOWED.format(url=BYE + "?from=x")
    # An error ends nothing (CHOICES.md "oidc/logout errors").
    assert session_is_live(tenant, login) and not cleared_cookies(response)
    allowed = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE + "?from=app"}
    response = get(login.browser, tenant, "/oidc/logout", **allowed)
    assert response.status_code == 302 and response.headers["Location"] == BYE + "?from=app"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # oidc-logout: "the client_id value must match the aud claim from the id_token_hint".
        ({"client_id": "other"}, OAuthMsg.HINT_CLIENT_MISMATCH),
        # oidc-logout: "the logout_hint value must match the sid claim from the id_token_hint".
        ({"logout_hint": "another-session"}, OAuthMsg.HINT_SID_MISMATCH),
    ],
)
def test_oidc_logout_refuses_a_hint_that_disagrees(
    tenant: Tenant, login: Login, extra: dict[str, str], message: str
) -> None:
    if "client_id" in extra:
        extra = {"client_id": web_app(tenant, [BYE], name="other").client_id}
    query = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE, **extra}
    response = get(login.browser, tenant, "/oidc/logout", **query)
    # out-of-auth0: "Auth0 checks for consistent user and session data, and returns an error".
    assert response.status_code == 400 and error_text(response.text) == message
    assert session_is_live(tenant, login)


def test_oidc_logout_refuses_a_hint_of_another_tenant_or_tampered(
    tenant: Tenant, login: Login
) -> None:
    other = Tenant(tenant.domain)
    foreign = other.tokens.issue_id_token("auth0|x", login.client.client_id, {"sid": login.sid})
    header, payload, signature = login.id_token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    access_token = tenant.tokens.issue_access_token(login.client.client_id, "https://api", [])
    for hint in (foreign, tampered, access_token, "not-a-jwt"):
        response = get(login.browser, tenant, "/oidc/logout", id_token_hint=hint)
        assert response.status_code == 400
        assert error_text(response.text) == OAuthMsg.INVALID_ID_TOKEN_HINT
    assert session_is_live(tenant, login)


def test_oidc_logout_without_hint_asks_the_user_first(tenant: Tenant, login: Login) -> None:
    # out-of-auth0 "Logout consent prompt": shown when neither id_token_hint nor logout_hint is
    # sent; the logout goes on once the user confirms.
    query = {"client_id": login.client.client_id, "post_logout_redirect_uri": HOME, "state": "s"}
    page = get(login.browser, tenant, "/oidc/logout", **query)
    assert page.status_code == 200 and "Location" not in page.headers
    assert "Are you sure you want to log out of web?" in page.text
    assert page.headers["X-Frame-Options"] == "deny"
    assert session_is_live(tenant, login) and not cleared_cookies(page)
    form = {"confirmation": confirmation_of(page.text), "action": "accept"}
    response = login.browser.post("/oidc/logout", data=form, base_url=tenant.base_url)
    assert response.status_code == 302 and response.headers["Location"] == HOME + "?state=s"
    assert cleared_cookies(response) == {"auth0", "auth0_compat"}
    assert_logged_out(tenant, login)


def test_a_confirmation_is_good_only_for_the_session_it_was_shown_to(
    tenant: Tenant, login: Login
) -> None:
    # A site that fetched its own confirmation page cannot make another browser post it
    # (CHOICES.md "oidc/logout confirmation").
    attacker = browser(tenant)
    page = get(attacker, tenant, "/oidc/logout", client_id=login.client.client_id)
    form = {"confirmation": confirmation_of(page.text)}
    response = login.browser.post("/oidc/logout", data=form, base_url=tenant.base_url)
    assert response.status_code == 400 and "Location" not in response.headers
    assert error_text(response.text) == OAuthMsg.LOGOUT_CONFIRMATION_INVALID
    assert session_is_live(tenant, login)
    # Nor does a confirmation outlive its ten minutes.
    page = get(login.browser, tenant, "/oidc/logout", client_id=login.client.client_id)
    tenant.clock.advance(601)
    form = {"confirmation": confirmation_of(page.text)}
    response = login.browser.post("/oidc/logout", data=form, base_url=tenant.base_url)
    assert response.status_code == 400 and session_is_live(tenant, login)


def test_oidc_logout_with_the_sessions_logout_hint_needs_no_confirmation(
    tenant: Tenant, login: Login
) -> None:
    # oidc-logout: "the user will be prompted for consent unless a logout_hint that matches the
    # user's session ID is provided"; with client_id and no post_logout_redirect_uri, the first
    # of the application's Allowed Logout URLs.
    query = {"client_id": login.client.client_id, "logout_hint": login.sid}
    response = get(login.browser, tenant, "/oidc/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert_logged_out(tenant, login)


def test_oidc_logout_with_only_a_logout_hint_uses_the_tenant_list(
    tenant: Tenant, login: Login
) -> None:
    # out-of-auth0: the tenant's list "If you provide only the logout_hint parameter".
    query = {"logout_hint": login.sid, "post_logout_redirect_uri": TENANT_BYE}
    response = get(login.browser, tenant, "/oidc/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == TENANT_BYE
    # The application's list is not consulted then.
    query = {"logout_hint": login.sid, "post_logout_redirect_uri": BYE}
    response = get(browser(tenant), tenant, "/oidc/logout", **query)
    assert response.status_code == 400


def test_oidc_logout_with_a_foreign_logout_hint_asks_first(tenant: Tenant, login: Login) -> None:
    # out-of-auth0: "The value of the logout_hint parameter does not match current session data".
    query = {"client_id": login.client.client_id, "logout_hint": "someone-else"}
    page = get(login.browser, tenant, "/oidc/logout", **query)
    assert page.status_code == 200 and 'name="confirmation"' in page.text
    assert session_is_live(tenant, login)


def test_oidc_logout_with_a_hint_of_another_session_asks_first(
    tenant: Tenant, login: Login
) -> None:
    # out-of-auth0: "The ID token's sid claim does not correspond to the browser session".
    second = log_in(tenant, login.client)
    query = {"id_token_hint": second.id_token, "post_logout_redirect_uri": BYE}
    page = get(login.browser, tenant, "/oidc/logout", **query)
    assert page.status_code == 200 and 'name="confirmation"' in page.text
    assert session_is_live(tenant, login) and tenant.session(second.sid) is not None


def test_oidc_logout_with_a_hint_and_no_session_just_redirects(
    tenant: Tenant, login: Login
) -> None:
    # CHOICES.md "oidc/logout confirmation": nothing to end, nothing to confirm.
    query = {"id_token_hint": login.id_token, "post_logout_redirect_uri": BYE}
    response = get(browser(tenant), tenant, "/oidc/logout", **query)
    assert response.status_code == 302 and response.headers["Location"] == BYE
    assert session_is_live(tenant, login)


def test_oidc_logout_without_a_redirect_shows_the_logged_out_page(
    tenant: Tenant, login: Login
) -> None:
    response = get(login.browser, tenant, "/oidc/logout", id_token_hint=login.id_token)
    assert response.status_code == 200 and "Location" not in response.headers
    assert "You are logged out" in response.text
    assert_logged_out(tenant, login)


# -- no logout ever redirects outside the allowed lists ------------------------------------------

ALLOWED = [BYE, "https://*.example.org/out"]
HOSTILE_PARTS = st.sampled_from(
    [
        BYE,
        "https://app.example.com/bye/",
        "https://app.example.com/BYE",
        "HTTPS://APP.EXAMPLE.COM/bye",
        "https://app.example.com:443/bye",
        "https://app.example.com.evil.com/bye",
        "https://app.example.com@evil.com/bye",
        "https://evil.com/bye?https://app.example.com/bye",
        "https://evil.com\\@app.example.com/bye",
        "https:\\\\evil.com/bye",
        "//evil.com/bye",
        "/\\evil.com",
        "https:/app.example.com/bye",
        "http://app.example.com/bye",
        "javascript:alert(1)//app.example.com/bye",
        "data:text/html,https://app.example.com/bye",
        "https://shop.example.org/out",
        "https://a.shop.example.org/out",
        "https://example.org/out",
        "https://evil.com/.example.org/out",
        "https://xn--pple-43d.example.org/out",
        "https://app.example.com%2f@evil.com/bye",
        "https://app.example.com/bye#@evil.com",
        "https://app.example.com/bye?x=1",
        " https://app.example.com/bye",
        "https://app.example.com/bye\t",
    ]
)
HOSTILE = st.one_of(
    HOSTILE_PARTS,
    st.tuples(HOSTILE_PARTS, st.text(max_size=8)).map("".join),
    st.tuples(st.text(max_size=8), HOSTILE_PARTS).map("".join),
)


def lands_in_the_list(location: str, *, with_query: bool) -> bool:
    """Read independently of fakeauth0.redirects: https, no userinfo, no port, the exact host
    (or one label under ``example.org``) and path; with ``with_query``, no query or fragment."""
    if location != location.strip() or "\\" in location:
        return False
    parts = urlsplit(location)
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or "@" in parts.netloc or parts.port is not None:
        return False
    if with_query and (parts.query or parts.fragment or "?" in location or "#" in location):
        return False
    named = host == "app.example.com" and parts.path == "/bye"
    labels = host.split(".")
    wildcard = (
        len(labels) == 3
        and labels[1:] == ["example", "org"]
        and re.fullmatch(r"[a-z0-9-]+", labels[0]) is not None
        and parts.path == "/out"
    )
    return named or wildcard


@pytest.fixture(scope="module")
def hostile_tenant() -> tuple[Tenant, str, str]:
    tenant = Tenant("logout.example.auth0.com", seed=1)
    tenant.settings.allowed_logout_urls = list(ALLOWED)
    client = web_app(tenant, list(ALLOWED))
    hint = tenant.tokens.issue_id_token("auth0|someone", client.client_id, {"sid": "gone"})
    return tenant, client.client_id, hint


@settings(
    derandomize=True,
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(wanted=HOSTILE)
def test_no_logout_redirects_outside_the_allowed_lists(
    hostile_tenant: tuple[Tenant, str, str], wanted: str
) -> None:
    tenant, client_id, hint = hostile_tenant
    web = browser(tenant)
    v2 = [{"returnTo": wanted}, {"returnTo": wanted, "client_id": client_id}]
    for query in v2:
        location = get(web, tenant, "/v2/logout", **query).headers.get("Location")
        if location is not None:
            # returnTo goes out as sent (werkzeug writes the host in lower case), matched
            # without its query string and fragment.
            assert location.lower() == wanted.lower()
            base = location.split("#")[0].split("?")[0]
            assert lands_in_the_list(base, with_query=True), location
    oidc = [
        {"id_token_hint": hint, "post_logout_redirect_uri": wanted},
        {"logout_hint": "gone", "post_logout_redirect_uri": wanted},
        {"client_id": client_id, "post_logout_redirect_uri": wanted},
    ]
    for query in oidc:
        response = get(web, tenant, "/oidc/logout", **query)
        if 'name="confirmation"' in response.text:
            form = {"confirmation": confirmation_of(response.text)}
            response = web.post("/oidc/logout", data=form, base_url=tenant.base_url)
        location = response.headers.get("Location")
        if location is not None:
            assert location.lower() == wanted.lower(), location
            assert lands_in_the_list(location, with_query=True), location
