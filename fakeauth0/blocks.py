"""Brute-force protection and the user blocks it leaves
(docs/auth0-behaviour.md#blocks-and-brute-force-protection).

Auth0 counts the consecutive failed logins of one account from one IP address; at the
tenant's threshold (``max_attempts``, 10 on a new tenant) that address may no longer log in as
that account, even with the right password, and the user is told by e-mail
(https://auth0.com/docs/secure/attack-protection/brute-force-protection). The block is what
``/api/v2/user-blocks`` shows and removes. It ends with an administrator's unblock, a password
change, a threshold raised above the count, or 30 days after the last failure.

One rule, one place: :meth:`Guard.attempt` is called by the one login pipeline
(:func:`fakeauth0.logins.authenticate`) for every database login, whichever door it came
through. No HTTP here; the caller holds the tenant lock.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .clock import format_iso
from .errors import OAuthError, OAuthMsg
from .users import User

#: What a new tenant has (https://auth0.com/docs/secure/attack-protection/brute-force-protection:
#: on by default, blocking and notifying, 10 attempts per identifier and IP; the spec's
#: ``GetBruteForceSettingsResponseContent`` defaults).
NEW_TENANT: dict[str, Any] = {
    "enabled": True,
    "shields": ["block", "user_notification"],
    "mode": "count_per_identifier_and_ip",
    "allowlist": [],
    "max_attempts": 10,
}
SHIELDS = ("block", "user_notification")
MODES = ("count_per_identifier_and_ip", "count_per_identifier")
#: A block lasts until 30 days after the last failed attempt (same page, "remove blocks").
BLOCK_LIFETIME = 30 * 24 * 3600
#: The e-mail template of the notice (the spec's ``EmailTemplateNameEnum``).
BLOCKED_ACCOUNT = "blocked_account"
TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True)
class BruteForceSettings:
    """``/attack-protection/brute-force-protection``. Frozen: a change makes a new object, so
    a failed commit can put the old one back."""

    enabled: bool = True
    shields: tuple[str, ...] = ("block", "user_notification")
    mode: str = "count_per_identifier_and_ip"
    allowlist: tuple[str, ...] = ()
    max_attempts: int = 10

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "shields": list(self.shields),
            "mode": self.mode,
            "allowlist": list(self.allowlist),
            "max_attempts": self.max_attempts,
        }

    def updated(self, body: Mapping[str, Any]) -> BruteForceSettings:
        """A PATCH: the attributes named replace theirs (the spec validated their types)."""
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key in ("shields", "allowlist"):
                changes[key] = tuple(value)
            elif key in ("enabled", "mode", "max_attempts"):
                changes[key] = value
            else:
                raise TypeError(f"unknown brute-force protection setting {key!r}")
        return dataclasses.replace(self, **changes)

    def record(self) -> dict[str, Any]:
        """The seed form: what differs from a new tenant's."""
        shown = self.to_json()
        return {k: v for k, v in shown.items() if NEW_TENANT[k] != v}

    @property
    def blocks(self) -> bool:
        return self.enabled and "block" in self.shields

    @property
    def notifies(self) -> bool:
        return self.enabled and "user_notification" in self.shields

    def trusts(self, ip: str) -> bool:
        """An allow-listed address (an IP or a CIDR range) is never counted nor blocked."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return ip in self.allowlist
        for entry in self.allowlist:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False


@dataclass
class Failures:
    """The consecutive failed logins of one account from one address (``ip`` None when the
    tenant counts per identifier only)."""

    user_id: str
    ip: str | None
    #: What the last failed attempt typed (e-mail or username): ``blocked_for``'s identifier.
    identifier: str
    connection: str
    count: int = 0
    #: Epoch seconds of the last failure, on the tenant clock.
    last: float = 0.0

    def blocked_for(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"identifier": self.identifier}
        if self.ip is not None:
            entry["ip"] = self.ip
        entry["connection"] = self.connection
        return entry


class BruteForce:
    """The tenant's brute-force protection: its settings and the failures it counts.

    Whether a count blocks is decided when asked, against the settings and the clock of that
    moment, so raising ``max_attempts`` above a count or letting 30 days pass ends a block with
    no bookkeeping."""

    def __init__(self) -> None:
        self.settings = BruteForceSettings()
        self.failures: dict[tuple[str, str | None], Failures] = {}

    # -- the login pipeline's one call ------------------------------------------------------

    def guard(self, now: float, outbox: list[dict[str, Any]]) -> Guard:
        """What one login needs of the protection: the counters, the time on the tenant clock,
        and where the notice goes (:attr:`Tenant.mail`)."""
        return Guard(self, now, outbox)

    def _key(self, user_id: str, ip: str) -> tuple[str, str | None] | None:
        """The counter a login from ``ip`` goes to; None when nothing is counted."""
        settings = self.settings
        if not settings.enabled or settings.trusts(ip):
            return None
        return (user_id, ip if settings.mode == "count_per_identifier_and_ip" else None)

    def _blocks(self, failures: Failures | None, now: float) -> bool:
        return (
            failures is not None
            and self.settings.blocks
            and failures.count >= self.settings.max_attempts
            and now - failures.last < BLOCK_LIFETIME
        )

    # -- what the Management API shows and removes ------------------------------------------

    def blocked_for(
        self, user_ids: Iterable[str], now: float, *, consider_enablement: bool = False
    ) -> list[dict[str, Any]]:
        """The blocked (identifier, IP) pairs of these users, oldest block first. Without
        ``consider_enablement`` a block is listed whatever the settings say now (the spec's
        ``consider_brute_force_enablement``)."""
        wanted = set(user_ids)
        if consider_enablement and not self.settings.blocks:
            return []
        return [
            f.blocked_for()
            for f in self.failures.values()
            if f.user_id in wanted
            and f.count >= self.settings.max_attempts
            and now - f.last < BLOCK_LIFETIME
        ]

    def forget(self, user_ids: Iterable[str]) -> None:
        """Unblock these users everywhere and start their counts again: an administrator's
        unblock, a password change, a deleted user."""
        wanted = set(user_ids)
        for key in [k for k, f in self.failures.items() if f.user_id in wanted]:
            del self.failures[key]

    def update_settings(self, body: Mapping[str, Any]) -> BruteForceSettings:
        self.settings = self.settings.updated(body)
        return self.settings

    def copy(self) -> BruteForce:
        """An independent copy: what a failed commit puts back."""
        twin = BruteForce()
        twin.settings = self.settings
        twin.failures = {k: dataclasses.replace(f) for k, f in self.failures.items()}
        return twin

    # -- seeds and snapshots ----------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        """The seed form: ``settings`` as they differ from a new tenant's, and each counter
        (``last`` in epoch seconds on the tenant clock, kept exactly); empty for a new tenant."""
        data: dict[str, Any] = {}
        settings = self.settings.record()
        if settings:
            data["settings"] = settings
        if self.failures:
            data["failures"] = [
                {
                    "user_id": f.user_id,
                    "ip": f.ip,
                    "identifier": f.identifier,
                    "connection": f.connection,
                    "count": f.count,
                    "last": f.last,
                }
                for f in self.failures.values()
            ]
        return data

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> BruteForce:
        """A new tenant's protection with ``record``'s settings and counters; ``TypeError``
        or ``ValueError`` names what does not fit."""
        unknown = sorted(set(record) - {"settings", "failures"})
        if unknown:
            raise ValueError("unknown keys " + ", ".join(unknown))
        book = cls()
        settings = record.get("settings") or {}
        if not isinstance(settings, Mapping):
            raise TypeError("settings must be an object")
        book.settings = _checked(BruteForceSettings().updated(settings))
        failures = record.get("failures") or []
        if not isinstance(failures, list):
            raise TypeError("failures must be a list")
        for entry in failures:
            if not isinstance(entry, Mapping):
                raise TypeError("each failure must be an object")
            counted = Failures(**copy.deepcopy(dict(entry)))
            if not isinstance(counted.count, int) or not isinstance(counted.last, int | float):
                raise TypeError("count must be an integer and last a number")
            book.failures[(counted.user_id, counted.ip)] = counted
        return book


def _checked(settings: BruteForceSettings) -> BruteForceSettings:
    """The values the spec allows (a seed is not validated by the spec as a PATCH is)."""
    if not isinstance(settings.enabled, bool):
        raise TypeError("enabled must be a boolean")
    if any(s not in SHIELDS for s in settings.shields):
        raise ValueError("shields may hold only " + ", ".join(SHIELDS))
    if settings.mode not in MODES:
        raise ValueError("mode must be one of " + ", ".join(MODES))
    if not isinstance(settings.max_attempts, int) or isinstance(settings.max_attempts, bool):
        raise TypeError("max_attempts must be an integer")
    if not all(isinstance(a, str) for a in settings.allowlist):
        raise TypeError("allowlist must hold strings")
    return settings


@dataclass(frozen=True)
class Guard:
    """The protection as one login sees it (:class:`fakeauth0.logins.LoginDesk` carries it)."""

    book: BruteForce
    now: float
    outbox: list[dict[str, Any]]

    def attempt(
        self, user: User, identifier: str | None, connection: str, ip: str, client_id: str
    ) -> Attempt:
        """A database login of ``user`` from ``ip`` about to check its password: refused now
        with 429 ``too_many_attempts`` when the pair is blocked, even if the password is
        right; else an :class:`Attempt` the caller settles as failed or passed."""
        book = self.book
        key = book._key(user.user_id, ip)
        if key is not None and book._blocks(book.failures.get(key), self.now):
            raise OAuthError(429, TOO_MANY_ATTEMPTS, OAuthMsg.ACCOUNT_BLOCKED)
        typed = identifier or user.email or user.profile.get("username") or user.user_id
        return Attempt(self, key, user, str(typed), connection, ip, client_id)


@dataclass
class Attempt:
    """One database login past the block check, settled once its password is checked."""

    guard: Guard
    key: tuple[str, str | None] | None
    user: User
    identifier: str
    connection: str
    ip: str
    client_id: str

    def failed(self) -> None:
        """A wrong password: one more consecutive failure. The failure that reaches the
        threshold blocks the next attempts and, with ``user_notification``, leaves the
        ``blocked_account`` notice in the outbox."""
        if self.key is None:
            return
        book, now = self.guard.book, self.guard.now
        failures = book.failures.get(self.key)
        if failures is None or now - failures.last >= BLOCK_LIFETIME:
            failures = Failures(self.key[0], self.key[1], self.identifier, self.connection)
            book.failures[self.key] = failures
        failures.count += 1
        failures.last = now
        failures.identifier = self.identifier
        failures.connection = self.connection
        settings = book.settings
        if settings.notifies and failures.count == settings.max_attempts and self.user.email:
            self.guard.outbox.append(
                blocked_account_mail(
                    recipient=self.user.email,
                    user_id=self.user.user_id,
                    client_id=self.client_id,
                    connection=self.connection,
                    ip=self.ip,
                    now=now,
                )
            )

    def passed(self) -> None:
        """The right password: the count of consecutive failures starts again."""
        if self.key is not None:
            self.guard.book.failures.pop(self.key, None)


def identifies(user: User, identifier: str) -> bool:
    """Whether ``identifier`` (the spec: "any of a username, phone number, or email") names
    the user; e-mails compare without case, as the Auth0 store keeps them lower-cased."""
    profile = user.profile
    email = profile.get("email")
    if isinstance(email, str) and email.lower() == identifier.lower():
        return True
    return identifier in (profile.get("username"), profile.get("phone_number"))


def blocked_account_mail(
    *,
    recipient: str,
    user_id: str,
    client_id: str,
    connection: str,
    ip: str,
    now: float,
) -> dict[str, Any]:
    """The notice Auth0 e-mails when an address is blocked (the ``blocked_account`` template,
    https://auth0.com/docs/customize/email/email-templates), as :attr:`Tenant.mail` keeps it."""
    return {
        "template": BLOCKED_ACCOUNT,
        "recipient": recipient,
        "user_id": user_id,
        "client_id": client_id,
        "connection": connection,
        "ip": ip,
        "time": format_iso(now),
    }
