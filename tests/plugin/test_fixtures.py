"""The plugin's fixtures: a fresh tenant per test, configuration, clients, tokens, call log."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import requests

from fakeauth0 import Tenant
from tests.support import DB, PASSWORD

pytest_plugins = ["pytester"]  # runs mini suites that load the plugin as users do


def new_user(email: str = "ann@example.com") -> dict[str, str]:
    return {"connection": DB, "email": email, "password": PASSWORD}


def test_each_test_gets_a_fresh_tenant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_first(auth0_tenant):
            auth0_tenant.create_user({"connection": "Username-Password-Authentication",
                                      "email": "a@b.co", "password": "Passw0rd!"})
            assert len(auth0_tenant.users) == 1

        def test_second(auth0_tenant):
            assert len(auth0_tenant.users) == 0
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_config_fixtures_seed_every_tenant(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def auth0_domain():
            return "acme.eu.auth0.com"

        @pytest.fixture
        def auth0_connections():
            return [("github", "github"),
                    {"name": "staff", "strategy": "auth0", "options": {"passwordPolicy": "low"}}]

        @pytest.fixture
        def auth0_clients():
            return [{"name": "reader", "scopes": ["read:users"]}]

        @pytest.fixture
        def auth0_users():
            return [{"connection": "staff", "email": "boss@acme.io", "password": "secret"}]
        """
    )
    pytester.makepyfile(
        """
        def test_configured(auth0_tenant):
            assert auth0_tenant.domain == "acme.eu.auth0.com"
            assert {"github", "staff"} <= set(auth0_tenant.connections)
            assert [c.name for c in auth0_tenant.clients.values()][-1] == "reader"
            [user] = auth0_tenant.list_users()
            assert user.email == "boss@acme.io"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_marker_overrides_the_config_fixtures_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.auth0(domain="one.auth0.com", users=[
            {"connection": "email", "email": "x@y.io"}], seed=7)
        def test_marked(auth0_tenant):
            assert auth0_tenant.domain == "one.auth0.com"
            assert [u.user_id.split("|")[0] for u in auth0_tenant.list_users()] == ["email"]

        def test_unmarked(auth0_tenant):
            assert auth0_tenant.domain == "fake-tenant.auth0.com"
            assert auth0_tenant.list_users() == []

        @pytest.mark.auth0(colour="blue")
        def test_unknown_keyword(auth0_tenant):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*auth0 takes keywords*colour*"])


def test_seeded_tenants_hand_out_the_same_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        ids = []

        @pytest.mark.auth0(seed=42)
        @pytest.mark.parametrize("n", [1, 2])
        def test_seeded(auth0_tenant, n):
            ids.append(auth0_tenant.create_user({"connection": "email", "email": "a@b.co"}).user_id)
            if n == 2:
                assert ids[0] == ids[1]
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_httpx_client_reaches_the_tenant_with_an_all_scopes_token(
    auth0_tenant: Tenant, auth0_httpx: httpx.Client
) -> None:
    created = auth0_httpx.post("/api/v2/users", json=new_user())
    assert created.status_code == 201
    assert auth0_httpx.get(f"/api/v2/users/{created.json()['user_id']}").status_code == 200
    assert str(auth0_httpx.base_url).rstrip("/") == auth0_tenant.base_url


def test_requests_session_reaches_the_tenant(
    auth0_tenant: Tenant, auth0_requests: requests.Session
) -> None:
    created = auth0_requests.post(f"{auth0_tenant.base_url}/api/v2/users", json=new_user())
    assert created.status_code == 201, created.text
    found = auth0_requests.get("/api/v2/users-by-email", params={"email": "ann@example.com"})
    assert [u["user_id"] for u in found.json()] == [created.json()["user_id"]]
    assert auth0_requests.get("api/v2/users").json() == found.json()  # relative, as httpx joins


def test_token_factory_grants_only_the_chosen_scopes(
    auth0_tenant: Tenant, auth0_httpx: httpx.Client, auth0_token: Callable[..., str]
) -> None:
    reader = {"Authorization": "Bearer " + auth0_token("read:users")}
    assert auth0_httpx.get("/api/v2/users", headers=reader).status_code == 200
    refused = auth0_httpx.post("/api/v2/users", json=new_user(), headers=reader)
    assert refused.status_code == 403
    assert refused.json()["errorCode"] == "insufficient_scope"
    writer = {"Authorization": "Bearer " + auth0_token(["create:users"])}
    assert auth0_httpx.post("/api/v2/users", json=new_user(), headers=writer).status_code == 201


def test_official_sdk_client_is_wired_to_the_tenant(
    auth0_tenant: Tenant, auth0_management: object
) -> None:
    auth0_management.users.create(  # type: ignore[attr-defined]
        connection=DB, email="sdk@example.com", password=PASSWORD
    )
    assert [u.email for u in auth0_tenant.list_users()] == ["sdk@example.com"]


def test_call_log_records_what_the_tenant_served(
    auth0_tenant: Tenant, auth0_httpx: httpx.Client
) -> None:
    auth0_httpx.post("/api/v2/users", json=new_user())
    auth0_httpx.get("/api/v2/users/auth0|nobody")
    assert auth0_tenant.calls.operations() == ["post_users", "get_users_by_id"]
    assert [c.status for c in auth0_tenant.calls] == [201, 404]
    [missing] = auth0_tenant.calls.matching(status=404)
    assert (missing.method, missing.path) == ("GET", "/api/v2/users/auth0|nobody")
    assert auth0_tenant.calls.matching(method="post", operation="post_users")
    assert auth0_tenant.calls.last == missing


def test_tenant_factory_makes_isolated_tenants(
    auth0_tenant: Tenant, auth0_tenant_factory: Callable[[str], Tenant]
) -> None:
    other = auth0_tenant_factory("other.auth0.com")
    other.create_user(new_user())
    assert auth0_tenant.list_users() == []
    assert other.tokens.key.kid != auth0_tenant.tokens.key.kid
    with pytest.raises(ValueError, match="already has a tenant"):
        auth0_tenant_factory("other.auth0.com")


def test_a_bug_in_the_fake_fails_the_test_that_hit_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from fakeauth0 import Tenant

        def explode(self, *args, **kwargs):
            raise KeyError("boom inside the fake")

        def test_hits_bug(auth0_httpx, monkeypatch):
            monkeypatch.setattr(Tenant, "get_user", explode)
            assert auth0_httpx.get("/api/v2/users/auth0|x").status_code == 500

        @pytest.mark.auth0(server_errors="allow")
        def test_expects_500(auth0_httpx, monkeypatch):
            monkeypatch.setattr(Tenant, "get_user", explode)
            assert auth0_httpx.get("/api/v2/users/auth0|x").status_code == 500
        """
    )
    # In a subprocess: the outer suite may instrument the app (contract checks) in-process.
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*fakeauth0 raised while serving*", "*boom inside the fake*"])


def test_a_fresh_tenant_per_hypothesis_example(pytester: pytest.Pytester) -> None:
    """auth0_fresh_tenant passes Hypothesis's health checks with default settings and builds
    each example's tenant from the test's configuration fixtures and marker (no deadline: an
    example's time on a loaded machine says nothing of the fixture)."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def auth0_domain():
            return "per-example.eu.auth0.com"

        @pytest.fixture
        def auth0_users():
            return [{"connection": "email", "email": "seeded@example.com"}]
        """
    )
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from hypothesis import given, settings
        from fakeauth0 import strategies as a0

        seen = []  # the tenants themselves: a freed tenant's id() could be reused

        @settings(max_examples=10, deadline=None)
        @given(body=a0.database_user_bodies())
        def test_each_example_starts_clean(auth0_fresh_tenant, body):
            with auth0_fresh_tenant() as tenant:
                assert tenant.domain == "per-example.eu.auth0.com"
                assert [u.email for u in tenant.list_users()] == ["seeded@example.com"]
                headers = {"Authorization": "Bearer " + tenant.management_token()}
                url = f"https://{tenant.domain}/api/v2/users"
                assert httpx.post(url, json=body, headers=headers).status_code == 201
                seen.append(tenant)

        @pytest.mark.auth0(users=[], strict=False)
        @settings(max_examples=3, deadline=None)
        @given(email=a0.emails())
        def test_the_marker_applies(auth0_fresh_tenant, email):
            with auth0_fresh_tenant() as tenant:
                assert tenant.list_users() == []
                assert httpx.get(f"https://{tenant.domain}/nowhere").status_code == 404

        def test_every_example_had_its_own_tenant():
            assert len({id(tenant) for tenant in seen}) >= 10
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)
