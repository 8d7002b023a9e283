"""``/v2/logout`` and ``/oidc/logout``: the browser leaves the tenant's SSO session.

Both clear the ``auth0`` and ``auth0_compat`` cookies once the session ends, then redirect to
an allowed URL, or show the logged-out page; an error shows Auth0's error page and redirects
nowhere. ``/oidc/logout`` may first show a confirmation page whose form posts back here. What is
allowed, and when the user must confirm, is ``fakeauth0.logouts``'s to say.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from .. import pages
from ..authorization import PageError
from .authorize import clear_session_cookies, error_page, html_page, session_id
from .routes import Answer, Call, authentication

#: The confirmation page's hidden field: its presence makes a POST the user's answer.
CONFIRMATION_FIELD = "confirmation"


@authentication("/v2/logout", "GET", endpoint="logout")
def logout(call: Call) -> Answer:
    """The session ends whatever the parameters say; then ``returnTo``, if allowed
    (https://auth0.com/docs/api/authentication#logout)."""
    params = {name: call.request.args[name] for name in call.request.args}
    try:
        return_to = call.tenant.logout(params, session_id(call.request))
    except PageError as error:
        response = error_page(call, error.error, error.description, params.get("client_id"))
    else:
        response = _leave(call, return_to)
    clear_session_cookies(call, response)
    return response


@authentication("/oidc/logout", "GET", "POST", endpoint="oidc_logout")
def oidc_logout(call: Call) -> Answer:
    """RP-initiated logout, parameters in the query (GET) or a form body (POST); a POST holding
    the confirmation page's field is the user's answer
    (https://auth0.com/docs/api/authentication#oidc-logout)."""
    request = call.request
    params = _params(call)
    sid = session_id(request)
    try:
        if request.method == "POST" and CONFIRMATION_FIELD in params:
            redirect = call.tenant.confirm_logout(params[CONFIRMATION_FIELD], sid)
        else:
            outcome = call.tenant.oidc_logout(params, sid)
            if outcome.confirmation is not None:
                body = pages.render(
                    "logout_confirm.html",
                    domain=call.tenant.domain,
                    client_name=outcome.client_name,
                    confirmation=outcome.confirmation,
                )
                return html_page(200, body)
            redirect = outcome.redirect
    except PageError as error:
        return error_page(call, error.error, error.description, params.get("client_id"))
    response = _leave(call, redirect)
    clear_session_cookies(call, response)
    return response


def _leave(call: Call, redirect: str | None) -> Response:
    """Off to ``redirect``, already checked against an allow-list; None: the logged-out page."""
    if redirect is None:
        return html_page(200, pages.render("logout_done.html", domain=call.tenant.domain))
    return Response(status=302, headers={"Location": redirect, "Cache-Control": "no-store"})


def _params(call: Call) -> dict[str, str]:
    """GET: the query string; POST: the form body (Auth0 reads no query string then)."""
    request = call.request
    if request.method == "GET":
        return {name: request.args[name] for name in request.args}
    return call.fields()
