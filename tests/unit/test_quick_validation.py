"""The quick body check (a fast path before jsonschema) never accepts a body the spec's schema
refuses: for every served operation with a quick check, on arbitrary JSON-shaped bodies."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fakeauth0.http import validation
from fakeauth0.spec import load_spec

OPERATIONS = [
    op
    for op in load_spec()["served"]
    if validation.body_schema(op) is not None and validation._quick_check(op) is not None
]
NAMES = st.sampled_from(
    [
        "connection",
        "email",
        "password",
        "username",
        "name",
        "picture",
        "blocked",
        "email_verified",
        "user_metadata",
        "app_metadata",
        "phone_number",
        "given_name",
        "nickname",
        "user_id",
        "verify_email",
        "provider",
        "link_with",
        "connection_id",
        "unknown",
        "",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.sampled_from(["a@example.com", "https://x.test/p.png", "x" * 400, "google-oauth2", 1.0]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
BODIES = st.one_of(st.dictionaries(NAMES, VALUES, max_size=6), VALUES)


def test_there_is_something_to_check() -> None:
    assert {"post_users", "patch_users_by_id", "post_identities"} <= set(OPERATIONS)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(OPERATIONS), BODIES)
def test_quick_check_accepts_only_what_jsonschema_accepts(operation: str, body: Any) -> None:
    if validation._quick_check(operation)(body):
        assert validation._first_error(validation._validator(operation), body) is None


def test_quick_check_accepts_a_plain_create() -> None:
    body = {
        "connection": "Username-Password-Authentication",
        "email": "a@example.com",
        "password": "Passw0rd!",
        "user_metadata": {"theme": "dark"},
    }
    assert validation._quick_check("post_users")(body)
