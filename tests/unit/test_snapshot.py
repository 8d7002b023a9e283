"""Snapshots and seeds: a snapshot is a valid seed, the round trip is exact, bad seeds fail."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeauth0 import Tenant
from fakeauth0.snapshot import SeedError
from tests.support import DB, PASSWORD

names = st.text("abcdefghij", min_size=1, max_size=8)
metadata = st.dictionaries(names, st.one_of(st.integers(), names, st.booleans()), max_size=3)


@st.composite
def populated_tenants(draw: st.DrawFn) -> Tenant:
    """A tenant after a random mix of creates, social logins, metadata edits and links."""
    tenant = Tenant("snap.example.com", seed=draw(st.integers(0, 10**6)))
    tenant.create_connection("github", "github")
    db_ids: list[str] = []
    social: list[tuple[str, str]] = []
    for i, kind in enumerate(draw(st.lists(st.sampled_from(["db", "social"]), max_size=8))):
        if kind == "db":
            fields: dict[str, Any] = {
                "connection": DB,
                "email": f"{draw(names)}{i}@example.com",
                "password": PASSWORD,
                "user_metadata": draw(metadata),
                "app_metadata": draw(metadata),
            }
            db_ids.append(tenant.create_user(fields).user_id)
        else:
            connection = draw(st.sampled_from(["github", "google-oauth2"]))
            bare = str(draw(st.integers(1, 10**9)))
            if tenant.users.owner_of(connection, bare) is None:
                tenant.add_social_user(connection, bare, {"name": draw(names)})
                social.append((connection, bare))
    for connection, bare in social:
        if db_ids and draw(st.booleans()):
            tenant.link(draw(st.sampled_from(db_ids)), connection, bare)
    return tenant


@given(populated_tenants())
def test_restoring_a_snapshot_gives_the_same_snapshot(tenant: Tenant) -> None:
    before = tenant.snapshot()
    elsewhere = Tenant("other.example.com")
    elsewhere.restore(copy.deepcopy(before))
    after = elsewhere.snapshot()
    assert after == {**before, "domain": "other.example.com"}
    tenant.restore(copy.deepcopy(before))  # onto itself: nothing changes
    assert tenant.snapshot() == before


def test_a_restored_linked_user_keeps_its_password_and_identities() -> None:
    tenant = Tenant("a.example.com")
    tenant.create_connection("github", "github")
    ann = tenant.create_user({"connection": DB, "email": "ann@example.com", "password": PASSWORD})
    tenant.add_social_user("github", "42", {"name": "Ann GH"})
    tenant.link(ann.user_id, "github", "42")
    copy_ = Tenant("b.example.com")
    copy_.restore(tenant.snapshot())
    restored = copy_.get_user(ann.user_id)
    assert [i.key for i in restored.identities] == [
        ("auth0", ann.primary.user_id),
        ("github", "42"),
    ]
    assert copy_.users.owner_of("github", "42") is restored
    assert restored.password_hash == tenant.get_user(ann.user_id).password_hash


def _seed(*users: dict[str, Any]) -> dict[str, Any]:
    return {"users": list(users)}


def _db_user(bare: str, **extra: Any) -> dict[str, Any]:
    return {
        "user_id": f"auth0|{bare}",
        "identities": [{"connection": DB, "provider": "auth0", "user_id": bare}],
        **extra,
    }


@pytest.mark.parametrize(
    ("seed", "user", "rule"),
    [
        (
            _seed(
                {
                    "user_id": "auth0|x",
                    "identities": [{"connection": "nope", "provider": "auth0", "user_id": "x"}],
                }
            ),
            "auth0|x",
            "connection 'nope', which does not exist",
        ),
        (_seed(_db_user("x") | {"user_id": "auth0|y"}), "auth0|y", "provider|user_id"),
        (_seed(_db_user("x"), _db_user("x")), "auth0|x", "appears twice"),
        (
            _seed(_db_user("a", email="s@example.com"), _db_user("b", email="s@example.com")),
            "auth0|b",
            "its email is already used in connection",
        ),
        (_seed(_db_user("x", email="Caps@Example.com")), "auth0|x", "lower case"),
        (_seed(_db_user("x", password="a")), "auth0|x", "'good' policy"),
        (_seed(_db_user("x", username="ann")), "auth0|x", "requires_username"),
        (_seed(_db_user("x", app_metadata={"email": 1})), "auth0|x", "Reserved key email"),
        (
            _seed(
                {
                    "user_id": "google-oauth2|1",
                    "identities": [
                        {"connection": "google-oauth2", "provider": "github", "user_id": "1"}
                    ],
                }
            ),
            "google-oauth2|1",
            "does not match connection 'google-oauth2'",
        ),
        (
            _seed(
                _db_user("x")
                | {
                    "identities": [
                        {"connection": DB, "provider": "auth0", "user_id": "x", "profileData": {}}
                    ]
                }
            ),
            "auth0|x",
            "primary identity",
        ),
    ],
)
def test_a_seed_breaking_a_rule_is_refused_and_changes_nothing(
    seed: dict[str, Any], user: str, rule: str
) -> None:
    tenant = Tenant("seed.example.com")
    kept = tenant.create_user({"connection": DB, "email": "kept@example.com", "password": PASSWORD})
    before = tenant.snapshot()
    with pytest.raises(SeedError) as refused:
        tenant.restore(seed)
    assert f"User {user!r}" in str(refused.value) and rule in str(refused.value)
    assert tenant.snapshot() == before
    assert tenant.get_user(kept.user_id) is not None


def test_reset_returns_to_the_loaded_seed() -> None:
    tenant = Tenant("seed.example.com")
    tenant.load_seed(_seed(_db_user("ann", email="ann@example.com", password=PASSWORD)))
    tenant.create_user({"connection": DB, "email": "bob@example.com", "password": PASSWORD})
    tenant.clock.freeze(0)
    tenant.reset()
    assert [u.user_id for u in tenant.list_users()] == ["auth0|ann"]
    assert not tenant.clock.frozen


def test_snapshots_keep_empty_user_metadata_and_last_password_reset() -> None:
    # Both are part of the user JSON (auth0/terraform-provider-auth0 TestAccUser.yaml shows
    # "user_metadata": {}; auth0/go-auth0 v1 TestUserManager_Update.yaml last_password_reset).
    tenant = Tenant()
    shown = tenant.create_user({"connection": DB, "email": "a@b.co", "password": PASSWORD})
    tenant.update_user(shown.user_id, {"user_metadata": {}, "password": PASSWORD + "x"})
    plain = tenant.create_user({"connection": DB, "email": "c@d.co", "password": PASSWORD})
    before = {u.user_id: u.to_json() for u in tenant.list_users()}
    twin = Tenant()
    twin.restore(tenant.snapshot())
    after = {u.user_id: u.to_json() for u in twin.list_users()}
    assert after == before
    assert (
        after[shown.user_id]["user_metadata"] == {}
        and "last_password_reset" in after[shown.user_id]
    )
    assert "user_metadata" not in after[plain.user_id]
