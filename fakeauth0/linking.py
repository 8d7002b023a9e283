"""Account linking and unlinking: Auth0's rules on a tenant's users.

The rules are in docs/auth0-behaviour.md#account-linking and docs/auth0-behaviour.md#unlinking.

Domain only: functions take the tenant's :class:`~fakeauth0.users.UserDirectory` and return
records or raise :class:`~fakeauth0.errors.Auth0Error`. The caller holds the tenant lock.
Where that reference says UNCONFIRMED, the answer chosen is listed in ``CHOICES.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .connections import Connection
from .errors import Auth0Error, Msg
from .tokens import TokenAuthority, TokenRejected
from .users import Identity, User, UserDirectory, fill_defaults, json_copy

#: errorCode of the "provider/connection is not configured" 400, seen in node-auth0 #554.
INEXISTENT_CONNECTION = "inexistent_connection"


def identities_json(user: User, *, idp_tokens: bool = False) -> list[dict[str, Any]]:
    """The body of both link (201) and unlink (200): the primary's whole identities array,
    the primary's own identity with ``profileData`` too, which ``GET /users/{id}`` leaves out
    (auth0/go-auth0 v1, test/data/recordings/TestUserManager_Link.yaml and _Unlink.yaml).
    Shares ``profileData`` with the record: it is encoded at once, never kept."""
    rows = [identity.to_json(copy=False, idp_tokens=idp_tokens) for identity in user.identities]
    rows[0]["profileData"] = user.profile_data()
    return rows


def link(
    directory: UserDirectory,
    connections: Mapping[str, Connection],
    primary_id: str,
    provider: str,
    bare_id: str | int,
    now: str,
    *,
    connection_id: str | None = None,
    missing: str = Msg.LINK_INEXISTENT_IDENTITY,
) -> User:
    """Link the identity ``provider|bare_id`` (and every identity of its owner) into a primary.

    The owner of the identity disappears; its identities follow the primary's own, the owner's
    main identity first with ``profileData``; its metadata is dropped. The primary's root
    attributes and metadata stay as they are (docs/auth0-behaviour.md#what-linking-changes). An
    identity already linked elsewhere drags its whole owner along, as a real tenant does
    (docs/auth0-behaviour.md#linking-errors).
    """
    primary = directory.require(primary_id)
    connection = _linkable_connection(connections, provider, connection_id)
    prefix = provider + "|"
    if (
        isinstance(bare_id, str)
        and bare_id.startswith(prefix)
        and directory.owner_of(provider, bare_id) is None
    ):
        # The full user id ("auth0|<id>") names the same identity as its bare id.
        bare_id = bare_id[len(prefix) :]
    owner = directory.owner_of(provider, bare_id)
    identity = None if owner is None else _find(owner, provider, bare_id)
    if owner is None or identity is None:
        raise Auth0Error.bad_request(missing)
    if connection is not None and identity.connection != connection.name:
        raise Auth0Error.bad_request(missing)
    if owner.user_id == primary.user_id:
        if identity is primary.primary:
            raise Auth0Error.bad_request(Msg.LINK_SAME_IDENTITY)
        raise Auth0Error(409, Msg.LINK_IDENTITY_EXISTS)
    moved = [_as_secondary(owner)] + [copy.deepcopy(i) for i in owner.identities[1:]]
    merged = primary.clone()
    merged.identities = [*primary.identities, *moved]
    merged.updated_at = now
    directory.remove(owner.user_id)
    directory.put(merged)
    return merged


def unlink(
    directory: UserDirectory, primary_id: str, provider: str, bare_id: str, now: str
) -> tuple[User, User | None]:
    """Take a secondary identity out of a primary; it comes back as a user of its own.

    Returns the primary and the re-created user: ``provider|bare_id``, profile from
    ``profileData``, no metadata, ``created_at`` now (docs/auth0-behaviour.md#unlinking). An
    identity the primary does not hold leaves everything unchanged and re-creates nobody
    (CHOICES.md).
    """
    primary = directory.require(primary_id)
    if primary.primary.key == (provider, str(bare_id)):
        raise Auth0Error.bad_request(Msg.UNLINK_MAIN_IDENTITY)
    index = _index_of(primary, provider, bare_id)
    prefix = provider + "|"
    if index is None and bare_id.startswith(prefix):
        # The unlink docs allow "<provider>|<id>" in place of the bare id.
        return unlink(directory, primary_id, provider, bare_id[len(prefix) :], now)
    if index is None:
        return primary, None
    identity = primary.identities[index]
    remaining = primary.clone()
    remaining.identities = [i for n, i in enumerate(primary.identities) if n != index]
    remaining.updated_at = now
    restored = _restore(identity, now)
    directory.put(remaining)
    directory.put(restored)
    return remaining, restored


def secondary_from_id_token(
    tokens: TokenAuthority, link_with: str, caller_azp: str | None
) -> tuple[str, str]:
    """Check a ``link_with`` ID token as Auth0 does; return the secondary's (provider, bare id).

    Order and messages follow the spec's ``post_identities`` 400 list
    (docs/auth0-behaviour.md#linking-requests): RS256, the tenant's signature, the caller's issuer,
    ``aud`` equal to the caller's ``azp``, a ``sub``.
    """
    try:
        claims = tokens.signed_claims(link_with)
    except TokenRejected as rejected:
        if rejected.reason == "algorithm":
            raise Auth0Error.bad_request(Msg.LINK_WITH_ALG) from None
        if rejected.reason == "signature":
            raise Auth0Error.unauthorized(Msg.BAD_SIGNATURE) from None
        raise Auth0Error.bad_request(Msg.LINK_WITH_INVALID) from None
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp <= tokens.clock.time():
        raise Auth0Error.bad_request(Msg.LINK_WITH_INVALID)
    if claims.get("iss") != tokens.issuer:
        raise Auth0Error.bad_request(Msg.LINK_WITH_ISSUER)
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise Auth0Error.bad_request(Msg.LINK_WITH_AUD_INVALID)
    if caller_azp not in audiences:
        raise Auth0Error.bad_request(Msg.LINK_WITH_AUD_AZP)
    sub = claims.get("sub")
    if sub is None:
        raise Auth0Error.bad_request(Msg.LINK_WITH_SUB_MISSING)
    provider, bar, bare_id = sub.partition("|") if isinstance(sub, str) else ("", "", "")
    if not (provider and bar and bare_id):
        raise Auth0Error.bad_request(Msg.LINK_WITH_SUB_INVALID)
    return provider, bare_id


def _linkable_connection(
    connections: Mapping[str, Connection], provider: str, connection_id: str | None
) -> Connection | None:
    """The provider must have a connection in the tenant; ``connection_id`` must be one of them."""
    candidates = [c for c in connections.values() if c.provider == provider]
    if connection_id is not None:
        candidates = [c for c in candidates if c.id == connection_id]
    if not candidates:
        raise Auth0Error.bad_request(Msg.LINK_PROVIDER_NOT_CONFIGURED, INEXISTENT_CONNECTION)
    return candidates[0] if connection_id is not None else None


def _find(user: User, provider: str, bare_id: str | int) -> Identity | None:
    index = _index_of(user, provider, bare_id)
    return None if index is None else user.identities[index]


def _index_of(user: User, provider: str, bare_id: str | int) -> int | None:
    key = (provider, str(bare_id))
    for index, identity in enumerate(user.identities):
        if identity.key == key:
            return index
    return None


def _as_secondary(user: User) -> Identity:
    """The user's main identity as it sits in another user's ``identities``."""
    return user.primary.but(profile_data=user.profile_data(), password_hash=user.password_hash)


def _restore(identity: Identity, now: str) -> User:
    """An unlinked identity as a standalone user: profile from ``profileData``, no metadata.

    ``nickname`` and ``picture`` are not kept in ``profileData``; they are generated again the way
    Auth0 generates them for a new user (docs/auth0-behaviour.md#root-attributes).
    """
    profile = json_copy(identity.profile_data or {})
    handle = (
        profile.get("email")
        or profile.get("phone_number")
        or profile.get("username")
        or identity.user_id
    )
    generated = fill_defaults(profile, str(handle))
    return User(
        user_id=f"{identity.provider}|{identity.user_id}",
        identities=[identity.but(profile_data=None, password_hash=None)],
        profile=profile,
        created_at=now,
        updated_at=now,
        password_hash=identity.password_hash,
        generated=generated,
    )
