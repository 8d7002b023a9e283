"""The Actions of a passwordless login (docs/auth0-behaviour.md#passwordless-registration).

Auth0 runs ``pre-user-registration`` before a user is added to a Database or Passwordless
connection and ``post-user-registration`` after
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers): on a
passwordless connection that is the first login, by the ``passwordless/otp`` grant (auth0-python's
``GetToken.passwordless_login``), the magic link or the login page's code screen. A denial
answers 400 ``extensibility_error`` with the reason
(https://community.auth0.com/t/help-understanding-error-codes-in-pre-user-registration-and-post-login-actions/89653).
The magic link and the code screen are interactive logins: a post-login Action may send the
browser away and ``/continue`` resumes the login
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions).
A programmatic first login (``tenant.login``, ``/_fake/login``) adds the user too, and runs the
same triggers. ``event.request`` of every trigger is the request that logged in: its method,
``User-Agent`` and language (the event objects:
https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-event-object,
https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object).
"""

from __future__ import annotations

import json
import shutil
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from fakeauth0 import Tenant, create_app, passwordless_registration, post_login
from fakeauth0.errors import OAuthError
from fakeauth0.executions import Execution
from fakeauth0.passwordless import EMAIL_TEMPLATE
from tests.login import browser as b
from tests.login.conftest import CALLBACK
from tests.login.test_passwordless import Apps, refused

pytestmark = [
    pytest.mark.usefixtures("auth0_intercept"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]

EMAIL = "newcomer@example.com"
PHONE = "+15557654321"
SCREEN = "/u/login-passwordless-email-code"
FORMS = "https://forms.example.com/terms"

#: Sees the user-to-be and the connection; sets metadata, which Auth0 does not store on a
#: passwordless user ("You cannot currently use pre-user-registration Actions to add metadata
#: to passwordless users":
#: https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger).
PRE = """
exports.onExecutePreUserRegistration = async (event, api) => {
  console.log('pre', event.connection.strategy, event.user.email || event.user.phone_number,
              typeof event.user.user_id);
  api.user.setAppMetadata('plan', 'trial');
  api.user.setUserMetadata('source', 'passwordless');
};
"""
#: api.access.deny(reason, userMessage) (the pre-user-registration api object:
#: https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-api-object).
DENY = """
exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email && event.user.email.endsWith('@closed.example')) {
    api.access.deny('closed_domain', 'Sign-ups from this domain are closed.');
  }
};
"""
POST = """
exports.onExecutePostUserRegistration = async (event, api) => {
  console.log('post', event.connection.strategy, event.user.user_id);
};
"""
LOGIN = """
exports.onExecutePostLogin = async (event, api) => {
  console.log('login', event.user.user_id, event.stats.logins_count);
};
"""
#: Terms of service through a plain link back (the redirect-with-actions page's pattern).
TERMS = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.terms_accepted) return;
  api.redirect.sendUserTo("https://forms.example.com/terms", { query: { lang: 'en' } });
};
exports.onContinuePostLogin = async (event, api) => {
  if (event.request.query.accepted !== 'yes') return api.access.deny('terms refused');
  api.user.setAppMetadata('terms_accepted', true);
  api.idToken.setCustomClaim('https://app.example.com/terms', true);
};
"""


@pytest.fixture
def apps(auth0_tenant: Tenant) -> Apps:
    auth0_tenant.action_timeout = 10.0
    return Apps(auth0_tenant)


@pytest.fixture
def browser(auth0_tenant: Tenant) -> httpx.Client:
    """A browser on the tenant (its cookies kept); the test follows the redirects."""
    transport = httpx.WSGITransport(app=create_app(auth0_tenant))
    return httpx.Client(transport=transport, base_url=auth0_tenant.base_url)


def _runs(tenant: Tenant, trigger: str) -> list[Execution]:
    """The executions of ``trigger``, oldest first."""
    return [e for e in reversed(list(tenant.executions)) if e.trigger_id == trigger]


def _logs(execution: Execution) -> list[str]:
    return [line for run in execution.runs for line in run.logs]


def _link(apps: Apps, email: str = EMAIL, state: str = "app-state") -> str:
    params = {"redirect_uri": CALLBACK, "scope": "openid email", "state": state}
    apps.start().email(email, send="link", auth_params=params)
    sent = apps.tenant.outbox.latest(to=email, template=EMAIL_TEMPLATE)
    assert sent is not None
    return str(sent["link"])


def _exchange(apps: Apps, code: str) -> dict[str, str]:
    return apps.token().authorization_code(code, CALLBACK)  # type: ignore[no-any-return]


# -- the passwordless/otp grant -----------------------------------------------------------------


def test_the_first_otp_login_runs_the_registration_triggers_once(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    tenant.add_action(LOGIN, name="login")

    apps.start().email(EMAIL, send="code")
    tokens = apps.email_login(apps.emailed_code(EMAIL), EMAIL)
    sub = apps.verifier(apps.web).verify(tokens["id_token"])["sub"]
    [pre] = _runs(tenant, "pre-user-registration")
    # The user-to-be has no id yet; the connection is the passwordless one.
    assert _logs(pre) == [f"pre email {EMAIL} undefined"]
    [post] = _runs(tenant, "post-user-registration")
    assert _logs(post) == [f"post email {sub}"] and post.user_id == sub
    [login] = _runs(tenant, "post-login")
    assert _logs(login) == [f"login {sub} 1"]
    # pre-user-registration first, post-login next, post-user-registration once it settled.
    order = [e.trigger_id for e in reversed(list(tenant.executions))]
    assert order == ["pre-user-registration", "post-login", "post-user-registration"]
    # Auth0 does not add a pre-user-registration Action's metadata to a passwordless user.
    user = tenant.get_user(sub)
    assert user.app_metadata == {} and user.user_metadata == {}

    # The second login finds the user: no registration trigger runs again.
    apps.start().email(EMAIL, send="code")
    apps.email_login(apps.emailed_code(EMAIL), EMAIL)
    assert len(_runs(tenant, "pre-user-registration")) == 1
    assert len(_runs(tenant, "post-user-registration")) == 1
    assert _logs(_runs(tenant, "post-login")[-1]) == [f"login {sub} 2"]


def test_an_sms_first_login_shows_the_phone_number_and_the_sms_strategy(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    apps.start().sms(PHONE)
    sent = tenant.outbox.latest(to=PHONE)
    assert sent is not None
    tokens = apps.token().passwordless_login(
        PHONE, sent["code"], "sms", scope="openid", audience=None
    )
    sub = apps.verifier(apps.web).verify(tokens["id_token"])["sub"]
    assert sub.startswith("sms|")
    assert _logs(_runs(tenant, "pre-user-registration")[0]) == [f"pre sms {PHONE} undefined"]
    assert _logs(_runs(tenant, "post-user-registration")[0]) == [f"post sms {sub}"]


def test_a_denied_otp_registration_is_400_extensibility_error_with_no_user(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(DENY, "pre-user-registration", name="deny")
    tenant.add_action(POST, "post-user-registration", name="post")
    tenant.add_action(LOGIN, name="login")
    email = "eve@closed.example"
    apps.start().email(email, send="code")
    code = apps.emailed_code(email)
    error = refused(lambda: apps.email_login(code, email))
    assert (error.status_code, error.error_code, error.message) == (
        400,
        "extensibility_error",
        "closed_domain",
    )
    assert tenant.users_by_email(email) == []
    assert _runs(tenant, "post-user-registration") == [] and _runs(tenant, "post-login") == []
    assert not tenant.sessions.refresh_tokens
    assert "fs" in tenant.logs.types()
    # The refused login used the code (CHOICES.md "passwordless: a denied registration").
    again = refused(lambda: apps.email_login(code, email))
    assert (again.status_code, again.error_code) == (403, "invalid_grant")
    assert len(_runs(tenant, "pre-user-registration")) == 1


def test_a_wrong_code_runs_no_registration_action_and_still_counts(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    apps.start().email(EMAIL, send="code")
    code = apps.emailed_code(EMAIL)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        error = refused(lambda: apps.email_login(wrong, EMAIL))
        assert error.error_code == "invalid_grant"
    # Three wrong attempts end the code, the right one too
    # (https://auth0.com/docs/authenticate/passwordless/best-practices).
    error = refused(lambda: apps.email_login(code, EMAIL))
    assert error.error_code == "invalid_grant" and "maximum number of attempts" in error.message
    assert _runs(tenant, "pre-user-registration") == [] and tenant.users_by_email(EMAIL) == []


def test_a_code_replaced_while_pre_registration_runs_logs_nobody_in(apps: Apps) -> None:
    """The code is checked before the Actions run and spent after: a new code sent meanwhile
    (https://auth0.com/docs/authenticate/passwordless/best-practices: only the newest works)
    leaves the checked one dead."""
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    apps.start().email(EMAIL, send="code")
    first = passwordless_registration.FirstLogin(
        tenant.connections["email"], apps.web.client_id, EMAIL, apps.emailed_code(EMAIL), None
    )
    passwordless_registration.screen(tenant, first)
    assert first.checked is not None
    apps.start().email(EMAIL, send="code")  # a second code replaces the checked one

    def begin(desk):  # type: ignore[no-untyped-def]
        return passwordless_registration.log_in(tenant, first, desk)

    with pytest.raises(OAuthError) as refused:
        post_login.login(tenant, begin, lambda user, changes: user, post_login.Context("x"))
    assert refused.value.error == "invalid_grant"
    assert tenant.users_by_email(EMAIL) == [] and first.created is None


def test_registration_actions_refuse_a_held_lock(apps: Apps) -> None:
    apps.tenant.add_action(PRE, "pre-user-registration", name="pre")
    apps.start().email(EMAIL, send="code")
    code = apps.emailed_code(EMAIL)
    with apps.tenant.lock, pytest.raises(post_login.LockHeld):
        apps.tenant.passwordless_token(
            apps.web, {"username": EMAIL, "otp": code, "realm": "email", "scope": "openid"}
        )


# -- the magic link -----------------------------------------------------------------------------


def test_a_denied_registration_by_the_link_goes_to_the_callback(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.add_action(DENY, "pre-user-registration", name="deny")
    email = "eve@closed.example"
    landed = b.get(browser, tenant, _link(apps, email))
    assert b.callback_params(landed) == {
        "error": "extensibility_error",
        "error_description": "closed_domain",
        "state": "app-state",
    }
    assert tenant.users_by_email(email) == [] and browser.cookies.get("auth0") is None


def test_a_redirect_action_on_the_link_resumes_at_continue(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    tenant.add_action(TERMS, name="terms")
    away = b.get(browser, tenant, _link(apps))
    target = b.location(away)
    assert away.status_code == 302 and target is not None and target.startswith(FORMS + "?")
    sent = dict(parse_qsl(urlsplit(target).query))
    assert sent["lang"] == "en" and sent["state"]
    # Suspended: the user exists (a first login), no session yet, the browser is known.
    [user] = tenant.users_by_email(EMAIL)
    assert browser.cookies.get("auth0") is None and browser.cookies.get("did")
    assert len(_runs(tenant, "post-user-registration")) == 1

    query = urlencode({"state": sent["state"], "accepted": "yes"})
    params = b.callback_params(b.get(browser, tenant, "/continue?" + query))
    assert params["state"] == "app-state"
    tokens = _exchange(apps, params["code"])
    claims = apps.verifier(apps.web).verify(tokens["id_token"])
    assert claims["sub"] == user.user_id and claims["https://app.example.com/terms"] is True
    assert tenant.get_user(user.user_id).app_metadata == {"terms_accepted": True}
    assert len(_runs(tenant, "pre-user-registration")) == 1
    # The state was good for one /continue.
    replay = b.get(browser, tenant, "/continue?" + query)
    assert replay.status_code == 400


def test_a_redirect_on_the_link_from_another_browser_cannot_be_resumed(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.add_action(TERMS, name="terms")
    away = b.get(browser, tenant, _link(apps))
    sent = dict(parse_qsl(urlsplit(b.location(away) or "").query))
    other = httpx.Client(
        transport=httpx.WSGITransport(app=create_app(tenant)), base_url=tenant.base_url
    )
    query = urlencode({"state": sent["state"], "accepted": "yes"})
    assert b.get(other, tenant, "/continue?" + query).status_code == 400
    # The browser that opened the link still can.
    assert "code" in b.callback_params(b.get(browser, tenant, "/continue?" + query))


# -- the login page's code screen ---------------------------------------------------------------


def _code_screen(apps: Apps, browser: httpx.Client, email: str) -> tuple[str, str]:
    """``/authorize`` with the ``email`` connection, the address typed: the code screen's
    state and the code e-mailed."""
    tenant = apps.tenant
    query = {
        "client_id": apps.web.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "app-state",
        "connection": "email",
    }
    page = b.get(browser, tenant, "/authorize?" + urlencode(query))
    form = {"state": b.page_state(page), "username": email, "action": "default"}
    screen = b.follow(browser, tenant, browser.post(str(page.url), data=form))
    assert SCREEN in str(screen.url), screen.text
    return b.page_state(screen), apps.emailed_code(email)


def test_the_code_screen_shows_a_denial_s_user_message_never_its_reason(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.add_action(DENY, "pre-user-registration", name="deny")
    email = "eve@closed.example"
    state, code = _code_screen(apps, browser, email)
    page = browser.post(SCREEN, data={"state": state, "code": code})
    assert page.status_code == 400
    assert 'data-error-code="custom-script-error-code_extensibility_error"' in page.text
    assert "Sign-ups from this domain are closed." in page.text
    assert "closed_domain" not in page.text
    assert tenant.users_by_email(email) == [] and browser.cookies.get("auth0") is None


def test_the_code_screen_registers_then_a_redirect_action_resumes_at_continue(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    tenant.add_action(TERMS, name="terms")
    state, code = _code_screen(apps, browser, EMAIL)
    away = b.follow(browser, tenant, browser.post(SCREEN, data={"state": state, "code": code}))
    target = b.location(away) or ""
    assert away.status_code == 302 and target.startswith(FORMS + "?"), away.text
    sent = dict(parse_qsl(urlsplit(target).query))
    assert sent["state"] == state  # the login transaction's state
    assert len(_runs(tenant, "pre-user-registration")) == 1
    assert len(_runs(tenant, "post-user-registration")) == 1

    query = urlencode({"state": sent["state"], "accepted": "yes"})
    params = b.callback_params(b.get(browser, tenant, "/continue?" + query))
    claims = apps.verifier(apps.web).verify(_exchange(apps, params["code"])["id_token"])
    assert claims["email"] == EMAIL and claims["https://app.example.com/terms"] is True


# -- event.request of each trigger --------------------------------------------------------------

#: Each trigger logs its ``event.request`` as JSON (``undefined`` members drop out).
SHOW_REQUEST = {
    "pre-user-registration": "exports.onExecutePreUserRegistration",
    "post-user-registration": "exports.onExecutePostUserRegistration",
    "post-login": "exports.onExecutePostLogin",
}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HEADERS = {"User-Agent": FIREFOX, "Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}


def _show_requests(tenant: Tenant) -> None:
    for trigger, export in SHOW_REQUEST.items():
        code = f"{export} = async (event) => {{ console.log(JSON.stringify(event.request)); }};"
        tenant.add_action(code, trigger, name="show-" + trigger)


def _requests(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """The ``event.request`` each trigger saw last."""
    seen = {}
    for trigger in SHOW_REQUEST:
        runs = _runs(tenant, trigger)
        assert runs, f"{trigger} did not run"
        seen[trigger] = json.loads(_logs(runs[-1])[0])
    return seen


def _headed_browser(tenant: Tenant) -> httpx.Client:
    transport = httpx.WSGITransport(app=create_app(tenant))
    return httpx.Client(transport=transport, base_url=tenant.base_url, headers=HEADERS)


def test_the_link_s_triggers_see_a_get_with_the_browser_s_headers(apps: Apps) -> None:
    """The magic link is a ``GET``: every trigger of its first login says so, with the
    browser's ``User-Agent``, its first language's primary subtag and the tenant's domain."""
    tenant = apps.tenant
    _show_requests(tenant)
    with _headed_browser(tenant) as browser:
        landed = b.get(browser, tenant, _link(apps))
    assert "code" in b.callback_params(landed)
    for trigger, request in _requests(tenant).items():
        assert request["method"] == "GET", trigger
        assert request["user_agent"] == FIREFOX, trigger
        assert request["language"] == "pt", trigger
        assert request["hostname"] == tenant.domain, trigger


def test_the_code_screen_registers_on_its_post(apps: Apps) -> None:
    """The code screen's form is a ``POST``: the registration triggers run on it; the
    post-login event describes the authorization request (``GET``, its query)."""
    tenant = apps.tenant
    _show_requests(tenant)
    with _headed_browser(tenant) as browser:
        state, code = _code_screen(apps, browser, EMAIL)
        landed = b.follow(
            browser, tenant, browser.post(SCREEN, data={"state": state, "code": code})
        )
    assert "code" in b.callback_params(landed)
    seen = _requests(tenant)
    assert seen["pre-user-registration"]["method"] == "POST"
    assert seen["post-user-registration"]["method"] == "POST"
    assert seen["post-login"]["method"] == "GET"
    assert seen["post-login"]["query"]["connection"] == "email"
    assert {r["user_agent"] for r in seen.values()} == {FIREFOX}
    assert {r["language"] for r in seen.values()} == {"pt"}


def test_the_otp_grant_s_triggers_see_auth0_python_s_post(apps: Apps) -> None:
    """auth0-python sends ``User-Agent: Python/<version>`` and no ``Accept-Language``
    (https://github.com/auth0/auth0-python/blob/master/auth0/authentication/rest.py): a
    ``POST`` with that agent and no language."""
    tenant = apps.tenant
    _show_requests(tenant)
    apps.start().email(EMAIL, send="code")
    apps.email_login(apps.emailed_code(EMAIL), EMAIL)
    for trigger, request in _requests(tenant).items():
        assert request["method"] == "POST", trigger
        assert request["user_agent"].startswith("Python/"), trigger
        assert "language" not in request, trigger


# -- programmatic first logins ------------------------------------------------------------------


def test_a_programmatic_first_login_runs_the_registration_triggers_once(apps: Apps) -> None:
    """``tenant.login`` through the ``email`` connection adds the user on first use: the
    pre-user-registration Actions see the user-to-be, post-user-registration the stored user;
    a later login runs neither."""
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    tenant.add_action(LOGIN, name="login")
    sub = tenant.login("email", email=EMAIL, client_id=apps.web.client_id).user.user_id
    assert _logs(_runs(tenant, "pre-user-registration")[0]) == [f"pre email {EMAIL} undefined"]
    assert _logs(_runs(tenant, "post-user-registration")[0]) == [f"post email {sub}"]
    order = [e.trigger_id for e in reversed(list(tenant.executions))]
    assert order == ["pre-user-registration", "post-login", "post-user-registration"]
    assert tenant.get_user(sub).app_metadata == {}

    tenant.login("email", email=EMAIL, client_id=apps.web.client_id)
    assert len(_runs(tenant, "pre-user-registration")) == 1
    assert len(_runs(tenant, "post-user-registration")) == 1
    assert _logs(_runs(tenant, "post-login")[-1]) == [f"login {sub} 2"]


def test_a_programmatic_sms_first_login_shows_the_phone_number(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    user = tenant.login("sms", profile={"phone_number": PHONE}, client_id=apps.web.client_id).user
    assert user.user_id.startswith("sms|")
    assert _logs(_runs(tenant, "pre-user-registration")[0]) == [f"pre sms {PHONE} undefined"]


def test_a_denied_programmatic_registration_raises_and_adds_no_user(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(DENY, "pre-user-registration", name="deny")
    tenant.add_action(LOGIN, name="login")
    email = "eve@closed.example"
    with pytest.raises(OAuthError) as denied:
        tenant.login("email", email=email, client_id=apps.web.client_id)
    assert (denied.value.status, denied.value.error, denied.value.description) == (
        400,
        "extensibility_error",
        "closed_domain",
    )
    assert tenant.users_by_email(email) == [] and _runs(tenant, "post-login") == []
    assert "fs" in tenant.logs.types()


def test_the_control_plane_s_login_registers_a_passwordless_user(apps: Apps) -> None:
    """``/_fake/login`` is ``tenant.login`` over HTTP: the same registration triggers, and a
    denial answers 400 ``extensibility_error``."""
    tenant = apps.tenant
    tenant.add_action(DENY, "pre-user-registration", name="deny")
    tenant.add_action(POST, "post-user-registration", name="post")
    transport = httpx.WSGITransport(app=create_app(tenant))
    with httpx.Client(transport=transport, base_url=tenant.base_url) as control:
        body = {"connection": "email", "client_id": apps.web.client_id}
        made = control.post("/_fake/login", json=dict(body, email=EMAIL))
        refused = control.post("/_fake/login", json=dict(body, email="eve@closed.example"))
    assert made.status_code == 200, made.text
    sub = made.json()["user"]["user_id"]
    assert _logs(_runs(tenant, "post-user-registration")[0]) == [f"post email {sub}"]
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "extensibility_error"
    assert len(_runs(tenant, "pre-user-registration")) == 2
    assert tenant.users_by_email("eve@closed.example") == []


def test_login_as_finds_an_existing_user_and_registers_nobody(apps: Apps) -> None:
    """``login_as`` logs in a user that exists: no registration trigger runs."""
    tenant = apps.tenant
    sub = tenant.login("email", email=EMAIL, client_id=apps.web.client_id).user.user_id
    tenant.add_action(PRE, "pre-user-registration", name="pre")
    tenant.add_action(POST, "post-user-registration", name="post")
    assert tenant.login_as(sub, client_id=apps.web.client_id).user.user_id == sub
    assert _runs(tenant, "pre-user-registration") == []
    assert _runs(tenant, "post-user-registration") == []
