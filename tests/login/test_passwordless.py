"""Passwordless logins end to end, judged by the official Python SDK's authentication half
(auth0-python ``Passwordless`` and ``GetToken.passwordless_login``, unmodified, over
interception): the code or link goes to the outbox, the code is traded once for tokens, the
first login creates the ``email|`` / ``sms|`` user and the next finds it
(https://auth0.com/docs/api/authentication#passwordless). Auth0's protections against guessing
run on the tenant clock: only the newest code counts, three wrong attempts end it, it lives
three minutes (https://auth0.com/docs/authenticate/passwordless/best-practices)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from auth0.authentication import GetToken, Passwordless
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier
from auth0.management import ManagementClient

from fakeauth0 import Client, Tenant, create_app
from fakeauth0.passwordless import EMAIL_TEMPLATE, OTP_GRANT, SMS_TEMPLATE
from tests.login.conftest import API, CALLBACK

pytestmark = pytest.mark.usefixtures("auth0_intercept")

EMAIL = "Grace@Example.com"
PHONE = "+15551234567"
WRONG_EMAIL_CODE = "Wrong email or verification code."
# A grant the client was not given (https://auth0.com/docs/clients/client-grant-types).
GRANT_REFUSED = f"Grant type '{OTP_GRANT}' not allowed for the client."


class Apps:
    """A regular web app (confidential) and a native app (public), both allowed the
    passwordless grant and enabled on the ``email`` and ``sms`` connections."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        tenant.create_resource_server(
            {
                "identifier": API,
                "name": "Items",
                "scopes": [{"value": "read:items"}],
                "allow_offline_access": True,
            }
        )
        grants = ["authorization_code", "refresh_token", OTP_GRANT]
        self.web = tenant.create_client_from(
            {
                "name": "Web",
                "app_type": "regular_web",
                "callbacks": [CALLBACK],
                "grant_types": grants,
            }
        )
        self.native = tenant.create_client_from(
            {
                "name": "Native",
                "app_type": "native",
                "token_endpoint_auth_method": "none",
                "grant_types": grants,
            }
        )
        for name in ("email", "sms"):
            tenant.set_connection_clients(
                tenant.connections[name].id,
                [{"client_id": c.client_id, "status": True} for c in (self.web, self.native)],
            )

    def start(self, client: Client | None = None) -> Passwordless:
        client = client or self.web
        return Passwordless(self.tenant.domain, client.client_id, client.client_secret)

    def token(self, client: Client | None = None) -> GetToken:
        client = client or self.web
        return GetToken(self.tenant.domain, client.client_id, client.client_secret)

    def verifier(self, client: Client) -> TokenVerifier:
        keys = AsymmetricSignatureVerifier(self.tenant.base_url + "/.well-known/jwks.json")
        return TokenVerifier(keys, self.tenant.base_url + "/", client.client_id)

    def emailed_code(self, email: str = EMAIL) -> str:
        sent = self.tenant.outbox.latest(to=email, template=EMAIL_TEMPLATE)
        assert sent is not None
        return str(sent["code"])

    def email_login(self, code: str, email: str = EMAIL, **kwargs: Any) -> dict[str, Any]:
        options = {"scope": "openid profile email", "audience": None, **kwargs}
        return self.token().passwordless_login(email, code, "email", **options)


@pytest.fixture
def apps(auth0_tenant: Tenant) -> Apps:
    return Apps(auth0_tenant)


def refused(call: Any) -> Auth0Error:
    with pytest.raises(Auth0Error) as error:
        call()
    return error.value


def test_email_code_first_login_creates_the_user_the_second_finds_it(apps: Apps) -> None:
    answer = apps.start().email(EMAIL, send="code")
    # The answer a real tenant gave (auth0/go-auth0 recording TestSendEmail.yaml).
    assert set(answer) == {"_id", "email", "email_verified"}
    assert answer["email"] == EMAIL.lower() and answer["email_verified"] is True
    sent = apps.tenant.outbox.latest(to=EMAIL, template=EMAIL_TEMPLATE)
    assert sent is not None and sent["connection"] == "email" and "link" not in sent
    assert len(sent["code"]) == 6 and sent["code"].isdigit()

    tokens = apps.email_login(sent["code"], audience=API, scope="openid email offline_access")
    claims = apps.verifier(apps.web).verify(tokens["id_token"])
    assert claims["sub"].startswith("email|") and len(claims["sub"]) == len("email|") + 24
    assert claims["email"] == EMAIL.lower() and claims["email_verified"] is True
    assert tokens["token_type"] == "Bearer" and "refresh_token" in tokens
    user = apps.tenant.get_user(claims["sub"])
    assert user.primary.provider == "email" and user.primary.connection == "email"
    assert user.logins_count == 1

    apps.start().email(EMAIL.upper(), send="code")
    again = apps.email_login(apps.emailed_code())
    assert apps.verifier(apps.web).verify(again["id_token"])["sub"] == claims["sub"]
    assert apps.tenant.get_user(claims["sub"]).logins_count == 2
    assert [u.user_id for u in apps.tenant.users if u.primary.connection == "email"] == [
        claims["sub"]
    ]


def test_sms_code_from_a_public_client(apps: Apps) -> None:
    answer = apps.start(apps.native).sms(PHONE)
    # The answer a real tenant gave (auth0/go-auth0 recording TestSendSMS.yaml).
    assert answer == {"_id": answer["_id"], "phone_number": PHONE, "phone_verified": True}
    sent = apps.tenant.outbox.latest(to=PHONE, template=SMS_TEMPLATE)
    assert sent is not None and sent["channel"] == "sms"

    sdk = apps.token(apps.native)
    tokens = sdk.passwordless_login(PHONE, sent["code"], "sms", "openid phone", None)
    claims = apps.verifier(apps.native).verify(tokens["id_token"])
    assert claims["sub"].startswith("sms|")
    assert claims["phone_number"] == PHONE and claims["phone_verified"] is True
    # A wrong code for a phone says so (Auth0's SDKs know the text:
    # https://github.com/auth0/Auth0.swift/blob/master/Auth0/AuthenticationError.swift).
    apps.start(apps.native).sms(PHONE)
    error = refused(lambda: sdk.passwordless_login(PHONE, "x", "sms", "openid", None))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "Wrong phone number or verification code."


def test_a_code_works_once(apps: Apps) -> None:
    apps.start().email(EMAIL, send="code")
    code = apps.emailed_code()
    apps.email_login(code)
    error = refused(lambda: apps.email_login(code))
    assert (error.status_code, error.error_code, error.message) == (
        403,
        "invalid_grant",
        WRONG_EMAIL_CODE,
    )


def test_a_new_code_replaces_the_one_before(apps: Apps) -> None:
    apps.start().email(EMAIL, send="code")
    first = apps.emailed_code()
    second = first
    while second == first:  # two draws of six digits may meet
        apps.start().email(EMAIL, send="code")
        second = apps.emailed_code()
    assert refused(lambda: apps.email_login(first)).message == WRONG_EMAIL_CODE
    apps.email_login(second)


def test_three_wrong_attempts_end_the_code(apps: Apps) -> None:
    apps.start().email(EMAIL, send="code")
    code = apps.emailed_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert refused(lambda: apps.email_login(wrong)).message == WRONG_EMAIL_CODE
    error = refused(lambda: apps.email_login(code))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == (
        "You've reached the maximum number of attempts. Please try to login again."
    )
    apps.start().email(EMAIL, send="code")
    apps.email_login(apps.emailed_code())


def test_a_code_lives_three_minutes_on_the_tenant_clock(apps: Apps) -> None:
    clock = apps.tenant.clock
    clock.freeze()
    apps.start().email(EMAIL, send="code")
    clock.advance(179)
    apps.email_login(apps.emailed_code())

    apps.start().email(EMAIL, send="code")
    clock.advance(180)
    error = refused(lambda: apps.email_login(apps.emailed_code()))
    assert (error.status_code, error.error_code) == (403, "invalid_grant")
    assert error.message == "The verification code has expired. Please try to login again."


def test_the_connection_sets_the_code_length_and_lifetime(apps: Apps) -> None:
    """``options.totp`` (OTP Length and OTP Expiry in the dashboard:
    https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-otp)."""
    tenant = apps.tenant
    email = tenant.connections["email"]
    tenant.update_connection(email.id, {"options": {"totp": {"time_step": 60, "length": 4}}})
    tenant.clock.freeze()
    apps.start().email(EMAIL, send="code")
    assert len(apps.emailed_code()) == 4
    tenant.clock.advance(60)
    assert "expired" in refused(lambda: apps.email_login(apps.emailed_code())).message


def test_a_code_is_for_the_client_it_was_sent_to(apps: Apps) -> None:
    apps.start(apps.native).email(EMAIL, send="code")
    code = apps.emailed_code()
    assert refused(lambda: apps.email_login(code)).message == WRONG_EMAIL_CODE


def test_the_grant_must_be_allowed_for_the_client(apps: Apps) -> None:
    tenant = apps.tenant
    tenant.update_client(apps.web.client_id, {"grant_types": ["authorization_code"]})
    error = refused(lambda: apps.start().email(EMAIL, send="code"))
    assert (error.status_code, error.error_code, error.message) == (
        403,
        "unauthorized_client",
        GRANT_REFUSED,
    )
    error = refused(lambda: apps.email_login("123456"))
    assert (error.status_code, error.error_code, error.message) == (
        403,
        "unauthorized_client",
        GRANT_REFUSED,
    )


def test_discovery_lists_the_passwordless_grant(raw: httpx.Client) -> None:
    """Discovery lists exactly the grants the token endpoint takes
    (docs/auth0-behaviour.md#discovery)."""
    config = raw.get("/.well-known/openid-configuration").json()
    assert OTP_GRANT in config["grant_types_supported"]


# -- /passwordless/start's refusals --------------------------------------------------------------


@pytest.fixture
def raw(auth0_tenant: Tenant) -> Iterator[httpx.Client]:
    transport = httpx.WSGITransport(app=create_app(auth0_tenant))
    with httpx.Client(transport=transport, base_url=auth0_tenant.base_url) as client:
        yield client


def test_start_refusals_are_auth0s_bad_errors(apps: Apps, raw: httpx.Client) -> None:
    """The bodies Auth0 documents for ``/passwordless/start``
    (https://github.com/auth0/docs/blob/master/articles/api/authentication/errors/_passwordless-start.md)."""
    web = {"client_id": apps.native.client_id}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({}, "bad.client_id", "Missing required property: client_id"),
        ({**web}, "bad.connection", "Missing required property: connection"),
        ({**web, "connection": "nope"}, "bad.connection", "Connection does not exist"),
        (
            {**web, "connection": "Username-Password-Authentication", "email": EMAIL},
            "bad.connection",
            "Invalid connection strategy. It must either be a passwordless connection",
        ),
        (
            {**web, "connection": "sms"},
            "bad.phone_number",
            "Missing required property: phone_number",
        ),
        (
            {**web, "connection": "sms", "phone_number": "555-1234"},
            "bad.phone_number",
            "String does not match pattern: ^\\+[0-9]{1,15}$",
        ),
        (
            {**web, "connection": "sms", "phone_number": PHONE + "\n"},
            "bad.phone_number",
            "String does not match pattern: ^\\+[0-9]{1,15}$",
        ),
        (
            {**web, "connection": "email", "email": EMAIL, "authParams": "scope=openid"},
            "bad.authParams",
            "error in authParams - invalid type: string (expected object)",
        ),
        (
            {**web, "connection": "email", "email": EMAIL, "colour": "red"},
            "bad.request",
            "the following properties are not allowed: colour",
        ),
        ({**web, "connection": "email"}, "bad.email", "Missing required property: email"),
    ]
    for body, error, description in cases:
        answer = raw.post("/passwordless/start", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json() == {"error": error, "error_description": description}, body
    assert apps.tenant.outbox.matching(template=EMAIL_TEMPLATE) == []


def test_start_on_a_connection_not_enabled_for_the_client(apps: Apps, raw: httpx.Client) -> None:
    tenant = apps.tenant
    tenant.set_connection_clients(
        tenant.connections["email"].id, [{"client_id": apps.native.client_id, "status": False}]
    )
    answer = raw.post(
        "/passwordless/start",
        json={"client_id": apps.native.client_id, "connection": "email", "email": EMAIL},
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "bad.connection",
        "error_description": "Connection is disabled",
    }


def test_a_confidential_client_proves_its_secret(apps: Apps, raw: httpx.Client) -> None:
    """Regular web applications send their secret
    (https://auth0.com/docs/api/authentication#get-code-or-link)."""
    body = {"client_id": apps.web.client_id, "connection": "email", "email": EMAIL}
    assert raw.post("/passwordless/start", json=body).status_code == 401
    body["client_secret"] = "wrong"
    assert raw.post("/passwordless/start", json=body).status_code == 401
    body["client_secret"] = apps.web.client_secret
    assert raw.post("/passwordless/start", json=body).status_code == 200


def test_an_sms_answer_names_the_language_asked_for(apps: Apps, raw: httpx.Client) -> None:
    """``x-request-language`` picks the message's language
    (https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp); the answer
    names it as auth0-java's ``PasswordlessSmsResponse`` reads it (CHOICES.md "passwordless: the
    answer's request_language")."""
    body = {"client_id": apps.native.client_id, "connection": "sms", "phone_number": PHONE}
    answer = raw.post("/passwordless/start", json=body, headers={"x-request-language": "fr"})
    assert answer.status_code == 200 and answer.json()["request_language"] == "fr"
    sent = apps.tenant.outbox.latest(to=PHONE, template=SMS_TEMPLATE)
    assert sent is not None and sent["language"] == "fr"
    assert "request_language" not in raw.post("/passwordless/start", json=body).json()
    answer = raw.post("/passwordless/start", json=[body])
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "bad.request",
        "error_description": "error in request - invalid type: array (expected object)",
    }


# -- the magic link ------------------------------------------------------------------------------


def _callback_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The application's callback: it shows what it received."""
    received = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(received).encode()]


def test_the_email_link_logs_in_and_lands_on_the_callback(apps: Apps) -> None:
    """The link leads to ``/passwordless/verify_redirect``, which logs the user in and sends the
    browser to the callback with what ``authParams`` asked for, as ``/authorize`` would
    (https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-magic-link)."""
    tenant = apps.tenant
    apps.start().email(
        EMAIL,
        send="link",
        auth_params={"redirect_uri": CALLBACK, "scope": "openid email", "state": "s-7"},
    )
    sent = tenant.outbox.latest(to=EMAIL, template=EMAIL_TEMPLATE)
    assert sent is not None and sent["send"] == "link"
    link = urlsplit(sent["link"])
    assert link.path == "/passwordless/verify_redirect"
    assert dict(parse_qsl(link.query))["verification_code"] == sent["code"]

    mounts = {
        tenant.base_url: httpx.WSGITransport(app=create_app(tenant)),
        "https://app.example.com": httpx.WSGITransport(app=_callback_app),
    }
    with httpx.Client(mounts=mounts, follow_redirects=True) as browser:
        landed = browser.get(sent["link"])
        assert landed.status_code == 200 and str(landed.url).startswith(CALLBACK)
        received = landed.json()
        assert received["state"] == "s-7"
        tokens = apps.token().authorization_code(received["code"], CALLBACK)
        claims = apps.verifier(apps.web).verify(tokens["id_token"])
        assert claims["sub"].startswith("email|") and claims["email"] == EMAIL.lower()

        # The link works once: the second visit brings the callback an error, no code.
        again = browser.get(sent["link"]).json()
        assert "code" not in again and again["error"] == "access_denied"
        assert again["error_description"] == WRONG_EMAIL_CODE

        # The login left an SSO session: a silent /authorize needs no login page.
        silent = browser.get(
            tenant.base_url + "/authorize",
            params={
                "client_id": apps.web.client_id,
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "scope": "openid",
                "prompt": "none",
            },
        ).json()
        assert "code" in silent, silent


def test_the_link_carries_the_connections_authentication_parameters(apps: Apps) -> None:
    """The connection's Authentication Parameters go into every link; a request's
    ``authParams`` override them
    (https://auth0.com/docs/authenticate/passwordless/authentication-methods/email-magic-link)."""
    tenant = apps.tenant
    tenant.update_connection(
        tenant.connections["email"].id,
        {"options": {"authParams": {"scope": "openid profile", "state": "from-connection"}}},
    )
    apps.start().email(EMAIL, send="link", auth_params={"state": "from-request"})
    sent = tenant.outbox.latest(to=EMAIL, template=EMAIL_TEMPLATE)
    assert sent is not None
    query = dict(parse_qsl(urlsplit(sent["link"]).query))
    assert query["scope"] == "openid profile" and query["state"] == "from-request"
    assert query["client_id"] == apps.web.client_id and query["connection"] == "email"


def test_a_link_to_an_unknown_callback_stops_on_the_error_page(apps: Apps) -> None:
    apps.start().email(EMAIL, send="link", auth_params={"redirect_uri": "https://evil.example"})
    sent = apps.tenant.outbox.latest(to=EMAIL, template=EMAIL_TEMPLATE)
    assert sent is not None
    transport = httpx.WSGITransport(app=create_app(apps.tenant))
    with httpx.Client(transport=transport) as browser:
        answer = browser.get(sent["link"])
    assert answer.status_code == 400 and "Callback URL mismatch" in answer.text
    assert not any(u.primary.connection == "email" for u in apps.tenant.users)


def test_passwordless_connections_made_with_the_management_api(
    apps: Apps, auth0_management: ManagementClient
) -> None:
    """``POST /connections`` with strategy ``sms`` and its options
    (https://auth0.com/docs/authenticate/passwordless/authentication-methods/sms-otp); the
    new connection's users are ``sms|`` users and its codes follow its ``totp``."""
    tenant = apps.tenant
    auth0_management.connections.delete(tenant.connections["sms"].id)
    created = auth0_management.connections.create(
        name="sms",
        strategy="sms",
        options={
            "name": "sms",
            "from": "+15550000000",
            "syntax": "md_with_macros",
            "template": "Your code is @@password@@",
            "totp": {"time_step": 300, "length": 8},
            "disable_signup": False,
        },
        enabled_clients=[apps.native.client_id],
    )
    assert created.strategy == "sms"
    tenant.clock.freeze()
    apps.start(apps.native).sms(PHONE)
    sent = tenant.outbox.latest(to=PHONE, template=SMS_TEMPLATE)
    assert sent is not None and len(sent["code"]) == 8
    tenant.clock.advance(299)
    tokens = apps.token(apps.native).passwordless_login(PHONE, sent["code"], "sms", "openid", None)
    sub = apps.verifier(apps.native).verify(tokens["id_token"])["sub"]
    user = tenant.get_user(sub)
    assert user.primary.provider == "sms" and user.profile["phone_number"] == PHONE


def test_a_seeded_sms_connection_and_its_users(auth0_tenant: Tenant) -> None:
    """A seed document holds passwordless connections with their options and their users
    (``sms|`` + 24 hex digits, docs/auth0-behaviour.md#user-ids);
    a seeded user logs in with a code and is found, not created again."""
    auth0_tenant.load_seed(
        {
            "clients": [
                {
                    "client_id": "native-app-1",
                    "name": "Native",
                    "app_type": "native",
                    "token_endpoint_auth_method": "none",
                    "grant_types": [OTP_GRANT],
                }
            ],
            "connections": [
                {
                    "name": "sms",
                    "strategy": "sms",
                    "options": {"totp": {"length": 4, "time_step": 60}},
                    "enabled_clients": ["native-app-1"],
                }
            ],
            "users": [
                {
                    "user_id": "sms|5f1e0c3a9b8d7e6f5a4b3c2d",
                    "phone_number": PHONE,
                    "identities": [
                        {
                            "provider": "sms",
                            "user_id": "5f1e0c3a9b8d7e6f5a4b3c2d",
                            "connection": "sms",
                            "isSocial": False,
                        }
                    ],
                }
            ],
        }
    )
    domain = auth0_tenant.domain
    Passwordless(domain, "native-app-1").sms(PHONE)
    sent = auth0_tenant.outbox.latest(to=PHONE, template=SMS_TEMPLATE)
    assert sent is not None and len(sent["code"]) == 4
    tokens = GetToken(domain, "native-app-1").passwordless_login(
        PHONE, sent["code"], "sms", "openid", None
    )
    keys = AsymmetricSignatureVerifier(auth0_tenant.base_url + "/.well-known/jwks.json")
    claims = TokenVerifier(keys, auth0_tenant.base_url + "/", "native-app-1").verify(
        tokens["id_token"]
    )
    assert claims["sub"] == "sms|5f1e0c3a9b8d7e6f5a4b3c2d"
    assert len(auth0_tenant.list_users()) == 1
