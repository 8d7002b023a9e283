"""The project's own configuration of the fake tenant: nothing here but fixture overrides."""

import pytest


@pytest.fixture
def auth0_domain() -> str:
    return "signup-service.eu.auth0.com"


@pytest.fixture
def auth0_users() -> list[dict[str, str]]:
    return [
        {
            "connection": "Username-Password-Authentication",
            "email": "existing@example.com",
            "password": "Existing1!",
        }
    ]
