"""``/.well-known/openid-configuration`` lists exactly what the fake serves, in Auth0's names and
order (docs/auth0-behaviour.md#discovery): every endpoint it names answers, every grant type it
names is taken by the token endpoint, and the endpoints the fake lacks are left out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fakeauth0 import Tenant
from tests.login.support import CALLBACK, browser, get, web_app


@pytest.fixture
def config(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    return dict(response.json())


def endpoint_urls(config: dict[str, Any]) -> dict[str, str]:
    return {
        name: value
        for name, value in config.items()
        if name.endswith("_endpoint") or name == "jwks_uri"
    }


def test_fields_follow_auth0s_names_and_order(config: dict[str, Any]) -> None:
    # The order of a real tenant's document (docs/auth0-behaviour.md#discovery), less what the
    # fake does not serve; grant_types_supported, which Auth0 leaves out, where RFC 8414
    # section 2 puts it (CHOICES.md "discovery fields").
    assert list(config) == [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "revocation_endpoint",
        "scopes_supported",
        "response_types_supported",
        "code_challenge_methods_supported",
        "response_modes_supported",
        "grant_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
        "token_endpoint_auth_methods_supported",
        "claims_supported",
        "request_uri_parameter_supported",
        "request_parameter_supported",
        "end_session_endpoint",
    ]
    assert config["end_session_endpoint"] == "https://fake-tenant.auth0.com/oidc/logout"
    assert config["response_types_supported"] == [
        "code",
        "token",
        "id_token",
        "code token",
        "code id_token",
        "token id_token",
        "code token id_token",
    ]
    assert config["code_challenge_methods_supported"] == ["S256", "plain"]
    assert config["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]
    assert config["request_parameter_supported"] is False
    assert config["claims_supported"] == sorted(config["claims_supported"])
    for unserved in (
        "registration_endpoint",
        "device_authorization_endpoint",
        "mfa_challenge_endpoint",
        "backchannel_authentication_endpoint",
    ):
        assert unserved not in config


def test_every_listed_endpoint_is_served(config: dict[str, Any], http: httpx.Client) -> None:
    urls = endpoint_urls(config)
    assert len(urls) == 6
    for name, url in urls.items():
        assert url.startswith(config["issuer"]), name
        for method in ("GET", "POST"):
            status = http.request(method, url).status_code
            # 405: served, by the other method.
            assert status not in (404, 501), (name, method, status)


def test_every_listed_grant_type_is_taken_by_the_token_endpoint(
    tenant: Tenant, config: dict[str, Any], http: httpx.Client
) -> None:
    for grant_type in config["grant_types_supported"]:
        if grant_type == "implicit":
            continue  # an /authorize grant, below
        body = http.post("/oauth/token", json={"grant_type": grant_type}).json()
        assert body.get("error") != "unsupported_grant_type", (grant_type, body)
    client = web_app(tenant)
    query = {
        "client_id": client.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "id_token token",
        "nonce": "n",
    }
    response = get(browser(tenant), tenant, "/authorize", **query)
    assert response.status_code == 302 and response.headers["Location"].startswith("/u/login")


def test_listed_response_types_and_modes_are_taken_by_authorize(
    tenant: Tenant, config: dict[str, Any]
) -> None:
    client = web_app(tenant)
    tenant.update_client(client.client_id, {"web_origins": ["https://app.example.com"]})
    web = browser(tenant)
    for response_type in config["response_types_supported"]:
        for mode in config["response_modes_supported"]:
            query = {
                "client_id": client.client_id,
                "redirect_uri": CALLBACK,
                "response_type": response_type,
                "response_mode": mode,
                "nonce": "n",
            }
            response = get(web, tenant, "/authorize", **query)
            assert response.status_code == 302, (response_type, mode, response.text)
            assert response.headers["Location"].startswith("/u/login"), (response_type, mode)
