"""What a login leaves behind: SSO sessions, login transactions, authorization codes, refresh
tokens and opaque ``/userinfo`` tokens (docs/auth0-behaviour.md#sessions-codes-and-refresh-tokens;
Auth0: https://auth0.com/docs/manage-users/sessions,
https://auth0.com/docs/secure/tokens/refresh-tokens).

Each is a record in one :class:`SessionBook`, judged against the tenant's clock, so a test that
advances the clock sees a session or a refresh token expire as it would on Auth0. A code is
redeemed at most once; a refresh token rotated out and presented again revokes its whole family.
None of it is in snapshots: like Auth0's own sessions, it does not survive a tenant's reset.
No HTTP here; the caller holds the tenant lock.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .errors import OAuthError, OAuthMsg
from .executions import TokenChanges
from .tokens import b64url

#: Auth0's defaults for a tenant's session: 72 hours idle, 168 hours absolute
#: (https://auth0.com/docs/manage-users/sessions/configure-session-lifetime-settings).
SESSION_IDLE = 72 * 3600
SESSION_ABSOLUTE = 168 * 3600
#: How long a code waits for its exchange (CHOICES.md "authorization code lifetime").
CODE_LIFETIME = 600
#: How long a login page's transaction (the ``/u/*`` ``state``) stays open (CHOICES.md).
TRANSACTION_LIFETIME = 3600
#: Caps on live records, so a test that loops over logins cannot grow the tenant without bound.
_MAX_RECORDS = 10_000


@dataclass(frozen=True)
class Grant:
    """What a user let a client have: the subject, the scopes and the API of the tokens that
    a code or a refresh token turns into, and the login they came from."""

    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    audience: str | None = None
    nonce: str | None = None
    sid: str | None = None
    auth_time: int | None = None
    #: Whether the ID token says when the user authenticated (``max_age`` or ``prompt=login``).
    with_auth_time: bool = False
    #: The organization the login went through: ``org_id`` (and ``org_name``) in its tokens.
    org_id: str | None = None
    org_name: str | None = None
    #: What the login's post-login Actions asked of its tokens (claims, scope edits).
    changes: TokenChanges | None = None


@dataclass
class Session:
    """The ``auth0`` cookie's session: one user, logged in at ``auth_time``."""

    sid: str
    user_id: str
    connection: str
    created: float
    last_active: float
    auth_time: float
    clients: set[str] = field(default_factory=set)
    #: What the post-login Actions of the login that opened the session asked of its tokens;
    #: the tokens ``/authorize`` issues on this session carry them.
    changes: TokenChanges | None = None


@dataclass(frozen=True)
class AuthorizationCode:
    grant: Grant
    #: The ``redirect_uri`` sent to ``/authorize``; the exchange must send the same.
    redirect_uri: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires: float


@dataclass
class RefreshToken:
    token: str
    family: str
    grant: Grant
    issued: float
    last_used: float
    #: When the token was rotated out (a newer token of its family replaced it).
    rotated_at: float | None = None


@dataclass
class RefreshFamily:
    """The tokens descending from one login; revoked together, dying together."""

    id: str
    client_id: str
    user_id: str
    #: Fixed at issue, not moved by rotation; None: never.
    expires: float | None
    #: Seconds of inactivity after which a token dies; None: never.
    idle: float | None
    rotating: bool
    leeway: float
    revoked: bool = False
    latest: str | None = None
    #: When the login issued the first token; the SSO session that login opened, if any.
    created: float = 0.0
    session_id: str | None = None
    #: When a token of the family was last exchanged at ``/oauth/token``.
    last_exchanged: float | None = None


@dataclass(frozen=True)
class OpaqueToken:
    """An access token for ``/userinfo`` only, issued when no API was asked for."""

    user_id: str
    client_id: str
    scopes: tuple[str, ...]
    expires: float


class SessionBook:
    """The tenant's sessions, transactions, codes and refresh tokens."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        #: handle -> (expiry, the /authorize request, the browser's device id it is bound to).
        self.transactions: dict[str, tuple[float, dict[str, Any], str | None]] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.families: dict[str, RefreshFamily] = {}
        self.opaque: dict[str, OpaqueToken] = {}
        #: What each user let each client have on each API: (user, client, audience) -> scopes.
        self.consents: dict[tuple[str, str, str], set[str]] = {}

    def clear(self) -> None:
        for records in (
            self.sessions,
            self.transactions,
            self.codes,
            self.refresh_tokens,
            self.families,
            self.opaque,
            self.consents,
        ):
            records.clear()

    # -- sessions -------------------------------------------------------------------------

    def start(self, user_id: str, connection: str) -> Session:
        now = self.clock.time()
        session = Session(secrets.token_urlsafe(24), user_id, connection, now, now, now)
        _bounded(self.sessions)
        self.sessions[session.sid] = session
        return session

    def session(
        self, sid: str | None, *, idle: float = SESSION_IDLE, absolute: float = SESSION_ABSOLUTE
    ) -> Session | None:
        """The live session of ``sid``, its idle window restarted; None once it expired
        (``idle`` and ``absolute`` in seconds)."""
        session = self.live_session(sid, idle=idle, absolute=absolute)
        if session is not None:
            session.last_active = self.clock.time()
        return session

    def live_session(
        self, sid: str | None, *, idle: float = SESSION_IDLE, absolute: float = SESSION_ABSOLUTE
    ) -> Session | None:
        """The session of ``sid`` unless it expired (an expired one is dropped); looking at it
        is no activity, so its idle window stays where it was."""
        session = self.sessions.get(sid) if sid else None
        if session is None:
            return None
        now = self.clock.time()
        if now >= session.created + absolute or now >= session.last_active + idle:
            del self.sessions[session.sid]
            return None
        return session

    def sessions_of(
        self, user_id: str, *, idle: float = SESSION_IDLE, absolute: float = SESSION_ABSOLUTE
    ) -> list[Session]:
        """The user's live sessions, oldest first."""
        found = [s.sid for s in self.sessions.values() if s.user_id == user_id]
        live = [self.live_session(sid, idle=idle, absolute=absolute) for sid in found]
        return [session for session in live if session is not None]

    def end(self, sid: str | None) -> Session | None:
        return self.sessions.pop(sid, None) if sid else None

    def end_sessions_of(self, user_id: str) -> None:
        for sid in [s.sid for s in self.sessions.values() if s.user_id == user_id]:
            del self.sessions[sid]

    # -- login transactions (the login page's ``state``) -----------------------------------

    def open_transaction(self, request: dict[str, Any], device: str | None = None) -> str:
        """A login transaction for ``request``, bound to the browser that started it (its
        ``did`` cookie), so no other browser can post a login into it."""
        handle = _handle()
        _bounded(self.transactions)
        expires = self.clock.time() + TRANSACTION_LIFETIME
        self.transactions[handle] = (expires, request, device)
        return handle

    def transaction(self, handle: str | None, device: str | None = None) -> dict[str, Any] | None:
        """The open transaction ``handle`` of the browser ``device``; None when unknown,
        expired, closed, or started by another browser."""
        found = self.transactions.get(handle) if handle else None
        if found is None:
            return None
        expires, request, bound = found
        if self.clock.time() >= expires:
            del self.transactions[handle]  # type: ignore[arg-type]
            return None
        if bound != device:
            return None
        return request

    def close_transaction(self, handle: str) -> None:
        self.transactions.pop(handle, None)

    # -- authorization codes ----------------------------------------------------------------

    def issue_code(
        self,
        grant: Grant,
        redirect_uri: str | None,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> str:
        code = secrets.token_urlsafe(24)
        expires = self.clock.time() + CODE_LIFETIME
        _bounded(self.codes)
        self.codes[code] = AuthorizationCode(
            grant, redirect_uri, code_challenge, code_challenge_method, expires
        )
        return code

    def redeem_code(self, code: str, client_id: str) -> AuthorizationCode:
        """The code's record, removed: a code works once. Unknown, used, expired or another
        client's: 403 ``invalid_grant`` "Invalid authorization code"."""
        found = self.codes.get(code)
        if found is None or found.grant.client_id != client_id:
            raise OAuthError(403, "invalid_grant", OAuthMsg.INVALID_CODE)
        del self.codes[code]
        if self.clock.time() >= found.expires:
            raise OAuthError(403, "invalid_grant", OAuthMsg.INVALID_CODE)
        return found

    # -- refresh tokens -----------------------------------------------------------------------

    def issue_refresh_token(self, grant: Grant, policy: Mapping[str, Any]) -> str:
        """A new family's first token, under the client's ``refresh_token`` settings."""
        now = self.clock.time()
        rotating = policy.get("rotation_type") == "rotating"
        expiring = policy.get("expiration_type") == "expiring"
        absolute = idle = None
        if expiring and not policy.get("infinite_token_lifetime", False):
            absolute = now + float(policy.get("token_lifetime") or 2592000)
        if expiring and not policy.get("infinite_idle_token_lifetime", False):
            idle = float(policy.get("idle_token_lifetime") or 1296000)
        family = RefreshFamily(
            id=secrets.token_hex(8),
            client_id=grant.client_id,
            user_id=grant.user_id,
            expires=absolute,
            idle=idle,
            rotating=rotating,
            leeway=float(policy.get("leeway") or 0) if rotating else 0.0,
            created=now,
            session_id=grant.sid,
        )
        _bounded(self.families)
        self.families[family.id] = family
        return self._add_token(family, grant, now)

    def _add_token(self, family: RefreshFamily, grant: Grant, now: float) -> str:
        token = "v1." + secrets.token_urlsafe(48)
        _bounded(self.refresh_tokens)
        self.refresh_tokens[token] = RefreshToken(token, family.id, grant, now, now)
        family.latest = token
        return token

    def use_refresh_token(
        self,
        token: str,
        client_id: str,
        check: Callable[[RefreshToken], None] | None = None,
    ) -> tuple[RefreshToken, str | None]:
        """Present ``token``: its record, and the token that replaces it when the family
        rotates. Unknown, expired, revoked or another client's: 403 ``invalid_grant``; a token
        already rotated out (beyond the leeway) revokes the whole family first. ``check`` may
        refuse the request (by raising) before anything changes: a refused request neither
        rotates the family nor restarts its idle window."""
        record = self.refresh_tokens.get(token)
        family = self.families.get(record.family) if record else None
        invalid = OAuthError(403, "invalid_grant", OAuthMsg.INVALID_REFRESH_TOKEN)
        if record is None or family is None or family.client_id != client_id or family.revoked:
            raise invalid
        now = self.clock.time()
        if family.expires is not None and now >= family.expires:
            raise invalid
        if family.idle is not None and now >= record.last_used + family.idle:
            raise invalid
        if record.rotated_at is not None:
            latest = self.refresh_tokens.get(family.latest or "")
            previous = latest is not None and latest.issued == record.rotated_at
            if not (previous and now - record.rotated_at < family.leeway):
                self.revoke_family(family.id)
                raise invalid
        if check is not None:
            check(record)
        record.last_used = now
        family.last_exchanged = now
        if not family.rotating:
            return record, None
        record.rotated_at = now
        return record, self._add_token(family, record.grant, now)

    def revoke_refresh_token(self, token: str, client_id: str) -> None:
        """``/oauth/revoke``: the token's family dies; unknown or foreign tokens are ignored."""
        record = self.refresh_tokens.get(token)
        if record is not None and record.grant.client_id == client_id:
            self.revoke_family(record.family)

    def revoke_family(self, family_id: str) -> None:
        family = self.families.get(family_id)
        if family is not None:
            family.revoked = True
            for token in [t for t, r in self.refresh_tokens.items() if r.family == family_id]:
                del self.refresh_tokens[token]

    def live_family(self, family_id: str) -> RefreshFamily | None:
        """The family of ``family_id`` while its tokens can still refresh: not revoked, not
        past its absolute or idle lifetime."""
        family = self.families.get(family_id)
        if family is None or family.revoked:
            return None
        latest = self.refresh_tokens.get(family.latest or "")
        if latest is None:
            return None
        now = self.clock.time()
        if family.expires is not None and now >= family.expires:
            return None
        if family.idle is not None and now >= latest.last_used + family.idle:
            return None
        return family

    def latest_token(self, family: RefreshFamily) -> RefreshToken:
        """The family's current token (a live family always has one)."""
        return self.refresh_tokens[family.latest or ""]

    def families_of(self, user_id: str) -> list[RefreshFamily]:
        """The user's live refresh-token families, oldest first."""
        found = [f.id for f in self.families.values() if f.user_id == user_id]
        live = [self.live_family(family_id) for family_id in found]
        return [family for family in live if family is not None]

    def revoke_families(self, *, user_id: str | None = None, sid: str | None = None) -> None:
        """Every family of the user, or every family issued in the session ``sid``, dies."""
        for family in list(self.families.values()):
            if (user_id is not None and family.user_id == user_id) or (
                sid is not None and family.session_id == sid
            ):
                self.revoke_family(family.id)

    def forget_user(self, user_id: str) -> None:
        """A deleted user's sessions and consents go; their refresh tokens stay, to be refused
        by name."""
        self.end_sessions_of(user_id)
        for key in [k for k in self.consents if k[0] == user_id]:
            del self.consents[key]

    # -- consent ------------------------------------------------------------------------------

    def consented(
        self, user_id: str, client_id: str, audience: str | None, scopes: tuple[str, ...]
    ) -> bool:
        """Whether the user already let the client have every one of ``scopes``."""
        given = self.consents.get((user_id, client_id, audience or ""), set())
        return set(scopes) <= given

    def consent(
        self, user_id: str, client_id: str, audience: str | None, scopes: tuple[str, ...]
    ) -> None:
        _bounded(self.consents)  # type: ignore[arg-type]
        self.consents.setdefault((user_id, client_id, audience or ""), set()).update(scopes)

    # -- opaque access tokens -------------------------------------------------------------------

    def issue_opaque(
        self, user_id: str, client_id: str, scopes: tuple[str, ...], lifetime: int, issuer: str
    ) -> str:
        """A token shaped as Auth0's encrypted ``/userinfo`` token (a JWE with ``alg: dir``),
        which applications cannot decode."""
        header = json.dumps({"alg": "dir", "enc": "A256GCM", "iss": issuer}, separators=(",", ":"))
        parts = [b64url(header.encode()), "", b64url(secrets.token_bytes(12))]
        parts += [b64url(secrets.token_bytes(96)), b64url(secrets.token_bytes(16))]
        token = ".".join(parts)
        _bounded(self.opaque)
        self.opaque[token] = OpaqueToken(user_id, client_id, scopes, self.clock.time() + lifetime)
        return token

    def opaque_token(self, token: str) -> OpaqueToken | None:
        found = self.opaque.get(token)
        if found is None or self.clock.time() >= found.expires:
            return None
        return found


def _handle() -> str:
    """An opaque transaction handle, shaped like the base64url blobs Auth0 puts there."""
    return "hKFo2S" + secrets.token_urlsafe(30)


def _bounded(records: dict[str, Any]) -> None:
    """Drop the oldest records once a kind reaches its cap (dicts keep insertion order)."""
    while len(records) >= _MAX_RECORDS:
        del records[next(iter(records))]
