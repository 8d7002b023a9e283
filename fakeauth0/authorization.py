"""``/authorize`` as Auth0 reads it: which client, where the answer goes, what was asked, and
whether the user must see the login page (docs/auth0-behaviour.md#authorize).

The order matters: the client first, then the ``redirect_uri`` against its callbacks. Until both
hold, an error is shown on Auth0's error page and nothing is redirected; after, every error goes
to the callback in the response mode, with the app's ``state``. No HTTP here: the caller renders
a :class:`Delivery` as a redirect, a ``form_post`` page or a ``web_message`` page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .apis import ResourceServer, by_identifier
from .clients import Client
from .connections import Connection
from .errors import OAuthMsg, SignupError, SignupMsg
from .grants import TokenDesk, granted_scopes, issue_tokens
from .redirects import callback_allowed, origin_allowed, origin_of
from .sessions import Grant, Session
from .settings import TenantSettings

#: The response types Auth0 serves, as sets of their words (OIDC Core 3 and OAuth 2.0
#: Multiple Response Types: the words may come in any order).
RESPONSE_TYPES = frozenset(
    frozenset(words)
    for words in (
        ("code",),
        ("token",),
        ("id_token",),
        ("id_token", "token"),
        ("code", "id_token"),
        ("code", "token"),
        ("code", "id_token", "token"),
    )
)
RESPONSE_MODES = ("query", "fragment", "form_post", "web_message")
CHALLENGE_METHODS = ("S256", "plain")
PROMPTS = ("none", "login", "consent", "select_account")


class PageError(Exception):
    """An error shown on Auth0's error page: no trustworthy callback to send it to."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class SendUserTo(Exception):
    """The browser goes to ``location``: a redirect Action suspended the login there
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class CallbackError(Exception):
    """An error delivered to the callback, in the response mode, with the app's ``state``;
    ``delivery`` is set once the callback is known."""

    def __init__(self, error: str, description: str, delivery: Delivery | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.delivery = delivery


@dataclass(frozen=True)
class AuthorizeRequest:
    """An ``/authorize`` request that passed the client and callback checks."""

    client_id: str
    redirect_uri: str
    response_mode: str
    state: str | None
    response_type: frozenset[str] = frozenset({"code"})
    scopes: tuple[str, ...] = ()
    audience: str | None = None
    nonce: str | None = None
    connection: str | None = None
    prompt: frozenset[str] = frozenset()
    screen_hint: str | None = None
    login_hint: str | None = None
    max_age: int | None = None
    ui_locales: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    #: Whether the request named its ``redirect_uri``: only then must the code's exchange send
    #: the same one (RFC 6749 section 4.1.3).
    redirect_uri_sent: bool = True
    #: The organization the login goes through (its id), its name when the tenant puts names
    #: in tokens, and the invitation ticket being accepted.
    organization: str | None = None
    organization_name: str | None = None
    invitation: str | None = None
    #: ``acr_values`` as sent (space-separated), and every parameter of the request as sent:
    #: the post-login event shows them (``event.transaction.acr_values``,
    #: ``event.request.query``).
    acr_values: str | None = None
    query: tuple[tuple[str, str], ...] = ()

    @property
    def implicit(self) -> bool:
        return "code" not in self.response_type

    def to_json(self) -> dict[str, Any]:
        """The transaction's record (what the login page carries through its ``state``)."""
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_mode": self.response_mode,
            "state": self.state,
            "response_type": sorted(self.response_type),
            "scopes": list(self.scopes),
            "audience": self.audience,
            "nonce": self.nonce,
            "connection": self.connection,
            "prompt": sorted(self.prompt),
            "screen_hint": self.screen_hint,
            "login_hint": self.login_hint,
            "max_age": self.max_age,
            "ui_locales": self.ui_locales,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "redirect_uri_sent": self.redirect_uri_sent,
            "organization": self.organization,
            "organization_name": self.organization_name,
            "invitation": self.invitation,
            "acr_values": self.acr_values,
            "query": dict(self.query),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuthorizeRequest:
        values = dict(data)
        values["response_type"] = frozenset(values["response_type"])
        values["prompt"] = frozenset(values["prompt"])
        values["scopes"] = tuple(values["scopes"])
        values["query"] = tuple((values.get("query") or {}).items())
        return cls(**values)


@dataclass(frozen=True)
class Delivery:
    """Where and how an answer goes: ``params`` to ``redirect_uri`` in ``response_mode``."""

    redirect_uri: str
    response_mode: str
    params: dict[str, str]

    @property
    def origin(self) -> str:
        return origin_of(self.redirect_uri)


def read_client(params: Mapping[str, str], clients: Mapping[str, Client]) -> tuple[Client, str]:
    """The client and its checked callback, or :class:`PageError` (nothing may be redirected).

    Without ``redirect_uri``, the client's first callback (CHOICES.md "authorize without
    redirect_uri").
    """
    client_id = params.get("client_id")
    if not client_id:
        raise PageError("invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="client_id"))
    client = clients.get(client_id)
    if client is None:
        raise PageError("invalid_request", OAuthMsg.UNKNOWN_CLIENT.format(client_id=client_id))
    callbacks = _strings(client.settings.get("callbacks"))
    redirect_uri = params.get("redirect_uri")
    if redirect_uri is None:
        if not callbacks or "*" in callbacks[0]:
            raise PageError(
                "invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="redirect_uri")
            )
        redirect_uri = callbacks[0]
    if not callback_allowed(redirect_uri, callbacks):
        raise PageError("invalid_request", OAuthMsg.CALLBACK_MISMATCH.format(url=redirect_uri))
    return client, redirect_uri


def read_request(
    params: Mapping[str, str],
    clients: Mapping[str, Client],
    connections: Mapping[str, Connection],
    resource_servers: Mapping[str, ResourceServer],
    settings: TenantSettings,
) -> AuthorizeRequest:
    """Check an ``/authorize`` request as Auth0 does. :class:`PageError` before the callback is
    trusted; :class:`CallbackError` after, carried with the delivery it should use
    (``error.delivery``)."""
    client, redirect_uri = read_client(params, clients)
    words = frozenset((params.get("response_type") or "").split())
    mode = params.get("response_mode")
    default_mode = "query" if words == {"code"} or not words else "fragment"
    if mode == "web_message" and not origin_allowed(
        origin_of(redirect_uri), _strings(client.settings.get("web_origins"))
    ):
        # The page would post the answer to an origin the client never named.
        raise PageError(
            "invalid_request",
            OAuthMsg.WEB_ORIGIN_NOT_ALLOWED.format(origin=origin_of(redirect_uri)),
        )
    unknown_mode = None
    if mode is None:
        mode = default_mode
    elif mode not in RESPONSE_MODES:
        unknown_mode, mode = mode, default_mode

    def refuse(error: str, description: str) -> CallbackError:
        answer = {"error": error, "error_description": description}
        if params.get("state") is not None:
            answer["state"] = params["state"]
        return CallbackError(error, description, Delivery(redirect_uri, mode, answer))

    if unknown_mode is not None:
        raise refuse(
            "invalid_request", OAuthMsg.UNSUPPORTED_RESPONSE_MODE.format(response_mode=unknown_mode)
        )
    if not words:
        raise refuse("invalid_request", OAuthMsg.MISSING_PARAMETER.format(name="response_type"))
    if words not in RESPONSE_TYPES:
        raise refuse(
            "unsupported_response_type",
            OAuthMsg.UNSUPPORTED_RESPONSE_TYPE.format(response_type=params["response_type"]),
        )
    needed = []
    if "code" in words:
        needed.append("authorization_code")
    if words & {"token", "id_token"}:
        needed.append("implicit")
    for grant in needed:
        if grant not in client.grant_types:
            raise refuse("unauthorized_client", OAuthMsg.GRANT_NOT_ALLOWED.format(grant_type=grant))
    nonce = params.get("nonce")
    if "id_token" in words and not nonce:
        raise refuse("invalid_request", OAuthMsg.NONCE_REQUIRED)
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if challenge is not None:
        method = method or "plain"
        if method not in CHALLENGE_METHODS:
            raise refuse("invalid_request", OAuthMsg.BAD_CHALLENGE_METHOD.format(method=method))
    prompt = frozenset((params.get("prompt") or "").split())
    unknown_prompt = sorted(prompt - set(PROMPTS))
    if unknown_prompt:
        raise refuse("invalid_request", OAuthMsg.BAD_PROMPT.format(prompt=unknown_prompt[0]))
    max_age = params.get("max_age")
    age: int | None = None
    if max_age is not None:
        if not max_age.isdigit() or len(max_age) > 12:
            raise refuse("invalid_request", OAuthMsg.BAD_MAX_AGE)
        age = int(max_age)
    audience = params.get("audience") or settings.default_audience or None
    if audience is not None and by_identifier(resource_servers, audience) is None:
        raise refuse("access_denied", OAuthMsg.SERVICE_NOT_FOUND.format(audience=audience))
    connection = params.get("connection") or None
    if connection is not None:
        found = connections.get(connection)
        if found is None:
            raise refuse("invalid_request", OAuthMsg.UNKNOWN_CONNECTION)
        if client.client_id not in found.enabled_clients:
            raise refuse("invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED)
    return AuthorizeRequest(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        response_mode=mode,
        state=params.get("state"),
        response_type=words,
        scopes=tuple(dict.fromkeys((params.get("scope") or "").split())),
        audience=audience,
        nonce=nonce,
        connection=connection,
        prompt=prompt,
        screen_hint=params.get("screen_hint"),
        login_hint=params.get("login_hint"),
        max_age=age,
        ui_locales=params.get("ui_locales"),
        code_challenge=challenge,
        code_challenge_method=method if challenge is not None else None,
        redirect_uri_sent=params.get("redirect_uri") is not None,
        acr_values=params.get("acr_values"),
        query=tuple((str(k), str(v)) for k, v in params.items()),
    )


def needs_login(request: AuthorizeRequest, session: Session | None, now: float) -> bool:
    """Whether the login page must show: no session, ``prompt=login``, or a session older
    than ``max_age`` (https://auth0.com/docs/authenticate/login/max-age-reauthentication)."""
    if session is None or "login" in request.prompt:
        return True
    return request.max_age is not None and now - session.auth_time > request.max_age


#: Callbacks Auth0 cannot verify as the application's own: consent is always asked there.
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def needs_consent(
    request: AuthorizeRequest,
    client: Client,
    api: ResourceServer | None,
    scopes: tuple[str, ...],
    consented: bool,
) -> bool:
    """Whether the user must be asked: ``prompt=consent``; else, unless they already agreed to
    these scopes, always for a third-party client, and for a first-party one asking for an API
    unless the API skips consent for verifiable first-party clients and the callback is not on
    the local machine (https://auth0.com/docs/get-started/applications/confidential-and-public-applications/user-consent-and-third-party-applications)."""
    if "consent" in request.prompt:
        return True
    if consented:
        return False
    if not client.is_first_party:
        return True
    if api is None:
        return False
    host = request.redirect_uri.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    verifiable = request.redirect_uri.startswith(("https://", "http://")) and (
        host.lower() not in _LOCAL_HOSTS
    )
    return not (api.skip_consent_for_verifiable_first_party_clients and verifiable)


def silent_failure(request: AuthorizeRequest) -> CallbackError:
    """``prompt=none`` with no usable session: ``login_required``, in the response mode
    (https://auth0.com/docs/authenticate/login/configure-silent-authentication)."""
    return refused(request, "login_required", OAuthMsg.LOGIN_REQUIRED)


def refused(request: AuthorizeRequest, error: str, description: str) -> CallbackError:
    """An error to deliver to ``request``'s callback."""
    params = {"error": error, "error_description": description}
    if request.state is not None:
        params["state"] = request.state
    delivery = Delivery(request.redirect_uri, request.response_mode, params)
    return CallbackError(error, description, delivery)


def complete(
    desk: TokenDesk, client: Client, request: AuthorizeRequest, session: Session
) -> Delivery:
    """The answer of a successful ``/authorize``: a code, tokens, or both, for the session's
    user, to the callback."""
    scopes = granted_scopes(desk, client, request.scopes, request.audience)
    grant = Grant(
        client_id=client.client_id,
        user_id=session.user_id,
        scopes=scopes,
        audience=request.audience,
        nonce=request.nonce,
        sid=session.sid,
        auth_time=int(session.auth_time),
        with_auth_time=request.max_age is not None or "login" in request.prompt,
        org_id=request.organization,
        org_name=request.organization_name,
        changes=session.changes,
    )
    params: dict[str, str] = {}
    code = None
    if "code" in request.response_type:
        code = desk.sessions.issue_code(
            grant,
            request.redirect_uri if request.redirect_uri_sent else None,
            request.code_challenge,
            request.code_challenge_method,
        )
        params["code"] = code
    if request.response_type & {"token", "id_token"}:
        tokens = issue_tokens(
            desk,
            client,
            grant,
            access_token="token" in request.response_type,
            id_token="id_token" in request.response_type,
            code=code,
            web=True,
        )
        for name in ("access_token", "id_token", "token_type"):
            if name in tokens:
                params[name] = tokens[name]
        if "expires_in" in tokens:
            params["expires_in"] = str(tokens["expires_in"])
        if "access_token" in tokens:
            params["scope"] = tokens["scope"]
    session.clients.add(client.client_id)
    if request.state is not None:
        params["state"] = request.state
    return Delivery(request.redirect_uri, request.response_mode, params)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class ShowPage:
    """The login page must show: ``screen`` (``login`` or ``signup``) of transaction ``handle``."""

    handle: str
    screen: str


@dataclass(frozen=True)
class LoginScreen:
    """What the login page shows for one transaction."""

    handle: str
    client_name: str
    #: The database connection the form logs into, if the client has one.
    database: Connection | None
    #: Social, enterprise and passwordless connections: one button each.
    buttons: tuple[Connection, ...]
    login_hint: str | None


class LoginPageError(Exception):
    """A refused login the page shows itself, with the key and text of Auth0's New Universal
    Login (https://auth0.com/docs/customize/login-pages/universal-login/customize-text-elements)."""

    def __init__(
        self,
        code: str,
        text: str,
        field: str = "password",
        rules: tuple[dict[str, Any], ...] = (),
    ) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.field = field
        #: A refused password: the policy's rules, each with ``text`` and ``verified``.
        self.rules = rules


#: The page's own wording, which differs from the token endpoint's.
PAGE_TEXTS = {
    "wrong-email-credentials": "Wrong email or password",
    "wrong-credentials": "Wrong username or password",
    "no-email": "Please enter an email address",
    "no-username": "Username is required",
    "no-password": "Password is required",
    "user-blocked": "Your account has been blocked after multiple consecutive login attempts.",
    "invalid-state": "The login session expired or is not valid. Start the login again.",
    "email-in-use": "The user already exists.",
    "username-taken": "The username provided is in use already.",
    "password-too-weak": "The password is too weak",
    "email-invalid": "Email is not valid.",
    "username-invalid": "Username is not valid.",
    "consent-declined": "User did not authorize the request",
    "invalid-code": "The code you entered is invalid",
}


def screen_for(request: AuthorizeRequest) -> str:
    """``screen_hint=signup`` opens the sign-up screen, else the login screen
    (https://auth0.com/docs/authenticate/login/auth0-universal-login/universal-login-vs-classic-login/universal-experience)."""
    return "signup" if request.screen_hint == "signup" else "login"


def login_connections(
    request: AuthorizeRequest, connections: Mapping[str, Connection]
) -> tuple[Connection | None, tuple[Connection, ...]]:
    """The database connection the page's form uses and the other connections shown as
    buttons: those enabled for the client, or only the one ``connection`` names."""
    enabled = [c for c in connections.values() if request.client_id in c.enabled_clients]
    if request.connection is not None:
        enabled = [c for c in enabled if c.name == request.connection]
    database = next((c for c in enabled if c.is_database), None)
    return database, tuple(c for c in enabled if not c.is_database)


def page_error_for_login(error_description: str, database: Connection) -> LoginPageError:
    """The page's wording for wrong credentials (the token endpoint's ``error_description``)."""
    code = "wrong-credentials" if database.requires_username else "wrong-email-credentials"
    return LoginPageError(code, PAGE_TEXTS[code])


def page_error_for_signup(error: SignupError) -> LoginPageError:
    """The sign-up screen's wording for a refused sign-up (the keys of New Universal Login's
    ``signup`` texts)."""
    if error.code == "invalid_signup":
        code = "username-taken" if error.field == "username" else "email-in-use"
        return LoginPageError(code, PAGE_TEXTS[code], error.field or "email")
    if error.code == "invalid_password":
        description = error.description if isinstance(error.description, dict) else {}
        rules = tuple(_rule_text(rule) for rule in description.get("rules", ()))
        return LoginPageError(
            "password-too-weak", PAGE_TEXTS["password-too-weak"], "password", rules
        )
    if error.code == "extensibility_error":
        # A pre-user-registration Action's refusal: its userMessage, never its reason.
        text = error.user_message or SignupMsg.EXTENSIBILITY_PAGE
        return LoginPageError("custom-script-error-code_extensibility_error", text, "email")
    if error.code == "bad.username":
        return LoginPageError("username-invalid", PAGE_TEXTS["username-invalid"], "username")
    if error.code == "bad.password":
        return LoginPageError("no-password", PAGE_TEXTS["no-password"], "password")
    return LoginPageError("email-invalid", PAGE_TEXTS["email-invalid"], "email")


def _rule_text(rule: dict[str, Any]) -> dict[str, Any]:
    """One policy rule as the page lists it: Auth0's ``message`` with its ``format`` filled."""
    message = str(rule.get("message", ""))
    values = [v for v in rule.get("format", ()) if isinstance(v, int)]
    try:
        text = message % tuple(values) if values else message
    except (TypeError, ValueError):
        text = message
    return {"code": rule.get("code"), "text": text, "verified": bool(rule.get("verified"))}
