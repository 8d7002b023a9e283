"""Connections: where users come from, and the rules each kind of connection imposes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import Auth0Error, Msg

DATABASE = "auth0"
PASSWORDLESS = frozenset({"email", "sms"})
#: Social strategies Auth0 offers (a subset of the spec's provider enum; the rest are enterprise).
SOCIAL = frozenset(
    {
        "amazon",
        "apple",
        "baidu",
        "bitbucket",
        "bitly",
        "box",
        "daccount",
        "dropbox",
        "dwolla",
        "evernote",
        "evernote-sandbox",
        "exact",
        "facebook",
        "fitbit",
        "flickr",
        "github",
        "google-oauth2",
        "instagram",
        "line",
        "linkedin",
        "miicard",
        "oauth1",
        "oauth2",
        "paypal",
        "paypal-sandbox",
        "planningcenter",
        "renren",
        "salesforce",
        "salesforce-community",
        "salesforce-sandbox",
        "shopify",
        "shop",
        "soundcloud",
        "thecity",
        "thecity-sandbox",
        "thirtysevensignals",
        "twitter",
        "untappd",
        "vkontakte",
        "weibo",
        "windowslive",
        "wordpress",
        "yahoo",
        "yammer",
        "yandex",
    }
)
PASSWORD_POLICIES = ("none", "low", "fair", "good", "excellent")
SYNC_MODES = ("on_each_login", "on_first_login", "never_on_login")
#: Characters Auth0 allows in a username besides ASCII letters and digits (require-username.mdx).
_USERNAME_RE = re.compile(r"^[A-Za-z0-9@^$.!`\-#+'~_]+$")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGIT = re.compile(r"[0-9]")


@dataclass
class Connection:
    """One connection. ``options`` keeps Auth0's option names (``passwordPolicy`` ...)."""

    id: str
    name: str
    strategy: str
    options: dict[str, Any] = field(default_factory=dict)
    enabled_clients: list[str] = field(default_factory=list)

    @property
    def is_database(self) -> bool:
        return self.strategy == DATABASE

    @property
    def is_passwordless(self) -> bool:
        return self.strategy in PASSWORDLESS

    @property
    def is_social(self) -> bool:
        return self.strategy in SOCIAL

    @property
    def is_enterprise(self) -> bool:
        return not (self.is_database or self.is_passwordless or self.is_social)

    @property
    def provider(self) -> str:
        """The ``provider`` of identities from this connection: the strategy, as Auth0 stores it."""
        return self.strategy

    @property
    def password_policy(self) -> str:
        return str(self.options.get("passwordPolicy") or "none")

    @property
    def requires_username(self) -> bool:
        return bool(self.options.get("requires_username"))

    @property
    def sync_user_root_attributes(self) -> str:
        """``set_user_root_attributes``; database and passwordless connections never sync."""
        if self.is_database or self.is_passwordless:
            return "never_on_login"
        return str(self.options.get("set_user_root_attributes") or "on_each_login")

    def username_length(self) -> tuple[int, int]:
        limits = (self.options.get("validation") or {}).get("username") or {}
        return int(limits.get("min", 1)), int(limits.get("max", 15))

    def check_password(self, password: str) -> None:
        """Raise Auth0's error when ``password`` fails this connection's policy (§3.6)."""
        if not password_meets_policy(password, self.password_policy):
            raise Auth0Error.bad_request(Msg.PASSWORD_WEAK)

    def check_username(self, username: str) -> None:
        low, high = self.username_length()
        if not (low <= len(username) <= high) or not _USERNAME_RE.match(username):
            raise Auth0Error.invalid_body(Msg.USERNAME_INVALID)
        if _EMAIL_LIKE.match(username):
            raise Auth0Error.invalid_body(Msg.USERNAME_INVALID)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "strategy": self.strategy,
            "options": dict(self.options),
            "enabled_clients": list(self.enabled_clients),
            "is_domain_connection": False,
            "realms": [self.name],
        }


def password_meets_policy(password: str, policy: str) -> bool:
    """Auth0's password strength levels (behaviour.md §3.6; password-strength.mdx).

    Passwords are 1-72 bytes of printable ASCII (33-126) in every policy.
    """
    # Printable ASCII only, so one byte per character; each test below is one C-level pass.
    if not password.isascii():
        password.encode("utf-8")  # raises on lone surrogates, as the byte-length check did
        return False
    if not password or len(password) > 72:
        return False
    if not password.isprintable() or " " in password:
        return False
    lower = password.upper() != password
    upper = password.lower() != password
    digit = _DIGIT.search(password) is not None
    special = not password.isalnum()
    classes = lower + upper + digit + special
    if policy == "none":
        return True
    if policy == "low":
        return len(password) >= 6
    if policy == "fair":
        return len(password) >= 8 and lower and upper and digit
    if policy == "good":
        return len(password) >= 8 and classes >= 3
    if policy == "excellent":
        repeated = any(
            password[i] == password[i + 1] == password[i + 2] for i in range(len(password) - 2)
        )
        return len(password) >= 10 and classes >= 3 and not repeated
    raise ValueError(f"unknown password policy {policy!r}")


def default_connections(ids: Any) -> list[Connection]:
    """The connections a new Auth0 tenant starts with.

    The database policy is ``good``: new tenants' ``Username-Password-Authentication`` shows
    "Good" in the dashboard (behaviour.md §3.6 marks this UNCONFIRMED; change it here).
    """
    return [
        Connection(
            ids.connection_id(),
            "Username-Password-Authentication",
            DATABASE,
            {"passwordPolicy": "good", "brute_force_protection": True, "mfa": {"active": True}},
        ),
        Connection(
            ids.connection_id(),
            "google-oauth2",
            "google-oauth2",
            {"email": True, "profile": True, "set_user_root_attributes": "on_each_login"},
        ),
        Connection(ids.connection_id(), "email", "email", {"name": "email"}),
        Connection(ids.connection_id(), "sms", "sms", {"name": "sms"}),
    ]
