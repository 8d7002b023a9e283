"""Passwordless logins: a one-time code or a magic link sent by e-mail or SMS
(docs/auth0-behaviour.md#passwordless).

The code is the credential, so its rules are Auth0's protections against guessing
(https://auth0.com/docs/authenticate/passwordless/best-practices): only the newest code (or
link) of an address is accepted, and a new one invalidates the earlier; a code works once;
after three wrong attempts it works no more and a new one must be asked for; it lives three
minutes, or the connection's ``totp.time_step`` seconds, with ``totp.length`` digits (six).
The login itself, and the user a first login creates, are the one login pipeline's
(:func:`fakeauth0.logins.sign_in`, then the post-login Actions: :mod:`fakeauth0.post_login`).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .clients import Client
from .connections import Connection
from .errors import OAuthError, OAuthMsg, PasswordlessMsg
from .executions import TokenChanges
from .grants import (
    PASSWORD_DEFAULT_SCOPE,
    TokenDesk,
    authenticate_client,
    granted_scopes,
    issue_tokens,
    require_audience,
    require_grant_type,
)
from .logins import Attempt, LoginDesk, sign_in
from .sessions import Grant
from .users import User

#: The grant of ``/oauth/token`` that trades a code for tokens.
OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
#: How long a code lives, in seconds, and how many digits it has, when the connection's
#: ``options.totp`` does not say (https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp).
DEFAULT_LIFETIME = 180
DEFAULT_LENGTH = 6
#: Wrong attempts a code survives; the next attempt is refused whatever it holds.
MAX_FAILURES = 3
#: What ``/passwordless/start`` holds a phone number to (E.164, as Auth0's error says).
PHONE_PATTERN = r"^\+[0-9]{1,15}$"
_PHONE = re.compile(PHONE_PATTERN)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
#: Outbox template names: Auth0 sends these with the connection's own template, which has no
#: name of the spec's ``EmailTemplateNameEnum`` (CHOICES.md "passwordless messages").
EMAIL_TEMPLATE = "passwordless_email"
SMS_TEMPLATE = "passwordless_sms"
#: Live codes kept at most; the oldest make way (a fake's bound, never reached by tests).
_CAPACITY = 10_000


@dataclass
class PendingCode:
    """The one live code of an address on a connection."""

    code: str
    client_id: str
    expires: float
    failures: int = 0


class CodeBook:
    """The live code of each (connection, address); not in snapshots, cleared on reset."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], PendingCode] = {}
        #: The login page's passwordless transactions: handle -> (connection, address) the
        #: code was sent to, so the code screen never takes the address from the browser.
        self.page_addresses: dict[str, tuple[str, str]] = {}

    def remember_page(self, handle: str, connection: Connection, address: str) -> None:
        while len(self.page_addresses) >= _CAPACITY:
            self.page_addresses.pop(next(iter(self.page_addresses)))
        self.page_addresses[handle] = (connection.name, address)

    def issue(
        self,
        connection: Connection,
        address: str,
        client_id: str,
        now: float,
    ) -> PendingCode:
        """A new code for ``address``; the one it had before works no more."""
        lifetime, length = code_settings(connection)
        pending = PendingCode(
            code=f"{secrets.randbelow(10**length):0{length}d}",
            client_id=client_id,
            expires=now + lifetime,
        )
        key = (connection.name, address)
        self.pending.pop(key, None)
        while len(self.pending) >= _CAPACITY:
            self.pending.pop(next(iter(self.pending)))
        self.pending[key] = pending
        return pending

    def redeem(
        self, connection: Connection, address: str, client_id: str, otp: str, now: float
    ) -> PendingCode:
        """The code's record, removed: it works once (:meth:`check`'s refusals)."""
        found = self.check(connection, address, client_id, otp, now)
        del self.pending[(connection.name, address)]
        return found

    def check(
        self, connection: Connection, address: str, client_id: str, otp: str, now: float
    ) -> PendingCode:
        """The code's record, kept: it works for the client it was sent for, before it expires
        and while fewer than :data:`MAX_FAILURES` wrong attempts were made; a wrong attempt
        counts. Refusals are 403 ``invalid_grant``, each with Auth0's description."""
        key = (connection.name, address)
        found = self.pending.get(key)
        wrong = OAuthError(403, "invalid_grant", wrong_code_message(connection))
        if found is None:
            raise wrong
        if found.failures >= MAX_FAILURES:
            raise OAuthError(403, "invalid_grant", PasswordlessMsg.TOO_MANY_ATTEMPTS)
        if now >= found.expires:
            del self.pending[key]
            raise OAuthError(403, "invalid_grant", PasswordlessMsg.CODE_EXPIRED)
        right = hmac.compare_digest(found.code.encode(), otp.encode("utf-8", "replace"))
        if not right or found.client_id != client_id:
            found.failures += 1
            raise wrong
        return found

    def spend(self, connection: Connection, address: str, checked: PendingCode, now: float) -> None:
        """Spend the code :meth:`check` passed a while ago (the registration Actions ran since):
        403 ``invalid_grant`` when it was spent or replaced meanwhile, or is dead now."""
        key = (connection.name, address)
        if self.pending.get(key) is not checked:
            raise OAuthError(403, "invalid_grant", wrong_code_message(connection))
        del self.pending[key]
        if checked.failures >= MAX_FAILURES:
            raise OAuthError(403, "invalid_grant", PasswordlessMsg.TOO_MANY_ATTEMPTS)
        if now >= checked.expires:
            raise OAuthError(403, "invalid_grant", PasswordlessMsg.CODE_EXPIRED)

    def clear(self) -> None:
        self.pending.clear()
        self.page_addresses.clear()


def code_settings(connection: Connection) -> tuple[int, int]:
    """(lifetime in seconds, digits) of the connection's codes: ``options.totp``'s
    ``time_step`` and ``length``, or Auth0's defaults."""
    totp = connection.options.get("totp")
    totp = totp if isinstance(totp, dict) else {}
    lifetime, length = totp.get("time_step"), totp.get("length")
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime <= 0:
        lifetime = DEFAULT_LIFETIME
    if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 32:
        length = DEFAULT_LENGTH
    return lifetime, length


def wrong_code_message(connection: Connection) -> str:
    if connection.strategy == "sms":
        return PasswordlessMsg.WRONG_PHONE_CODE
    return PasswordlessMsg.WRONG_EMAIL_CODE


@dataclass(frozen=True)
class StartRequest:
    """A ``/passwordless/start`` request that passed Auth0's checks."""

    client: Client
    connection: Connection
    #: The e-mail (lower-cased, as the store keeps it) or the phone number.
    address: str
    #: ``code`` or ``link`` (e-mail only).
    send: str
    auth_params: dict[str, str]


def read_start(
    body: Mapping[str, Any],
    clients: Mapping[str, Client],
    connections: Mapping[str, Connection],
) -> StartRequest:
    """Check a ``/passwordless/start`` body as Auth0 does: each refusal is 400 with a ``bad.*``
    error (https://auth0.com/docs/api/authentication#get-code-or-link); a confidential client
    proves its secret, as at ``/oauth/token``."""
    allowed = {
        "client_id",
        "client_secret",
        "connection",
        "email",
        "phone_number",
        "send",
        "authParams",
    }
    extra = sorted(k for k in body if k not in allowed)
    if extra:
        raise OAuthError(
            400, "bad.request", PasswordlessMsg.NOT_ALLOWED.format(names=", ".join(extra))
        )
    for name in ("client_id", "client_secret", "connection", "email", "phone_number", "send"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise bad_type(name, value, "string")
    client_id = body.get("client_id")
    if not client_id:
        raise OAuthError(400, "bad.client_id", PasswordlessMsg.MISSING.format(name="client_id"))
    if client_id not in clients:
        raise OAuthError(400, "bad.client_id", OAuthMsg.UNKNOWN_CLIENT.format(client_id=client_id))
    client = authenticate_client(clients, client_id, body.get("client_secret"))
    name = body.get("connection")
    if not name:
        raise OAuthError(400, "bad.connection", PasswordlessMsg.MISSING.format(name="connection"))
    connection = connections.get(name)
    if connection is None:
        raise OAuthError(400, "bad.connection", PasswordlessMsg.CONNECTION_NOT_FOUND)
    if not connection.is_passwordless:
        raise OAuthError(400, "bad.connection", PasswordlessMsg.NOT_PASSWORDLESS)
    if client.client_id not in connection.enabled_clients:
        raise OAuthError(400, "bad.connection", PasswordlessMsg.CONNECTION_DISABLED)
    if OTP_GRANT not in client.grant_types:
        raise OAuthError(
            403,
            "unauthorized_client",
            OAuthMsg.GRANT_NOT_ALLOWED.format(grant_type=OTP_GRANT),
            "https://auth0.com/docs/clients/client-grant-types",
        )
    params = body.get("authParams")
    if params is not None and not isinstance(params, dict):
        raise bad_type("authParams", params, "object")
    auth_params = {k: v for k, v in (params or {}).items() if isinstance(v, str)}
    send = body.get("send") or "link"
    if send not in ("code", "link"):
        raise OAuthError(400, "bad.send", PasswordlessMsg.BAD_SEND.format(value=send))
    if connection.strategy == "sms":
        address = body.get("phone_number")
        if not address:
            raise OAuthError(
                400, "bad.phone_number", PasswordlessMsg.MISSING.format(name="phone_number")
            )
        if not _PHONE.fullmatch(address):
            raise OAuthError(400, "bad.phone_number", PasswordlessMsg.BAD_PHONE)
        send = "code"  # a text message carries a code only
    else:
        email = body.get("email")
        if not email:
            raise OAuthError(400, "bad.email", PasswordlessMsg.MISSING.format(name="email"))
        if not _EMAIL.fullmatch(email) or len(email) > 512:
            raise OAuthError(400, "bad.email", PasswordlessMsg.BAD_EMAIL.format(email=email))
        address = email.lower()
    return StartRequest(client, connection, address, send, auth_params)


def bad_type(name: str, value: Any, expected: str) -> OAuthError:
    """``bad.<name>``: a property (or the body) of the wrong JSON type."""
    found = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}
    kind = found.get(type(value), "string" if isinstance(value, str) else "null")
    return OAuthError(
        400,
        f"bad.{name}",
        PasswordlessMsg.BAD_TYPE.format(name=name, found=kind, expected=expected),
    )


def start_answer(
    request: StartRequest, object_id: str, language: str | None = None
) -> dict[str, Any]:
    """``/passwordless/start``'s 200: the address, marked verified (auth0/go-auth0 recordings
    ``TestSendEmail.yaml``, ``TestSendSMS.yaml``); an SMS answer names the ``language`` the
    request asked for (``x-request-language``), as auth0-java's ``PasswordlessSmsResponse``
    reads it (https://github.com/auth0/auth0-java/blob/master/src/main/java/com/auth0/json/auth/PasswordlessSmsResponse.java)."""
    if request.connection.strategy == "sms":
        answer: dict[str, Any] = {
            "_id": object_id,
            "phone_number": request.address,
            "phone_verified": True,
        }
        if language:
            answer["request_language"] = language
        return answer
    return {"_id": object_id, "email": request.address, "email_verified": True}


def link_url(issuer: str, request: StartRequest, code: str) -> str:
    """The magic link: ``/passwordless/verify_redirect`` with the code and the login's
    ``/authorize`` parameters, as auth0.js builds it
    (https://github.com/auth0/auth0.js/blob/master/src/authentication/passwordless-authentication.js):
    the connection's Authentication Parameters (``options.authParams``,
    https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-magic-link),
    then the request's ``authParams``, which add to or override them."""
    params: dict[str, str] = {"response_type": "code", "scope": "openid"}
    configured = request.connection.options.get("authParams")
    if isinstance(configured, dict):
        params.update({k: v for k, v in configured.items() if isinstance(v, str)})
    params.update(request.auth_params)
    params.update(
        {
            "client_id": request.client.client_id,
            "connection": request.connection.name,
            "email": request.address,
            "verification_code": code,
        }
    )
    return f"{issuer}passwordless/verify_redirect?" + urlencode(params)


def message(
    request: StartRequest, pending: PendingCode, link: str | None, now: str
) -> dict[str, Any]:
    """What the tenant would send (``fakeauth0.outbox``): the code, and the link when one was
    asked for."""
    sms = request.connection.strategy == "sms"
    sent: dict[str, Any] = {
        "template": SMS_TEMPLATE if sms else EMAIL_TEMPLATE,
        "recipient": request.address,
        "client_id": request.client.client_id,
        "connection": request.connection.name,
        "time": now,
        "send": request.send,
        "code": pending.code,
    }
    if sms:
        sent["channel"] = "sms"
    if link is not None:
        sent["link"] = link
    return sent


def page_connection(
    client_id: str, only: str | None, connections: Mapping[str, Connection]
) -> Connection | None:
    """The ``email`` passwordless connection the login page offers the client (the one the
    ``connection`` parameter names, when it names one), or None."""
    for connection in connections.values():
        if connection.strategy != "email" or client_id not in connection.enabled_clients:
            continue
        if only is None or connection.name == only:
            return connection
    return None


def page_start(client: Client, connection: Connection, identifier: str) -> StartRequest:
    """The login page's identifier, held to ``/passwordless/start``'s rules for an e-mail;
    ``ValueError`` for one that is not an address."""
    address = identifier.strip().lower()
    if not _EMAIL.match(address):
        raise ValueError(address)
    return StartRequest(client, connection, address, "code", {})


def login_fields(connection: Connection, username: str) -> dict[str, Any]:
    """How the login pipeline finds (or creates) the user of ``username``."""
    if connection.strategy == "sms":
        return {"profile": {"phone_number": username}}
    return {"email": username.lower()}


def address_of(connection: Connection, username: str) -> str:
    return username if connection.strategy == "sms" else username.lower()


@dataclass(frozen=True)
class OtpRequest:
    """A ``passwordless/otp`` grant request that passed the grant's checks
    (:func:`read_otp`): the code is checked and spent by the login next."""

    connection: Connection
    username: str
    otp: str
    audience: str | None
    requested: tuple[str, ...]


@dataclass(frozen=True)
class OtpLogin:
    """The ``passwordless/otp`` grant up to the login; the Actions run on ``attempt`` next,
    then :func:`otp_tokens` issues."""

    attempt: Attempt
    audience: str | None
    requested: tuple[str, ...]


def read_otp(
    desk: TokenDesk,
    connections: Mapping[str, Connection],
    client: Client,
    params: Mapping[str, str],
    default_audience: str | None,
) -> OtpRequest:
    """The ``passwordless/otp`` grant: the code sent to ``username`` through the ``realm``
    connection, for an API the tenant has; the login spends it and the first login creates
    the user (https://auth0.com/docs/api/authentication#authenticate-user)."""
    require_grant_type(client, OTP_GRANT)
    for name in ("username", "otp", "realm"):
        if not params.get(name):
            raise OAuthError(400, "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name=name))
    connection = connections.get(params["realm"])
    if connection is None or not connection.is_passwordless:
        raise OAuthError(400, "invalid_request", OAuthMsg.UNKNOWN_CONNECTION)
    if client.client_id not in connection.enabled_clients:
        raise OAuthError(400, "invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED)
    audience = params.get("audience") or default_audience or None
    require_audience(desk, audience)
    asked = params.get("scope")
    requested = asked.split() if asked else list(PASSWORD_DEFAULT_SCOPE)
    return OtpRequest(connection, params["username"], params["otp"], audience, tuple(requested))


def otp_tokens(
    desk: TokenDesk,
    client: Client,
    login: OtpLogin,
    user: User,
    now: float,
    changes: TokenChanges | None = None,
) -> dict[str, Any]:
    """The grant's answer for the user the login resolved to."""
    grant = Grant(
        client_id=client.client_id,
        user_id=user.user_id,
        scopes=granted_scopes(desk, client, login.requested, login.audience),
        audience=login.audience,
        auth_time=int(now),
        changes=changes,
    )
    return issue_tokens(desk, client, grant, refresh_token=True)


def log_in(
    login_desk: LoginDesk,
    book: CodeBook,
    connection: Connection,
    client_id: str,
    username: str,
    otp: str,
    *,
    now: float,
    ip: str | None,
    checked: PendingCode | None = None,
) -> Attempt:
    """The code (typed, or carried by the link) spent, then the login through the one login
    pipeline, which creates the user on first use; the Actions and hooks run on it next.
    ``checked``: the code was checked before the pre-user-registration Actions ran, and only
    that code may be spent now."""
    address = address_of(connection, username)
    if checked is None:
        book.redeem(connection, address, client_id, otp, now)
    else:
        book.spend(connection, address, checked, now)
    return sign_in(
        login_desk,
        connection.name,
        ip=ip,
        client_id=client_id,
        **login_fields(connection, username),
    )
