"""Simulated logins through a connection, and the post-login hooks that run on them
(docs/auth0-behaviour.md#logins).

A test cannot drive Google's consent screen, but it can say "this Google account logged in with
this profile": :func:`login` does what Auth0 does then. The first social (or passwordless) login
creates the user; every login updates ``logins_count``, ``last_login``, ``last_ip`` and
``updated_at``, refreshes root attributes as the connection's sync setting says, resolves a
linked identity to its primary (:func:`sign_in`); then, once the post-login Actions ran
(:mod:`fakeauth0.post_login`), applies what they asked and runs the Python hooks
(:func:`finish`). :func:`simulated_tokens` is the ID token a ``link_with`` request sends.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .blocks import Guard
from .clients import Client
from .connections import Connection, require_connection
from .errors import OAuthError, OAuthMsg
from .executions import DENIED_STATUS, Outcome, TokenChanges
from .ids import IdSource
from .logs import DISCARD, LogBook
from .tokens import TokenAuthority
from .uniqueness import find_duplicate
from .users import (
    Identity,
    User,
    UserDirectory,
    build_user,
    password_matches,
    social_user,
    split_idp_tokens,
)

#: Claims of the ID token taken from the user's root profile (scopes openid profile email).
ID_TOKEN_CLAIMS = (
    "given_name",
    "family_name",
    "nickname",
    "name",
    "picture",
    "locale",
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
)
DEFAULT_IP = "127.0.0.1"


@dataclass
class LoginEvent:
    """What a post-login hook is told (Auth0 Actions' ``event``)."""

    connection: Connection
    #: The identity that authenticated; after linking it may sit in another user's identities.
    identity: Identity
    #: The user the login resolved to, as stored now.
    user: User
    client_id: str
    ip: str
    first_login: bool


@dataclass
class LoginApi:
    """What a post-login hook may do (Auth0 Actions' ``api``): manage the tenant, switch the
    subject after linking (``api.authentication.setPrimaryUser``), or refuse the login."""

    #: The tenant the login happens on (a :class:`~fakeauth0.tenant.Tenant`), to manage.
    tenant: Any
    primary_user_id: str | None = field(default=None, init=False)

    def set_primary_user(self, user_id: str) -> None:
        self.primary_user_id = user_id

    def deny(self, reason: str) -> None:
        """Fail the login as ``api.access.deny(reason)`` does."""
        raise OAuthError(403, "access_denied", reason)


LoginHook = Callable[[LoginEvent, LoginApi], None]


@dataclass(frozen=True)
class LoginDesk:
    """What a login needs of its tenant: the records it reads and writes, the token issuer, the
    hooks, and the time of the login. ``tenant`` is only handed to hooks (``api.tenant``)."""

    users: UserDirectory
    connections: Mapping[str, Connection]
    clients: Mapping[str, Client]
    tokens: TokenAuthority
    ids: IdSource
    hooks: Sequence[LoginHook]
    default_client_id: str
    now: str
    tenant: Any
    #: Brute-force protection, consulted by every database login.
    guard: Guard
    #: Where the login's outcome is recorded (the tenant logs: ``s``, ``f``, ``fp``, ``fu``...).
    log: LogBook = DISCARD


@dataclass
class LoginResult:
    """The outcome of a login: the user (a primary) and the tokens the app receives."""

    user: User
    id_token: str
    access_token: str | None = None
    #: With an ``audience``: the whole token response, as ``/oauth/token`` answers it.
    tokens: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"user": self.user.to_json()}
        body.update(self.tokens or {"id_token": self.id_token})
        if self.access_token is not None:
            body["access_token"] = self.access_token
        return body


def simulated_tokens(
    desk: LoginDesk,
    user: User,
    client_id: str,
    scope: str | None = None,
    changes: TokenChanges | None = None,
) -> LoginResult:
    """The tokens of a simulated login: an ID token with the user's profile claims (the one a
    ``link_with`` request sends) and, with ``scope`` (e.g. ``"update:current_user_identities"``),
    a Management API access token for the user; ``changes``: the custom claims post-login
    Actions set on the ID token."""
    claims = {k: copy.deepcopy(user.profile[k]) for k in ID_TOKEN_CLAIMS if k in user.profile}
    claims["updated_at"] = user.updated_at
    if changes is not None:
        claims.update(copy.deepcopy(dict(changes.id_token)))
    id_token = desk.tokens.issue_id_token(user.user_id, client_id, claims)
    access_token = None
    if scope is not None:
        access_token = desk.tokens.issue_user_access_token(user.user_id, client_id, scope.split())
    return LoginResult(user, id_token, access_token)


@dataclass(frozen=True)
class Attempt:
    """A login that passed and was counted (:func:`sign_in`), not yet finished: the Actions
    and the hooks run on it next (:func:`finish`)."""

    connection: Connection
    identity: Identity
    #: The user as counted (a primary), ``logins_count`` already incremented.
    user: User
    client_id: str
    ip: str
    first_login: bool
    now: str


def authenticate(desk: LoginDesk, connection: str, **fields: Any) -> User:
    """One successful authentication through ``connection`` with no Actions to run:
    :func:`sign_in` then :func:`finish`; the caller holds the tenant lock."""
    return finish(desk, sign_in(desk, connection, **fields))


def sign_in(
    desk: LoginDesk,
    connection: str,
    *,
    user_id: str | int | None = None,
    email: str | None = None,
    username: str | None = None,
    password: str | None = None,
    profile: dict[str, Any] | None = None,
    ip: str | None = None,
    client_id: str | None = None,
) -> Attempt:
    """The first half of every door's one pipeline (the login page, the password grants,
    ``tenant.login``): check who logs in and count the login; the caller holds the tenant lock.

    Database logins need an existing user (``email``, ``username`` or ``user_id``); a
    ``password``, when given, must match. Social, enterprise and passwordless logins create the
    user on first use. A refused login raises :class:`OAuthError`; a blocked user's attempt is
    counted first (docs/auth0-behaviour.md#root-attributes).
    """
    conn = require_connection(desk.connections, connection)
    client_id = client_id or desk.default_client_id
    if client_id not in desk.clients:
        raise OAuthError(
            400, "invalid_request", OAuthMsg.UNKNOWN_CLIENT.format(client_id=client_id)
        )
    profile = dict(profile or {})
    if email is not None:
        profile["email"] = email
    now = desk.now
    first_login = False
    ip = ip or DEFAULT_IP
    if conn.is_database:
        owner, identity = _database_identity(
            desk, conn, user_id, email, username, password, ip, client_id
        )
    else:
        found = _find_identity(desk, conn, user_id, profile)
        if found is None:
            owner, identity = _first_login(desk, conn, user_id, profile, now)
            first_login = True
        else:
            owner, identity = _refresh(desk, conn, *found, profile)
    user = _count_login(desk, owner, now, ip)
    if user.profile.get("blocked"):
        desk.log.login("f", desk, conn, client_id, ip, user, OAuthMsg.USER_BLOCKED)
        raise OAuthError(401, "unauthorized", OAuthMsg.USER_BLOCKED)
    return Attempt(conn, identity, user, client_id, ip, first_login, now)


def creates_user(
    desk: LoginDesk,
    connection: Connection,
    *,
    email: str | None = None,
    profile: dict[str, Any] | None = None,
    user_id: str | int | None = None,
) -> bool:
    """Whether :func:`sign_in` through the passwordless or IdP ``connection`` would create
    its user (a first login); the caller holds the tenant lock."""
    profile = dict(profile or {})
    if email is not None:
        profile["email"] = email
    return _find_identity(desk, connection, user_id, profile) is None


def finish(desk: LoginDesk, attempt: Attempt, outcome: Outcome | None = None) -> User:
    """The second half, once the post-login Actions ran (``outcome``; None when none is
    bound): their queued metadata is written, even when one denied the login; a denial or an
    error fails the login with ``access_denied``; ``setPrimaryUser`` switches the subject; then
    the Python hooks run. Returns the user the login resolved to (a primary)."""
    user = desk.users.get(attempt.user.user_id) or attempt.user
    if outcome is not None:
        user = apply_metadata(desk, user, outcome.app_metadata, outcome.user_metadata)
        if outcome.denied is not None:
            desk.log.login(
                "f", desk, attempt.connection, attempt.client_id, attempt.ip, user, outcome.denied
            )
            raise OAuthError(DENIED_STATUS, "access_denied", outcome.denied)
        if outcome.primary_user is not None:
            user = _switch_subject(desk, attempt, user, outcome.primary_user)
        elif desk.users.get(user.user_id) is None:
            raise OAuthError(
                403, "access_denied", OAuthMsg.PRIMARY_USER_NOT_SET.format(user_id=user.user_id)
            )
    user = _run_hooks(desk, attempt.connection, attempt.identity, user, attempt, attempt.now)
    desk.log.login("s", desk, attempt.connection, attempt.client_id, attempt.ip, user)
    return user


def apply_metadata(
    desk: LoginDesk, user: User, app: Mapping[str, Any], user_meta: Mapping[str, Any]
) -> User:
    """The metadata an execution queued, written once: each key set, ``None`` deletes it
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
    A user deleted meanwhile is left alone."""
    if not app and not user_meta:
        return user
    current = desk.users.get(user.user_id)
    if current is None:
        return user
    changed = copy.copy(current)
    changed.app_metadata = merged_metadata(current.app_metadata, app)
    if user_meta:
        changed.user_metadata = merged_metadata(current.user_metadata, user_meta)
        changed.user_metadata_set = True
    changed.updated_at = desk.now
    desk.users.put(changed)
    return changed


def merged_metadata(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with an execution's queued top-level ``changes`` (``None`` deletes a key)."""
    merged = copy.deepcopy(dict(current))
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _database_identity(
    desk: LoginDesk,
    conn: Connection,
    user_id: str | int | None,
    email: str | None,
    username: str | None,
    password: str | None,
    ip: str,
    client_id: str,
) -> tuple[User, Identity]:
    """Find the database identity (linked or not); wrong or unknown credentials fail alike.
    A known account passes brute-force protection first (:mod:`fakeauth0.blocks`): a blocked
    address is refused whatever the password, and the password's outcome is counted."""
    wrong = OAuthError(403, "invalid_grant", OAuthMsg.WRONG_CREDENTIALS)
    if user_id is None and email is None and username is None:
        raise OAuthError(
            400,
            "invalid_request",
            OAuthMsg.LOGIN_NEEDS_IDENTITY.format(
                connection=conn.name, needs="an email, a username or a user_id"
            ),
        )
    if user_id is not None:
        found = _owned(desk, conn, user_id)
    else:
        attribute, value = ("email", email.lower()) if email else ("username", username)
        found = _search(desk, conn, attribute, value)
    typed = email.lower() if email else username
    if found is None:
        desk.log.login("fu", desk, conn, client_id, ip, typed or str(user_id), wrong.description)
        raise wrong
    owner, identity = found
    try:
        attempt = desk.guard.attempt(owner, typed, conn.name, ip, client_id)
    except OAuthError as refused:
        desk.log.login("limit_wc", desk, conn, client_id, ip, owner, refused.description)
        raise
    stored = owner.password_hash if identity is owner.primary else identity.password_hash
    if password is not None and not password_matches(stored, password):
        attempt.failed()
        desk.log.login("fp", desk, conn, client_id, ip, owner, wrong.description)
        raise wrong
    attempt.passed()
    return owner, identity


def _find_identity(
    desk: LoginDesk, conn: Connection, user_id: str | int | None, profile: dict[str, Any]
) -> tuple[User, Identity] | None:
    if user_id is not None:
        return _owned(desk, conn, user_id)
    for attribute in ("email", "phone_number"):
        value = profile.get(attribute)
        if value is not None:
            if attribute == "email" and conn.is_passwordless:
                value = value.lower()  # the Auth0 store keeps e-mails lower-cased
            return _search(desk, conn, attribute, value)
    if conn.is_passwordless:
        needs = "an email" if conn.strategy == "email" else "a phone_number in the profile"
    else:
        needs = "a user_id (the IdP's id) or an email"
    raise OAuthError(
        400,
        "invalid_request",
        OAuthMsg.LOGIN_NEEDS_IDENTITY.format(connection=conn.name, needs=needs),
    )


def _owned(desk: LoginDesk, conn: Connection, bare_id: str | int) -> tuple[User, Identity] | None:
    owner = desk.users.owner_of(conn.provider, bare_id)
    if owner is None:
        return None
    key = (conn.provider, str(bare_id))
    identity = next(i for i in owner.identities if i.key == key)
    return (owner, identity) if identity.connection == conn.name else None


def _search(
    desk: LoginDesk, conn: Connection, attribute: str, value: Any
) -> tuple[User, Identity] | None:
    """An identity of ``conn`` whose profile (root, or ``profileData`` if linked) matches."""
    for user in desk.users:
        for index, identity in enumerate(user.identities):
            if identity.connection != conn.name:
                continue
            data = user.profile if index == 0 else (identity.profile_data or {})
            if data.get(attribute) == value:
                return user, identity
    return None


def _first_login(
    desk: LoginDesk, conn: Connection, user_id: str | int | None, profile: dict[str, Any], now: str
) -> tuple[User, Identity]:
    """The first login through an IdP or a passwordless connection creates the user."""
    if conn.is_passwordless:
        # Completing a passwordless login proves the address or the phone.
        verified = "email_verified" if conn.strategy == "email" else "phone_verified"
        fields = {**profile, "connection": conn.name, verified: True}
        if user_id is not None:
            fields["user_id"] = str(user_id)
        user = build_user(conn, fields, desk.ids.object_id(), now)
    else:
        bare_id = user_id if user_id is not None else desk.ids.digits(21)
        user = social_user(conn, bare_id, profile, now)
    duplicate = find_duplicate(desk.users, desk.connections, user)
    if duplicate is not None:
        raise duplicate.on_create()
    desk.users.put(user)
    return user, user.primary


def _refresh(
    desk: LoginDesk, conn: Connection, owner: User, identity: Identity, profile: dict[str, Any]
) -> tuple[User, Identity]:
    """``set_user_root_attributes = on_each_login``: the IdP's claims overwrite what is stored.

    For the user's own identity that is the root profile; for a linked identity, its
    ``profileData`` (CHOICES.md); the primary's root is never filled from a secondary
    (docs/auth0-behaviour.md#logins).
    """
    profile, tokens = split_idp_tokens(profile)
    sync = bool(profile) and conn.sync_user_root_attributes == "on_each_login"
    if not sync and not tokens:
        return owner, identity
    updated = copy.copy(owner)
    # Each login brings the IdP's current tokens, whatever the sync setting.
    fresh = identity.with_tokens(tokens)
    if sync and identity is owner.primary:
        updated.profile = {**owner.profile, **copy.deepcopy(profile)}
    elif sync:
        fresh = copy.copy(fresh)
        fresh.profile_data = {**(identity.profile_data or {}), **copy.deepcopy(profile)}
    updated.identities = [fresh if i is identity else i for i in owner.identities]
    desk.users.put(updated)
    return updated, fresh


def _count_login(desk: LoginDesk, user: User, now: str, ip: str) -> User:
    counted = copy.copy(user)
    counted.logins_count = (user.logins_count or 0) + 1
    counted.last_login = now
    counted.last_ip = ip
    counted.updated_at = now
    desk.users.put(counted)
    return counted


def _switch_subject(desk: LoginDesk, attempt: Attempt, user: User, primary_user_id: str) -> User:
    """``setPrimaryUser``: the login's identity must now belong to ``primary_user_id``, which
    becomes the subject (docs/auth0-behaviour.md#linking-during-a-login)."""
    identity = attempt.identity
    owner = desk.users.owner_of(identity.provider, identity.user_id)
    if owner is None or owner.user_id != primary_user_id:
        raise OAuthError(
            403,
            "access_denied",
            OAuthMsg.PRIMARY_USER_MISMATCH.format(
                identity=f"{identity.provider}|{identity.user_id}", user_id=primary_user_id
            ),
        )
    if owner.user_id != user.user_id:
        # The login is counted on the user that ends up as the subject (CHOICES.md).
        return _count_login(desk, owner, attempt.now, attempt.ip)
    return owner


def _run_hooks(
    desk: LoginDesk,
    conn: Connection,
    identity: Identity,
    user: User,
    attempt: Attempt,
    now: str,
) -> User:
    """Run each hook in order; a hook that linked the login's user away must switch the primary.

    Auth0 fails the login when ``setPrimaryUser`` names a user the identity is not linked to
    (docs/auth0-behaviour.md#linking-during-a-login); the fake also fails it when the subject
    vanished by linking and no primary was set, where Auth0 would issue a token for a user that
    is gone.
    """
    for hook in desk.hooks:
        api = LoginApi(desk.tenant)
        event = LoginEvent(conn, identity, user, attempt.client_id, attempt.ip, attempt.first_login)
        hook(event, api)
        if api.primary_user_id is not None:
            user = _switch_subject(desk, attempt, user, api.primary_user_id)
            continue
        current = desk.users.get(user.user_id)
        if current is None:
            raise OAuthError(
                403, "access_denied", OAuthMsg.PRIMARY_USER_NOT_SET.format(user_id=user.user_id)
            )
        user = current
    return user
