"""Logging out of the tenant: where ``/v2/logout`` and ``/oidc/logout`` may send the browser,
what an ``id_token_hint`` proves, and when the user must confirm (docs/auth0-behaviour.md#logout).

``/v2/logout`` asks for no proof: the session ends, then the browser goes to ``returnTo`` if the
client's Allowed Logout URLs (with ``client_id``) or the tenant's (without) name it, query string
and fragment ignored. ``/oidc/logout`` is OpenID Connect RP-Initiated Logout: an ``id_token_hint``
signed by this tenant names the client whose list applies, ``client_id`` and ``logout_hint`` must
agree with it, ``post_logout_redirect_uri`` must match an entry query string included, and a
request that does not prove it comes from the browser's own session waits for the user to
confirm. Every error is shown on Auth0's error page (:class:`~.authorization.PageError`): a
logout never redirects to a URL no list allows.

No HTTP here: the caller renders the redirect, the logged-out page, the confirmation page or the
error page, and ends the session; the caller holds the tenant lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .authorization import PageError
from .clients import Client
from .errors import OAuthMsg
from .redirects import logout_url_allowed
from .settings import TenantSettings
from .tokens import TokenAuthority, TokenRejected

#: Seconds the confirmation page's answer stays good (CHOICES.md "oidc/logout confirmation").
CONFIRMATION_LIFETIME = 600


@dataclass(frozen=True)
class OidcLogout:
    """A checked ``/oidc/logout`` request."""

    #: Where the browser goes once logged out, the app's ``state`` added; None: the
    #: logged-out page.
    redirect: str | None
    #: The token the confirmation page posts back; None: no confirmation needed, log out now.
    confirmation: str | None = None
    #: The application the logout is for, named on the confirmation page.
    client_name: str | None = None


def v2_return_to(
    params: Mapping[str, str], clients: Mapping[str, Client], settings: TenantSettings
) -> str | None:
    """Where ``/v2/logout`` sends the browser: ``returnTo`` as sent, once allowed; with
    ``client_id`` and no ``returnTo``, the client's first Allowed Logout URL; None: nowhere
    (the "OK" page). ``PageError`` for an unknown client or a ``returnTo`` no list allows
    (https://auth0.com/docs/api/authentication#logout)."""
    client_id = params.get("client_id") or None
    return_to = params.get("returnTo") or None
    if client_id is not None:
        allowed = logout_urls(_client(clients, client_id))
        if return_to is None:
            return _first(allowed)
    else:
        allowed = list(settings.allowed_logout_urls)
        if return_to is None:
            return None
    if not logout_url_allowed(return_to, allowed, match_query=False):
        raise PageError("invalid_request", OAuthMsg.RETURN_TO_NOT_ALLOWED.format(url=return_to))
    return return_to


def oidc_logout(
    params: Mapping[str, str],
    clients: Mapping[str, Client],
    settings: TenantSettings,
    tokens: TokenAuthority,
    session_sid: str | None,
) -> OidcLogout:
    """Check an ``/oidc/logout`` request against the browser's live session ``session_sid``
    (https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0).

    Which list applies: the client of the hint's ``aud``, else of ``client_id``, else the
    tenant's. The user must confirm when no hint is sent, when the hint's ``sid`` is not the
    browser's live session, or when a ``logout_hint`` alone does not name it. ``PageError``
    when a hint is not this tenant's ID token, disagrees with ``client_id`` or ``logout_hint``,
    or ``post_logout_redirect_uri`` is not allowed.
    """
    hint = params.get("id_token_hint") or None
    logout_hint = params.get("logout_hint") or None
    client_id = params.get("client_id") or None
    client = _client(clients, client_id) if client_id is not None else None
    if hint is not None:
        claims = hint_claims(hint, clients, tokens)
        if client_id is not None and client_id != claims["aud"]:
            raise PageError("invalid_request", OAuthMsg.HINT_CLIENT_MISMATCH)
        sid = claims.get("sid")
        if logout_hint is not None and logout_hint != sid:
            raise PageError("invalid_request", OAuthMsg.HINT_SID_MISMATCH)
        client = clients[claims["aud"]]
        # With no live session there is nothing a forged request could end (CHOICES.md).
        confirm = session_sid is not None and sid != session_sid
    else:
        confirm = logout_hint is None or logout_hint != session_sid
    allowed = logout_urls(client) if client is not None else list(settings.allowed_logout_urls)
    wanted = params.get("post_logout_redirect_uri") or None
    if wanted is None:
        redirect = _first(allowed) if client_id is not None else None
    elif logout_url_allowed(wanted, allowed, match_query=True):
        redirect = wanted
    else:
        raise PageError("invalid_request", OAuthMsg.POST_LOGOUT_NOT_ALLOWED.format(url=wanted))
    state = params.get("state")
    if redirect is not None and state:
        redirect = _with_state(redirect, state)
    return OidcLogout(
        redirect,
        confirmation_token(tokens, redirect, session_sid) if confirm else None,
        client.name if client is not None else None,
    )


def hint_claims(hint: str, clients: Mapping[str, Client], tokens: TokenAuthority) -> dict[str, Any]:
    """The claims of an ``id_token_hint``: signed by this tenant, its issuer, for one of its
    clients, else ``PageError``. Its expiry is not checked: an ID token is a hint of who logs
    out, often expired by then, and the OP "SHOULD accept ID Tokens ... even when the exp time
    has passed" (OpenID Connect RP-Initiated Logout 1.0 section 2,
    https://openid.net/specs/openid-connect-rpinitiated-1_0.html)."""
    invalid = PageError("invalid_request", OAuthMsg.INVALID_ID_TOKEN_HINT)
    try:
        claims = tokens.signed_claims(hint)
    except TokenRejected:
        raise invalid from None
    aud = claims.get("aud")
    # An ID token's audience is one client id; an access token names an API.
    if claims.get("iss") != tokens.issuer or not isinstance(aud, str) or aud not in clients:
        raise invalid
    if not isinstance(claims.get("sub"), str):
        raise invalid
    return claims


def confirmation_token(
    tokens: TokenAuthority, redirect: str | None, session_sid: str | None
) -> str:
    """What the confirmation page posts back: signed by the tenant, bound to the browser's
    session and to the already checked ``redirect``, so another site cannot make a browser
    confirm a logout it never saw (the page is never framed either)."""
    now = int(tokens.clock.time())
    return tokens.key.sign(
        {
            "iss": tokens.issuer,
            "aud": _confirmation_audience(tokens),
            "sid": session_sid,
            "redirect": redirect,
            "iat": now,
            "exp": now + CONFIRMATION_LIFETIME,
        }
    )


def confirmed_redirect(
    tokens: TokenAuthority, token: str | None, session_sid: str | None
) -> str | None:
    """The redirect of a confirmed logout; ``PageError`` if ``token`` is not a live
    confirmation of this tenant for the browser's session ``session_sid``."""
    invalid = PageError("invalid_request", OAuthMsg.LOGOUT_CONFIRMATION_INVALID)
    try:
        claims = tokens.signed_claims(token or "")
    except TokenRejected:
        raise invalid from None
    exp = claims.get("exp")
    if (
        claims.get("iss") != tokens.issuer
        or claims.get("aud") != _confirmation_audience(tokens)
        or claims.get("sid") != session_sid
        or not isinstance(exp, int)
        or tokens.clock.time() >= exp
    ):
        raise invalid
    redirect = claims.get("redirect")
    return redirect if isinstance(redirect, str) else None


def logout_urls(client: Client) -> list[str]:
    """The client's Allowed Logout URLs, in order."""
    value = client.settings.get("allowed_logout_urls")
    return [url for url in value if isinstance(url, str)] if isinstance(value, list) else []


def _client(clients: Mapping[str, Client], client_id: str) -> Client:
    client = clients.get(client_id)
    if client is None:
        raise PageError("invalid_request", OAuthMsg.UNKNOWN_CLIENT.format(client_id=client_id))
    return client


def _first(allowed: Iterable[str]) -> str | None:
    """The first Allowed Logout URL, when it is itself a place to go: a wildcard entry or one
    that is not a clean URL is no address (CHOICES.md "logout without returnTo")."""
    first = next(iter(allowed), None)
    if first is None or not logout_url_allowed(first, [first], match_query=True):
        return None
    return first


def _with_state(url: str, state: str) -> str:
    """``url`` with ``state`` added to its query string, before any fragment."""
    base, hash_sign, fragment = url.partition("#")
    separator = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return base + separator + urlencode({"state": state}) + hash_sign + fragment


def _confirmation_audience(tokens: TokenAuthority) -> str:
    """Not a client id, so a confirmation is never taken for an ID token, nor the reverse."""
    return f"{tokens.issuer}oidc/logout"
