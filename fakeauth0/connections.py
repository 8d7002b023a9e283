"""Connections: where users come from, and the rules each kind of connection imposes."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
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
#: Characters Auth0 allows in a username besides ASCII letters and digits (https://auth0.com/docs/authenticate/database-connections/require-username).
_USERNAME_RE = re.compile(r"^[A-Za-z0-9@^$.!`\-#+'~_]+$")
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGIT = re.compile(r"[0-9]")  # ASCII digits only, as JavaScript's \d


@dataclass
class Connection:
    """One connection. ``options`` keeps Auth0's option names (``passwordPolicy`` ...)."""

    id: str
    name: str
    strategy: str
    options: dict[str, Any] = field(default_factory=dict)
    enabled_clients: list[str] = field(default_factory=list)
    display_name: str | None = None
    is_domain_connection: bool = False
    show_as_button: bool | None = None
    #: None: the connection's name is its only realm (the spec's ``realms``).
    realms: list[str] | None = None
    metadata: dict[str, str] | None = None

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
    def username_status(self) -> str:
        """``required``, ``optional`` or ``inactive``: whether users of this connection must,
        may or may not have a username. Newer tenants say it with
        ``options.attributes.username.signup.status`` (the spec's ``UsernameAttribute`` and
        ``SignupStatusEnum``), older ones with ``options.requires_username``."""
        attribute = (self.options.get("attributes") or {}).get("username")
        if isinstance(attribute, dict):
            status = (attribute.get("signup") or {}).get("status") or "required"
            return str(status)
        return "required" if self.options.get("requires_username") else "inactive"

    @property
    def requires_username(self) -> bool:
        """A user cannot be created here without a username."""
        return self.username_status == "required"

    @property
    def allows_username(self) -> bool:
        """A user here may have a username (required or optional)."""
        return self.username_status in ("required", "optional")

    @property
    def sync_user_root_attributes(self) -> str:
        """``set_user_root_attributes``; database and passwordless connections never sync."""
        if self.is_database or self.is_passwordless:
            return "never_on_login"
        return str(self.options.get("set_user_root_attributes") or "on_each_login")

    def username_length(self) -> tuple[int, int]:
        attribute = (self.options.get("attributes") or {}).get("username")
        if isinstance(attribute, dict) and isinstance(attribute.get("validation"), dict):
            limits = attribute["validation"]
            return int(limits.get("min_length", 1)), int(limits.get("max_length", 15))
        limits = (self.options.get("validation") or {}).get("username") or {}
        return int(limits.get("min", 1)), int(limits.get("max", 15))

    def check_password(self, password: str) -> None:
        """Raise Auth0's error when ``password`` fails this connection's policy
        (docs/auth0-behaviour.md#email-username-and-password)."""
        if not password_meets_policy(password, self.password_policy):
            raise Auth0Error.bad_request(Msg.PASSWORD_WEAK)

    def check_username(self, username: str) -> None:
        low, high = self.username_length()
        if not (low <= len(username) <= high) or not _USERNAME_RE.match(username):
            raise Auth0Error.invalid_body(Msg.USERNAME_INVALID)
        if _EMAIL_LIKE.match(username):
            raise Auth0Error.invalid_body(Msg.USERNAME_INVALID)

    def to_json(self, *, listed: bool = False) -> dict[str, Any]:
        """The connection as the Management API shows it; ``listed``: as ``GET /connections``
        lists it, without the deprecated ``enabled_clients`` (the spec's ``ConnectionForList``)."""
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.display_name is not None:
            data["display_name"] = self.display_name
        data["strategy"] = self.strategy
        data["options"] = copy.deepcopy(self.options)
        if not listed:
            data["enabled_clients"] = list(self.enabled_clients)
        data["is_domain_connection"] = self.is_domain_connection
        if self.show_as_button is not None:
            data["show_as_button"] = self.show_as_button
        data["realms"] = list(self.realms) if self.realms else [self.name]
        if self.metadata is not None:
            data["metadata"] = dict(self.metadata)
        return data


@dataclass(frozen=True)
class Charset:
    """One of password-sheriff's charsets (lib/rules/contains.js,
    https://github.com/auth0/password-sheriff): how it is named to users and how it is found."""

    code: str
    message: str
    pattern: re.Pattern[str]

    def explain(self, password: str | None = None) -> dict[str, Any]:
        """As password-sheriff explains it; given a password, whether it holds this charset."""
        item: dict[str, Any] = {"message": self.message, "code": self.code}
        if password is not None:
            item["verified"] = self.pattern.search(password) is not None
        return item


#: ASCII letters and digits only (as JavaScript's ``[a-z]`` and ``\d``), and the OWASP special
#: characters, which include the space.
LOWER_CASE = Charset("lowerCase", "lower case letters (a-z)", re.compile(r"[a-z]"))
UPPER_CASE = Charset("upperCase", "upper case letters (A-Z)", re.compile(r"[A-Z]"))
NUMBERS = Charset("numbers", "numbers (i.e. 0-9)", _DIGIT)
SPECIAL_CHARACTERS = Charset(
    "specialCharacters",
    "special characters (e.g. !@#$%^&*)",
    re.compile(r"[ !\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"),
)


@dataclass(frozen=True)
class PasswordPolicy:
    """One strength level, as password-sheriff's index.js composes it from its rules; both the
    check (:func:`password_meets_policy`) and the description Auth0 sends with a refused
    password (:func:`password_rules`, :func:`password_policy_text`) read it.

    ``min_length`` counts UTF-16 code units, as JavaScript does; every charset of ``contains``
    must appear; at least ``at_least`` of ``contains_at_least`` must appear; no character may
    appear more than ``max_identical`` times in a row.
    """

    min_length: int
    contains: tuple[Charset, ...] = ()
    at_least: int = 0
    contains_at_least: tuple[Charset, ...] = ()
    max_identical: int | None = None
    identical_run: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_identical is not None:
            run = re.compile(rf"(.)\1{{{self.max_identical}}}", re.DOTALL)
            object.__setattr__(self, "identical_run", run)


_ALL_FOUR = (LOWER_CASE, UPPER_CASE, NUMBERS, SPECIAL_CHARACTERS)
#: Auth0's five levels (``options.passwordPolicy``): password-sheriff's index.js.
PASSWORD_POLICY_RULES: dict[str, PasswordPolicy] = {
    "none": PasswordPolicy(1),
    "low": PasswordPolicy(6),
    "fair": PasswordPolicy(8, contains=(LOWER_CASE, UPPER_CASE, NUMBERS)),
    "good": PasswordPolicy(8, at_least=3, contains_at_least=_ALL_FOUR),
    "excellent": PasswordPolicy(10, at_least=3, contains_at_least=_ALL_FOUR, max_identical=2),
}
#: The longest password Auth0 takes, in UTF-8 bytes, whatever the policy
#: (https://auth0.com/docs/authenticate/database-connections/password-strength: "the maximum is
#: 72 bytes").
PASSWORD_MAX_BYTES = 72


def _policy(policy: str) -> PasswordPolicy:
    rules = PASSWORD_POLICY_RULES.get(policy)
    if rules is None:
        raise ValueError(f"unknown password policy {policy!r}")
    return rules


def _length(password: str) -> int | None:
    """``password.length`` in JavaScript, or None when it is over :data:`PASSWORD_MAX_BYTES`."""
    if password.isascii():
        return None if len(password) > PASSWORD_MAX_BYTES else len(password)
    if len(password.encode("utf-8", "surrogatepass")) > PASSWORD_MAX_BYTES:
        return None
    return _utf16_length(password)


def password_meets_policy(password: str, policy: str) -> bool:
    """Whether ``password`` passes one of Auth0's strength levels (``options.passwordPolicy``).

    The rules are password-sheriff's (index.js and lib/rules/*.js), held in
    :data:`PASSWORD_POLICY_RULES`: ``none`` any non-empty string, ``low`` 6+, ``fair`` 8+ with a
    lower-case letter, an upper-case letter and a digit, ``good`` 8+ with 3 of lower / upper /
    digit / special, ``excellent`` 10+ with 3 of the 4 and no character 3 times in a row. No
    character is refused; beyond 72 bytes a password is too long for every level.
    """
    rules = PASSWORD_POLICY_RULES.get(policy) or _policy(policy)
    if not password:
        return False
    if password.isascii():
        length: int | None = len(password) if len(password) <= PASSWORD_MAX_BYTES else None
    else:
        length = _length(password)
    if length is None or length < rules.min_length:
        return False
    for charset in rules.contains:
        if charset.pattern.search(password) is None:
            return False
    if rules.at_least:
        found = 0
        for charset in rules.contains_at_least:
            if charset.pattern.search(password) is not None:
                found += 1
        if found < rules.at_least:
            return False
    run = rules.identical_run
    return run is None or run.search(password) is None


def _explained(rules: PasswordPolicy, password: str | None) -> list[dict[str, Any]]:
    """password-sheriff's ``explain()`` (no password) or ``missing(password)``: each rule of the
    level, in index.js order, with the keys in the order Auth0 sends them."""
    described: list[dict[str, Any]] = []
    if rules.min_length == 1:
        length_rule: dict[str, Any] = {"message": "Non-empty password required", "code": "nonEmpty"}
    else:
        length_rule = {
            "message": "At least %d characters in length",
            "format": [rules.min_length],
            "code": "lengthAtLeast",
        }
    if password is not None:
        length = _utf16_length(password)
        length_rule["verified"] = bool(password) and length >= rules.min_length
    described.append(length_rule)
    if rules.contains:
        items = [c.explain(password) for c in rules.contains]
        contains: dict[str, Any] = {"message": "Should contain:", "code": "shouldContain"}
        if password is not None:
            contains["verified"] = all(item["verified"] for item in items)
        contains["items"] = items
        described.append(contains)
    if rules.at_least:
        items = [c.explain(password) for c in rules.contains_at_least]
        at_least: dict[str, Any] = {
            "message": "Contain at least %d of the following %d types of characters:",
            "code": "containsAtLeast",
            "format": [rules.at_least, len(rules.contains_at_least)],
            "items": items,
        }
        if password is not None:
            at_least["verified"] = sum(item["verified"] for item in items) >= rules.at_least
        described.append(at_least)
    if rules.max_identical is not None:
        identical: dict[str, Any] = {
            "message": 'No more than %d identical characters in a row (e.g., "%s" not allowed)',
            "code": "identicalChars",
            "format": [rules.max_identical, "a" * (rules.max_identical + 1)],
        }
        if password is not None:
            assert rules.identical_run is not None
            identical["verified"] = bool(password) and not rules.identical_run.search(password)
        described.append(identical)
    return described


def password_rules(password: str, policy: str) -> dict[str, Any]:
    """What Auth0 sends as a refused password's ``description``: each rule of the level with
    whether ``password`` meets it (password-sheriff's ``missing``), e.g. ``{"rules": [{"message":
    "At least %d characters in length", "format": [8], "code": "lengthAtLeast", "verified":
    true}, ...], "verified": false}``. A password over :data:`PASSWORD_MAX_BYTES` also gets
    password-sheriff's ``maxLength`` rule, unmet."""
    described = _explained(_policy(policy), password)
    if _length(password) is None:
        described.append(
            {
                "message": "Maximum password length exceeded",
                "code": "maxLength",
                "format": [PASSWORD_MAX_BYTES],
                "verified": False,
            }
        )
    return {"rules": described, "verified": password_meets_policy(password, policy)}


def password_policy_text(policy: str) -> str:
    """The level as Auth0 words it in a refused password's ``policy`` (password-sheriff's
    ``toString``): one ``* `` line per rule, its charsets indented below it."""
    return _flat(_explained(_policy(policy), None), 0)


def _flat(described: list[dict[str, Any]], depth: int) -> str:
    indent = " " * depth
    lines = []
    for rule in described:
        line = indent + "* " + _format(rule["message"], rule.get("format", ()))
        if "items" in rule:
            line += "\n" + indent + _flat(rule["items"], depth + 1)
        lines.append(line)
    return "\n".join(lines)


def _format(message: str, values: Any) -> str:
    """node's ``util.format`` for the ``%d`` and ``%s`` placeholders password-sheriff uses."""
    parts = iter(values)
    return re.sub(r"%[ds]", lambda _: str(next(parts)), message)


def _utf16_length(text: str) -> int:
    """``text.length`` in JavaScript: characters outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def default_connections(ids: Any) -> list[Connection]:
    """The connections a new Auth0 tenant starts with.

    The database policy is ``good``: new tenants' ``Username-Password-Authentication`` shows
    "Good" in the dashboard (docs/auth0-behaviour.md#email-username-and-password marks this
    UNCONFIRMED; change it here).
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


def require_connection(connections: Mapping[str, Connection], name: str) -> Connection:
    """The connection called ``name``, or the API's 400 for a connection that does not exist."""
    found = connections.get(name)
    if found is None:
        raise Auth0Error.bad_request(Msg.CONNECTION_NOT_FOUND, "inexistent_connection")
    return found


# -- the Management API's connections ---------------------------------------------------------

#: The database connection every new tenant has, enabled for every client added to the tenant.
DEFAULT_DATABASE = "Username-Password-Authentication"
#: Connection names, as Auth0 checks them (the spec's ``name`` description: alphanumerics and
#: ``-``, starting and ending with an alphanumeric; 128 at most, checked by the spec's schema).
_NAME_RE = re.compile(r"^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$")
#: The options Auth0 gives a new database connection besides those sent (go-auth0
#: test/data/recordings/TestConnectionManager_List.yaml, a real ``POST /connections``).
_DATABASE_DEFAULTS: dict[str, Any] = {
    "mfa": {"active": True, "return_enroll_settings": True},
    "passwordPolicy": "good",
    "strategy_version": 2,
    "brute_force_protection": True,
}
#: Body fields kept as sent, on create and update.
_PLAIN_FIELDS = ("display_name", "is_domain_connection", "show_as_button", "metadata")


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _realms(values: list[str] | None) -> list[str] | None:
    """``realms`` as sent; empty means the name alone (stored as None)."""
    return _unique(values) if values else None


def check_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise Auth0Error.invalid_body(Msg.CONNECTION_NAME_PATTERN.format(name=name))


def new_connection(
    fields: Mapping[str, Any], connection_id: str, existing: Mapping[str, Connection]
) -> Connection:
    """``POST /connections``: the connection ``fields`` (a spec-valid body) describe."""
    name = fields["name"]
    check_name(name)
    if name in existing:
        raise Auth0Error(409, Msg.CONNECTION_EXISTS)
    strategy = fields["strategy"]
    options = copy.deepcopy(fields.get("options") or {})
    if strategy == DATABASE:
        options = {**copy.deepcopy(_DATABASE_DEFAULTS), **options}
    extra = {key: copy.deepcopy(fields[key]) for key in _PLAIN_FIELDS if key in fields}
    return Connection(
        connection_id,
        name,
        strategy,
        options,
        enabled_clients=_unique(fields.get("enabled_clients") or ()),
        realms=_realms(fields.get("realms")),
        **extra,
    )


def updated_connection(connection: Connection, fields: Mapping[str, Any]) -> Connection:
    """``PATCH /connections/{id}``: a new record (records are replaced, never edited in place).

    ``options``, when sent, replaces the options whole ("the whole options object will be
    overridden": https://auth0.com/docs/api/management/v2/connections/patch-connections-by-id),
    so a new ``passwordPolicy`` or username rule applies to the next password or username set.
    ``display_name`` not sent becomes the name (the spec's ``UpdateConnectionRequestContent``).
    ``name`` and ``strategy`` are not in the update schema, so they never change.
    """
    changes: dict[str, Any] = {
        key: copy.deepcopy(fields[key]) for key in _PLAIN_FIELDS if key in fields
    }
    changes.setdefault("display_name", connection.name)
    if "options" in fields:
        changes["options"] = copy.deepcopy(fields["options"] or {})
    if "enabled_clients" in fields:
        changes["enabled_clients"] = _unique(fields["enabled_clients"])
    if "realms" in fields:
        changes["realms"] = _realms(fields["realms"])
    return dataclasses.replace(connection, **changes)


def with_client_status(connection: Connection, client_id: str, enabled: bool) -> Connection:
    """The connection enabled (or not) for one client."""
    clients = [c for c in connection.enabled_clients if c != client_id]
    if enabled:
        clients.append(client_id)
    if clients == connection.enabled_clients:
        return connection
    return dataclasses.replace(connection, enabled_clients=clients)


def require_connection_id(connections: Iterable[Connection], connection_id: str) -> Connection:
    """The connection whose id is ``connection_id``, or the connection endpoints' 404."""
    for connection in connections:
        if connection.id == connection_id:
            return connection
    raise Auth0Error(404, Msg.CONNECTION_ID_NOT_FOUND, "inexistent_connection")
