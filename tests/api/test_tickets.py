"""``POST /tickets/email-verification`` and ``POST /tickets/password-change``: the answers
recorded on a real tenant (auth0/go-auth0 test/data/recordings/TestTicketManager_VerifyEmail.yaml
and TestTicketManager_ChangePassword.yaml), the 400s the spec lists, the options kept by the
ticket, and auth0-python's ``tickets.*`` as the judge of the shape."""

from __future__ import annotations

import re
from typing import Any

import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.errors import Msg
from fakeauth0.intercept import Interceptor
from fakeauth0.tickets import DEFAULT_TTL
from tests.support import DB, PASSWORD, assert_error

VERIFY = "tickets/email-verification"
CHANGE = "tickets/password-change"


def ticket_of(tenant: Tenant, url: str, kind: str) -> str:
    """The ticket id of a URL shaped as recorded: ``https://<domain>/u/<kind>?ticket=<32>#``."""
    found = re.fullmatch(rf"https://{re.escape(tenant.domain)}/u/{kind}\?ticket=(\w{{32}})#", url)
    assert found, url
    return found.group(1)


@pytest.fixture
def user(raw: Any) -> dict[str, Any]:
    return raw.create_user(email="t@example.com")


def test_email_verification_ticket_answers_201_with_the_link(
    tenant: Tenant, raw: Any, user: dict[str, Any]
) -> None:
    # TestTicketManager_VerifyEmail: {"result_url", "user_id", "ttl_sec": 3600} → 201 {ticket}
    answer = raw.post(
        VERIFY,
        json={
            "result_url": "https://example.com/verify",
            "user_id": user["user_id"],
            "ttl_sec": 3600,
        },
    )
    assert answer.status_code == 201, answer.text
    assert list(answer.json()) == ["ticket"]
    ticket = tenant.tickets.get(
        ticket_of(tenant, answer.json()["ticket"], "email-verification"), "email-verification"
    )
    assert ticket is not None and ticket.expires_at == pytest.approx(
        tenant.clock.time() + 3600, abs=2
    )
    assert ticket.result_url == "https://example.com/verify"


def test_password_change_ticket_keeps_its_options(
    tenant: Tenant, raw: Any, user: dict[str, Any]
) -> None:
    # TestTicketManager_ChangePassword: mark_email_as_verified and includeEmailInRedirect too
    answer = raw.post(
        CHANGE,
        json={
            "result_url": "https://example.com/change-password",
            "user_id": user["user_id"],
            "ttl_sec": 3600,
            "mark_email_as_verified": True,
            "includeEmailInRedirect": True,
        },
    )
    assert answer.status_code == 201, answer.text
    ticket = tenant.tickets.get(
        ticket_of(tenant, answer.json()["ticket"], "reset-password"), "reset-password"
    )
    assert ticket is not None and ticket.mark_email_as_verified and ticket.include_email


def test_ttl_zero_or_absent_is_five_days(tenant: Tenant, raw: Any, user: dict[str, Any]) -> None:
    # the spec's ttl_sec: "If unspecified or set to 0, this value defaults to 432000 seconds"
    tenant.clock.freeze(1_700_000_000)
    for body in ({}, {"ttl_sec": 0}):
        url = raw.post(VERIFY, json={"user_id": user["user_id"], **body}).json()["ticket"]
        ticket = tenant.tickets.get(
            ticket_of(tenant, url, "email-verification"), "email-verification"
        )
        assert ticket is not None and ticket.expires_at == 1_700_000_000 + DEFAULT_TTL


def test_password_change_by_email_and_connection_id(
    tenant: Tenant, raw: Any, user: dict[str, Any]
) -> None:
    # the spec: connection_id "allows the user to be specified using email instead of user_id"
    connection_id = tenant.connection(DB).id
    answer = raw.post(CHANGE, json={"email": "T@example.com", "connection_id": connection_id})
    assert answer.status_code == 201, answer.text
    ticket = tenant.tickets.get(
        ticket_of(tenant, answer.json()["ticket"], "reset-password"), "reset-password"
    )
    assert ticket is not None and ticket.user_id == user["user_id"]


def test_tickets_send_nothing(tenant: Tenant, raw: Any, user: dict[str, Any]) -> None:
    # CHOICES.md "tickets: nothing is sent": the caller delivers the URL
    tenant.outbox.clear()
    raw.post(VERIFY, json={"user_id": user["user_id"]})
    raw.post(CHANGE, json={"user_id": user["user_id"]})
    assert tenant.outbox == []


# -- refusals ----------------------------------------------------------------------------------


def test_unknown_user_is_404(raw: Any) -> None:
    # the spec's 404 "User not found."; the body as GET /users/{id} answers it
    for path in (VERIFY, CHANGE):
        assert_error(
            raw.post(path, json={"user_id": "auth0|nobody"}),
            404,
            Msg.USER_NOT_FOUND,
            "inexistent_user",
        )


def test_email_without_connection_id_is_refused(raw: Any, user: dict[str, Any]) -> None:
    # "Payload validation error: 'Missing required property: connection_id'"
    # (https://github.com/auth0/node-auth0/issues/364)
    answer = raw.post(CHANGE, json={"email": "t@example.com"})
    assert_error(answer, 400, Msg.TICKET_CONNECTION_ID_REQUIRED, "invalid_body")


def test_user_id_with_connection_id_is_refused(
    tenant: Tenant, raw: Any, user: dict[str, Any]
) -> None:
    # the spec: "You cannot send user_id when specifying a connection_id"; CHOICES.md "tickets: ..."
    body = {
        "user_id": user["user_id"],
        "connection_id": tenant.connection(DB).id,
        "email": "t@example.com",
    }
    assert_error(raw.post(CHANGE, json=body), 400, Msg.TICKET_USER_ID_AND_EMAIL, "invalid_body")


def test_unknown_connection_id_is_refused(raw: Any) -> None:
    # the spec's x-description-4
    body = {"email": "t@example.com", "connection_id": "con_0000000000000000"}
    message = Msg.TICKET_CONNECTION_NOT_FOUND.format(connection_id="con_0000000000000000")
    assert_error(raw.post(CHANGE, json=body), 400, message)


def test_unknown_client_and_organization_are_refused(raw: Any, user: dict[str, Any]) -> None:
    # the spec's x-description-5 and -6
    answer = raw.post(VERIFY, json={"user_id": user["user_id"], "client_id": "nope"})
    assert_error(answer, 400, Msg.TICKET_CLIENT_NOT_FOUND)
    answer = raw.post(VERIFY, json={"user_id": user["user_id"], "organization_id": "org_nope"})
    assert_error(answer, 400, Msg.TICKET_ORGANIZATION_NOT_FOUND)


def test_result_url_with_client_id_is_refused(
    tenant: Tenant, raw: Any, user: dict[str, Any]
) -> None:
    # the spec: result_url "Cannot be specified when using client_id or organization_id";
    # "it will result in an error" (https://github.com/auth0/auth0-PHP/issues/480)
    body = {
        "user_id": user["user_id"],
        "result_url": "https://example.com/done",
        "client_id": tenant.management_client.client_id,
    }
    assert_error(
        raw.post(CHANGE, json=body), 400, Msg.TICKET_RESULT_URL_WITH_CLIENT, "invalid_body"
    )


def test_a_social_user_needs_an_identity(tenant: Tenant, raw: Any) -> None:
    # the spec's Identity: "must be provided to verify primary social ... identities";
    # x-description-2 otherwise
    social = tenant.add_social_user("google-oauth2", "1234", {"email": "g@example.com"})
    answer = raw.post(VERIFY, json={"user_id": social.user_id})
    assert_error(answer, 400, Msg.TICKET_MAIN_CONNECTION)
    identity = {"user_id": "1234", "provider": "google-oauth2"}
    assert (
        raw.post(VERIFY, json={"user_id": social.user_id, "identity": identity}).status_code == 201
    )
    assert_error(
        raw.post(CHANGE, json={"user_id": social.user_id}), 400, Msg.TICKET_MAIN_CONNECTION
    )


def test_a_user_without_email_is_refused(tenant: Tenant, raw: Any) -> None:
    # the spec's x-description-1: an sms user, named by its identity
    texted = tenant.create_user({"connection": "sms", "phone_number": "+15550100"})
    identity = {"user_id": str(texted.primary.user_id), "provider": "sms"}
    answer = raw.post(VERIFY, json={"user_id": texted.user_id, "identity": identity})
    assert_error(answer, 400, Msg.USER_WITHOUT_EMAIL)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VERIFY, {}),
        (VERIFY, {"user_id": 5}),
        (VERIFY, {"user_id": "auth0|x", "ttl_sec": "soon"}),
        (VERIFY, {"user_id": "auth0|x", "unknown": 1}),
        (CHANGE, {"user_id": "auth0|x", "mark_email_as_verified": "yes"}),
        (CHANGE, {"user_id": "auth0|x", "ttl_sec": -1}),
        (CHANGE, {}),
        (CHANGE, []),
    ],
)
def test_bad_bodies_are_400_never_500(raw: Any, path: str, body: Any) -> None:
    answer = raw.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["statusCode"] == 400


def test_the_scope_is_create_user_tickets(raw: Any, user: dict[str, Any]) -> None:
    # the spec's security: create:user_tickets
    answer = raw.post(VERIFY, json={"user_id": user["user_id"]}, scopes=["read:users"])
    assert answer.status_code == 403
    answer = raw.post(VERIFY, json={"user_id": user["user_id"]}, scopes=["create:user_tickets"])
    assert answer.status_code == 201


# -- the SDK as a client judges us -------------------------------------------------------------


def test_auth0_python_creates_both_tickets(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``tickets.verify_email`` / ``tickets.change_password``, intercepted."""
    created = auth0_tenant.create_user(
        {"connection": DB, "email": "sdk@example.com", "password": PASSWORD}
    )
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    verify = mgmt.tickets.verify_email(
        user_id=created.user_id, result_url="https://example.com/v", ttl_sec=60
    )
    assert "/u/email-verification?ticket=" in verify.ticket
    change = mgmt.tickets.change_password(
        user_id=created.user_id, mark_email_as_verified=True, include_email_in_redirect=True
    )
    assert "/u/reset-password?ticket=" in change.ticket
    with pytest.raises(ApiError) as caught:
        mgmt.tickets.change_password(email="sdk@example.com")
    assert caught.value.status_code == 400
