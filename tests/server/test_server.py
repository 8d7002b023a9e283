"""The standalone server over real HTTP, driven by the official SDK (token fetched by the SDK)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import httpx
import jwt
import pytest
from auth0.authentication import GetToken
from auth0.management.client import Auth0
from auth0.management.errors import ConflictError, NotFoundError

from fakeauth0.server import FakeAuth0Server
from tests.support import DB, NO_RETRY, PASSWORD


@pytest.fixture
def server() -> Iterator[FakeAuth0Server]:
    server = FakeAuth0Server(port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def token(server: FakeAuth0Server) -> str:
    """A Management API token fetched by the SDK's own client_credentials call."""
    client = server.tenant.management_client
    auth = GetToken(
        f"127.0.0.1:{server.port}", client.client_id, client.client_secret, protocol="http"
    )
    return auth.client_credentials(audience=server.tenant.management_audience)["access_token"]


@pytest.fixture
def sdk(server: FakeAuth0Server, token: str) -> Iterator[Auth0]:
    with httpx.Client() as client:
        yield Auth0(base_url=server.url + "/api/v2", token=token, httpx_client=client)


def test_server_binds_loopback_by_default(server: FakeAuth0Server) -> None:
    assert server._server.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}"
    # Issuer and audience name the address clients use.
    assert server.tenant.management_audience == f"https://127.0.0.1:{server.port}/api/v2/"


def test_sdk_round_trip_over_http(sdk: Auth0) -> None:
    created = sdk.users.create(connection=DB, email="Ann@Example.com", password=PASSWORD)
    assert created.email == "ann@example.com"
    assert sdk.users.get(created.user_id).user_id == created.user_id
    updated = sdk.users.update(created.user_id, app_metadata={"plan": "pro"})
    assert updated.app_metadata == {"plan": "pro"}
    assert [u.user_id for u in sdk.users.list_users_by_email(email="ann@example.com")] == [
        created.user_id
    ]
    assert [u.user_id for u in sdk.users.list()] == [created.user_id]
    with pytest.raises(ConflictError) as caught:
        sdk.users.create(
            connection=DB, email="ann@example.com", password=PASSWORD, request_options=NO_RETRY
        )
    assert caught.value.body["errorCode"] == "auth0_idp_error"
    sdk.users.delete(created.user_id)
    with pytest.raises(NotFoundError):
        sdk.users.get(created.user_id)


def test_token_verifies_with_pyjwkclient(server: FakeAuth0Server, token: str) -> None:
    signing_key = jwt.PyJWKClient(server.url + "/.well-known/jwks.json").get_signing_key_from_jwt(
        token
    )
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience=server.tenant.management_audience,
        issuer=f"https://127.0.0.1:{server.port}/",
    )
    assert claims["gty"] == "client-credentials"
    assert signing_key.key_id == server.tenant.tokens.key.kid


def test_raw_pipe_and_percent_encoded_ids_over_http(server: FakeAuth0Server, token: str) -> None:
    server.tenant.create_user(
        {"connection": DB, "email": "a@b.co", "password": PASSWORD, "user_id": "abc"}
    )
    for path in ("/api/v2/users/auth0|abc", "/api/v2/users/auth0%7Cabc"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        assert response.status == 200, path
        assert json.loads(response.read())["user_id"] == "auth0|abc"
        conn.close()


def test_oversized_chunked_body_is_413_over_http(server: FakeAuth0Server, token: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"connection":"' + DB.encode() + b'","user_metadata":{"blob":"'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}}'

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST",
        "/api/v2/users",
        body=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 413, body
    assert body == {
        "statusCode": 413,
        "error": "Request Entity Too Large",
        "message": "Payload content length greater than maximum allowed: 1048576",
    }


def test_errors_over_http_are_auth0_json(server: FakeAuth0Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        missing = client.get("/api/v2/users")
        unknown = client.get("/nowhere")
        bad_token = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert missing.status_code == 401 and missing.json()["message"] == "Missing authentication"
    assert unknown.status_code == 404 and unknown.json()["statusCode"] == 404
    assert bad_token.status_code == 401 and bad_token.json()["error"] == "access_denied"
    for response in (missing, unknown, bad_token):
        assert response.headers["content-type"].startswith("application/json")
