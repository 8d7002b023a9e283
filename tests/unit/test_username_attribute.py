"""Whether a database connection's users must, may or may not have a username.

Newer tenants configure it as ``options.attributes.username.signup.status``, one of
``required``, ``optional`` or ``inactive`` (Management API spec: ``UsernameAttribute`` and
``SignupStatusEnum``, https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id;
real connections in auth0/terraform-provider-auth0
test/data/recordings/TestAccConnectionOptionsAttrUserName.yaml); older ones with
``options.requires_username``.
"""

from __future__ import annotations

import pytest

from fakeauth0 import Auth0Error, Tenant
from tests.support import PASSWORD


def username_attribute(status: str, **validation: int) -> dict[str, object]:
    attribute: dict[str, object] = {"signup": {"status": status}, "identifier": {"active": True}}
    if validation:
        attribute["validation"] = validation
    return {"attributes": {"username": attribute}}


def make(tenant: Tenant, connection: str, **fields: object):  # type: ignore[no-untyped-def]
    return tenant.create_user({"connection": connection, "password": PASSWORD, **fields})


def test_optional_username_may_be_given_or_left_out() -> None:
    tenant = Tenant()
    tenant.create_connection("db", "auth0", username_attribute("optional"))
    assert make(tenant, "db", email="a@b.co").profile.get("username") is None
    assert make(tenant, "db", email="c@d.co", username="Carol").profile["username"] == "carol"
    plain = make(tenant, "db", email="e@f.co")
    updated = tenant.update_user(plain.user_id, {"username": "erin"})
    assert updated.profile["username"] == "erin"


def test_required_username_must_be_given() -> None:
    tenant = Tenant()
    tenant.create_connection("db", "auth0", username_attribute("required"))
    with pytest.raises(Auth0Error):
        make(tenant, "db", email="a@b.co")
    assert make(tenant, "db", email="a@b.co", username="ann").profile["username"] == "ann"


def test_inactive_username_is_refused() -> None:
    tenant = Tenant()
    tenant.create_connection("db", "auth0", username_attribute("inactive"))
    with pytest.raises(Auth0Error) as caught:
        make(tenant, "db", email="a@b.co", username="ann")
    assert caught.value.message == "Cannot set username for connection without requires_username."


def test_attribute_validation_lengths() -> None:
    tenant = Tenant()
    tenant.create_connection(
        "db", "auth0", username_attribute("optional", min_length=3, max_length=5)
    )
    with pytest.raises(Auth0Error):
        make(tenant, "db", email="a@b.co", username="ab")
    assert make(tenant, "db", email="a@b.co", username="abc").profile["username"] == "abc"


def test_requires_username_still_means_required() -> None:
    tenant = Tenant()
    tenant.create_connection("db", "auth0", {"requires_username": True})
    assert tenant.connection("db").username_status == "required"
    assert Tenant().connection("Username-Password-Authentication").username_status == "inactive"
