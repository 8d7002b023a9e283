"""A browser on the tenant's app: logging a user in through ``/authorize`` and the login page,
as an application's users do, so logout and silent-login tests start from a real SSO session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import jwt
from werkzeug.test import Client as Browser
from werkzeug.test import TestResponse

from fakeauth0 import Client, Tenant, create_app

CALLBACK = "https://app.example.com/cb"
EMAIL = "ada@example.com"
PASSWORD = "Passw0rd!x"


@dataclass
class Login:
    """What a finished login leaves: the browser holding the ``auth0`` cookie, the ID token."""

    browser: Browser
    client: Client
    id_token: str

    @property
    def sid(self) -> str:
        return str(jwt.decode(self.id_token, options={"verify_signature": False})["sid"])


def browser(tenant: Tenant) -> Browser:
    return Browser(create_app(tenant))


def get(browser: Browser, tenant: Tenant, path: str, **query: str) -> TestResponse:
    return browser.get(path, query_string=query or None, base_url=tenant.base_url)


def web_app(tenant: Tenant, logout_urls: list[str] | None = None, name: str = "web") -> Client:
    body: dict[str, object] = {"name": name, "app_type": "regular_web", "callbacks": [CALLBACK]}
    if logout_urls is not None:
        body["allowed_logout_urls"] = logout_urls
    return tenant.create_client_from(body)


def add_user(tenant: Tenant) -> None:
    tenant.create_user(
        {"connection": "Username-Password-Authentication", "email": EMAIL, "password": PASSWORD}
    )


def log_in(tenant: Tenant, client: Client, web: Browser | None = None) -> Login:
    """The code flow: ``/authorize``, the login form, ``/authorize/resume``, the exchange."""
    web = web or browser(tenant)
    query = {
        "client_id": client.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "app-state",
    }
    page = get(web, tenant, get(web, tenant, "/authorize", **query).headers["Location"])
    handle = re.search(r'name="state" value="([^"]+)"', page.text)
    assert handle is not None, page.text
    form = {"state": handle.group(1), "username": EMAIL, "password": PASSWORD}
    signed_in = web.post("/u/login", data=form, base_url=tenant.base_url)
    assert signed_in.status_code == 302, signed_in.text
    callback = get(web, tenant, signed_in.headers["Location"]).headers["Location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    tokens = web.post("/oauth/token", json=exchange, base_url=tenant.base_url).json
    assert tokens is not None and "id_token" in tokens, tokens
    return Login(web, client, tokens["id_token"])


def silent_login(tenant: Tenant, login: Login) -> str:
    """``/authorize?prompt=none`` in the browser: the callback URL it answers with."""
    query = {
        "client_id": login.client.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "prompt": "none",
        "state": "silent",
    }
    response = get(login.browser, tenant, "/authorize", **query)
    assert response.status_code == 302, response.text
    return str(response.headers["Location"])


def cleared_cookies(response: TestResponse) -> set[str]:
    """The cookies a response expires."""
    names = set()
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if "Expires=Thu, 01 Jan 1970" in rest or "Max-Age=0" in rest:
            names.add(name)
    return names
