"""Post-login Actions seen through a real client and at the edges of the pipeline: Authlib's
code flow with PKCE gets the claims an Action set (ID token validated, refresh included), an
Action's ``setPrimaryUser``, the Python hooks running after the Actions, the MFA api refused,
and a login that cannot run its Action failing closed
(docs/auth0-behaviour.md#post-login-actions).
"""

from __future__ import annotations

import shutil
import threading
import time

import jwt
import pytest

from fakeauth0 import Tenant, post_login
from fakeauth0.errors import OAuthError
from fakeauth0.js import NodeNotFound
from fakeauth0.logins import LoginApi, LoginEvent, LoginResult
from tests.login.conftest import API, DB, EMAIL, Apps
from tests.login.test_authlib import code_login, discovery, validate_id_token, web_session

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.usefixtures("auth0_intercept"),
]

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


def _claims(token: str) -> dict:  # type: ignore[type-arg]
    return jwt.decode(token, options={"verify_signature": False})


def test_authlib_code_flow_gets_the_claims_of_the_action(apps: Apps) -> None:
    """Claims set at login are in the code exchange's tokens; the refresh exchange runs the
    trigger again (https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow)."""
    tenant = apps.tenant
    role = tenant.create_role("editor")
    tenant.assign_roles(apps.user.user_id, [role.id])
    tenant.add_action(ROLES_EXAMPLE)
    with web_session(apps, "client_secret_basic") as session:
        callback, state, verifier, nonce = code_login(session, tenant, audience=API)
        token_url = discovery(session, tenant)["token_endpoint"]
        token = session.fetch_token(
            token_url, authorization_response=callback, state=state, code_verifier=verifier
        )
        claims = validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
        assert claims["https://my-app.example.com/roles"] == ["editor"]
        assert _claims(token["access_token"])["https://my-app.example.com/roles"] == ["editor"]
        refreshed = session.refresh_token(token_url)
        assert _claims(refreshed["id_token"])["https://my-app.example.com/roles"] == ["editor"]
    protocols = [e.protocol for e in tenant.executions]
    assert protocols == ["oauth2-refresh-token", "oidc-basic-profile"]


def test_set_primary_user_switches_the_subject(apps: Apps) -> None:
    """While the Action runs, the login's user is linked into another (as an Action does over
    the Management API); ``setPrimaryUser`` then names the primary, whose tokens the login gets
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object)."""
    tenant = apps.tenant
    primary = tenant.create_user(
        {"connection": DB, "email": "main@example.com", "password": "Passw0rd!main"}
    )
    tenant.add_action(
        f"""exports.onExecutePostLogin = async (event, api) => {{
          await new Promise((resolve) => setTimeout(resolve, 400));
          api.authentication.setPrimaryUser('{primary.user_id}');
        }};"""
    )
    results: list[object] = []
    login = threading.Thread(
        target=lambda: results.append(tenant.login(DB, email=EMAIL, client_id=apps.web.client_id))
    )
    login.start()
    time.sleep(0.1)
    tenant.link(primary.user_id, "auth0", apps.user.user_id.split("|")[1])
    login.join(10)
    result = results[0]
    assert isinstance(result, LoginResult)
    assert _claims(result.id_token)["sub"] == primary.user_id
    assert tenant.get_user(primary.user_id).logins_count == 1


def test_a_primary_the_identity_does_not_belong_to_denies(apps: Apps) -> None:
    apps.tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.authentication.setPrimaryUser('auth0|somebody-else');
        };"""
    )
    with pytest.raises(OAuthError) as denied:
        apps.tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert denied.value.error == "access_denied"


def test_python_hooks_run_after_the_actions_and_see_their_metadata(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.user.setAppMetadata('plan', 'gold');
        };"""
    )
    seen: list[dict] = []  # type: ignore[type-arg]

    @tenant.add_hook
    def hook(event: LoginEvent, api: LoginApi) -> None:
        seen.append(dict(event.user.app_metadata))

    tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert seen == [{"plan": "gold"}]


def test_multifactor_is_refused_clearly(apps: Apps) -> None:
    """The fake has no MFA: ``api.multifactor.enable`` fails the login with a message that
    says so, rather than passing it without the second factor."""
    apps.tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.multifactor.enable('any');
        };"""
    )
    with pytest.raises(OAuthError) as denied:
        apps.tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert denied.value.error == "access_denied"
    assert "MFA" in denied.value.description and "not modelled" in denied.value.description


def test_an_action_that_cannot_run_fails_the_login(
    apps: Apps, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_node(*args: object, **kwargs: object) -> None:
        raise NodeNotFound("fakeauth0 runs Actions in node (>= 20), and none was found")

    monkeypatch.setattr(post_login, "run_post_login", no_node)
    apps.tenant.add_action("exports.onExecutePostLogin = async () => {};")
    with pytest.raises(OAuthError) as denied:
        apps.tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    assert denied.value.error == "access_denied"
    assert "node" in denied.value.description


def test_event_secrets_and_the_counted_login(auth0_tenant: Tenant, apps: Apps) -> None:
    """``event.secrets`` holds the action's secrets; ``event.stats.logins_count`` counts this
    login (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object)."""
    auth0_tenant.add_action(
        """exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://app/key', event.secrets.API_KEY);
          api.idToken.setCustomClaim('https://app/count', event.stats.logins_count);
        };""",
        secrets={"API_KEY": "k-123"},
    )
    result = auth0_tenant.login(DB, email=EMAIL, client_id=apps.web.client_id)
    claims = _claims(result.id_token)
    assert claims["https://app/key"] == "k-123"
    assert claims["https://app/count"] == 1
