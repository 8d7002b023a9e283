"""Hypothesis strategies for downstream suites: valid Auth0 users, identities, metadata,
connections, and tenants populated with them.

Everything generated is something a real tenant accepts (the connection's password policy,
e-mail format, metadata key rules, app_metadata's reserved keys), so a failing property is a bug
in the code under test, not a malformed fixture. Strategies are built from small pieces that
Hypothesis shrinks towards short ASCII values, so a counter-example reads like a hand-written
one::

    from hypothesis import given
    from fakeauth0 import strategies as a0

    @given(a0.database_user_bodies())
    def test_signup(body): ...
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .connections import PASSWORD_POLICIES, password_meets_policy
from .tenant import Tenant
from .users import RESERVED_APP_METADATA, Identity

DEFAULT_DATABASE = "Username-Password-Authentication"
#: Printable ASCII without space: the characters Auth0 accepts in a password (33-126).
PASSWORD_CHARS = "".join(chr(c) for c in range(33, 127))
_SPECIAL = "".join(c for c in PASSWORD_CHARS if not c.isalnum())
_LOCAL = string.ascii_lowercase + string.digits
_LABEL = string.ascii_lowercase + string.digits
_KEY_CHARS = string.ascii_letters + string.digits + "_-"
_TLDS = ("com", "org", "net", "io", "dev")
_SOCIAL = ("google-oauth2", "github", "facebook", "twitter", "linkedin", "apple", "windowslive")


def emails() -> st.SearchStrategy[str]:
    """Lower-case addresses Auth0 (and the spec's ``email`` format) accept:
    ``local@label.tld``; shrinks to ``0@0.com``."""
    local = st.text(_LOCAL, min_size=1, max_size=20)
    dotted = st.builds(lambda a, b: f"{a}.{b}", local, local) | local
    domain = st.builds(
        lambda label, tld: f"{label}.{tld}",
        st.text(_LABEL, min_size=1, max_size=15),
        st.sampled_from(_TLDS),
    )
    return st.builds(lambda lo, do: f"{lo}@{do}", dotted, domain)


@st.composite
def passwords(draw: st.DrawFn, policy: str = "good") -> str:
    """Passwords the given policy accepts (``none`` … ``excellent``; a new tenant's database
    connection uses ``good``: 8+ characters from at least 3 of lower, upper, digit, special)."""
    if policy not in PASSWORD_POLICIES:
        raise ValueError(f"unknown password policy {policy!r}; one of {PASSWORD_POLICIES}")
    minimum = {"none": 1, "low": 6, "fair": 8, "good": 8, "excellent": 10}[policy]
    required = [
        draw(st.sampled_from(string.ascii_lowercase)),
        draw(st.sampled_from(string.ascii_uppercase)),
        draw(st.sampled_from(string.digits)),
        draw(st.sampled_from(_SPECIAL)),
    ]
    if policy == "excellent":  # never three equal characters in a row
        rest_chars = st.sampled_from(PASSWORD_CHARS)
        rest = draw(st.lists(rest_chars, min_size=max(0, minimum - 4), max_size=40))
        password = "".join(required + rest)
        fixed = [password[0], password[1]] if len(password) > 1 else list(password)
        for ch in password[2:]:
            if ch == fixed[-1] == fixed[-2]:
                ch = "a" if ch != "a" else "b"
            fixed.append(ch)
        password = "".join(fixed)
    else:
        rest = draw(
            st.text(PASSWORD_CHARS, min_size=max(0, minimum - 4), max_size=40),
        )
        password = "".join(required) + rest
    assert password_meets_policy(password, policy), password
    return password


def metadata_keys(*, app: bool = False) -> st.SearchStrategy[str]:
    """Keys Auth0 accepts in metadata: no ``.`` or ``$``; for ``app_metadata`` none of the
    reserved names (``email``, ``user_id``, ``blocked`` …)."""
    keys = st.text(_KEY_CHARS, min_size=1, max_size=20)
    if app:
        keys = keys.filter(lambda k: k not in RESERVED_APP_METADATA)
    return keys


def metadata_values() -> st.SearchStrategy[Any]:
    """JSON values that survive a round trip unchanged (no floats: their text form varies)."""
    scalars = st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=30)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(_KEY_CHARS, min_size=1, max_size=10), inner, max_size=4)
        ),
        max_leaves=8,
    )


def metadata(*, app: bool = False, max_size: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """``user_metadata`` (or ``app_metadata`` with ``app=True``) dictionaries; top-level values
    are never null, since a null in a write means "delete this key"."""
    return st.dictionaries(metadata_keys(app=app), metadata_values(), max_size=max_size)


def names() -> st.SearchStrategy[str]:
    """Profile names (1-150 characters in the spec; kept short and printable)."""
    return st.text(string.ascii_letters + " '-", min_size=1, max_size=30).filter(str.strip)


def phone_numbers() -> st.SearchStrategy[str]:
    """E.164 numbers, as the ``sms`` connection expects: ``+`` and 8-15 digits."""
    return st.builds(
        lambda first, rest: f"+{first}{rest}",
        st.sampled_from("123456789"),
        st.text(string.digits, min_size=7, max_size=14),
    )


@st.composite
def database_user_bodies(
    draw: st.DrawFn, connection: str = DEFAULT_DATABASE, policy: str = "good"
) -> dict[str, Any]:
    """``POST /users`` bodies for a database connection whose password policy is ``policy``."""
    body: dict[str, Any] = {
        "connection": connection,
        "email": draw(emails()),
        "password": draw(passwords(policy)),
    }
    body.update(draw(_optional_profile()))
    return body


@st.composite
def passwordless_user_bodies(draw: st.DrawFn, strategy: str = "email") -> dict[str, Any]:
    """``POST /users`` bodies for the passwordless ``email`` or ``sms`` connection."""
    if strategy == "email":
        body: dict[str, Any] = {"connection": "email", "email": draw(emails())}
    elif strategy == "sms":
        body = {"connection": "sms", "phone_number": draw(phone_numbers())}
    else:
        raise ValueError("passwordless strategy is 'email' or 'sms'")
    body.update(draw(_optional_profile()))
    return body


def user_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Create-user bodies for any of a new tenant's connections that allow creation."""
    return (
        database_user_bodies() | passwordless_user_bodies("email") | passwordless_user_bodies("sms")
    )


@st.composite
def _optional_profile(draw: st.DrawFn) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["email_verified"] = draw(st.booleans())
    if draw(st.booleans()):
        extra["given_name"] = draw(names())
        extra["family_name"] = draw(names())
    user_metadata = draw(metadata())
    if user_metadata:
        extra["user_metadata"] = user_metadata
    app_metadata = draw(metadata(app=True))
    if app_metadata:
        extra["app_metadata"] = app_metadata
    return extra


@st.composite
def social_profiles(
    draw: st.DrawFn, connections: Sequence[str] = ("google-oauth2",)
) -> tuple[str, str, dict[str, Any]]:
    """``(connection, user_id, profile)`` for :meth:`Tenant.add_social_user`: a user as Auth0
    stores it after a first social login. E-mails keep the IdP's case."""
    connection = draw(st.sampled_from(list(connections)))
    user_id = draw(st.text(string.digits, min_size=6, max_size=21).filter(lambda s: s[0] != "0"))
    email = draw(emails())
    if draw(st.booleans()):
        email = email.capitalize()
    profile: dict[str, Any] = {"email": email, "email_verified": draw(st.booleans())}
    if draw(st.booleans()):
        given, family = draw(names()), draw(names())
        profile.update(given_name=given, family_name=family, name=f"{given} {family}")
    return connection, user_id, profile


@st.composite
def identities(draw: st.DrawFn) -> Identity:
    """``identities[]`` entries: database, passwordless or social, with the id form each uses."""
    kind = draw(st.sampled_from(["database", "email", "sms", "social"]))
    if kind == "database":
        return Identity(DEFAULT_DATABASE, "auth0", draw(_object_ids()), False)
    if kind in ("email", "sms"):
        return Identity(kind, kind, draw(_object_ids()), False)
    provider = draw(st.sampled_from(_SOCIAL))
    bare = draw(st.text(string.digits, min_size=6, max_size=21).filter(lambda s: s[0] != "0"))
    return Identity(provider, provider, bare, True)


def _object_ids() -> st.SearchStrategy[str]:
    return st.text("0123456789abcdef", min_size=24, max_size=24)


def connection_names() -> st.SearchStrategy[str]:
    """Names Auth0 accepts for a connection: letters and digits in hyphen-separated runs,
    starting and ending with an alphanumeric, at most 35 characters."""
    run = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
    return st.lists(run, min_size=1, max_size=4).map("-".join).filter(lambda n: len(n) <= 35)


@st.composite
def connections(draw: st.DrawFn) -> dict[str, Any]:
    """Connection specs ``{"name", "strategy", "options"}`` (database ones with a password
    policy), as ``Tenant.create_connection(**spec)`` and the ``auth0_connections`` fixture take.
    Names start with ``c-`` so they never collide with a new tenant's defaults."""
    name = "c-" + draw(connection_names())[:33]
    strategy = draw(st.sampled_from(["auth0", *_SOCIAL]))
    options: dict[str, Any] = {}
    if strategy == "auth0":
        options["passwordPolicy"] = draw(st.sampled_from(PASSWORD_POLICIES))
    return {"name": name, "strategy": strategy, "options": options}


@st.composite
def tenants(
    draw: st.DrawFn,
    *,
    domain: str = "hypothesis.auth0.com",
    max_users: int = 6,
    max_social: int = 3,
) -> Tenant:
    """A fresh :class:`Tenant` holding generated database, passwordless and social users
    (unique e-mails, phone numbers and social ids, so every creation succeeds)."""
    tenant = Tenant(domain)
    bodies = draw(
        st.lists(
            user_bodies(),
            max_size=max_users,
            unique_by=lambda b: (b["connection"], b.get("email") or b.get("phone_number")),
        )
    )
    for body in bodies:
        tenant.create_user(body)
    socials = draw(st.lists(social_profiles(), max_size=max_social, unique_by=lambda s: s[:2]))
    for connection, user_id, profile in socials:
        tenant.add_social_user(connection, user_id, profile)
    return tenant
