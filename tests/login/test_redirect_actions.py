"""Redirect Actions: a post-login Action's ``api.redirect.sendUserTo`` suspends the login and
sends the browser to an external site with the transaction's ``state``; ``/continue?state=``
resumes it in the same Action's ``onContinuePostLogin``, then the Actions after it, and the
login ends at the callback as usual
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions;
docs/auth0-behaviour.md#redirect-actions).

The external site is played by the test: it reads the URL the browser was sent to, and sends the
browser back to ``/continue`` as such a site does (a link, or a form POST carrying a signed
token).
"""

from __future__ import annotations

import re
import shutil
import time
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import jwt
import pytest
from authlib.common.security import generate_token
from werkzeug.test import Client as Browser
from werkzeug.test import TestResponse

from fakeauth0 import Tenant, create_app, grants
from fakeauth0.errors import OAuthError

from . import browser as drive
from .conftest import CALLBACK, DB, EMAIL, PASSWORD, Apps
from .test_authlib import HttpxOAuth2Client, discovery, validate_id_token

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)

FORMS = "https://forms.example.com/profile"
SECRET = "a-shared-secret-of-the-form-app-0123456789"

#: Progressive profiling, after Auth0's "Pass data to the external site" / "Pass data back to
#: Auth0" examples (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions):
#: a signed session token out, a signed token back, read with validateToken.
PROFILING = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.user_metadata.favorite_color) return;
  const token = api.redirect.encodeToken({
    secret: event.secrets.MY_REDIRECT_SECRET,
    expiresInSeconds: 60,
    payload: { email: event.user.email },
  });
  api.redirect.sendUserTo("https://forms.example.com/profile", {
    query: { session_token: token, redirect_uri: `https://${event.request.hostname}/continue` },
  });
};
exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({
    secret: event.secrets.MY_REDIRECT_SECRET,
    tokenParameterName: 'session_token',
  });
  api.user.setUserMetadata('favorite_color', payload.favorite_color);
  api.idToken.setCustomClaim('https://app.example.com/color', payload.favorite_color);
};
"""
#: Terms of service through a plain link back: the answer is in ``event.request.query``.
TERMS = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.terms_accepted) return;
  api.redirect.sendUserTo("https://forms.example.com/terms", { query: { lang: 'en' } });
};
exports.onContinuePostLogin = async (event, api) => {
  if (event.request.query.accepted !== 'yes') {
    return api.access.deny('The terms were not accepted');
  }
  api.user.setAppMetadata('terms_accepted', true);
};
"""
#: Runs after the redirecting action: proves the chain is suspended, then resumed.
AFTER = """
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://app.example.com/after', true);
};
"""
#: Whether a redirect is possible here, as a claim; then redirects when it is.
CAN = """
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://app.example.com/can', api.redirect.canRedirect());
  if (event.user.app_metadata.send_away) api.redirect.sendUserTo("https://forms.example.com/x");
};
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://app.example.com/continued', true);
};
"""
#: Redirects unconditionally: no flow without a browser can complete it.
ALWAYS = """
exports.onExecutePostLogin = async (event, api) => {
  api.redirect.sendUserTo("https://forms.example.com/x");
};
"""


@pytest.fixture
def apps(apps: Apps) -> Apps:
    apps.tenant.action_timeout = 5.0
    return apps


def _deploy(tenant: Tenant, code: str, name: str, secrets: dict[str, str] | None = None) -> None:
    tenant.add_action(code, name=name, secrets=secrets or {})


def _start(tenant: Tenant, apps: Apps, **extra: str) -> tuple[Browser, TestResponse]:
    """``/authorize`` and the login form: the tenant's answer to the form, followed on the
    tenant (to the callback, or to the external site)."""
    web = Browser(create_app(tenant))
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "app-state",
        **extra,
    }
    base = tenant.base_url
    page = web.get(
        web.get("/authorize", query_string=query, base_url=base).headers["Location"],
        base_url=base,
    )
    handle = re.search(r'name="state" value="([^"]+)"', page.text)
    assert handle is not None, page.text
    form = {"state": handle.group(1), "username": EMAIL, "password": PASSWORD}
    return web, _on_tenant(web, tenant, web.post("/u/login", data=form, base_url=base))


def _on_tenant(web: Browser, tenant: Tenant, response: TestResponse) -> TestResponse:
    """Follow redirects while they stay on the tenant."""
    for _ in range(5):
        location = response.headers.get("Location", "")
        if response.status_code != 302 or (
            location.startswith("https://") and not location.startswith(tenant.base_url)
        ):
            return response
        response = web.get(location, base_url=tenant.base_url)
    raise AssertionError("too many redirects")


def _sent_to(response: TestResponse, site: str) -> dict[str, str]:
    """The external site's URL the browser was sent to: its query."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(site + "?"), location
    return dict(parse_qsl(urlsplit(location).query))


def _callback(response: TestResponse) -> dict[str, list[str]]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(CALLBACK), location
    return parse_qs(urlsplit(location).query)


def _exchange(tenant: Tenant, apps: Apps, web: Browser, code: str) -> dict[str, Any]:
    body = {
        "grant_type": "authorization_code",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    answer = web.post("/oauth/token", json=body, base_url=tenant.base_url)
    assert answer.status_code == 200, answer.text
    return answer.json  # type: ignore[no-any-return]


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def _back(state: str, secret: str = SECRET, **claims: Any) -> str:
    """The form app's answer: an HS256 token holding the transaction's ``state``."""
    now = int(time.time())
    return jwt.encode({"state": state, "iat": now, "exp": now + 60, **claims}, secret, "HS256")


def _has_session(web: Browser, tenant: Tenant) -> bool:
    return web.get_cookie("auth0", domain=tenant.domain) is not None


def test_progressive_profiling_suspends_then_resumes_to_the_callback(apps: Apps) -> None:
    """The documented flow: after the redirecting action the chain is suspended (the next
    action does not run, no session, no code); the form app verifies Auth0's token, posts its
    own back to ``/continue``; ``onContinuePostLogin`` validates it, then the next action runs
    and the login completes with the claims and metadata of both passes."""
    tenant = apps.tenant
    _deploy(tenant, PROFILING, "profiling", {"MY_REDIRECT_SECRET": SECRET})
    _deploy(tenant, AFTER, "after")
    web, away = _start(tenant, apps)
    sent = _sent_to(away, FORMS)
    assert next(iter(sent)) == "state"
    assert sent["redirect_uri"] == f"https://{tenant.domain}/continue"
    assert not _has_session(web, tenant)
    execution = tenant.executions.latest()
    assert execution is not None and [r.action_name for r in execution.runs] == ["profiling"]

    # The form app checks the token Auth0 sent: HS256 with the shared secret, 60 s to live.
    outgoing = jwt.decode(sent["session_token"], SECRET, algorithms=["HS256"])
    assert outgoing["sub"] == apps.user.user_id
    assert outgoing["iss"] == tenant.domain
    assert outgoing["email"] == EMAIL
    assert outgoing["state"] == sent["state"]
    assert outgoing["exp"] - outgoing["iat"] == 60

    back = _back(sent["state"], favorite_color="teal")
    resumed = web.post(
        "/continue",
        query_string={"state": sent["state"]},
        data={"session_token": back},
        base_url=tenant.base_url,
    )
    assert resumed.status_code == 302
    assert resumed.headers["Location"].startswith("/authorize/resume?")
    assert _has_session(web, tenant)
    query = _callback(_on_tenant(web, tenant, resumed))
    assert query["state"] == ["app-state"]
    tokens = _exchange(tenant, apps, web, query["code"][0])
    claims = _claims(tokens["id_token"])
    assert claims["https://app.example.com/color"] == "teal"
    assert claims["https://app.example.com/after"] is True
    user = tenant.get_user(apps.user.user_id)
    assert user.user_metadata["favorite_color"] == "teal"
    assert user.logins_count == 1
    assert [r.action_name for r in execution.runs] == ["profiling", "profiling", "after"]
    assert execution.result == "allowed"


def test_a_link_back_with_get_carries_the_query_to_on_continue(apps: Apps) -> None:
    """``event.request.query`` in ``onContinuePostLogin`` is the ``/continue`` request's
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions,
    "Resume the authentication flow")."""
    tenant = apps.tenant
    _deploy(tenant, TERMS, "terms")
    web, away = _start(tenant, apps)
    sent = _sent_to(away, "https://forms.example.com/terms")
    assert sent["lang"] == "en"
    resumed = web.get(
        "/continue?" + urlencode({"state": sent["state"], "accepted": "yes"}),
        base_url=tenant.base_url,
    )
    assert "code" in _callback(_on_tenant(web, tenant, resumed))
    assert tenant.get_user(apps.user.user_id).app_metadata["terms_accepted"] is True


def test_a_denial_on_continue_reaches_the_callback(apps: Apps) -> None:
    tenant = apps.tenant
    _deploy(tenant, TERMS, "terms")
    web, away = _start(tenant, apps)
    sent = _sent_to(away, "https://forms.example.com/terms")
    resumed = web.get(
        "/continue?" + urlencode({"state": sent["state"], "accepted": "no"}),
        base_url=tenant.base_url,
    )
    query = _callback(_on_tenant(web, tenant, resumed))
    assert query["error"] == ["access_denied"]
    assert query["error_description"] == ["The terms were not accepted"]
    assert query["state"] == ["app-state"]
    assert not _has_session(web, tenant)


@pytest.mark.parametrize(
    "state", [None, "", "not-a-transaction"], ids=["missing", "empty", "unknown"]
)
def test_continue_without_a_suspended_state_is_invalid_request(
    apps: Apps, state: str | None
) -> None:
    """A missing or wrong ``state`` cannot resume anything: Auth0's error page with
    ``invalid_request`` (docs/auth0-behaviour.md#redirect-actions; CHOICES.md "continue with a
    wrong state")."""
    tenant = apps.tenant
    _deploy(tenant, TERMS, "terms")
    web, away = _start(tenant, apps)
    _sent_to(away, "https://forms.example.com/terms")
    query = {} if state is None else {"state": state}
    answer = web.get("/continue", query_string=query, base_url=tenant.base_url)
    assert answer.status_code == 400
    assert "invalid_request" in answer.text
    assert not _has_session(web, tenant)


def test_the_state_is_bound_to_the_browser_and_used_once(apps: Apps) -> None:
    """Another browser (no ``did`` cookie of this one) cannot resume the login, nor can the
    same ``/continue`` be replayed once it completed; ``/authorize/resume`` does not skip the
    suspended Action."""
    tenant = apps.tenant
    _deploy(tenant, TERMS, "terms")
    web, away = _start(tenant, apps)
    sent = _sent_to(away, "https://forms.example.com/terms")
    url = "/continue?" + urlencode({"state": sent["state"], "accepted": "yes"})

    stranger = Browser(create_app(tenant))
    assert stranger.get(url, base_url=tenant.base_url).status_code == 400

    skipped = web.get(
        "/authorize/resume", query_string={"state": sent["state"]}, base_url=tenant.base_url
    )
    assert not skipped.headers.get("Location", "").startswith(CALLBACK)

    done = web.get(url, base_url=tenant.base_url)
    assert "code" in _callback(_on_tenant(web, tenant, done))
    assert web.get(url, base_url=tenant.base_url).status_code == 400


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            lambda state: _back(state, secret="another-secret-of-at-least-32-bytes-long"),
            "invalid signature",
        ),
        (lambda state: _back("another-state"), "state"),
        (lambda state: _back(state, exp=int(time.time()) - 10), "expired"),
        (lambda state: "not-a-token", "JWT"),
    ],
    ids=["wrong-secret", "wrong-state", "expired", "garbage"],
)
def test_validate_token_refuses_a_bad_token(apps: Apps, token: Any, message: str) -> None:
    """``validateToken`` checks the signature, the expiry and that the ``state`` claim is the
    transaction's; it throws otherwise, and an Action that throws ends the login with
    ``access_denied`` (docs/auth0-behaviour.md#post-login-actions)."""
    tenant = apps.tenant
    _deploy(tenant, PROFILING, "profiling", {"MY_REDIRECT_SECRET": SECRET})
    web, away = _start(tenant, apps)
    sent = _sent_to(away, FORMS)
    resumed = web.post(
        "/continue",
        data={"state": sent["state"], "session_token": token(sent["state"])},
        base_url=tenant.base_url,
    )
    query = _callback(_on_tenant(web, tenant, resumed))
    assert query["error"] == ["access_denied"]
    assert message in query["error_description"][0]
    assert "favorite_color" not in tenant.get_user(apps.user.user_id).user_metadata


def test_a_second_redirect_from_on_continue_suspends_again(apps: Apps) -> None:
    tenant = apps.tenant
    _deploy(
        tenant,
        """
        exports.onExecutePostLogin = async (event, api) => {
          api.redirect.sendUserTo("https://forms.example.com/one");
        };
        exports.onContinuePostLogin = async (event, api) => {
          if (event.request.query.step === '1') {
            api.redirect.sendUserTo("https://forms.example.com/two");
          }
        };""",
        "two-steps",
    )
    web, away = _start(tenant, apps)
    first = _sent_to(away, "https://forms.example.com/one")
    again = web.get(
        "/continue?" + urlencode({"state": first["state"], "step": "1"}), base_url=tenant.base_url
    )
    second = _sent_to(again, "https://forms.example.com/two")
    assert second["state"] == first["state"]
    done = web.get("/continue", query_string={"state": second["state"]}, base_url=tenant.base_url)
    assert "code" in _callback(_on_tenant(web, tenant, done))


def test_prompt_none_answers_interaction_required(apps: Apps) -> None:
    """With an SSO session, ``prompt=none`` cannot show the external site: the callback gets
    ``interaction_required`` (https://auth0.com/docs/authenticate/login/configure-silent-authentication);
    ``canRedirect()`` says so beforehand (CHOICES.md "canRedirect under prompt=none"). Without
    ``prompt=none`` the same session's ``/authorize`` is redirected and resumes."""
    tenant = apps.tenant
    _deploy(tenant, CAN, "can")
    web, first = _start(tenant, apps)
    tokens = _exchange(tenant, apps, web, _callback(first)["code"][0])
    assert _claims(tokens["id_token"])["https://app.example.com/can"] is True
    tenant.update_user(apps.user.user_id, {"app_metadata": {"send_away": True}})

    authorize = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "state": "silent",
    }
    silent = web.get(
        "/authorize", query_string={**authorize, "prompt": "none"}, base_url=tenant.base_url
    )
    query = _callback(silent)
    assert query["error"] == ["interaction_required"]
    assert query["state"] == ["silent"]

    away = web.get("/authorize", query_string=authorize, base_url=tenant.base_url)
    sent = _sent_to(away, "https://forms.example.com/x")
    done = web.get("/continue", query_string={"state": sent["state"]}, base_url=tenant.base_url)
    tokens = _exchange(tenant, apps, web, _callback(_on_tenant(web, tenant, done))["code"][0])
    assert _claims(tokens["id_token"])["https://app.example.com/continued"] is True


def test_can_redirect_is_false_without_a_browser(apps: Apps) -> None:
    """The password grant has no browser to send anywhere: ``canRedirect()`` is false."""
    tenant = apps.tenant
    _deploy(tenant, CAN, "can")
    answer = _password_grant(tenant, apps)
    assert answer.status_code == 200, answer.text
    assert _claims(answer.json["id_token"])["https://app.example.com/can"] is False


def test_send_user_to_without_a_browser_fails_the_login(apps: Apps) -> None:
    """On the password grant, the refresh-token exchange and ``tenant.login`` the redirect
    cannot happen: the Action throws and the login ends with ``access_denied`` (500 at the
    token endpoint, as for any denial there; CHOICES.md "sendUserTo without a browser")."""
    tenant = apps.tenant
    tenant.update_client(
        apps.web.client_id, {"grant_types": ["password", grants.PASSWORD_REALM, "refresh_token"]}
    )
    _deploy(tenant, CAN, "can")
    granted = _password_grant(tenant, apps, scope="openid offline_access")
    assert granted.status_code == 200, granted.text
    tenant.update_user(apps.user.user_id, {"app_metadata": {"send_away": True}})

    answer = _password_grant(tenant, apps)
    assert answer.status_code == 500
    assert answer.json["error"] == "access_denied"
    assert "non-interactive" in answer.json["error_description"]

    refresh = Browser(create_app(tenant)).post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": apps.web.client_id,
            "client_secret": apps.web.client_secret,
            "refresh_token": granted.json["refresh_token"],
        },
        base_url=tenant.base_url,
    )
    assert refresh.status_code == 500
    assert refresh.json["error"] == "access_denied"

    with pytest.raises(OAuthError) as refused:
        tenant.login(DB, email=EMAIL, password=PASSWORD, client_id=apps.web.client_id)
    assert refused.value.error == "access_denied"


def _password_grant(tenant: Tenant, apps: Apps, **extra: str) -> TestResponse:
    tenant.update_client(
        apps.web.client_id, {"grant_types": ["password", grants.PASSWORD_REALM, "refresh_token"]}
    )
    body = {
        "grant_type": grants.PASSWORD_REALM,
        "realm": DB,
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "username": EMAIL,
        "password": PASSWORD,
        "scope": "openid",
        **extra,
    }
    return Browser(create_app(tenant)).post("/oauth/token", json=body, base_url=tenant.base_url)


def test_authlib_code_flow_through_a_redirect_action(apps: Apps, auth0_intercept: Any) -> None:
    """Authlib's httpx client, unmodified, logs in through a redirect Action: PKCE, the login
    page, the external form (played here: it posts the signed token back to ``/continue``), the
    callback's ``state`` check, the code exchange and the ID token's validation against the
    tenant's keys."""
    tenant = apps.tenant
    _deploy(tenant, PROFILING, "profiling", {"MY_REDIRECT_SECRET": SECRET})
    with HttpxOAuth2Client(
        apps.web.client_id,
        apps.web.client_secret,
        scope="openid profile email",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as client:
        metadata = discovery(client, tenant)
        verifier, nonce = generate_token(48), generate_token(16)
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        away = drive.login(client, tenant, url, EMAIL, PASSWORD)
        target = drive.location(away)
        assert target is not None and target.startswith(FORMS + "?"), away.text
        sent = dict(parse_qsl(urlsplit(target).query))
        back = client.request(
            "POST",
            tenant.base_url + "/continue",
            data={
                "state": sent["state"],
                "session_token": _back(sent["state"], favorite_color="red"),
            },
            withhold_token=True,
            follow_redirects=False,
        )
        callback = drive.location(drive.follow(client, tenant, back))
        assert callback is not None and callback.startswith(CALLBACK)
        token = client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        claims = validate_id_token(
            client,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
    assert claims["sub"] == apps.user.user_id
    assert claims["https://app.example.com/color"] == "red"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relative", "https://bad\nheader"])
def test_send_user_to_needs_an_absolute_http_url(apps: Apps, url: str) -> None:
    """A URL the browser cannot be sent to makes the Action throw: ``access_denied`` at the
    callback, never a broken ``Location`` (CHOICES.md "sendUserTo URL")."""
    tenant = apps.tenant
    code = ALWAYS.replace('"https://forms.example.com/x"', repr(url))
    _deploy(tenant, code, "bad-url")
    _, answer = _start(tenant, apps)
    location = answer.headers.get("Location", "")
    if url.startswith("https://bad"):
        # The URL parser drops the line break, as browsers do: a well-formed Location.
        assert location.startswith("https://badheader/?state="), location
        return
    query = _callback(answer)
    assert query["error"] == ["access_denied"]
    assert "URL" in query["error_description"][0]


def test_the_sign_up_page_runs_redirect_actions_too(apps: Apps) -> None:
    """A sign-up on the hosted page logs the new user in through the same Actions."""
    tenant = apps.tenant
    _deploy(tenant, TERMS, "terms")
    web = Browser(create_app(tenant))
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "screen_hint": "signup",
    }
    base = tenant.base_url
    page = web.get(
        web.get("/authorize", query_string=query, base_url=base).headers["Location"],
        base_url=base,
    )
    handle = re.search(r'name="state" value="([^"]+)"', page.text)
    assert handle is not None, page.text
    form = {"state": handle.group(1), "email": "grace@example.com", "password": PASSWORD}
    away = web.post("/u/signup", data=form, base_url=base)
    sent = _sent_to(away, "https://forms.example.com/terms")
    done = web.get(
        "/continue?" + urlencode({"state": sent["state"], "accepted": "yes"}), base_url=base
    )
    assert "code" in _callback(_on_tenant(web, tenant, done))


def test_metadata_queued_before_the_redirect_is_written_when_the_login_ends(apps: Apps) -> None:
    """Metadata changes are written once, at the end of the flow
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object):
    not while the login waits on the external site."""
    tenant = apps.tenant
    _deploy(
        tenant,
        """
        exports.onExecutePostLogin = async (event, api) => {
          api.user.setAppMetadata('asked', true);
          api.redirect.sendUserTo("https://forms.example.com/x");
        };
        exports.onContinuePostLogin = async (event, api) => {
          api.user.setAppMetadata('answered', event.request.body.answer);
        };""",
        "queued",
    )
    web, away = _start(tenant, apps)
    sent = _sent_to(away, "https://forms.example.com/x")
    assert "asked" not in tenant.get_user(apps.user.user_id).app_metadata
    done = web.post(
        "/continue", data={"state": sent["state"], "answer": "42"}, base_url=tenant.base_url
    )
    assert "code" in _callback(_on_tenant(web, tenant, done))
    metadata = tenant.get_user(apps.user.user_id).app_metadata
    assert metadata["asked"] is True and metadata["answered"] == "42"
