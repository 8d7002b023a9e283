"""The service's tests: interception lets it build its own client, unmodified."""

import pytest
from hypothesis import given, settings
from signup_service import Auth0Admin

from fakeauth0 import strategies as a0


@pytest.fixture
def admin(auth0_tenant, auth0_intercept):
    client = auth0_tenant.management_client
    return Auth0Admin(auth0_tenant.domain, client.client_id, client.client_secret)


def test_sign_up_creates_the_user(admin, auth0_tenant):
    user_id = admin.sign_up("New@Example.com", "Passw0rd!")
    assert auth0_tenant.get_user(user_id).email == "new@example.com"
    assert auth0_tenant.calls.operations() == ["oauth_token", "post_users"]


def test_seeded_user_is_there_and_duplicates_are_refused(admin):
    assert [u["email"] for u in admin.find("existing@example.com")] == ["existing@example.com"]
    with pytest.raises(ValueError, match="already registered"):
        admin.sign_up("existing@example.com", "Passw0rd!")


def test_every_test_starts_clean(admin, auth0_tenant):
    assert [u.email for u in auth0_tenant.list_users()] == ["existing@example.com"]


@pytest.mark.auth0(users=[])
def test_marker_empties_the_seed(admin):
    assert admin.find("existing@example.com") == []


@settings(max_examples=15, deadline=None)
@given(email=a0.emails(), password=a0.passwords())
def test_any_valid_sign_up_is_findable(auth0_fresh_tenant, email, password):
    # A new tenant per example: function-scoped fixtures would be shared by every example.
    with auth0_fresh_tenant() as tenant:
        client = tenant.management_client
        admin = Auth0Admin(tenant.domain, client.client_id, client.client_secret)
        user_id = admin.sign_up(email, password)
        assert [u["user_id"] for u in admin.find(email)] == [user_id]


@pytest.mark.parametrize("n", range(6))
def test_parallel_workers_each_have_their_own_tenants(admin, auth0_tenant, n):
    admin.sign_up(f"worker{n}@example.com", "Passw0rd!")
    assert len(auth0_tenant.users) == 2


def test_live_server_for_code_that_needs_a_url(auth0_server):
    import httpx

    assert httpx.get(auth0_server.url + "/.well-known/jwks.json").status_code == 200
    assert auth0_server.tenant.list_users()[0].email == "existing@example.com"
