"""Property: for random users, writes and supported queries, the indexed search returns exactly
the users a plain scan with the same semantics returns, in the same order."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant
from fakeauth0.errors import Auth0Error
from fakeauth0.pytest_plugin import FreshTenants
from tests.support import DB, PASSWORD

LOCALS = ["ann", "Bob", "carla", "dave.x", "eve"]
DOMAINS = ["example.com", "Contoso.org", "mail.example.com"]
NAMES = ["Ann Lee", "bob", "Carla Díaz", "dave", "Eve-Marie"]
PLANS = ["gold", "Gold", "free"]
DATES = ["2017-12-05T08:00:00.000Z", "2018-01-20T00:00:00.000Z", "2024-06-15T10:30:00.500Z"]
SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&| ])')


#: The configuration of every tenant ``fresh_tenant`` makes.
PROPERTY_TENANT = pytest.mark.auth0(domain="property.auth0.com", seed=7)


@contextlib.contextmanager
def fresh_tenant(auth0_fresh_tenant: FreshTenants) -> Iterator[Tenant]:
    """A new tenant for one example, searching what was just written (no search lag)."""
    with auth0_fresh_tenant(intercept=False) as t:
        t.search_lag = 0
        yield t


def esc(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text)


def vary_case(draw: Any, text: str) -> str:
    return draw(st.sampled_from([text, text.lower(), text.upper()]))


user_spec = st.fixed_dictionaries(
    {
        "local": st.sampled_from(LOCALS),
        "domain": st.sampled_from(DOMAINS),
        "name": st.sampled_from(NAMES),
        "plan": st.none() | st.sampled_from(PLANS),
        "roles": st.lists(st.sampled_from(["admin", "editor"]), max_size=2),
        "level": st.none() | st.integers(0, 3),
        "logins": st.none() | st.integers(0, 200),
        "created": st.sampled_from(DATES),
        "social": st.booleans(),
    }
)


def add(t: Tenant, n: int, spec: dict[str, Any]) -> None:
    email = f"{spec['local']}{n}@{spec['domain']}"
    if spec["social"]:
        user = t.add_social_user(
            "google-oauth2", str(1000 + n), {"email": email, "name": spec["name"]}
        )
    else:
        meta = {"roles": spec["roles"]}
        if spec["plan"] is not None:
            meta["plan"] = spec["plan"]
        if spec["level"] is not None:
            meta["level"] = spec["level"]
        user = t.create_user(
            {
                "connection": DB,
                "email": email,
                "password": PASSWORD,
                "name": spec["name"],
                "app_metadata": meta,
            }
        )
    t.users.put(dataclasses.replace(user, logins_count=spec["logins"], created_at=spec["created"]))


@st.composite
def leaf(draw: Any) -> str:
    kind = draw(
        st.sampled_from(
            ["email", "name", "wild", "suffix", "range", "date", "meta", "exists", "ident", "bool"]
        )
    )
    if kind == "email":
        n = draw(st.integers(0, 6))
        local, domain = draw(st.sampled_from(LOCALS)), draw(st.sampled_from(DOMAINS))
        return f'email:"{vary_case(draw, f"{local}{n}@{domain}")}"'
    if kind == "name":
        return f"name:{esc(vary_case(draw, draw(st.sampled_from(NAMES))))}"
    if kind == "wild":
        field = draw(st.sampled_from(["email", "name", "user_id", "nickname"]))
        prefix = draw(st.sampled_from(["a", "B", "car", "auth0|", "goo", "e"]))
        return f"{field}:{esc(prefix)}*"
    if kind == "suffix":
        return draw(st.sampled_from(["email:*.com", "email:*ple.com", "name:*Lee", "email:*tos*"]))
    if kind == "range":
        low = draw(st.sampled_from(["*", "0", "50", "200"]))
        high = draw(st.sampled_from(["*", "0", "100", "200"]))
        opening, closing = draw(st.sampled_from("[{")), draw(st.sampled_from("]}"))
        return f"logins_count:{opening}{low} TO {high}{closing}"
    if kind == "date":
        low = draw(st.sampled_from(["*", "2017", "2017-12", "2018-01-20", "2024-06-15T10:30"]))
        high = draw(st.sampled_from(["*", "2017-12", "2018", "2024-06-15"]))
        opening, closing = draw(st.sampled_from("[{")), draw(st.sampled_from("]}"))
        return f"created_at:{opening}{low} TO {high}{closing}"
    if kind == "meta":
        return draw(
            st.sampled_from(
                [
                    "app_metadata.plan:gold",
                    "app_metadata.plan:Gold",
                    "app_metadata.roles:admin",
                    "app_metadata.level:2",
                    "app_metadata.level:0",
                ]
            )
        )
    if kind == "exists":
        return "_exists_:" + draw(
            st.sampled_from(
                ["logins_count", "app_metadata.roles", "app_metadata.plan", "given_name"]
            )
        )
    if kind == "ident":
        return draw(
            st.sampled_from(
                [
                    'identities.connection:"google-oauth2"',
                    f'identities.connection:"{DB}"',
                    "identities.provider:auth0",
                    "identities.user_id:1003",
                    "email.domain:example.com",
                ]
            )
        )
    return draw(st.sampled_from(["email_verified:true", "email_verified:false"]))


queries = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]} AND {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} OR {p[1]})"),
        inner.map(lambda q: f"NOT {q}"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} -{p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} {p[1]})"),
    ),
    max_leaves=5,
)

writes = st.lists(
    st.tuples(
        st.sampled_from(["update", "delete", "link", "unlink", "look"]),
        st.integers(0, 50),
        user_spec,
    ),
    max_size=6,
)


@PROPERTY_TENANT
@settings(max_examples=150, deadline=None)
@given(
    users=st.lists(user_spec, min_size=1, max_size=12),
    changes=writes,
    q=st.lists(queries, min_size=1, max_size=4),
)
def test_indexed_search_equals_a_plain_scan(
    auth0_fresh_tenant: FreshTenants, users: list[dict[str, Any]], changes: list[Any], q: list[str]
) -> None:
    with fresh_tenant(auth0_fresh_tenant) as t:
        check_search(t, users, changes, q)


def check_search(t: Tenant, users: list[dict[str, Any]], changes: list[Any], q: list[str]) -> None:
    for n, spec in enumerate(users):
        add(t, n, spec)
    for action, pick, spec in changes:
        existing = list(t.users)
        if not existing:
            break
        target = existing[pick % len(existing)]
        if action == "delete":
            t.delete_user(target.user_id)
        elif action == "update" and target.primary.provider == "auth0":
            t.update_user(
                target.user_id, {"name": spec["name"], "app_metadata": {"plan": spec["plan"]}}
            )
        elif action == "link":
            other = existing[(pick + 1) % len(existing)]
            if other.user_id != target.user_id:
                with contextlib.suppress(Auth0Error):  # e.g. already linked
                    t.link(target.user_id, other.primary.provider, other.primary.user_id)
        elif action == "unlink" and len(target.identities) > 1:
            linked = target.identities[1]
            t.unlink(target.user_id, linked.provider, linked.user_id)
        elif action == "look":
            # Index what is pending now: later writes then meet indexed records, not only
            # records still waiting (search indexes writes when the next query comes).
            t.user_search.visible()
    search = t.user_search
    # Search sees every user in the directory's order: creation order, a user unlinked out
    # of a primary counting as created when it came back.
    assert [u.user_id for u in search.visible()] == [u.user_id for u in t.users]
    for text in q:
        try:
            indexed = [u.user_id for u in search.find(text)]
        except Auth0Error as error:
            raise AssertionError(f"{text!r} was refused: {error!r}") from None
        scanned = [u.user_id for u in search.scan(text)]
        assert indexed == scanned, text
        # Rows are primaries only, in creation order.
        assert indexed == [u.user_id for u in t.users if u.user_id in set(indexed)]
