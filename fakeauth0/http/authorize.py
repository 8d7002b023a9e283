"""``/authorize`` and the hosted login page: the browser's side of a login.

The chain is Auth0's: ``GET /authorize`` → ``302 /u/login?state=<transaction>`` → the form posts
back to the same URL → ``302 /authorize/resume?state=<transaction>`` → the callback, in the
response mode. A redirect Action sends the browser to its site first; ``/continue`` resumes. The
``auth0`` cookie carries the SSO session, so a second ``/authorize`` (and ``prompt=none``) skips
the page. Social and enterprise buttons lead to a simulated identity provider page where the
tester says who they are there.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from werkzeug.wrappers import Request, Response

from .. import pages
from ..authorization import (
    CallbackError,
    Delivery,
    LoginPageError,
    LoginScreen,
    PageError,
    SendUserTo,
    ShowPage,
)
from ..sessions import Session
from .routes import Answer, Call, Handler, authentication

#: The SSO session cookie, and its twin without ``SameSite`` for older browsers
#: (https://auth0.com/docs/manage-users/cookies/authentication-api-cookies).
SESSION_COOKIE = "auth0"
COMPAT_COOKIE = "auth0_compat"
#: The browser's device id; a login transaction answers only to the browser that started it.
DEVICE_COOKIE = "did"
#: The passwordless code screen's name in New Universal Login, and its path under ``/u/``.
EMAIL_CODE_SCREEN = "login-passwordless-email-code"
#: Pages that hold a transaction are never cached or framed by another site.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "deny",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def _to_callback(handler: Handler) -> Handler:
    """A refusal meant for the application (``CallbackError``) goes to its callback, in the
    response mode, from whichever step of the login it comes."""

    @functools.wraps(handler)
    def run(call: Call) -> Answer:
        try:
            return handler(call)
        except CallbackError as error:
            assert error.delivery is not None
            return deliver(call, error.delivery)
        except SendUserTo as away:
            return send_away(away)

    return run


@authentication("/authorize", "GET", endpoint="authorize")
@_to_callback
def authorize(call: Call) -> Answer:
    """Answer at once when the session suffices; else show the login (or sign-up) screen."""
    tenant, request = call.tenant, call.request
    params = {name: request.args[name] for name in request.args}
    device = device_id(request) or secrets.token_urlsafe(24)
    try:
        outcome = tenant.authorize(params, session_id(request), device, call.caller())
    except PageError as error:
        return error_page(call, error.error, error.description, params.get("client_id"))
    except SendUserTo as away:
        # A redirect Action suspended the SSO login on a transaction of this browser.
        outcome = away
    if isinstance(outcome, ShowPage | SendUserTo):
        if isinstance(outcome, SendUserTo):
            response = send_away(outcome)
        else:
            path = f"/u/{outcome.screen}?" + urlencode({"state": outcome.handle})
            response = _redirect(call, path)
        remember_device(call, response, device)
        return response
    return deliver(call, outcome)


@authentication("/u/login", "GET", "POST", endpoint="login_page")
@_to_callback
def login_page(call: Call) -> Answer:
    """The login screen: the form posts back here; a button posts its ``connection``."""
    request = call.request
    if request.method == "GET":
        return login_screen(call, request.args.get("state"))
    form = call.fields()
    handle = form.get("state")
    connection = form.get("connection")
    if connection:
        query = urlencode({"state": handle or "", "connection": connection})
        return _redirect(call, "/u/idp?" + query)
    identifier = form.get("username", form.get("email", ""))
    try:
        if "password" not in form and call.tenant.passwordless_page_start(
            handle, identifier, device_id(request)
        ):
            query = urlencode({"state": handle or ""})
            return _redirect(call, f"/u/{EMAIL_CODE_SCREEN}?" + query)
        session = call.tenant.login_with_password(
            handle, identifier, form.get("password", ""), call.caller(), device_id(request)
        )
    except LoginPageError as error:
        return login_screen(call, handle, error, identifier)
    return _signed_in(call, session, handle or "")


@authentication(f"/u/{EMAIL_CODE_SCREEN}", "GET", "POST", endpoint="passwordless_code_page")
@_to_callback
def passwordless_code_page(call: Call) -> Answer:
    """New Universal Login's ``login-passwordless-email-code`` screen: the code e-mailed by
    the identifier screen, typed in; on as after a login
    (https://auth0.com/docs/authenticate/passwordless/implement-login/universal-login)."""
    request = call.request
    source = request.args if request.method == "GET" else call.fields()
    handle = source.get("state")
    try:
        address = call.tenant.passwordless_page_address(handle, device_id(request))
    except LoginPageError as error:
        return login_screen(call, handle, error)
    if request.method == "GET":
        return _code_screen(call, handle or "", address)
    try:
        session = call.tenant.passwordless_page_login(
            handle, source.get("code", ""), call.caller(), device_id(request)
        )
    except LoginPageError as error:
        return _code_screen(call, handle or "", address, error)
    return _signed_in(call, session, handle or "")


@authentication("/u/signup", "GET", "POST", endpoint="signup_page")
@_to_callback
def signup_page(call: Call) -> Answer:
    """The sign-up screen: a new database user, then on as after a login."""
    request = call.request
    if request.method == "GET":
        return _signup_screen(call, request.args.get("state"))
    form = call.fields()
    handle = form.get("state")
    email, username = form.get("email", ""), form.get("username", "")
    try:
        session = call.tenant.signup_with_password(
            handle,
            email,
            form.get("password", ""),
            username,
            call.caller(),
            device_id(request),
        )
    except LoginPageError as error:
        return _signup_screen(call, handle, error, email, username)
    return _signed_in(call, session, handle or "")


@authentication("/u/idp", "GET", "POST", endpoint="simulated_idp")
@_to_callback
def simulated_idp(call: Call) -> Answer:
    """The simulated identity provider: the tester states the account they use there."""
    request = call.request
    source = request.args if request.method == "GET" else call.fields()
    handle = source.get("state")
    connection = source.get("connection") or ""
    try:
        screen = call.tenant.login_screen(handle, device_id(request))
    except LoginPageError as error:
        return login_screen(call, handle, error)
    if connection not in [c.name for c in screen.buttons]:
        return error_page(call, "invalid_request", "the connection is not enabled", None)
    if request.method == "GET":
        return _idp_screen(call, screen.handle, connection, _remembered(request, connection))
    profile: dict[str, Any] = {
        k: source[k].strip() for k in ("email", "name", "user_id") if source.get(k)
    }
    if source.get("email_verified", "").lower() in ("true", "on", "1"):
        # The IdP vouches for the address, as Google and most social IdPs do.
        profile["email_verified"] = True
    if "email" not in profile:
        return _idp_screen(call, screen.handle, connection, profile, "Enter an email address.")
    try:
        session = call.tenant.login_with_idp(
            handle, connection, profile, call.caller(), device_id(request)
        )
    except LoginPageError as error:
        return _idp_screen(call, screen.handle, connection, profile, error.text)
    response = _signed_in(call, session, screen.handle)
    response.set_cookie(
        _idp_cookie(connection),
        urlencode(profile),
        max_age=30 * 86400,
        path=_root(call) + "/u/idp",
        httponly=True,
        samesite="Lax",
        secure=request.scheme == "https",
    )
    return response


@authentication("/authorize/resume", "GET", endpoint="authorize_resume")
@_to_callback
def resume(call: Call) -> Answer:
    """After the login page: the transaction's answer for the new session."""
    handle = call.request.args.get("state")
    try:
        delivery = call.tenant.resume(handle, session_id(call.request), device_id(call.request))
    except LoginPageError as error:
        return login_screen(call, handle, error)
    if delivery is None:
        return _redirect(call, "/u/login?" + urlencode({"state": handle or ""}))
    if isinstance(delivery, ShowPage):
        return _redirect(call, f"/u/{delivery.screen}?" + urlencode({"state": delivery.handle}))
    return deliver(call, delivery)


@authentication("/continue", "GET", "POST", endpoint="continue_login")
@_to_callback
def continue_login(call: Call) -> Answer:
    """Back from a redirect Action's external site: ``state`` names the suspended login, the
    rest of the query (and a POST's form) is what the Action's ``onContinuePostLogin`` reads
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions)."""
    request = call.request
    query = {name: request.args[name] for name in request.args}
    body = dict(call.fields()) if request.method == "POST" else {}
    handle = body.get("state") or query.get("state")
    try:
        session = call.tenant.continue_login(
            handle, device_id(request), query, body, request.method
        )
    except PageError as error:
        return error_page(call, error.error, error.description, None)
    return _signed_in(call, session, handle or "")


@authentication("/u/consent", "GET", "POST", endpoint="consent_page")
@_to_callback
def consent_page(call: Call) -> Answer:
    """The consent screen: the scopes the application asks for; accept or decline."""
    request = call.request
    source = request.args if request.method == "GET" else call.fields()
    handle = source.get("state")
    try:
        name, scopes, audience = call.tenant.consent_screen(handle, device_id(request))
        if request.method == "GET":
            body = pages.render(
                "consent.html",
                domain=call.tenant.domain,
                client_name=name,
                scopes=scopes,
                audience=audience,
                handle=handle,
            )
            return html_page(200, body)
        delivery = call.tenant.answer_consent(
            handle, session_id(request), source.get("action") == "accept", device_id(request)
        )
    except LoginPageError as error:
        return login_screen(call, handle, error)
    if delivery is None:
        return _redirect(call, "/u/login?" + urlencode({"state": handle or ""}))
    return deliver(call, delivery)


# -- rendering ---------------------------------------------------------------------------------


def device_id(request: Request) -> str | None:
    return request.cookies.get(DEVICE_COOKIE)


def remember_device(call: Call, response: Response, device: str) -> None:
    """The ``did`` cookie, when ``device`` is new to the browser: its login transactions
    answer to it only."""
    if device != device_id(call.request):
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=365 * 86400, **_cookie_attributes(call, SESSION_COOKIE)
        )


def session_id(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(COMPAT_COOKIE)


def deliver(call: Call, delivery: Delivery) -> Response:
    """The answer to the callback, in its response mode."""
    mode = delivery.response_mode
    if mode == "form_post":
        body = pages.render("form_post.html", action=delivery.redirect_uri, params=delivery.params)
        return html_page(200, body)
    if mode == "web_message":
        body = pages.render("web_message.html", message=delivery.params, origin=delivery.origin)
        return html_page(200, body, frame=True)
    separator = "#" if mode == "fragment" else ("&" if "?" in delivery.redirect_uri else "?")
    location = delivery.redirect_uri + separator + urlencode(delivery.params)
    return Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def error_page(call: Call, error: str, description: str, client_id: str | None) -> Response:
    """Auth0's generic error page (https://auth0.com/docs/universal-login/error-pages)."""
    body = pages.render(
        "error.html",
        domain=call.tenant.domain,
        error=error,
        error_description=description,
        client_id=client_id,
    )
    return html_page(400, body)


def login_screen(
    call: Call, handle: str | None, error: LoginPageError | None = None, username: str = ""
) -> Response:
    try:
        screen = call.tenant.login_screen(handle, device_id(call.request))
    except LoginPageError as invalid:
        body = pages.render(
            "login.html",
            domain=call.tenant.domain,
            client_name=call.tenant.domain,
            handle="",
            database=None,
            passwordless=False,
            buttons=(),
            error=invalid,
            username="",
            signup_url=None,
            reset_url=None,
        )
        return html_page(400, body)
    # The email passwordless connection is the identifier form, not a button (without a
    # database connection; with one, the form is the password login).
    passwordless = screen.database is None and any(b.strategy == "email" for b in screen.buttons)
    body = pages.render(
        "login.html",
        domain=call.tenant.domain,
        client_name=screen.client_name,
        handle=screen.handle,
        database=screen.database,
        passwordless=passwordless,
        buttons=tuple(b for b in screen.buttons if b.strategy != "email"),
        error=error,
        username=username or screen.login_hint or "",
        signup_url=_signup_url(call, screen),
        reset_url=_reset_url(call, screen),
    )
    return html_page(400 if error is not None else 200, body)


def _reset_url(call: Call, screen: LoginScreen) -> str | None:
    """The "Forgot password?" link: the reset-password-request screen of the database
    connection (fakeauth0/http/password_reset.py)."""
    if screen.database is None:
        return None
    query = urlencode({"state": screen.handle})
    return f"{_root(call)}/u/reset-password/request/{quote(screen.database.name)}?{query}"


def _code_screen(
    call: Call, handle: str, address: str, error: LoginPageError | None = None
) -> Response:
    body = pages.render(
        "login_passwordless_email_code.html",
        domain=call.tenant.domain,
        handle=handle,
        email=address,
        error=error,
    )
    return html_page(400 if error is not None else 200, body)


def _signup_screen(
    call: Call,
    handle: str | None,
    error: LoginPageError | None = None,
    email: str = "",
    username: str = "",
) -> Response:
    try:
        screen = call.tenant.login_screen(handle, device_id(call.request))
    except LoginPageError as invalid:
        return login_screen(call, handle, invalid)
    body = pages.render(
        "signup.html",
        domain=call.tenant.domain,
        client_name=screen.client_name,
        handle=screen.handle,
        database=screen.database,
        error=error,
        email=email or screen.login_hint or "",
        username=username,
        rules=error.rules if error is not None else (),
        login_url=_root(call) + "/u/login?" + urlencode({"state": screen.handle}),
    )
    return html_page(400 if error is not None else 200, body)


def _idp_screen(
    call: Call,
    handle: str,
    connection: str,
    remembered: dict[str, str],
    error: str | None = None,
) -> Response:
    body = pages.render(
        "idp.html",
        domain=call.tenant.domain,
        handle=handle,
        connection=connection,
        remembered={k: remembered.get(k, "") for k in ("email", "name", "user_id")},
        error=error,
    )
    return html_page(400 if error else 200, body)


def _signup_url(call: Call, screen: LoginScreen) -> str | None:
    """The link to the sign-up screen, unless the database connection disables sign-ups."""
    database = screen.database
    if database is None or database.options.get("disable_signup"):
        return None
    return _root(call) + "/u/signup?" + urlencode({"state": screen.handle})


def _signed_in(call: Call, session: Session, handle: str) -> Response:
    """A new SSO session: the cookie, and on to ``/authorize/resume``."""
    response = _redirect(call, "/authorize/resume?" + urlencode({"state": handle}))
    set_session_cookies(call, response, session)
    return response


def set_session_cookies(call: Call, response: Response, session: Session) -> None:
    """The ``auth0`` cookie (and its twin over HTTPS) that carries a new SSO session."""
    secure = call.request.scheme == "https"
    lifetime = int(call.tenant.settings.session_lifetime * 3600)
    for name in (SESSION_COOKIE, COMPAT_COOKIE) if secure else (SESSION_COOKIE,):
        response.set_cookie(name, session.sid, max_age=lifetime, **_cookie_attributes(call, name))


def clear_session_cookies(call: Call, response: Response) -> None:
    """Both SSO cookies expire, set with the attributes :func:`_signed_in` gave them, so the
    browser drops the very cookies it holds."""
    for name in (SESSION_COOKIE, COMPAT_COOKIE):
        response.delete_cookie(name, **_cookie_attributes(call, name))


def _cookie_attributes(call: Call, name: str) -> dict[str, Any]:
    secure = call.request.scheme == "https"
    return {
        "path": _root(call) or "/",
        "httponly": True,
        "secure": secure,
        # Silent logins in an iframe need SameSite=None, which browsers allow only on Secure
        # cookies; over plain HTTP the page flow works with Lax.
        "samesite": ("None" if name == SESSION_COOKIE else None) if secure else "Lax",
    }


def _remembered(request: Request, connection: str) -> dict[str, str]:
    raw = request.cookies.get(_idp_cookie(connection), "")
    return dict(parse_qsl(raw))


def _idp_cookie(connection: str) -> str:
    return "fakeauth0_idp_" + "".join(c if c.isalnum() else "_" for c in connection)


def _root(call: Call) -> str:
    return call.request.script_root


def send_away(sent: SendUserTo) -> Response:
    """To a redirect Action's site."""
    return Response(status=302, headers={"Location": sent.location, "Cache-Control": "no-store"})


def _redirect(call: Call, path: str) -> Response:
    return Response(
        status=302, headers={"Location": _root(call) + path, "Cache-Control": "no-store"}
    )


def html_page(status: int, body: str, *, frame: bool = False) -> Response:
    headers = dict(_PAGE_HEADERS)
    if frame:
        # web_message answers run in the app's hidden iframe.
        del headers["X-Frame-Options"], headers["Content-Security-Policy"]
    return Response(body, status=status, mimetype="text/html", headers=headers)
