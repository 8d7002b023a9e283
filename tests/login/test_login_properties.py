"""Properties of the login flows that must hold whatever a client does.

A Hypothesis state machine drives sessions, codes and refresh-token families through the HTTP
app against a plain model: a code is redeemed at most once; a revoked or rotated-out refresh token
never yields a token again (the client's leeway is 0); presenting a rotated-out token revokes its
family, so the latest token fails too; a deleted user's refresh tokens are refused
(https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation;
https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-expiration).

Then the security properties: ``/authorize`` redirects only to an allowed callback, whatever
variant of one is sent; a public client cannot drop or downgrade PKCE (RFC 7636 section 4.6); the
login form's ``state`` is bound to its transaction.

Run longer with ``FAKEAUTH0_LOGIN_EXAMPLES=500`` (examples per property and state machine).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    multiple,
    precondition,
    rule,
)

from fakeauth0 import Client, Tenant, create_app
from tests.login import browser as drive
from tests.login.conftest import CALLBACK, DB, EMAIL, PASSWORD, SPA_CALLBACK, Apps, make_apps

EXAMPLES = int(os.environ.get("FAKEAUTH0_LOGIN_EXAMPLES", "0"))
FAST = settings(
    max_examples=EXAMPLES or 25,
    stateful_step_count=20 if not EXAMPLES else 50,
    derandomize=not EXAMPLES,
    deadline=None,
)
START = 1_800_000_000
#: The rotating client's lifetimes (seconds): idle one day, absolute three.
IDLE, ABSOLUTE = 86_400, 3 * 86_400
#: The codes' lifetime (CHOICES.md "authorization code lifetime").
CODE_LIFETIME = 600
SESSION_IDLE, SESSION_ABSOLUTE = 72 * 3600, 168 * 3600


def new_apps() -> tuple[Apps, httpx.Client]:
    tenant = Tenant("props.auth0.com")
    tenant.clock.freeze(START)
    apps = make_apps(tenant)
    transport = httpx.WSGITransport(app=create_app(tenant))
    return apps, httpx.Client(transport=transport, base_url=tenant.base_url)


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


VERIFIER = "v" * 43


# -- the state machine -------------------------------------------------------------------------


@dataclass
class Family:
    client: str
    user_id: str
    rotating: bool
    issued: float
    latest: str
    last_used: dict[str, float] = field(default_factory=dict)
    revoked: bool = False


@dataclass
class Code:
    client: str
    user_id: str
    issued: float
    redeemed: bool = False


class LoginMachine(RuleBasedStateMachine):
    """Model: the user, the browser's session, codes, and refresh-token families."""

    codes = Bundle("codes")
    tokens = Bundle("tokens")

    @initialize(target=tokens)
    def start(self) -> Any:
        """The tenant, and a first login and exchange so every run starts with a family."""
        self.apps, self.http = new_apps()
        self.tenant = self.apps.tenant
        self.tenant.update_client(
            self.apps.web.client_id,
            {
                "refresh_token": {
                    "rotation_type": "rotating",
                    "expiration_type": "expiring",
                    "leeway": 0,
                    "token_lifetime": ABSOLUTE,
                    "idle_token_lifetime": IDLE,
                    "infinite_token_lifetime": False,
                    "infinite_idle_token_lifetime": False,
                }
            },
        )
        self.clients = {
            self.apps.web.client_id: self.apps.web,
            self.apps.spa.client_id: self.apps.spa,
        }
        self.user_id: str | None = self.apps.user.user_id
        self.sid: str | None = None
        self.session_times: tuple[float, float] = (0.0, 0.0)  # created, last active
        self.code_model: dict[str, Code] = {}
        self.families: dict[str, Family] = {}
        self.family_of: dict[str, str] = {}
        return self.redeem(self.log_in(web=True))

    def now(self) -> float:
        return self.tenant.clock.time()

    def teardown(self) -> None:
        self.http.close()

    # -- helpers -----------------------------------------------------------------------------

    def redirect_uri(self, client: Client) -> str:
        return CALLBACK if client is self.apps.web else SPA_CALLBACK

    def authorize_params(self, client: Client, **extra: str) -> dict[str, str]:
        return {
            "client_id": client.client_id,
            "redirect_uri": self.redirect_uri(client),
            "response_type": "code",
            "scope": "openid offline_access",
            "code_challenge": challenge_of(VERIFIER),
            "code_challenge_method": "S256",
            **extra,
        }

    def session_alive(self) -> bool:
        created, active = self.session_times
        now = self.now()
        return (
            self.sid is not None
            and now < created + SESSION_ABSOLUTE
            and now < active + SESSION_IDLE
        )

    def note_code(self, client: Client, code: str) -> str:
        assert code not in self.code_model, "a code was issued twice"
        assert self.user_id is not None
        self.code_model[code] = Code(client.client_id, self.user_id, self.now())
        return code

    # -- rules -------------------------------------------------------------------------------

    @precondition(lambda self: self.user_id is not None)
    @rule(target=codes, web=st.booleans())
    def log_in(self, web: bool) -> str:
        client = self.apps.web if web else self.apps.spa
        request = self.authorize_params(client, prompt="login")
        shown = self.tenant.authorize(request, self.sid)
        session = self.tenant.login_with_password(shown.handle, EMAIL, PASSWORD)  # type: ignore[union-attr]
        delivery = self.tenant.resume(shown.handle, session.sid)  # type: ignore[union-attr]
        assert delivery is not None
        self.sid = session.sid
        self.session_times = (self.now(), self.now())
        return self.note_code(client, delivery.params["code"])

    @rule(target=codes, web=st.booleans())
    def silent(self, web: bool) -> Any:
        client = self.apps.web if web else self.apps.spa
        query = urlencode(self.authorize_params(client, prompt="none", state="s"))
        self.http.cookies.clear()
        if self.sid:
            self.http.cookies.set("auth0", self.sid)
        answer = self.http.get("/authorize?" + query)
        got = drive.callback_params(answer)
        alive = self.session_alive()
        assert ("code" in got) == alive, (got, self.session_times, self.now())
        assert got["state"] == "s"
        if not alive:
            assert got["error"] == "login_required"
            self.sid = None
            return multiple()
        self.session_times = (self.session_times[0], self.now())
        return self.note_code(client, got["code"])

    @rule(target=tokens, code=codes)
    def redeem(self, code: str) -> Any:
        record = self.code_model.get(code)
        client = self.clients[record.client] if record else self.apps.web
        body = {
            "grant_type": "authorization_code",
            "client_id": client.client_id,
            "code": code,
            "redirect_uri": self.redirect_uri(client),
            "code_verifier": VERIFIER,
        }
        if client is self.apps.web:
            body["client_secret"] = client.client_secret
        answer = self.http.post("/oauth/token", json=body)
        ok = (
            record is not None
            and not record.redeemed
            and self.now() < record.issued + CODE_LIFETIME
            and record.user_id == self.user_id
        )
        event(f"redeem: {answer.status_code}")
        if record is not None:
            record.redeemed = True
        if not ok:
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"] == "invalid_grant"
            return multiple()
        assert answer.status_code == 200, answer.text
        token = answer.json()["refresh_token"]
        assert token not in self.family_of
        family = Family(
            record.client,  # type: ignore[union-attr]
            record.user_id,  # type: ignore[union-attr]
            rotating=client is self.apps.web,
            issued=self.now(),
            latest=token,
        )
        family.last_used[token] = self.now()
        self.families[token] = family
        self.family_of[token] = token
        return token

    def expect_refresh(self, token: str) -> bool:
        """Whether the model lets ``token`` through now; updates the model as the fake must."""
        family = self.families.get(self.family_of.get(token, ""))
        if family is None or family.revoked:
            return False
        now = self.now()
        if family.rotating:
            if now >= family.issued + ABSOLUTE or now >= family.last_used[token] + IDLE:
                return False
            if token != family.latest:
                family.revoked = True  # reuse of a rotated-out token
                return False
        return family.user_id == self.user_id

    @rule(target=tokens, token=tokens)
    def use(self, token: str) -> Any:
        family = self.families.get(self.family_of.get(token, ""))
        client = self.clients[family.client] if family else self.apps.web
        body = {
            "grant_type": "refresh_token",
            "client_id": client.client_id,
            "refresh_token": token,
        }
        if client is self.apps.web:
            body["client_secret"] = client.client_secret
        answer = self.http.post("/oauth/token", json=body)
        event(f"refresh: {answer.status_code}")
        if not self.expect_refresh(token):
            assert answer.status_code == 403, (answer.text, family)
            assert answer.json()["error"] == "invalid_grant"
            return multiple()
        assert answer.status_code == 200, answer.text
        assert family is not None
        if not family.rotating:
            assert "refresh_token" not in answer.json()
            return token
        new = answer.json()["refresh_token"]
        assert new not in self.family_of and new != token
        self.family_of[new] = self.family_of[token]
        family.latest = new
        family.last_used[new] = self.now()
        return new

    @rule(target=tokens, token=tokens)
    def use_twice(self, token: str) -> Any:
        """A client that presents the same token twice in one instant (a retry, a race)."""
        self.use(token)
        return self.use(token)

    @rule(token=consumes(tokens))
    def revoke(self, token: str) -> None:
        family = self.families.get(self.family_of.get(token, ""))
        client = self.clients[family.client] if family else self.apps.web
        body = {"client_id": client.client_id, "token": token}
        if client is self.apps.web:
            body["client_secret"] = client.client_secret
        answer = self.http.post("/oauth/revoke", json=body)
        assert answer.status_code == 200 and answer.content == b""
        if family is not None and token in family.last_used:
            family.revoked = True

    @precondition(lambda self: self.user_id is not None)
    @rule()
    def delete_user(self) -> None:
        assert self.user_id is not None
        self.tenant.delete_user(self.user_id)
        self.user_id = None
        self.sid = None  # the user's sessions end with it

    @precondition(lambda self: self.user_id is None)
    @rule()
    def sign_up_again(self) -> None:
        user = self.tenant.create_user({"connection": DB, "email": EMAIL, "password": PASSWORD})
        self.user_id = user.user_id

    @rule(seconds=st.sampled_from([1, 300, 601, 3600, 86_400, 100_000]))
    def wait(self, seconds: int) -> None:
        self.tenant.clock.advance(seconds)


LoginMachine.TestCase.settings = FAST
TestLoginMachine = LoginMachine.TestCase


# The wildcard client and its session live for the whole test (Hypothesis calls the test once
# per example; function-scoped fixtures would be set up once for all of them).
@pytest.fixture(scope="module")
def signed_in() -> Iterator[tuple[Apps, httpx.Client]]:
    apps, http = new_apps()
    apps.tenant.update_client(
        apps.web.client_id,
        {
            "callbacks": [*ALLOWED, WILDCARD_CALLBACK],
            "web_origins": ["https://app.example.com", "https://*.example.org"],
        },
    )
    query = {"client_id": apps.web.client_id, "response_type": "code", "redirect_uri": CALLBACK}
    answer = drive.login(http, apps.tenant, "/authorize?" + urlencode(query), EMAIL, PASSWORD)
    assert drive.callback_params(answer)["code"]
    yield apps, http
    http.close()


# -- open redirects ----------------------------------------------------------------------------

#: What an attacker splices into an allowed callback.
NASTY = [
    "@evil.example",
    ".evil.example",
    "evil.example/",
    "\\",
    "\\@evil.example",
    "//evil.example",
    "/../",
    "..",
    "%2F",
    "%40evil.example",
    "%2e%2e",
    "%00",
    " ",
    "\t",
    "\n",
    "#",
    "?",
    "&",
    ":443",
    ":8443",
    "*",
    "\u200b",
    "\uff0e",
    "ⓔ",
    "A",
    "/",
    "javascript:",
    "http:",
]
WILDCARD_CALLBACK = "https://*.example.org/cb"
ALLOWED = [CALLBACK, "https://app.example.com/other"]
SEPARATORS = ("?", "#", "&")


@st.composite
def hostile_redirects(draw: st.DrawFn) -> str:
    url = draw(st.sampled_from([*ALLOWED, "https://tenant-a.example.org/cb"]))
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["insert", "replace", "case", "drop"]))
        at = draw(st.integers(0, len(url)))
        if how == "insert":
            url = url[:at] + draw(st.sampled_from(NASTY)) + url[at:]
        elif how == "replace" and at < len(url):
            url = url[:at] + draw(st.sampled_from(NASTY)) + url[at + 1 :]
        elif how == "case":
            url = url.upper() if draw(st.booleans()) else url.swapcase()
        elif at < len(url):
            url = url[:at] + url[at + 1 :]
    return url


def an_allowed_place(url: str) -> bool:
    """Whether ``url`` starts with an allowed callback, exactly, followed by the answer: an
    independent reading of the client's callbacks (one-label wildcard under example.org)."""
    for allowed in ALLOWED:
        if url == allowed or any(url.startswith(allowed + s) for s in SEPARATORS):
            return True
    found = re.match(r"https://[a-z0-9-]+\.example\.org/cb(?=$|[?#&])", url)
    return found is not None


@given(
    redirect_uri=hostile_redirects(),
    mode=st.sampled_from(["query", "fragment", "form_post", "web_message"]),
    response_type=st.sampled_from(["code", "id_token token", "code id_token"]),
    prompt=st.sampled_from([None, "none", "login"]),
    audience=st.sampled_from([None, "https://nowhere.example/"]),
)
@FAST
def test_authorize_never_redirects_outside_the_callbacks(
    signed_in: tuple[Apps, httpx.Client],
    redirect_uri: str,
    mode: str,
    response_type: str,
    prompt: str | None,
    audience: str | None,
) -> None:
    apps, http = signed_in
    query = {
        "client_id": apps.web.client_id,
        "redirect_uri": redirect_uri,
        "response_type": response_type,
        "response_mode": mode,
        "scope": "openid",
        "nonce": "n",
        "state": "s",
    }
    if prompt:
        query["prompt"] = prompt
    if audience:
        query["audience"] = audience
    answer = http.get("/authorize?" + urlencode(query))
    target = answer.headers.get("Location")
    if target is not None:
        assert answer.status_code == 302
        on_tenant = target.startswith("/u/login?state=") or target.startswith("/u/signup?state=")
        assert on_tenant or an_allowed_place(target), target
    if mode == "form_post" and answer.status_code == 200:
        action = re.search(r'<form method="post" action="([^"]*)">', answer.text)
        assert action is not None and an_allowed_place(action.group(1)), answer.text
    if answer.status_code == 400:
        assert target is None and "postMessage" not in answer.text
    if redirect_uri in ALLOWED and mode in ("query", "fragment") and prompt != "login":
        # An allowed callback is answered there (the property is not vacuous).
        assert target is not None and target.startswith(redirect_uri), answer.text


# -- PKCE cannot be dropped or downgraded --------------------------------------------------------


def spa_code(apps: Apps, http: httpx.Client, **pkce: str) -> str:
    query = {
        "client_id": apps.spa.client_id,
        "redirect_uri": SPA_CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "prompt": "none",
        **pkce,
    }
    return drive.callback_params(http.get("/authorize?" + urlencode(query)))["code"]


@pytest.fixture(scope="module")
def spa_signed_in() -> Iterator[tuple[Apps, httpx.Client]]:
    apps, http = new_apps()
    query = {"client_id": apps.spa.client_id, "response_type": "code", "redirect_uri": SPA_CALLBACK}
    drive.login(http, apps.tenant, "/authorize?" + urlencode(query), EMAIL, PASSWORD)
    yield apps, http
    http.close()


VERIFIERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@given(
    verifier=VERIFIERS.filter(lambda v: len(v) >= 43),
    presented=st.one_of(st.none(), VERIFIERS),
    extra=st.sampled_from([{}, {"code_challenge_method": "plain"}, {"client_secret": ""}]),
)
@FAST
def test_a_public_client_redeems_only_with_its_verifier(
    spa_signed_in: tuple[Apps, httpx.Client],
    verifier: str,
    presented: str | None,
    extra: dict[str, str],
) -> None:
    apps, http = spa_signed_in
    challenge = challenge_of(verifier)
    code = spa_code(apps, http, code_challenge=challenge, code_challenge_method="S256")
    # The challenge itself as a plain verifier is the downgrade this must refuse.
    for candidate in {presented, challenge}:
        body = {
            "grant_type": "authorization_code",
            "client_id": apps.spa.client_id,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
            **extra,
        }
        if candidate is not None:
            body["code_verifier"] = candidate
        answer = http.post("/oauth/token", json=body)
        if candidate == verifier:
            assert answer.status_code == 200, answer.text
            return
        assert answer.status_code == 403, answer.text
        # A refused attempt used the code up: the right verifier can no longer redeem it.
        body["code_verifier"] = verifier
        assert http.post("/oauth/token", json=body).status_code == 403
        code = spa_code(apps, http, code_challenge=challenge, code_challenge_method="S256")


@given(verifier=st.one_of(st.none(), VERIFIERS))
@FAST
def test_a_public_client_cannot_redeem_a_code_issued_without_pkce(
    spa_signed_in: tuple[Apps, httpx.Client], verifier: str | None
) -> None:
    apps, http = spa_signed_in
    code = spa_code(apps, http)
    body = {
        "grant_type": "authorization_code",
        "client_id": apps.spa.client_id,
        "code": code,
        "redirect_uri": SPA_CALLBACK,
    }
    if verifier is not None:
        body["code_verifier"] = verifier
    answer = http.post("/oauth/token", json=body)
    assert answer.status_code == 403 and answer.json()["error"] == "invalid_grant"


# -- the login form's state is bound to its transaction -----------------------------------------


def assert_invalid_state_page(answer: httpx.Response) -> None:
    assert answer.status_code == 400, answer.text
    assert "Location" not in answer.headers and "Set-Cookie" not in answer.headers
    assert 'data-error-code="invalid-state"' in answer.text


def test_a_completed_transaction_cannot_be_replayed() -> None:
    apps, http = new_apps()
    with http:
        query = {"client_id": apps.web.client_id, "response_type": "code", "redirect_uri": CALLBACK}
        page = drive.get(http, apps.tenant, "/authorize?" + urlencode(query))
        handle = drive.page_state(page)
        drive.callback_params(drive.submit_login(http, apps.tenant, page, EMAIL, PASSWORD))
        http.cookies.clear()
        form = {"state": handle, "username": EMAIL, "password": PASSWORD, "action": "default"}
        assert_invalid_state_page(http.post("/u/login", data=form))
        assert_invalid_state_page(http.get("/authorize/resume?" + urlencode({"state": handle})))
        assert_invalid_state_page(http.get("/u/login?" + urlencode({"state": handle})))
        assert not http.cookies


@given(handle=st.text(max_size=80) | st.just("hKFo2S") | st.just(""))
@FAST
def test_an_unknown_transaction_renders_the_invalid_state_page(
    signed_in: tuple[Apps, httpx.Client], handle: str
) -> None:
    _, http = signed_in
    form = {"state": handle, "username": EMAIL, "password": PASSWORD, "action": "default"}
    assert_invalid_state_page(http.post("/u/login", data=form))
    resumed = http.get("/authorize/resume?" + urlencode({"state": handle}))
    assert_invalid_state_page(resumed)
