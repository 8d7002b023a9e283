"""Shared fixtures: the plugin's tenant (``tenant``), plain HTTP clients on it (``http``, ``raw``)
and a ``fakeauth0 serve`` subprocess (``served``). The SDK client is the plugin's
``auth0_management``.

Fixtures here are for every layer of the suite; keep each one small and documented.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import settings

from fakeauth0 import FakeAuth0App, Tenant, create_app
from tests.contract.conformance import SpecRecorder
from tests.server.serving import Served, serve
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
def tenant(auth0_tenant: Tenant) -> Tenant:
    """The plugin's ``auth0_tenant`` (Auth0's default connections, an all-scopes M2M client),
    under the short name nearly every test takes."""
    return auth0_tenant


@pytest.fixture
def http(tenant: Tenant) -> Iterator[httpx.Client]:
    """httpx on the tenant's app, sending only the headers a test gives (``auth0_httpx`` adds a
    token to every request): for ``/oauth/token``, the control plane and requests with no token."""
    transport = httpx.WSGITransport(app=create_app(tenant))
    with httpx.Client(transport=transport, base_url=tenant.base_url) as client:
        yield client


@pytest.fixture
def raw(tenant: Tenant, http: httpx.Client) -> RawClient:
    """Plain HTTP calls with a chosen token (or none): for what an SDK would not send."""
    return RawClient(tenant, http)


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """A real ``fakeauth0 serve`` subprocess; ``@pytest.mark.serve(*args)`` adds CLI arguments."""
    mark = request.node.get_closest_marker("serve")
    running = serve(*(mark.args if mark else ()))
    yield running
    running.stop()
