"""A Hypothesis state machine over linking: every step is checked against a plain model.

The rules are Auth0's (docs/auth0-behaviour.md#account-linking, docs/auth0-behaviour.md#unlinking,
docs/auth0-behaviour.md#logins): linking moves every identity of the secondary's owner into the
primary and drops the owner; unlinking re-creates the identity as a user of its own with no
metadata; a login through a linked identity counts on its primary. Link, link_with and unlink go
through the HTTP app (as a client would); the rest through the tenant's Python API.

Run longer with ``FAKEAUTH0_HYPOTHESIS_PROFILE=long`` (profiles are in ``tests/conftest.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from werkzeug.test import Client

from fakeauth0 import Auth0Error, Tenant, create_app
from fakeauth0.errors import Msg, OAuthError
from tests.support import DB, PASSWORD

Key = tuple[str, str]
EMAILS = ("ann@example.com", "bob@example.com", "Ann@example.com")
SOCIAL = [("google-oauth2", str(n)) for n in (101, 102, 103, 104)] + [
    ("github", str(n)) for n in (7, 8, 9)
]
METADATA = st.dictionaries(
    st.sampled_from(["a", "b", "c"]), st.integers(0, 3) | st.none(), max_size=2
)


def uid(key: Key) -> str:
    return f"{key[0]}|{key[1]}"


class LinkingMachine(RuleBasedStateMachine):
    """Model: who owns which identity, in which order; metadata and login counts per user."""

    @initialize()
    def start(self) -> None:
        self.tenant = Tenant("machine.auth0.com", seed=1)
        self.tenant.create_connection("github", "github")
        self.http = Client(create_app(self.tenant))
        self.auth = {"Authorization": f"Bearer {self.tenant.management_token()}"}
        self.members: dict[str, list[Key]] = {}
        self.meta: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.logins: dict[str, int | None] = {}
        self.db_keys: set[Key] = set()
        self.gone: set[Key] = set()  # identities that existed once (for unknown-id draws)

    # -- helpers ---------------------------------------------------------------------------------

    def owner(self, key: Key) -> str | None:
        for user_id, keys in self.members.items():
            if key in keys:
                return user_id
        return None

    def identity_count(self) -> int:
        return sum(len(keys) for keys in self.members.values())

    def draw_user_id(self, data: st.DataObject) -> str:
        """Mostly a user that exists; sometimes a linked secondary's id or an unknown one."""
        secondaries = [uid(k) for keys in self.members.values() for k in keys[1:]]
        choices = sorted(self.members) + secondaries + ["auth0|000000000000000000000000"]
        return data.draw(st.sampled_from(choices))

    def draw_key(self, data: st.DataObject) -> Key:
        known = sorted({k for keys in self.members.values() for k in keys} | self.gone)
        return data.draw(st.sampled_from([*known, ("google-oauth2", "999")]))

    def expect_link(self, primary: str, key: Key) -> tuple[int, str | None]:
        if primary not in self.members:
            return 404, Msg.USER_NOT_FOUND
        owner = self.owner(key)
        if owner is None:
            return 400, None
        if owner == primary:
            if key == self.members[primary][0]:
                return 400, Msg.LINK_SAME_IDENTITY
            return 409, Msg.LINK_IDENTITY_EXISTS
        return 201, None

    def apply_link(self, primary: str, key: Key) -> None:
        owner = self.owner(key)
        assert owner is not None
        self.members[primary] = self.members[primary] + self.members.pop(owner)
        del self.meta[owner]
        del self.logins[owner]

    def check_identities(self, body: Any, primary: str) -> None:
        assert [(i["provider"], str(i["user_id"])) for i in body] == self.members[primary]
        # Link and unlink answers carry profileData on every identity, the primary's too
        # (auth0/go-auth0 v1, test/data/recordings/TestUserManager_Link.yaml, _Unlink.yaml).
        assert all("profileData" in i for i in body)

    # -- rules -----------------------------------------------------------------------------------

    @rule(email=st.sampled_from(EMAILS), user_md=METADATA, app_md=METADATA)
    def create_database_user(self, email: str, user_md: dict, app_md: dict) -> None:
        fields = {"connection": DB, "email": email, "password": PASSWORD}
        fields |= {"user_metadata": user_md, "app_metadata": app_md}
        try:
            user = self.tenant.create_user(fields)
        except Auth0Error as error:
            assert error.status == 409  # same e-mail already in the database connection
            return
        key = user.primary.key
        self.members[user.user_id] = [key]
        self.meta[user.user_id] = (
            {k: v for k, v in user_md.items() if v is not None},
            {k: v for k, v in app_md.items() if v is not None},
        )
        self.logins[user.user_id] = None
        self.db_keys.add(key)

    @rule(key=st.sampled_from(SOCIAL), email=st.sampled_from(EMAILS), name=st.text(max_size=3))
    def social_login(self, key: Key, email: str, name: str) -> None:
        before = self.identity_count()
        result = self.tenant.login(key[0], user_id=key[1], profile={"email": email, "name": name})
        owner = self.owner(key)
        # the first social login creates the user (docs/auth0-behaviour.md#logins)
        if owner is None:
            owner = uid(key)
            self.members[owner] = [key]
            self.meta[owner] = ({}, {})
            self.logins[owner] = 0
            assert self.identity_count() == before + 1
        assert result.user.user_id == owner  # a linked identity logs in as its primary
        self.logins[owner] = (self.logins[owner] or 0) + 1

    @precondition(lambda self: self.db_keys)
    @rule(data=st.data())
    def database_login(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.db_keys)))
        owner = self.owner(key)
        try:
            result = self.tenant.login(DB, user_id=key[1], password=PASSWORD)
        except OAuthError as error:
            assert error.error == "invalid_grant" and owner is None  # deleted with its primary
            return
        assert result.user.user_id == owner
        self.logins[owner] = (self.logins[owner] or 0) + 1

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def link(self, data: st.DataObject) -> None:
        primary, key = self.draw_user_id(data), self.draw_key(data)
        status, message = self.expect_link(primary, key)
        before = self.identity_count()
        body: dict[str, Any] = {"provider": key[0], "user_id": key[1]}
        if key[0] == "github" and data.draw(st.booleans()):
            body["user_id"] = int(key[1])  # numeric ids are accepted (UserIdEnum)
        response = self.http.post(
            f"/api/v2/users/{quote(primary, safe='')}/identities", json=body, headers=self.auth
        )
        assert response.status_code == status, response.get_json()
        event(f"link: {status}")
        if status != 201:
            if message is not None:
                assert response.get_json()["message"] == message
            return
        self.apply_link(primary, key)
        self.check_identities(response.get_json(), primary)
        assert self.identity_count() == before  # linking moves identities, never makes or loses

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def link_with_id_token(self, data: st.DataObject) -> None:
        primary = data.draw(st.sampled_from(sorted(self.members)))
        key = data.draw(st.sampled_from(sorted(k for ks in self.members.values() for k in ks)))
        connection = DB if key[0] == "auth0" else key[0]
        login = self.tenant.login(connection, user_id=key[1], password=None)
        owner = login.user.user_id
        self.logins[owner] = (self.logins[owner] or 0) + 1
        # The ID token names the primary, so link_with always brings the whole owner along.
        status, message = self.expect_link(primary, self.members[owner][0])
        response = self.http.post(
            f"/api/v2/users/{quote(primary, safe='')}/identities",
            json={"link_with": login.id_token},
            headers=self.auth,
        )
        assert response.status_code == status, response.get_json()
        event(f"link_with: {status}")
        if message is not None:
            assert response.get_json()["message"] == message
        if status == 201:
            self.apply_link(primary, self.members[owner][0])
            self.check_identities(response.get_json(), primary)

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def unlink(self, data: st.DataObject) -> None:
        primary = self.draw_user_id(data)
        linked = self.members.get(primary, [])
        key = data.draw(st.sampled_from(linked[1:])) if linked[1:] else self.draw_key(data)
        before = self.identity_count()
        response = self.http.delete(
            f"/api/v2/users/{quote(primary, safe='')}/identities/{key[0]}/{key[1]}",
            headers=self.auth,
        )
        if primary not in self.members:
            assert response.status_code == 404
            return
        if key == linked[0]:
            assert response.status_code == 400
            assert response.get_json()["message"] == Msg.UNLINK_MAIN_IDENTITY
            return
        assert response.status_code == 200, response.get_json()
        event(f"unlink: {'re-created' if key in linked else 'not linked'}")
        if key in linked:
            self.members[primary] = [k for k in linked if k != key]
            self.members[uid(key)] = [key]
            # the re-created user has no metadata (docs/auth0-behaviour.md#unlinking)
            self.meta[uid(key)] = ({}, {})
            self.logins[uid(key)] = None
        self.check_identities(response.get_json(), primary)
        assert self.identity_count() == before

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        user_id = self.draw_user_id(data)
        self.tenant.delete_user(user_id)
        if user_id in self.members:  # a primary takes its linked identities with it
            self.gone.update(self.members.pop(user_id))
            del self.meta[user_id]
            del self.logins[user_id]

    @precondition(lambda self: self.members)
    @rule(data=st.data(), user_md=METADATA, app_md=METADATA)
    def patch_metadata(self, data: st.DataObject, user_md: dict, app_md: dict) -> None:
        user_id = self.draw_user_id(data)
        try:
            self.tenant.update_user(user_id, {"user_metadata": user_md, "app_metadata": app_md})
        except Auth0Error as error:
            assert error.status == 404 and user_id not in self.members
            return
        old_user, old_app = self.meta[user_id]
        self.meta[user_id] = (merge(old_user, user_md), merge(old_app, app_md))

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def users_match_the_model(self) -> None:
        if not hasattr(self, "tenant"):
            return
        users = self.tenant.list_users()
        assert sorted(u.user_id for u in users) == sorted(self.members)
        for user in users:
            keys = [i.key for i in user.identities]
            assert keys == self.members[user.user_id]
            # identities[0] is the user's own identity
            # (docs/auth0-behaviour.md#what-linking-changes)
            assert uid(keys[0]) == user.user_id
            assert (user.user_metadata, user.app_metadata) == self.meta[user.user_id]
            assert user.logins_count == self.logins[user.user_id]

    @invariant()
    def each_identity_belongs_to_exactly_one_user(self) -> None:
        if not hasattr(self, "tenant"):
            return
        counts = Counter(i.key for u in self.tenant.list_users() for i in u.identities)
        assert all(n == 1 for n in counts.values()), counts
        for key in counts:
            assert self.tenant.users.owner_of(*key).user_id == self.owner(key)

    @invariant()
    def lookups_show_primaries_only(self) -> None:
        if not hasattr(self, "tenant"):
            return
        users = self.tenant.list_users()
        for email in EMAILS:
            found = sorted(u.user_id for u in self.tenant.users_by_email(email))
            assert found == sorted(u.user_id for u in users if u.email == email)
        for keys in self.members.values():
            # a linked secondary is no user: GET answers 404
            # (docs/auth0-behaviour.md#what-linking-changes)
            for key in keys[1:]:
                try:
                    self.tenant.get_user(uid(key))
                except Auth0Error as error:
                    assert error.status == 404
                else:
                    raise AssertionError(f"{uid(key)} is linked but still resolves")

    @invariant()
    def search_sees_what_the_directory_holds(self) -> None:
        """Search indexes writes when the next query comes: whatever ran since the last query
        (links, unlinks, logins, deletes), it lists the primaries in creation order and finds
        every identity, linked or not, under its owner."""
        if not hasattr(self, "tenant"):
            return
        listed = [u.user_id for u in self.tenant.search_users(per_page=100).users]
        assert listed == [u.user_id for u in self.tenant.list_users()][:100]
        for owner, keys in self.members.items():
            for provider, bare in keys:
                q = f'identities.user_id:"{bare}" AND identities.provider:"{provider}"'
                found = [u.user_id for u in self.tenant.search_users(q).users]
                assert found == [owner], (q, found)


def merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Auth0's first-level metadata merge: ``{}`` clears, ``null`` deletes
    (docs/auth0-behaviour.md#metadata)."""
    if not patch:
        return {}
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


TestLinking = LinkingMachine.TestCase
