"""The dashboard's Actions and Executions pages over WSGI: each trigger's flow and its code,
what a login's Actions (and a legacy tenant's Rules) wrote and asked, and never a secret value
or a token on any page.

Auth0's flows run their bound actions "in the order in which it was placed"
(https://auth0.com/docs/customize/actions/actions-overview), each login's ``console.log`` output
and exceptions are what its logs show (https://auth0.com/docs/customize/actions/actions-real-time-logs),
and a secret's value is never shown back (docs/auth0-behaviour.md#actions).
"""

from __future__ import annotations

import html
import re
import shutil

import pytest
from werkzeug.test import Client

from fakeauth0 import Tenant, create_app
from fakeauth0.dashboard import extensibility
from fakeauth0.errors import OAuthError
from tests.support import DB, PASSWORD

BASE = "/_fake/dashboard"
EMAIL = "ann@example.com"
SECRET = "sk_live_7Hq2ZrW9pLmN4xT1"
SIGNING = "hmac-signing-key-0123456789"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

#: A post-login action writing to the console and setting a claim, as Auth0's guide's first
#: action does (https://auth0.com/docs/customize/actions/write-your-first-action), and also
#: printing markup and its secret (which the page must escape and mask).
CLAIM_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  console.log(`welcome ${event.user.email} <b>bold</b>`);
  console.log('calling the billing API with', event.secrets.BILLING_KEY);
  api.idToken.setCustomClaim('https://example.com/plan', 'gold');
  api.accessToken.setCustomClaim('https://example.com/key', event.secrets.BILLING_KEY);
};
"""
#: https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow ("Access control").
DENY_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  api.access.deny(`Access to ${event.client.name} is not allowed.`);
};
"""
THROWING_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  console.log('about to fail');
  throw new Error('billing service unreachable');
};
"""
#: A session token made with ``api.redirect.encodeToken``
#: (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions),
#: logged and passed on: a token the page must not show.
TOKEN_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  const token = api.redirect.encodeToken({secret: event.secrets.SIGNING, payload: {step: 2}});
  console.log('session token', token);
  api.user.setAppMetadata('handoff', {session_token: 'not-a-jwt-but-named-so', step: 2});
};
"""


@pytest.fixture
def client(tenant: Tenant) -> Client:
    return Client(create_app(tenant))


def ann(tenant: Tenant) -> str:
    return tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD}).user_id


def text_of(client: Client, path: str) -> str:
    page = client.get(BASE + path)
    assert page.status_code == 200, page.text
    assert "Content-Security-Policy" in page.headers
    return page.text


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


@needs_node
def test_a_login_through_a_bound_action_shows_its_console_and_claims_never_its_secret(
    tenant: Tenant, client: Client
) -> None:
    user_id = ann(tenant)
    tenant.add_action(CLAIM_ACTION, name="Add plan", secrets={"BILLING_KEY": SECRET})
    tenant.login(DB, email=EMAIL, password=PASSWORD)

    actions = text_of(client, "/actions")
    flow = actions[actions.index('id="flow-post-login"') :]
    flow = flow[: flow.index("</section>")]
    assert "1. Add plan" in flow and "deployed v1" in flow
    assert "node22" in flow and "BILLING_KEY" in flow
    # The code as written, escaped inside <pre> (no markup of its own).
    assert html.escape("`welcome ${event.user.email} <b>bold</b>`") in flow.replace("&#34;", '"')
    assert "<b>bold</b>" not in actions

    executions = text_of(client, "/executions")
    assert "post-login" in executions and ">allowed<" in executions
    assert f"welcome {EMAIL} &lt;b&gt;bold&lt;/b&gt;" in executions
    assert "calling the billing API with ••••••" in executions
    assert "api.idToken.setCustomClaim(&#34;https://example.com/plan&#34;, &#34;gold&#34;)" in (
        executions
    )
    assert (
        "api.accessToken.setCustomClaim(&#34;https://example.com/key&#34;, &#34;••••••&#34;)"
        in (executions)
    )
    assert f'href="{BASE}/user?id={user_id.replace("|", "%7C")}"' in executions

    for path in ("", f"/user?id={user_id}", "/actions", "/executions", "/outbox", "/roles"):
        assert SECRET not in text_of(client, path), path
    # The action itself saw its secret: the claim it set holds it.
    record = tenant.executions.latest()
    assert record is not None
    assert record.runs[0].commands[1]["args"] == ["https://example.com/key", SECRET]


@needs_node
def test_a_denial_and_a_throw_are_shown_with_their_reasons(tenant: Tenant, client: Client) -> None:
    ann(tenant)
    tenant.add_action(THROWING_ACTION, name="Check billing")
    with pytest.raises(OAuthError):
        tenant.login(DB, email=EMAIL, password=PASSWORD)
    tenant.bind_actions("post-login", [])
    tenant.add_action(DENY_ACTION, name="Deny all")
    with pytest.raises(OAuthError):
        tenant.login(DB, email=EMAIL, password=PASSWORD)

    page = text_of(client, "/executions")
    denied, errored = page.index(">denied<"), page.index(">error<")
    assert denied < errored, "newest first"
    assert "Access to " in page and " is not allowed." in page
    assert "about to fail" in page
    assert "Error: billing service unreachable" in page
    assert "api.access.deny(" in page


@needs_node
def test_tokens_an_action_makes_are_masked(tenant: Tenant, client: Client) -> None:
    ann(tenant)
    tenant.add_action(TOKEN_ACTION, name="Hand off", secrets={"SIGNING": SIGNING})
    tenant.login(DB, email=EMAIL, password=PASSWORD)
    record = tenant.executions.latest()
    assert record is not None
    logged = record.runs[0].logs[0]
    token = logged.split()[-1]
    assert token.startswith("eyJ") and token.count(".") == 2  # the log does hold a JWT

    page = text_of(client, "/executions")
    assert token not in page and SIGNING not in page
    assert "session token ••••••" in page
    # A value under a token-like key is hidden whatever it looks like.
    assert "not-a-jwt-but-named-so" not in page
    assert "&#34;session_token&#34;: &#34;••••••&#34;, &#34;step&#34;: 2" in page


def test_masker_hides_secret_values_jwts_and_secret_keys() -> None:
    mask = extensibility.Masker([SECRET, "abc", ""])
    jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    assert mask.text(f"key={SECRET}; t={jwt_like}") == "key=••••••; t=••••••"
    assert mask.text("abc is too short to hide") == "abc is too short to hide"
    assert mask.value({"api_key": 1, "Password": "x", "nested": [SECRET, {"x": 2}]}) == {
        "api_key": "••••••",
        "Password": "••••••",
        "nested": ["••••••", {"x": 2}],
    }


@needs_node
def test_the_page_shows_the_latest_runs_one_users_runs_and_clears(
    tenant: Tenant, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extensibility, "MAX_EXECUTIONS", 2)
    first = ann(tenant)
    other = tenant.create_user(
        {"connection": DB, "email": "bob@example.com", "password": PASSWORD}
    ).user_id
    tenant.add_action(
        "exports.onExecutePostLogin = async (event) => { console.log('hi', event.user.email); };",
        name="Greet",
    )
    tenant.login(DB, email=EMAIL, password=PASSWORD)
    tenant.login(DB, email="bob@example.com", password=PASSWORD)
    tenant.login(DB, email="bob@example.com", password=PASSWORD)

    page = text_of(client, "/executions")
    assert "The latest 2 of 3 runs." in page
    assert page.count("hi bob@example.com") == 2 and "hi ann@" not in page

    user_page = text_of(client, f"/user?id={first}")
    assert f"{BASE}/executions?user_id={first.replace('|', '%7C')}" in user_page
    mine = text_of(client, f"/executions?user_id={first}")
    assert "1 run for" in mine and f"hi {EMAIL}" in mine and "bob@" not in mine
    assert other not in mine

    refused = client.post(
        BASE + "/executions/clear",
        data={"csrf_token": token_of(page)},
        headers={"Origin": "https://evil.example"},
    )
    assert refused.status_code == 403 and len(tenant.executions) == 3
    cleared = client.post(
        BASE + "/executions/clear",
        data={"csrf_token": token_of(page)},
        headers={"Origin": "http://localhost"},
    )
    assert cleared.status_code == 303
    assert len(tenant.executions) == 0
    after = client.get(cleared.headers["Location"]).text
    assert "Execution log cleared." in after and "No runs." in after


def test_unbound_and_undeployed_actions_and_every_trigger_are_listed(
    tenant: Tenant, client: Client
) -> None:
    """A flow lists only what is bound; a draft is not deployed until it is
    (https://auth0.com/docs/customize/actions/write-your-first-action)."""
    tenant.create_action(
        {
            "name": "Draft only",
            "supported_triggers": [{"id": "pre-user-registration"}],
            "code": "exports.onExecutePreUserRegistration = async () => {};",
            "secrets": [{"name": "TOKEN", "value": SECRET}],
            "dependencies": [{"name": "lodash", "version": "4.17.21"}],
        }
    )
    page = text_of(client, "/actions")
    for trigger in extensibility.CURRENT_TRIGGERS:
        assert f'id="flow-{trigger}"' in page
    assert page.count("No actions bound.") == len(extensibility.CURRENT_TRIGGERS)
    unbound = page[page.index('id="unbound"') :]
    assert "Draft only" in unbound and "not deployed" in unbound
    assert "lodash@4.17.21" in unbound and "TOKEN" in unbound and "(draft)" in unbound
    assert SECRET not in page
    assert 'id="rules"' not in page  # no Rules on a tenant made today


@pytest.mark.auth0(rules=True)
def test_a_legacy_tenants_rules_in_order_with_config_keys_only(
    tenant: Tenant, client: Client
) -> None:
    """Rules run in ``order``, the enabled ones only, and a configuration value is never read
    back (docs/auth0-behaviour.md#classic-rules)."""
    tenant.create_rule(
        {"name": "second rule", "script": "function (u, c, cb) { cb(null, u, c); }", "order": 2}
    )
    tenant.create_rule(
        {
            "name": "first rule",
            "script": "function (user, context, cb) { if (1 < 2) cb(null, user, context); }",
            "order": 1,
            "enabled": False,
        }
    )
    tenant.set_rules_config("PARTNER_KEY", SECRET)

    page = text_of(client, "/actions")
    rules = page[page.index('id="rules"') :]
    assert rules.index("first rule") < rules.index("second rule")
    first = rules[rules.index("first rule") : rules.index("second rule")]
    assert ">disabled<" in first and "if (1 &lt; 2)" in first
    assert ">enabled<" in rules[rules.index("second rule") :]
    assert "PARTNER_KEY" in rules and SECRET not in page


@needs_node
@pytest.mark.auth0(rules=True)
def test_a_legacy_tenants_rule_run_is_shown_with_its_console(
    tenant: Tenant, client: Client
) -> None:
    """A rule's ``console.log`` output and its error reach the log; an ``UnauthorizedError``
    denies the login (https://auth0.com/docs/customize/rules/raise-errors-from-rules)."""
    ann(tenant)
    tenant.set_rules_config("PARTNER_KEY", SECRET)
    tenant.create_rule(
        {
            "name": "gate",
            "order": 1,
            "script": (
                "function (user, context, callback) {\n"
                "  console.log('partner key', configuration.PARTNER_KEY, 'for', user.email);\n"
                "  callback(new UnauthorizedError('Partners only.'));\n"
                "}"
            ),
        }
    )
    with pytest.raises(OAuthError):
        tenant.login(DB, email=EMAIL, password=PASSWORD)

    page = text_of(client, "/executions")
    assert ">rules<" in page and ">denied<" in page
    assert f"partner key •••••• for {EMAIL}" in page
    assert "UnauthorizedError: Partners only." in page
    assert SECRET not in page
