"""``fakeauth0 serve --action FILE``: the Action is created, deployed and bound at start, runs on
every login, and may call back into the tenant over HTTP while it runs (no lock is held), with
``--state`` too (docs/auth0-behaviour.md#post-login-actions)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from tests.server.serving import fail_to_start, serve
from tests.support import DB, PASSWORD

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)

#: Calls the tenant's control plane during the login: it would hang, then time out, if the
#: login held the tenant's lock.
CALLBACK_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  const answer = await fetch(`http://${event.request.hostname}/_fake/executions`);
  const body = await answer.json();
  api.idToken.setCustomClaim('https://app/earlier_executions', body.total);
  api.user.setAppMetadata('called_back', true);
};
"""


def _claims(token: str) -> dict:  # type: ignore[type-arg]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_an_action_from_the_command_line_runs_on_login_and_calls_back(tmp_path: Path) -> None:
    action = tmp_path / "call-back.js"
    action.write_text(CALLBACK_ACTION)
    served = serve("--action", f"{action}:post-login", "--state", str(tmp_path / "state.db"))
    try:
        auth = {"Authorization": "Bearer " + served.token()}
        status, created, _ = served.call(
            "POST",
            "/api/v2/users",
            {"connection": DB, "email": "ann@example.com", "password": PASSWORD},
            headers=auth,
        )
        assert status == 201, created
        for expected in (0, 1):
            status, login, _ = served.call(
                "POST", "/_fake/login", {"connection": DB, "email": "ann@example.com"}
            )
            assert status == 200, login
            assert _claims(login["id_token"])["https://app/earlier_executions"] == expected
        status, user, _ = served.call("GET", f"/api/v2/users/{created['user_id']}", headers=auth)
        assert user["app_metadata"] == {"called_back": True}
        status, bindings, _ = served.call(
            "GET", "/api/v2/actions/triggers/post-login/bindings", headers=auth
        )
        assert [b["display_name"] for b in bindings["bindings"]] == ["call-back"]
    finally:
        served.stop()


def test_an_unreadable_action_file_stops_the_start(tmp_path: Path) -> None:
    code, message = fail_to_start("--action", str(tmp_path / "missing.js"))
    assert code == 2
    assert "--action" in message and "missing.js" in message
