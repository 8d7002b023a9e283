"""The registration triggers of a passwordless first login
(docs/auth0-behaviour.md#passwordless-registration).

Auth0 runs ``pre-user-registration`` before a user is added to a Database or Passwordless
connection and ``post-user-registration`` after
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers). A
passwordless user is added by its first login, so the login is cut in three, as a sign-up is:
under the lock the code is checked without being spent; with no lock held the
pre-user-registration Actions run (JavaScript may call back into the tenant); under the lock
again the code is spent, if it is still the live one, and the one login pipeline creates the
user (:func:`fakeauth0.passwordless.log_in`). The post-user-registration Actions run once the
login settled, so they cannot change its answer.

Auth0 does not let pre-user-registration Actions add metadata to passwordless users ("You
cannot currently use pre-user-registration Actions to add metadata to passwordless users":
https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger):
what they set is kept in the execution log only. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import logins, passwordless, post_login, registration
from .caller import Caller
from .connections import Connection
from .errors import OAuthError, SignupMsg
from .passwordless import PendingCode
from .users import User, build_user

#: The error of a refused registration at ``/oauth/token`` and at the callback: Auth0 answers a
#: pre-user-registration denial 400 ``{"error": "extensibility_error", "error_description":
#: <reason>}`` (https://community.auth0.com/t/help-understanding-error-codes-in-pre-user-registration-and-post-login-actions/89653).
DENIED = "extensibility_error"
#: The user id of the user-to-be: the pre-user-registration event has none.
_NO_ID = "0" * 24


class RegistrationDenied(OAuthError):
    """A pre-user-registration Action refused the first login: ``reason`` is the
    description; ``user_message`` is for the login page only."""

    def __init__(self, reason: str, user_message: str | None) -> None:
        super().__init__(400, DENIED, reason)
        self.user_message = user_message


@dataclass
class FirstLogin:
    """A passwordless login that may create its user, from the code's check to the user."""

    connection: Connection
    client_id: str
    #: The e-mail or phone number, as the door received it.
    username: str
    #: The code typed or carried by the link; None for a programmatic login
    #: (``tenant.login``), which proves nothing and spends no code.
    otp: str | None
    #: The request that logs in (``event.request``); None: no HTTP request.
    caller: Caller | None
    #: How a programmatic login finds (or creates) its user (``email``, ``profile``,
    #: ``user_id``); None: by the address, as the code's doors do.
    fields: dict[str, Any] | None = None
    #: The code the pre-user-registration Actions let through; only it may be spent after.
    checked: PendingCode | None = None
    #: The user the login created (post-user-registration runs on it).
    created: User | None = None

    @property
    def address(self) -> str:
        return passwordless.address_of(self.connection, self.username)

    @property
    def ip(self) -> str | None:
        return self.caller.ip if self.caller is not None else None

    def login_fields(self) -> dict[str, Any]:
        if self.fields is not None:
            return dict(self.fields)
        return passwordless.login_fields(self.connection, self.username)


@contextmanager
def registering(tenant: Any, first: FirstLogin) -> Iterator[None]:
    """Around the login of ``first`` (whose ``begin`` is :func:`log_in`): the
    pre-user-registration Actions before, the post-user-registration Actions after, once the
    login answered, was suspended by a redirect or refused. Entered without the lock held."""
    screen(tenant, first)
    try:
        yield
    finally:
        announce(tenant, first)


def screen(tenant: Any, first: FirstLogin) -> None:
    """The pre-user-registration Actions, when the login would create its user: the code is
    checked first (a wrong one counts as ever), the Actions run without the lock. A denial
    spends the code, creates no user, records ``fs`` and raises :class:`RegistrationDenied`."""
    post_login.refuse_held_lock(tenant, registration.PRE, registration.POST)
    with tenant.lock:
        bound = post_login.bound_actions(tenant, registration.PRE)
        if not bound:
            return
        book = tenant.passwordless_codes
        if first.otp is not None:
            first.checked = book.check(
                first.connection, first.address, first.client_id, first.otp, tenant.clock.time()
            )
        desk = tenant.login_desk()
        client = tenant.clients.get(first.client_id)
        fields = first.login_fields()
        if client is None or not logins.creates_user(desk, first.connection, **fields):
            return
        event = registration.event(
            _user_to_be(first, tenant.clock.iso()),
            first.connection,
            client,
            tenant_id=tenant.domain.split(".")[0],
            hostname=tenant.domain,
            caller=first.caller or Caller(),
            registered=False,
        )
    execution = registration.run(tenant, registration.PRE, bound, event, "")
    with tenant.lock:
        tenant.executions.add(execution)
        denied = registration.denial(execution)
        if denied is None:
            return
        key = (first.connection.name, first.address)
        if first.checked is not None and book.pending.get(key) is first.checked:
            # The refused login used the code, as a granted one does.
            del book.pending[key]
        error = RegistrationDenied(denied.reason or SignupMsg.EXTENSIBILITY, denied.user_message)
        tenant.logs.signup(
            tenant.clients,
            tenant.connections,
            first.client_id,
            first.connection.name,
            first.address,
            error=error,
        )
        raise error


def log_in(tenant: Any, first: FirstLogin, desk: logins.LoginDesk) -> logins.Attempt:
    """The ``begin`` of the login (:func:`fakeauth0.post_login.login`; the caller holds the
    lock): the code spent (the one :func:`screen` checked, when it ran), then the one login
    pipeline, which creates the user on first use."""
    attempt = passwordless.log_in(
        desk,
        tenant.passwordless_codes,
        first.connection,
        first.client_id,
        first.username,
        first.otp,
        now=tenant.clock.time(),
        ip=first.ip,
        checked=first.checked,
    )
    if attempt.first_login:
        first.created = attempt.user
    return attempt


def announce(tenant: Any, first: FirstLogin) -> None:
    """The post-user-registration Actions, when the login created its user; their run is
    kept in the execution log and changes nothing else."""
    if first.created is None:
        return
    with tenant.lock:
        bound = post_login.bound_actions(tenant, registration.POST)
        user = tenant.users.get(first.created.user_id)
        client = tenant.clients.get(first.client_id)
        if not bound or user is None or client is None:
            return
        event = registration.event(
            user,
            first.connection,
            client,
            tenant_id=tenant.domain.split(".")[0],
            hostname=tenant.domain,
            caller=first.caller or Caller(),
            registered=True,
        )
    execution = registration.run(tenant, registration.POST, bound, event, user.user_id)
    with tenant.lock:
        tenant.executions.add(execution)


def _user_to_be(first: FirstLogin, now: str) -> User:
    """The user the first login would create, for the pre-user-registration event."""
    fields = first.login_fields()
    profile = dict(fields.get("profile") or {})
    if fields.get("email") is not None:
        profile["email"] = fields["email"]
    verified = "email_verified" if first.connection.strategy == "email" else "phone_verified"
    profile.update({"connection": first.connection.name, verified: True})
    return build_user(first.connection, profile, _NO_ID, now)
