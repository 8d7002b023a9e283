"""The passwordless code book against a model of Auth0's rules, on generated sequences of
sends, clock moves and attempts: a code is honoured at most once, never after it expired,
never once a newer one was sent, never after three wrong attempts
(https://auth0.com/docs/authenticate/passwordless/best-practices)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeauth0.connections import Connection
from fakeauth0.errors import OAuthError
from fakeauth0.passwordless import DEFAULT_LIFETIME, MAX_FAILURES, CodeBook, code_settings

EMAIL = Connection("con_e", "email", "email")
SMS = Connection("con_s", "sms", "sms")
ADDRESSES = ("a@example.com", "b@example.com")
CLIENTS = ("web", "native")


@dataclass
class Sent:
    """The model's view of one sent code."""

    code: str
    client: str
    expires: float
    failures: int = 0
    used: bool = False


send = st.tuples(st.just("send"), st.sampled_from(ADDRESSES), st.sampled_from(CLIENTS))
wait = st.tuples(st.just("wait"), st.integers(0, 200))
# An attempt with the right code (or a wrong one), from the client it was sent to (or not).
attempt = st.tuples(st.just("try"), st.sampled_from(ADDRESSES), st.booleans(), st.booleans())


@given(st.lists(st.one_of(send, wait, attempt), max_size=40))
def test_a_code_is_honoured_at_most_once_and_never_after_expiry(steps: list[tuple]) -> None:
    book = CodeBook()
    now = 1_000.0
    latest: dict[str, Sent] = {}
    honoured: list[Sent] = []
    for step in steps:
        if step[0] == "send":
            _, address, client = step
            pending = book.issue(EMAIL, address, client, now)
            latest[address] = Sent(pending.code, client, now + DEFAULT_LIFETIME)
        elif step[0] == "wait":
            now += step[1]
        else:
            _, address, right_code, right_client = step
            sent = latest.get(address)
            code = sent.code if sent is not None else "123456"
            if not right_code:
                code = f"{(int(code) + 1) % 10**6:06d}"
            client = (sent.client if sent is not None else "web") if right_client else "other"
            try:
                book.redeem(EMAIL, address, client, code, now)
            except OAuthError as error:
                assert (error.status, error.error) == (403, "invalid_grant")
                ok = False
            else:
                ok = True
            usable = (
                sent is not None
                and not sent.used
                and sent.failures < MAX_FAILURES
                and now < sent.expires
            )
            assert ok == (usable and right_code and right_client), (step, sent, now)
            if ok:
                assert sent is not None
                sent.used = True
                honoured.append(sent)
            elif sent is not None and usable:
                sent.failures += 1
            elif sent is not None and now >= sent.expires:
                sent.used = True  # an expired code is dropped
    assert len({id(s) for s in honoured}) == len(honoured)


def test_sms_and_email_codes_are_kept_apart() -> None:
    book = CodeBook()
    by_mail = book.issue(EMAIL, "+15550000000", "web", 0.0)
    by_text = book.issue(SMS, "+15550000000", "web", 0.0)
    book.redeem(SMS, "+15550000000", "web", by_text.code, 1.0)
    book.redeem(EMAIL, "+15550000000", "web", by_mail.code, 1.0)


@pytest.mark.parametrize(
    ("totp", "expected"),
    [
        (None, (180, 6)),
        ({"time_step": 300, "length": 8}, (300, 8)),
        ({"time_step": 0, "length": "6"}, (180, 6)),
        ({"time_step": True, "length": 99}, (180, 6)),
    ],
)
def test_code_settings_come_from_the_connections_totp(totp: object, expected: tuple) -> None:
    options = {} if totp is None else {"totp": totp}
    assert code_settings(Connection("c", "email", "email", options)) == expected


def _refusal(call: object) -> str:
    with pytest.raises(OAuthError) as error:
        call()  # type: ignore[operator]
    assert (error.value.status, error.value.error) == (403, "invalid_grant")
    return error.value.description


def test_a_checked_code_is_spent_once_and_only_while_it_is_the_live_one() -> None:
    """The code is checked before the pre-user-registration Actions run and spent after
    (docs/auth0-behaviour.md#passwordless-registration): the check keeps it; spending it works
    once; a newer code sent meanwhile, or the expiry, leaves it dead."""
    book = CodeBook()
    sent = book.issue(EMAIL, "a@example.com", "web", 0.0)
    checked = book.check(EMAIL, "a@example.com", "web", sent.code, 1.0)
    assert book.check(EMAIL, "a@example.com", "web", sent.code, 2.0) is checked
    book.spend(EMAIL, "a@example.com", checked, 3.0)
    wrong = "Wrong email or verification code."
    assert _refusal(lambda: book.spend(EMAIL, "a@example.com", checked, 3.0)) == wrong

    again = book.issue(EMAIL, "a@example.com", "web", 4.0)
    replaced = book.check(EMAIL, "a@example.com", "web", again.code, 5.0)
    book.issue(EMAIL, "a@example.com", "web", 6.0)
    assert _refusal(lambda: book.spend(EMAIL, "a@example.com", replaced, 7.0)) == wrong

    sent = book.issue(EMAIL, "b@example.com", "web", 0.0)
    late = book.check(EMAIL, "b@example.com", "web", sent.code, 1.0)
    assert "expired" in _refusal(lambda: book.spend(EMAIL, "b@example.com", late, DEFAULT_LIFETIME))
    assert "b@example.com" not in {address for _, address in book.pending}
