"""Every login runs the tenant's deployed post-login Actions, in binding order, and applies what
they ask as Auth0 does (docs/auth0-behaviour.md#post-login-actions): custom claims in the ID and
access tokens (also those the code exchange issues later), a denial or an error ending the login
with ``access_denied``, queued metadata written even then, scope edits, and the execution log.

Auth0's published examples run unmodified where the test names its source.
"""

from __future__ import annotations

import re
import shutil
import threading
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client as Browser

from fakeauth0 import Tenant, create_app, grants
from fakeauth0.errors import OAuthError
from fakeauth0.js.runtime import TIMEOUT_MESSAGE
from fakeauth0.post_login import LockHeld

from .conftest import API, CALLBACK, DB, EMAIL, PASSWORD, Apps

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)

#: https://auth0.com/docs/manage-users/access-control/sample-use-cases-actions-with-authorization
#: ("Add user roles to ID and access tokens"), as published.
ROLES_EXAMPLE = """
exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  if (event.authorization) {
    api.idToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles);
    api.accessToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles);
  }
}
"""
#: https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow ("Access control"),
#: as published.
DENY_EXAMPLE = (
    "exports.onExecutePostLogin = async (event, api) => {\n"
    'if (event.user.email && event.user.email.endsWith("@example.com") '
    '&& event.client.name === "My SPA") {\n'
    "api.access.deny(`Access to ${event.client.name} is not allowed.`);\n"
    "}\n"
    "};\n"
)
#: Metadata on first login, with the setters of the api object reference
#: (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
FIRST_LOGIN = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.stats.logins_count === 1) {
    api.user.setAppMetadata('onboarded', false);
    api.user.setUserMetadata('welcome', 'first visit');
  }
  api.user.setAppMetadata('seen_logins', event.stats.logins_count);
  console.log('logins', event.stats.logins_count);
};
"""


def _claims(token: str) -> dict:  # type: ignore[type-arg]
    return jwt.decode(token, options={"verify_signature": False})


def _code_flow(tenant: Tenant, apps: Apps, **extra: str) -> tuple[Browser, str]:
    """``/authorize`` and the login form, up to the callback URL (code or error)."""
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
    signed_in = web.post("/u/login", data=form, base_url=base)
    assert signed_in.status_code == 302, signed_in.text
    location = signed_in.headers["Location"]
    if location.startswith(CALLBACK):
        return web, location
    return web, web.get(location, base_url=base).headers["Location"]


def _exchange(tenant: Tenant, apps: Apps, web: Browser, callback: str) -> dict:  # type: ignore[type-arg]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    body = {
        "grant_type": "authorization_code",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    answer = web.post("/oauth/token", json=body, base_url=tenant.base_url)
    assert answer.status_code == 200, answer.text
    return answer.json  # type: ignore[return-value]


def _password_grant(tenant: Tenant, apps: Apps, **extra: str):  # type: ignore[no-untyped-def]
    tenant.update_client(
        apps.web.client_id, {"grant_types": ["password", grants.PASSWORD_REALM, "refresh_token"]}
    )
    body = {
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "realm": DB,
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "username": EMAIL,
        "password": PASSWORD,
        **extra,
    }
    return Browser(create_app(tenant)).post("/oauth/token", json=body, base_url=tenant.base_url)


@pytest.fixture
def apps(apps: Apps) -> Apps:
    role = apps.tenant.create_role("admin")
    apps.tenant.assign_roles(apps.user.user_id, [role.id])
    apps.tenant.action_timeout = 2.0
    return apps


def test_custom_claims_reach_the_tokens_of_the_code_exchange(apps: Apps) -> None:
    """Claims set during the login land in the tokens ``/oauth/token`` issues later."""
    tenant = apps.tenant
    tenant.add_action(ROLES_EXAMPLE, name="roles")
    web, callback = _code_flow(tenant, apps, audience=API)
    tokens = _exchange(tenant, apps, web, callback)
    assert _claims(tokens["id_token"])["https://my-app.example.com/roles"] == ["admin"]
    assert _claims(tokens["access_token"])["https://my-app.example.com/roles"] == ["admin"]
    execution = tenant.executions.latest()
    assert execution is not None and execution.result == "allowed"
    assert [r.action_name for r in execution.runs] == ["roles"]


def test_custom_claims_through_tenant_login_with_an_audience(apps: Apps) -> None:
    apps.tenant.add_action(ROLES_EXAMPLE)
    result = apps.tenant.login(
        DB, email=EMAIL, password=PASSWORD, client_id=apps.web.client_id, audience=API
    )
    assert result.tokens is not None
    assert _claims(result.tokens["access_token"])["https://my-app.example.com/roles"] == ["admin"]
    assert _claims(result.id_token)["https://my-app.example.com/roles"] == ["admin"]


def test_restricted_and_unrequested_claims_are_dropped(apps: Apps) -> None:
    """Restricted claims are dropped silently
    (https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims); profile claims
    of scopes not granted are removed
    (https://auth0.com/docs/get-started/apis/scopes/openid-connect-scopes)."""
    apps.tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('sub', 'someone-else');
          api.idToken.setCustomClaim('phone_number', '+15550100');
          api.idToken.setCustomClaim('https://app/ok', 1);
        };"""
    )
    result = apps.tenant.login(DB, email=EMAIL, client_id=apps.web.client_id, audience=API)
    claims = _claims(result.id_token)
    assert claims["sub"] == apps.user.user_id
    assert "phone_number" not in claims
    assert claims["https://app/ok"] == 1


def test_deny_by_condition_reaches_the_callback(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.update_client(apps.web.client_id, {"name": "My SPA"})
    tenant.add_action(DENY_EXAMPLE)
    _, callback = _code_flow(tenant, apps)
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["access_denied"]
    assert query["error_description"] == ["Access to My SPA is not allowed."]
    assert query["state"] == ["app-state"]
    assert tenant.get_user(apps.user.user_id).logins_count == 1


def test_deny_at_the_password_grant_is_500_access_denied(apps: Apps) -> None:
    """ "the error code will be HTTP 500" with ``access_denied`` and the reason (Auth0's
    knowledge article, https://community.auth0.com/t/setting-the-error-value-returned-when-denying-access-within-action-via-api-access-deny/124708)."""
    tenant = apps.tenant
    tenant.update_client(apps.web.client_id, {"name": "My SPA"})
    tenant.add_action(DENY_EXAMPLE)
    answer = _password_grant(tenant, apps)
    assert answer.status_code == 500
    assert answer.json == {
        "error": "access_denied",
        "error_description": "Access to My SPA is not allowed.",
    }


def test_deny_keeps_the_queued_metadata(apps: Apps) -> None:
    """ "metadata changes already requested are still saved" when an Action denies
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object)."""
    tenant = apps.tenant
    tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.user.setAppMetadata('last_denied', true);
          api.access.deny('not today');
        };"""
    )
    with pytest.raises(OAuthError) as denied:
        tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert (denied.value.error, denied.value.description) == ("access_denied", "not today")
    assert tenant.get_user(apps.user.user_id).app_metadata == {"last_denied": True}


def test_first_login_metadata_is_written_once_the_trigger_ends(apps: Apps) -> None:
    """A later Action sees the event as it was: metadata is applied when the trigger ends
    (same source)."""
    tenant = apps.tenant
    tenant.add_action(FIRST_LOGIN, name="first")
    tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://app/meta', event.user.app_metadata);
        };""",
        name="reader",
    )
    first = tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert _claims(first.id_token)["https://app/meta"] == {}
    user = tenant.get_user(apps.user.user_id)
    assert user.app_metadata == {"onboarded": False, "seen_logins": 1}
    assert user.user_metadata == {"welcome": "first visit"}
    second = tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert _claims(second.id_token)["https://app/meta"] == {"onboarded": False, "seen_logins": 1}
    assert tenant.get_user(apps.user.user_id).app_metadata["seen_logins"] == 2
    execution = tenant.executions.latest()
    assert execution is not None
    assert execution.runs[0].logs == ["logins 2"]
    assert execution.runs[0].commands[0]["api"] == "user.setAppMetadata"


def test_scope_edits_shape_the_access_token(apps: Apps) -> None:
    apps.tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.accessToken.removeScope('write:items');
          api.accessToken.addScope('read:reports');
        };"""
    )
    result = apps.tenant.login(
        DB,
        email=EMAIL,
        client_id=apps.web.client_id,
        audience=API,
        scope="openid read:items write:items",
    )
    assert result.tokens is not None
    scope = _claims(result.tokens["access_token"])["scope"].split()
    assert "write:items" not in scope
    assert {"read:items", "read:reports"} <= set(scope)


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ("throw new Error('the CRM is down');", "the CRM is down"),
        ("await new Promise((resolve) => setTimeout(resolve, 5000));", TIMEOUT_MESSAGE),
    ],
    ids=["throw", "timeout"],
)
def test_a_throw_or_timeout_denies_the_login(apps: Apps, body: str, description: str) -> None:
    """Uncaught errors end the login as ``access_denied`` (the api object reference); a run
    past the limit (https://auth0.com/docs/customize/actions/limitations) too."""
    tenant = apps.tenant
    tenant.action_timeout = 0.3
    tenant.add_action(f"exports.onExecutePostLogin = async (event, api) => {{ {body} }};")
    _, callback = _code_flow(tenant, apps)
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["access_denied"]
    assert query["error_description"] == [description]
    assert "code" not in query
    assert not tenant.sessions.sessions  # no SSO session opened
    assert tenant.get_user(apps.user.user_id).logins_count == 1
    execution = tenant.executions.latest()
    assert execution is not None and execution.result == "denied"
    assert execution.runs[0].error is not None


def test_refresh_token_exchange_runs_the_actions_again(apps: Apps) -> None:
    """The post-login trigger runs "when a Refresh Token is requested"
    (https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow)."""
    tenant = apps.tenant
    tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://app/protocol', event.transaction.protocol);
          if (event.transaction.protocol === 'oauth2-refresh-token' && event.secrets.STOP) {
            api.access.deny('refresh refused');
          }
        };"""
    )
    first = _password_grant(tenant, apps, scope="openid offline_access", audience=API)
    assert first.status_code == 200, first.text
    assert _claims(first.json["id_token"])["https://app/protocol"] == "oauth2-password"
    web = Browser(create_app(tenant))
    body = {
        "grant_type": "refresh_token",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "refresh_token": first.json["refresh_token"],
    }
    again = web.post("/oauth/token", json=body, base_url=tenant.base_url)
    assert again.status_code == 200, again.text
    assert _claims(again.json["id_token"])["https://app/protocol"] == "oauth2-refresh-token"
    assert tenant.get_user(apps.user.user_id).logins_count == 1
    action = tenant.list_actions()[0]
    tenant.update_action(action.id, {"secrets": [{"name": "STOP", "value": "1"}]})
    tenant.deploy_action(action.id)
    refused = web.post("/oauth/token", json=body, base_url=tenant.base_url)
    assert refused.status_code == 500
    assert refused.json == {"error": "access_denied", "error_description": "refresh refused"}


def test_the_execution_log_over_the_control_plane_and_the_management_api(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(FIRST_LOGIN, name="first")
    tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    web = Browser(create_app(tenant))
    listed = web.get("/_fake/executions", base_url=tenant.base_url).json
    assert listed["total"] == 1
    record = listed["executions"][0]
    assert record["result"] == "allowed"
    assert record["actions"][0]["action_name"] == "first"
    assert record["actions"][0]["logs"] == ["logins 1"]
    token = tenant.management_token()
    shown = web.get(
        f"/api/v2/actions/executions/{record['id']}",
        headers={"Authorization": f"Bearer {token}"},
        base_url=tenant.base_url,
    )
    assert shown.status_code == 200, shown.text
    assert shown.json["trigger_id"] == "post-login"
    assert shown.json["status"] == "final"
    assert shown.json["results"][0]["action_name"] == "first"
    missing = web.get(
        "/api/v2/actions/executions/nope",
        headers={"Authorization": f"Bearer {token}"},
        base_url=tenant.base_url,
    )
    assert missing.status_code == 404
    assert missing.json["message"] == "That execution does not exist."
    assert web.delete("/_fake/executions", base_url=tenant.base_url).status_code == 204
    assert len(tenant.executions) == 0


def test_a_login_under_the_held_lock_is_refused_not_deadlocked(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action("exports.onExecutePostLogin = async () => {};")
    with tenant.lock, pytest.raises(LockHeld):
        tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)


def test_no_bound_action_starts_no_node_worker(apps: Apps, monkeypatch: pytest.MonkeyPatch) -> None:
    from fakeauth0 import post_login

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("no Action is bound: nothing may run")

    monkeypatch.setattr(post_login, "run_post_login", fail)
    result = apps.tenant.login(DB, email=EMAIL, client_id=apps.web.client_id, audience=API)
    assert result.tokens is not None
    assert len(apps.tenant.executions) == 0


def test_actions_run_without_the_lock(apps: Apps) -> None:
    """Another thread can use the tenant while an Action runs (it may call back over HTTP)."""
    tenant = apps.tenant
    tenant.add_action(
        "exports.onExecutePostLogin = async () => { await new Promise(r => setTimeout(r, 300)); };"
    )
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (tenant.login(DB, email=EMAIL, client_id=apps.web.client_id), done.set())
    )
    thread.start()
    try:
        # While the Action sleeps, the lock is free.
        assert not done.is_set()
        acquired = tenant.lock.acquire(timeout=0.2)
        assert acquired
        tenant.lock.release()
    finally:
        thread.join(5)
    assert done.is_set()


STEP = st.sampled_from(["claim", "deny", "throw", "meta"])


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chain=st.lists(STEP, min_size=1, max_size=3))
def test_no_token_or_session_when_any_action_denies_or_throws(apps: Apps, chain: list[str]) -> None:
    tenant = apps.tenant
    tenant.action_book.bindings = {}
    tenant.sessions.sessions.clear()
    bodies = {
        "claim": "api.idToken.setCustomClaim('https://app/c', 1);",
        "deny": "api.access.deny('no');",
        "throw": "throw new Error('boom');",
        "meta": "api.user.setAppMetadata('k', 1);",
    }
    for step in chain:
        tenant.add_action(
            f"exports.onExecutePostLogin = async (event, api) => {{ {bodies[step]} }};"
        )
    _, callback = _code_flow(tenant, apps)
    query = parse_qs(urlsplit(callback).query)
    refused = any(step in ("deny", "throw") for step in chain)
    if refused:
        assert query["error"] == ["access_denied"]
        assert "code" not in query
        assert not tenant.sessions.sessions
    else:
        assert "code" in query
        assert len(tenant.sessions.sessions) == 1


def test_an_sso_session_runs_the_actions_again_without_counting_a_login(apps: Apps) -> None:
    """Silent authentication answers from the session, and the Login Flow runs on it too
    (https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow): the new tokens
    carry this run's claims; a denial goes to the callback."""
    tenant = apps.tenant
    tenant.add_action(
        "exports.onExecutePostLogin = async (event, api) => {"
        " if (event.user.app_metadata.banned) { api.access.deny('banned now'); }"
        " api.idToken.setCustomClaim('https://app/protocol', event.transaction.protocol);"
        " api.idToken.setCustomClaim('https://app/logins', event.stats.logins_count); };"
    )
    web, callback = _code_flow(tenant, apps)
    first = _claims(_exchange(tenant, apps, web, callback)["id_token"])
    assert first["https://app/logins"] == 1
    silent = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "prompt": "none",
        "state": "s2",
    }
    answer = web.get("/authorize", query_string=silent, base_url=tenant.base_url)
    assert answer.status_code == 302
    again = _claims(_exchange(tenant, apps, web, answer.headers["Location"])["id_token"])
    assert again["https://app/logins"] == 1  # not counted again
    assert len(tenant.executions) == 2
    tenant.update_user(apps.user.user_id, {"app_metadata": {"banned": True}})
    refused = web.get("/authorize", query_string=silent, base_url=tenant.base_url)
    query = parse_qs(urlsplit(refused.headers["Location"]).query)
    assert query["error"] == ["access_denied"] and query["error_description"] == ["banned now"]
    assert tenant.get_user(apps.user.user_id).logins_count == 1
