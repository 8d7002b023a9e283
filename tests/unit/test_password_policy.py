"""Password strength per connection policy (docs/auth0-behaviour.md#email-username-and-password;
Auth0 docs password-strength)."""

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


# password-sheriff's own test cases (test/policies/*.js, https://github.com/auth0/password-sheriff),
# the library Auth0's five levels come from: (policy, refused, accepted).
SHERIFF_CASES = [
    ("none", [""], ["a"]),
    ("low", ["", "helo", "hello"], ["mypwd!", "goodpassword"]),
    (
        "fair",
        ["", "hello", "7charac", "KTHXBYE123", "123hellogoodbye", "helloGOODBYE"],
        ["someP123", "somePASSWORD123"],
    ),
    (
        "good",
        [
            *("", "hello", "7C arac", "HELLO123", "HELLO1234BYE", "!@ HELLO", "!@#     HELLO"),
            *("1234!@# ", "1234!@# 999", "hello@# ", "hello  !@# ", "1234@# ", "1234!@# 123"),
            *("helo1234", "hello1234567", "hello!@# ", "@# HELLO", "helloHELLO"),
            *("helloHELLOBYE", "helloHEL", "hello123"),
        ],
        ["someP1! ", "somePASSWORD123!@# "],
    ),
    (
        "excellent",
        [
            *("", "hello", "7C arac#", "HELLO12345", "HELLO1234BYE", "!@#  HELLO"),
            *("!@#     HELLO", "1234!@#   ", "1234!@# 99999", "hello!@#  ", "hello  !@#   "),
            *("1234!@#  ", "1234!@#   123", "hello12345", "hello123456789", "hello  !@#  "),
            *("!# HELLOBY", "!@#     HELLOBYEBYE", "helloHELLO", "helloHELLOBYE"),
            *("hello1234567", "hello111HELLO"),
        ],
        ["somePas1! ", "somePas!! ", "somePas123", "some!as123", "somePASSWORD123!@# "],
    ),
]


@pytest.mark.parametrize(("policy", "refused", "accepted"), SHERIFF_CASES)
def test_password_sheriff_documented_cases(
    policy: str, refused: list[str], accepted: list[str]
) -> None:
    assert [p for p in refused if password_meets_policy(p, policy)] == []
    assert [p for p in accepted if not password_meets_policy(p, policy)] == []


def test_a_space_is_a_special_character_and_allowed() -> None:
    # password-sheriff lib/rules/contains.js lists " " among the OWASP special characters, and a
    # real create with "Passwords hide their chuck" answered 201 (auth0/go-auth0,
    # test/data/recordings/TestUserManager_Read.yaml).
    assert password_meets_policy("Passwords hide their chuck", "good")
    assert password_meets_policy("with space", "none")
    assert password_meets_policy("hello WORLD", "good")  # lower + upper + space
    assert not password_meets_policy("helloworld", "good")


def test_only_ascii_letters_and_digits_count_as_classes() -> None:
    # password-sheriff tests /[a-z]/, /[A-Z]/ and /\d/: other scripts are in no class.
    assert not password_meets_policy("ÄÖÜäöü٣٣٣", "fair")
    assert password_meets_policy("pässword1A", "fair")


def test_no_character_refused_but_at_most_72_bytes() -> None:
    # password-sheriff refuses no character; Auth0 takes at most 72 bytes
    # (https://auth0.com/docs/authenticate/database-connections/password-strength).
    assert password_meets_policy("pässword", "none")
    assert password_meets_policy("tab\there", "none")
    assert password_meets_policy("a" * 72, "none")
    assert not password_meets_policy("a" * 73, "none")
    assert not password_meets_policy("ä" * 37, "none")  # 74 bytes


def test_length_counts_utf16_code_units() -> None:
    # JavaScript's String.length, which password-sheriff's length rule reads.
    assert password_meets_policy("\U0001f600" * 3, "low")
    assert not password_meets_policy("\U0001f600" * 2 + "a", "low")


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
        # The Management API gives no rule detail (docs/auth0-behaviour.md#what-a-patch-may-change).
        assert caught.value.status == 400
        assert caught.value.message == "PasswordStrengthError: Password is too weak"
    user = tenant.create_user({"connection": "db", "email": "a@b.co", "password": "Zq9!xw7#vu"})
    assert user.primary.connection == "db"


def test_default_database_policy_is_good() -> None:
    # CHOICES.md "default database password policy".
    assert Tenant().connection(DB).password_policy == "good"
