"""fakeauth0's pytest plugin (a ``pytest11`` entry point): a fake Auth0 tenant per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeauth0 import Tenant


@pytest.fixture
def auth0_domain() -> str:
    """The fake tenant's domain; override this fixture in your ``conftest.py`` to change it."""
    return "fake-tenant.auth0.com"


@pytest.fixture
def auth0_tenant(auth0_domain: str) -> Iterator[Tenant]:
    """A fresh, isolated fake tenant with Auth0's default connections and an M2M client."""
    yield Tenant(auth0_domain)
