"""Auth0's published post-login Actions that manage the tenant, run as published: only the
placeholders the article asks to fill are filled. Their npm dependency is installed as the
article says (node's ``auth0`` SDK; the code calls the v3 client's ``assignRolestoUser``, so
v3 it is) and reaches the tenant through its bridge.
"""

from __future__ import annotations

import shutil

import pytest

from fakeauth0 import Tenant

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
]

#: "Add a Default Role to a New User on First Login"
#: (https://support.auth0.com/center/s/article/How-do-I-add-a-default-role-to-a-new-user-on-first-login),
#: as published but for its YOUR_ROLE_ID placeholder.
DEFAULT_ROLE = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.stats.logins_count !== 1) {
    return;
  }

  const ManagementClient = require('auth0').ManagementClient;

  const management = new ManagementClient({
      domain: event.secrets.domain,
      clientId: event.secrets.clientId,
      clientSecret: event.secrets.clientSecret,
  });

  const params = { id : event.user.user_id};
  const data = { "roles" : ["YOUR_ROLE_ID"]};

  try {
    const res = await management.assignRolestoUser(params, data)
  } catch (e) {
    console.log(e)
    // Handle error
  }
};
"""


def test_the_default_role_article_assigns_the_role_on_the_first_login_only() -> None:
    tenant = Tenant("roles.example.com")
    tenant.action_timeout = 20.0
    role = tenant.create_role("member")
    client = tenant.management_client
    tenant.add_action(
        DEFAULT_ROLE.replace("YOUR_ROLE_ID", role.id),
        name="default-role",
        secrets={
            "domain": tenant.domain,
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
        },
        dependencies=[{"name": "auth0", "version": "3.7.2"}],
    )
    first = tenant.login("google-oauth2", user_id="777", profile={"email": "new@example.com"})
    run = tenant.executions.latest()
    assert run is not None and run.runs[0].logs == [], run.runs[0].logs
    assert [r.id for r in tenant.user_roles(first.user.user_id)] == [role.id]
    tenant.remove_roles(first.user.user_id, [role.id])
    tenant.login("google-oauth2", user_id="777")
    assert tenant.user_roles(first.user.user_id) == []  # a second login assigns nothing
