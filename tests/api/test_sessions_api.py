"""SSO sessions and refresh tokens on the Management API: ``/sessions/{id}``,
``/refresh-tokens/{id}`` and a user's lists of both
(docs/auth0-behaviour.md#sessions-and-refresh-tokens-on-the-management-api).

Auth0's documents: a session's id is the ``sid`` of its ID tokens, ``read:sessions`` /
``delete:sessions`` guard it
(https://auth0.com/docs/manage-users/sessions/manage-user-sessions-with-auth0-management-api);
refresh tokens are listed and deleted by id under ``read:refresh_tokens`` /
``delete:refresh_tokens``, and a deleted one no longer refreshes
(https://auth0.com/docs/secure/tokens/refresh-tokens/manage-refresh-tokens-with-auth0-management-api);
revoking a session also revokes the refresh tokens issued in it, deleting it does not
(https://auth0.com/docs/api/management/v2/sessions/revoke-session,
https://auth0.github.io/auth0-cli/auth0_sessions_revoke.html). The answers' shapes are the spec's
``SessionResponseContent`` / ``RefreshTokenResponseContent``, which the conformance check holds
every answer here to.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from fakeauth0 import Tenant
from tests.login import browser as drive
from tests.login.conftest import API, CALLBACK, EMAIL, PASSWORD, Apps, make_apps
from tests.support import DB, RawClient, assert_error

SCOPE = "openid profile email offline_access"


@pytest.fixture
def apps(tenant: Tenant) -> Apps:
    return make_apps(tenant)


@pytest.fixture
def browser(tenant: Tenant, http: httpx.Client) -> httpx.Client:
    """httpx on the tenant's app keeping cookies, as a browser does."""
    return http


def authorize(apps: Apps, **params: str) -> str:
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": SCOPE,
        "audience": API,
        "state": "s",
        **params,
    }
    return "/authorize?" + urlencode(query)


def log_in(apps: Apps, browser: httpx.Client) -> dict[str, Any]:
    """A login through the hosted page and the code exchange: the token response."""
    answer = drive.login(browser, apps.tenant, authorize(apps), EMAIL, PASSWORD)
    code = drive.callback_params(answer)["code"]
    body = {
        "grant_type": "authorization_code",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    tokens = browser.post("/oauth/token", json=body)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def sid_of(tokens: dict[str, Any]) -> str:
    return str(jwt.decode(tokens["id_token"], options={"verify_signature": False})["sid"])


def refresh(apps: Apps, browser: httpx.Client, token: str) -> httpx.Response:
    body = {
        "grant_type": "refresh_token",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "refresh_token": token,
    }
    return browser.post("/oauth/token", json=body)


def silent(apps: Apps, browser: httpx.Client) -> dict[str, str]:
    """``/authorize?prompt=none`` in the browser: what the callback receives."""
    answer = browser.get(authorize(apps, prompt="none", state="silent"))
    return drive.callback_params(answer)


def assert_invalid_grant(answer: httpx.Response) -> None:
    """A refresh token that no longer works: 403 ``invalid_grant``
    (https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens)."""
    assert answer.status_code == 403, answer.text
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token.",
    }


# -- what a login leaves, as the lists show it ------------------------------------------------


def test_a_login_shows_its_session_and_refresh_token(
    apps: Apps, browser: httpx.Client, raw: RawClient
) -> None:
    tokens = log_in(apps, browser)
    sid, user_id = sid_of(tokens), apps.user.user_id

    listed = raw.get(f"/api/v2/users/{user_id}/sessions")
    assert listed.status_code == 200, listed.text
    [session] = listed.json()["sessions"]
    assert "next" not in listed.json()
    assert session["id"] == sid and session["user_id"] == user_id
    assert session["clients"] == [{"client_id": apps.web.client_id}]
    assert session["authentication"]["methods"][0]["name"] == "pwd"
    assert session["created_at"] == session["authenticated_at"]
    one = raw.get(f"/api/v2/sessions/{sid}")
    assert one.status_code == 200 and one.json() == session

    listed = raw.get(f"/api/v2/users/{user_id}/refresh-tokens")
    assert listed.status_code == 200, listed.text
    [token] = listed.json()["tokens"]
    assert token["user_id"] == user_id and token["client_id"] == apps.web.client_id
    assert token["session_id"] == sid and token["rotating"] is False
    assert token["resource_servers"] == [{"audience": API, "scopes": SCOPE}]
    assert token["last_exchanged_at"] is None
    # An id of its own: the token's value is in no answer.
    assert tokens["refresh_token"] not in listed.text and token["id"] != tokens["refresh_token"]
    assert raw.get(f"/api/v2/refresh-tokens/{token['id']}").json() == token

    assert refresh(apps, browser, tokens["refresh_token"]).status_code == 200
    exchanged = raw.get(f"/api/v2/refresh-tokens/{token['id']}").json()
    assert exchanged["last_exchanged_at"] is not None


def test_a_programmatic_login_with_offline_access_is_listed(
    apps: Apps, tenant: Tenant, raw: RawClient
) -> None:
    """``tenant.login(audience=..., scope=... offline_access)`` opens a session as well."""
    result = tenant.login(
        DB, email=EMAIL, password=PASSWORD, client_id=apps.web.client_id, scope=SCOPE, audience=API
    )
    assert result.tokens is not None
    [session] = raw.get(f"/api/v2/users/{apps.user.user_id}/sessions").json()["sessions"]
    [token] = raw.get(f"/api/v2/users/{apps.user.user_id}/refresh-tokens").json()["tokens"]
    assert session["id"] == sid_of(result.tokens) == token["session_id"]


def test_lists_page_by_checkpoint(apps: Apps, tenant: Tenant, raw: RawClient) -> None:
    """``from``/``take`` and ``next`` (the spec's ``ListUserSessionsPaginatedResponseContent``)."""
    for _ in range(3):
        tenant.login(DB, email=EMAIL, password=PASSWORD, client_id=apps.web.client_id,
                     scope=SCOPE, audience=API)  # fmt: skip
    path = f"/api/v2/users/{apps.user.user_id}/sessions"
    first = raw.get(path, params={"take": 2, "include_totals": "true"}).json()
    assert len(first["sessions"]) == 2 and "next" in first
    rest = raw.get(path, params={"take": 2, "from": first["next"]}).json()
    assert len(rest["sessions"]) == 1 and "next" not in rest
    ids = [s["id"] for s in first["sessions"] + rest["sessions"]]
    assert len(set(ids)) == 3
    tokens = raw.get(f"/api/v2/users/{apps.user.user_id}/refresh-tokens", params={"take": 1})
    assert len(tokens.json()["tokens"]) == 1 and "next" in tokens.json()


# -- the effects of deleting and revoking ----------------------------------------------------


def test_a_deleted_session_no_longer_answers_silent_logins(
    apps: Apps, browser: httpx.Client, raw: RawClient
) -> None:
    """The session ends: ``prompt=none`` answers ``login_required``
    (https://auth0.com/docs/authenticate/login/configure-silent-authentication); its refresh
    token still refreshes, only revoke takes those."""
    tokens = log_in(apps, browser)
    assert "code" in silent(apps, browser)
    sid = sid_of(tokens)
    assert raw.delete(f"/api/v2/sessions/{sid}").status_code == 202
    assert silent(apps, browser)["error"] == "login_required"
    assert_error(
        raw.get(f"/api/v2/sessions/{sid}"), 404, "The session does not exist.", "inexistent_session"
    )
    assert refresh(apps, browser, tokens["refresh_token"]).status_code == 200


def test_revoking_a_session_takes_its_refresh_tokens(
    apps: Apps, browser: httpx.Client, raw: RawClient
) -> None:
    tokens = log_in(apps, browser)
    sid = sid_of(tokens)
    assert raw.post(f"/api/v2/sessions/{sid}/revoke").status_code == 202
    assert silent(apps, browser)["error"] == "login_required"
    assert_invalid_grant(refresh(apps, browser, tokens["refresh_token"]))
    assert raw.get(f"/api/v2/users/{apps.user.user_id}/refresh-tokens").json() == {"tokens": []}


def test_deleting_a_refresh_token_stops_it_refreshing(
    apps: Apps, browser: httpx.Client, raw: RawClient
) -> None:
    tokens = log_in(apps, browser)
    [token] = raw.get(f"/api/v2/users/{apps.user.user_id}/refresh-tokens").json()["tokens"]
    assert raw.delete(f"/api/v2/refresh-tokens/{token['id']}").status_code == 202
    assert_invalid_grant(refresh(apps, browser, tokens["refresh_token"]))
    assert_error(
        raw.get(f"/api/v2/refresh-tokens/{token['id']}"),
        404,
        "The refresh token does not exist.",
        "inexistent_refresh_token",
    )
    assert "code" in silent(apps, browser)  # the session is another thing


def test_deleting_a_users_sessions_and_refresh_tokens(
    apps: Apps, browser: httpx.Client, raw: RawClient
) -> None:
    tokens = log_in(apps, browser)
    user_id = apps.user.user_id
    assert raw.delete(f"/api/v2/users/{user_id}/sessions").status_code == 202
    assert raw.get(f"/api/v2/users/{user_id}/sessions").json() == {"sessions": []}
    assert silent(apps, browser)["error"] == "login_required"
    assert refresh(apps, browser, tokens["refresh_token"]).status_code == 200
    assert raw.delete(f"/api/v2/users/{user_id}/refresh-tokens").status_code == 202
    assert_invalid_grant(refresh(apps, browser, tokens["refresh_token"]))


def test_a_rotated_token_keeps_its_id(apps: Apps, browser: httpx.Client, raw: RawClient) -> None:
    """Rotation puts a new value in the old one's place; the API shows one token, ``rotating``
    (https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation)."""
    policy = {
        "rotation_type": "rotating",
        "expiration_type": "expiring",
        "token_lifetime": 86400,
        "infinite_token_lifetime": False,
        "idle_token_lifetime": 3600,
        "infinite_idle_token_lifetime": False,
    }
    apps.tenant.update_client(apps.web.client_id, {"refresh_token": policy})
    tokens = log_in(apps, browser)
    path = f"/api/v2/users/{apps.user.user_id}/refresh-tokens"
    [before] = raw.get(path).json()["tokens"]
    rotated = refresh(apps, browser, tokens["refresh_token"]).json()["refresh_token"]
    [after] = raw.get(path).json()["tokens"]
    assert after["id"] == before["id"] and after["rotating"] is True
    assert after["expires_at"] is not None and after["idle_expires_at"] is not None
    assert raw.delete(f"/api/v2/refresh-tokens/{after['id']}").status_code == 202
    assert_invalid_grant(refresh(apps, browser, rotated))


# -- unknown ids and scopes -------------------------------------------------------------------


def test_unknown_ids(raw: RawClient) -> None:
    """The spec's 404s: "The session does not exist." (get, revoke), "The refresh token does not
    exist." (get), "User not found" for a user's lists (Auth0's user 404 body); deleting an
    unknown session or refresh token is accepted (the spec lists no 404 there)."""
    assert_error(
        raw.get("/api/v2/sessions/nope"), 404, "The session does not exist.", "inexistent_session"
    )
    assert_error(
        raw.post("/api/v2/sessions/nope/revoke"),
        404,
        "The session does not exist.",
        "inexistent_session",
    )
    assert raw.delete("/api/v2/sessions/nope").status_code == 202
    assert_error(
        raw.get("/api/v2/refresh-tokens/nope"),
        404,
        "The refresh token does not exist.",
        "inexistent_refresh_token",
    )
    assert raw.delete("/api/v2/refresh-tokens/nope").status_code == 202
    for path in ("sessions", "refresh-tokens"):
        for method in ("GET", "DELETE"):
            answer = raw.request(method, f"/api/v2/users/auth0|nobody/{path}")
            assert_error(answer, 404, "The user does not exist.", "inexistent_user")


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v2/sessions/x", "read:sessions"),
        ("DELETE", "/api/v2/sessions/x", "delete:sessions"),
        ("GET", "/api/v2/users/auth0|x/sessions", "read:sessions"),
        ("DELETE", "/api/v2/users/auth0|x/sessions", "delete:sessions"),
        ("GET", "/api/v2/refresh-tokens/x", "read:refresh_tokens"),
        ("DELETE", "/api/v2/refresh-tokens/x", "delete:refresh_tokens"),
        ("GET", "/api/v2/users/auth0|x/refresh-tokens", "read:refresh_tokens"),
        ("DELETE", "/api/v2/users/auth0|x/refresh-tokens", "delete:refresh_tokens"),
        ("POST", "/api/v2/sessions/x/revoke", "delete:sessions,delete:refresh_tokens"),
    ],
)
def test_scopes(raw: RawClient, method: str, path: str, scope: str) -> None:
    """Another scope: 403 ``insufficient_scope``; the operation's own scope lets the call in
    (then it meets the unknown id)."""
    refused = raw.request(method, path, token=raw.token(["read:users"]))
    assert_error(
        refused, 403, f"Insufficient scope, expected any of: {scope}", "insufficient_scope"
    )
    allowed = raw.request(method, path, token=raw.token(scope.split(",")))
    assert allowed.status_code in (202, 404), allowed.text


# -- the official SDK as the judge --------------------------------------------------------------


def test_auth0_python_reads_and_deletes(
    apps: Apps, browser: httpx.Client, auth0_management: Any
) -> None:
    """auth0-python's ``sessions``, ``refresh_tokens``, ``users.sessions`` and
    ``users.refresh_token`` clients (https://github.com/auth0/auth0-python)."""
    tokens = log_in(apps, browser)
    user_id, sid = apps.user.user_id, sid_of(tokens)
    sessions = list(auth0_management.users.sessions.list(user_id))
    assert [s.id for s in sessions] == [sid]
    assert auth0_management.sessions.get(sid).user_id == user_id
    refresh_tokens = list(auth0_management.users.refresh_token.list(user_id))
    assert [t.session_id for t in refresh_tokens] == [sid]
    token_id = refresh_tokens[0].id
    assert auth0_management.refresh_tokens.get(token_id).client_id == apps.web.client_id

    auth0_management.refresh_tokens.delete(token_id)
    assert_invalid_grant(refresh(apps, browser, tokens["refresh_token"]))
    auth0_management.sessions.revoke(sid)
    assert silent(apps, browser)["error"] == "login_required"
    assert list(auth0_management.users.sessions.list(user_id)) == []
    auth0_management.users.sessions.delete(user_id)
    auth0_management.users.refresh_token.delete(user_id)


def test_expired_sessions_and_refresh_tokens_leave_the_lists(
    apps: Apps, tenant: Tenant, raw: RawClient
) -> None:
    """A session past the tenant's idle lifetime (72 hours by default,
    https://auth0.com/docs/manage-users/sessions/configure-session-lifetime-settings) and a
    refresh token past its idle lifetime are gone, from the lists and by id."""
    policy = {
        "rotation_type": "non-rotating",
        "expiration_type": "expiring",
        "token_lifetime": 30 * 86400,
        "idle_token_lifetime": 3600,
        "infinite_idle_token_lifetime": False,
    }
    tenant.update_client(apps.web.client_id, {"refresh_token": policy})
    result = tenant.login(
        DB, email=EMAIL, password=PASSWORD, client_id=apps.web.client_id, scope=SCOPE, audience=API
    )
    assert result.tokens is not None
    sid = sid_of(result.tokens)
    user_id = apps.user.user_id
    [token] = raw.get(f"/api/v2/users/{user_id}/refresh-tokens").json()["tokens"]
    tenant.clock.freeze()
    tenant.clock.advance(2 * 3600)
    assert raw.get(f"/api/v2/users/{user_id}/refresh-tokens").json() == {"tokens": []}
    assert raw.get(f"/api/v2/refresh-tokens/{token['id']}").status_code == 404
    assert raw.get(f"/api/v2/sessions/{sid}").status_code == 200
    tenant.clock.advance(72 * 3600)
    assert raw.get(f"/api/v2/users/{user_id}/sessions").json() == {"sessions": []}
    assert raw.get(f"/api/v2/sessions/{sid}").status_code == 404
