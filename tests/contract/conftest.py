"""The fake or a real Auth0 tenant, behind one interface, for ``@pytest.mark.auth0_contract`` tests.

A test that takes ``auth0_target`` runs twice: against the fake (in-process: the official SDKs'
``requests`` and ``httpx`` calls to ``https://<domain>`` are intercepted) and against a real
development tenant when ``AUTH0_DOMAIN``, ``AUTH0_CLIENT_ID`` and ``AUTH0_CLIENT_SECRET`` are set
(an M2M application granted the Management API scopes the tests use). Without them the real-tenant
run is skipped, saying so. The bodies are the same; :func:`normalise` hides what differs by nature
(generated ids, dates, avatar URLs). Everything a test creates is deleted afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from auth0.authentication import GetToken
from auth0.management import ManagementClient

from fakeauth0 import Tenant

CREDENTIALS = ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET")
SKIP_REASON = (
    "no real Auth0 tenant: set AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET "
    "(an M2M app with read/create/update/delete:users) to run this against it"
)


@dataclass
class Target:
    """Where the contract tests run: ``name`` is ``fake`` or ``auth0``."""

    name: str
    domain: str
    client_id: str
    client_secret: str
    created: list[str] = field(default_factory=list)
    _token: str | None = None

    @property
    def audience(self) -> str:
        return f"https://{self.domain}/api/v2/"

    def token(self) -> str:
        if self._token is None:
            got = GetToken(self.domain, self.client_id, self.client_secret).client_credentials(
                self.audience
            )
            self._token = got["access_token"]
        return self._token

    def management(self) -> ManagementClient:
        return ManagementClient(domain=self.domain, token=self.token())

    def unique_email(self, label: str) -> str:
        """An address no earlier run used (a real tenant keeps what a crashed run left)."""
        return f"fakeauth0-contract-{label}-{uuid.uuid4().hex[:12]}@example.com"

    def created_user(self, user_id: str) -> str:
        self.created.append(user_id)
        return user_id


_HEX_ID = re.compile(r"^(auth0|email|sms)\|[0-9a-f]{24}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def normalise(value: Any) -> Any:
    """Replace what differs between any two tenants by nature: generated ids, dates, avatars."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "picture" and isinstance(item, str):
                out[key] = "<picture>"
            elif key == "user_id" and isinstance(item, str) and re.fullmatch("[0-9a-f]{24}", item):
                out[key] = "<id>"
            else:
                out[key] = normalise(item)
        return out
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, datetime):  # the SDK's models parse dates
        return "<date>"
    if isinstance(value, str):
        if _HEX_ID.match(value):
            return value.split("|")[0] + "|<id>"
        if _DATE.match(value):
            return "<date>"
    return value


@pytest.fixture(params=["fake", "auth0"])
def auth0_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "fake":
        tenant: Tenant = request.getfixturevalue("tenant")
        request.getfixturevalue("auth0_intercept")
        client = tenant.management_client
        yield Target("fake", tenant.domain, client.client_id, client.client_secret)
        return  # the tenant goes with the test
    missing = [name for name in CREDENTIALS if not os.environ.get(name)]
    if missing:
        pytest.skip(SKIP_REASON)
    target = Target("auth0", *(os.environ[name] for name in CREDENTIALS))
    yield target
    _cleanup(target)


def _cleanup(target: Target) -> None:
    if not target.created:
        return
    mgmt = target.management()
    for user_id in target.created:
        mgmt.users.delete(user_id)
