"""Interception: code that builds its own httpx / requests / aiohttp clients reaches the fake."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator

import aiohttp
import httpx
import pytest
import requests

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor, UnservedRoute, intercept
from fakeauth0.server import FakeAuth0Server
from tests.support import DB, PASSWORD

pytest_plugins = ["pytester"]  # runs mini suites that load the plugin as users do


def bearer(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": "Bearer " + tenant.management_token()}


def token_form(tenant: Tenant) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": tenant.management_client.client_id,
        "client_secret": tenant.management_client.client_secret,
        "audience": tenant.management_audience,
    }


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[FakeAuth0Server]:
    """A real HTTP server on loopback: the "other host" that interception must leave alone."""
    with FakeAuth0Server(port=0) as server:
        yield server


def test_httpx_sync_calls_reach_the_tenant(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    with httpx.Client() as client:
        created = client.post(
            f"https://{auth0_tenant.domain}/api/v2/users",
            json={"connection": DB, "email": "a@b.co", "password": PASSWORD},
            headers=bearer(auth0_tenant),
        )
    assert created.status_code == 201
    assert [u.user_id for u in auth0_tenant.list_users()] == [created.json()["user_id"]]


def test_httpx_async_calls_reach_the_tenant(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(
                f"https://{auth0_tenant.domain}/oauth/token", data=token_form(auth0_tenant)
            )

    response = asyncio.run(fetch())
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    assert auth0_tenant.calls.operations() == ["oauth_token"]


def test_requests_calls_reach_the_tenant(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    response = requests.post(
        f"https://{auth0_tenant.domain}/api/v2/users",
        json={"connection": "email", "email": "x@y.io"},
        headers=bearer(auth0_tenant),
        timeout=5,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert auth0_tenant.list_users()[0].user_id == response.json()["user_id"]


def test_a_requests_session_keeps_every_cookie_the_tenant_sets(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    # A login answers with two Set-Cookie headers (auth0 and auth0_compat); a session must keep
    # both, or the browser-side flow through /authorize/resume loses its SSO session.
    client = auth0_tenant.create_client_from(
        {"name": "web", "app_type": "regular_web", "callbacks": ["https://app.example/cb"]}
    )
    auth0_tenant.create_user({"connection": DB, "email": "c@example.com", "password": PASSWORD})
    base = f"https://{auth0_tenant.domain}"
    with requests.Session() as session:
        page = session.get(
            base + "/authorize",
            params={"client_id": client.client_id, "response_type": "code", "scope": "openid"},
            timeout=5,
        )
        handle = page.url.split("state=", 1)[1]
        form = {"state": handle, "username": "c@example.com", "password": PASSWORD}
        answer = session.post(page.url, data=form, allow_redirects=False, timeout=5)
        assert answer.status_code == 302
        assert len(answer.raw.headers.getlist("Set-Cookie")) == 2
        assert {"auth0", "auth0_compat"} <= set(session.cookies.keys())
        resumed = session.get(base + answer.headers["Location"], allow_redirects=False, timeout=5)
    assert resumed.headers["Location"].startswith("https://app.example/cb?code=")


def test_aiohttp_calls_reach_the_tenant(auth0_tenant: Tenant, auth0_intercept: Interceptor) -> None:
    async def fetch() -> tuple[int, object, int, object]:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"https://{auth0_tenant.domain}/oauth/token", data=token_form(auth0_tenant)
            ) as token:
                token_body = await token.json()
            headers = {"Authorization": "Bearer " + token_body["access_token"]}
            async with session.post(
                f"https://{auth0_tenant.domain}/api/v2/users",
                json={"connection": "sms", "phone_number": "+15551234567"},
                headers=headers,
            ) as created:
                return token.status, token_body, created.status, await created.json()

    token_status, _, created_status, created = asyncio.run(fetch())
    assert (token_status, created_status) == (200, 201)
    assert created["user_id"].startswith("sms|")  # type: ignore[index]
    assert auth0_tenant.calls.operations() == ["oauth_token", "post_users"]


def test_aiohttp_needs_no_mocking_library(
    auth0_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip install fakeauth0 auth0-python`` brings aiohttp and nothing to mock it with."""
    monkeypatch.setitem(sys.modules, "aioresponses", None)  # import aioresponses fails

    async def fetch() -> tuple[int, object]:
        base = f"https://{auth0_tenant.domain}"
        query = {"email": "nobody@example.com"}
        async with (
            aiohttp.ClientSession(base_url=base) as session,  # relative URLs, params
            session.get("/api/v2/users-by-email", params=query, headers=bearer(auth0_tenant)) as r,
        ):
            return r.status, await r.json()

    with intercept(auth0_tenant):
        assert asyncio.run(fetch()) == (200, [])
    assert auth0_tenant.calls.matching(operation="get_users-by-email", status=200)


def test_the_sdks_aiohttp_verifier_fetches_the_tenants_keys(
    auth0_tenant: Tenant, auth0_intercept: Interceptor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """auth0-python's async ID-token verifier fetches the JWKS with aiohttp."""
    monkeypatch.setitem(sys.modules, "aioresponses", None)
    from auth0.authentication.async_token_verifier import AsyncAsymmetricSignatureVerifier

    login = auth0_tenant.login("google-oauth2", user_id="1001", profile={"email": "a@b.io"})
    verifier = AsyncAsymmetricSignatureVerifier(
        f"https://{auth0_tenant.domain}/.well-known/jwks.json"
    )
    claims = asyncio.run(verifier.verify_signature(login.id_token))
    assert claims["sub"] == login.user.user_id
    assert auth0_tenant.calls.operations() == ["jwks"]


def test_aiohttp_interceptors_nest(auth0_tenant: Tenant) -> None:
    other = Tenant("nested.auth0.com")

    async def status(tenant: Tenant) -> int:
        async with aiohttp.ClientSession() as session:
            url = f"https://{tenant.domain}/api/v2/users"
            async with session.get(url, headers=bearer(tenant)) as response:
                return response.status

    with intercept(auth0_tenant), intercept(other):
        assert asyncio.run(status(auth0_tenant)) == asyncio.run(status(other)) == 200
    assert len(auth0_tenant.calls) == len(other.calls) == 1


def test_official_sdk_runs_unmodified_token_fetch_included(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    from auth0.management import ManagementClient

    client = ManagementClient(
        domain=auth0_tenant.domain,
        client_id=auth0_tenant.management_client.client_id,
        client_secret=auth0_tenant.management_client.client_secret,
    )
    client.users.create(connection=DB, email="sdk@example.com", password=PASSWORD)
    assert [u.email for u in client.users.list()] == ["sdk@example.com"]
    assert auth0_tenant.calls.operations()[:2] == ["oauth_token", "post_users"]


def test_other_hosts_are_untouched(
    auth0_tenant: Tenant, auth0_intercept: Interceptor, elsewhere: FakeAuth0Server
) -> None:
    url = elsewhere.url + "/.well-known/jwks.json"
    assert httpx.get(url).json() == elsewhere.tenant.tokens.jwks()
    assert requests.get(url, timeout=5).json() == elsewhere.tenant.tokens.jwks()

    async def fetch() -> object:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return await response.json()

    assert asyncio.run(fetch()) == elsewhere.tenant.tokens.jwks()
    assert len(elsewhere.tenant.calls) == 3
    assert len(auth0_tenant.calls) == 0


@pytest.mark.parametrize("library", ["httpx", "requests", "aiohttp"])
def test_unserved_routes_on_the_tenant_domain_fail_loudly(
    auth0_tenant: Tenant, library: str
) -> None:
    url = f"https://{auth0_tenant.domain}/mfa/challenge?client_id=x"
    with (
        intercept(auth0_tenant) as interceptor,
        pytest.raises(UnservedRoute, match="/mfa/challenge"),
    ):
        if library == "httpx":
            httpx.get(url)
        elif library == "requests":
            requests.get(url, timeout=5)
        else:

            async def fetch() -> None:
                async with aiohttp.ClientSession() as session:
                    await session.get(url)

            asyncio.run(fetch())
    assert interceptor.unserved == [f"GET {url}"]


def test_a_swallowed_unserved_route_still_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def sign_up(domain):  # the code under test, which hides every error
            try:
                httpx.post(f"https://{domain}/mfa/associate")
            except Exception:
                pass

        def test_swallows(auth0_tenant, auth0_intercept):
            sign_up(auth0_tenant.domain)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*routes it does not serve: POST https://*/mfa/associate*"])


def test_an_unserved_route_the_test_expects_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from fakeauth0.intercept import UnservedRoute

        def test_expects_it(auth0_tenant, auth0_intercept):
            with pytest.raises(UnservedRoute, match="/mfa/associate"):
                httpx.post(f"https://{auth0_tenant.domain}/mfa/associate")

        @pytest.mark.auth0(strict=False)
        def test_not_strict(auth0_tenant, auth0_intercept):
            url = f"https://{auth0_tenant.domain}/mfa/associate"
            assert httpx.post(url).status_code == 404
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_two_tenants_in_one_test_do_not_see_each_other(
    auth0_tenant: Tenant,
    auth0_tenant_factory: Callable[[str], Tenant],
    auth0_intercept: Interceptor,
) -> None:
    other = auth0_tenant_factory("other.eu.auth0.com")
    auth0_intercept.add(other)
    body = {"connection": DB, "email": "same@example.com", "password": PASSWORD}
    for tenant in (auth0_tenant, other):
        url = f"https://{tenant.domain}/api/v2/users"
        assert httpx.post(url, json=body, headers=bearer(tenant)).status_code == 201
    assert len(auth0_tenant.users) == len(other.users) == 1
    assert auth0_tenant.list_users()[0].user_id != other.list_users()[0].user_id
    # A token from one tenant is refused by the other: separate keys, issuers and audiences.
    stolen = {"Authorization": "Bearer " + auth0_tenant.management_token()}
    refused = httpx.get(f"https://{other.domain}/api/v2/users", headers=stolen)
    assert refused.status_code == 401


def test_tenants_alive_at_once_never_share_a_signing_key() -> None:
    tenants = [Tenant("same.auth0.com") for _ in range(6)]
    keys = [t.tokens.key.public_key.public_numbers().n for t in tenants]
    assert len(set(keys)) == len(tenants)
    token = tenants[0].management_token()
    for other in tenants[1:]:
        with intercept(other):
            response = httpx.get(
                "https://same.auth0.com/api/v2/users", headers={"Authorization": "Bearer " + token}
            )
        assert response.status_code == 401


def test_a_recycled_key_does_not_accept_its_old_owners_tokens() -> None:
    from fakeauth0.tokens import KeyPool, SigningKey

    pool = KeyPool(size=0)
    first = Tenant("same.auth0.com")
    first.tokens.key = SigningKey("kid-1", "same.auth0.com", pool)
    token = first.management_token()
    numbers = first.tokens.key.public_key.public_numbers()
    del first
    import gc

    gc.collect()
    assert len(pool) == 1  # the dead tenant's key went back to the pool
    second = Tenant("same.auth0.com")
    second.tokens.key = SigningKey("kid-2", "same.auth0.com", pool)
    assert second.tokens.key.public_key.public_numbers() == numbers  # the same RSA key ...
    with intercept(second):
        response = httpx.get(
            "https://same.auth0.com/api/v2/users", headers={"Authorization": "Bearer " + token}
        )
    assert response.status_code == 401  # ... yet the old tenant's token is refused


def test_interceptors_nest_and_unwind() -> None:
    a, b = Tenant("a.auth0.com"), Tenant("b.auth0.com")
    original = httpx.HTTPTransport.handle_request
    with intercept(a), intercept(b):
        assert httpx.get("https://a.auth0.com/.well-known/jwks.json").json() == a.tokens.jwks()
        assert httpx.get("https://b.auth0.com/.well-known/jwks.json").json() == b.tokens.jwks()
    assert httpx.HTTPTransport.handle_request is original
    assert requests.Session.get_adapter is requests.Session.__dict__["get_adapter"]


def test_stopping_out_of_order_is_refused() -> None:
    outer = intercept(Tenant("a.auth0.com"), libraries=["httpx"]).start()
    inner = intercept(Tenant("b.auth0.com"), libraries=["httpx"]).start()
    with pytest.raises(RuntimeError, match="reverse order"):
        outer.stop()
    inner.stop()
    outer._undo.clear()
    inner_hook = httpx.HTTPTransport.__dict__["handle_request"]
    assert inner_hook.__name__ == "handle_request"


def test_decorator_form_works_on_sync_and_async_functions() -> None:
    tenant = Tenant("deco.auth0.com")
    url = "https://deco.auth0.com/.well-known/openid-configuration"

    @intercept(tenant)
    def sync_call() -> int:
        return httpx.get(url).status_code

    @intercept(tenant)
    async def async_call() -> int:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).status_code

    assert sync_call() == 200
    assert asyncio.run(async_call()) == 200
    assert len(tenant.calls) == 2
