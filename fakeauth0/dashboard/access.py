"""Signing a browser in to the dashboard when the server has a control token.

A browser cannot send ``X-Fake-Control-Token``, so with ``serve --control-token`` the dashboard
offers a sign-in form: the right token sets a session cookie. The cookie holds an HMAC of the
token (never the token), is ``HttpOnly`` and ``SameSite=Strict``, and opens only the dashboard's
own pages: the JSON control plane still wants the token in a header, so a cookie riding on a
request from elsewhere can reach nothing but pages whose forms check their CSRF token anyway.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING

from . import BASE

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.wrappers import Response

    from ..tenant import Tenant
    from .routes import Page

#: The session cookie's name.
COOKIE = "fakeauth0_dashboard"
SIGNIN = BASE + "/signin"
#: The sign-in route's endpoint in the route table (``dashboard/__init__.py``).
SIGNIN_ENDPOINT = "fake_dashboard_signin"
#: What the HMAC of the control token signs: a session for these pages, nothing else.
_PURPOSE = b"fakeauth0 dashboard session v1"


def session_value(control_token: str) -> str:
    """The cookie value for ``control_token``: it proves the token was known, and reveals
    nothing of it (a server restarted with the same token keeps its sessions)."""
    key = control_token.encode("utf-8", "surrogateescape")
    return hmac.new(key, _PURPOSE, hashlib.sha256).hexdigest()


def has_session(environ: WSGIEnvironment, control_token: str) -> bool:
    """True when the request carries this server's dashboard session cookie."""
    raw = environ.get("HTTP_COOKIE")
    if not raw or COOKIE not in raw:
        return False
    try:
        jar = SimpleCookie(raw)
    except Exception:  # a malformed Cookie header is no session, never an error page
        return False
    morsel = jar.get(COOKIE)
    if morsel is None:
        return False
    return hmac.compare_digest(morsel.value.encode(), session_value(control_token).encode())


def answer(
    tenant: Tenant,
    environ: WSGIEnvironment,
    start_response: StartResponse,
    control_token: str,
) -> Iterable[bytes]:
    """A dashboard request without a session: the sign-in page (and its form), or a way to it."""
    from ..http.bodies import FakeRequest
    from . import routes

    request = FakeRequest(environ)  # the sign-in form is read within Auth0's body limit
    environ.pop(routes.REGISTRY_KEY, None)  # no tenant list before signing in
    page = routes.Page(tenant, request)
    if request.path != SIGNIN:
        if request.method in ("GET", "HEAD"):
            response = page.redirect(f"{page.base}/signin")
        else:
            response = _signin_page(page, 401, "Sign in first: this server has a control token.")
        return response(environ, start_response)
    if request.method in ("GET", "HEAD"):
        return _signin_page(page)(environ, start_response)
    if request.method != "POST":
        response = _signin_page(page, 405, "Use the form to sign in.")
        response.headers["Allow"] = "GET, HEAD, POST"
        return response(environ, start_response)
    if routes.cross_site(tenant, request, routes.SIGNIN):
        return page.forbidden()(environ, start_response)
    given = request.form.get("token", "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, control_token.encode("utf-8", "surrogateescape")):
        return _signin_page(page, 401, "That is not this server's control token.")(
            environ, start_response
        )
    response = page.redirect(page.base)
    response.set_cookie(
        COOKIE,
        session_value(control_token),
        path="/",  # also under /_tenants/<domain>/: one sign-in for every tenant served
        httponly=True,
        samesite="Strict",
        secure=request.scheme == "https",
    )
    return response(environ, start_response)


def _signin_page(page: Page, status: int = 200, error: str | None = None) -> Response:
    from . import routes

    return page.render("signin.html", status, error=error, csrf_purpose=routes.SIGNIN)
