"""The Authentication API's passwordless endpoints: ``/passwordless/start`` sends a code or a
magic link, ``/passwordless/verify_redirect`` is where the link leads (the code itself is
traded at ``/oauth/token``, in ``http/authentication.py``).

Refusals of ``/passwordless/start`` are Auth0's OAuth-shaped ``bad.*`` errors; the link's are
the browser's: an error page before the callback is trusted, the callback's error after.
"""

from __future__ import annotations

import secrets

from ..authorization import CallbackError, PageError, SendUserTo
from ..errors import Auth0Error, OAuthError
from ..passwordless import bad_type
from .authorize import (
    deliver,
    device_id,
    error_page,
    remember_device,
    send_away,
    set_session_cookies,
)
from .routes import Answer, Call, authentication


@authentication("/passwordless/start", "POST", endpoint="passwordless_start")
def start(call: Call) -> Answer:
    """A code (``send: code``, and always by SMS) or a link (``send: link``, the default) to
    the address (https://auth0.com/docs/api/authentication#get-code-or-link)."""
    try:
        body = call.json()
    except Auth0Error as error:
        if error.status != 400:
            raise  # 413 and 415 keep the envelope every plane answers them with
        raise OAuthError(400, "bad.request", error.message) from None
    if not isinstance(body, dict):
        raise bad_type("request", body, "object")
    # The message's language (https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp).
    language = call.request.headers.get("x-request-language") or None
    return 200, call.tenant.passwordless_start(body, language)


@authentication("/passwordless/verify_redirect", "GET", endpoint="passwordless_verify_redirect")
def verify_redirect(call: Call) -> Answer:
    """The magic link: the code logs the user in, the ``auth0`` cookie carries the new
    session, and the callback gets what the link's ``response_type`` asks for. A redirect
    Action sends the browser away first; ``/continue`` resumes the login."""
    params = {name: call.request.args[name] for name in call.request.args}
    device = device_id(call.request) or secrets.token_urlsafe(24)
    try:
        session, delivery = call.tenant.passwordless_link_login(params, call.caller(), device)
    except PageError as error:
        return error_page(call, error.error, error.description, params.get("client_id"))
    except CallbackError as error:
        assert error.delivery is not None
        return deliver(call, error.delivery)
    except SendUserTo as away:
        response = send_away(away)
        remember_device(call, response, device)
        return response
    response = deliver(call, delivery)
    set_session_cookies(call, response, session)
    return response
