"""The official Python SDK's authentication half (auth0-python ``auth0.authentication``), used
unmodified over interception, as the judge of the token endpoint's login grants: the code
exchanges with and without PKCE, the password-realm grant, refresh, ``/userinfo`` and revoke, its
own ``TokenVerifier`` on every ID token, and its ``Auth0Error`` on each refusal Auth0 words
(https://auth0.com/docs/api/authentication; texts as the go-auth0 recordings of a real tenant
show them, https://github.com/auth0/go-auth0/tree/main/test/data/recordings/authentication)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from auth0.authentication import GetToken, RevokeToken, Users
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

from fakeauth0 import Client
from tests.login import browser as drive
from tests.login.conftest import CALLBACK, DB, EMAIL, PASSWORD, SPA_CALLBACK, Apps

pytestmark = pytest.mark.usefixtures("auth0_intercept")

PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def code_for(
    apps: Apps,
    session: httpx.Client,
    client: Client,
    redirect_uri: str,
    *,
    scope: str = "openid profile email offline_access",
    **params: str,
) -> str:
    """Log the user in through the login page; the code the callback receives."""
    query = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": "s-1",
        **params,
    }
    answer = drive.login(session, apps.tenant, "/authorize?" + urlencode(query), EMAIL, PASSWORD)
    got = drive.callback_params(answer)
    assert got["state"] == "s-1"
    return got["code"]


def verifier_for(apps: Apps, client: Client) -> TokenVerifier:
    tenant = apps.tenant
    keys = AsymmetricSignatureVerifier(tenant.base_url + "/.well-known/jwks.json")
    return TokenVerifier(keys, tenant.base_url + "/", client.client_id)


def web_sdk(apps: Apps) -> GetToken:
    return GetToken(apps.tenant.domain, apps.web.client_id, client_secret=apps.web.client_secret)


def refused(call: Any) -> Auth0Error:
    with pytest.raises(Auth0Error) as error:
        call()
    return error.value


def test_authorization_code_then_refresh_userinfo_and_revoke(
    apps: Apps, browser: httpx.Client
) -> None:
    sdk = web_sdk(apps)
    code = code_for(apps, browser, apps.web, CALLBACK, nonce="n-42")
    tokens = sdk.authorization_code(code, CALLBACK)
    assert {"access_token", "id_token", "refresh_token", "expires_in", "token_type"} <= set(tokens)
    claims = verifier_for(apps, apps.web).verify(tokens["id_token"], nonce="n-42")
    assert claims["sub"] == apps.user.user_id

    # The SDK sends an empty scope with every refresh: the grant's scopes stay as they were.
    refreshed = sdk.refresh_token(tokens["refresh_token"])
    assert refreshed["scope"] == tokens["scope"]
    assert verifier_for(apps, apps.web).verify(refreshed["id_token"])["sub"] == claims["sub"]

    profile = Users(apps.tenant.domain).userinfo(refreshed["access_token"])
    assert profile["sub"] == apps.user.user_id and profile["email"] == EMAIL

    revoker = RevokeToken(
        apps.tenant.domain, apps.web.client_id, client_secret=apps.web.client_secret
    )
    revoker.revoke_refresh_token(tokens["refresh_token"])
    error = refused(lambda: sdk.refresh_token(tokens["refresh_token"]))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Unknown or invalid refresh token."


def test_authorization_code_pkce_for_a_public_client(apps: Apps, browser: httpx.Client) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(
        apps,
        browser,
        apps.spa,
        SPA_CALLBACK,
        code_challenge=challenge_of(verifier),
        code_challenge_method="S256",
    )
    tokens = GetToken(apps.tenant.domain, apps.spa.client_id).authorization_code_pkce(
        verifier, code, SPA_CALLBACK
    )
    claims = verifier_for(apps, apps.spa).verify(tokens["id_token"])
    assert claims["sub"] == apps.user.user_id and claims["aud"] == apps.spa.client_id


def test_max_age_puts_auth_time_the_sdk_checks(apps: Apps, browser: httpx.Client) -> None:
    code = code_for(apps, browser, apps.web, CALLBACK, max_age="300")
    tokens = web_sdk(apps).authorization_code(code, CALLBACK)
    claims = verifier_for(apps, apps.web).verify(tokens["id_token"], max_age=300)
    assert abs(claims["auth_time"] - apps.tenant.clock.time()) < 5


def test_password_realm_login(apps: Apps) -> None:
    apps.tenant.update_client(
        apps.web.client_id, {"grant_types": ["authorization_code", "refresh_token", PASSWORD_REALM]}
    )
    tokens = web_sdk(apps).login(EMAIL, PASSWORD, realm=DB)
    # No scope asked: the password grants answer with the OpenID scopes (go-auth0 recording
    # TestOAuthLoginWithPassword).
    assert tokens["scope"] == "openid profile email address phone"
    claims = verifier_for(apps, apps.web).verify(tokens["id_token"])
    assert claims["sub"] == apps.user.user_id
    assert Users(apps.tenant.domain).userinfo(tokens["access_token"])["email"] == EMAIL


def test_password_realm_wrong_password(apps: Apps) -> None:
    apps.tenant.update_client(apps.web.client_id, {"grant_types": [PASSWORD_REALM]})
    error = refused(lambda: web_sdk(apps).login(EMAIL, "not-the-password", realm=DB))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Wrong email or password."


def test_password_realm_blocked_user(apps: Apps) -> None:
    # An administrator's block: 401 unauthorized "user is blocked"
    # (https://auth0.com/docs/api/authentication#resource-owner-password).
    apps.tenant.update_client(apps.web.client_id, {"grant_types": [PASSWORD_REALM]})
    apps.tenant.update_user(apps.user.user_id, {"blocked": True})
    error = refused(lambda: web_sdk(apps).login(EMAIL, PASSWORD, realm=DB))
    assert (error.status_code, error.error_code) == (401, "unauthorized")
    assert error.message == "user is blocked"


def test_a_code_works_once(apps: Apps, browser: httpx.Client) -> None:
    sdk = web_sdk(apps)
    code = code_for(apps, browser, apps.web, CALLBACK)
    sdk.authorization_code(code, CALLBACK)
    error = refused(lambda: sdk.authorization_code(code, CALLBACK))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Invalid authorization code"


def test_a_wrong_code_verifier(apps: Apps, browser: httpx.Client) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(
        apps,
        browser,
        apps.spa,
        SPA_CALLBACK,
        code_challenge=challenge_of(verifier),
        code_challenge_method="S256",
    )
    sdk = GetToken(apps.tenant.domain, apps.spa.client_id)
    error = refused(lambda: sdk.authorization_code_pkce("x" * 43, code, SPA_CALLBACK))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Failed to verify code verifier"


def test_a_bogus_refresh_token(apps: Apps) -> None:
    error = refused(lambda: web_sdk(apps).refresh_token("v1.not-a-token"))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Unknown or invalid refresh token."
