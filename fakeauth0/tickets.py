"""Tickets: the one-use links a user follows to verify an e-mail or choose a new password.

The Management API issues them (``POST /tickets/email-verification``,
``POST /tickets/password-change``), and so do the messages the tenant sends (a sign-up's
``verify_email``, a reset request's ``reset_email``). A ticket is a URL,
``https://<domain>/u/email-verification?ticket=<32 characters>#`` or
``.../u/reset-password?ticket=...#``; it lives ``ttl_sec`` seconds on the tenant's clock (five
days by default) and is spent by its first use. What a use did is an :class:`Outcome`: the
message Auth0 words it with and, when the ticket names a ``result_url``, where the browser goes.

Public sources are in docs/auth0-behaviour.md#tickets; choices in CHOICES.md ("tickets: ...").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .authorization import PAGE_TEXTS, LoginPageError, page_error_for_signup
from .clients import Client
from .connections import Connection
from .errors import Auth0Error, Msg
from .ids import IdSource
from .signups import password_refusal
from .users import User, UserDirectory, apply_update

#: The path segment under ``/u/`` of each kind of ticket.
EMAIL_VERIFICATION = "email-verification"
PASSWORD_CHANGE = "reset-password"
#: "If unspecified or set to 0, this value defaults to 432000 seconds (5 days)" (the spec's
#: ``ttl_sec``).
DEFAULT_TTL = 432000
TICKET_LENGTH = 32


class TicketMsg:
    """What a used ticket says (the ``message`` of the redirect, the page's text): Auth0's
    wording (https://auth0.com/docs/customize/email/email-templates/email-template-descriptions)."""

    VERIFIED = "Your email was verified. You can continue using the application."
    PASSWORD_CHANGED = "You can now login to the application with the new password."
    USED = "This URL can be used only once"
    EXPIRED = "Access expired."
    INVALID = "User account does not exist or verification code is invalid."
    ALREADY_VERIFIED = "This account is already verified."
    #: The reset page's own text for a confirmation that differs (CHOICES.md "tickets: reset
    #: page").
    PASSWORDS_DIFFER = "The passwords do not match."


@dataclass(slots=True)
class Ticket:
    """One issued ticket: whose, what for, until when, and what its use does."""

    id: str
    kind: str
    user_id: str
    expires_at: float
    result_url: str | None = None
    client_id: str | None = None
    organization_id: str | None = None
    include_email: bool = False
    mark_email_as_verified: bool = False
    used: bool = False

    def url(self, domain: str) -> str:
        """The link as Auth0 answers it, with its trailing ``#`` (auth0/go-auth0
        test/data/recordings/TestTicketManager_VerifyEmail.yaml)."""
        return f"https://{domain}/u/{self.kind}?ticket={self.id}#"


@dataclass(frozen=True)
class Outcome:
    """What using a ticket did: ``success``, Auth0's ``message``, the user's e-mail (for the
    redirect when the ticket includes it) and the ``result_url`` with the outcome appended."""

    success: bool
    message: str
    redirect: str | None = None


class TicketBook:
    """The tenant's tickets by id (kept in memory: not in snapshots, gone on reset)."""

    def __init__(self) -> None:
        self._tickets: dict[str, Ticket] = {}

    def issue(
        self,
        ids: IdSource,
        now: float,
        kind: str,
        user_id: str,
        ttl_sec: int | None = None,
        **options: Any,
    ) -> Ticket:
        ttl = ttl_sec or DEFAULT_TTL
        ticket = Ticket(ids.alnum(TICKET_LENGTH), kind, user_id, now + ttl, **options)
        self._tickets[ticket.id] = ticket
        return ticket

    def get(self, ticket_id: str | None, kind: str) -> Ticket | None:
        found = self._tickets.get(ticket_id or "")
        return found if found is not None and found.kind == kind else None

    def clear(self) -> None:
        self._tickets.clear()

    def __len__(self) -> int:
        return len(self._tickets)


# -- issuing (the Management API's checks) ------------------------------------------------------


@dataclass(frozen=True)
class TicketRequest:
    """A ticket request's options, typed by the HTTP layer against the spec's schema."""

    user_id: str | None = None
    email: str | None = None
    connection_id: str | None = None
    result_url: str | None = None
    client_id: str | None = None
    organization_id: str | None = None
    ttl_sec: int | None = None
    include_email: bool = False
    mark_email_as_verified: bool = False
    identity: Mapping[str, Any] | None = None


def check_options(
    request: TicketRequest,
    clients: Mapping[str, Client],
    organization_exists: Callable[[str], bool],
) -> None:
    """The checks both kinds share: ``result_url`` alone or ``client_id``/``organization_id``
    (the spec: "Cannot be specified when using client_id or organization_id"), a known
    application and organization, a ``ttl_sec`` that is not negative."""
    if request.result_url is not None and (request.client_id or request.organization_id):
        raise Auth0Error.invalid_body(Msg.TICKET_RESULT_URL_WITH_CLIENT)
    if request.ttl_sec is not None and request.ttl_sec < 0:
        raise Auth0Error.invalid_body(Msg.TICKET_TTL_NEGATIVE.format(value=request.ttl_sec))
    if request.client_id is not None and request.client_id not in clients:
        raise Auth0Error.bad_request(Msg.TICKET_CLIENT_NOT_FOUND)
    if request.organization_id is not None and not organization_exists(request.organization_id):
        raise Auth0Error.bad_request(Msg.TICKET_ORGANIZATION_NOT_FOUND)


def verification_target(
    request: TicketRequest, users: UserDirectory, connections: Mapping[str, Connection]
) -> User:
    """The user an e-mail verification ticket is for: one with an e-mail, on a database
    connection unless ``identity`` names one of the user's identities (the spec: "This must be
    provided to verify primary social, enterprise and passwordless email identities")."""
    user = users.get(request.user_id or "")
    if user is None:
        raise Auth0Error.user_not_found()
    if request.identity is not None:
        wanted = (str(request.identity.get("provider")), str(request.identity.get("user_id")))
        if all((i.provider, str(i.user_id)) != wanted for i in user.identities):
            raise Auth0Error.bad_request(Msg.TICKET_MAIN_CONNECTION)
    elif not connections[user.primary.connection].is_database:
        raise Auth0Error.bad_request(Msg.TICKET_MAIN_CONNECTION)
    if not user.email:
        raise Auth0Error.bad_request(Msg.USER_WITHOUT_EMAIL)
    return user


def password_change_target(
    request: TicketRequest, users: UserDirectory, connections: Mapping[str, Connection]
) -> User:
    """The user a password-change ticket is for, named by ``user_id`` or by ``email`` on the
    database connection ``connection_id`` (never both); a user of a database connection."""
    if request.user_id is not None:
        if request.connection_id is not None or request.email is not None:
            raise Auth0Error.invalid_body(Msg.TICKET_USER_ID_AND_EMAIL)
        user = users.get(request.user_id)
        if user is None:
            raise Auth0Error.user_not_found()
    else:
        if request.email is None and request.connection_id is None:
            raise Auth0Error.invalid_body(Msg.TICKET_USER_ID_REQUIRED)
        if request.connection_id is None:
            raise Auth0Error.invalid_body(Msg.TICKET_CONNECTION_ID_REQUIRED)
        if request.email is None:
            raise Auth0Error.invalid_body(Msg.EMAIL_REQUIRED)
        database = next((c for c in connections.values() if c.id == request.connection_id), None)
        if database is None:
            raise Auth0Error.bad_request(
                Msg.TICKET_CONNECTION_NOT_FOUND.format(connection_id=request.connection_id)
            )
        if not database.is_database:
            raise Auth0Error.bad_request(Msg.TICKET_MAIN_CONNECTION)
        holders = users.holders(database.name, "email", request.email.lower())
        if not holders:
            raise Auth0Error.user_not_found()
        user = holders[0]
    if not connections[user.primary.connection].is_database:
        raise Auth0Error.bad_request(Msg.TICKET_MAIN_CONNECTION)
    if not user.email:
        raise Auth0Error.bad_request(Msg.USER_WITHOUT_EMAIL)
    return user


def ticket_options(request: TicketRequest) -> dict[str, Any]:
    """What a ticket keeps of its request (for :meth:`TicketBook.issue`)."""
    return {
        "ttl_sec": request.ttl_sec,
        "result_url": request.result_url,
        "client_id": request.client_id,
        "organization_id": request.organization_id,
        "include_email": request.include_email,
        "mark_email_as_verified": request.mark_email_as_verified,
    }


# -- using ------------------------------------------------------------------------------------


def usable(book: TicketBook, ticket_id: str | None, kind: str, now: float) -> Ticket | Outcome:
    """The ticket, or the outcome that refuses it: unknown, already used, or expired."""
    ticket = book.get(ticket_id, kind)
    if ticket is None:
        return Outcome(False, TicketMsg.INVALID)
    if ticket.used:
        return _finished(ticket, None, False, TicketMsg.USED)
    if now >= ticket.expires_at:
        return _finished(ticket, None, False, TicketMsg.EXPIRED)
    return ticket


def verify_email(
    book: TicketBook, users: UserDirectory, ticket_id: str | None, now: float, now_iso: str
) -> Outcome:
    """Use an e-mail verification ticket: the user's ``email_verified`` becomes true, once;
    the ticket is spent whatever the outcome after it is found usable."""
    found = usable(book, ticket_id, EMAIL_VERIFICATION, now)
    if isinstance(found, Outcome):
        return found
    found.used = True
    user = users.get(found.user_id)
    if user is None:
        return Outcome(False, TicketMsg.INVALID)
    if user.profile.get("email_verified") is True:
        return _finished(found, user, False, TicketMsg.ALREADY_VERIFIED)
    users.put(_verified(user, now_iso))
    return _finished(found, user, True, TicketMsg.VERIFIED)


def reset_screen(
    book: TicketBook,
    users: UserDirectory,
    connections: Mapping[str, Connection],
    ticket_id: str | None,
    now: float,
) -> tuple[Ticket, Connection] | Outcome:
    """The reset-password page's ticket and the user's database connection (whose policy the
    page applies), or the outcome that refuses the ticket (also when the user is gone)."""
    found = usable(book, ticket_id, PASSWORD_CHANGE, now)
    if isinstance(found, Outcome):
        return found
    user = users.get(found.user_id)
    if user is None:
        return Outcome(False, TicketMsg.INVALID)
    return found, connections[user.primary.connection]


def check_new_password(database: Connection, password: str, confirmation: str | None) -> None:
    """The reset page's checks, worded as the sign-up page words them: a password, the same
    twice (when the page sends the confirmation), and the connection's policy, each rule listed
    with whether the password meets it."""
    if not password:
        raise LoginPageError("no-password", PAGE_TEXTS["no-password"], "password")
    if confirmation is not None and confirmation != password:
        raise LoginPageError("password-mismatch", TicketMsg.PASSWORDS_DIFFER, "confirmation")
    try:
        database.check_password(password)
    except Auth0Error:
        refusal = password_refusal(password, database.password_policy)
        raise page_error_for_signup(refusal) from None


def change_password(
    book: TicketBook,
    users: UserDirectory,
    connections: Mapping[str, Connection],
    ticket: Ticket,
    password: str,
    now_iso: str,
) -> Outcome:
    """Use a password-change ticket found :func:`usable`: the new password (held to the
    connection's policy by the caller first), ``email_verified`` when the ticket says so."""
    user = users.get(ticket.user_id)
    ticket.used = True
    if user is None:
        return Outcome(False, TicketMsg.INVALID)
    # Two changes, as PATCH /users refuses a password and email_verified together.
    changed = apply_update(
        user, connections[user.primary.connection], {"password": password}, now_iso
    )
    if ticket.mark_email_as_verified:
        changed = _verified(changed, now_iso)
    users.put(changed)
    return _finished(ticket, user, True, TicketMsg.PASSWORD_CHANGED)


def _verified(user: User, now_iso: str) -> User:
    return dataclasses.replace(
        user, profile={**user.profile, "email_verified": True}, updated_at=now_iso
    )


def _finished(ticket: Ticket, user: User | None, success: bool, message: str) -> Outcome:
    """The outcome, with the ``result_url`` it sends the browser to: ``success``, ``message``
    and, when the ticket includes it, ``email`` appended to the URL's query."""
    if not ticket.result_url:
        return Outcome(success, message)
    params = {"success": "true" if success else "false", "message": message}
    if ticket.include_email and user is not None and user.email:
        params["email"] = user.email
    parts = urlsplit(ticket.result_url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return Outcome(success, message, urlunsplit(parts._replace(query=query)))
