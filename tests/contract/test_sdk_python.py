"""auth0-python, both halves, as a client judges us: ``GetToken.client_credentials`` (requests)
fetches the token, ``ManagementClient`` (httpx) uses it. Each test runs against the fake and,
given credentials, against a real tenant (tests/contract/conftest.py)."""

from __future__ import annotations

import jwt
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error as AuthenticationError
from auth0.management.errors import NotFoundError

from tests.contract.conftest import Target, normalise
from tests.support import DB, PASSWORD

pytestmark = pytest.mark.auth0_contract


def test_client_credentials_token_is_an_auth0_management_jwt(auth0_target: Target) -> None:
    got = GetToken(
        auth0_target.domain, auth0_target.client_id, auth0_target.client_secret
    ).client_credentials(auth0_target.audience)
    assert got["token_type"] == "Bearer"
    assert got["expires_in"] == 86400
    assert "read:users" in got["scope"].split()
    header = jwt.get_unverified_header(got["access_token"])
    claims = jwt.decode(got["access_token"], options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == f"https://{auth0_target.domain}/"
    assert claims["aud"] == auth0_target.audience
    assert claims["sub"] == f"{auth0_target.client_id}@clients"
    assert claims["azp"] == auth0_target.client_id
    assert claims["gty"] == "client-credentials"
    assert claims["exp"] - claims["iat"] == 86400


def test_a_wrong_client_secret_is_401_access_denied(auth0_target: Target) -> None:
    wrong = GetToken(auth0_target.domain, auth0_target.client_id, "not-the-secret")
    with pytest.raises(AuthenticationError) as caught:
        wrong.client_credentials(auth0_target.audience)
    assert caught.value.status_code == 401
    assert caught.value.error_code == "access_denied"


def test_create_get_update_delete_a_database_user(auth0_target: Target) -> None:
    mgmt = auth0_target.management()
    email = auth0_target.unique_email("crud")
    created = mgmt.users.create(
        connection=DB,
        email=email.upper(),
        password=PASSWORD,
        user_metadata={"theme": "dark", "lang": "fr"},
    )
    user_id = auth0_target.created_user(created.user_id)
    shape = normalise(created.model_dump(by_alias=True, exclude_none=True))
    assert shape["user_id"] == "auth0|<id>"
    # database e-mails are lower-cased (docs/auth0-behaviour.md#email-username-and-password)
    assert shape["email"] == email
    assert shape["email_verified"] is False
    assert shape["identities"] == [
        {"connection": DB, "provider": "auth0", "user_id": "<id>", "isSocial": False}
    ]
    assert shape["created_at"] == shape["updated_at"] == "<date>"
    assert shape["nickname"] == email.split("@")[0] and shape["name"] == email
    assert "logins_count" not in shape and "last_login" not in shape

    fetched = mgmt.users.get(user_id)
    assert fetched.user_id == user_id and fetched.email == email

    updated = mgmt.users.update(user_id, user_metadata={"lang": None, "size": "xl"})
    # first-level merge (docs/auth0-behaviour.md#metadata)
    assert updated.user_metadata == {"theme": "dark", "size": "xl"}

    by_email = mgmt.users.list_users_by_email(email=email)
    assert [u.user_id for u in by_email] == [user_id]

    mgmt.users.delete(user_id)
    with pytest.raises(NotFoundError) as caught:
        mgmt.users.get(user_id)
    assert caught.value.body["errorCode"] == "inexistent_user"


def test_link_two_database_users(auth0_target: Target) -> None:
    mgmt = auth0_target.management()
    primary = mgmt.users.create(
        connection=DB, email=auth0_target.unique_email("primary"), password=PASSWORD
    )
    auth0_target.created_user(primary.user_id)
    secondary_email = auth0_target.unique_email("secondary")
    secondary = mgmt.users.create(connection=DB, email=secondary_email, password=PASSWORD)
    auth0_target.created_user(secondary.user_id)
    bare_id = secondary.user_id.split("|", 1)[1]

    identities = mgmt.users.identities.link(primary.user_id, provider="auth0", user_id=bare_id)

    shape = normalise([i.model_dump(by_alias=True, exclude_none=True) for i in identities])
    assert [(i["provider"], i["user_id"]) for i in shape] == [("auth0", "<id>")] * 2
    assert identities[1].user_id == bare_id
    # Every identity of the answer carries profileData (auth0/go-auth0 v1,
    # test/data/recordings/TestUserManager_Link.yaml).
    assert shape[0]["profileData"]["email"] == primary.email
    assert shape[1]["profileData"]["email"] == secondary_email
    with pytest.raises(NotFoundError):
        # a secondary is no longer a user (docs/auth0-behaviour.md#what-linking-changes)
        mgmt.users.get(secondary.user_id)
