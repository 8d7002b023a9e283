"""Search lag as a one-line option: the ``auth0`` marker, ``serve --search-lag``, and
``/_fake/search``. Auth0's user search is eventually consistent while reads by id are not
(https://auth0.com/docs/manage-users/user-search/user-search-best-practices); the fake answers
at once unless asked (CHOICES.md "search: eventual consistency")."""

from __future__ import annotations

from typing import Any

import pytest

from fakeauth0 import Tenant
from fakeauth0.cli import _parser, build_server
from tests.support import DB, PASSWORD


def _new_user(tenant: Tenant, email: str) -> str:
    user = tenant.create_user({"connection": DB, "email": email, "password": PASSWORD})
    return user.user_id


def _found(tenant: Tenant, email: str) -> int:
    return len(tenant.search_users(f'email:"{email}"').users)


@pytest.mark.auth0(search_lag=2)
def test_the_marker_makes_search_lag_on_the_tenant_clock(auth0_tenant: Tenant) -> None:
    auth0_tenant.clock.freeze()
    user_id = _new_user(auth0_tenant, "late@example.com")
    assert _found(auth0_tenant, "late@example.com") == 0
    assert auth0_tenant.get_user(user_id).user_id == user_id  # reads by id never lag
    auth0_tenant.clock.advance(2)
    assert _found(auth0_tenant, "late@example.com") == 1


def test_without_the_option_search_is_immediate(auth0_tenant: Tenant) -> None:
    _new_user(auth0_tenant, "now@example.com")
    assert _found(auth0_tenant, "now@example.com") == 1


def test_the_control_plane_sets_the_lag_and_reset_restores_it(http: Any) -> None:
    assert http.post("/_fake/search", json={"lag": 5}).json() == {"lag": 5.0}
    assert http.get("/_fake/search").json() == {"lag": 5.0}
    http.post("/_fake/reset")
    assert http.get("/_fake/search").json() == {"lag": 0.0}


@pytest.mark.parametrize(
    "body",
    [{"lag": -1}, {"lag": True}, {"lag": "2"}, {"lag": 10**9}, {"delay": 2}, {}],
    ids=repr,
)
def test_the_control_plane_refuses_a_lag_it_cannot_honour(http: Any, body: Any) -> None:
    response = http.post("/_fake/search", json=body)
    assert response.status_code == 400, response.text
    assert http.get("/_fake/search").json() == {"lag": 0.0}


def test_serve_takes_a_search_lag() -> None:
    args = _parser().parse_args(["serve", "--port", "0", "--search-lag", "3"])
    server = build_server(args)
    try:
        assert server.tenant.search_lag == 3.0
        server.tenant.search_lag = 0
        server.tenant.reset()
        assert server.tenant.search_lag == 3.0
    finally:
        server.close()
