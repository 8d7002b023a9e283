"""The post-login ``event`` against Auth0's reference
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object):
``event.transaction`` and ``event.request`` as ``/authorize`` got them, the browser's
``User-Agent`` and language in ``event.request``, the first factor in
``event.authentication.methods``, ``event.session`` on a login answered from the SSO session,
``event.refresh_token`` on a refresh-token exchange (docs/auth0-behaviour.md#actions).
"""

from __future__ import annotations

import json
import shutil
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from werkzeug.test import Client as Browser

from fakeauth0 import Tenant, create_app

from . import browser as b
from .conftest import API, CALLBACK, DB, EMAIL, PASSWORD, Apps
from .test_post_login_actions import _code_flow, _exchange

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)

#: Logs the parts of the event under test, as JSON, for the test to read back.
SHOW_EVENT = """
exports.onExecutePostLogin = async (event, api) => {
  console.log(JSON.stringify({
    transaction: event.transaction,
    request: event.request,
    authentication: event.authentication,
    session: event.session ?? null,
    refresh_token: event.refresh_token ?? null,
    resource_server: event.resource_server ?? null,
    stats: event.stats,
    tenant: event.tenant,
  }));
};
"""


def _seen(tenant: Tenant) -> dict[str, Any]:
    """The event the latest execution's action logged."""
    execution = tenant.executions.latest()
    assert execution is not None
    run = execution.to_record()["actions"][0]
    assert run["error"] is None, run["error"]
    return json.loads(run["logs"][0])  # type: ignore[no-any-return]


@pytest.fixture
def apps(apps: Apps) -> Apps:
    apps.tenant.add_action(SHOW_EVENT)
    return apps


def test_transaction_and_request_are_the_authorize_requests(apps: Apps) -> None:
    """``event.transaction`` holds ``locale``, ``requested_scopes``, ``acr_values``,
    ``ui_locales`` (arrays), ``redirect_uri``, ``response_mode``, ``response_type``, ``state``,
    ``prompt``, ``login_hint``, ``protocol``; ``event.request.query`` "the query string
    parameters sent to the authorization request", custom ones included (the event object
    reference)."""
    tenant = apps.tenant
    _code_flow(
        tenant,
        apps,
        audience=API,
        acr_values="http://schemas.openid.net/pape/policies/2007/06/multi-factor",
        ui_locales="fr-CA en",
        login_hint="ada@example.com",
        prompt="login",
        response_mode="query",
        **{"ext-campaign": "spring"},
    )
    event = _seen(tenant)
    transaction, request = event["transaction"], event["request"]

    assert transaction["protocol"] == "oidc-basic-profile"
    assert transaction["locale"] == "en"
    assert transaction["requested_scopes"] == ["openid", "profile", "email"]
    assert transaction["acr_values"] == [
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
    ]
    assert transaction["ui_locales"] == ["fr-CA", "en"]
    assert transaction["login_hint"] == "ada@example.com"
    assert transaction["prompt"] == ["login"]
    assert transaction["response_mode"] == "query"
    assert transaction["response_type"] == ["code"]
    assert transaction["redirect_uri"] == CALLBACK
    assert transaction["state"] == "app-state"
    assert request["query"]["ext-campaign"] == "spring"
    assert request["query"]["client_id"] == apps.web.client_id
    assert request["query"]["audience"] == API
    assert request["hostname"] == tenant.domain
    assert event["resource_server"] == {"identifier": API}
    assert event["tenant"] == {"id": tenant.domain.split(".")[0]}
    assert event["authentication"]["methods"][0]["name"] == "pwd"
    assert event["stats"]["logins_count"] == 1


def test_a_login_without_acr_values_or_ui_locales_has_empty_arrays(apps: Apps) -> None:
    """``acr_values`` and ``ui_locales`` are arrays the reference always lists; the token
    endpoint's query is empty."""
    tenant = apps.tenant
    tenant.login_as(apps.user.user_id, client_id=apps.web.client_id)
    event = _seen(tenant)
    assert event["transaction"]["acr_values"] == []
    assert event["transaction"]["ui_locales"] == []
    assert event["transaction"]["locale"] == "en"
    assert event["request"]["query"] == {}
    assert event["session"] is None


def test_an_sso_answer_shows_the_session_and_when_it_authenticated(apps: Apps) -> None:
    """On an ``/authorize`` answered from the SSO session, ``event.session.id`` is the session
    (the ID token's ``sid``), and ``event.authentication.methods`` say what its login
    completed and when, not now."""
    tenant = apps.tenant
    tenant.clock.freeze(1_900_000_000)
    web, callback = _code_flow(tenant, apps)
    sid = jwt.decode(
        _exchange(tenant, apps, web, callback)["id_token"], options={"verify_signature": False}
    )["sid"]
    first = _seen(tenant)["authentication"]["methods"]

    tenant.clock.advance(600)
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "state": "again",
    }
    answer = web.get("/authorize", query_string=query, base_url=tenant.base_url)
    assert answer.status_code == 302
    assert "code" in parse_qs(urlsplit(answer.headers["Location"]).query)
    event = _seen(tenant)

    assert event["session"]["id"] == sid
    assert event["session"]["user_id"] == apps.user.user_id
    assert event["session"]["authenticated_at"] == "2030-03-17T17:46:40.000Z"
    assert event["authentication"]["methods"] == first
    assert first == [{"name": "pwd", "timestamp": "2030-03-17T17:46:40.000Z"}]
    assert event["stats"]["logins_count"] == 1


def test_a_refresh_token_exchange_shows_the_refresh_token(apps: Apps) -> None:
    """On a refresh-token exchange, ``event.refresh_token`` is the token being exchanged
    (``id``, ``client_id``, ``rotating``, ``resource_servers``, ``session_id``...), never its
    value, and ``event.session`` the session of the login that issued it."""
    tenant = apps.tenant
    web, callback = _code_flow(tenant, apps, audience=API, scope="openid offline_access")
    tokens = _exchange(tenant, apps, web, callback)
    body = {
        "grant_type": "refresh_token",
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "refresh_token": tokens["refresh_token"],
    }
    headers = {"User-Agent": "backend/2.0", "Accept-Language": "it"}
    answer = Browser(web.application).post(
        "/oauth/token", json=body, headers=headers, base_url=tenant.base_url
    )
    assert answer.status_code == 200, answer.text
    event = _seen(tenant)
    shown = event["refresh_token"]
    request = event["request"]
    assert (request["method"], request["user_agent"], request["language"]) == (
        "POST",
        "backend/2.0",
        "it",
    )

    assert event["transaction"]["protocol"] == "oauth2-refresh-token"
    assert shown["client_id"] == apps.web.client_id
    assert shown["user_id"] == apps.user.user_id
    assert shown["resource_servers"] == [{"audience": API, "scopes": "openid offline_access"}]
    assert shown["id"] in {token["id"] for token in _refresh_tokens(tenant, apps)}
    assert tokens["refresh_token"] not in json.dumps(event)
    assert event["session"]["id"] == shown["session_id"]


def _refresh_tokens(tenant: Tenant, apps: Apps) -> list[dict[str, Any]]:
    return tenant.user_refresh_tokens(apps.user.user_id)  # type: ignore[no-any-return]


def test_a_passwordless_login_completes_the_email_factor(apps: Apps) -> None:
    """``email``: "A Passwordless Email connection was used to authenticate the user as the
    first factor" (``event.authentication.methods[].name``)."""
    tenant = apps.tenant
    tenant.update_connection(
        tenant.connections["email"].id, {"enabled_clients": [apps.web.client_id]}
    )
    tenant.login("email", email="grace@example.com", client_id=apps.web.client_id)
    assert _seen(tenant)["authentication"]["methods"][0]["name"] == "email"


# -- event.request: the browser's request -----------------------------------------------------

#: A browser's headers: its User-Agent, and languages whose weights put Canadian French first.
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HEADERS = {"User-Agent": FIREFOX, "Accept-Language": "en;q=0.5, fr-CA, fr;q=0.8"}


def _authorize_url(apps: Apps, state: str = "app-state") -> str:
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "state": state,
    }
    return "/authorize?" + urlencode(query)


def _browser(tenant: Tenant, headers: dict[str, str]) -> httpx.Client:
    transport = httpx.WSGITransport(app=create_app(tenant))
    return httpx.Client(transport=transport, base_url=tenant.base_url, headers=headers)


def test_a_login_page_login_carries_the_browser_s_user_agent_and_language(apps: Apps) -> None:
    """``event.request.user_agent`` is "the value of the User-Agent header received when
    initiating the transaction", ``language`` "the language requested by the browser"
    (its ``Accept-Language``, by weight: https://community.auth0.com/t/difference-between-localization-parameters-in-actions/130288),
    its primary subtag as Auth0's examples key messages by ``en``, ``es``
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger);
    ``method`` the authorization request's, ``hostname`` the tenant's domain."""
    tenant = apps.tenant
    with _browser(tenant, HEADERS) as browser:
        landed = b.login(browser, tenant, _authorize_url(apps), EMAIL, PASSWORD)
    assert "code" in b.callback_params(landed)
    request = _seen(tenant)["request"]
    assert request["user_agent"] == FIREFOX
    assert request["language"] == "fr"
    assert request["method"] == "GET"
    assert request["hostname"] == tenant.domain
    assert request["query"]["state"] == "app-state"


def test_an_sso_answer_carries_the_request_that_asked(apps: Apps) -> None:
    """The SSO session answers ``/authorize`` with the trigger run again: ``event.request`` is
    this request's, not the first login's."""
    tenant = apps.tenant
    with _browser(tenant, HEADERS) as browser:
        b.login(browser, tenant, _authorize_url(apps), EMAIL, PASSWORD)
        again = {"User-Agent": "Safari/605.1.15", "Accept-Language": "es-419,es;q=0.9"}
        answer = b.get(browser, tenant, _authorize_url(apps, "again"), headers=again)
    assert b.callback_params(answer)["state"] == "again"
    request = _seen(tenant)["request"]
    assert (request["user_agent"], request["language"]) == ("Safari/605.1.15", "es")
    assert request["query"]["state"] == "again"


def test_a_browser_that_names_no_language_leaves_language_out(apps: Apps) -> None:
    """``event.request.language`` is optional in the reference: a request without
    ``Accept-Language`` (or with only ``*``) has none."""
    tenant = apps.tenant
    with _browser(tenant, {"User-Agent": FIREFOX, "Accept-Language": "*"}) as browser:
        b.login(browser, tenant, _authorize_url(apps), EMAIL, PASSWORD)
    request = _seen(tenant)["request"]
    assert "language" not in request and request["user_agent"] == FIREFOX


def test_the_password_grant_is_a_post_with_its_client_s_headers(apps: Apps) -> None:
    """``/oauth/token`` is a ``POST`` (``event.request.method``: "the HTTP method used for the
    request"); the app's ``User-Agent`` and ``Accept-Language`` are the event's."""
    tenant = apps.tenant
    realm = "http://auth0.com/oauth/grant-type/password-realm"
    tenant.update_client(apps.web.client_id, {"grant_types": [realm]})
    body = {
        "grant_type": realm,
        "realm": DB,
        "client_id": apps.web.client_id,
        "client_secret": apps.web.client_secret,
        "username": EMAIL,
        "password": PASSWORD,
        "scope": "openid",
    }
    with _browser(tenant, {"User-Agent": "backend/2.0", "Accept-Language": "de-DE"}) as app:
        answer = app.post("/oauth/token", data=body)
    assert answer.status_code == 200, answer.text
    request = _seen(tenant)["request"]
    assert (request["method"], request["user_agent"], request["language"]) == (
        "POST",
        "backend/2.0",
        "de",
    )
