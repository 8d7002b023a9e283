"""The blocks brute-force protection leaves, and its settings, on the Management API.

``/user-blocks`` answers ``{"blocked_for": [{"identifier", "ip", "connection"}]}``, an empty
list when nothing is blocked (go-auth0's recording TestUserManager_Blocks,
https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestUserManager_Blocks.yaml;
the spec's ``UserBlockIdentifier``); both ``DELETE`` forms answer 204
(https://auth0.com/docs/api/management/v2/user-blocks/delete-user-blocks). The settings and
their defaults are those of https://auth0.com/docs/secure/attack-protection/brute-force-protection.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant
from fakeauth0.errors import OAuthError
from fakeauth0.intercept import Interceptor
from fakeauth0.server import FakeAuth0Server
from fakeauth0.snapshot import SeedError
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire
from tests.support import DB, PASSWORD, RawClient, assert_error

BLOCKS = "/api/v2/user-blocks"
SETTINGS = "/api/v2/attack-protection/brute-force-protection"
EMAIL = "grace@example.com"
ATTACKER = "203.0.113.7"


@pytest.fixture
def user_id(tenant: Tenant) -> str:
    """A database user with an e-mail and a username."""
    connection = tenant.connection(DB)
    tenant.update_connection(
        connection.id, {"options": {**connection.options, "requires_username": True}}
    )
    user = tenant.create_user(
        {"connection": DB, "email": EMAIL, "password": PASSWORD, "username": "grace"}
    )
    return user.user_id


def fail_logins(tenant: Tenant, times: int, ip: str = ATTACKER, **who: str) -> None:
    """``times`` wrong passwords from ``ip`` (through ``tenant.login``, one of the doors)."""
    who = who or {"email": EMAIL}
    for _ in range(times):
        with pytest.raises(OAuthError):
            tenant.login(DB, password="not-the-password", ip=ip, **who)


# -- user-blocks ------------------------------------------------------------------------------


def test_nothing_blocked_is_an_empty_list(raw: RawClient, user_id: str) -> None:
    """TestUserManager_Blocks: ``{"blocked_for":[]}`` for a user with no block."""
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}
    assert raw.get(BLOCKS, params={"identifier": EMAIL}).json() == {"blocked_for": []}


def test_a_block_shows_its_identifier_ip_and_connection(
    tenant: Tenant, raw: RawClient, user_id: str
) -> None:
    fail_logins(tenant, 10)
    expected = {"blocked_for": [{"identifier": EMAIL, "ip": ATTACKER, "connection": DB}]}
    assert raw.get(f"{BLOCKS}/{user_id}").json() == expected
    # The spec: the identifier is "any of a username, phone number, or email".
    for identifier in (EMAIL, EMAIL.upper(), "grace"):
        assert raw.get(BLOCKS, params={"identifier": identifier}).json() == expected


def test_under_the_threshold_nothing_is_blocked(
    tenant: Tenant, raw: RawClient, user_id: str
) -> None:
    fail_logins(tenant, 9)
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}


def test_unblock_by_id(tenant: Tenant, raw: RawClient, user_id: str) -> None:
    fail_logins(tenant, 10)
    deleted = raw.delete(f"{BLOCKS}/{user_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}
    assert tenant.login(DB, email=EMAIL, password=PASSWORD, ip=ATTACKER).user.user_id == user_id


def test_unblock_by_identifier(tenant: Tenant, raw: RawClient, user_id: str) -> None:
    fail_logins(tenant, 10, username="grace")
    assert raw.get(BLOCKS, params={"identifier": "grace"}).json()["blocked_for"] != []
    assert raw.delete(BLOCKS, params={"identifier": EMAIL}).status_code == 204
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}
    assert tenant.login(DB, username="grace", password=PASSWORD, ip=ATTACKER).user.user_id


def test_an_unknown_user_is_404_and_an_unknown_identifier_an_empty_list(
    raw: RawClient,
) -> None:
    """CHOICES.md "user-blocks: unknown user or identifier"."""
    assert_error(
        raw.get(f"{BLOCKS}/auth0|nobody"), 404, "The user does not exist.", "inexistent_user"
    )
    assert_error(raw.delete(f"{BLOCKS}/auth0|nobody"), 404, error_code="inexistent_user")
    assert raw.get(BLOCKS, params={"identifier": "nobody@example.com"}).json() == {
        "blocked_for": []
    }
    assert raw.delete(BLOCKS, params={"identifier": "nobody@example.com"}).status_code == 204


def test_the_identifier_is_required(raw: RawClient) -> None:
    """The spec: ``identifier`` is a required query parameter."""
    assert raw.get(BLOCKS).status_code == 400
    assert raw.delete(BLOCKS).status_code == 400


def test_scopes(raw: RawClient, user_id: str) -> None:
    """The spec: ``read:users`` to read blocks, ``update:users`` to remove them."""
    assert raw.get(f"{BLOCKS}/{user_id}", scopes=["update:users"]).status_code == 403
    assert raw.get(f"{BLOCKS}/{user_id}", scopes=["read:users"]).status_code == 200
    assert raw.delete(f"{BLOCKS}/{user_id}", scopes=["read:users"]).status_code == 403
    assert raw.delete(f"{BLOCKS}/{user_id}", scopes=["update:users"]).status_code == 204


def test_the_admin_block_flag_is_another_thing(
    tenant: Tenant, raw: RawClient, user_id: str
) -> None:
    """``blocked: true`` is the administrator's block; it does not show in user-blocks and
    unblocking there does not lift it
    (https://auth0.com/docs/manage-users/user-accounts/block-and-unblock-users)."""
    tenant.update_user(user_id, {"blocked": True})
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}
    assert raw.delete(f"{BLOCKS}/{user_id}").status_code == 204
    assert tenant.get_user(user_id).profile["blocked"] is True


def test_consider_brute_force_enablement(tenant: Tenant, raw: RawClient, user_id: str) -> None:
    """The spec: with ``consider_brute_force_enablement=true`` and the protection off, the list
    is empty; without it, the blocks kept are listed (CHOICES.md "brute force: disabled or
    allow-listed")."""
    fail_logins(tenant, 10)
    raw.patch(SETTINGS, json={"enabled": False})
    considered = {"consider_brute_force_enablement": "true"}
    assert raw.get(f"{BLOCKS}/{user_id}", params=considered).json() == {"blocked_for": []}
    assert raw.get(BLOCKS, params={"identifier": EMAIL, **considered}).json() == {"blocked_for": []}
    assert len(raw.get(f"{BLOCKS}/{user_id}").json()["blocked_for"]) == 1
    # Off, the address logs in.
    assert tenant.login(DB, email=EMAIL, password=PASSWORD, ip=ATTACKER).user.user_id


def test_account_lockout_mode_leaves_out_the_ip(
    tenant: Tenant, raw: RawClient, user_id: str
) -> None:
    """``count_per_identifier``: failures from any address count together and the block has no
    ``ip`` (the spec's ``blocked_for`` description)."""
    raw.patch(SETTINGS, json={"mode": "count_per_identifier", "max_attempts": 4})
    fail_logins(tenant, 2, ip="198.51.100.1")
    fail_logins(tenant, 2, ip="198.51.100.2")
    blocked = raw.get(f"{BLOCKS}/{user_id}").json()["blocked_for"]
    assert blocked == [{"identifier": EMAIL, "connection": DB}]
    with pytest.raises(OAuthError) as refused:
        tenant.login(DB, email=EMAIL, password=PASSWORD, ip="192.0.2.99")
    assert refused.value.status == 429


# -- brute-force protection settings ------------------------------------------------------------


def test_a_new_tenant_has_auth0s_defaults(raw: RawClient) -> None:
    """On, blocking and notifying, 10 attempts per identifier and IP, nothing allow-listed;
    the keys in the order a real tenant answers them (go-auth0 recording
    TestAttackProtection/Get_the_brute_force_configuration)."""
    got = raw.get(SETTINGS)
    assert got.status_code == 200
    assert list(got.json()) == ["enabled", "shields", "mode", "allowlist", "max_attempts"]
    assert got.json() == {
        "enabled": True,
        "shields": ["block", "user_notification"],
        "mode": "count_per_identifier_and_ip",
        "allowlist": [],
        "max_attempts": 10,
    }


def test_a_patch_changes_what_it_names(raw: RawClient) -> None:
    """terraform-provider-auth0's recording TestAccAttackProtectionBruteForceProtection: the
    PATCH answers the whole settings."""
    patched = raw.patch(SETTINGS, json={"shields": ["block"], "max_attempts": 5})
    assert patched.status_code == 200
    assert patched.json()["shields"] == ["block"] and patched.json()["max_attempts"] == 5
    assert patched.json()["enabled"] is True
    assert raw.get(SETTINGS).json() == patched.json()


def test_bad_settings_are_400(raw: RawClient) -> None:
    """The spec's enums and types."""
    assert raw.patch(SETTINGS, json={"mode": "per_moon_phase"}).status_code == 400
    assert raw.patch(SETTINGS, json={"shields": ["shout"]}).status_code == 400
    assert raw.patch(SETTINGS, json={"max_attempts": "ten"}).status_code == 400
    assert raw.patch(SETTINGS, json={"no_such": 1}).status_code == 400


def test_settings_scopes(raw: RawClient) -> None:
    assert raw.get(SETTINGS, scopes=["read:users"]).status_code == 403
    assert raw.get(SETTINGS, scopes=["read:attack_protection"]).status_code == 200
    refused = raw.patch(SETTINGS, json={"enabled": False}, scopes=["read:attack_protection"])
    assert refused.status_code == 403


def test_raising_the_threshold_lifts_the_blocks_under_it(
    tenant: Tenant, raw: RawClient, user_id: str
) -> None:
    """https://auth0.com/docs/secure/attack-protection/brute-force-protection: a block ends
    when the threshold is raised."""
    fail_logins(tenant, 10)
    raw.patch(SETTINGS, json={"max_attempts": 20})
    assert raw.get(f"{BLOCKS}/{user_id}").json() == {"blocked_for": []}
    assert tenant.login(DB, email=EMAIL, password=PASSWORD, ip=ATTACKER).user.user_id


def test_an_allow_listed_address_is_never_blocked(tenant: Tenant, raw: RawClient) -> None:
    raw.patch(SETTINGS, json={"allowlist": ["203.0.113.0/24"], "max_attempts": 2})
    tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    fail_logins(tenant, 5)
    assert tenant.login(DB, email=EMAIL, password=PASSWORD, ip=ATTACKER).user.user_id
    fail_logins(tenant, 2, ip="198.51.100.1")
    with pytest.raises(OAuthError):
        tenant.login(DB, email=EMAIL, password=PASSWORD, ip="198.51.100.1")


# -- the SDK as a client judges us -------------------------------------------------------------


def test_auth0_python_reads_and_removes_blocks(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``user_blocks.*`` and ``attack_protection.brute_force_protection.*``,
    over its own httpx client, intercepted to the tenant."""
    tenant = auth0_tenant
    user = tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    fail_logins(tenant, 10)
    mgmt = ManagementClient(domain=tenant.domain, token=tenant.management_token())
    listed = mgmt.user_blocks.list(user.user_id)
    assert listed.blocked_for is not None and len(listed.blocked_for) == 1
    assert (listed.blocked_for[0].identifier, listed.blocked_for[0].ip) == (EMAIL, ATTACKER)
    by_identifier = mgmt.user_blocks.list_by_identifier(identifier=EMAIL)
    assert by_identifier.blocked_for is not None and len(by_identifier.blocked_for) == 1
    mgmt.user_blocks.delete(user.user_id)
    assert mgmt.user_blocks.list(user.user_id).blocked_for == []
    fail_logins(tenant, 10)
    mgmt.user_blocks.delete_by_identifier(identifier=EMAIL)
    assert mgmt.user_blocks.list_by_identifier(identifier=EMAIL).blocked_for == []
    settings = mgmt.attack_protection.brute_force_protection.update(max_attempts=3)
    assert settings.max_attempts == 3 and settings.enabled is True
    assert mgmt.attack_protection.brute_force_protection.get().max_attempts == 3


# -- snapshots, seeds, reset, the state file ---------------------------------------------------


def test_a_snapshot_carries_blocks_and_settings_and_a_put_restores_them(
    tenant: Tenant, http: httpx.Client, raw: RawClient, user_id: str
) -> None:
    """CHOICES.md "brute force in seeds and snapshots"."""
    assert http.get("/_fake/snapshot").json()["brute_force"] == {}  # a new tenant's
    raw.patch(SETTINGS, json={"max_attempts": 3, "allowlist": ["10.0.0.1"]})
    fail_logins(tenant, 3)
    fail_logins(tenant, 1, ip="198.51.100.1")  # a count under the threshold is state too
    taken = http.get("/_fake/snapshot").json()
    assert taken["brute_force"]["settings"] == {"max_attempts": 3, "allowlist": ["10.0.0.1"]}
    assert len(taken["brute_force"]["failures"]) == 2
    raw.delete(f"{BLOCKS}/{user_id}")
    raw.patch(SETTINGS, json={"max_attempts": 10})
    assert http.put("/_fake/snapshot", json=taken).status_code == 200
    assert http.get("/_fake/snapshot").json() == taken
    assert raw.get(f"{BLOCKS}/{user_id}").json()["blocked_for"][0]["ip"] == ATTACKER
    # The count from the other address goes on where it was: two more failures block it.
    fail_logins(tenant, 2, ip="198.51.100.1")
    assert len(raw.get(f"{BLOCKS}/{user_id}").json()["blocked_for"]) == 2


def test_restoring_elsewhere_gives_the_same_blocks(tenant: Tenant, user_id: str) -> None:
    fail_logins(tenant, 10)
    before = tenant.snapshot()
    elsewhere = Tenant("elsewhere.example.com")
    elsewhere.restore(copy.deepcopy(before))
    assert elsewhere.user_blocks(user_id) == tenant.user_blocks(user_id) != []
    assert elsewhere.snapshot()["brute_force"] == before["brute_force"]


def test_reset_returns_to_the_seeds_blocks(tenant: Tenant, user_id: str) -> None:
    tenant.load_seed(tenant.snapshot())
    fail_logins(tenant, 10)
    tenant.update_brute_force_settings({"enabled": False})
    tenant.reset()
    assert tenant.user_blocks(user_id) == []
    assert tenant.get_brute_force_settings().enabled is True


def test_a_seed_without_brute_force_keeps_the_settings_and_drops_the_counts(
    tenant: Tenant, user_id: str
) -> None:
    tenant.update_brute_force_settings({"max_attempts": 4})
    fail_logins(tenant, 4)
    users = tenant.snapshot()["users"]
    tenant.restore({"users": users})
    assert tenant.get_brute_force_settings().max_attempts == 4
    assert tenant.user_blocks(user_id) == []


@pytest.mark.parametrize(
    ("brute_force", "named"),
    [
        ([], "must be an object"),
        ({"settings": {"mode": "sometimes"}}, "mode must be one of"),
        ({"settings": {"shields": ["shout"]}}, "shields may hold only"),
        ({"settings": {"max_attempts": "ten"}}, "max_attempts must be an integer"),
        ({"settings": {"colour": "red"}}, "colour"),
        ({"other": 1}, "unknown keys other"),
        (
            {
                "failures": [
                    {
                        "user_id": "auth0|ghost",
                        "ip": None,
                        "identifier": "g",
                        "connection": DB,
                        "count": 1,
                        "last": 0,
                    }
                ]
            },
            "not in the seed",
        ),
        ({"failures": [{"user_id": "auth0|x", "colour": "red"}]}, "colour"),
    ],
)
def test_a_seed_with_bad_brute_force_is_refused_whole(
    tenant: Tenant, brute_force: Any, named: str
) -> None:
    before = tenant.snapshot()
    with pytest.raises(SeedError, match=named):
        tenant.load_seed({"brute_force": brute_force, "users": []})
    assert tenant.snapshot() == before


def test_the_state_file_keeps_blocks_and_settings(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    user = tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, _ = wire.call("PATCH", SETTINGS, {"max_attempts": 2})
        assert status == 200
        fail_logins(tenant, 2)
        # The next write commits the counts with it.
        status, _ = wire.call("PATCH", SETTINGS, {"allowlist": ["10.0.0.1"]})
        assert status == 200
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert again.get_brute_force_settings().max_attempts == 2
    assert again.user_blocks(user.user_id) == [
        {"identifier": EMAIL, "ip": ATTACKER, "connection": DB}
    ]
