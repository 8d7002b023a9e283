"""A small directory of users for the search tests, built through the public Tenant API."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from auth0.management import ManagementClient

from fakeauth0 import Tenant
from fakeauth0.users import User
from tests.support import DB, PASSWORD


def put(tenant: Tenant, user: User, **changes: Any) -> User:
    """Set attributes only logins set (logins_count, last_login, blocked ...), as a login would."""
    updated = dataclasses.replace(user, **changes)
    tenant.users.put(updated)
    return updated


@pytest.fixture
def people(tenant: Tenant) -> dict[str, User]:
    """Six users whose differences every search test leans on."""
    db = tenant.create_user
    jane = db(
        {
            "connection": DB,
            "email": "Jane.Smith@Example.com",
            "password": PASSWORD,
            "name": "Jane Smith",
            "given_name": "Jane",
            "family_name": "Smith",
            "app_metadata": {"plan": "gold", "roles": ["admin", "editor"], "level": 3},
            "user_metadata": {
                "addresses": [{"city": "Paris"}, {"city": "Lyon"}],
                "display": {"preferredLanguage": "fr"},
                "newsletter": True,
            },
        }
    )
    jane = put(tenant, jane, logins_count=150, last_login="2024-06-15T10:00:00.000Z")
    john = db(
        {
            "connection": DB,
            "email": "john.doe@contoso.com",
            "password": PASSWORD,
            "name": "John Doe",
            "given_name": "John",
            "app_metadata": {"plan": "free", "roles": [], "level": 1, "note": None},
            "user_metadata": {"display": {}},
        }
    )
    john = put(tenant, john, logins_count=0, created_at="2017-12-05T08:00:00.000Z")
    johanna = db(
        {
            "connection": DB,
            "email": "johanna@usa.example.org",
            "password": PASSWORD,
            "name": "Johanna Usa",
            "app_metadata": {"plan": "Gold"},
        }
    )
    johanna = put(
        tenant,
        johanna,
        created_at="2018-01-20T00:00:00.000Z",
        profile={**johanna.profile, "blocked": True},
    )
    google = tenant.add_social_user(
        "google-oauth2",
        "103547991597142817347",
        {"email": "Jane.Smith@Gmail.com", "name": "jane smith", "email_verified": True},
    )
    passwordless = tenant.create_user({"connection": "email", "email": "otp@example.com"})
    phone = tenant.create_user({"connection": "sms", "phone_number": "+15555550100"})
    return {
        "jane": jane,
        "john": john,
        "johanna": johanna,
        "google": google,
        "otp": passwordless,
        "phone": phone,
    }


def ids(pager: Any) -> list[str]:
    """The user ids of an SDK pager's first page."""
    return [user.user_id for user in pager.items]


@pytest.fixture
def search(auth0_management: ManagementClient) -> Any:
    """``search(q, **params)`` -> user ids, through the official SDK and search_engine=v3."""

    def run(q: str, **params: Any) -> list[str]:
        return ids(auth0_management.users.list(q=q, search_engine="v3", **params))

    return run
