"""New Universal Login's ``reset-password-request`` screen: the login page's "Forgot password?"
link asks for the e-mail address and sends the ``reset_email`` whose link opens
``/u/reset-password`` (https://auth0.com/docs/authenticate/database-connections/password-change).

Its answer is the same whether the address is known or not ("Check Your Email"), as
``/dbconnections/change_password``'s is, so the page never tells which e-mails have accounts.
"""

from __future__ import annotations

from urllib.parse import urlencode

from werkzeug.wrappers import Response

from .. import pages
from ..authorization import PAGE_TEXTS, LoginPageError
from .authorize import device_id, html_page, login_screen
from .routes import Answer, Call, authentication

#: The screen's path under ``/u/``; the database connection follows it.
REQUEST_PATH = "/u/reset-password/request"


@authentication(REQUEST_PATH + "/<connection>", "GET", "POST", endpoint="reset_password_request")
def reset_password_request(call: Call) -> Answer:
    request = call.request
    source = request.args if request.method == "GET" else call.fields()
    handle = source.get("state")
    try:
        screen = call.tenant.login_screen(handle, device_id(request))
        transaction = call.tenant.login_transaction(handle, device_id(request))
    except LoginPageError as error:
        return login_screen(call, handle, error)
    database = screen.database
    if database is None or database.name != call.args["connection"]:
        return login_screen(
            call, handle, LoginPageError("invalid-state", PAGE_TEXTS["invalid-state"], "state")
        )
    back = call.request.script_root + "/u/login?" + urlencode({"state": screen.handle})
    if request.method == "GET":
        return _page(call, screen.handle, back, email=screen.login_hint or "")
    email = source.get("email", source.get("username", "")).strip()
    if not email:
        error = LoginPageError("no-email", PAGE_TEXTS["no-email"], "email")
        return _page(call, screen.handle, back, error=error)
    if "@" not in email:
        error = LoginPageError("email-invalid", PAGE_TEXTS["email-invalid"], "email")
        return _page(call, screen.handle, back, email=email, error=error)
    call.tenant.request_password_change(
        client_id=transaction.client_id, email=email, connection=database.name
    )
    return _page(call, screen.handle, back, email=email, sent=True)


def _page(
    call: Call,
    handle: str,
    back: str,
    *,
    email: str = "",
    sent: bool = False,
    error: LoginPageError | None = None,
) -> Response:
    body = pages.render(
        "reset_password_request.html",
        domain=call.tenant.domain,
        handle=handle,
        email=email,
        sent=sent,
        error=error,
        back=back,
    )
    return html_page(400 if error is not None else 200, body)
