"""Whatever a caller sends to the passwordless endpoints, the answer is Auth0's: a 200, a
``bad.*`` or OAuth refusal, an error page or a redirect, never a 500, and never the code
itself (https://auth0.com/docs/api/authentication#passwordless)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client as WsgiClient

from fakeauth0 import Tenant, create_app
from fakeauth0.passwordless import OTP_GRANT

NAMES = (
    "client_id",
    "client_secret",
    "connection",
    "email",
    "phone_number",
    "send",
    "authParams",
    "extra",
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@cache
def _setup() -> tuple[Tenant, WsgiClient, str]:
    tenant = Tenant("inputs.example.com")
    client = tenant.create_client_from(
        {
            "name": "Native",
            "app_type": "native",
            "token_endpoint_auth_method": "none",
            "callbacks": ["https://app.example.com/cb"],
            "grant_types": ["authorization_code", OTP_GRANT],
        }
    )
    for name in ("email", "sms"):
        tenant.set_connection_clients(
            tenant.connections[name].id, [{"client_id": client.client_id, "status": True}]
        )
    return tenant, WsgiClient(create_app(tenant)), client.client_id


def _field(client_id: str) -> st.SearchStrategy[Any]:
    plausible = st.sampled_from(
        [client_id, "email", "sms", "a@example.com", "+15550001111", "code", "link", "nope"]
    )
    return plausible | JSON


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    _, _, client_id = _setup()
    names = draw(st.lists(st.sampled_from(NAMES), max_size=6, unique=True))
    body = {name: draw(_field(client_id)) for name in names}
    return draw(st.just(body) | JSON)


@given(body=bodies())
def test_start_answers_every_body_as_auth0(body: Any) -> None:
    tenant, web, _ = _setup()
    answer = web.post("/passwordless/start", data=json.dumps(body), content_type="application/json")
    assert answer.status_code in (200, 400, 401, 403), (body, answer.text)
    got = answer.get_json()
    if answer.status_code == 200:
        assert set(got) in (
            {"_id", "email", "email_verified"},
            {"_id", "phone_number", "phone_verified"},
        )
        assert tenant.outbox[-1]["code"] not in answer.text
    else:
        assert set(got) >= {"error", "error_description"}, got


@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "client_id",
                "connection",
                "email",
                "phone_number",
                "verification_code",
                "redirect_uri",
                "response_type",
                "scope",
                "state",
                "nonce",
                "response_mode",
            ]
        ),
        st.text(max_size=30),
        max_size=8,
    )
)
def test_the_link_answers_every_query_without_failing(params: dict[str, str]) -> None:
    _, web, client_id = _setup()
    if params.get("client_id") == "":
        params["client_id"] = client_id
    answer = web.get("/passwordless/verify_redirect", query_string=params)
    assert answer.status_code in (200, 302, 400), (params, answer.status_code)
