"""Tickets end to end: the Management API's ``POST /tickets/email-verification`` and
``POST /tickets/password-change``, and the pages their links open on the tenant's host,
``/u/email-verification`` and ``/u/reset-password``.

Both halves live here, not beside ``/authorize``'s screens, because a ticket's page belongs to
no login transaction: it is reached from an e-mail with the ticket as its only state, and what
it does (verify, set a password) is what the ticket was issued for. The rules are the domain's
(``fakeauth0.tickets``); this module reads the body or form and renders the outcome.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from .. import pages
from ..authorization import LoginPageError
from ..errors import Auth0Error, OAuthError
from ..tickets import EMAIL_VERIFICATION, Outcome, TicketRequest
from .authorize import html_page
from .routes import Answer, Call, authentication, management

#: The reset page's fields, named as New Universal Login's ``reset-password`` screen names them
#: (https://auth0.com/docs/libraries/acul/js-sdk/Screens/classes/ResetPassword).
PASSWORD_FIELD = "password-reset"
CONFIRMATION_FIELD = "re-enter-password"


@management("post_email-verification")
def create_email_verification_ticket(call: Call) -> Answer:
    """201 with the ticket's URL (auth0/go-auth0
    test/data/recordings/TestTicketManager_VerifyEmail.yaml)."""
    request = _ticket_request(call.body())
    return 201, {"ticket": call.tenant.create_email_verification_ticket(request)}


@management("post_password-change")
def create_password_change_ticket(call: Call) -> Answer:
    """201 with the ticket's URL (auth0/go-auth0
    test/data/recordings/TestTicketManager_ChangePassword.yaml)."""
    request = _ticket_request(call.body())
    return 201, {"ticket": call.tenant.create_password_change_ticket(request)}


def _ticket_request(body: dict[str, Any]) -> TicketRequest:
    """The body, already held to the operation's schema (types, no unknown properties)."""
    return TicketRequest(
        user_id=body.get("user_id"),
        email=body.get("email"),
        connection_id=body.get("connection_id"),
        result_url=body.get("result_url"),
        client_id=body.get("client_id"),
        organization_id=body.get("organization_id"),
        ttl_sec=body.get("ttl_sec"),
        include_email=body.get("includeEmailInRedirect") is True,
        mark_email_as_verified=body.get("mark_email_as_verified") is True,
        identity=body.get("identity"),
    )


# -- the pages the links open -------------------------------------------------------------------


@authentication("/u/email-verification", "GET", endpoint="email_verification_page")
def email_verification_page(call: Call) -> Answer:
    """A plain GET of the link verifies the user (once), then goes to the ticket's
    ``result_url`` with the outcome, or shows it."""
    outcome = call.tenant.use_email_verification_ticket(call.request.args.get("ticket"))
    return _finish(call, outcome, EMAIL_VERIFICATION)


@authentication("/u/reset-password", "GET", "POST", endpoint="reset_password_page")
def reset_password_page(call: Call) -> Answer:
    """The form for a new password; sent, the password is set (held to the connection's
    policy, the rules listed when refused) and the ticket spent."""
    request = call.request
    form = _form(call) if request.method == "POST" else {}
    ticket_id = form.get("ticket") if request.method == "POST" else request.args.get("ticket")
    tenant = call.tenant
    if request.method == "GET":
        found = tenant.password_change_screen(ticket_id)
        if isinstance(found, Outcome):
            return _finish(call, found, "reset-password")
        return _reset_form(call, ticket_id or "")
    try:
        outcome = tenant.use_password_change_ticket(
            ticket_id, form.get(PASSWORD_FIELD, ""), form.get(CONFIRMATION_FIELD)
        )
    except LoginPageError as error:
        found = tenant.password_change_screen(ticket_id)
        if isinstance(found, Outcome):
            return _finish(call, found, "reset-password")
        return _reset_form(call, ticket_id or "", error)
    return _finish(call, outcome, "reset-password")


def _finish(call: Call, outcome: Outcome, kind: str) -> Response:
    """To the ticket's ``result_url`` with the outcome, or the outcome's page."""
    if outcome.redirect is not None:
        return Response(
            status=302, headers={"Location": outcome.redirect, "Cache-Control": "no-store"}
        )
    body = pages.render(
        "ticket_result.html",
        domain=call.tenant.domain,
        kind=kind,
        success=outcome.success,
        message=outcome.message,
    )
    return html_page(200, body)


def _reset_form(call: Call, ticket_id: str, error: LoginPageError | None = None) -> Response:
    body = pages.render(
        "reset_password.html",
        domain=call.tenant.domain,
        ticket=ticket_id,
        error=error,
        rules=error.rules if error is not None else (),
        password_field=PASSWORD_FIELD,
        confirmation_field=CONFIRMATION_FIELD,
    )
    return html_page(400 if error is not None else 200, body)


def _form(call: Call) -> dict[str, str]:
    """The form (or JSON) sent; an unreadable one is an empty form, which the page refuses."""
    try:
        body: Any = call.json()
    except (Auth0Error, OAuthError):
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: v for k, v in body.items() if isinstance(v, str)}
