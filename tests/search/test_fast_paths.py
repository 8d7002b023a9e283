"""The search's fast paths against the plain code they replace: each must give the very same
answer, since the index/scan property would not notice both sides going wrong together.

- every field's prebuilt ``keys`` extractor vs reading and normalizing (``reference_keys``);
- ``Glob.test`` (one string method for common shapes) vs ``Glob.fullmatch``;
- ``Node.select`` (batch filters) vs ``matches`` one user at a time;
- the paged ``search`` (only the page put in order) vs slicing the plain scan;
- the one-pass password policy vs the several-pass one it replaced.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fakeauth0.connections import password_meets_policy
from fakeauth0.pytest_plugin import FreshTenants
from fakeauth0.search.fields import FIELDS, reference_keys
from fakeauth0.search.glob import Glob
from fakeauth0.search.index import compile_query
from fakeauth0.users import Identity, User

from .test_index_property import (
    DATES,
    PROPERTY_TENANT,
    add,
    fresh_tenant,
    queries,
    user_spec,
)

NAMES_Q = [
    "email:a*",
    "email:bob1*",
    "email:carla*",
    "name:ann*",
    "logins_count:[10 TO 30]",
    "logins_count:{10 TO *]",
    "created_at:[2018 TO *]",
    "created_at:{* TO 2018-01-20}",
]
SPEC = {
    "domain": "example.com",
    "name": "Ann Lee",
    "plan": None,
    "roles": [],
    "level": None,
    "logins": 25,
    "created": "2018-01-20T00:00:00.000Z",
    "social": False,
}

# -- extractors ---------------------------------------------------------------------------------

odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", "Ann@Example.COM", "a@b@c", "x", "true", "false", "ÉCOLE", "İ"]),
    st.sampled_from(["2017-12-05T08:00:00.000Z", "2017-12", "2017-12-05 08:00", "nope"]),
    st.just(datetime(2020, 1, 2, 3, 4, 5, 6000, tzinfo=timezone.utc)),
    st.just(datetime(2020, 1, 2, 3, 4, 5)),
    st.lists(st.sampled_from(["a", 1]), max_size=2),
    st.just({"k": "v"}),
)
PROFILE = ["email", "email_verified", "name", "nickname", "given_name", "family_name"]
PROFILE += ["username", "phone_number", "phone_verified", "blocked"]


@st.composite
def odd_users(draw: Any) -> User:
    identities = [
        Identity(draw(odd_values), draw(odd_values), draw(odd_values), False)
        for _ in range(draw(st.integers(1, 3)))
    ]
    profile = {k: draw(odd_values) for k in PROFILE if draw(st.booleans())}
    return User(
        user_id=draw(st.sampled_from(["auth0|1", "Google-OAuth2|X"])),
        identities=identities,
        profile=profile,
        created_at=draw(odd_values),
        updated_at=draw(odd_values),
        last_login=draw(odd_values),
        last_ip=draw(odd_values),
        logins_count=draw(odd_values),
    )


def _typed(keys: tuple[Any, ...]) -> list[tuple[type, Any]]:
    return [(type(k), k) for k in keys]  # True == 1: the kinds must match too


@settings(max_examples=300, deadline=None)
@given(user=odd_users())
def test_field_extractors_equal_read_then_normalize(user: User) -> None:
    for field in FIELDS.values():
        assert _typed(field.keys(user)) == _typed(reference_keys(field, user)), field.name


# -- globs --------------------------------------------------------------------------------------


def test_glob_test_equals_fullmatch_exhaustively() -> None:
    texts = [""] + ["".join(p) for n in range(1, 7) for p in itertools.product("ab", repeat=n)]
    for n in range(1, 6):
        for pattern in itertools.product(["a", "b", "ab", None, ""], repeat=n):
            glob = Glob(list(pattern))
            for text in texts:
                assert bool(glob.test(text)) == (glob.fullmatch(text) is not None), (pattern, text)


# -- batch filters and paging -------------------------------------------------------------------


@PROPERTY_TENANT
@settings(max_examples=100, deadline=None)
@given(
    users=st.lists(user_spec, min_size=1, max_size=12),
    q=queries,
    per_page=st.integers(0, 5),
    page=st.integers(0, 4),
)
def test_select_and_paged_search_equal_the_plain_scan(
    auth0_fresh_tenant: FreshTenants, users: list[dict[str, Any]], q: str, per_page: int, page: int
) -> None:
    with fresh_tenant(auth0_fresh_tenant) as t:
        for n, spec in enumerate(users):
            add(t, n, spec)
        search = t.user_search
        plan = compile_query(q)
        everyone = search.visible()
        scanned = search.scan(q)
        assert [u.user_id for u in plan.select(everyone)] == [u.user_id for u in scanned]
        found = search.search(q, page=page, per_page=per_page)
        start = page * per_page
        assert [u.user_id for u in found.users] == [
            u.user_id for u in scanned[start : start + per_page]
        ]
        assert (found.total, found.start, found.limit) == (len(scanned), start, per_page)


# -- password policy ----------------------------------------------------------------------------


def _several_passes(password: str, policy: str) -> bool:
    """password-sheriff's levels written out rule by rule (index.js, lib/rules/*.js of
    https://github.com/auth0/password-sheriff)."""
    if len(password.encode("utf-8", "surrogatepass")) > 72:
        return False
    length = len(password.encode("utf-16-le", "surrogatepass")) // 2  # JavaScript's length
    lower = any("a" <= ch <= "z" for ch in password)
    upper = any("A" <= ch <= "Z" for ch in password)
    digit = any("0" <= ch <= "9" for ch in password)
    special = any(ch in " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" for ch in password)
    classes = lower + upper + digit + special
    if policy == "none":
        return length >= 1
    if policy == "low":
        return length >= 6
    if policy == "fair":
        return length >= 8 and lower and upper and digit
    if policy == "good":
        return length >= 8 and classes >= 3
    repeated = any(
        password[i] == password[i + 1] == password[i + 2] for i in range(len(password) - 2)
    )
    return length >= 10 and classes >= 3 and not repeated


@settings(max_examples=500, deadline=None)
@given(
    password=st.text(
        alphabet=st.sampled_from("aZ9!~ \t\x7f\x1féßİ٣²Ⅻ") | st.characters(), max_size=80
    )
    | st.text(alphabet=st.characters(min_codepoint=30, max_codepoint=130), min_size=60),
    policy=st.sampled_from(["none", "low", "fair", "good", "excellent"]),
)
def test_one_pass_password_policy_equals_the_old_one(password: str, policy: str) -> None:
    assert password_meets_policy(password, policy) == _several_passes(password, policy)


# -- sorted keys (prefix and range look-ups) -----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["add", "remove", "look"]), st.integers(0, 60)), max_size=150
    )
)
def test_sorted_keys_follow_the_postings(steps: list[tuple[str, int]]) -> None:
    """Notes folded in one by one or in bulk (over ``_FEW_CHANGES``) give ``sorted(keys)``."""
    from fakeauth0.search.index import SortedKeys

    postings: dict[Any, str] = {f"k{n:02d}": "u" for n in range(0, 60, 3)}
    tracked = SortedKeys(postings)
    for action, n in steps:
        key = f"k{n:02d}"
        if action == "add" and key not in postings:
            postings[key] = "u"
            tracked.changed(key, True)
        elif action == "remove" and key in postings:
            del postings[key]
            tracked.changed(key, False)
        elif action == "look":
            assert tracked.current() == sorted(postings)
    assert tracked.current() == sorted(postings)


@PROPERTY_TENANT
@settings(max_examples=30, deadline=None)
@given(
    rounds=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from(NAMES_Q)), max_size=6
    )
)
def test_prefix_and_range_look_ups_stay_right_between_writes(
    auth0_fresh_tenant: FreshTenants,
    rounds: list[tuple[int, int, str]],
) -> None:
    """Queries between bursts of creates and deletes (few and many changes per query)."""
    with fresh_tenant(auth0_fresh_tenant) as t:
        made = 0
        for creates, deletes, q in rounds:
            for _ in range(creates):
                local, created = ["ann", "bob", "carla"][made % 3], DATES[made % len(DATES)]
                add(t, made, {**SPEC, "local": local, "logins": made % 50, "created": created})
                made += 1
            for user in list(t.users)[:deletes]:
                t.delete_user(user.user_id)
            search = t.user_search
            assert [u.user_id for u in search.find(q)] == [u.user_id for u in search.scan(q)], q


# -- the simple-query fast path (no luqum) -------------------------------------------------------

FIELD_NAMES = [
    *FIELDS,
    "app_metadata.plan",
    "email.raw",
    "connection",
    "Email",
    "a.b.c",
    "_exists_",
]
VALUE_CHARS = st.sampled_from([*'aZ09@._|+-!:()[]{}^~*?"\\/& \té', "AND", "OR", "NOT", "TO"])
values = st.lists(VALUE_CHARS, min_size=0, max_size=8).map("".join) | st.sampled_from(
    ["AND", "OR", "NOT", "TO", "and", "user1@example.com", "auth0|abc", "1.5", "true", "-x"]
)


@settings(max_examples=2000, deadline=None)
@given(name=st.sampled_from(FIELD_NAMES), value=values, quoted=st.booleans())
def test_fast_plan_is_the_luqum_plan(name: str, value: str, quoted: bool) -> None:
    from fakeauth0.errors import Auth0Error
    from fakeauth0.search.query import _V3, fast_plan

    text = f'{name}:"{value}"' if quoted else f"{name}:{value}"
    fast = fast_plan(text)
    if fast is None:
        return
    try:
        parsed = _V3.compile(text)
    except Auth0Error as error:  # the fast path must never answer what luqum refuses
        raise AssertionError(f"{text!r}: fast {fast!r}, luqum refused: {error!r}") from None
    assert fast == parsed, text
    assert fast.field is parsed.field  # type: ignore[attr-defined]


@PROPERTY_TENANT
@settings(max_examples=60, deadline=None)
@given(
    users=st.lists(user_spec, min_size=1, max_size=10),
    name=st.sampled_from(["email", "name", "user_id", "identities.user_id", "nickname"]),
    value=st.sampled_from(["ann0@example.com", "ANN1@Contoso.org", "Ann", "bob", "1003", "eve"]),
    quoted=st.booleans(),
)
def test_fast_plan_finds_what_luqum_finds(
    auth0_fresh_tenant: FreshTenants,
    users: list[dict[str, Any]],
    name: str,
    value: str,
    quoted: bool,
) -> None:
    from fakeauth0.search.query import _V3, fast_plan

    with fresh_tenant(auth0_fresh_tenant) as t:
        for n, spec in enumerate(users):
            add(t, n, spec)
        text = f'{name}:"{value}"' if quoted else f"{name}:{value}"
        fast = fast_plan(text)
        assert fast is not None, text
        everyone = t.user_search.visible()
        assert fast.select(everyone) == _V3.compile(text).select(everyone)
