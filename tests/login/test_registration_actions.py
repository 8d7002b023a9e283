"""The sign-up triggers (docs/auth0-behaviour.md#registration-actions): pre-user-registration
Actions run before a database sign-up is stored, may refuse it or set its metadata;
post-user-registration Actions run once it is stored and cannot change the answer. Through
``/dbconnections/signup`` (as auth0.js and auth0-python sign users up) and the hosted sign-up
page.
"""

from __future__ import annotations

import json
import shutil

import pytest
from werkzeug.test import Client as BrowserClient

from fakeauth0 import Tenant, create_app
from fakeauth0.post_login import LockHeld

from .test_signup_page import BASE, errors, open_signup, post

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

DB = "Username-Password-Authentication"
PASSWORD = "Str0ng!Passw0rd"
#: api.access.deny(reason, userMessage) (the pre-user-registration api object,
#: https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-api-object).
DENY_DOMAIN = """
exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@blocked.example')) {
    api.access.deny('blocked_domain', 'Sign-ups from this domain are closed.');
  }
};
"""
SET_METADATA = """
exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setAppMetadata('plan', 'trial');
  api.user.setUserMetadata('signed_up_with', event.client.name);
  console.log('pre', event.user.email, typeof event.user.user_id);
};
"""
POST_REGISTRATION = """
exports.onExecutePostUserRegistration = async (event, api) => {
  console.log('welcome', event.user.user_id, event.user.email);
  throw new Error('the CRM is down');
};
"""


@pytest.fixture
def tenant() -> Tenant:
    tenant = Tenant()
    tenant.action_timeout = 10.0
    return tenant


@pytest.fixture
def client_id(tenant: Tenant) -> str:
    app = tenant.create_client_from(
        {
            "name": "Web",
            "app_type": "regular_web",
            "callbacks": ["https://app.example.com/callback"],
        }
    )
    return app.client_id


def _signup(tenant: Tenant, client_id: str, email: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    answer = BrowserClient(create_app(tenant)).post(
        "/dbconnections/signup",
        json={"client_id": client_id, "connection": DB, "email": email, "password": PASSWORD},
        base_url=BASE,
    )
    return answer.status_code, answer.json  # type: ignore[return-value]


def test_a_denied_sign_up_is_400_extensibility_error_and_stores_no_user(
    tenant: Tenant, client_id: str
) -> None:
    """auth0.js reads a refused sign-up as ``{code: "extensibility_error", description}``
    (the reason; a ``userMessage`` is for end-user pages, and Auth0 does not send it:
    https://community.auth0.com/t/help-understanding-error-codes-in-pre-user-registration-and-post-login-actions/89653)."""
    tenant.add_action(DENY_DOMAIN, "pre-user-registration", name="deny-domain")
    status, body = _signup(tenant, client_id, "eve@blocked.example")
    assert status == 400
    assert body == {
        "name": "ExtensibilityError",
        "code": "extensibility_error",
        "description": "blocked_domain",
        "statusCode": 400,
    }
    assert tenant.users_by_email("eve@blocked.example") == []
    assert "fs" in tenant.logs.types()
    status, body = _signup(tenant, client_id, "ann@example.com")
    assert status == 200 and body["email"] == "ann@example.com"


def test_the_sign_up_page_shows_the_user_message_never_the_reason(
    tenant: Tenant, client_id: str
) -> None:
    tenant.add_action(DENY_DOMAIN, "pre-user-registration", name="deny-domain")
    browser = BrowserClient(create_app(tenant))
    _, handle = open_signup(browser, client_id)
    page = post(browser, handle, email="eve@blocked.example", password=PASSWORD)
    assert page.status_code == 400
    assert errors(page)["email"] == (
        "custom-script-error-code_extensibility_error",
        "Sign-ups from this domain are closed.",
    )
    assert "blocked_domain" not in page.text
    assert tenant.users_by_email("eve@blocked.example") == []


def test_metadata_set_before_registration_is_stored_with_the_user(
    tenant: Tenant, client_id: str
) -> None:
    tenant.add_action(SET_METADATA, "pre-user-registration", name="metadata")
    status, body = _signup(tenant, client_id, "bob@example.com")
    assert status == 200, body
    user = tenant.users_by_email("bob@example.com")[0]
    assert user.app_metadata == {"plan": "trial"}
    assert user.user_metadata == {"signed_up_with": "Web"}
    run = tenant.executions.latest()
    assert run is not None and run.trigger_id == "pre-user-registration"
    assert run.runs[0].logs == ["pre bob@example.com undefined"]  # no user_id before it exists


def test_post_registration_runs_on_the_stored_user_and_cannot_fail_the_sign_up(
    tenant: Tenant, client_id: str
) -> None:
    tenant.add_action(POST_REGISTRATION, "post-user-registration", name="crm")
    status, body = _signup(tenant, client_id, "cy@example.com")
    assert status == 200, body
    user = tenant.users_by_email("cy@example.com")[0]
    run = tenant.executions.latest()
    assert run is not None and run.trigger_id == "post-user-registration"
    assert run.runs[0].logs == [f"welcome {user.user_id} cy@example.com"]
    assert run.runs[0].error is not None and run.runs[0].error["message"] == "the CRM is down"


def test_a_sign_up_under_the_held_lock_is_refused_not_deadlocked(
    tenant: Tenant, client_id: str
) -> None:
    tenant.add_action(SET_METADATA, "pre-user-registration", name="metadata")
    with tenant.lock, pytest.raises(LockHeld):
        tenant.signup(client_id=client_id, connection=DB, email="d@example.com", password=PASSWORD)


#: Both triggers log their ``event.request`` (the event objects list ``ip``, ``hostname``,
#: ``method``, ``language``, ``user_agent``:
#: https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-event-object).
SHOW_PRE = """
exports.onExecutePreUserRegistration = async (event) => {
  console.log(JSON.stringify(event.request));
};
"""
SHOW_POST = """
exports.onExecutePostUserRegistration = async (event) => {
  console.log(JSON.stringify(event.request));
};
"""
BROWSER = {"User-Agent": "Mozilla/5.0 Fakefox/1.0", "Accept-Language": "nl-BE, nl;q=0.9"}


def _requests(tenant: Tenant) -> list[dict]:  # type: ignore[type-arg]
    """The ``event.request`` of the pre- then the post-user-registration run."""
    runs = list(reversed(list(tenant.executions)))
    assert [e.trigger_id for e in runs] == ["pre-user-registration", "post-user-registration"]
    return [json.loads(e.runs[0].logs[0]) for e in runs]


def test_a_sign_up_s_request_is_the_post_that_signed_up(tenant: Tenant, client_id: str) -> None:
    """``/dbconnections/signup`` is a ``POST``: both triggers see it, with the caller's
    ``User-Agent`` and first language (its primary subtag) and the tenant's domain."""
    tenant.add_action(SHOW_PRE, "pre-user-registration", name="pre")
    tenant.add_action(SHOW_POST, "post-user-registration", name="post")
    answer = BrowserClient(create_app(tenant)).post(
        "/dbconnections/signup",
        json={
            "client_id": client_id,
            "connection": DB,
            "email": "di@example.com",
            "password": PASSWORD,
        },
        headers=BROWSER,
        base_url=BASE,
    )
    assert answer.status_code == 200, answer.text
    for request in _requests(tenant):
        assert request["method"] == "POST"
        assert request["user_agent"] == "Mozilla/5.0 Fakefox/1.0"
        assert request["language"] == "nl"
        assert request["hostname"] == tenant.domain


def test_the_sign_up_page_s_post_carries_the_browser_s_headers(
    tenant: Tenant, client_id: str
) -> None:
    tenant.add_action(SHOW_PRE, "pre-user-registration", name="pre")
    tenant.add_action(SHOW_POST, "post-user-registration", name="post")
    browser = BrowserClient(create_app(tenant))
    _, handle = open_signup(browser, client_id)
    form = {"state": handle, "action": "default", "email": "ed@example.com", "password": PASSWORD}
    answer = browser.post("/u/signup", data=form, headers=BROWSER, base_url=BASE)
    assert answer.status_code == 302, answer.text
    for request in _requests(tenant):
        assert (request["method"], request["language"]) == ("POST", "nl")
        assert request["user_agent"] == "Mozilla/5.0 Fakefox/1.0"


def test_a_programmatic_sign_up_is_a_post_in_english(tenant: Tenant, client_id: str) -> None:
    """``tenant.signup`` has no HTTP request: a ``POST`` (as ``/dbconnections/signup``) from
    its ``ip``, no user agent, the fake's own language."""
    tenant.add_action(SHOW_PRE, "pre-user-registration", name="pre")
    tenant.add_action(SHOW_POST, "post-user-registration", name="post")
    tenant.signup(
        client_id=client_id, connection=DB, email="fy@example.com", password=PASSWORD, ip="10.0.0.7"
    )
    for request in _requests(tenant):
        assert (request["method"], request["language"], request["user_agent"]) == ("POST", "en", "")
        assert request["ip"] == "10.0.0.7"
