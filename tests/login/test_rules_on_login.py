"""A legacy tenant runs its classic Rules on every login, before the post-login Actions, in the
tenant's own login pipeline (docs/auth0-behaviour.md#classic-rules): the gallery's "Link
Accounts with Same Email Address" rule (tests/node/rules/, verbatim) links a social login to the
database user with the same verified e-mail, through the hosted login page; a rule's
``context`` claims, scopes and ``primaryUser`` reach the tokens; its errors reach the app as
Auth0 raises them (https://auth0.com/docs/customize/rules/raise-errors-from-rules).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from fakeauth0 import Tenant, create_app, grants
from fakeauth0.errors import OAuthError
from tests.login import browser as drive
from tests.login.conftest import DB, EMAIL, PASSWORD, Apps, make_apps
from tests.login.test_login_flows import authorize, exchange

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
]

RULES = "/api/v2/rules"
SEED_RULE = Path(__file__).resolve().parents[1] / "node" / "rules" / "link-users-by-email.js"
#: Namespaced claims from a rule (https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims).
CLAIMS_RULE = """function (user, context, callback) {
  context.idToken['https://app.example.com/plan'] = configuration.PLAN;
  context.accessToken['https://app.example.com/logins'] = context.stats.loginsCount;
  context.idToken['sub'] = 'not-allowed';
  callback(null, user, context);
}"""
#: https://auth0.com/docs/customize/rules/raise-errors-from-rules
UNAUTHORIZED_RULE = """function (user, context, callback) {
  if (user.email === 'EMAIL') {
    return callback(new UnauthorizedError('Access denied by the rule.'));
  }
  callback(null, user, context);
}""".replace("EMAIL", EMAIL)
#: https://auth0.com/docs/customize/rules/use-management-api
METADATA_RULE = """function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.rule_logins = context.stats.loginsCount;
  console.log('saving', user.user_id);
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(function (err) { callback(err); });
}"""


def _seed_rule() -> str:
    source = SEED_RULE.read_text()
    return source[source.index("function(user") :]


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


@pytest.fixture
def legacy() -> Apps:
    """A tenant made before June 2018 and before Rules were withdrawn: the seed rule's
    ``search_engine=v2`` and ``/rules`` both work there."""
    tenant = Tenant("legacy.auth0.com", search_engine="v2", rules=True)
    tenant.action_timeout = 20.0
    return make_apps(tenant)


@pytest.fixture
def page(legacy: Apps) -> Iterator[httpx.Client]:
    transport = httpx.WSGITransport(app=create_app(legacy.tenant))
    with httpx.Client(transport=transport, base_url=legacy.tenant.base_url) as client:
        yield client


def _add_rule(apps: Apps, page: httpx.Client, name: str, script: str, order: int) -> None:
    token = apps.tenant.management_token()
    created = page.post(
        RULES,
        json={"name": name, "script": script, "order": order},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text


def _google(apps: Apps) -> str:
    connection = apps.tenant.connection("google-oauth2")
    apps.tenant.set_connection_clients(
        connection.id, [{"client_id": apps.web.client_id, "status": True}]
    )
    return connection.name


def _social_login(apps: Apps, page: httpx.Client, **profile: str) -> httpx.Response:
    """The login page's Google button and the simulated IdP's answer, up to the callback."""
    login = drive.get(page, apps.tenant, authorize(apps.web))
    button = page.post(
        str(login.url), data={"state": drive.page_state(login), "connection": "google-oauth2"}
    )
    idp_page = drive.follow(page, apps.tenant, button)
    form = {"state": drive.page_state(idp_page), "connection": "google-oauth2", **profile}
    return drive.follow(page, apps.tenant, page.post("/u/idp", data=form))


def test_the_seed_rule_links_a_social_login_through_the_hosted_page(
    legacy: Apps, page: httpx.Client
) -> None:
    """The seed walkthrough: a database user and a Google identity share a verified e-mail;
    the Google login runs the rule, which links the Google identity into the database user
    and sets ``context.primaryUser``; the app receives tokens for the primary, which holds the
    Google identity with its ``profileData``; the Google user's own metadata is gone."""
    tenant = legacy.tenant
    tenant.update_user(legacy.user.user_id, {"email_verified": True})
    _google(legacy)
    # A first Google login, before the rule: a user of its own, which gets metadata.
    profile = {"user_id": "10101", "email": EMAIL, "email_verified": "true", "name": "Ada G."}
    first = drive.callback_params(_social_login(legacy, page, **profile))
    assert "code" in first, first
    tenant.update_user("google-oauth2|10101", {"app_metadata": {"google_only": True}})
    page.cookies.clear()
    _add_rule(legacy, page, "link-accounts", _seed_rule(), 1)
    answer = _social_login(legacy, page, **profile)
    got = drive.callback_params(answer)
    assert "code" in got, got
    tokens = exchange(page, legacy.web, got["code"]).json()
    assert _claims(tokens["id_token"])["sub"] == legacy.user.user_id
    primary = tenant.get_user(legacy.user.user_id)
    assert [i.provider for i in primary.identities] == ["auth0", "google-oauth2"]
    google = primary.identities[1]
    assert google.user_id == "10101" and (google.profile_data or {}).get("email") == EMAIL
    assert tenant.users.get("google-oauth2|10101") is None
    assert "google_only" not in primary.app_metadata  # the secondary's metadata is lost
    run = tenant.rule_runs.latest()
    assert run is not None and [r.rule_name for r in run.runs] == ["link-accounts"]
    assert run.to_record()["result"] == "allowed"


def test_on_a_tenant_without_the_v2_engine_the_seed_rule_fails_the_login(
    page: httpx.Client,
) -> None:
    """Today's search answers ``search_engine=v2`` with 400, so the rule calls back with an
    error and the app gets ``access_denied`` (Auth0's answer to a rule's error); nothing is
    linked."""
    tenant = Tenant("today.auth0.com", rules=True)
    apps = make_apps(tenant)
    tenant.update_user(apps.user.user_id, {"email_verified": True})
    _google(apps)
    with httpx.Client(
        transport=httpx.WSGITransport(app=create_app(tenant)), base_url=tenant.base_url
    ) as browser:
        _add_rule(apps, browser, "link-accounts", _seed_rule(), 1)
        answer = _social_login(apps, browser, user_id="20202", email=EMAIL, email_verified="true")
        got = drive.callback_params(answer)
    assert got["error"] == "access_denied"
    assert "search_engine=v2" in got["error_description"]
    assert [i.provider for i in tenant.get_user(apps.user.user_id).identities] == ["auth0"]


def test_rule_claims_and_configuration_reach_the_tokens(legacy: Apps, page: httpx.Client) -> None:
    legacy.tenant.set_rules_config("PLAN", "gold")
    _add_rule(legacy, page, "claims", CLAIMS_RULE, 1)
    got = drive.callback_params(
        drive.login(page, legacy.tenant, authorize(legacy.web), EMAIL, PASSWORD)
    )
    tokens = exchange(page, legacy.web, got["code"]).json()
    id_claims = _claims(tokens["id_token"])
    assert id_claims["https://app.example.com/plan"] == "gold"
    assert id_claims["sub"] == legacy.user.user_id  # a restricted claim is not overwritten


def test_an_unauthorized_error_reaches_the_callback_and_the_password_grant(
    legacy: Apps, page: httpx.Client
) -> None:
    """``UnauthorizedError`` → ``error=unauthorized`` with its message
    (https://auth0.com/docs/customize/rules/raise-errors-from-rules)."""
    _add_rule(legacy, page, "deny", UNAUTHORIZED_RULE, 1)
    got = drive.callback_params(
        drive.login(page, legacy.tenant, authorize(legacy.web), EMAIL, PASSWORD)
    )
    assert got["error"] == "unauthorized"
    assert got["error_description"] == "Access denied by the rule."
    legacy.tenant.update_client(legacy.web.client_id, {"grant_types": [grants.PASSWORD_REALM]})
    answer = page.post(
        "/oauth/token",
        json={
            "grant_type": grants.PASSWORD_REALM,
            "realm": DB,
            "client_id": legacy.web.client_id,
            "client_secret": legacy.web.client_secret,
            "username": EMAIL,
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unauthorized",
        "error_description": "Access denied by the rule.",
    }
    assert legacy.tenant.get_user(legacy.user.user_id).logins_count == 2  # counted first


def test_a_rule_writes_metadata_through_the_management_api_and_logs(legacy: Apps) -> None:
    tenant = legacy.tenant
    tenant.create_rule({"name": "metadata", "script": METADATA_RULE, "order": 1})
    result = tenant.login(DB, email=EMAIL, password=PASSWORD)
    assert result.user.user_id == legacy.user.user_id
    assert tenant.get_user(legacy.user.user_id).app_metadata == {"rule_logins": 1}
    run = tenant.rule_runs.latest()
    assert run is not None and run.runs[0].logs == [f"saving {legacy.user.user_id}"]


def test_rules_run_before_the_actions_and_a_disabled_rule_not_at_all(legacy: Apps) -> None:
    tenant = legacy.tenant
    tenant.create_rule(
        {
            "name": "first",
            "script": "function (u, c, cb) { c.idToken['https://x/who'] = 'rule';"
            " c.idToken['https://x/rule'] = true; cb(null, u, c); }",
            "order": 1,
        }
    )
    tenant.create_rule(
        {
            "name": "off",
            "script": "function (u, c, cb) { cb(new Error('ran')); }",
            "order": 2,
            "enabled": False,
        }
    )
    tenant.add_action(
        "exports.onExecutePostLogin = async (event, api) => {"
        " api.idToken.setCustomClaim('https://x/who', 'action'); };",
        name="after-rules",
    )
    claims = _claims(tenant.login(DB, email=EMAIL, password=PASSWORD).id_token)
    assert claims["https://x/who"] == "action" and claims["https://x/rule"] is True


def test_a_tenant_made_today_runs_no_rules_and_starts_no_node(
    auth0_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = make_apps(auth0_tenant)

    def no_node(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no JavaScript runs on a login without rules or actions")

    monkeypatch.setattr("fakeauth0.post_login.run_rule", no_node)
    result = auth0_tenant.login(DB, email=EMAIL, password=PASSWORD)
    assert result.user.user_id == apps.user.user_id
    with pytest.raises(OAuthError):
        auth0_tenant.login(DB, email=EMAIL, password="wrong")


def test_rules_run_again_on_silent_authentication(legacy: Apps, page: httpx.Client) -> None:
    """Rules run on every authentication transaction, an SSO answer included: the silent
    answer's tokens carry this run's claims, and a rule's error reaches the callback."""
    tenant = legacy.tenant
    tenant.create_rule(
        {
            "name": "gate",
            "script": "function (u, c, cb) {"
            " if ((u.app_metadata || {}).closed) { return cb(new UnauthorizedError('closed')); }"
            " c.idToken['https://x/pass'] = c.protocol; cb(null, u, c); }",
            "order": 1,
        }
    )
    got = drive.callback_params(drive.login(page, tenant, authorize(legacy.web), EMAIL, PASSWORD))
    exchange(page, legacy.web, got["code"])
    silent = drive.callback_params(
        drive.get(page, tenant, authorize(legacy.web, prompt="none", state="s2"))
    )
    assert "code" in silent, silent
    claims = _claims(exchange(page, legacy.web, silent["code"]).json()["id_token"])
    assert claims["https://x/pass"] == "oidc-basic-profile"
    assert len(tenant.rule_runs) == 2
    tenant.update_user(legacy.user.user_id, {"app_metadata": {"closed": True}})
    refused = drive.callback_params(
        drive.get(page, tenant, authorize(legacy.web, prompt="none", state="s3"))
    )
    assert refused["error"] == "unauthorized" and refused["error_description"] == "closed"
