"""Hostile input at the login endpoints: every answer is Auth0's (a page, a redirect or an OAuth
error), never a 500, and nothing the fake answers breaks a later login."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client as BrowserClient

from fakeauth0 import Tenant, create_app

BASE = "https://fake.auth0.com"
CALLBACK = "https://app.example.com/cb"
EXAMPLES = int(os.environ.get("FAKEAUTH0_FUZZ_EXAMPLES", "60"))

TENANT = Tenant()
APP = TENANT.create_client_from(
    {"name": "Web", "app_type": "regular_web", "callbacks": [CALLBACK], "web_origins": [CALLBACK]}
)
TENANT.create_user(
    {
        "connection": "Username-Password-Authentication",
        "email": "ann@example.com",
        "password": "Passw0rd!x",
    }
)
BROWSER = BrowserClient(create_app(TENANT))

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "\ud800",
            "%",
            "%zz",
            "a" * 5000,
            "javascript:alert(1)",
            CALLBACK + "#x",
            CALLBACK + "@evil.example",
            "https://evil.example",
            "code token id_token",
            "none login consent",
            "S256",
            "plain",
            "-1",
            "99999999999999999999",
            APP.client_id,
        ]
    ),
)
NAMES = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "audience",
    "connection",
    "code_challenge",
    "code_challenge_method",
    "screen_hint",
    "login_hint",
)
params = st.dictionaries(st.sampled_from(NAMES), texts, max_size=8)
ENDPOINTS = [
    ("GET", "/authorize"),
    ("GET", "/u/login"),
    ("POST", "/u/login"),
    ("POST", "/u/signup"),
    ("GET", "/u/idp"),
    ("POST", "/u/consent"),
    ("GET", "/authorize/resume"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/revoke"),
    ("GET", "/userinfo"),
    ("GET", "/v2/logout"),
    ("GET", "/oidc/logout"),
    ("POST", "/dbconnections/signup"),
]
FORM_NAMES = (
    "state",
    "username",
    "password",
    "email",
    "connection",
    "action",
    "grant_type",
    "code",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "token",
    "returnTo",
    "id_token_hint",
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    query=params,
    form=st.dictionaries(st.sampled_from(FORM_NAMES + NAMES), texts, max_size=8),
)
def test_no_login_endpoint_answers_500(
    endpoint: tuple[str, str], query: dict[str, str], form: dict[str, str]
) -> None:
    method, path = endpoint
    safe = {
        k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in query.items()
    }
    body = {
        k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in form.items()
    }
    if method == "GET":
        answer = BROWSER.get(path, query_string=safe, base_url=BASE)
    else:
        answer = BROWSER.post(path, query_string=safe, data=body, base_url=BASE)
    assert answer.status_code < 500, (method, path, query, form, answer.text[:300])
    location = answer.headers.get("Location")
    if location is not None and not location.startswith("/"):
        # Only the client's own callback (or an allowed logout URL) is ever a target.
        assert location.startswith(CALLBACK), location


def test_a_login_still_works_after_the_fuzzing() -> None:
    answer = BROWSER.get(
        "/authorize",
        query_string={
            "client_id": APP.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "prompt": "login",
        },
        base_url=BASE,
    )
    page = BROWSER.get(answer.headers["Location"], base_url=BASE)
    handle = re.search(r'name="state" value="([^"]+)"', page.text)
    assert handle is not None
    posted = BROWSER.post(
        "/u/login",
        data={"state": handle.group(1), "username": "ann@example.com", "password": "Passw0rd!x"},
        base_url=BASE,
    )
    assert posted.status_code == 302
    back = BROWSER.get(posted.headers["Location"], base_url=BASE)
    assert back.headers["Location"].startswith(CALLBACK + "?code=")
