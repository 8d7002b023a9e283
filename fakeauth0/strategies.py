"""Hypothesis strategies for downstream suites: valid Auth0 users, identities, metadata,
connections, APIs, seed documents with roles, permissions and organizations, and tenants
populated with them.

Everything generated is something a real tenant accepts (the connection's password policy,
e-mail format, metadata key rules, app_metadata's reserved keys), so a failing property is a bug
in the code under test, not a malformed fixture. Strategies are built from small pieces that
Hypothesis shrinks towards short ASCII values, so a counter-example reads like a hand-written
one. Each strategy is built once and reused (the functions are cached), so a draw is only a
draw: default ``settings`` pass Hypothesis's health checks, from an empty database too::

    from hypothesis import given
    from fakeauth0 import strategies as a0

    @given(a0.database_user_bodies())
    def test_signup(body): ...
"""

from __future__ import annotations

import functools
import operator
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
#: Any character UTF-8 can encode (everything but surrogates). Hypothesis's default alphabet for
#: ``st.text()`` is ``characters(codec="utf-8")``, the same set, but it works the set out from the
#: codec on first use and caches it in the Hypothesis database directory: one to two seconds on a
#: fresh checkout, inside the first draw, which fails the ``too_slow`` health check. Excluding the
#: surrogate category needs only Hypothesis's small, fast category table.
_UNICODE = st.characters(exclude_categories=("Cs",))
#: A social provider's user ids: digits, no leading zero; a database user's: 24 hex digits.
_SOCIAL_IDS = st.builds(
    operator.add, st.sampled_from("123456789"), st.text(string.digits, min_size=5, max_size=20)
)
_OBJECT_IDS = st.text("0123456789abcdef", min_size=24, max_size=24)
_SOCIAL = ("google-oauth2", "github", "facebook", "twitter", "linkedin", "apple", "windowslive")


@functools.cache
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


_MIN_PASSWORD = {"none": 1, "low": 6, "fair": 8, "good": 8, "excellent": 10}
#: One character of each class: lower, upper, digit, special (every policy is then met by
#: length alone).
_EVERY_CLASS = st.tuples(
    st.sampled_from(string.ascii_lowercase),
    st.sampled_from(string.ascii_uppercase),
    st.sampled_from(string.digits),
    st.sampled_from(_SPECIAL),
).map("".join)


def _no_triples(password: str) -> str:
    """``password`` with every third equal character in a row replaced."""
    fixed = list(password[:2])
    for ch in password[2:]:
        if ch == fixed[-1] == fixed[-2]:
            ch = "a" if ch != "a" else "b"
        fixed.append(ch)
    return "".join(fixed)


@functools.cache
def passwords(policy: str = "good") -> st.SearchStrategy[str]:
    """Passwords the given policy accepts (``none`` … ``excellent``; a new tenant's database
    connection uses ``good``: 8+ characters from at least 3 of lower, upper, digit, special)."""
    if policy not in PASSWORD_POLICIES:
        raise ValueError(f"unknown password policy {policy!r}; one of {PASSWORD_POLICIES}")
    rest = st.text(PASSWORD_CHARS, min_size=max(0, _MIN_PASSWORD[policy] - 4), max_size=40)

    def join(required: str, tail: str) -> str:
        password = required + tail
        if policy == "excellent":  # never three equal characters in a row
            password = _no_triples(password)
        assert password_meets_policy(password, policy), password
        return password

    return st.builds(join, _EVERY_CLASS, rest)


@functools.cache
def metadata_keys(*, app: bool = False) -> st.SearchStrategy[str]:
    """Keys Auth0 accepts in metadata: no ``.`` or ``$``; for ``app_metadata`` none of the
    reserved names (``email``, ``user_id``, ``blocked`` …)."""
    keys = st.text(_KEY_CHARS, min_size=1, max_size=20)
    if app:
        keys = keys.filter(lambda k: k not in RESERVED_APP_METADATA)
    return keys


@functools.cache
def metadata_values() -> st.SearchStrategy[Any]:
    """JSON values that survive a round trip unchanged (no floats: their text form varies):
    scalars, and lists and objects nested at most two deep. The nesting is built level by level
    rather than with ``st.recursive``, whose leaf limit throws away the examples that reach it."""
    scalars = st.booleans() | st.integers(-(2**31), 2**31) | st.text(_UNICODE, max_size=30)
    keys = st.text(_KEY_CHARS, min_size=1, max_size=10)

    def nest(inner: st.SearchStrategy[Any], size: int) -> st.SearchStrategy[Any]:
        return st.lists(inner, max_size=size) | st.dictionaries(keys, inner, max_size=size)

    return scalars | nest(scalars | nest(scalars, 3), 3)


@functools.cache
def metadata(*, app: bool = False, max_size: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """``user_metadata`` (or ``app_metadata`` with ``app=True``) dictionaries; top-level values
    are never null, since a null in a write means "delete this key"."""
    return st.dictionaries(metadata_keys(app=app), metadata_values(), max_size=max_size)


@functools.cache
def names() -> st.SearchStrategy[str]:
    """Profile names (1-150 characters in the spec; kept short and printable, starting with a
    letter)."""
    return st.builds(
        operator.add,
        st.sampled_from(string.ascii_letters),
        st.text(string.ascii_letters + " '-", max_size=29),
    )


@functools.cache
def phone_numbers() -> st.SearchStrategy[str]:
    """E.164 numbers, as the ``sms`` connection expects: ``+`` and 8-15 digits."""
    return st.builds(
        lambda first, rest: f"+{first}{rest}",
        st.sampled_from("123456789"),
        st.text(string.digits, min_size=7, max_size=14),
    )


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {**first, **second}


@functools.cache
def database_user_bodies(
    connection: str = DEFAULT_DATABASE, policy: str = "good"
) -> st.SearchStrategy[dict[str, Any]]:
    """``POST /users`` bodies for a database connection whose password policy is ``policy``."""
    required = st.fixed_dictionaries(
        {"connection": st.just(connection), "email": emails(), "password": passwords(policy)}
    )
    return st.builds(_merged, required, _optional_profile())


@functools.cache
def passwordless_user_bodies(strategy: str = "email") -> st.SearchStrategy[dict[str, Any]]:
    """``POST /users`` bodies for the passwordless ``email`` or ``sms`` connection."""
    if strategy == "email":
        required = st.fixed_dictionaries({"connection": st.just("email"), "email": emails()})
    elif strategy == "sms":
        required = st.fixed_dictionaries(
            {"connection": st.just("sms"), "phone_number": phone_numbers()}
        )
    else:
        raise ValueError("passwordless strategy is 'email' or 'sms'")
    return st.builds(_merged, required, _optional_profile())


@functools.cache
def user_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Create-user bodies for any of a new tenant's connections that allow creation."""
    return (
        database_user_bodies() | passwordless_user_bodies("email") | passwordless_user_bodies("sms")
    )


@st.composite
def _profile(draw: st.DrawFn) -> dict[str, Any]:
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


@functools.cache
def _optional_profile() -> st.SearchStrategy[dict[str, Any]]:
    return _profile()


@st.composite
def _social_profile(
    draw: st.DrawFn, connections: tuple[str, ...]
) -> tuple[str, str, dict[str, Any]]:
    connection = draw(st.sampled_from(connections))
    user_id = draw(_SOCIAL_IDS)
    email = draw(emails())
    if draw(st.booleans()):
        email = email.capitalize()
    profile: dict[str, Any] = {"email": email, "email_verified": draw(st.booleans())}
    if draw(st.booleans()):
        given, family = draw(names()), draw(names())
        profile.update(given_name=given, family_name=family, name=f"{given} {family}")
    return connection, user_id, profile


def social_profiles(
    connections: Sequence[str] = ("google-oauth2",),
) -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    """``(connection, user_id, profile)`` for :meth:`Tenant.add_social_user`: a user as Auth0
    stores it after a first social login. E-mails keep the IdP's case."""
    return _social_profiles(tuple(connections))


@functools.cache
def _social_profiles(connections: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return _social_profile(connections)


@st.composite
def _identity(draw: st.DrawFn) -> Identity:
    kind = draw(st.sampled_from(["database", "email", "sms", "social"]))
    if kind == "database":
        return Identity(DEFAULT_DATABASE, "auth0", draw(_OBJECT_IDS), False)
    if kind in ("email", "sms"):
        return Identity(kind, kind, draw(_OBJECT_IDS), False)
    provider = draw(st.sampled_from(_SOCIAL))
    return Identity(provider, provider, draw(_SOCIAL_IDS), True)


@functools.cache
def identities() -> st.SearchStrategy[Identity]:
    """``identities[]`` entries: database, passwordless or social, with the id form each uses."""
    return _identity()


@functools.cache
def connection_names() -> st.SearchStrategy[str]:
    """Names Auth0 accepts for a connection: letters and digits in hyphen-separated runs,
    starting and ending with an alphanumeric, at most 35 characters."""
    run = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
    return st.lists(run, min_size=1, max_size=4).map("-".join).filter(lambda n: len(n) <= 35)


@st.composite
def _connection(draw: st.DrawFn) -> dict[str, Any]:
    name = "c-" + draw(connection_names())[:33]
    strategy = draw(st.sampled_from(["auth0", *_SOCIAL]))
    options: dict[str, Any] = {}
    if strategy == "auth0":
        options["passwordPolicy"] = draw(st.sampled_from(PASSWORD_POLICIES))
    return {"name": name, "strategy": strategy, "options": options}


@functools.cache
def connections() -> st.SearchStrategy[dict[str, Any]]:
    """Connection specs ``{"name", "strategy", "options"}`` (database ones with a password
    policy), as ``Tenant.create_connection(**spec)`` and the ``auth0_connections`` fixture take.
    Names start with ``c-`` so they never collide with a new tenant's defaults."""
    return _connection()


def _user_key(body: dict[str, Any]) -> tuple[str, str]:
    return body["connection"], body.get("email") or body.get("phone_number")


@st.composite
def _tenant(draw: st.DrawFn, domain: str, max_users: int, max_social: int) -> Tenant:
    bodies = draw(st.lists(user_bodies(), max_size=max_users, unique_by=_user_key))
    socials = draw(st.lists(social_profiles(), max_size=max_social, unique_by=lambda s: s[:2]))
    tenant = Tenant(domain)
    for body in bodies:
        tenant.create_user(body)
    for connection, user_id, profile in socials:
        tenant.add_social_user(connection, user_id, profile)
    return tenant


def tenants(
    *, domain: str = "hypothesis.auth0.com", max_users: int = 6, max_social: int = 3
) -> st.SearchStrategy[Tenant]:
    """A fresh :class:`Tenant` holding generated database, passwordless and social users
    (unique e-mails, phone numbers and social ids, so every creation succeeds)."""
    return _tenant(domain, max_users, max_social)


# -- roles, permissions, APIs and organizations -------------------------------------------------

_VERBS = ("read", "create", "update", "delete", "admin")
_NOUNS = ("items", "orders", "users", "reports")
#: The dialects of an API's access tokens; the ``_authz`` one adds the ``permissions`` claim when
#: RBAC is on (https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis).
_DIALECTS = ("access_token", "access_token_authz")


@functools.cache
def api_identifiers() -> st.SearchStrategy[str]:
    """API identifiers (the ``audience`` of a token request): ``https://<label>.example.com/``;
    shrinks to ``https://0.example.com/``."""
    return st.text(_LABEL, min_size=1, max_size=12).map(
        lambda label: f"https://{label}.example.com/"
    )


@functools.cache
def scope_values() -> st.SearchStrategy[str]:
    """Scope names as Auth0's APIs define them: ``verb:noun`` (``read:items``)."""
    return st.builds(lambda v, n: f"{v}:{n}", st.sampled_from(_VERBS), st.sampled_from(_NOUNS))


@st.composite
def _api_body(draw: st.DrawFn, rbac: bool | None) -> dict[str, Any]:
    values = draw(st.lists(scope_values(), unique=True, max_size=5))
    body: dict[str, Any] = {
        "identifier": draw(api_identifiers()),
        "name": draw(names()),
        "scopes": [{"value": v, "description": f"Can {v.replace(':', ' ')}"} for v in values],
    }
    enforce = draw(st.booleans()) if rbac is None else rbac
    if enforce:
        body["enforce_policies"] = True
        body["token_dialect"] = draw(st.sampled_from(_DIALECTS))
    return body


def api_bodies(*, rbac: bool | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """``POST /resource-servers`` bodies (also the seed's ``resource_servers`` records): an
    identifier, a name, up to five scopes; with ``rbac=True`` RBAC is on
    (``enforce_policies``, either token dialect), ``False`` off, None either."""
    return _api_bodies(rbac)


@functools.cache
def _api_bodies(rbac: bool | None) -> st.SearchStrategy[dict[str, Any]]:
    return _api_body(rbac)


@functools.cache
def organization_names() -> st.SearchStrategy[str]:
    """Names Auth0 accepts for an organization: 1 to 50 lowercase letters, digits, ``-`` and
    ``_`` (https://auth0.com/docs/manage-users/organizations/configure-organizations/create-organizations);
    kept short."""
    return st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=20)


def _seed_user(bare: str, email: str) -> dict[str, Any]:
    return {
        "user_id": f"auth0|{bare}",
        "email": email,
        "identities": [{"connection": DEFAULT_DATABASE, "provider": "auth0", "user_id": bare}],
    }


@st.composite
def _access_seed(
    draw: st.DrawFn, max_users: int, max_apis: int, max_roles: int, max_organizations: int
) -> dict[str, Any]:
    apis = draw(st.lists(api_bodies(), max_size=max_apis, unique_by=lambda a: a["identifier"]))
    every = [
        {"resource_server_identifier": a["identifier"], "permission_name": s["value"]}
        for a in apis
        for s in a["scopes"]
    ]

    def permissions() -> list[dict[str, str]]:
        if not every:
            return []
        chosen = draw(st.lists(st.integers(0, len(every) - 1), unique=True, max_size=4))
        return [every[i] for i in sorted(chosen)]

    role_names = draw(st.lists(names(), max_size=max_roles, unique=True))
    roles = [
        {"id": f"rol_{i:016d}", "name": name, "permissions": permissions()}
        for i, name in enumerate(role_names)
    ]
    addresses = draw(st.lists(emails(), max_size=max_users, unique=True))
    users = []
    for i, email in enumerate(addresses):
        user = _seed_user(f"{i:024x}", email)
        held = (
            draw(st.lists(st.sampled_from(roles), unique_by=lambda r: r["id"], max_size=3))
            if roles
            else []
        )
        if held:
            user["roles"] = [r["id"] for r in held]
        direct = permissions()
        if direct:
            user["permissions"] = direct
        users.append(user)
    org_names = draw(st.lists(organization_names(), max_size=max_organizations, unique=True))
    organizations = []
    for name in org_names:
        org: dict[str, Any] = {"name": name, "display_name": name.capitalize() or name}
        if draw(st.booleans()):
            org["enabled_connections"] = [
                {
                    "connection": DEFAULT_DATABASE,
                    "assign_membership_on_login": draw(st.booleans()),
                }
            ]
        members = (
            draw(st.lists(st.sampled_from(users), unique_by=lambda u: u["user_id"], max_size=3))
            if users
            else []
        )
        org["members"] = [m["user_id"] for m in members]
        organizations.append(org)
    return {
        "resource_servers": apis,
        "roles": roles,
        "users": users,
        "organizations": organizations,
    }


def access_seeds(
    *, max_users: int = 4, max_apis: int = 2, max_roles: int = 3, max_organizations: int = 2
) -> st.SearchStrategy[dict[str, Any]]:
    """Seed documents (for :meth:`Tenant.load_seed`, ``auth0_seed``, ``PUT /_fake/snapshot``)
    with APIs and their scopes, roles granting some of those scopes, database users holding
    roles and direct permissions, and organizations with members and the database connection
    enabled. Everything names what the seed defines, so every seed loads."""
    return _access_seeds(max_users, max_apis, max_roles, max_organizations)


@functools.cache
def _access_seeds(
    max_users: int, max_apis: int, max_roles: int, max_organizations: int
) -> st.SearchStrategy[dict[str, Any]]:
    return _access_seed(max_users, max_apis, max_roles, max_organizations)


def _seeded(domain: str, seed: dict[str, Any]) -> Tenant:
    tenant = Tenant(domain)
    tenant.load_seed(seed)
    return tenant


def access_tenants(
    *,
    domain: str = "hypothesis.auth0.com",
    max_users: int = 4,
    max_apis: int = 2,
    max_roles: int = 3,
    max_organizations: int = 2,
) -> st.SearchStrategy[Tenant]:
    """A fresh :class:`Tenant` loaded with an :func:`access_seeds` document (``reset`` returns
    to it)."""
    seeds = access_seeds(
        max_users=max_users,
        max_apis=max_apis,
        max_roles=max_roles,
        max_organizations=max_organizations,
    )
    return seeds.map(functools.partial(_seeded, domain))
