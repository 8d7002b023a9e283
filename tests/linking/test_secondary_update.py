"""``PATCH /users/{id}`` naming a linked identity's ``connection``.

The spec's ``patch_users_by_id`` description: to update ``email``, ``email_verified``,
``phone_number``, ``phone_verified``, ``username`` or ``password`` of a secondary identity, send
its ``connection`` too; its 400 list has "The following user attributes cannot be updated:
family_name, given_name, name, nickname, picture. The specified connection belongs to a secondary
identity." (https://auth0.com/docs/api/management/v2/users/patch-users-by-id).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from fakeauth0 import Tenant
from fakeauth0.errors import OAuthError
from tests.support import DB, PASSWORD, RawClient, assert_error

GOOGLE_ID = "103547991597142817347"


@pytest.fixture
def linked(tenant: Tenant, raw: RawClient) -> tuple[str, str]:
    """A Google primary with a linked database login."""
    google = tenant.add_social_user("google-oauth2", GOOGLE_ID, {"email": "ann@gmail.com"})
    db = raw.create_user(email="ann@b.co")["user_id"]
    tenant.link(google.user_id, "auth0", db.split("|", 1)[1])
    return google.user_id, db


def patch(raw: RawClient, user_id: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return raw.patch(f"users/{quote(user_id, safe='')}", json=body)


def test_the_linked_database_login_changes_its_password(
    tenant: Tenant, raw: RawClient, linked: tuple[str, str]
) -> None:
    primary, _ = linked
    response = patch(raw, primary, {"connection": DB, "password": "N3w-Secret-pass"})
    assert response.status_code == 200, response.text
    assert tenant.login(DB, email="ann@b.co", password="N3w-Secret-pass").user.user_id == primary
    with pytest.raises(OAuthError):
        tenant.login(DB, email="ann@b.co", password=PASSWORD)
    assert "N3w-Secret-pass" not in response.text


def test_email_and_verification_change_on_the_identity_only(
    raw: RawClient, linked: tuple[str, str]
) -> None:
    primary, _ = linked
    body = patch(raw, primary, {"connection": DB, "email": "Ann.New@B.co"}).json()
    assert body["email"] == "ann@gmail.com"  # the root is the primary's
    assert body["identities"][1]["profileData"]["email"] == "ann.new@b.co"
    assert body["identities"][1]["profileData"]["email_verified"] is False
    body = patch(raw, primary, {"connection": DB, "email_verified": True}).json()
    assert body["identities"][1]["profileData"]["email_verified"] is True


def test_synced_attributes_with_a_secondary_connection_are_refused(
    raw: RawClient, linked: tuple[str, str]
) -> None:
    primary, _ = linked
    for name in ("name", "given_name", "family_name", "nickname", "picture"):
        response = patch(raw, primary, {"connection": DB, name: "https://x.example/p.png"})
        assert_error(
            response,
            400,
            "The following user attributes cannot be updated: family_name, given_name, name, "
            "nickname, picture. The specified connection belongs to a secondary identity.",
        )


def test_a_connection_the_user_has_no_identity_in_is_refused(
    tenant: Tenant, raw: RawClient, linked: tuple[str, str]
) -> None:
    primary, _ = linked
    tenant.create_connection("other-db", "auth0")
    response = patch(raw, primary, {"connection": "other-db", "password": "N3w-Secret-pass"})
    assert_error(response, 400, "Connection is not supported for this operation.")


def test_a_secondary_email_taken_in_its_connection_is_refused(
    raw: RawClient, linked: tuple[str, str]
) -> None:
    primary, _ = linked
    raw.create_user(email="taken@b.co")
    response = patch(raw, primary, {"connection": DB, "email": "taken@b.co"})
    assert_error(response, 400, "The specified new email already exists", "auth0_idp_error")


def test_account_attributes_with_a_secondary_connection_change_the_user(
    raw: RawClient, linked: tuple[str, str]
) -> None:
    # CHOICES.md "PATCH with a secondary's connection: metadata and blocked".
    primary, _ = linked
    body = patch(raw, primary, {"connection": DB, "app_metadata": {"plan": "pro"}}).json()
    assert body["app_metadata"] == {"plan": "pro"}
    assert "app_metadata" not in body["identities"][1]["profileData"]
