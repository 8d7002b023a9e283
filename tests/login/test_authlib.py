"""Authlib, an OAuth 2.0 / OpenID Connect relying party used unmodified, as the judge of the
login flows: it builds the authorization URL (PKCE S256, ``nonce``), checks the ``state`` the
callback brings back, exchanges the code with each client authentication method, refreshes, calls
``/userinfo``; joserfc (Authlib's JOSE library) and Authlib's OpenID Connect claim rules validate
every ID token against the tenant's published keys: signature, ``iss``, ``aud``, ``exp``,
``nonce`` and ``at_hash`` (OpenID Connect Core 1.0, sections 3.1.3.7 and 3.2.2.11)."""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken, HybridIDToken, ImplicitIDToken
from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwk import KeySet

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from tests.login import browser as drive
from tests.login.conftest import API, CALLBACK, EMAIL, PASSWORD, SPA_CALLBACK, Apps

with warnings.catch_warnings():
    # Authlib's httpx integration announces a successor package on import; it works as it is.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client as HttpxOAuth2Client

pytestmark = pytest.mark.usefixtures("auth0_intercept")


def discovery(session: Any, tenant: Tenant) -> dict[str, Any]:
    response = session.request(
        "GET", tenant.base_url + "/.well-known/openid-configuration", withhold_token=True
    )
    assert response.status_code == 200
    return response.json()


def validate_id_token(
    session: Any,
    tenant: Tenant,
    client_id: str,
    id_token: str,
    *,
    nonce: str | None,
    access_token: str | None = None,
    implicit: bool = False,
    code: str | None = None,
) -> dict[str, Any]:
    """The relying party's checks of an ID token, with the keys of the tenant's JWKS."""
    metadata = discovery(session, tenant)
    keys = session.request("GET", metadata["jwks_uri"], withhold_token=True).json()
    decoded = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=["RS256"])
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    params: dict[str, Any] = {"nonce": nonce, "client_id": client_id}
    if access_token is not None:
        params["access_token"] = access_token
    claims_class: Any = ImplicitIDToken if implicit else CodeIDToken
    if code is not None:
        params["code"] = code
        claims_class = HybridIDToken
    claims = claims_class(decoded.claims, decoded.header, options, params)
    claims.validate(now=int(tenant.clock.time()), leeway=0)
    return dict(claims)


def web_session(apps: Apps, method: str, **kwargs: Any) -> OAuth2Session:
    return OAuth2Session(
        apps.web.client_id,
        apps.web.client_secret,
        scope="openid profile email offline_access",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        **kwargs,
    )


def code_login(session: Any, tenant: Tenant, **params: Any) -> tuple[str, str, str, str]:
    """Authorization URL → login page → callback: (callback URL, state, verifier, nonce)."""
    metadata = discovery(session, tenant)
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **params
    )
    answer = drive.login(session, tenant, url, EMAIL, PASSWORD)
    callback = drive.location(answer)
    assert callback is not None and callback.startswith(session.redirect_uri), answer.text
    return callback, state, verifier, nonce


def test_code_pkce_basic_auth_id_token_refresh_and_userinfo(apps: Apps) -> None:
    tenant = apps.tenant
    with web_session(apps, "client_secret_basic") as session:
        callback, state, verifier, nonce = code_login(session, tenant)
        token_url = discovery(session, tenant)["token_endpoint"]
        token = session.fetch_token(
            token_url, authorization_response=callback, state=state, code_verifier=verifier
        )
        assert token["token_type"] == "Bearer" and token["refresh_token"]
        claims = validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
        assert claims["sub"] == apps.user.user_id
        assert claims["email"] == EMAIL and claims["name"] == "Ada Lovelace"
        assert claims["at_hash"]

        # The same checks refuse what they should: another nonce, another audience.
        with pytest.raises(InvalidClaimError):
            validate_id_token(session, tenant, apps.web.client_id, token["id_token"], nonce="other")
        with pytest.raises(JoseError):
            validate_id_token(session, tenant, apps.spa.client_id, token["id_token"], nonce=nonce)

        refreshed = session.refresh_token(token_url)
        assert refreshed["access_token"] != token["access_token"]
        # A refreshed ID token answers no authentication request: no nonce to match.
        again = validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            refreshed["id_token"],
            nonce=None,
            access_token=refreshed["access_token"],
        )
        assert again["sub"] == claims["sub"] and "nonce" not in again

        info = session.get(discovery(session, tenant)["userinfo_endpoint"])
        assert info.status_code == 200
        assert info.json()["sub"] == apps.user.user_id
        assert info.json()["email"] == EMAIL


def test_a_forged_state_at_the_callback_is_refused_by_the_relying_party(apps: Apps) -> None:
    tenant = apps.tenant
    with web_session(apps, "client_secret_basic") as session:
        callback, _, verifier, _ = code_login(session, tenant)
        with pytest.raises(Exception, match="state"):
            session.fetch_token(
                tenant.base_url + "/oauth/token",
                authorization_response=callback,
                state="not-the-state-sent",
                code_verifier=verifier,
            )


def test_client_secret_post(apps: Apps) -> None:
    tenant = apps.tenant
    with web_session(apps, "client_secret_post") as session:
        callback, state, verifier, nonce = code_login(session, tenant, audience=API)
        token = session.fetch_token(
            tenant.base_url + "/oauth/token",
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
        # For an API, the access token is a JWT for it and for /userinfo (openid was asked).
        keys = KeySet.import_key_set(
            session.request(
                "GET", tenant.base_url + "/.well-known/jwks.json", withhold_token=True
            ).json()
        )
        access = jwt.decode(token["access_token"], keys, algorithms=["RS256"]).claims
        assert access["aud"] == [API, tenant.base_url + "/userinfo"]
        assert access["azp"] == apps.web.client_id and access["sub"] == apps.user.user_id
        assert session.get(tenant.base_url + "/userinfo").json()["sub"] == apps.user.user_id


def test_a_wrong_client_secret_is_refused(apps: Apps) -> None:
    tenant = apps.tenant
    with OAuth2Session(
        apps.web.client_id,
        "not-the-secret",
        scope="openid",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    ) as session:
        callback, state, verifier, _ = code_login(session, tenant)
        with pytest.raises(AuthlibOAuthError) as refused:
            session.fetch_token(
                tenant.base_url + "/oauth/token",
                authorization_response=callback,
                state=state,
                code_verifier=verifier,
            )
    assert refused.value.error == "access_denied"


def spa_client(apps: Apps) -> HttpxOAuth2Client:
    return HttpxOAuth2Client(
        apps.spa.client_id,
        scope="openid profile offline_access",
        redirect_uri=SPA_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )


def test_public_spa_with_pkce_and_no_secret_over_httpx(apps: Apps) -> None:
    tenant = apps.tenant
    with spa_client(apps) as client:
        callback, state, verifier, nonce = code_login(client, tenant)
        token = client.fetch_token(
            tenant.base_url + "/oauth/token",
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        claims = validate_id_token(
            client,
            tenant,
            apps.spa.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
        assert claims["sub"] == apps.user.user_id
        refreshed = client.refresh_token(tenant.base_url + "/oauth/token")
        assert refreshed["access_token"]
        assert client.get(tenant.base_url + "/userinfo").json()["sub"] == apps.user.user_id


def test_public_spa_cannot_redeem_a_code_without_its_verifier(apps: Apps) -> None:
    tenant = apps.tenant
    with spa_client(apps) as client:
        callback, state, _, _ = code_login(client, tenant)
        with pytest.raises(AuthlibOAuthError) as refused:
            client.fetch_token(
                tenant.base_url + "/oauth/token", authorization_response=callback, state=state
            )
    assert refused.value.error == "invalid_grant"


def test_implicit_id_token_token_in_the_fragment(apps: Apps, auth0_intercept: Interceptor) -> None:
    tenant = apps.tenant
    with OAuth2Session(
        apps.web.client_id,
        scope="openid profile email read:items",
        redirect_uri=CALLBACK,
        response_type="id_token token",
    ) as session:
        nonce = generate_token(16)
        url, state = session.create_authorization_url(
            tenant.base_url + "/authorize", nonce=nonce, audience=API
        )
        answer = drive.login(session, tenant, url, EMAIL, PASSWORD)
        callback = drive.location(answer)
        assert callback is not None and callback.startswith(CALLBACK + "#"), answer.text
        token = session.token_from_fragment(callback, state)
        assert "refresh_token" not in token and "code" not in token
        claims = validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
            implicit=True,
        )
        assert claims["sub"] == apps.user.user_id and claims["at_hash"]
        # An access token handed to the browser lives as long as the API's web lifetime.
        assert int(token["expires_in"]) == 7200
        assert token["scope"].split() == ["openid", "profile", "email", "read:items"]
        # A tampered access token no longer matches the ID token's at_hash.
        with pytest.raises(InvalidClaimError):
            validate_id_token(
                session,
                tenant,
                apps.web.client_id,
                token["id_token"],
                nonce=nonce,
                access_token=token["access_token"][:-2] + "xx",
                implicit=True,
            )


def test_hybrid_code_id_token_binds_the_code_with_c_hash(apps: Apps) -> None:
    tenant = apps.tenant
    with OAuth2Session(
        apps.web.client_id,
        apps.web.client_secret,
        scope="openid email",
        redirect_uri=CALLBACK,
        response_type="code id_token",
    ) as session:
        nonce = generate_token(16)
        url, state = session.create_authorization_url(tenant.base_url + "/authorize", nonce=nonce)
        answer = drive.login(session, tenant, url, EMAIL, PASSWORD)
        callback = drive.location(answer)
        assert callback is not None and callback.startswith(CALLBACK + "#"), answer.text
        front = dict(parse_qsl(urlsplit(callback).fragment))
        assert front["state"] == state
        claims = validate_id_token(
            session, tenant, apps.web.client_id, front["id_token"], nonce=nonce, code=front["code"]
        )
        assert claims["sub"] == apps.user.user_id and claims["c_hash"]
        with pytest.raises(InvalidClaimError):
            validate_id_token(
                session, tenant, apps.web.client_id, front["id_token"], nonce=nonce, code="other"
            )
        token = session.fetch_token(
            tenant.base_url + "/oauth/token", code=front["code"], grant_type="authorization_code"
        )
        back = validate_id_token(
            session,
            tenant,
            apps.web.client_id,
            token["id_token"],
            nonce=nonce,
            access_token=token["access_token"],
        )
        assert back["sub"] == claims["sub"]
