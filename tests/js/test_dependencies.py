"""The tenant's JavaScript with npm packages and a way home: dependencies installed from the
registry into a cache (``fakeauth0.js.modules``), and requests to ``https://<domain>`` carried
to the tenant through its loopback bridge (``fakeauth0.js.bridge``), so an Action's
``require('auth0')`` and a Rule's ``request(auth0.baseUrl + ...)`` reach the fake unmodified.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakeauth0 import Tenant
from fakeauth0.js import modules
from fakeauth0.js.bridge import bridge_url
from fakeauth0.js.runtime import NodeRuntime, RunResult, run_rule

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
]

RULE = Path(__file__).resolve().parents[1] / "node" / "rules" / "link-users-by-email.js"


@pytest.fixture(scope="module")
def runtime() -> Iterator[NodeRuntime]:
    worker = NodeRuntime()
    yield worker
    worker.close()


def _action(runtime: NodeRuntime, body: str, tenant: Tenant | None = None, **kw: Any) -> RunResult:
    code = f"exports.onExecutePostLogin = async (event, api) => {{ {body} }};"
    bridge = None if tenant is None else (tenant.domain, bridge_url(tenant))
    return runtime.run("post-login", code, kw.pop("event", {}), bridge=bridge, **kw)


def test_a_declared_dependency_is_installed_once_and_required(runtime: NodeRuntime) -> None:
    """Auth0 installs an Action's declared npm dependencies
    (https://auth0.com/docs/customize/actions/manage-dependencies); the fake installs each set
    once into its cache and reuses it."""
    lodash = [{"name": "lodash", "version": "4.17.21"}]
    result = _action(
        runtime,
        "const _ = require('lodash'); api.idToken.setCustomClaim('v', _.VERSION);",
        dependencies=lodash,
    )
    assert result.error is None, result.error
    assert result.id_token_claims == {"v": "4.17.21"}
    installed = modules.install(lodash)
    assert installed is not None and (installed / modules.COMPLETE).exists()
    again = _action(
        runtime,
        "api.idToken.setCustomClaim('m', typeof require('lodash').map);",
        dependencies=lodash,
    )
    assert again.id_token_claims == {"m": "function"}


def test_a_dependency_npm_cannot_install_fails_the_run_with_npm_s_reason(
    runtime: NodeRuntime,
) -> None:
    result = _action(
        runtime,
        "require('fakeauth0-no-such-package-0');",
        dependencies=[{"name": "fakeauth0-no-such-package-0", "version": "1.0.0"}],
    )
    assert result.failed
    assert "npm install of fakeauth0-no-such-package-0@1.0.0 failed" in (
        result.error_description or ""
    )


def test_rules_name_their_packages_in_require_and_those_are_installed() -> None:
    script = (
        "function (u, c, cb) { var r = require('request@2.56.0'); var x = require('crypto');"
        ' var s = require("@scope/pkg@1.2.3/sub"); cb(null, u, c); }'
    )
    assert modules.required_by(script) == [
        {"name": "@scope/pkg", "version": "1.2.3"},
        {"name": "request", "version": "2.56.0"},
    ]


def test_fetch_to_the_tenant_s_domain_reaches_the_tenant(runtime: NodeRuntime) -> None:
    tenant = Tenant()
    tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "a@example.com",
            "password": "Passw0rd!long",
        }
    )
    token = tenant.management_token()
    result = _action(
        runtime,
        f"""
        const answer = await fetch('https://{tenant.domain}/api/v2/users', {{
          headers: {{ Authorization: 'Bearer {token}' }} }});
        const users = await answer.json();
        api.idToken.setCustomClaim('status', answer.status);
        api.idToken.setCustomClaim('emails', users.map((u) => u.email));
        """,
        tenant,
    )
    assert result.error is None, result.error
    assert result.id_token_claims == {"status": 200, "emails": ["a@example.com"]}


def test_node_s_https_module_to_the_tenant_s_domain_reaches_the_tenant(
    runtime: NodeRuntime,
) -> None:
    tenant = Tenant()
    result = _action(
        runtime,
        f"""
        const https = require('https');
        const issuer = await new Promise((resolve, reject) => {{
          https.get('https://{tenant.domain}/.well-known/openid-configuration', (res) => {{
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve(JSON.parse(body).issuer));
          }}).on('error', reject);
        }});
        api.idToken.setCustomClaim('issuer', issuer);
        """,
        tenant,
    )
    assert result.error is None, result.error
    assert result.id_token_claims == {"issuer": f"https://{tenant.domain}/"}


def test_the_bridge_serves_auth0_s_apis_and_never_the_control_plane() -> None:
    tenant = Tenant()
    base = bridge_url(tenant)
    assert base.startswith("http://127.0.0.1:")
    token = tenant.management_token()
    users = httpx.get(f"{base}/api/v2/users", headers={"Authorization": f"Bearer {token}"})
    assert users.status_code == 200
    for path in ("/_fake/outbox", "/_fake/dashboard", "/x/../_fake/reset"):
        assert httpx.get(base + path).status_code == 404
    assert httpx.get(base.rsplit("/", 1)[0] + "/not-a-key/api/v2/users").status_code == 404
    assert bridge_url(tenant) == base and bridge_url(Tenant()) != base


def test_an_action_manages_the_tenant_with_node_s_auth0_sdk(runtime: NodeRuntime) -> None:
    """Auth0's pattern for the Management API inside an Action: the ``auth0`` package with the
    domain and an M2M client's credentials in secrets
    (https://auth0.com/docs/customize/actions/manage-dependencies)."""
    tenant = Tenant()
    user = tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "b@example.com",
            "password": "Passw0rd!long",
        }
    )
    client = tenant.management_client
    result = _action(
        runtime,
        """
        const { ManagementClient } = require('auth0');
        const management = new ManagementClient({
          domain: event.secrets.domain,
          clientId: event.secrets.clientId,
          clientSecret: event.secrets.clientSecret,
        });
        const plan = { app_metadata: { plan: 'gold' } };
        await management.users.update({ id: event.user.user_id }, plan);
        api.idToken.setCustomClaim('done', true);
        """,
        tenant,
        event={"user": {"user_id": user.user_id}},
        secrets={
            "domain": tenant.domain,
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
        },
        dependencies=[{"name": "auth0", "version": "4.37.0"}],
    )
    assert result.error is None, result.error
    assert result.id_token_claims == {"done": True}
    assert tenant.get_user(user.user_id).app_metadata == {"plan": "gold"}


def test_the_classic_link_accounts_rule_links_through_the_bridge() -> None:
    """Auth0's gallery rule "Link Accounts with Same Email Address" (tests/node/rules/), run
    verbatim with ``require('request@2.56.0')`` installed from npm and ``auth0.baseUrl`` at the
    tenant's own domain; on a legacy tenant (search_engine v2) it links."""
    source = RULE.read_text()
    script = source[source.index("function(user") :]
    tenant = Tenant(search_engine="v2", rules=True)
    database = tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "c@example.com",
            "password": "Passw0rd!long",
            "email_verified": True,
        }
    )
    social = tenant.login(
        "google-oauth2", user_id="10101", profile={"email": "c@example.com", "email_verified": True}
    ).user
    result = run_rule(
        script,
        social.to_json(),
        {"clientID": tenant.management_client.client_id},
        auth0={
            "baseUrl": f"https://{tenant.domain}/api/v2",
            "accessToken": tenant.management_token(),
            "domain": tenant.domain,
        },
        configuration={},
        bridge=(tenant.domain, bridge_url(tenant)),
    )
    assert result.error is None, result.error
    assert result.output is not None
    assert result.output["context"]["primaryUser"] == database.user_id
    linked = tenant.get_user(database.user_id)
    assert [i.provider for i in linked.identities] == ["auth0", "google-oauth2"]
