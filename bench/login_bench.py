"""Logins, in-process: fakeauth0's authorization code + PKCE flow and its programmatic login
beside two PyPI OIDC test providers, oidc-provider-mock and pytest-iam (Canaille), in one run.

Every provider is driven by the same client code (this module), as a test suite drives a login
through a provider's pages: the authorization URL built by hand (PKCE S256, state, nonce), one
``httpx.Client`` over ``httpx.WSGITransport`` into the provider's WSGI app (no socket, no
thread), a fresh cookie jar per login, every redirect followed until the redirect URI (never
requested), each HTML page's forms read with ``html.parser`` and the one asking for what the
user types submitted with its hidden fields, the code taken from the callback (state checked),
swapped at the token endpoint (``client_secret_basic`` and the PKCE verifier), and the ID token
checked with PyJWT: RS256 signature against the provider's JWKS (read once, untimed), ``iss``,
``aud``, ``exp``, ``iat``, ``nonce`` and ``sub``.

Each provider's WSGI app is wrapped in a stopwatch, so a login's time splits into the
provider's own (inside its app, body included) and the client's (httpx, page parsing, PKCE,
the ID token check). fakeauth0's own time is further split by request, and its parts (a page
render, a password check, one RS256 signature) are timed on their own in the same rounds.

The peers are optional: without them (``make bench`` installs them from
``bench/requirements.txt``) their rows read "peer not installed".
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from harness import Runner, loop

REDIRECT_URI = "https://app.example.test/callback"
SCOPE = "openid profile email"
USER_EMAIL = "alice@example.test"
USER_NAME = "alice"
PASSWORD = "correct horse battery staple 1A!"
API = "https://api.example.test/"

CODE = "login_code_pkce_inproc"
PROGRAMMATIC = "login_programmatic"
PART = "fakeauth0 part"

FAKE_CODE = f"{CODE}: fakeauth0, API audience (2 RS256 tokens)"
FAKE_CODE_OPAQUE = f"{CODE}: fakeauth0, no audience (opaque access token)"
MOCK_CODE = f"{CODE}: oidc-provider-mock"
IAM_CODE = f"{CODE}: pytest-iam"
FAKE_LOGIN_AS = f"{PROGRAMMATIC}: fakeauth0 tenant.login_as(email, audience=API)"
FAKE_LOGIN = f"{PROGRAMMATIC}: fakeauth0 tenant.login(connection, email=...)"
FAKE_LOGIN_ACTION = (
    f"{PROGRAMMATIC}: fakeauth0 tenant.login through one trivial post-login Action (warm worker)"
)
#: What one trivial post-login Action may add to a login, the worker warm.
ACTION_MS = 5.0
MOCK_PROGRAMMATIC = f"{PROGRAMMATIC}: oidc-provider-mock POST authorize + token"
IAM_PASSWORD = f"{PROGRAMMATIC}: pytest-iam password grant (no ID token)"
IAM_SHORTCUT = f"{PROGRAMMATIC}: pytest-iam iam_server.login() + authorize + token"
SIGN = f"{PART}: one RS256 signature (tokens.key.sign, small claims)"
RENDER = f"{PART}: login page render (login_screen + login.html)"
PASSWORD_CHECK = f"{PART}: password check"
VERIFY = "client part: ID token check (PyJWT RS256 + claims)"

#: Separates a row from one of its phases in a round's results (phases are in ms per login).
PHASE = " :: "
OWN = "provider's own"

#: The goals of the login benchmarks (issue 16), judged on same-run ratios.
FASTER = 10.0
PROGRAMMATIC_MS = 1.0


# -- the client: what a test suite does to log a user in ---------------------------------------


def pkce_pair() -> tuple[str, str]:
    """RFC 7636: a 64-character verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Authorization:
    """One authorization request: its URL and what the client keeps to finish the login."""

    def __init__(
        self, endpoint: str, client_id: str, scope: str, extra: dict[str, str] | None = None
    ) -> None:
        self.verifier, challenge = pkce_pair()
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **(extra or {}),
        }
        self.url = endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)

    def code(self, callback: str) -> str:
        query = parse_qs(urlsplit(callback).query)
        if "error" in query:
            raise LoginFailed(f"the provider answered {query}")
        if query.get("state") != [self.state]:
            raise LoginFailed(f"state {query.get('state')} is not {self.state}")
        return query["code"][0]


class LoginFailed(RuntimeError):
    pass


class Forms(HTMLParser):
    """The forms of a page: action, method, enctype, fields and submit buttons."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "enctype": (a.get("enctype") or "").lower(),
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("submit", "image"):
                self._open["buttons"].append(a)
            elif tag == "input":
                self._open["fields"].append(dict(a, type=kind))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None

    def pick(
        self, fill: dict[str, str], click: Iterable[str]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The form asking for a field in ``fill`` (else the one with a button in ``click``)
        and what a browser sends for it: every named field, the typed ones filled in,
        checkboxes only when checked, and the pressed button's name and value."""
        click = tuple(click)
        chosen: tuple[dict[str, Any], dict[str, str] | None] | None = None
        for form in self.forms:
            visible = {f.get("name") for f in form["fields"] if f["type"] != "hidden"}
            if visible & fill.keys():
                button = next((b for b in form["buttons"] if b.get("value") in click), None)
                chosen = (form, button or (form["buttons"] or [None])[0])
                break
        if chosen is None:
            for form in self.forms:
                button = next((b for b in form["buttons"] if b.get("value") in click), None)
                if button is not None:
                    chosen = (form, button)
                    break
        if chosen is None:
            raise LoginFailed(f"no form to fill among {len(self.forms)}")
        form, button = chosen
        sent: list[tuple[str, str]] = []
        for field in form["fields"]:
            name = field.get("name")
            if not name or "disabled" in field or field["type"] == "file":
                continue
            if field["type"] in ("checkbox", "radio"):
                if "checked" in field:
                    sent.append((name, field.get("value") or "on"))
            elif name in fill and field["type"] != "hidden":
                sent.append((name, fill[name]))
            else:
                sent.append((name, field.get("value", "")))
        if button is not None and button.get("name"):
            sent.append((button["name"], button.get("value", "")))
        return form, sent


class Stopwatch:
    """A WSGI app timed from call to its whole body: the provider's own time per request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.total = 0.0
        self.by_request: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        t0 = time.perf_counter()
        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        spent = time.perf_counter() - t0
        self.total += spent
        key = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"
        self.by_request[key] += spent
        self.calls[key] += 1
        return [body]


class IdTokenCheck:
    """What a relying party checks in an ID token, with the provider's JWKS read once."""

    def __init__(self, jwks: dict[str, Any], issuer: str, client_id: str) -> None:
        import jwt

        self.issuer, self.client_id = issuer, client_id
        self.keys: dict[str | None, Any] = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig":
                self.keys[jwk.get("kid")] = jwt.PyJWK(dict(jwk, alg="RS256")).key
        if not self.keys:
            raise LoginFailed("no RSA signing key in the JWKS")

    def __call__(self, token: str, nonce: str | None, sub: str) -> dict[str, Any]:
        import jwt

        kid = jwt.get_unverified_header(token).get("kid")
        key = self.keys.get(kid) or (next(iter(self.keys.values())) if kid is None else None)
        if key is None:
            raise LoginFailed(f"no key {kid!r} in the JWKS")
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=self.client_id,
            issuer=self.issuer,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
        if nonce is not None and claims.get("nonce") != nonce:
            raise LoginFailed("nonce mismatch")
        if claims["sub"] != sub:
            raise LoginFailed(f"sub {claims['sub']!r} is not {sub!r}")
        return claims


class Provider:
    """One provider as its client sees it: a WSGI app reached at ``base`` through httpx, a
    registered confidential client and a user; ``fill`` and ``click`` are what the user types
    into its pages and which buttons they press."""

    def __init__(
        self,
        app: Any,
        base: str,
        client_id: str,
        client_secret: str,
        sub: str,
        fill: dict[str, str],
        click: Iterable[str] = (),
        scope: str = SCOPE,
        extra: dict[str, str] | None = None,
    ) -> None:
        import httpx

        self.stopwatch = Stopwatch(app)
        self.http = httpx.Client(
            transport=httpx.WSGITransport(app=self.stopwatch), base_url=base, timeout=30
        )
        self.discovery = self.http.get(base + "/.well-known/openid-configuration").json()
        jwks = self.http.get(self.discovery["jwks_uri"]).json()
        self.client_id, self.client_secret, self.sub = client_id, client_secret, sub
        self.fill, self.click, self.scope, self.extra = fill, tuple(click), scope, extra
        self.check = IdTokenCheck(jwks, self.discovery["issuer"], client_id)
        self.host = urlsplit(base).hostname
        self.last: dict[str, Any] = {}

    def authorization(self) -> Authorization:
        return Authorization(
            self.discovery["authorization_endpoint"], self.client_id, self.scope, self.extra
        )

    def browse(self, url: str, trace: list[str] | None = None, max_steps: int = 12) -> str:
        """Follow the pages from ``url`` to the redirect URI, which is returned, not visited."""
        r = self.http.get(url)
        for _ in range(max_steps):
            if trace is not None:
                trace.append(f"{r.request.method} {r.url.path} -> {r.status_code}")
            if r.is_redirect:
                target = r.url.join(r.headers["location"])
                if str(target).startswith(REDIRECT_URI):
                    return str(target)
                if target.host != self.host:
                    raise LoginFailed(f"a redirect off the provider: {target}")
                r = self.http.get(target)
                continue
            if r.status_code != 200:
                raise LoginFailed(f"{r.request.method} {r.url.path} -> {r.status_code}")
            form, sent = Forms(r.text).pick(self.fill, self.click)
            action = r.url.join(form["action"]) if form["action"] else r.url
            if form["method"] == "get":
                r = self.http.get(action.copy_with(query=urlencode(sent).encode()))
            elif form["enctype"] == "multipart/form-data":
                r = self.http.post(action, files=[(k, (None, v)) for k, v in sent])
            else:
                r = self.http.post(action, content=urlencode(sent), headers=_FORM)
        raise LoginFailed("too many pages")

    def exchange(self, code: str, verifier: str) -> dict[str, Any]:
        r = self.http.post(
            self.discovery["token_endpoint"],
            auth=(self.client_id, self.client_secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
        )
        if r.status_code != 200:
            raise LoginFailed(f"token endpoint -> {r.status_code}: {r.text[:300]}")
        tokens: dict[str, Any] = r.json()
        return tokens

    def code_login(self, trace: list[str] | None = None) -> dict[str, float]:
        """The timed unit: pages, code, token exchange, ID token check. Phases in seconds."""
        t0 = time.perf_counter()
        server0 = self.stopwatch.total
        self.http.cookies.clear()
        auth = self.authorization()
        code = auth.code(self.browse(auth.url, trace))
        t1 = time.perf_counter()
        tokens = self.exchange(code, auth.verifier)
        t2 = time.perf_counter()
        self.check(tokens["id_token"], auth.nonce, self.sub)
        t3 = time.perf_counter()
        self.last = tokens
        return {
            "pages to code": t1 - t0,
            "token exchange": t2 - t1,
            "ID token check": t3 - t2,
            OWN: self.stopwatch.total - server0,
        }


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def login_runner(
    name: str,
    one: Callable[[], dict[str, float] | None],
    warmup: int = 1,
    count: int = 1_000_000,
    before: Callable[[], Any] | None = None,
    after: Callable[[], Any] | None = None,
) -> tuple[str, Runner]:
    """Logins in a bounded loop: logins per second, and each phase ``one`` reports in ms per
    login (``before`` and ``after`` run untimed around the loop)."""

    def run(max_s: float) -> dict[str, float]:
        if before is not None:
            before()
        try:
            for _ in range(warmup):
                one()
            phases: dict[str, float] = defaultdict(float)
            done = 0
            t0 = time.perf_counter()
            deadline = t0 + max_s
            while done < count:
                for phase, seconds in (one() or {}).items():
                    phases[phase] += seconds
                done += 1
                if time.perf_counter() > deadline:
                    break
            elapsed = time.perf_counter() - t0
        finally:
            if after is not None:
                after()
        out = {name + PHASE + k: v * 1e3 / done for k, v in phases.items()}
        out[name] = done / elapsed
        return out

    return name, run


# -- fakeauth0 -----------------------------------------------------------------------------------


class FakeLogins:
    """A tenant with a regular web app, an API and one database user, behind its WSGI app."""

    DOMAIN = "bench.auth0.com"

    def __init__(self) -> None:
        from fakeauth0 import Tenant, create_app

        self.tenant = Tenant(self.DOMAIN, seed=1)
        self.db = "Username-Password-Authentication"
        client = self.tenant.create_client_from(
            {"name": "Bench App", "app_type": "regular_web", "callbacks": [REDIRECT_URI]}
        )
        self.client_id = client.client_id
        self.tenant.create_resource_server(
            {
                "identifier": API,
                "name": "Bench API",
                "scopes": [{"value": "read:things", "description": "Read things"}],
                # A first-party app on a verifiable callback logs in without a consent screen.
                "skip_consent_for_verifiable_first_party_clients": True,
            }
        )
        self.user = self.tenant.create_user(
            {"connection": self.db, "email": USER_EMAIL, "password": PASSWORD, "name": "Alice"}
        )
        base = f"https://{self.DOMAIN}"
        fill = {"username": USER_EMAIL, "password": PASSWORD}
        app = create_app(self.tenant)
        self.api = Provider(
            app,
            base,
            client.client_id,
            client.client_secret,
            self.user.user_id,
            fill,
            scope=f"{SCOPE} read:things",
            extra={"audience": API},
        )
        self.opaque = Provider(
            app, base, client.client_id, client.client_secret, self.user.user_id, fill
        )

    def login_as(self) -> None:
        result = self.tenant.login_as(
            USER_EMAIL, client_id=self.client_id, audience=API, scope=f"{SCOPE} read:things"
        )
        assert result.tokens is not None and "access_token" in result.tokens

    def login(self) -> None:
        assert self.tenant.login(self.db, email=USER_EMAIL).id_token

    def parts(self) -> list[tuple[str, Runner]]:
        """fakeauth0's own pieces of a login, each on its own."""
        from fakeauth0 import pages
        from fakeauth0.users import password_matches

        tenant = self.tenant
        claims = {
            "iss": tenant.tokens.issuer,
            "sub": self.user.user_id,
            "aud": self.client_id,
            "iat": 1_700_000_000,
            "exp": 1_700_036_000,
        }
        page = tenant.authorize(
            {
                "client_id": self.client_id,
                "redirect_uri": REDIRECT_URI,
                "response_type": "code",
                "scope": SCOPE,
                "state": "s",
            },
            None,
        )
        handle = page.handle  # type: ignore[union-attr]

        def render(_i: int) -> None:
            screen = tenant.login_screen(handle)
            pages.render(
                "login.html",
                domain=tenant.domain,
                client_name=screen.client_name,
                handle=screen.handle,
                database=screen.database,
                buttons=screen.buttons,
                error=None,
                username="",
                signup_url=None,
            )

        stored = self.user.password_hash

        def check_password(_i: int) -> None:
            assert password_matches(stored, PASSWORD)

        id_token = self.opaque.last.get("id_token") or self._id_token()
        verify = self.opaque.check

        return [
            loop(SIGN, lambda i: tenant.tokens.key.sign(claims)),
            loop(RENDER, render),
            loop(PASSWORD_CHECK, check_password),
            loop(VERIFY, lambda i: verify(id_token, None, self.user.user_id)),
        ]

    def _id_token(self) -> str:
        self.opaque.code_login()
        return str(self.opaque.last["id_token"])


# -- the peers -------------------------------------------------------------------------------


def _quiet() -> None:
    """Authlib turns its deprecation warnings on when imported; both peers trigger them."""
    import logging
    import warnings

    try:
        from authlib.deprecate import AuthlibDeprecationWarning

        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    except ImportError:
        pass
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("oidc_provider_mock").setLevel(logging.ERROR)


def peer_status() -> dict[str, str]:
    """Which peers this interpreter can run: "installed", or why not."""
    out = {}
    _quiet()
    for name, module in (
        ("oidc-provider-mock", "oidc_provider_mock"),
        ("pytest-iam", "pytest_iam"),
    ):
        try:
            __import__(module)
            out[name] = "installed"
        except ImportError:
            out[name] = "peer not installed"
    return out


class MockLogins:
    """oidc-provider-mock's Flask app as it ships (debug mode, werkzeug's debugger around it),
    with client registration and nonces required; the client registered by dynamic
    registration, the user by ``PUT /users/<sub>``. Its only page asks for a ``sub``."""

    BASE = "http://localhost"

    def __init__(self) -> None:
        import httpx

        _quiet()
        import oidc_provider_mock

        app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=self.BASE) as setup:
            r = setup.post(
                "/oauth2/clients",
                json={
                    "redirect_uris": [REDIRECT_URI],
                    "token_endpoint_auth_method": "client_secret_basic",
                },
            )
            assert r.status_code == 201, r.text
            registered = r.json()
            r = setup.put(
                f"/users/{USER_EMAIL}",
                json={"email": USER_EMAIL, "email_verified": True, "name": "Alice Example"},
            )
            assert r.status_code == 204, r.text
        self.provider = Provider(
            app,
            self.BASE,
            registered["client_id"],
            registered["client_secret"],
            USER_EMAIL,
            fill={"sub": USER_EMAIL},
        )

    def programmatic(self) -> dict[str, float]:
        """The peer's documented shortcut: POST the subject to the authorization URL (no
        page), then the token exchange and the ID token check."""
        p = self.provider
        server0 = p.stopwatch.total
        auth = p.authorization()
        r = p.http.post(auth.url, content=urlencode({"sub": USER_EMAIL}), headers=_FORM)
        if not r.is_redirect:
            raise LoginFailed(f"POST authorize -> {r.status_code}")
        tokens = p.exchange(auth.code(r.headers["location"]), auth.verifier)
        p.check(tokens["id_token"], auth.nonce, USER_EMAIL)
        return {OWN: p.stopwatch.total - server0}


class IamLogins:
    """pytest-iam's provider as its ``iam_server`` fixture builds it (its configuration: the
    memory backend, CSRF off, a fresh RSA-2048 key; ``canaille.create_app``;
    ``pytest_iam.Server``), requests made outside any app context. The user and a
    confidential client are saved through the backend; the client carries ``audience`` and
    ``id_token_signed_response_alg=RS256`` (without them Canaille's ID tokens have an empty
    ``aud`` and are signed RS512). Login pages: user name, then password; the consent given in
    the first (untimed) login is remembered."""

    def __init__(self) -> None:
        _quiet()
        import pytest_iam
        from canaille import create_app
        from canaille.backends import Backend
        from harness import free_port

        port = free_port()
        fixture = pytest_iam.iam_configuration
        configure = getattr(fixture, "_get_wrapped_function", None)
        make_config = configure() if configure else fixture.__wrapped__  # type: ignore[attr-defined]
        config = make_config(None, port)
        app = create_app(config=config, env_file=".pytest-iam.env", env_prefix="PYTEST_IAM_")
        self.server = pytest_iam.Server(app, port, Backend.instance)
        self.server.httpd.server_close()  # requests go through WSGITransport, not this socket
        models, backend = self.server.models, self.server.backend
        with app.app_context():
            self.user = models.User(
                user_name=USER_NAME,
                given_name="Alice",
                family_name="Example",
                formatted_name="Alice Example",
                emails=[USER_EMAIL],
                password=PASSWORD,
            )
            backend.save(self.user)
            self.client = models.Client(
                client_id="bench-client",
                client_secret="bench-secret",
                client_name="Bench App",
                client_uri="https://app.example.test",
                redirect_uris=[REDIRECT_URI],
                grant_types=["authorization_code", "refresh_token", "password"],
                response_types=["code"],
                token_endpoint_auth_method="client_secret_basic",
                scope=["openid", "profile", "email"],
                id_token_signed_response_alg="RS256",
            )
            backend.save(self.client)
            self.client.audience = [self.client]
            backend.save(self.client)
        self.provider = Provider(
            app,
            f"http://localhost:{port}",
            "bench-client",
            "bench-secret",
            USER_NAME,
            fill={"login": USER_NAME, "password": PASSWORD},
            click=("accept",),
        )

    def password_grant(self) -> dict[str, float]:
        p = self.provider
        server0 = p.stopwatch.total
        r = p.http.post(
            p.discovery["token_endpoint"],
            auth=(p.client_id, p.client_secret),
            data={
                "grant_type": "password",
                "username": USER_NAME,
                "password": PASSWORD,
                "scope": SCOPE,
            },
        )
        if r.status_code != 200 or "access_token" not in r.json():
            raise LoginFailed(f"password grant -> {r.status_code}: {r.text[:300]}")
        return {OWN: p.stopwatch.total - server0}

    def shortcut(self) -> dict[str, float]:
        """pytest-iam's fast path (``iam_server.login(user)`` around the loop): the
        authorization URL answers with the code at once; then token and ID token check."""
        p = self.provider
        server0 = p.stopwatch.total
        p.http.cookies.clear()
        auth = p.authorization()
        r = p.http.get(auth.url)
        if not r.is_redirect:
            raise LoginFailed(f"GET authorize -> {r.status_code}")
        tokens = p.exchange(auth.code(r.headers["location"]), auth.verifier)
        p.check(tokens["id_token"], auth.nonce, USER_NAME)
        return {OWN: p.stopwatch.total - server0}


# -- the section ---------------------------------------------------------------------------------


def runners(with_peers: bool = True) -> tuple[list[tuple[str, Runner]], dict[str, Any]]:
    """Every login row, set up once (untimed); notes say what was measured and what not."""
    notes: dict[str, Any] = {}
    fake = FakeLogins()
    trace: list[str] = []
    fake.api.code_login(trace)
    notes["fakeauth0 trace"] = trace
    out = [
        login_runner(FAKE_CODE, fake.api.code_login),
        login_runner(FAKE_CODE_OPAQUE, fake.opaque.code_login),
        loop(FAKE_LOGIN_AS, lambda i: fake.login_as()),
        loop(FAKE_LOGIN, lambda i: fake.login()),
        *fake.parts(),
    ]
    import shutil

    if shutil.which("node") is not None:
        acting = FakeLogins()
        acting.tenant.add_action("exports.onExecutePostLogin = async (event, api) => {};")
        acting.login()  # starts the node worker, untimed
        out.append(loop(FAKE_LOGIN_ACTION, lambda i: acting.login()))
    notes["node"] = "found" if shutil.which("node") else "not found: no Action row"
    notes["fakeauth0 stopwatch"] = fake.api.stopwatch
    status = (
        peer_status()
        if with_peers
        else dict.fromkeys(("oidc-provider-mock", "pytest-iam"), "not asked")
    )
    notes["peers"] = status
    if status["oidc-provider-mock"] == "installed":
        mock = MockLogins()
        trace = []
        mock.provider.code_login(trace)
        notes["oidc-provider-mock trace"] = trace
        out.append(login_runner(MOCK_CODE, mock.provider.code_login))
        out.append(login_runner(MOCK_PROGRAMMATIC, mock.programmatic))
    if status["pytest-iam"] == "installed":
        iam = IamLogins()
        trace = []
        iam.provider.code_login(trace)  # the first login gives the consent, remembered after
        notes["pytest-iam first login trace"] = trace
        trace = []
        iam.provider.code_login(trace)
        notes["pytest-iam trace"] = trace
        out.append(login_runner(IAM_CODE, iam.provider.code_login))
        out.append(login_runner(IAM_PASSWORD, iam.password_grant))
        out.append(
            login_runner(
                IAM_SHORTCUT,
                iam.shortcut,
                before=lambda: iam.server.login(iam.user),
                after=iam.server.logout,
            )
        )
    versions = {}
    from importlib import metadata

    for name in ("oidc-provider-mock", "pytest-iam", "canaille", "authlib", "pyjwt", "httpx"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    notes["versions"] = versions
    return out, notes


# -- the report ----------------------------------------------------------------------------------


def raw(rr: Any, notes: dict[str, Any]) -> dict[str, Any]:
    """The login section's figures for bench/results.json."""
    out: dict[str, Any] = {"rounds": rr.rounds}
    for key, value in notes.items():
        if isinstance(value, Stopwatch):
            out[key] = {
                k: {"seconds": round(value.by_request[k], 6), "requests": n}
                for k, n in value.calls.items()
            }
        else:
            out[key] = value
    return out


def _per_round(rounds: list[dict[str, float]], fn: Callable[[dict[str, float]], float]) -> Any:
    values = []
    for rd in rounds:
        try:
            values.append(fn(rd))
        except (KeyError, ZeroDivisionError):
            continue
    return statistics.median(values) if values else None


def _ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 1000:.0f} µs" if v < 0.1 else (f"{v:.3f} ms" if v < 10 else f"{v:.1f} ms")


def _x(v: float | None) -> str:
    return "—" if v is None else (f"{v:.2f}x" if v < 10 else f"{v:,.0f}x")


def render(
    rr: Any, notes: dict[str, Any], add: Callable[[str], None]
) -> list[tuple[str, str, bool | None]]:
    """The login section of bench/README.md; returns its goals (text, value, met)."""
    rounds: list[dict[str, float]] = rr.rounds
    goals: list[tuple[str, str, bool | None]] = []

    def ms(name: str) -> float | None:
        return _per_round(rounds, lambda rd: 1000.0 / rd[name])

    def phase(name: str, part: str) -> float | None:
        return _per_round(rounds, lambda rd: rd[name + PHASE + part])

    def faster(ours: str, peer: str) -> float | None:
        """How many times more logins per second than the peer, per round (median)."""
        return _per_round(rounds, lambda rd: rd[ours] / rd[peer])

    peers = notes.get("peers", {})
    add("## Logins, in-process (issue 16)")
    add("")
    add("One client drives every provider (bench/login_bench.py): the authorization URL with")
    add("PKCE S256, state and nonce; `httpx.Client` over `httpx.WSGITransport` into the")
    add("provider's WSGI app, a fresh cookie jar per login; every redirect followed, each page's")
    add("form read with `html.parser` and posted; the code from the callback (state checked);")
    add("`/oauth/token` with `client_secret_basic` and the verifier; the ID token checked with")
    add("PyJWT (RS256 signature against the JWKS read once, iss, aud, exp, iat, nonce, sub). The")
    add("provider's own time is measured inside its WSGI app (a stopwatch around the call and its")
    add(
        "body); the rest is the client's. Peers: "
        + ", ".join(f"{k} {v}" for k, v in peers.items())
        + "."
    )
    add("")
    add(
        "| row | per login | logins/s | provider's own | pages → code | token exchange "
        "| ID token check | fakeauth0 faster by (same run) |"
    )
    add("|---|---|---|---|---|---|---|---|")
    code_rows = [FAKE_CODE, FAKE_CODE_OPAQUE, MOCK_CODE, IAM_CODE]
    prog_rows = [
        FAKE_LOGIN_AS,
        FAKE_LOGIN,
        FAKE_LOGIN_ACTION,
        MOCK_PROGRAMMATIC,
        IAM_PASSWORD,
        IAM_SHORTCUT,
    ]
    for name in code_rows + prog_rows:
        per = ms(name)
        if per is None:
            continue
        versus = "—"
        if name in (MOCK_CODE, IAM_CODE):
            versus = _x(faster(FAKE_CODE, name))
        elif name in (MOCK_PROGRAMMATIC, IAM_PASSWORD, IAM_SHORTCUT):
            versus = _x(faster(FAKE_LOGIN_AS, name))
        add(
            f"| {name} | {_ms(per)} | {rr.median(name):,.0f}/s "
            f"| {_ms(phase(name, OWN))} | {_ms(phase(name, 'pages to code'))} "
            f"| {_ms(phase(name, 'token exchange'))} | {_ms(phase(name, 'ID token check'))} "
            f"| {versus} |"
        )
    add("")
    for peer, row in (("oidc-provider-mock", MOCK_CODE), ("pytest-iam", IAM_CODE)):
        own = _per_round(
            rounds, lambda rd, r=row: rd[r + PHASE + OWN] / rd[FAKE_CODE + PHASE + OWN]
        )
        if own is not None:
            add(
                f"- In the code flow, {peer}'s own time is {_x(own)} fakeauth0's (same rounds): "
                "the client's share (the same code for every provider) narrows the end-to-end "
                "ratio."
            )
    add("")
    add("*fakeauth0 faster by* is the median over rounds of fakeauth0's logins per second ÷ the")
    add("peer's in the same round: the code flow with an API audience (two RS256 signatures)")
    add("against each peer's code flow, and `login_as` with an API audience against each peer's")
    add("cheapest programmatic path. `login_as` and `login` are timed as a test calls them; the")
    add("peers' programmatic rows go through their HTTP endpoints and (but the password grant,")
    add("which answers no ID token) check the ID token too: see the client part row below.")
    add("")

    for peer, row, prog in (
        ("oidc-provider-mock", MOCK_CODE, [MOCK_PROGRAMMATIC]),
        ("pytest-iam", IAM_CODE, [IAM_PASSWORD, IAM_SHORTCUT]),
    ):
        r = faster(FAKE_CODE, row)
        if r is None:
            goals.append(
                (
                    f"login, code + PKCE in-process: ≥{FASTER:.0f}x {peer}",
                    peers.get(peer, "not measured"),
                    None,
                )
            )
        else:
            goals.append(
                (f"login, code + PKCE in-process: ≥{FASTER:.0f}x {peer}", _x(r), r >= FASTER)
            )
        for p in prog:
            r = faster(FAKE_LOGIN_AS, p)
            label = p.removeprefix(f"{PROGRAMMATIC}: ")
            if r is None:
                goals.append(
                    (
                        f"programmatic login_as ≥{FASTER:.0f}x {label}",
                        peers.get(peer, "not measured"),
                        None,
                    )
                )
            else:
                goals.append((f"programmatic login_as ≥{FASTER:.0f}x {label}", _x(r), r >= FASTER))
    for name in (FAKE_LOGIN_AS, FAKE_LOGIN):
        per = ms(name)
        if per is not None:
            label = name.removeprefix(f"{PROGRAMMATIC}: fakeauth0 ")
            goals.append(
                (
                    f"programmatic {label} under {PROGRAMMATIC_MS:g} ms",
                    _ms(per),
                    per < PROGRAMMATIC_MS,
                )
            )

    plain, acting = ms(FAKE_LOGIN), ms(FAKE_LOGIN_ACTION)
    if plain is not None and acting is not None:
        goals.append(
            (
                f"one trivial post-login Action adds under {ACTION_MS:g} ms",
                _ms(acting - plain),
                acting - plain < ACTION_MS,
            )
        )

    # Where fakeauth0's time goes.
    sign = ms(SIGN)
    add("### Where fakeauth0's login time goes")
    add("")
    add("| part | per call | timed |")
    add("|---|---|---|")
    for name in (SIGN, RENDER, PASSWORD_CHECK, VERIFY):
        add(f"| {name} | {_ms(ms(name))} | on its own, same rounds |")
    add("")
    watch = notes.get("fakeauth0 stopwatch")
    if watch is not None and watch.calls:
        add("fakeauth0's own time per request of a code + PKCE login with an API audience")
        add("(the stopwatch inside the WSGI app; means over every login of the run):")
        add("")
        add("| request | fakeauth0's own time | requests |")
        add("|---|---|---|")
        for key, seconds in sorted(watch.by_request.items(), key=lambda kv: -kv[1]):
            if key.endswith(("openid-configuration", "jwks.json")):
                continue
            n = watch.calls[key]
            add(f"| `{key}` | {_ms(seconds * 1000 / n)} | {n:,} |")
        add("")
    per_code = ms(FAKE_CODE)
    own = phase(FAKE_CODE, OWN)
    if per_code is not None and own is not None and sign is not None:
        add(
            f"A code + PKCE login with an API audience takes {_ms(per_code)}: fakeauth0's own "
            f"share is {_ms(own)} ({own / per_code:.0%}), of which the two RS256 signatures "
            f"(ID token and access token) are about {_ms(2 * sign)}; the rest of the login "
            f"({_ms(per_code - own)}) is the client: httpx and its WSGI transport for five "
            "requests, parsing the page, PKCE, and the ID token check "
            f"({_ms(phase(FAKE_CODE, 'ID token check'))})."
        )
        add("")
    for name, signatures in ((FAKE_LOGIN_AS, 2), (FAKE_LOGIN, 1)):
        net = _per_round(
            rounds, lambda rd, n=name, k=signatures: 1000.0 / rd[n] - k * 1000.0 / rd[SIGN]
        )
        per = ms(name)
        if net is not None and per is not None:
            add(
                f"- `{name.removeprefix(f'{PROGRAMMATIC}: fakeauth0 ')}`: {_ms(per)} per login, "
                f"{signatures} RS256 signature{'s' if signatures > 1 else ''}; net of the "
                f"signing floor ({_ms(sign)} each, same rounds): {_ms(net)}."
            )
    add("")
    return goals
