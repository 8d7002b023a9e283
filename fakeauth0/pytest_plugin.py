"""fakeauth0's pytest plugin (loaded by ``conftest_plugin``, the ``pytest11`` entry point).

Fixtures, all named ``auth0_*``:

- configuration, to override in your ``conftest.py`` (or per test with the ``auth0`` marker):
  ``auth0_domain``, ``auth0_seed``, ``auth0_connections``, ``auth0_clients``, ``auth0_users``;
- ``auth0_tenant``: a fresh tenant per test; ``auth0_tenant_factory``: more tenants, by domain;
  ``auth0_fresh_tenant``: a fresh tenant per Hypothesis example;
- clients bound to the tenant in-process: ``auth0_token`` (a factory of Management API tokens),
  ``auth0_httpx``, ``auth0_requests``, ``auth0_management`` (the official SDK's client);
- ``auth0_intercept``: calls to ``https://<domain>/`` from any httpx/requests/aiohttp client
  the code under test builds go to the tenant;
- ``auth0_server``: a live server (one per session, a clean tenant per test).

Errors raised inside the fake (a bug of ours, in-process or in the server thread) fail the test
that caused them instead of hiding behind a 500; ``@pytest.mark.auth0(server_errors="allow")``
turns that off for a test that expects them.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from fakeauth0 import Tenant
from fakeauth0.tokens import KEY_POOL

if TYPE_CHECKING:
    import httpx
    import requests

    from fakeauth0.intercept import Interceptor
    from fakeauth0.logins import LoginResult
    from fakeauth0.server import FakeAuth0Server

__all__ = [
    "_auth0_errors",
    "auth0_clients",
    "auth0_config",
    "auth0_connections",
    "auth0_domain",
    "auth0_fresh_tenant",
    "auth0_httpx",
    "auth0_intercept",
    "auth0_live_server",
    "auth0_login",
    "auth0_management",
    "auth0_requests",
    "auth0_seed",
    "auth0_server",
    "auth0_tenant",
    "auth0_tenant_factory",
    "auth0_token",
    "auth0_users",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_call",
]

_ERRORS = pytest.StashKey["_ErrorCollector"]()
_MARKER_KEYS = frozenset(
    {
        "domain",
        "seed",
        "connections",
        "clients",
        "users",
        "search_lag",
        "rules",
        "strict",
        "server_errors",
    }
)
#: A connection given as (name, strategy) or (name, strategy, options), or a dict of those.
ConnectionSpec = tuple[str, str] | tuple[str, str, dict[str, Any]] | dict[str, Any]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "auth0(domain=, seed=, connections=, clients=, users=, search_lag=, rules=, strict=, "
        "server_errors=): "
        "configure this test's fake Auth0 tenant (fakeauth0)",
    )
    KEY_POOL.warm()  # make signing keys while pytest collects


class _ErrorCollector(logging.Handler):
    """Keeps the exceptions the fake logs while one test runs (in any thread)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)

    def report(self) -> str:
        formatter = logging.Formatter()
        return "\n\n".join(
            f"{r.getMessage()}\n{formatter.formatException(r.exc_info)}"  # type: ignore[arg-type]
            for r in self.records
            if r.exc_info
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test naming auth0_fresh_tenant (session-scoped, so Hypothesis's function-scoped-fixture
    # check passes) also sets up its tenant configuration and error collection, unnamed.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "auth0_fresh_tenant" in names:
            names.extend(n for n in ("auth0_config", "_auth0_errors") if n not in names)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    funcargs = getattr(item, "funcargs", {})
    fresh = funcargs.get("auth0_fresh_tenant")
    if isinstance(fresh, FreshTenants):
        fresh._config = funcargs["auth0_config"]
        fresh._strict = _node_marker(item).get("strict", True)
    try:
        result = yield
    finally:
        if isinstance(fresh, FreshTenants):
            fresh._config = None
    collector = item.stash.get(_ERRORS, None)
    if collector is not None and collector.records:
        pytest.fail(
            "fakeauth0 raised while serving this test's requests (answered 500):\n"
            + collector.report(),
            pytrace=False,
        )
    return result


def _marker(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The merged keyword arguments of every ``auth0`` marker on the test (closest wins)."""
    return _node_marker(request.node)


def _node_marker(node: pytest.Item) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers("auth0"))):
        unknown = set(mark.kwargs) - _MARKER_KEYS
        if unknown or mark.args:
            raise pytest.UsageError(
                f"@pytest.mark.auth0 takes keywords {sorted(_MARKER_KEYS)}; got {sorted(unknown)}"
                + (f" and positional {mark.args}" if mark.args else "")
            )
        merged.update(mark.kwargs)
    return merged


@pytest.fixture
def _auth0_errors(request: pytest.FixtureRequest) -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    if _marker(request).get("server_errors", "fail") == "allow":
        yield collector
        return
    logger = logging.getLogger("fakeauth0")
    logger.addHandler(collector)
    request.node.stash[_ERRORS] = collector
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


# -- configuration: override these in your conftest.py -------------------------------------------


@pytest.fixture
def auth0_domain() -> str:
    """The fake tenant's domain; override this fixture in your ``conftest.py`` to change it."""
    return "fake-tenant.auth0.com"


@pytest.fixture
def auth0_seed() -> int | str | None:
    """Seed of the tenant's id source (user ids, client ids); None: random ids."""
    return None


@pytest.fixture
def auth0_connections() -> list[ConnectionSpec]:
    """Connections added to Auth0's defaults, e.g. ``[("github", "github")]`` or
    ``[{"name": "corp-db", "strategy": "auth0", "options": {"passwordPolicy": "low"}}]``."""
    return []


@pytest.fixture
def auth0_clients() -> list[dict[str, Any]]:
    """Applications added to the tenant: keyword arguments of :meth:`Tenant.create_client`,
    e.g. ``[{"name": "backend", "scopes": ["read:users"]}]``."""
    return []


@pytest.fixture
def auth0_users() -> list[dict[str, Any]]:
    """Users every test starts with: ``POST /users`` bodies, created in order."""
    return []


class TenantConfig:
    """What a new tenant of this test gets: the config fixtures, overridden by the marker."""

    def __init__(
        self,
        domain: str,
        seed: int | str | None,
        connections: Iterable[ConnectionSpec],
        clients: Iterable[dict[str, Any]],
        users: Iterable[dict[str, Any]],
        search_lag: float = 0.0,
        rules: bool = False,
    ) -> None:
        self.domain = domain
        self.seed = seed
        self.connections = list(connections)
        self.clients = list(clients)
        self.users = list(users)
        #: Seconds before a write shows in search (``@pytest.mark.auth0(search_lag=2)``).
        self.search_lag = search_lag
        #: A legacy tenant that keeps classic Rules (``@pytest.mark.auth0(rules=True)``).
        self.rules = rules

    def build(self, domain: str | None = None) -> Tenant:
        tenant = Tenant(
            domain or self.domain, seed=self.seed, search_lag=self.search_lag, rules=self.rules
        )
        for spec in self.connections:
            if isinstance(spec, dict):
                tenant.create_connection(spec["name"], spec["strategy"], spec.get("options"))
            else:
                tenant.create_connection(*spec)
        for client in self.clients:
            tenant.create_client(**client)
        for body in self.users:
            tenant.create_user(dict(body))
        return tenant


@pytest.fixture
def auth0_config(
    request: pytest.FixtureRequest,
    auth0_domain: str,
    auth0_seed: int | str | None,
    auth0_connections: list[ConnectionSpec],
    auth0_clients: list[dict[str, Any]],
    auth0_users: list[dict[str, Any]],
) -> TenantConfig:
    """The tenant configuration of this test (config fixtures, then the ``auth0`` marker)."""
    mark = _marker(request)
    return TenantConfig(
        mark.get("domain", auth0_domain),
        mark.get("seed", auth0_seed),
        mark.get("connections", auth0_connections),
        mark.get("clients", auth0_clients),
        mark.get("users", auth0_users),
        mark.get("search_lag", 0.0),
        mark.get("rules", False),
    )


# -- tenants -------------------------------------------------------------------------------------


@pytest.fixture
def auth0_tenant(auth0_config: TenantConfig, _auth0_errors: _ErrorCollector) -> Tenant:
    """A fresh, isolated fake tenant with Auth0's default connections and an M2M client,
    plus whatever the configuration fixtures and the ``auth0`` marker add."""
    return auth0_config.build()


@pytest.fixture
def auth0_tenant_factory(
    auth0_config: TenantConfig, auth0_tenant: Tenant
) -> Callable[[str], Tenant]:
    """Make more tenants for this test, one per domain: ``other = auth0_tenant_factory("b.x")``.

    Each is configured like ``auth0_tenant`` and has its own users, clients and signing key.
    """
    made: dict[str, Tenant] = {auth0_tenant.domain: auth0_tenant}

    def make(domain: str) -> Tenant:
        if domain in made:
            raise ValueError(f"this test already has a tenant for {domain}")
        made[domain] = tenant = auth0_config.build(domain)
        return tenant

    return make


class FreshTenants:
    """What ``auth0_fresh_tenant`` gives a test: ``with auth0_fresh_tenant() as tenant:`` builds
    a new tenant configured like ``auth0_tenant`` (the configuration fixtures and the ``auth0``
    marker of the running test) and routes calls to its domain to it while the block runs."""

    def __init__(self) -> None:
        self._config: TenantConfig | None = None
        self._strict = True

    def __call__(self, *, intercept: bool = True) -> contextlib.AbstractContextManager[Tenant]:
        """A new tenant for the ``with`` block; ``intercept=False`` leaves the HTTP libraries
        alone (for code handed a client such as ``httpx.WSGITransport(app=create_app(t))``)."""
        if self._config is None:
            raise RuntimeError("auth0_fresh_tenant() makes tenants while a test runs")
        return self._fresh(self._config, intercept)

    @contextlib.contextmanager
    def _fresh(self, config: TenantConfig, intercept: bool) -> Iterator[Tenant]:
        tenant = config.build()
        if not intercept:
            yield tenant
            return
        from fakeauth0.intercept import Interceptor

        with Interceptor([tenant], strict=self._strict):
            yield tenant


@pytest.fixture(scope="session")
def auth0_fresh_tenant() -> FreshTenants:
    """A fresh tenant per Hypothesis example: ``with auth0_fresh_tenant() as tenant: ...``.

    Function-scoped fixtures (``auth0_tenant``, ``auth0_intercept``) are set up once per test,
    not once per example, and Hypothesis refuses them in a ``@given`` test; this one is
    session-scoped and builds each tenant from the running test's configuration, with calls
    to its domain intercepted inside the block.
    """
    return FreshTenants()


@pytest.fixture
def auth0_token(auth0_tenant: Tenant) -> Callable[..., str]:
    """A factory of Management API tokens for the tenant's M2M client:
    ``auth0_token()`` has every scope, ``auth0_token("read:users")`` or
    ``auth0_token(["read:users", "update:users"])`` only those."""

    def token(scopes: str | Iterable[str] | None = None) -> str:
        if isinstance(scopes, str):
            scopes = scopes.split()
        return auth0_tenant.management_token(scopes)

    return token


class _LazyBearer:
    """Signs the token on the first request, so a test that never calls pays nothing."""

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant
        self._token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self._tenant.management_token()
        return self._token


@pytest.fixture
def auth0_login(auth0_tenant: Tenant) -> Callable[..., LoginResult]:
    """Log a user in without the login page, as Cypress users hand-roll against Auth0:
    ``auth0_login("ann@example.com", client_id=app.client_id, audience=API, scope="openid
    offline_access read:items")`` runs the login (hooks, ``logins_count``) and returns what the
    app would get from ``/oauth/token`` (``.tokens``), with the user (``.user``)."""
    return auth0_tenant.login_as


@pytest.fixture
def auth0_httpx(auth0_tenant: Tenant) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` reaching the tenant in-process, base URL ``https://<domain>``,
    authorized with an all-scopes Management API token (replace the header to change it)."""
    import httpx

    from fakeauth0 import create_app

    bearer = _LazyBearer(auth0_tenant)

    def authorize(request: httpx.Request) -> httpx.Request:
        request.headers.setdefault("Authorization", "Bearer " + bearer.token)
        return request

    client = httpx.Client(
        base_url=auth0_tenant.base_url,
        transport=httpx.WSGITransport(app=create_app(auth0_tenant)),
        event_hooks={"request": [authorize]},
    )
    with client:
        yield client


@pytest.fixture
def auth0_requests(auth0_tenant: Tenant) -> Iterator[requests.Session]:
    """A ``requests.Session`` reaching the tenant in-process, base URL ``https://<domain>``
    (``session.get("/api/v2/users")``, as with ``auth0_httpx``; absolute URLs work too),
    authorized with an all-scopes Management API token unless a request sets its own."""
    from fakeauth0.intercept import mount_requests

    bearer = _LazyBearer(auth0_tenant)

    def authorize(request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.setdefault("Authorization", "Bearer " + bearer.token)
        return request

    session = mount_requests(_session_type()(auth0_tenant.base_url), auth0_tenant)
    session.auth = authorize
    with session:
        yield session


@functools.cache
def _session_type() -> type[requests.Session]:
    """A ``requests.Session`` with a base URL, which requests itself does not have."""
    import requests

    class BaseURLSession(requests.Session):
        def __init__(self, base_url: str) -> None:
            super().__init__()
            self.base_url = base_url.rstrip("/") + "/"

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            if isinstance(url, bytes):
                url = url.decode("utf-8")
            return super().request(
                method, urllib.parse.urljoin(self.base_url, url), *args, **kwargs
            )

    return BaseURLSession


@pytest.fixture
def auth0_management(auth0_tenant: Tenant) -> Iterator[Any]:
    """The official SDK's ``auth0.management.ManagementClient`` wired to the tenant in-process
    (skips the test when auth0-python is not installed)."""
    pytest.importorskip("auth0.management", reason="auth0-python is not installed")
    import httpx
    from auth0.management import ManagementClient

    from fakeauth0 import create_app

    http = httpx.Client(transport=httpx.WSGITransport(app=create_app(auth0_tenant)))
    with http:
        yield ManagementClient(
            domain=auth0_tenant.domain, token=auth0_tenant.management_token(), httpx_client=http
        )


@pytest.fixture
def auth0_intercept(request: pytest.FixtureRequest, auth0_tenant: Tenant) -> Iterator[Interceptor]:
    """While the test runs, httpx (sync and async), requests and aiohttp calls to
    ``https://<domain>/...`` go to the tenant in-process; ``.add(tenant)`` serves more.

    A call to a path the fake does not serve raises ``UnservedRoute``. The test function may
    catch it (``with pytest.raises(UnservedRoute): ...``); if the code under test swallowed it
    instead, the test fails at teardown all the same. ``@pytest.mark.auth0(strict=False)``
    turns this off: unserved paths are then answered by the app (404), as any other request.
    """
    from fakeauth0.intercept import Interceptor

    strict = _marker(request).get("strict", True)
    with Interceptor([auth0_tenant], strict=strict) as interceptor:
        yield interceptor
    test_code = getattr(inspect.unwrap(request.function), "__code__", None)
    swallowed = [
        e.where for e in interceptor.raised if test_code is None or not e.caught_in(test_code)
    ]
    if swallowed:
        pytest.fail(
            "fakeauth0 was called on routes it does not serve: " + ", ".join(swallowed),
            pytrace=False,
        )


# -- the live server -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def auth0_live_server() -> Iterator[FakeAuth0Server]:
    """One server for the whole session (a free loopback port); prefer ``auth0_server``,
    which resets it for each test."""
    from fakeauth0.server import FakeAuth0Server

    server = FakeAuth0Server(port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def auth0_server(
    auth0_live_server: FakeAuth0Server,
    auth0_config: TenantConfig,
    _auth0_errors: _ErrorCollector,
) -> FakeAuth0Server:
    """The session's live server, serving a clean tenant built for this test.

    The tenant's domain is the server's ``host:port`` (issuer and audience match the URL);
    ``.url`` is its base URL, ``.tenant`` the tenant, ``.tenant.management_client`` the
    M2M client whose id and secret another process can use at ``/oauth/token``.
    """
    host, port = auth0_live_server.url.removeprefix("http://").rsplit(":", 1)
    auth0_live_server.use_tenant(auth0_config.build(f"{host}:{port}"))
    return auth0_live_server
