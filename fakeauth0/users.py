"""User and identity records, and Auth0's rules for creating, updating and deleting users.

Nothing here knows HTTP: operations take plain values, return records and raise
:class:`~fakeauth0.errors.Auth0Error`. Serialization to Auth0's JSON lives in ``to_json``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import hmac
import os
import random
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import password_hashes
from .connections import Connection
from .errors import Auth0Error, Msg

#: Root attributes a PATCH can never set (docs/auth0-behaviour.md#what-a-patch-may-change).
READ_ONLY = frozenset(
    {
        "user_id",
        "created_at",
        "updated_at",
        "identities",
        "last_ip",
        "last_login",
        "logins_count",
        "multifactor",
    }
)
#: What a PATCH may send (the spec's UpdateUserRequestContent properties). The spec says
#: additionalProperties:true, but Auth0 refuses anything else (auth0-java #58).
UPDATABLE = frozenset(
    {
        "app_metadata",
        "blocked",
        "client_id",
        "connection",
        "email",
        "email_verified",
        "family_name",
        "given_name",
        "name",
        "nickname",
        "password",
        "phone_number",
        "phone_verified",
        "picture",
        "user_metadata",
        "username",
        "verify_email",
        "verify_phone_number",
    }
)
#: Attributes a connection may hold once (``fakeauth0.uniqueness`` says which, where), indexed
#: per connection by :class:`UserDirectory`.
UNIQUE_PER_CONNECTION = ("email", "username", "phone_number")
#: Root attributes that social/enterprise connections overwrite at each login.
SYNCED = ("family_name", "given_name", "name", "nickname", "picture")
#: PATCH pairs Auth0 refuses together (spec ``patch_users_by_id`` 400 list).
EXCLUSIVE_PAIRS = (
    ("password", "email"),
    ("password", "email_verified"),
    ("username", "email"),
    ("username", "email_verified"),
    ("username", "password"),
)
#: Keys ``app_metadata`` may not hold (docs/auth0-behaviour.md#metadata; Auth0's "Metadata
#: Field Names and Data Types",
#: https://auth0.com/docs/manage-users/user-accounts/metadata/metadata-fields-data).
RESERVED_APP_METADATA = frozenset(
    {
        "__tenant",
        "_id",
        "blocked",
        "clientID",
        "created_at",
        "email_verified",
        "email",
        "globalClientID",
        "global_client_id",
        "identities",
        "lastIP",
        "lastLogin",
        "loginsCount",
        "metadata",
        "multifactor_last_modified",
        "multifactor",
        "updated_at",
        "user_id",
    }
)
#: Root attributes an IdP's ``profileData`` leaves out: a real Google secondary kept email, names
#: and locale but not picture or nickname (https://github.com/auth0/node-auth0/issues/781).
IDP_PROFILE_DATA_OMITTED = frozenset({"nickname", "picture"})
#: Providers whose users Auth0 keeps in its own store: their ``profileData`` is what was given
#: to the store (go-auth0's recorded answer,
#: https://github.com/auth0/go-auth0/blob/df1084db909530241b4d1165438324b7601a6386/test/data/recordings/TestUserManager_Link.yaml:
#: nickname and picture given at creation are kept; the generated name is not).
STORE_PROVIDERS = frozenset({"auth0", "email", "sms"})
#: Root attributes that belong to the account, never to an identity's profile.
_ACCOUNT_ONLY = frozenset({"blocked", "last_password_reset"})
#: What an IdP login may hand over besides the profile: kept on the identity, never at the root
#: (spec ``UserIdentity``; https://auth0.com/docs/authenticate/identity-providers/calling-an-external-idp-api).
IDP_TOKEN_KEYS = ("access_token", "access_token_secret", "refresh_token", "expires_in")
#: Root keys that are not profile attributes (held elsewhere in the record).
_NON_PROFILE = READ_ONLY | {
    "app_metadata",
    "user_metadata",
    "password",
    "connection",
    "verify_email",
    "verify_phone_number",
    "client_id",
}
_ATOMS = (str, int, float, bool, type(None))


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data: several times faster than ``copy.deepcopy`` on the hot
    path (every response copies the record); anything not JSON-shaped falls back to it."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOMS else json_copy(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMS else json_copy(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


@dataclass(slots=True)
class Identity:
    """One entry of ``identities[]``; ``user_id`` is the bare id (the part after ``|``)."""

    connection: str
    provider: str
    user_id: str | int
    is_social: bool
    profile_data: dict[str, Any] | None = None
    #: The IdP's tokens from the last login (``IDP_TOKEN_KEYS``), shown only to callers with
    #: ``read:user_idp_tokens``.
    access_token: str | None = field(default=None, repr=False)
    access_token_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None
    #: A linked database identity keeps its password so it can still log in (never serialized).
    password_hash: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, str(self.user_id))

    def but(self, **changes: Any) -> Identity:
        """A copy with ``changes`` (what ``dataclasses.replace`` gives, without its per-call
        field introspection: linking makes two per request)."""
        twin = object.__new__(Identity)
        for name in _IDENTITY_SLOTS:
            setattr(twin, name, changes[name] if name in changes else getattr(self, name))
        return twin

    def to_json(self, *, copy: bool = True, idp_tokens: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "connection": self.connection,
            "user_id": self.user_id,
            "provider": self.provider,
            "isSocial": self.is_social,
        }
        if self.profile_data is not None:
            data["profileData"] = json_copy(self.profile_data) if copy else self.profile_data
        if idp_tokens:
            for name in IDP_TOKEN_KEYS:
                value = getattr(self, name)
                if value is not None:
                    data[name] = value
        return data

    def with_tokens(self, tokens: dict[str, Any]) -> Identity:
        """This identity holding the IdP tokens of a new login (``split_idp_tokens``)."""
        return dataclasses.replace(self, **tokens) if tokens else self


@dataclass(slots=True)
class User:
    """A user record: a primary identity, its linked identities, profile and metadata."""

    user_id: str
    identities: list[Identity]
    profile: dict[str, Any]
    created_at: str
    updated_at: str
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    last_login: str | None = None
    last_ip: str | None = None
    logins_count: int | None = None
    #: When a database user's password was last set by an update (not at creation).
    last_password_reset: str | None = None
    #: Root attributes Auth0 filled in (``name``, ``nickname``, ``picture``), not given by the
    #: caller or the IdP: shown at the root, never kept in ``profileData``.
    generated: list[str] = field(default_factory=list)
    #: ``user_metadata`` was sent once (create, update or seed): shown even when empty, as
    #: Auth0 does, while an empty ``app_metadata`` is never shown.
    user_metadata_set: bool = False
    password_hash: str | None = field(default=None, repr=False)
    #: The ids of the roles assigned to the user, and the permissions given to it directly
    #: (``{resource_server_identifier, permission_name}``): never in the user's body, read
    #: through ``/users/{id}/roles`` and ``/users/{id}/permissions`` (fakeauth0.access).
    roles: list[str] = field(default_factory=list)
    permissions: list[dict[str, str]] = field(default_factory=list)

    @property
    def primary(self) -> Identity:
        return self.identities[0]

    @property
    def email(self) -> str | None:
        return self.profile.get("email")

    def to_json(self, *, copy: bool = True, idp_tokens: bool = False) -> dict[str, Any]:
        """The user as Auth0 renders it. ``copy=False`` shares nested values with the record:
        for a body encoded at once (the HTTP layer), where the deep copy is wasted work.
        ``idp_tokens``: the caller has ``read:user_idp_tokens``, so identities show them."""
        data: dict[str, Any] = {"created_at": self.created_at}
        data.update(json_copy(self.profile) if copy else self.profile)
        data["identities"] = [
            identity.to_json(copy=copy, idp_tokens=idp_tokens) for identity in self.identities
        ]
        data["updated_at"] = self.updated_at
        data["user_id"] = self.user_id
        if self.user_metadata or self.user_metadata_set:
            data["user_metadata"] = json_copy(self.user_metadata) if copy else self.user_metadata
        if self.app_metadata:
            data["app_metadata"] = json_copy(self.app_metadata) if copy else self.app_metadata
        if self.last_login is not None:
            data["last_login"] = self.last_login
        if self.last_ip is not None:
            data["last_ip"] = self.last_ip
        if self.logins_count is not None:
            data["logins_count"] = self.logins_count
        if self.last_password_reset is not None:
            data["last_password_reset"] = self.last_password_reset
        return data

    def profile_data(self) -> dict[str, Any]:
        """What Auth0 keeps of this user's own profile in its main identity's ``profileData``
        (shown once the identity is linked, and on every identity of a link or unlink answer)."""
        left_out = set(self.generated) | _ACCOUNT_ONLY
        if self.primary.provider not in STORE_PROVIDERS:
            left_out |= IDP_PROFILE_DATA_OMITTED
        return {
            k: v if type(v) in _ATOMS else json_copy(v)
            for k, v in self.profile.items()
            if k not in left_out
        }

    def clone(self) -> User:
        """A shallow copy to change and put back (records are replaced, never edited in place):
        what ``copy.copy`` gives, without its generic ``__reduce_ex__`` round trip."""
        twin = object.__new__(User)
        for name in _USER_SLOTS:
            setattr(twin, name, getattr(self, name))
        return twin


_USER_SLOTS = User.__slots__
_IDENTITY_SLOTS = Identity.__slots__

#: Salts must be unique, not secret: one generator seeded from the OS once, since a getrandom
#: call per password cost ~20 us here (a tenth of a create).
_SALTS = random.Random(os.urandom(32))


def hash_password(password: str) -> str:
    """Passwords are stored hashed, never kept or shown in clear. A salted SHA-256, not a slow
    KDF: it is a fake holding test passwords, and a create must stay cheap (scrypt: 70 us)."""
    salt = _SALTS.getrandbits(128).to_bytes(16, "big")
    digest = hashlib.sha256(salt + _hashed_part(password)).hexdigest()
    return f"sha256${salt.hex()}${digest}"


def _hashed_part(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from: the fake's own hash, or one a
    users import brought with its algorithm (``fakeauth0.password_hashes``)."""
    if not stored:
        return False
    if password_hashes.is_imported(stored):
        return password_hashes.verify(stored, password)
    _scheme, salt, digest = stored.split("$")
    candidate_hex = hashlib.sha256(bytes.fromhex(salt) + _hashed_part(password)).hexdigest()
    return hmac.compare_digest(candidate_hex, digest)


def default_picture(email: str | None, name: str | None) -> str:
    """Auth0's generated picture: gravatar of the e-mail, falling back to an initials avatar."""
    source = (name or email or "").split("@")[0]
    words = [w for w in _NON_ALNUM.split(source) if w]
    initials = words[0][0] + words[1][0] if len(words) >= 2 else "".join(words)[:2]
    initials = (initials or "un").lower()
    if not email:
        return f"https://cdn.auth0.com/avatars/{initials}.png"
    digest = hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()
    return f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg&d=" + _quoted_avatar(initials)


_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")


@functools.lru_cache(maxsize=4096)
def _quoted_avatar(initials: str) -> str:
    """The initials avatar URL, quoted for gravatar's ``d=``: few distinct initials, and
    ``urllib.parse.quote`` was a sixth of building a user."""
    return urllib.parse.quote(f"https://cdn.auth0.com/avatars/{initials}.png", safe="")


def fill_defaults(profile: dict[str, Any], handle: str) -> list[str]:
    """Fill ``name``, ``nickname`` and ``picture`` as Auth0 does when they were not given;
    returns the names of those filled."""
    email = profile.get("email")
    filled = [k for k in ("name", "nickname", "picture") if k not in profile]
    if filled:
        profile.setdefault("name", handle)
        profile.setdefault("nickname", email.split("@")[0] if email else handle)
        if "picture" not in profile:  # (an md5 and a quoting: only when needed)
            profile["picture"] = default_picture(email, profile.get("name"))
    return filled


def check_metadata(prop: str, metadata: Any) -> None:
    """Metadata key rules (docs/auth0-behaviour.md#metadata): no ``.`` or ``$``; reserved
    app_metadata keys."""
    if not isinstance(metadata, dict):
        return
    for key, value in metadata.items():
        if "." in key or "$" in key:
            raise Auth0Error.invalid_body(Msg.METADATA_KEY_INVALID.format(prop=prop))
        if prop == "app_metadata" and key in RESERVED_APP_METADATA:
            raise Auth0Error.invalid_body(Msg.APP_METADATA_RESERVED.format(key=key))
        if isinstance(value, dict):
            check_metadata(f"{prop}.{key}", value)


def merge_metadata(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """First-level merge: ``null`` deletes a key, ``{}`` clears all
    (docs/auth0-behaviour.md#metadata)."""
    if not patch:
        return {}
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class UserDirectory:
    """Every user of a tenant, with the indexes that keep exact look-ups flat.

    Indexes: user id -> user; (provider, bare id) of every identity -> the owning primary;
    e-mail -> user ids; (connection, attribute, value) -> the primaries holding that value in
    that connection, on their own identity (the root profile) or on a linked one (its
    ``profileData``: a linked identity still holds its e-mail in its connection). Listeners
    (the search index) hear of every write through :meth:`put` and :meth:`remove`, so no index
    can drift from the records.
    """

    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._owners: dict[tuple[str, str], str] = {}
        self._by_email: dict[str, dict[str, None]] = {}
        self._holders: dict[tuple[str, str, Any], dict[str, None]] = {}
        self.listeners: list[Callable[[str, User | None, User | None], None]] = []

    def __len__(self) -> int:
        return len(self._users)

    def __iter__(self) -> Iterator[User]:
        return iter(self._users.values())

    def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def require(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise Auth0Error.user_not_found()
        return user

    def owner_of(self, provider: str, bare_id: str | int) -> User | None:
        """The primary user holding the identity ``provider|bare_id``, linked or not."""
        owner = self._owners.get((provider, str(bare_id)))
        return None if owner is None else self._users[owner]

    def by_email(self, email: str) -> list[User]:
        return [self._users[uid] for uid in self._by_email.get(email, ())]

    def holders(self, connection: str, attribute: str, value: Any) -> list[User]:
        """The primaries holding ``attribute == value`` in ``connection``, linked or not."""
        return [self._users[uid] for uid in self._holders.get((connection, attribute, value), ())]

    @staticmethod
    def _held(user: User) -> list[tuple[str, str, Any]]:
        held = []
        for index, identity in enumerate(user.identities):
            values = user.profile if index == 0 else (identity.profile_data or {})
            for attribute in UNIQUE_PER_CONNECTION:
                value = values.get(attribute)
                if type(value) is str:
                    held.append((identity.connection, attribute, value))
        return held

    def put(self, user: User) -> None:
        old = self._users.get(user.user_id)
        if old is not None:
            self._unindex(old)
        self._users[user.user_id] = user
        for identity in user.identities:
            self._owners[identity.key] = user.user_id
        if user.email is not None:
            self._by_email.setdefault(user.email, {})[user.user_id] = None
        for key in self._held(user):
            self._holders.setdefault(key, {})[user.user_id] = None
        for listener in self.listeners:
            listener(user.user_id, old, user)

    def remove(self, user_id: str) -> User:
        user = self._users.pop(user_id)
        self._unindex(user)
        for listener in self.listeners:
            listener(user_id, user, None)
        return user

    def clear(self) -> None:
        for user_id in list(self._users):
            self.remove(user_id)

    def _unindex(self, user: User) -> None:
        for identity in user.identities:
            if self._owners.get(identity.key) == user.user_id:
                del self._owners[identity.key]
        if user.email is not None:
            holders = self._by_email.get(user.email)
            if holders is not None:
                holders.pop(user.user_id, None)
                if not holders:
                    del self._by_email[user.email]
        for key in self._held(user):
            holders = self._holders.get(key)
            if holders is not None:
                holders.pop(user.user_id, None)
                if not holders:
                    del self._holders[key]


def normalize_email(connection: Connection, email: str) -> str:
    """Database and passwordless (Auth0 store) connections lower-case e-mails; IdPs do not."""
    if connection.is_database or connection.is_passwordless:
        return email.lower()
    return email


def profile_from_fields(fields: dict[str, Any]) -> dict[str, Any]:
    # json_copy, not deepcopy: the same copy for JSON values, without deepcopy's per-value
    # dispatch on every string of every created user.
    return {k: json_copy(v) for k, v in fields.items() if k not in _NON_PROFILE}


def build_user(connection: Connection, fields: dict[str, Any], object_id: str, now: str) -> User:
    """A new user for ``POST /users`` on a database or passwordless connection
    (docs/auth0-behaviour.md#creating-users).

    ``fields`` has passed the spec's schema; this applies the rules the schema cannot say.
    """
    if not (connection.is_database or connection.is_passwordless):
        raise Auth0Error.invalid_body(Msg.CONNECTION_NO_CREATE)
    fields = dict(fields)
    email = fields.get("email")
    if email is not None:
        fields["email"] = email = normalize_email(connection, email)
    if "password" in fields and not connection.is_database:
        raise Auth0Error.invalid_body(Msg.PASSWORD_NOT_ALLOWED)
    if "username" in fields and not connection.allows_username:
        raise Auth0Error.invalid_body(Msg.USERNAME_NOT_ALLOWED)
    if connection.is_database:
        if email is None:
            raise Auth0Error.invalid_body(Msg.EMAIL_REQUIRED)
        if connection.requires_username and "username" not in fields:
            raise Auth0Error.invalid_body(Msg.USERNAME_REQUIRED)
        if "password" not in fields:
            raise Auth0Error.invalid_body(Msg.PASSWORD_REQUIRED)
        connection.check_password(fields["password"])
    if "username" in fields:
        fields["username"] = fields["username"].lower()
        connection.check_username(fields["username"])
    if connection.strategy == "email" and email is None:
        raise Auth0Error.invalid_body(Msg.EMAIL_REQUIRED)
    if connection.strategy == "sms" and fields.get("phone_number") is None:
        raise Auth0Error.invalid_body(Msg.PHONE_REQUIRED)
    for prop in ("user_metadata", "app_metadata"):
        check_metadata(prop, fields.get(prop))

    bare_id = fields.get("user_id") or object_id
    if "/" in bare_id or bare_id in (".", ".."):
        # A URL cannot name such a user: ``%2F`` is decoded to a path separator.
        raise Auth0Error.invalid_body(Msg.USER_ID_UNADDRESSABLE)
    profile = profile_from_fields(fields)
    if email is not None:
        profile.setdefault("email_verified", False)
    if fields.get("phone_number") is not None:
        profile.setdefault("phone_verified", False)
    handle = email or fields.get("phone_number") or fields.get("username") or bare_id
    generated = fill_defaults(profile, handle)
    return User(
        user_id=f"{connection.provider}|{bare_id}",
        identities=[Identity(connection.name, connection.provider, bare_id, False)],
        profile=profile,
        created_at=now,
        updated_at=now,
        app_metadata={k: v for k, v in (fields.get("app_metadata") or {}).items() if v is not None},
        user_metadata={
            k: v for k, v in (fields.get("user_metadata") or {}).items() if v is not None
        },
        user_metadata_set=fields.get("user_metadata") is not None,
        generated=generated,
        password_hash=hash_password(fields["password"]) if "password" in fields else None,
    )


def apply_update(user: User, connection: Connection, fields: dict[str, Any], now: str) -> User:
    """``PATCH /users/{id}`` on the user's primary identity
    (docs/auth0-behaviour.md#what-a-patch-may-change, docs/auth0-behaviour.md#metadata); returns a
    new record."""
    refused = [name for name in fields if name not in UPDATABLE]
    if refused:  # read-only and unknown alike, all named (auth0-java #58)
        raise Auth0Error.invalid_body(Msg.NOT_UPDATABLE.format(names=",".join(refused)))
    for a, b in EXCLUSIVE_PAIRS:
        if a in fields and b in fields:
            raise Auth0Error.bad_request(Msg.CANNOT_UPDATE_TOGETHER.format(a=a, b=b))
    if "email" in fields and not (connection.is_database or connection.is_passwordless):
        raise Auth0Error.bad_request(Msg.EMAIL_NON_DB)
    if "email_verified" in fields and connection.is_enterprise:
        raise Auth0Error.bad_request(Msg.EMAIL_VERIFICATION_ENTERPRISE)
    if connection.sync_user_root_attributes == "on_each_login" and any(f in fields for f in SYNCED):
        raise Auth0Error.bad_request(Msg.SYNCED_ATTRIBUTES)
    if fields.get("password") is not None:
        if not connection.is_database:
            raise Auth0Error.bad_request(Msg.PASSWORD_NOT_ALLOWED)
        connection.check_password(fields["password"])
    if "username" in fields:
        if not connection.allows_username:
            raise Auth0Error.bad_request(Msg.USERNAME_NOT_ALLOWED)
        if fields["username"] is not None:
            fields = {**fields, "username": fields["username"].lower()}
            connection.check_username(fields["username"])
    for prop in ("user_metadata", "app_metadata"):
        check_metadata(prop, fields.get(prop))

    updated = copy.copy(user)
    updated.profile = dict(user.profile)
    for key, value in profile_from_fields(fields).items():
        if value is None:
            updated.profile.pop(key, None)
        elif key == "email":
            updated.profile[key] = normalize_email(connection, value)
        else:
            updated.profile[key] = value
    if user.generated:
        updated.generated = [k for k in user.generated if k not in fields]
    if "email" in fields and "email_verified" not in fields and fields["email"] is not None:
        updated.profile["email_verified"] = False
    if "user_metadata" in fields:
        updated.user_metadata = merge_metadata(user.user_metadata, fields["user_metadata"] or {})
        updated.user_metadata_set = True
    if "app_metadata" in fields:
        updated.app_metadata = merge_metadata(user.app_metadata, fields["app_metadata"] or {})
    if fields.get("password") is not None:
        updated.password_hash = hash_password(fields["password"])
        updated.last_password_reset = now
    updated.updated_at = now
    return updated


#: What a PATCH naming a secondary identity's ``connection`` changes on that identity (spec
#: ``patch_users_by_id``: "email, email_verified, phone_number, phone_verified, username or
#: password of a secondary identity").
SECONDARY_UPDATABLE = (
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "username",
    "password",
)


def apply_secondary_update(
    user: User, index: int, connection: Connection, fields: dict[str, Any], now: str
) -> User:
    """``PATCH /users/{id}`` with the ``connection`` of the linked identity ``index``: the
    identity's attributes change in its ``profileData`` (its password in its own hash); the
    account's own attributes (metadata, ``blocked``) change on the user. Returns a new record."""
    refused = [name for name in fields if name not in UPDATABLE]
    if refused:
        raise Auth0Error.invalid_body(Msg.NOT_UPDATABLE.format(names=",".join(refused)))
    if any(name in fields for name in SYNCED):
        raise Auth0Error.bad_request(Msg.SECONDARY_SYNCED_ATTRIBUTES)
    own = {k: v for k, v in fields.items() if k in SECONDARY_UPDATABLE}
    for a, b in EXCLUSIVE_PAIRS:
        if a in own and b in own:
            raise Auth0Error.bad_request(Msg.CANNOT_UPDATE_TOGETHER.format(a=a, b=b))
    if "email" in own and not (connection.is_database or connection.is_passwordless):
        raise Auth0Error.bad_request(Msg.EMAIL_NON_DB)
    if "email_verified" in own and connection.is_enterprise:
        raise Auth0Error.bad_request(Msg.EMAIL_VERIFICATION_ENTERPRISE)
    identity = user.identities[index]
    password_hash = identity.password_hash
    if own.get("password") is not None:
        if not connection.is_database:
            raise Auth0Error.bad_request(Msg.PASSWORD_NOT_ALLOWED)
        connection.check_password(own["password"])
        password_hash = hash_password(own["password"])
    if "username" in own:
        if not connection.allows_username:
            raise Auth0Error.bad_request(Msg.USERNAME_NOT_ALLOWED)
        if own["username"] is not None:
            own["username"] = own["username"].lower()
            connection.check_username(own["username"])
    profile = dict(identity.profile_data or {})
    for key, value in own.items():
        if key == "password":
            continue
        if value is None:
            profile.pop(key, None)
        else:
            profile[key] = normalize_email(connection, value) if key == "email" else value
    if own.get("email") is not None and "email_verified" not in own:
        profile["email_verified"] = False
    rest = {k: v for k, v in fields.items() if k not in SECONDARY_UPDATABLE}
    updated = user.clone()
    if rest:
        updated = apply_update(user, connection, rest, now)
    updated.identities = list(user.identities)
    updated.identities[index] = dataclasses.replace(
        identity, profile_data=profile, password_hash=password_hash
    )
    updated.updated_at = now
    return updated


def apply_connection_update(
    user: User, connection: Connection, fields: dict[str, Any], now: str
) -> User:
    """``PATCH /users/{id}`` naming ``connection`` (by default the primary's): the primary
    identity's rules, or, for a linked identity's connection, that identity's (spec
    ``patch_users_by_id``). A connection the user holds no linked identity of is refused."""
    if connection.name == user.primary.connection:
        return apply_update(user, connection, fields, now)
    index = next(
        (n for n, i in enumerate(user.identities) if n and i.connection == connection.name),
        None,
    )
    if index is None:
        raise Auth0Error.bad_request(Msg.CONNECTION_NOT_SUPPORTED)
    return apply_secondary_update(user, index, connection, fields, now)


def split_idp_tokens(profile: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An IdP's answer split into profile claims and the tokens its identity keeps."""
    tokens = {k: profile[k] for k in IDP_TOKEN_KEYS if profile.get(k) is not None}
    if not tokens:
        return profile, {}
    return {k: v for k, v in profile.items() if k not in IDP_TOKEN_KEYS}, tokens


def added_social_user(
    connection: Connection, bare_id: str | int, profile: dict[str, Any], now: str
) -> User:
    """The user ``Tenant.add_social_user`` stores: as after a first social or enterprise login,
    that login counted (CHOICES.md "add_social_user login fields"; no client IP to record)."""
    if connection.is_database or connection.is_passwordless:
        raise ValueError(f"{connection.name!r} is not a social or enterprise connection")
    user = social_user(connection, bare_id, profile, now)
    user.logins_count, user.last_login = 1, user.created_at
    return user


def social_user(
    connection: Connection, bare_id: str | int, profile: dict[str, Any], now: str
) -> User:
    """What Auth0 stores after a first social or enterprise login: IdP claims at the root, the
    IdP's tokens on the identity."""
    profile, tokens = split_idp_tokens(profile)
    profile = {k: copy.deepcopy(v) for k, v in profile.items() if k not in _NON_PROFILE}
    generated = fill_defaults(profile, profile.get("email") or str(bare_id))
    return User(
        user_id=f"{connection.provider}|{bare_id}",
        identities=[
            Identity(
                connection.name, connection.provider, bare_id, connection.is_social
            ).with_tokens(tokens)
        ],
        profile=profile,
        created_at=now,
        updated_at=now,
        generated=generated,
    )


def drop_connection_users(directory: UserDirectory, connection: str, now: str) -> None:
    """A connection is gone: its users with it, and its identities linked into other users
    (which are then updated at ``now``)."""
    for user in list(directory):
        if user.primary.connection == connection:
            directory.remove(user.user_id)
        elif any(identity.connection == connection for identity in user.identities):
            kept = user.clone()
            kept.identities = [i for i in user.identities if i.connection != connection]
            kept.updated_at = now
            directory.put(kept)


def drop_user_by_email(directory: UserDirectory, connection: str, email: str) -> None:
    """``DELETE /connections/{id}/users?email=``: the user of ``connection`` (its primary
    identity) with that e-mail, if any; database e-mails are stored lower-cased."""
    for user in directory.by_email(email.lower()):
        if user.primary.connection == connection:
            directory.remove(user.user_id)
