"""What the login tests share: a tenant with a regular web app (callbacks, a secret), a
single-page app (a public client: ``token_endpoint_auth_method: none``), an API with scopes that
allows offline access, a database user, and a browser on the tenant that keeps its cookies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from fakeauth0 import Client, Tenant, User, create_app
from tests.support import DB, PASSWORD

CALLBACK = "https://app.example.com/callback"
OTHER_CALLBACK = "https://app.example.com/other"
SPA_ORIGIN = "https://spa.example.com"
SPA_CALLBACK = SPA_ORIGIN + "/"
API = "https://api.example.com/"
API_SCOPES = ("read:items", "write:items")
EMAIL = "ada@example.com"

__all__ = ["API", "API_SCOPES", "CALLBACK", "DB", "EMAIL", "PASSWORD", "SPA_CALLBACK"]


@dataclass
class Apps:
    """The tenant and what the login tests log into."""

    tenant: Tenant
    web: Client
    spa: Client
    user: User


def make_apps(tenant: Tenant) -> Apps:
    tenant.create_resource_server(
        {
            "identifier": API,
            "name": "Items",
            "scopes": [{"value": s, "description": s} for s in API_SCOPES],
            "allow_offline_access": True,
            # First-party apps on verifiable callbacks log in without a consent screen
            # (tests/login/test_consent.py covers the screen).
            "skip_consent_for_verifiable_first_party_clients": True,
        }
    )
    web = tenant.create_client_from(
        {
            "name": "Web app",
            "app_type": "regular_web",
            "callbacks": [CALLBACK, OTHER_CALLBACK],
            "web_origins": ["https://app.example.com"],
        }
    )
    spa = tenant.create_client_from(
        {
            "name": "SPA",
            "app_type": "spa",
            "token_endpoint_auth_method": "none",
            "callbacks": [SPA_CALLBACK],
            "web_origins": [SPA_ORIGIN],
        }
    )
    user = tenant.create_user(
        {"connection": DB, "email": EMAIL, "password": PASSWORD, "name": "Ada Lovelace"}
    )
    return Apps(tenant, web, spa, user)


@pytest.fixture
def apps(auth0_tenant: Tenant) -> Apps:
    return make_apps(auth0_tenant)


@pytest.fixture
def browser(auth0_tenant: Tenant) -> Iterator[httpx.Client]:
    """httpx on the tenant's app at ``https://<domain>``, keeping cookies as a browser does;
    redirects are followed by the test (tests/login/browser.py), never by httpx."""
    transport = httpx.WSGITransport(app=create_app(auth0_tenant))
    with httpx.Client(transport=transport, base_url=auth0_tenant.base_url) as client:
        yield client
