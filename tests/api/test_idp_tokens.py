"""IdP tokens on identities: ``access_token``, ``expires_in``, ``refresh_token`` and
``access_token_secret`` (spec ``UserIdentity``), shown only to callers holding
``read:user_idp_tokens`` (https://auth0.com/docs/authenticate/identity-providers/calling-an-external-idp-api:
"you will need ... the read:user_idp_tokens scope" to read ``identities[0].access_token``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from fakeauth0 import Tenant
from tests.support import RawClient

GOOGLE_ID = "103547991597142817347"
GOOGLE = f"google-oauth2|{GOOGLE_ID}"
TOKENS = {"access_token": "ya29.idp-token", "expires_in": 3599, "refresh_token": "1//idp-refresh"}
READ = ["read:users"]
READ_TOKENS = ["read:users", "read:user_idp_tokens"]


@pytest.fixture
def google(tenant: Tenant) -> str:
    profile = {"email": "ann@gmail.com", "email_verified": True, **TOKENS}
    return tenant.add_social_user("google-oauth2", GOOGLE_ID, profile).user_id


def user_path(user_id: str) -> str:
    return f"users/{quote(user_id, safe='')}"


def tokens_of(identity: dict[str, Any]) -> dict[str, Any]:
    names = ("access_token", "access_token_secret", "refresh_token", "expires_in")
    return {k: identity[k] for k in names if k in identity}


def test_tokens_live_on_the_identity_not_at_the_root(tenant: Tenant, google: str) -> None:
    user = tenant.get_user(google)
    assert not set(TOKENS) & set(user.profile)
    assert tokens_of(user.to_json(idp_tokens=True)["identities"][0]) == TOKENS


def test_get_shows_tokens_only_with_the_scope(raw: RawClient, google: str) -> None:
    hidden = raw.get(user_path(google), scopes=READ).json()
    assert tokens_of(hidden["identities"][0]) == {} and not set(TOKENS) & set(hidden)
    shown = raw.get(user_path(google), scopes=READ_TOKENS).json()
    assert tokens_of(shown["identities"][0]) == TOKENS


@pytest.mark.parametrize(
    "url", ["users", "users?q=email:%22ann@gmail.com%22", "users-by-email?email=ann@gmail.com"]
)
def test_list_search_and_by_email_follow_the_scope(raw: RawClient, google: str, url: str) -> None:
    assert tokens_of(raw.get(url, scopes=READ).json()[0]["identities"][0]) == {}
    assert tokens_of(raw.get(url, scopes=READ_TOKENS).json()[0]["identities"][0]) == TOKENS


def test_link_answer_follows_the_scope(tenant: Tenant, raw: RawClient, google: str) -> None:
    tenant.create_connection("twitter", "twitter")
    twitter = {"access_token": "tw-token", "access_token_secret": "tw-secret"}
    tenant.add_social_user("twitter", "4242", {"name": "ann", **twitter})
    body = {"provider": "twitter", "user_id": "4242"}
    linked = raw.post(f"{user_path(google)}/identities", json=body, scopes=["update:users"])
    assert [tokens_of(i) for i in linked.json()] == [{}, {}]
    shown = raw.get(user_path(google), scopes=READ_TOKENS).json()["identities"]
    assert [tokens_of(i) for i in shown] == [TOKENS, twitter]
    remaining = raw.delete(
        f"{user_path(google)}/identities/twitter/4242",
        scopes=["update:users", "read:user_idp_tokens"],
    ).json()
    assert [tokens_of(i) for i in remaining] == [TOKENS]
    restored = raw.get(user_path("twitter|4242"), scopes=READ_TOKENS).json()
    assert tokens_of(restored["identities"][0]) == twitter


def test_a_login_brings_fresh_tokens(tenant: Tenant, google: str) -> None:
    tenant.login("google-oauth2", user_id=GOOGLE_ID, profile={"access_token": "ya29.next"})
    identity = tenant.get_user(google).to_json(idp_tokens=True)["identities"][0]
    assert (
        identity["access_token"] == "ya29.next"
        and identity["refresh_token"] == TOKENS["refresh_token"]
    )
    assert "access_token" not in tenant.get_user(google).profile


def test_seeds_and_snapshots_keep_identity_tokens(tenant: Tenant, google: str) -> None:
    twin = Tenant()
    twin.restore(tenant.snapshot())
    assert twin.get_user(google).to_json(idp_tokens=True) == tenant.get_user(google).to_json(
        idp_tokens=True
    )
    seeded = Tenant()
    seeded.load_seed(
        {
            "users": [
                {
                    "user_id": GOOGLE,
                    "email": "ann@gmail.com",
                    "identities": [
                        {
                            "connection": "google-oauth2",
                            "provider": "google-oauth2",
                            "user_id": GOOGLE_ID,
                            "isSocial": True,
                            **TOKENS,
                        }
                    ],
                }
            ]
        }
    )
    identity = seeded.get_user(GOOGLE).to_json(idp_tokens=True)["identities"][0]
    assert tokens_of(identity) == TOKENS
