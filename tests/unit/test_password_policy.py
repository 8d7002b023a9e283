"""Password strength per connection policy (behaviour.md §3.6; Auth0 docs password-strength)."""

from __future__ import annotations

import pytest

from fakeauth0 import Auth0Error, Tenant
from fakeauth0.connections import password_meets_policy
from tests.support import DB


@pytest.mark.parametrize(
    ("policy", "weak", "strong"),
    [
        ("none", "", "a"),  # none = at least one character
        ("low", "abcde", "abcdef"),  # low = at least 6
        ("fair", "Abcde1x", "Abcde1xy"),  # fair = 8+ with lower, upper and digit
        ("fair", "abcdefgh1", "Abcdefg1"),
        ("good", "abcdefg1", "abcdef1!"),  # good = 8+ with 3 of 4 classes
        ("good", "Abc1!", "ABCDEF1!"),
        ("excellent", "Abcdef1!x", "Abcdef1!xy"),  # excellent = 10+ with 3 of 4 ...
        ("excellent", "Aaaabcd1!x", "Aabcd1!xyz"),  # ... and no 3 identical in a row
    ],
)
def test_password_policy_levels(policy: str, weak: str, strong: str) -> None:
    assert not password_meets_policy(weak, policy)
    assert password_meets_policy(strong, policy)


def test_fair_needs_all_three_of_lower_upper_digit() -> None:
    assert not password_meets_policy("abcdefg1", "fair")  # no upper
    assert not password_meets_policy("ABCDEFG1", "fair")  # no lower
    assert not password_meets_policy("Abcdefgh", "fair")  # no digit
    assert password_meets_policy("Abcdefg1", "fair")


def test_passwords_are_printable_ascii_of_at_most_72_bytes() -> None:
    # behaviour.md §3.6: 1-72 bytes, ASCII 33-126, whatever the policy.
    assert password_meets_policy("a" * 72, "none")
    assert not password_meets_policy("a" * 73, "none")
    assert not password_meets_policy("with space", "none")
    assert not password_meets_policy("pässword1A!", "none")


def test_unknown_policy_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        password_meets_policy("whatever", "strongest")


@pytest.mark.parametrize("policy", ["none", "low", "fair", "good", "excellent"])
def test_create_user_applies_the_connection_policy(policy: str) -> None:
    tenant = Tenant()
    tenant.create_connection("db", "auth0", {"passwordPolicy": policy})
    weak = {
        "none": "",
        "low": "abcde",
        "fair": "abcdefgh",
        "good": "abcdefgh",
        "excellent": "Abc1!",
    }
    if weak[policy]:
        with pytest.raises(Auth0Error) as caught:
            tenant.create_user({"connection": "db", "email": "a@b.co", "password": weak[policy]})
        # The Management API gives no rule detail (behaviour.md §3.4).
        assert caught.value.status == 400
        assert caught.value.message == "PasswordStrengthError: Password is too weak"
    user = tenant.create_user({"connection": "db", "email": "a@b.co", "password": "Zq9!xw7#vu"})
    assert user.primary.connection == "db"


def test_default_database_policy_is_good() -> None:
    # CHOICES.md "default database password policy".
    assert Tenant().connection(DB).password_policy == "good"
