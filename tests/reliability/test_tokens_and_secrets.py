"""Bearer tokens tests/api/test_bearer_tokens.py leaves out, and where secrets must never go.

Already covered there: missing header, other schemes, non-JWT bearers, garbage, expiry, a
tampered payload, wrong audience or issuer, ID tokens, alg none, HS256 keyed with the public
key, another tenant's token. Here: not-yet-valid, the right kid with the wrong key, truncated,
oversized and claim-mangled tokens; and passwords kept hashed in memory, snapshots and the
state file, never in an answer, a log line or an exception message.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fakeauth0 import Tenant
from fakeauth0.errors import Auth0Error
from fakeauth0.server import FakeAuth0Server
from fakeauth0.store import StateStore
from tests.api.test_bearer_tokens import assert_invalid_token, claims_for
from tests.reliability.wire import Wire
from tests.support import DB, RawClient, assert_error

SECRET_PASSWORD = "Sup3r-Secret-Passw0rd!"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_not_yet_valid_is_refused(tenant: Tenant, raw: RawClient) -> None:
    now = int(tenant.clock.time())
    early = tenant.tokens.key.sign(claims_for(tenant, nbf=now + 3600, iat=now, exp=now + 7200))
    message = "Token not yet valid received for JSON Web Token validation"
    assert_invalid_token(raw.get("users", token=early), message)
    tenant.clock.advance(3600)
    assert raw.get("users", token=early).status_code == 200  # valid from nbf on


def test_the_right_kid_with_another_key_is_a_bad_signature(tenant: Tenant, raw: RawClient) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        claims_for(tenant), other, algorithm="RS256", headers={"kid": tenant.tokens.key.kid}
    )
    message = "Invalid signature received for JSON Web Token validation"
    assert_invalid_token(raw.get("users", token=forged), message)


@pytest.mark.parametrize("cut", [1, 10, 200])
def test_a_truncated_signature_is_refused(tenant: Tenant, raw: RawClient, cut: int) -> None:
    token = tenant.management_token()
    body = assert_error(raw.get("users", token=token[:-cut]), 401)
    # A cut that leaves bad base64 is "Invalid token"; one that decodes, a bad signature.
    assert body["message"] in (
        "Invalid token",
        "Invalid signature received for JSON Web Token validation",
    )
    assert body["attributes"] == {"error": body["message"]}


def test_a_token_cut_inside_its_payload_is_not_a_jwt(tenant: Tenant, raw: RawClient) -> None:
    header, payload, _ = tenant.management_token().split(".")
    response = raw.get("users", token=f"{header}.{payload[:20]}")
    assert_error(response, 400, "Bad HTTP authentication header format", "Bearer")


def test_an_oversized_token_is_refused_quickly(tenant: Tenant, raw: RawClient) -> None:
    padded = claims_for(tenant, padding="x" * 200_000)
    huge = tenant.tokens.key.sign(padded)  # validly signed, 270 kB: still only a token
    assert raw.get("users", token=huge).status_code == 200
    header, payload, signature = huge.split(".")
    forged = f"{header}.{payload[:-4]}AAAA.{signature}"
    assert_invalid_token(
        raw.get("users", token=forged), "Invalid signature received for JSON Web Token validation"
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": None},
        {"exp": "2999-01-01"},
        {"exp": True},
        {"aud": None},
        {"aud": 42},
        {"aud": ["https://a/", {"x": 1}]},
        {"scope": ["read:users"]},
    ],
    ids=repr,
)
def test_mangled_claims_are_refused_not_crashed(
    tenant: Tenant, raw: RawClient, claims: dict[str, Any]
) -> None:
    token = tenant.tokens.key.sign(claims_for(tenant, **claims))
    response = raw.get("users", token=token)
    assert response.status_code in (401, 403), response.text
    assert response.json()["statusCode"] == response.status_code


@pytest.mark.parametrize(
    "header", [{"alg": "RS256"}, {"alg": "RS512", "kid": "k"}, {"alg": "ES256"}, [1, 2], "x"]
)
def test_odd_headers_are_invalid_tokens(tenant: Tenant, raw: RawClient, header: Any) -> None:
    payload = _b64(json.dumps(claims_for(tenant)).encode())
    token = f"{_b64(json.dumps(header).encode())}.{payload}.{_b64(b'sig')}"
    assert_invalid_token(raw.get("users", token=token))


def test_passwords_are_hashed_in_memory_snapshots_and_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    tenant = Tenant("secrets.auth0.com")
    store = StateStore(str(path))
    with FakeAuth0Server(tenant, store=store) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        body = {"connection": DB, "email": "s@example.com", "password": SECRET_PASSWORD}
        status, user = wire.call("POST", "/api/v2/users", body)
        assert status == 201
        status, _ = wire.call(
            "PATCH", f"/api/v2/users/{user['user_id']}", {"password": SECRET_PASSWORD + "2"}
        )
        assert status == 200
        status, snapshot = wire.call("GET", "/_fake/snapshot")
        wire.close()
    stored = tenant.users.get(user["user_id"])
    assert stored is not None and stored.password_hash
    assert SECRET_PASSWORD not in stored.password_hash
    assert SECRET_PASSWORD not in repr(stored)
    assert SECRET_PASSWORD not in json.dumps(snapshot)
    assert SECRET_PASSWORD.encode() not in path.read_bytes()
    for extra in (Path(str(path) + "-wal"), Path(str(path) + "-journal")):
        assert not extra.exists() or SECRET_PASSWORD.encode() not in extra.read_bytes()
    with sqlite3.connect(path) as db:
        bodies = " ".join(b for (b,) in db.execute("SELECT body FROM records"))
    assert "password_hash" in bodies and SECRET_PASSWORD not in bodies


def test_no_secret_in_answers_logs_or_exception_messages(
    tenant: Tenant, raw: RawClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Every way a password or the client secret goes in, at DEBUG on every logger."""
    caplog.set_level(logging.DEBUG)
    secret = tenant.management_client.client_secret
    user = raw.create_user(email="x@example.com", password=SECRET_PASSWORD)
    answers = [
        raw.post(
            "users", json={"connection": DB, "email": "x@example.com", "password": SECRET_PASSWORD}
        ),
        raw.post("users", json={"connection": DB, "email": "y@example.com", "password": "qzq"}),
        raw.post(
            "users",
            json={"connection": "email", "email": "z@example.com", "password": SECRET_PASSWORD},
        ),
        raw.patch(
            f"users/{user['user_id']}", json={"password": SECRET_PASSWORD, "email": "q@x.co"}
        ),
        raw.patch(f"users/{user['user_id']}", json={"password": SECRET_PASSWORD, "bogus": 1}),
        raw.post(
            "/_fake/login",
            json={"connection": DB, "email": "x@example.com", "password": "nope" + SECRET_PASSWORD},
        ),
        raw.post(
            "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": "nobody",
                "client_secret": secret,
                "audience": tenant.management_audience,
            },
        ),
        raw.get("users", token=secret),
        raw.get("users", token=f"{secret}.{secret}.{secret}"),
    ]
    assert all(400 <= a.status_code < 500 for a in answers), [a.status_code for a in answers]
    for answer in answers:
        assert SECRET_PASSWORD not in answer.text and secret not in answer.text, answer.text
    logged = caplog.text
    assert SECRET_PASSWORD not in logged and secret not in logged
    # The domain's own errors carry no secret either (they may end up in a caller's log).
    for bad in ("qzq", SECRET_PASSWORD * 20):
        with pytest.raises(Auth0Error) as caught:
            tenant.create_user(
                {"connection": DB, "email": "w@example.com", "password": bad, "x": 1}
            )
        assert bad not in str(caught.value) and bad not in repr(caught.value)
