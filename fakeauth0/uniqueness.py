"""What a tenant holds once, asked by every way a user comes in: create, update, first login
and seed loading.

Every identity has one owner. A connection whose users Auth0 stores itself (database and
passwordless) holds each e-mail and username once; an ``sms`` connection also each phone
number, the identifier it logs users in by. The value counts whether the user holding it is
standalone or linked into another (its ``profileData`` keeps it in its connection). IdP
connections hold no attribute once: the IdP decides. Public sources are in ``CHOICES.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .connections import Connection
from .errors import Auth0Error, Msg
from .users import Identity, User, UserDirectory


def held_once(connection: Connection) -> tuple[str, ...]:
    """The root attributes no two users may share in ``connection``."""
    if connection.strategy == "sms":
        return ("email", "username", "phone_number")
    if connection.is_database or connection.is_passwordless:
        return ("email", "username")
    return ()


@dataclass(frozen=True)
class Duplicate:
    """What a user would hold that ``other`` already holds: an identity (``attribute`` is
    ``"user_id"``, ``identity`` names it) or an attribute's value in ``connection``."""

    attribute: str
    connection: str
    other: User
    identity: Identity | None = None

    def on_create(self) -> Auth0Error:
        """``POST /users`` answers 409 "The user already exists." (seen verbatim in public SDK
        test fixtures); so do a first login and ``add_social_user``."""
        return Auth0Error(409, Msg.USER_EXISTS, "auth0_idp_error")

    def on_update(self) -> Auth0Error:
        """``PATCH /users/{id}`` answers 400 "The specified new email already exists"
        (node-auth0 #139; the message is matched by many public clients)."""
        label = "phone number" if self.attribute == "phone_number" else self.attribute
        return Auth0Error(400, Msg.NEW_VALUE_EXISTS.format(attribute=label), "auth0_idp_error")


def find_duplicate(
    directory: UserDirectory,
    connections: Mapping[str, Connection],
    user: User,
    *,
    replacing: str | None = None,
) -> Duplicate | None:
    """The first thing ``user`` holds that another user of ``directory`` already holds.

    ``replacing`` names the stored user ``user`` is a new version of (an update): its own
    identities and values are not duplicates.
    """
    for identity in user.identities:
        owner = directory.owner_of(identity.provider, identity.user_id)
        if owner is not None and owner.user_id != replacing:
            return Duplicate("user_id", identity.connection, owner, identity)
    for index, identity in enumerate(user.identities):
        connection = connections.get(identity.connection)
        if connection is None:
            continue
        values = user.profile if index == 0 else (identity.profile_data or {})
        for attribute in held_once(connection):
            value = values.get(attribute)
            if value is None:
                continue
            for other in directory.holders(connection.name, attribute, value):
                if other.user_id != replacing:
                    return Duplicate(attribute, connection.name, other)
    return None
