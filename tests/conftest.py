"""Shared fixtures: a fresh tenant, its WSGI app, the official SDK and a raw HTTP client on it.

Fixtures here are for every layer of the suite; keep each one small and documented.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from auth0.management import ManagementClient
from hypothesis import settings

from fakeauth0 import FakeAuth0App, Tenant, create_app
from tests.contract.conformance import SpecRecorder
from tests.support import RawClient

# Hypothesis profiles: "ci" (the default) keeps the suite fast; "long" is for a deep run on demand,
# e.g. FAKEAUTH0_HYPOTHESIS_PROFILE=long pytest tests/linking/test_state_machine.py
settings.register_profile(
    "ci",
    deadline=None,  # a first request builds the route table; wall time is no property
    stateful_step_count=25,
)
settings.register_profile(
    "long",
    deadline=None,
    max_examples=3000,
    stateful_step_count=50,
)
settings.load_profile(os.environ.get("FAKEAUTH0_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def spec_conformance(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SpecRecorder]:
    """Every in-process Management API exchange is judged by Auth0's spec
    (tests/contract/conformance.py); a breach fails the test that caused it.
    ``@pytest.mark.no_spec_check`` opts a test out (say why beside it)."""
    recorder = SpecRecorder()
    if request.node.get_closest_marker("no_spec_check") is None:
        monkeypatch.setattr(FakeAuth0App, "dispatch", recorder.wrap(FakeAuth0App.dispatch))
    yield recorder
    if recorder.violations:
        pytest.fail(
            "responses that break Auth0's spec:\n" + "\n".join(map(str, recorder.violations)),
            pytrace=False,
        )


@pytest.fixture
def tenant() -> Tenant:
    """A fresh tenant with Auth0's default connections and an all-scopes M2M client."""
    return Tenant("test-tenant.auth0.com")


@pytest.fixture
def app(tenant: Tenant) -> FakeAuth0App:
    return create_app(tenant)


@pytest.fixture
def http(tenant: Tenant, app: FakeAuth0App) -> Iterator[httpx.Client]:
    """An httpx client whose requests go straight into the tenant's WSGI app."""
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=tenant.base_url) as client:
        yield client


@pytest.fixture
def mgmt(tenant: Tenant, http: httpx.Client) -> ManagementClient:
    """The official auth0-python Management client, in-process, with an all-scopes token."""
    return ManagementClient(
        domain=tenant.domain, token=tenant.management_token(), httpx_client=http
    )


@pytest.fixture
def raw(tenant: Tenant, http: httpx.Client) -> RawClient:
    """Plain HTTP calls with a chosen token (or none): for what an SDK would not send."""
    return RawClient(tenant, http)
