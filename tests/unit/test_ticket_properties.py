"""Tickets as a property: whatever the order of issuing, waiting and following, a ticket is
honoured at most once and never after its expiry on the tenant clock (the ``ttl_sec`` of
``POST /tickets/*``, "Number of seconds for which the ticket is valid before expiration", the
spec; 432000 s, five days, by default).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeauth0 import Clock, Tenant
from fakeauth0.tickets import TicketRequest

DB = "Username-Password-Authentication"
PASSWORD = "Str0ng!Passw0rd"

steps = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from(["verify", "reset"]), st.integers(1, 600)),
        st.tuples(st.just("wait"), st.integers(0, 400)),
        st.tuples(st.just("use"), st.integers(0, 5)),
    ),
    max_size=25,
)


def _ticket_id(url: str) -> str:
    return parse_qs(urlsplit(url).query)["ticket"][0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_a_ticket_is_honoured_at_most_once_and_never_after_it_expired(script: list) -> None:  # type: ignore[type-arg]
    clock = Clock()
    clock.freeze()
    tenant = Tenant(clock=clock)
    user = tenant.create_user({"connection": DB, "email": "t@example.com", "password": PASSWORD})
    issued: list[tuple[str, str, float]] = []  # kind, ticket id, expiry
    honoured: set[str] = set()
    for step in script:
        if step[0] == "issue":
            _, kind, ttl = step
            request = TicketRequest(user_id=user.user_id, ttl_sec=ttl)
            url = (
                tenant.create_email_verification_ticket(request)
                if kind == "verify"
                else tenant.create_password_change_ticket(request)
            )
            issued.append((kind, _ticket_id(url), clock.time() + ttl))
        elif step[0] == "wait":
            clock.advance(step[1])
        elif issued:
            kind, ticket, expires = issued[step[1] % len(issued)]
            if kind == "verify":
                success = tenant.use_email_verification_ticket(ticket).success
            else:
                success = tenant.use_password_change_ticket(ticket, PASSWORD + "x").success
            if success:
                assert ticket not in honoured, "a ticket was honoured twice"
                assert clock.time() < expires, "a ticket was honoured after it expired"
                honoured.add(ticket)
