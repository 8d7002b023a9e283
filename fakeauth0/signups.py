"""Self-service sign-up and password reset on database connections: the Authentication API's
``/dbconnections/signup`` and ``/dbconnections/change_password``.

A sign-up makes the same user ``POST /users`` makes (``users.build_user``), held to the same
password policy, username rule and one-holder rule (``uniqueness.find_duplicate``); what
differs is who may ask (an application the connection is enabled for, with no token) and how
a refusal reads: Auth0's sign-up body (:class:`~fakeauth0.errors.SignupError`), which never
tells whether an identifier is taken (``invalid_signup``). A reset request always gets the
same answer, whether or not the e-mail is known; what Auth0 would have mailed is returned as
a message for the tenant to keep (``Tenant.outbox``).

Public sources are in docs/auth0-behaviour.md#self-service-sign-up-and-password-reset; the
choices where Auth0 shows no answer are in CHOICES.md ("signup: ...").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .clients import Client
from .connections import (
    Connection,
    password_policy_text,
    password_rules,
    require_connection,
)
from .errors import Auth0Error, SignupError, SignupMsg
from .ids import IdSource
from .outbox import RESET_EMAIL, VERIFY_EMAIL, WELCOME_EMAIL
from .uniqueness import find_duplicate
from .users import User, UserDirectory, build_user

#: The profile attributes a sign-up may set (https://auth0.com/docs/api/authentication#signup).
PROFILE_FIELDS = ("given_name", "family_name", "name", "nickname", "picture")
#: ``user_metadata`` at sign-up: "an object containing no more than ten properties. Property
#: names can have a maximum of 100 characters, and property values must be strings of no more
#: than 500 characters" (https://auth0.com/docs/api/authentication#signup).
METADATA_MAX_PROPERTIES = 10
METADATA_MAX_NAME = 100
METADATA_MAX_VALUE = 500


def missing(name: str) -> SignupError:
    """The refusal of a request without ``name``."""
    return SignupError(f"bad.{name}", SignupMsg.MISSING.format(name=name))


def prepare(
    users: UserDirectory,
    connections: Mapping[str, Connection],
    clients: Mapping[str, Client],
    ids: IdSource,
    now: str,
    *,
    client_id: str | None,
    connection: str | None,
    email: str | None = None,
    password: str | None,
    username: str | None = None,
    phone_number: str | None = None,
    profile: Mapping[str, str] | None = None,
    user_metadata: Mapping[str, Any] | None = None,
) -> User:
    """The user a sign-up on the database ``connection`` for the application ``client_id``
    would store (the caller stores it, once the pre-user-registration Actions allow it).

    Refusals, in the order they are checked: the application and the connection
    (``bad.client_id``, ``bad.connection``), a missing e-mail, password or required username
    (``bad.<name>``), the username's rule (``bad.username``), ``user_metadata``'s limits
    (``bad.user_metadata``), the password policy (``invalid_password``, with the rules), and an
    e-mail or username the connection already holds (``invalid_signup``).
    """
    client = asking_client(clients, client_id)
    database = _database(connections, connection, client)
    if not email:
        raise missing("email")
    if not password:
        raise missing("password")
    if username is not None and not database.allows_username:
        raise SignupError(
            "bad.username", SignupMsg.USERNAME_NOT_ALLOWED.format(connection=database.name)
        )
    if username is None and database.requires_username:
        raise missing("username")
    if username is not None:
        username = username.lower()
        try:
            database.check_username(username)
        except Auth0Error:
            low, high = database.username_length()
            raise SignupError(
                "bad.username", SignupMsg.USERNAME_INVALID.format(low=low, high=high)
            ) from None
    if user_metadata is not None:
        _check_metadata(user_metadata)
    try:
        database.check_password(password)
    except Auth0Error:
        raise password_refusal(password, database.password_policy) from None

    fields: dict[str, Any] = {"connection": database.name, "email": email, "password": password}
    if username is not None:
        fields["username"] = username
    if phone_number is not None:
        fields["phone_number"] = phone_number
    fields.update({k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS})
    if user_metadata is not None:
        fields["user_metadata"] = dict(user_metadata)
    try:
        user = build_user(database, fields, ids.object_id(), now)
    except Auth0Error as error:  # a rule the checks above do not word (metadata key names)
        raise SignupError("bad.request", error.message) from None
    check_unique(users, connections, user)
    return user


def check_unique(users: UserDirectory, connections: Mapping[str, Connection], user: User) -> None:
    """An e-mail or username the connection already holds refuses the sign-up."""
    duplicate = find_duplicate(users, connections, user)
    if duplicate is not None:
        raise SignupError("invalid_signup", SignupMsg.INVALID_SIGNUP, field=duplicate.attribute)


def password_refusal(password: str, policy: str) -> SignupError:
    """Auth0's ``PasswordStrengthError``: each rule of ``policy`` with whether ``password`` meets
    it, and the policy in words (auth0/go-auth0 authentication/authentication_error_test.go)."""
    return SignupError(
        "invalid_password",
        password_rules(password, policy),
        name="PasswordStrengthError",
        message=SignupMsg.PASSWORD_WEAK,
        policy=password_policy_text(policy),
    )


def signup_json(user: User) -> dict[str, Any]:
    """The sign-up answer: the bare id and only the identifiers the user has, in the order
    Auth0 sends them (auth0/go-auth0 test/data/recordings/authentication/TestDatabaseSignUp_*)."""
    profile = user.profile
    data: dict[str, Any] = {"_id": str(user.primary.user_id)}
    for key in ("email", "username", "email_verified", "phone_number", "phone_verified"):
        if key in profile:
            data[key] = profile[key]
    return data


def verification_mail(user: User, client_id: str, now: str) -> dict[str, Any] | None:
    """The ``verify_email`` message a sign-up sends to a user with an e-mail."""
    if user.email is None:
        return None
    return _mail(VERIFY_EMAIL, user.email, user, client_id, user.primary.connection, now)


def welcome_mail(user: User, client_id: str | None, now: str) -> dict[str, Any] | None:
    """The ``welcome_email`` to a user with an e-mail (no link: it only greets)."""
    if user.email is None:
        return None
    return _mail(WELCOME_EMAIL, user.email, user, client_id, user.primary.connection, now)


def change_password_request(
    users: UserDirectory,
    connections: Mapping[str, Connection],
    clients: Mapping[str, Client],
    now: str,
    *,
    client_id: str | None,
    email: str | None,
    connection: str | None,
) -> dict[str, Any] | None:
    """``/dbconnections/change_password``: the ``reset_email`` message Auth0 would send (the
    caller adds its ``link``, a password-change ticket), or None when no user of
    ``connection`` has ``email``.

    The application and connection are checked as for a sign-up; the caller answers the same
    whether a message is returned or not, so the answer never tells whether an e-mail is known.
    """
    client = asking_client(clients, client_id)
    database = _database(connections, connection, client)
    if not email:
        raise missing("email")
    address = email.lower()  # database connections store e-mails lower-cased
    holders = users.holders(database.name, "email", address)
    if not holders:
        return None
    return _mail(RESET_EMAIL, address, holders[0], client.client_id, database.name, now)


def _mail(
    template: str, recipient: str, user: User, client_id: str | None, connection: str, now: str
) -> dict[str, Any]:
    return {
        "template": template,
        "recipient": recipient,
        "user_id": user.user_id,
        "client_id": client_id,
        "connection": connection,
        "time": now,
    }


def asking_client(clients: Mapping[str, Client], client_id: str | None) -> Client:
    """The application asking; without ``client_id``, the tenant's global client, as Auth0
    falls back to (https://auth0.com/docs/api/authentication#signup)."""
    if not client_id:
        for client in clients.values():
            if client.is_global:
                return client
        raise missing("client_id")
    found = clients.get(client_id)
    if found is None:
        raise SignupError("bad.client_id", SignupMsg.UNKNOWN_CLIENT.format(client_id=client_id))
    return found


def _database(
    connections: Mapping[str, Connection], name: str | None, client: Client
) -> Connection:
    """The database connection ``name``, enabled for ``client``."""
    if not name:
        raise missing("connection")
    try:
        found = require_connection(connections, name)
    except Auth0Error:
        raise SignupError("bad.connection", SignupMsg.CONNECTION_NOT_FOUND) from None
    if not found.is_database:
        raise SignupError("bad.connection", SignupMsg.CONNECTION_NOT_DATABASE)
    if client.client_id not in found.enabled_clients:
        raise SignupError("bad.connection", SignupMsg.CONNECTION_DISABLED)
    return found


def _check_metadata(metadata: Mapping[str, Any]) -> None:
    if len(metadata) > METADATA_MAX_PROPERTIES or any(
        len(name) > METADATA_MAX_NAME
        or not isinstance(value, str)
        or len(value) > METADATA_MAX_VALUE
        for name, value in metadata.items()
    ):
        raise SignupError("bad.user_metadata", SignupMsg.USER_METADATA_LIMITS)
