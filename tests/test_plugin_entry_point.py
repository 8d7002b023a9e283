"""The plugin arrives through the ``pytest11`` entry point, with no conftest of ours."""

from importlib.metadata import entry_points

from fakeauth0 import Tenant


def test_plugin_is_registered_as_pytest11_entry_point() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("fakeauth0") == "conftest_plugin"


def test_auth0_tenant_fixture_hands_a_fresh_tenant(auth0_tenant: Tenant) -> None:
    assert isinstance(auth0_tenant, Tenant)
    assert auth0_tenant.domain == "fake-tenant.auth0.com"
    assert len(auth0_tenant.users) == 0
    auth0_tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "a@b.co",
            "password": "Pw1!aaaa",
        }
    )


def test_auth0_tenant_fixture_is_not_shared_between_tests(auth0_tenant: Tenant) -> None:
    # The previous test created a user; this one must not see it.
    assert len(auth0_tenant.users) == 0
