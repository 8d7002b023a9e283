"""Which fields v3 user search knows, and how each is read from a user and compared.

Auth0's rules (docs/auth0-behaviour.md#query-syntax): values are not tokenized; ``email``, ``name``,
``given_name``, ``family_name`` and ``nickname`` compare case-insensitively, everything else
(metadata included) case-sensitively. Every value a field yields is already *normalized*
(folded when case-insensitive, canonical ISO for dates), so the indexes and the plain scan
compare the very same keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from typing import Any

from ..errors import Auth0Error, Msg
from ..users import User

TEXT = "text"
BOOL = "bool"
INT = "int"
DATE = "date"

Key = str | bool | int | float


@dataclass(frozen=True)
class Field:
    """One searchable root field: its kind, whether it folds case, and how to read it."""

    name: str
    kind: str
    folded: bool
    read: Callable[[User], Iterator[Any]]
    #: Searched by a term given without a field (docs/auth0-behaviour.md#query-syntax: never
    #: metadata).
    default: bool = False
    #: ``keys(user)``: the normalized values of this field on ``user`` (what the index stores),
    #: as a tuple. Built once per field (see :func:`_extractor`): every write and every scanned
    #: user calls it, so it must not re-decide per call what kind of field it reads.
    keys: Callable[[User], tuple[Key, ...]] = dc_field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", _extractor(self))


def normalize(field: Field, raw: Any) -> Key | None:
    """A stored value as the index keeps it; ``None`` when the value is not indexable."""
    if raw is None:
        return None
    if field.kind == TEXT:
        if isinstance(raw, (dict, list)):
            return None
        text = raw if isinstance(raw, str) else str(raw)
        if field.folded:
            folded = text.lower()
            return text if folded == text else folded  # share the stored string when equal
        return text
    if field.kind == BOOL:
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        return None
    if field.kind == INT:
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if field.kind == DATE:
        return canonical_date(raw)
    return None


def _profile(name: str) -> Callable[[User], Iterator[Any]]:
    def read(user: User) -> Iterator[Any]:
        value = user.profile.get(name)
        if value is not None:
            yield value

    read.source = ("profile", name)  # type: ignore[attr-defined]  # what _extractor inlines
    return read


def _attribute(name: str) -> Callable[[User], Iterator[Any]]:
    def read(user: User) -> Iterator[Any]:
        value = getattr(user, name)
        if value is not None:
            yield value

    read.source = ("attribute", name)  # type: ignore[attr-defined]
    return read


def _identities(name: str) -> Callable[[User], Iterator[Any]]:
    def read(user: User) -> Iterator[Any]:
        for identity in user.identities:
            yield getattr(identity, name)

    read.source = ("identities", name)  # type: ignore[attr-defined]
    return read


def _user_id(user: User) -> Iterator[Any]:
    yield user.user_id


_user_id.source = ("attribute", "user_id")  # type: ignore[attr-defined]


def _email_domain(user: User) -> Iterator[Any]:
    email = user.profile.get("email")
    if isinstance(email, str) and "@" in email:
        yield email.rsplit("@", 1)[1]


_email_domain.source = ("email.domain", "email")  # type: ignore[attr-defined]


def reference_keys(field: Field, user: User) -> tuple[Key, ...]:
    """``field.keys`` spelt plainly (read, then normalize): what the tests hold the fast
    extractors to."""
    keys = (normalize(field, raw) for raw in field.read(user))
    return tuple(key for key in keys if key is not None)


_NONE: tuple[Key, ...] = ()
_TRUE: tuple[Key, ...] = (True,)
_FALSE: tuple[Key, ...] = (False,)


def _extractor(field: Field) -> Callable[[User], tuple[Key, ...]]:
    """``field.keys``, specialized on where the field is read from and on its kind.

    Equal to :func:`reference_keys` for every user (a Hypothesis test holds them together),
    but the common shapes (a string, a bool, an int, a canonical date) take one branch, with
    no generator, and anything else falls back to :func:`normalize`.
    """
    source = getattr(field.read, "source", None)
    if source is None:
        return lambda user: reference_keys(field, user)
    where, name = source
    kind, folded = field.kind, field.folded
    text, boolean, integer, date = kind == TEXT, kind == BOOL, kind == INT, kind == DATE

    def one(value: Any) -> tuple[Key, ...]:
        """The keys of one non-None stored value."""
        if kind == TEXT and value.__class__ is str:
            if folded:
                lowered = value.lower()
                return (value,) if lowered == value else (lowered,)
            return (value,)
        if kind == BOOL and value.__class__ is bool:
            return _TRUE if value else _FALSE
        if kind == INT and value.__class__ is int:
            return (value,)
        key = normalize(field, value)
        return _NONE if key is None else (key,)

    if where == "identities":
        get = attrgetter(name)

        def from_identities(user: User) -> tuple[Key, ...]:
            identities = user.identities
            if len(identities) == 1:
                value = get(identities[0])
                if value.__class__ is str and text and not folded:
                    return (value,)
                return _NONE if value is None else one(value)
            return tuple(k for i in identities if (v := get(i)) is not None for k in one(v))

        return from_identities
    if where == "email.domain":

        def from_email_domain(user: User) -> tuple[Key, ...]:
            email = user.profile.get(name)
            if isinstance(email, str) and "@" in email:
                return one(email.rsplit("@", 1)[1])
            return _NONE

        return from_email_domain
    # ``one`` inlined below for a single stored value: these two run ~15 times per write.
    if where == "profile":

        def from_profile(user: User) -> tuple[Key, ...]:
            value = user.profile.get(name)
            if value is None:
                return _NONE
            if text and value.__class__ is str:
                if folded:
                    lowered = value.lower()
                    return (value,) if lowered == value else (lowered,)
                return (value,)
            if boolean and value.__class__ is bool:
                return _TRUE if value else _FALSE
            return one(value)

        return from_profile
    get_attribute = attrgetter(name)

    def from_attribute(user: User) -> tuple[Key, ...]:
        value = get_attribute(user)
        if value is None:
            return _NONE
        if text and value.__class__ is str and not folded:
            return (value,)
        if integer and value.__class__ is int:
            return (value,)
        if date and value.__class__ is str and _CANONICAL.match(value):
            return (value,)
        return one(value)

    return from_attribute


def _field(name: str, kind: str, read: Callable[[User], Iterator[Any]], **kw: Any) -> Field:
    return Field(name, kind, kw.pop("folded", False), read, **kw)


#: The root fields of v3 search (docs/auth0-behaviour.md#query-syntax, user-search-query-syntax).
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        _field("user_id", TEXT, _user_id, default=True),
        _field("email", TEXT, _profile("email"), folded=True, default=True),
        _field("email.domain", TEXT, _email_domain, folded=True),
        _field("email_verified", BOOL, _profile("email_verified")),
        _field("name", TEXT, _profile("name"), folded=True, default=True),
        _field("nickname", TEXT, _profile("nickname"), folded=True, default=True),
        _field("given_name", TEXT, _profile("given_name"), folded=True, default=True),
        _field("family_name", TEXT, _profile("family_name"), folded=True, default=True),
        _field("username", TEXT, _profile("username"), default=True),
        _field("phone_number", TEXT, _profile("phone_number"), default=True),
        _field("phone_verified", BOOL, _profile("phone_verified")),
        _field("blocked", BOOL, _profile("blocked")),
        _field("logins_count", INT, _attribute("logins_count")),
        _field("created_at", DATE, _attribute("created_at")),
        _field("updated_at", DATE, _attribute("updated_at")),
        _field("last_login", DATE, _attribute("last_login")),
        _field("last_ip", TEXT, _attribute("last_ip")),
        _field("identities.connection", TEXT, _identities("connection"), default=True),
        _field("identities.provider", TEXT, _identities("provider"), default=True),
        _field("identities.user_id", TEXT, _identities("user_id"), default=True),
    )
}
DEFAULT_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS.values() if f.default)
METADATA_ROOTS = ("app_metadata", "user_metadata")
#: Fields Auth0 documents as searchable that the fake does not model: refuse, never guess.
UNMODELLED = {"organization_id": "organizations"}
#: Names people try that v3 does not search, with what to use instead.
NOT_SEARCHABLE = {
    "connection": 'use identities.connection:"<name>"',
    "picture": "picture is not a searchable field",
    "identities.isSocial": "identities.isSocial is not a searchable field",
}


def is_metadata(name: str) -> bool:
    return name.split(".", 1)[0] in METADATA_ROOTS


def field_named(name: str) -> Field:
    """The root field ``name``; an Auth0-style 400 or our 501 for names we cannot search."""
    found = FIELDS.get(name)
    if found is not None:
        return found
    if name in UNMODELLED:
        raise Auth0Error(
            501,
            Msg.SEARCH_UNMODELLED_FIELD.format(field=name, what=UNMODELLED[name]),
            "not_implemented",
        )
    if name in NOT_SEARCHABLE:
        raise Auth0Error.invalid_query(
            Msg.SEARCH_FIELD_NOT_SEARCHABLE.format(field=name, hint=NOT_SEARCHABLE[name])
        )
    raise Auth0Error(501, Msg.SEARCH_UNKNOWN_FIELD.format(field=name), "not_implemented")


# -- metadata ------------------------------------------------------------------------------------


def metadata_values(user: User, path: str) -> list[Any]:
    """Values at a dotted metadata path, stepping through arrays
    (docs/auth0-behaviour.md#query-syntax)."""
    root, _, rest = path.partition(".")
    current: list[Any] = [user.app_metadata if root == "app_metadata" else user.user_metadata]
    for segment in rest.split(".") if rest else ():
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict) and segment in value:
                following.extend(_flatten(value[segment]))
        current = following
    return [v for value in current for v in _flatten(value)]


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def indexed(value: Any) -> bool:
    """Auth0 does not index null, empty arrays or empty objects, so they never match."""
    if value is None:
        return False
    if isinstance(value, list):
        return any(indexed(v) for v in value)
    if isinstance(value, dict):
        return any(indexed(v) for v in value.values())
    return True


def metadata_term_matches(value: Any, term: str) -> bool:
    """A metadata value against a query term: text exactly, booleans and numbers by value."""
    if isinstance(value, bool):
        return term == ("true" if value else "false")
    if isinstance(value, str):
        return value == term
    if isinstance(value, (int, float)):
        number = parse_number(term)
        return number is not None and number == value
    return False


def parse_number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


# -- dates ---------------------------------------------------------------------------------------

_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?)?)?)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)


def format_date(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical_date(raw: Any) -> str | None:
    """A stored date in Auth0's canonical form, so dates compare as plain strings."""
    if isinstance(raw, datetime):
        return format_date(raw if raw.tzinfo else raw.replace(tzinfo=timezone.utc))
    if not isinstance(raw, str):
        return None
    if _CANONICAL.match(raw):
        return raw
    period = date_period(raw)
    return None if period is None else period[0]


def date_period(text: str) -> tuple[str, str] | None:
    """``[start, end)`` of a full or partial date: ``2017-12`` is the whole of December 2017."""
    match = _DATE.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        start = datetime(
            int(parts["y"]),
            int(parts["mo"] or 1),
            int(parts["d"] or 1),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            int((parts["f"] or "0")[:3].ljust(3, "0")) * 1000,
            tzinfo=_zone(parts["tz"]),
        )
    except ValueError:
        return None
    if parts["f"] is not None:
        end = start + timedelta(milliseconds=1)
    elif parts["s"] is not None:
        end = start + timedelta(seconds=1)
    elif parts["mi"] is not None:
        end = start + timedelta(minutes=1)
    elif parts["h"] is not None:
        end = start + timedelta(hours=1)
    elif parts["d"] is not None:
        end = start + timedelta(days=1)
    elif parts["mo"] is not None:
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    else:
        end = start.replace(year=start.year + 1)
    return format_date(start), format_date(end)


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
