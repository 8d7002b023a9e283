"""What a tenant holds once (fakeauth0.uniqueness): the API and a seed agree on every case.

Each case builds a tenant through the API, then adds one more user: through ``POST /users``
(``Tenant.create_user``), and as a seed holding the same users. Both must accept it, or both
refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from fakeauth0 import Tenant
from fakeauth0.errors import Auth0Error, Msg
from fakeauth0.snapshot import SeedError, user_record
from tests.support import DB, PASSWORD

EMAIL = "ann@example.com"
PHONE = "+14155550100"


def _db_user(tenant: Tenant, **fields: Any) -> None:
    tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD, **fields})


def _linked_db_user(tenant: Tenant) -> None:
    tenant.add_social_user("google-oauth2", "1", {"email": "ann@gmail.example"})
    ann = tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
    tenant.link("google-oauth2|1", "auth0", ann.primary.user_id)


#: (case, the users already there, the user added, whether Auth0 accepts it); each with its source.
CASES: list[tuple[str, Callable[[Tenant], None], dict[str, Any], bool]] = [
    # "Auth0 enforces the uniqueness of the email or username within a connection"
    # (https://community.auth0.com/t/unique-email-address-per-user-requirements-with-auth0/117658)
    ("email in a database", _db_user, {"connection": DB, "email": EMAIL}, False),
    # ... "two users can have the same email address if they belong to different connections"
    # (same article).
    ("email in another connection", _db_user, {"connection": "email", "email": EMAIL}, True),
    # A phone number is an identifier, held once, only where it is configured as one (Flexible
    # Identifiers, https://auth0.com/docs/authenticate/database-connections/flexible-identifiers
    # -and-attributes; phone-as-identifier); on a database connection by default, and on an
    # email connection, it is a plain attribute that two users may share.
    (
        "phone in a database",
        lambda t: _db_user(t, phone_number=PHONE),
        {"connection": DB, "email": "bob@example.com", "phone_number": PHONE},
        True,
    ),
    (
        "phone in an email connection",
        lambda t: t.create_user({"connection": "email", "email": EMAIL, "phone_number": PHONE}),
        {"connection": "email", "email": "bob@example.com", "phone_number": PHONE},
        True,
    ),
    # An sms connection logs a user in by phone number: "If the phone number that the OTP was
    # sent to matches an existing user, Auth0 authenticates that user"
    # (https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp).
    (
        "phone in an sms connection",
        lambda t: t.create_user({"connection": "sms", "phone_number": PHONE}),
        {"connection": "sms", "phone_number": PHONE},
        False,
    ),
    # A linked identity keeps its attributes in its connection (its profileData) and comes back
    # with them when unlinked (https://auth0.com/docs/manage-users/user-accounts/
    # user-account-linking/unlink-user-accounts): its e-mail is still taken there. A seed used
    # to accept a second user with it.
    ("email of a linked identity", _linked_db_user, {"connection": DB, "email": EMAIL}, False),
]


CASE_IDS = [case[0] for case in CASES]


def _created_elsewhere(fields: dict[str, Any]) -> dict[str, Any]:
    """The added user's seed record, as the API builds it on a tenant that holds nobody."""
    scratch = Tenant("scratch.example.com", seed=2)
    if fields["connection"] == DB:
        fields = {"password": PASSWORD, **fields}
    return user_record(scratch.create_user(fields))


@pytest.mark.parametrize(("case", "existing", "added", "accepted"), CASES, ids=CASE_IDS)
def test_the_api_and_a_seed_accept_the_same_users(
    case: str, existing: Callable[[Tenant], None], added: dict[str, Any], accepted: bool
) -> None:
    through_api = Tenant("a.example.com", seed=1)
    existing(through_api)
    seed = through_api.snapshot()
    seed["users"].append(_created_elsewhere(added))
    fields = {"password": PASSWORD, **added} if added["connection"] == DB else added

    if accepted:
        through_api.create_user(fields)
        Tenant("b.example.com").restore(seed)
    else:
        with pytest.raises(Auth0Error) as refused:
            through_api.create_user(fields)
        assert (refused.value.status, refused.value.message) == (409, Msg.USER_EXISTS)
        seeded = Tenant("b.example.com")
        before = seeded.snapshot()
        with pytest.raises(SeedError, match="already used in connection"):
            seeded.restore(seed)
        assert seeded.snapshot() == before


def test_a_seed_refuses_an_identity_two_users_hold() -> None:
    tenant = Tenant("a.example.com", seed=1)
    _linked_db_user(tenant)
    seed = tenant.snapshot()
    linked = seed["users"][0]["identities"][1]
    seed["users"].append(
        {
            "user_id": f"auth0|{linked['user_id']}",
            "identities": [{k: linked[k] for k in ("connection", "provider", "user_id")}],
        }
    )
    with pytest.raises(SeedError, match=re.escape("already belongs to user 'google-oauth2|1'")):
        Tenant("b.example.com").restore(seed)


def test_a_first_passwordless_login_cannot_take_an_email_held_by_another_user() -> None:
    # The login names an unknown user_id with an e-mail another user of the connection holds:
    # the connection holds each e-mail once (CHOICES.md "first login with a held e-mail").
    tenant = Tenant("a.example.com", seed=1)
    ann = tenant.create_user({"connection": "email", "email": EMAIL})
    with pytest.raises(Auth0Error) as refused:
        tenant.login("email", user_id="someone-else", email=EMAIL)
    assert (refused.value.status, refused.value.message) == (409, Msg.USER_EXISTS)
    assert [u.user_id for u in tenant.list_users()] == [ann.user_id]
    # Without a user_id the e-mail finds its user, as Auth0's passwordless login does.
    assert tenant.login("email", email=EMAIL).user.user_id == ann.user_id
