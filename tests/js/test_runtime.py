"""The node runtime in isolation: a post-login Action run as Auth0 runs it, each ``api`` command
recorded in order (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object),
errors and timeouts as data, one long-lived worker that survives bad actions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from fakeauth0 import Tenant
from fakeauth0.js import NodeNotFound, NodeRuntime, RunResult, post_login_event
from fakeauth0.js.runtime import TIMEOUT_MESSAGE, find_node

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)


@pytest.fixture(scope="module")
def runtime() -> Iterator[NodeRuntime]:
    """One worker for the module, as one serves a whole test session."""
    worker = NodeRuntime()
    yield worker
    worker.close()


def _run(runtime: NodeRuntime, body: str, event: dict | None = None, **kwargs) -> RunResult:  # type: ignore[type-arg]
    code = f"exports.onExecutePostLogin = async (event, api) => {{ {body} }};"
    return runtime.run("post-login", code, event or {}, **kwargs)


def test_each_api_command_is_recorded_in_order(runtime: NodeRuntime) -> None:
    result = _run(
        runtime,
        """
        api.idToken.setCustomClaim('https://app/roles', ['admin']);
        api.accessToken.setCustomClaim('https://app/tier', 'gold');
        api.accessToken.addScope('read:reports').accessToken.removeScope('write:reports');
        api.user.setAppMetadata('plan', 'pro');
        api.user.setUserMetadata('theme', null);
        api.authentication.setPrimaryUser('auth0|primary');
        api.redirect.sendUserTo('https://example.com/consent', { query: { a: 1 } });
        """,
    )
    assert not result.failed
    assert [c["api"] for c in result.commands] == [
        "idToken.setCustomClaim",
        "accessToken.setCustomClaim",
        "accessToken.addScope",
        "accessToken.removeScope",
        "user.setAppMetadata",
        "user.setUserMetadata",
        "authentication.setPrimaryUser",
        "redirect.sendUserTo",
    ]
    assert result.id_token_claims == {"https://app/roles": ["admin"]}
    assert result.access_token_claims == {"https://app/tier": "gold"}
    assert result.app_metadata == {"plan": "pro"}
    assert result.user_metadata == {"theme": None}
    assert result.primary_user == "auth0|primary"
    assert result.calls("redirect.sendUserTo") == [
        ["https://example.com/consent", {"query": {"a": 1}}]
    ]


def test_deny_is_recorded_and_the_action_runs_on(runtime: NodeRuntime) -> None:
    """``api.access.deny`` marks the login denied; the Action itself continues, and the
    metadata it asked for is still applied (the post-login api object reference)."""
    result = _run(
        runtime, "api.access.deny('Not allowed'); api.user.setAppMetadata('tried', true);"
    )
    assert not result.failed
    assert result.denied == "Not allowed"
    assert result.app_metadata == {"tried": True}


def test_a_thrown_error_comes_back_as_data(runtime: NodeRuntime) -> None:
    result = _run(runtime, "api.user.setAppMetadata('a', 1); throw new Error('boom');")
    assert result.failed and result.error is not None
    assert result.error["name"] == "Error" and result.error_description == "boom"
    assert "action.js" in result.error["stack"]
    assert result.app_metadata == {"a": 1}


def test_a_syntax_error_comes_back_as_data(runtime: NodeRuntime) -> None:
    result = runtime.run("post-login", "exports.onExecutePostLogin = async (event, api) => {", {})
    assert result.failed and result.error is not None and result.error["name"] == "SyntaxError"


def test_a_missing_handler_is_named(runtime: NodeRuntime) -> None:
    result = runtime.run("post-login", "exports.somethingElse = 1;", {})
    assert result.error_description == "The action does not export onExecutePostLogin"


def test_a_pending_promise_times_out_and_the_worker_stays(runtime: NodeRuntime) -> None:
    pid = _run(runtime, "").duration_ms and runtime.pid
    result = _run(runtime, "await new Promise(() => {});", timeout=0.2)
    assert result.timed_out and result.error_description == TIMEOUT_MESSAGE
    assert runtime.pid == pid


def test_an_endless_loop_kills_the_worker_and_the_next_run_works(runtime: NodeRuntime) -> None:
    before = _run(runtime, "").duration_ms is not None and runtime.pid
    result = _run(runtime, "while (true) {}", timeout=0.2)
    assert result.timed_out and result.error_description == TIMEOUT_MESSAGE
    after = _run(runtime, "api.access.deny('still here');")
    assert after.denied == "still here"
    assert runtime.pid is not None and runtime.pid != before


def test_secrets_are_visible_in_event_secrets(runtime: NodeRuntime) -> None:
    result = _run(
        runtime,
        "api.idToken.setCustomClaim('k', event.secrets.API_KEY + ':' + event.user.email);",
        {"user": {"email": "a@example.com"}},
        secrets={"API_KEY": "s3cr3t"},
    )
    assert result.id_token_claims == {"k": "s3cr3t:a@example.com"}


def test_console_output_is_kept(runtime: NodeRuntime) -> None:
    result = _run(runtime, "console.log('user', event.user.id, { a: 1 });", {"user": {"id": "u1"}})
    assert result.logs == ["user u1 { a: 1 }"]


def test_mfa_is_refused_clearly(runtime: NodeRuntime) -> None:
    result = _run(runtime, "api.multifactor.enable('any');")
    assert result.failed
    assert result.error_description == (
        "api.multifactor.enable (MFA) is not modelled yet by fakeauth0"
    )


def test_require_of_an_undeclared_npm_module_is_refused_clearly(runtime: NodeRuntime) -> None:
    """Declared dependencies are installed (tests/js/test_dependencies.py); others are not."""
    undeclared = _run(runtime, "require('lodash');")
    assert "not among the script's dependencies" in (undeclared.error_description or "")
    builtin = _run(
        runtime, "api.idToken.setCustomClaim('n', require('crypto').randomUUID().length);"
    )
    assert builtin.id_token_claims == {"n": 36}


def test_actions_do_not_share_globals(runtime: NodeRuntime) -> None:
    _run(runtime, "globalThis.leaked = 1;")
    result = _run(runtime, "api.idToken.setCustomClaim('leaked', typeof leaked);")
    assert result.id_token_claims == {"leaked": "undefined"}


def test_a_hundred_runs_reuse_one_process(runtime: NodeRuntime) -> None:
    _run(runtime, "")
    pid = runtime.pid
    for n in range(100):
        result = _run(runtime, f"api.idToken.setCustomClaim('n', {n});")
        assert result.id_token_claims == {"n": n}
    assert runtime.pid == pid


def test_the_event_is_built_from_the_fakes_records(runtime: NodeRuntime) -> None:
    tenant = Tenant("events.example.com")
    user = tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "e@example.com",
            "password": "Passw0rd!x",
            "app_metadata": {"plan": "pro"},
        }
    )
    connection = tenant.connection("Username-Password-Authentication")
    event = post_login_event(user, connection, tenant.management_client, tenant_id="events")
    result = _run(
        runtime,
        "api.idToken.setCustomClaim('seen', [event.user.email, event.user.app_metadata.plan,"
        " event.connection.strategy, event.client.client_id, event.stats.logins_count,"
        " event.authentication.methods[0].name, event.transaction.protocol]);",
        event,
    )
    assert result.id_token_claims["seen"] == [
        "e@example.com",
        "pro",
        "auth0",
        tenant.management_client.client_id,
        0,
        "pwd",
        "oidc-basic-profile",
    ]


def test_a_missing_node_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKEAUTH0_NODE", "/no/such/node")
    with pytest.raises(NodeNotFound, match="FAKEAUTH0_NODE"):
        find_node()
    monkeypatch.delenv("FAKEAUTH0_NODE")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(NodeNotFound, match="install node and put it on PATH"):
        NodeRuntime().run("post-login", "", {})
