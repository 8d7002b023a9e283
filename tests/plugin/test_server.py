"""The live server fixture: one server per session, a clean tenant for every test."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]  # runs mini suites that load the plugin as users do


def test_live_server_is_shared_but_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        seen = {}

        def token(server):
            client = server.tenant.management_client
            response = httpx.post(server.url + "/oauth/token", data={
                "grant_type": "client_credentials", "client_id": client.client_id,
                "client_secret": client.client_secret,
                "audience": server.tenant.management_audience})
            return {"Authorization": "Bearer " + response.json()["access_token"]}

        def test_first(auth0_server):
            seen["url"], seen["tenant"] = auth0_server.url, auth0_server.tenant
            headers = token(auth0_server)
            created = httpx.post(auth0_server.url + "/api/v2/users", headers=headers, json={
                "connection": "email", "email": "a@b.co"})
            assert created.status_code == 201

        def test_second(auth0_server):
            assert auth0_server.url == seen["url"]  # the same server, started once
            assert auth0_server.tenant is not seen["tenant"]
            users = httpx.get(auth0_server.url + "/api/v2/users", headers=token(auth0_server))
            assert users.json() == []  # ... with a clean tenant
            # A token of the previous test's tenant no longer works.
            old = seen["tenant"].management_token()
            refused = httpx.get(auth0_server.url + "/api/v2/users",
                                headers={"Authorization": "Bearer " + old})
            assert refused.status_code == 401
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_live_server_tenant_follows_the_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.auth0(users=[{"connection": "email", "email": "seed@b.co"}])
        def test_seeded(auth0_server):
            host_port = auth0_server.url.removeprefix("http://")
            assert auth0_server.tenant.domain == host_port
            assert [u.email for u in auth0_server.tenant.list_users()] == ["seed@b.co"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_errors_in_the_server_thread_fail_the_test_that_caused_them(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import httpx
        from fakeauth0 import Tenant

        def explode(self, *args, **kwargs):
            raise RuntimeError("kaboom in the server thread")

        def test_causes_error(auth0_server, monkeypatch):
            monkeypatch.setattr(Tenant, "get_user", explode)
            token = auth0_server.tenant.management_token()
            response = httpx.get(auth0_server.url + "/api/v2/users/auth0|x",
                                 headers={"Authorization": "Bearer " + token})
            assert response.status_code == 500

        def test_next_one_is_clean(auth0_server):
            token = auth0_server.tenant.management_token()
            response = httpx.get(auth0_server.url + "/api/v2/users/auth0|x",
                                 headers={"Authorization": "Bearer " + token})
            assert response.status_code == 404
        """
    )
    # In a subprocess: the outer suite may instrument the app (contract checks) in-process.
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_causes_error*", "*fakeauth0 raised while serving*", "*kaboom in the server thread*"]
    )
