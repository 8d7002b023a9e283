"""Account linking where production does it today: a post-login Action that finds the database
user with the same verified e-mail through node's ``auth0`` SDK, links the login's identity into
it and switches the subject with ``api.authentication.setPrimaryUser``
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
The SDK is installed from npm as the Action declares it and reaches the tenant at
``https://<domain>`` through its loopback bridge; the login goes through the hosted page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import jwt
import pytest

from fakeauth0 import Tenant, create_app
from tests.login import browser as drive
from tests.login.conftest import EMAIL, Apps, make_apps
from tests.login.test_login_flows import authorize, exchange

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
]

LINK_ACTION = """
const { ManagementClient } = require('auth0');

exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified || event.user.identities.length > 1) return;
  const management = new ManagementClient({
    domain: event.secrets.DOMAIN,
    clientId: event.secrets.CLIENT_ID,
    clientSecret: event.secrets.CLIENT_SECRET,
  });
  const { data: users } = await management.usersByEmail.getByEmail({ email: event.user.email });
  const others = users.filter((u) => u.user_id !== event.user.user_id && u.email_verified);
  if (others.length !== 1) return;
  const primary = others[0];
  const [provider, ...rest] = event.user.user_id.split('|');
  await management.users.link({ id: primary.user_id }, { provider, user_id: rest.join('|') });
  console.log(`linked ${event.user.user_id} into ${primary.user_id}`);
  api.authentication.setPrimaryUser(primary.user_id);
};
"""


@pytest.fixture
def apps() -> Apps:
    tenant = Tenant("linking.auth0.com")
    tenant.action_timeout = 20.0
    return make_apps(tenant)


@pytest.fixture
def page(apps: Apps) -> Iterator[httpx.Client]:
    transport = httpx.WSGITransport(app=create_app(apps.tenant))
    with httpx.Client(transport=transport, base_url=apps.tenant.base_url) as client:
        yield client


def test_a_post_login_action_links_a_social_login_into_the_database_user(
    apps: Apps, page: httpx.Client
) -> None:
    tenant = apps.tenant
    tenant.update_user(apps.user.user_id, {"email_verified": True})
    google = tenant.connection("google-oauth2")
    tenant.set_connection_clients(google.id, [{"client_id": apps.web.client_id, "status": True}])
    client = tenant.management_client
    tenant.add_action(
        LINK_ACTION,
        name="link-accounts",
        secrets={
            "DOMAIN": tenant.domain,
            "CLIENT_ID": client.client_id,
            "CLIENT_SECRET": client.client_secret,
        },
        dependencies=[{"name": "auth0", "version": "4.37.0"}],
    )
    login = drive.get(page, tenant, authorize(apps.web))
    button = page.post(
        str(login.url), data={"state": drive.page_state(login), "connection": google.name}
    )
    idp_page = drive.follow(page, tenant, button)
    form = {
        "state": drive.page_state(idp_page),
        "connection": google.name,
        "user_id": "30303",
        "email": EMAIL,
        "email_verified": "true",
    }
    got = drive.callback_params(drive.follow(page, tenant, page.post("/u/idp", data=form)))
    assert "code" in got, (got, [e.to_record() for e in tenant.executions])
    tokens = exchange(page, apps.web, got["code"]).json()
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["sub"] == apps.user.user_id
    primary = tenant.get_user(apps.user.user_id)
    assert [i.provider for i in primary.identities] == ["auth0", "google-oauth2"]
    assert (primary.identities[1].profile_data or {}).get("email") == EMAIL
    assert tenant.users.get("google-oauth2|30303") is None
    run = tenant.executions.latest()
    assert run is not None
    assert run.runs[0].logs == [f"linked google-oauth2|30303 into {apps.user.user_id}"]


def test_the_action_survives_a_429_on_its_management_api_call(
    apps: Apps, page: httpx.Client
) -> None:
    """A fault injected on the tenant (``tenant.faults``) reaches the Action's own Management
    API calls: node's ``auth0`` SDK "retries any request that returns an HTTP 429 response"
    (https://github.com/auth0/node-auth0/blob/v4.37.0/src/lib/retry.ts) and the login still
    links."""
    tenant = apps.tenant
    tenant.update_user(apps.user.user_id, {"email_verified": True})
    google = tenant.connection("google-oauth2")
    tenant.set_connection_clients(google.id, [{"client_id": apps.web.client_id, "status": True}])
    client = tenant.management_client
    tenant.add_action(
        LINK_ACTION,
        name="link-accounts",
        secrets={
            "DOMAIN": tenant.domain,
            "CLIENT_ID": client.client_id,
            "CLIENT_SECRET": client.client_secret,
        },
        dependencies=[{"name": "auth0", "version": "4.37.0"}],
    )
    rule = tenant.faults.add(operation="get_users-by-email", status=429, times=1)
    result = tenant.login(
        "google-oauth2", user_id="40404", profile={"email": EMAIL, "email_verified": True}
    )
    assert rule.spent
    assert result.user.user_id == apps.user.user_id
    assert [c.status for c in tenant.calls if c.operation == "get_users-by-email"] == [429, 200]
