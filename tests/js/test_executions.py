"""How one execution folds its actions' ``api`` calls into what the login applies, with a
scripted runner in place of node (docs/auth0-behaviour.md#post-login-actions): the chain stops at
the first denial or error, metadata is merged in order with ``null`` deleting, restricted claims
are dropped, ``setPrimaryUser`` discards the same action's ``user_metadata``
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
"""

from __future__ import annotations

from typing import Any

import pytest

from fakeauth0.errors import Auth0Error
from fakeauth0.executions import Bound, ExecutionLog, TokenChanges, allowed_claim, run_chain
from fakeauth0.js import RunResult, WorkerCrashed


def _bound(name: str) -> Bound:
    return Bound(name, name, f"v-{name}", f"// {name}", {"KEY": name}, ())


def _call(api: str, *args: Any) -> dict[str, Any]:
    return {"api": api, "args": list(args)}


def _chain(results: dict[str, RunResult | Exception]) -> Any:
    ran: list[str] = []

    def runner(code: str, event: Any, secrets: Any, timeout: float, **kw: Any) -> RunResult:
        name = code.removeprefix("// ")
        ran.append(name)
        assert secrets == {"KEY": name}
        outcome = results[name]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    execution = run_chain(
        [_bound(n) for n in results],
        {},
        runner,
        timeout=1.0,
        execution_id="e-1",
        trigger="post-login",
        user_id="auth0|1",
        client_id="c",
        connection="db",
        protocol="oidc-basic-profile",
    )
    return execution, ran


def test_the_chain_stops_at_a_denial_and_keeps_the_metadata_queued_before() -> None:
    execution, ran = _chain(
        {
            "a": RunResult(
                commands=[
                    _call("user.setAppMetadata", "plan", "pro"),
                    _call("user.setAppMetadata", "old", None),
                    _call("idToken.setCustomClaim", "https://app/x", 1),
                ]
            ),
            "b": RunResult(
                commands=[_call("user.setAppMetadata", "plan", "gold"), _call("access.deny", "no")]
            ),
            "c": RunResult(commands=[_call("user.setAppMetadata", "never", True)]),
        }
    )
    assert ran == ["a", "b"]
    assert execution.outcome.denied == "no"
    assert execution.outcome.app_metadata == {"plan": "gold", "old": None}
    assert execution.result == "denied"
    assert [r["action_name"] for r in execution.to_json()["results"]] == ["a", "b"]


def test_an_error_or_a_worker_that_died_fails_the_chain() -> None:
    execution, ran = _chain(
        {
            "a": RunResult(error={"name": "TypeError", "message": "x is undefined", "stack": ""}),
            "b": RunResult(),
        }
    )
    assert ran == ["a"] and execution.outcome.denied == "x is undefined"
    assert execution.to_json()["results"][0]["error"] == {
        "id": "TypeError",
        "msg": "x is undefined",
    }
    crashed, _ = _chain({"a": WorkerCrashed("the node worker ended while the action ran")})
    assert crashed.outcome.denied == "the node worker ended while the action ran"


def test_claims_scopes_and_the_primary_user() -> None:
    execution, _ = _chain(
        {
            "a": RunResult(
                commands=[
                    _call("idToken.setCustomClaim", "sub", "evil"),
                    _call("idToken.setCustomClaim", "https://auth0.com/x", 1),
                    _call("accessToken.setCustomClaim", "https://app/tier", "gold"),
                    _call("accessToken.addScope", "read:a"),
                    _call("accessToken.removeScope", "write:a"),
                    _call("user.setUserMetadata", "theme", "dark"),
                    _call("authentication.setPrimaryUser", "auth0|primary"),
                ]
            ),
            "b": RunResult(commands=[_call("accessToken.removeScope", "read:a")]),
        }
    )
    changes: TokenChanges = execution.outcome.tokens
    assert changes.id_token == {}
    assert changes.access_token == {"https://app/tier": "gold"}
    assert changes.scopes(["openid", "write:a"]) == ("openid",)
    assert execution.outcome.primary_user == "auth0|primary"
    assert execution.outcome.user_metadata == {}


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("https://app.example.com/roles", True),
        ("plan", True),
        ("nonce", False),
        ("org_id", False),
        ("https://webtask.io/x", False),
        ("urn:auth0:thing", False),
    ],
)
def test_allowed_claims(name: str, allowed: bool) -> None:
    """https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims"""
    assert allowed_claim(name) is allowed


def test_the_log_is_newest_first_and_answers_404_for_an_unknown_id() -> None:
    log = ExecutionLog()
    first, _ = _chain({"a": RunResult()})
    second, _ = _chain({"b": RunResult()})
    second.id = "e-2"
    log.add(first)
    log.add(second)
    assert [e.id for e in log] == ["e-2", "e-1"]
    assert log.latest() is second and log.get("e-1") is first
    with pytest.raises(Auth0Error) as missing:
        log.get("nope")
    assert missing.value.status == 404
