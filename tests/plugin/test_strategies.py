"""fakeauth0.strategies only generates what a real tenant accepts, and shrinks to small values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from hypothesis import find, given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant, create_app
from fakeauth0 import strategies as a0
from fakeauth0.connections import PASSWORD_POLICIES, password_meets_policy
from fakeauth0.users import RESERVED_APP_METADATA

FAST = settings(max_examples=60, deadline=None)
TENANT = Tenant("strategies.auth0.com")
HTTP = httpx.Client(
    base_url=TENANT.base_url,
    transport=httpx.WSGITransport(app=create_app(TENANT)),
    headers={"Authorization": "Bearer " + TENANT.management_token()},
)


@FAST
@given(a0.user_bodies())
def test_generated_user_bodies_are_accepted_over_http(body: dict[str, Any]) -> None:
    TENANT.users.clear()
    response = HTTP.post("/api/v2/users", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert user.get("user_metadata", {}) == body.get("user_metadata", {})
    assert user.get("app_metadata", {}) == body.get("app_metadata", {})


@FAST
@given(st.sampled_from(PASSWORD_POLICIES).flatmap(lambda p: st.tuples(st.just(p), a0.passwords(p))))
def test_passwords_meet_their_policy(case: tuple[str, str]) -> None:
    policy, password = case
    assert password_meets_policy(password, policy)


@FAST
@given(a0.metadata(app=True))
def test_app_metadata_avoids_reserved_and_dotted_keys(metadata: dict[str, Any]) -> None:
    assert not RESERVED_APP_METADATA & metadata.keys()
    assert not any("." in k or "$" in k for k in metadata)


@FAST
@given(a0.connections())
def test_generated_connections_can_be_added(spec: dict[str, Any]) -> None:
    tenant = Tenant("c.auth0.com")
    connection = tenant.create_connection(spec["name"], spec["strategy"], spec["options"])
    assert connection.name not in {"Username-Password-Authentication", "email", "sms"}


@settings(FAST, max_examples=25)
@given(a0.tenants())
def test_generated_tenants_hold_their_users(tenant: Tenant) -> None:
    for user in tenant.list_users():
        assert tenant.get_user(user.user_id) is user


@FAST
@given(a0.social_profiles(), a0.identities())
def test_social_profiles_and_identities_are_well_formed(social: Any, identity: Any) -> None:
    tenant = Tenant("s.auth0.com")
    connection, user_id, profile = social
    user = tenant.add_social_user(connection, user_id, profile)
    assert user.user_id == f"google-oauth2|{user_id}"
    assert identity.to_json()["provider"] == identity.provider


@FAST
@given(a0.api_bodies())
def test_generated_apis_are_accepted_over_http(body: dict[str, Any]) -> None:
    for server in TENANT.list_resource_servers():
        if not server.is_system:
            TENANT.delete_resource_server(server.id)
    response = HTTP.post("/api/v2/resource-servers", json=body)
    assert response.status_code == 201, response.text
    assert [s["value"] for s in response.json()["scopes"]] == [s["value"] for s in body["scopes"]]


@settings(FAST, max_examples=30)
@given(a0.access_tenants())
def test_generated_access_tenants_hold_what_their_seed_says(tenant: Tenant) -> None:
    """Each user's permissions (``GET /users/{id}/permissions``) are its direct ones and its
    roles'; each organization lists its members
    (https://auth0.com/docs/manage-users/access-control/rbac)."""
    http = httpx.Client(
        base_url=tenant.base_url,
        transport=httpx.WSGITransport(app=create_app(tenant)),
        headers={"Authorization": "Bearer " + tenant.management_token()},
    )
    seed = tenant.seed_state
    grants = {r["id"]: r.get("permissions", []) for r in seed["roles"]}
    for user in seed["users"]:
        wanted = {tuple(p.values()) for p in user.get("permissions", [])}
        for role_id in user.get("roles", []):
            wanted |= {tuple(p.values()) for p in grants[role_id]}
        listed = http.get(f"/api/v2/users/{user['user_id']}/permissions").json()
        assert {(p["resource_server_identifier"], p["permission_name"]) for p in listed} == wanted
    for org in seed["organizations"]:
        members = http.get(f"/api/v2/organizations/{org['id']}/members").json()
        assert [m["user_id"] for m in members] == org["members"]


def test_failures_shrink_to_minimal_values() -> None:
    quiet = settings(database=None)
    assert find(a0.emails(), lambda e: "." in e.split("@")[0], settings=quiet) == "0.0@0.com"
    assert find(a0.passwords(), lambda p: len(p) >= 8, settings=quiet) == "aA0!0000"


FRESH_CHECKOUT_SUITE = """
from hypothesis import given
from fakeauth0 import strategies as a0


@given(a0.database_user_bodies(), a0.metadata(app=True))
def test_recipe(body, app_metadata): ...


@given(a0.user_bodies(), a0.social_profiles(), a0.identities(), a0.connections())
def test_every_body(body, social, identity, connection): ...


@given(a0.tenants())
def test_tenants(tenant): ...


@given(a0.access_tenants(), a0.api_bodies(rbac=True))
def test_access(tenant, api): ...
"""


def test_default_settings_pass_the_health_checks_from_an_empty_database(tmp_path: Path) -> None:
    """A downstream suite's first run: no Hypothesis directory yet, default settings, nothing
    suppressed. Text drawn from Hypothesis's default alphabet would spend its first draw working
    out the UTF-8 character set and fail ``too_slow``."""
    (tmp_path / "test_fresh.py").write_text(FRESH_CHECKOUT_SUITE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS"))}
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(tmp_path / "hypothesis")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_fresh.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout
