"""The whole state of one fake tenant, and the operations the Management API exposes on it."""

from __future__ import annotations

import copy
import dataclasses
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, NamedTuple

from . import (
    access,
    actions,
    apis,
    authorization,
    blocks,
    clients,
    grants,
    linking,
    logins,
    logouts,
    passwordless,
    passwordless_registration,
    post_login,
    registration,
    rule_pipeline,
    session_views,
    signups,
    snapshot,
    tickets,
)
from . import connections as connection_rules
from . import email_templates as mail_templates
from . import jobs as job_rules
from . import organizations as org_rules
from . import rules as rule_records
from .access import Role
from .action_cache import ActionCache
from .actions import Action, ActionBook, Binding, Version
from .apis import ResourceServer
from .caller import Caller
from .clients import Client
from .clock import Clock, format_iso
from .connections import Connection, default_connections, require_connection
from .errors import Auth0Error, FakeMsg, Msg, OAuthError, OAuthMsg, SignupError, SignupMsg
from .executions import Execution, ExecutionLog, TokenChanges
from .faults import Faults, operation_name
from .ids import IdSource
from .js import DEFAULT_TIMEOUT, RunResult, run_post_login
from .logins import LoginHook, LoginResult
from .logs import DEFAULT_CAPACITY, LogBook
from .organizations import Organization
from .outbox import Outbox
from .rule_pipeline import RuleRunLog
from .rules import Rule, RuleBook
from .search import SearchPage, UserSearch
from .sessions import Grant, Session, SessionBook
from .settings import TenantSettings
from .spec import load_spec
from .tokens import SigningKey, TokenAuthority
from .uniqueness import find_duplicate
from .users import (
    User,
    UserDirectory,
    added_social_user,
    apply_connection_update,
    build_user,
    drop_connection_users,
    drop_user_by_email,
)

if TYPE_CHECKING:
    from .store import StateStore as Persistence

#: Every scope of the Management API, from the spec's ``oAuth2ClientCredentials`` flow.
MANAGEMENT_SCOPES: tuple[str, ...] = tuple(load_spec()["scopes"])
CALL_LOG_SIZE = 10_000
#: How many logins suspended by a redirect Action a tenant keeps (the oldest go first).
PAUSES_KEPT = 1000


class CallRecord(NamedTuple):
    """One request the tenant served, for tests to assert on. A tuple of strings and a number:
    a full log of them is invisible to the garbage collector, and one is made per request."""

    method: str
    path: str
    operation: str | None
    status: int


class CallLog(deque[CallRecord]):
    """The calls a tenant served, oldest first, with filters that keep assertions short:
    ``assert tenant.calls.operations() == ["post_users", "get_users_by_id"]``."""

    def matching(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
    ) -> list[CallRecord]:
        """The calls equal to every field given (``method`` case-insensitive; ``operation``
        in either spelling, ``get_users-by-email`` or ``get_users_by_email``)."""
        operation = None if operation is None else operation_name(operation)
        return [
            c
            for c in self
            if (method is None or c.method == method.upper())
            and (path is None or c.path == path)
            and (operation is None or c.operation == operation)
            and (status is None or c.status == status)
        ]

    def operations(self) -> list[str | None]:
        """The operation ids served, in order (the spec's names, e.g. ``get_users``)."""
        return [c.operation for c in self]

    @property
    def last(self) -> CallRecord | None:
        return self[-1] if self else None


#: Seed keys that the extensibility books read, not ``fakeauth0.snapshot``.
_EXTENSIBILITY_KEYS = ("actions", "bindings", "rules", "rules_configs", "email_templates")


class Tenant:
    """One fake Auth0 tenant: users, connections, clients, a signing key, a clock, an id source.

    Every public operation runs under the tenant's lock, so one tenant may serve many threads.
    A new tenant has Auth0's defaults: the ``Username-Password-Authentication`` database, the
    ``google-oauth2`` social connection, the passwordless ``email`` and ``sms`` connections, and
    one machine-to-machine client granted every Management API scope.
    """

    def __init__(
        self,
        domain: str = "fake.auth0.com",
        *,
        seed: int | str | None = None,
        clock: Clock | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        search_engine: str = "v3",
        search_lag: float = 0.0,
        rules: bool = False,
        log_capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.domain = domain
        self.ids = IdSource(seed)
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.users = UserDirectory()
        if search_engine not in ("v2", "v3"):
            raise ValueError(f"search_engine must be 'v2' or 'v3', not {search_engine!r}")
        #: "v3" (every tenant today), or "v2" to also serve the legacy engine
        #: (docs/auth0-behaviour.md#the-legacy-v2-engine).
        self.search_engine = search_engine
        self.user_search = UserSearch(self.users, self.clock)
        #: Seconds on the tenant clock before a write shows in search (0: at once); what
        #: :meth:`reset` returns to.
        self.configured_search_lag = float(search_lag)
        self.user_search.lag = self.configured_search_lag
        self.connections: dict[str, Connection] = {}
        self.clients: dict[str, Client] = {}
        #: APIs by id; the first is Auth0's system Management API.
        self.resource_servers: dict[str, ResourceServer] = {}
        #: Roles by id (fakeauth0.access); who holds them is on each user.
        self.roles: dict[str, Role] = {}
        self.calls = CallLog(maxlen=CALL_LOG_SIZE)
        #: The tenant logs (``GET /api/v2/logs``): the last ``log_capacity`` events
        #: (``fakeauth0.logs``; not in snapshots, cleared by :meth:`reset`).
        self.logs = LogBook(self.clock, log_capacity)
        #: Post-login hooks (Auth0 Rules / Actions), run in order by :meth:`login`.
        self.hooks: list[LoginHook] = []
        self.tokens = TokenAuthority(
            domain, SigningKey("fake-" + self.ids.alnum(20), domain), self.clock
        )
        for connection in default_connections(self.ids):
            self.add_connection(connection)
        system_api = apis.management_api(
            domain, self.ids.object_id(), load_spec()["scope_descriptions"].items()
        )
        self.resource_servers[system_api.id] = system_api
        self.management_client = self.add_client(
            Client(
                client_id=client_id or self.ids.client_id(),
                client_secret=client_secret or self.ids.client_secret(),
                name="API Explorer Application",
                grants={self.management_audience: list(MANAGEMENT_SCOPES)},
            )
        )
        #: The tenant's own settings (default directory and audience, logout URLs, sessions).
        self.settings = TenantSettings()
        #: Brute-force protection: its settings and the failed logins it counts.
        self.brute_force = blocks.BruteForce()
        #: Organizations by id, in creation order (``fakeauth0.organizations``).
        self.organizations: dict[str, Organization] = {}
        #: Actions and each trigger's bindings (fakeauth0.actions).
        self.action_book = ActionBook()
        #: What the Actions keep in ``api.cache``, per trigger (``fakeauth0.action_cache``;
        #: not in snapshots, emptied by :meth:`reset`).
        self.action_cache = ActionCache()
        #: A legacy tenant, made before Rules were withdrawn: it keeps the ``rules`` and
        #: ``rules-configs`` families (fakeauth0.rules); every other tenant refuses them.
        self.rules_enabled = bool(rules)
        self.rule_book = RuleBook()
        #: Each run of the post-login Actions, newest first (``fakeauth0.executions``): which
        #: action ran, what it logged and called, its error, and the login's result.
        self.executions = ExecutionLog()
        #: Each login's run of a legacy tenant's Rules, newest first (``fakeauth0.rule_pipeline``).
        self.rule_runs = RuleRunLog()
        #: Seconds one Action may run before the login fails (Auth0's limit; tests shorten it).
        self.action_timeout = DEFAULT_TIMEOUT
        #: SSO sessions, login transactions, codes and refresh tokens (not in snapshots).
        self.sessions = SessionBook(self.clock)
        #: Logins a redirect Action suspended, by their transaction (``/continue?state=``).
        self.pauses: dict[str, post_login.Pause] = {}
        #: What the tenant would have e-mailed or texted, oldest first (``fakeauth0.outbox``):
        #: one dict per message, ``verify_email`` after a sign-up with an e-mail and
        #: ``reset_email`` after a reset request, each with its ticket ``link``,
        #: ``blocked_account`` when brute-force protection blocks an address (with its ``ip``).
        #: Nothing is sent; tests read or clear it (:attr:`mail` is the same list).
        self.outbox = Outbox()
        #: The configured e-mail templates (``fakeauth0.email_templates``): which e-mails
        #: :attr:`outbox` gets, and the links' result URL and lifetime.
        self.email_templates = mail_templates.TemplateBook()
        #: The one-use links of e-mails and of ``POST /tickets/*`` (not in snapshots).
        self.tickets = tickets.TicketBook()
        #: The live passwordless code of each address (``fakeauth0.passwordless``; not in
        #: snapshots).
        self.passwordless_codes = passwordless.CodeBook()
        #: Imports, exports and verification e-mails (``fakeauth0.jobs``; not in snapshots).
        self.jobs = job_rules.JobBook(secrets.token_hex(16))
        #: Injected faults and rate limits (``fakeauth0.faults``), applied by the WSGI app.
        self.faults = Faults()
        #: What :meth:`reset` returns to: the state at creation, or the last loaded seed.
        self.seed_state: dict[str, Any] = self.snapshot()
        #: Where changes are made durable (``fakeauth0 serve --state``); None: memory only.
        self.persistence: Persistence | None = None

    def __repr__(self) -> str:
        return f"<Tenant {self.domain} users={len(self.users)}>"

    @property
    def base_url(self) -> str:
        return f"https://{self.domain}"

    @property
    def management_audience(self) -> str:
        return self.tokens.management_audience

    def record_call(self, method: str, path: str, operation: str | None, status: int) -> None:
        self.calls.append(CallRecord(method, path, operation, status))

    def unit_of_work(self, *, write: bool = True) -> AbstractContextManager[None]:
        """One request's changes, applied and persisted as one, or undone when they cannot be
        persisted (the error propagates): every door runs its change in one, so what was not
        acknowledged was not applied. ``write=False``: a read, which changes nothing."""
        if self.persistence is None:
            return nullcontext()
        return self.persistence.unit_of_work(self, config=write)

    # -- connections and clients ---------------------------------------------------------------

    def add_connection(self, connection: Connection) -> Connection:
        with self.lock:
            if connection.name in self.connections:
                raise ValueError(f"connection {connection.name!r} already exists")
            self.connections[connection.name] = connection
            return connection

    def create_connection(
        self, name: str, strategy: str, options: dict[str, Any] | None = None
    ) -> Connection:
        """Add a connection by name and strategy, e.g. ``("github", "github")``."""
        return self.add_connection(
            Connection(self.ids.connection_id(), name, strategy, dict(options or {}))
        )

    def connection(self, name: str) -> Connection:
        return require_connection(self.connections, name)

    def add_client(self, client: Client) -> Client:
        """Add an application; like every new client on Auth0, the default database connection
        is enabled for it (its ``enabled_clients``)."""
        with self.lock:
            self.clients[client.client_id] = client
            self._enable_default_database(client.client_id)
            return client

    def create_client(
        self,
        name: str,
        *,
        scopes: Iterable[str] = (),
        audience: str | None = None,
        app_type: str = "non_interactive",
        grant_types: Iterable[str] = ("client_credentials",),
    ) -> Client:
        """Add an application; ``scopes`` are granted on ``audience`` (the Management API)."""
        return self.add_client(
            Client(
                client_id=self.ids.client_id(),
                client_secret=self.ids.client_secret(),
                name=name,
                app_type=app_type,
                grant_types=list(grant_types),
                grants={audience or self.management_audience: list(scopes)},
            )
        )

    # -- applications, APIs, client grants (fakeauth0.clients, fakeauth0.apis) ----------------

    def _system_api(self) -> ResourceServer | None:
        return apis.by_identifier(self.resource_servers, self.management_audience)

    def _put_client(self, client: Client) -> Client:
        """Store a changed copy in its place (the management client follows its copy)."""
        self.clients[client.client_id] = client
        if client.client_id == self.management_client.client_id:
            self.management_client = client
        return client

    def list_resource_servers(self) -> list[ResourceServer]:
        with self.lock:
            return list(self.resource_servers.values())

    def get_resource_server(self, key: str) -> ResourceServer:
        """By id or identifier."""
        with self.lock:
            return apis.require(self.resource_servers, key)

    def create_resource_server(self, body: dict[str, Any]) -> ResourceServer:
        with self.lock:
            server = apis.create(self.resource_servers, body, self.ids.object_id(), self.domain)
            self.resource_servers[server.id] = server
            return server

    def update_resource_server(self, key: str, body: dict[str, Any]) -> ResourceServer:
        with self.lock:
            server = apis.update(apis.require(self.resource_servers, key), body)
            self.resource_servers[server.id] = server
            self._drop_undefined_permissions(server.identifier, server.scope_values)
            return server

    def delete_resource_server(self, key: str) -> None:
        """Auth0 answers 204 for an unknown id; the API's client grants go with it."""
        with self.lock:
            server = apis.find(self.resource_servers, key)
            if server is None:
                return
            apis.check_deletable(server)
            del self.resource_servers[server.id]
            self._drop_undefined_permissions(server.identifier, None)
            for client in list(self.clients.values()):
                if server.identifier in client.grants:
                    self._put_client(clients.without_grant(client, server.identifier))
            self._prune_organizations()

    def list_clients(self) -> list[Client]:
        with self.lock:
            return list(self.clients.values())

    def get_client(self, client_id: str) -> Client:
        with self.lock:
            return clients.require(self.clients, client_id)

    def create_client_from(self, body: dict[str, Any]) -> Client:
        """``POST /clients``: Auth0's defaults for what ``body`` leaves out."""
        with self.lock:
            third_party = body.get("is_first_party") is False
            client_id = "tpc_" + self.ids.alnum(22) if third_party else self.ids.client_id()
            return self.add_client(clients.new_client(body, client_id, self.ids.client_secret()))

    def update_client(self, client_id: str, body: dict[str, Any]) -> Client:
        with self.lock:
            return self._put_client(clients.updated(self.get_client(client_id), body))

    def rotate_client_secret(self, client_id: str) -> Client:
        with self.lock:
            client = self.get_client(client_id)
            return self._put_client(
                clients.updated(client, {"client_secret": self.ids.client_secret()})
            )

    def delete_client(self, client_id: str) -> None:
        """Auth0 answers 204 for an unknown id; the client's grants go with it, and so do the
        organizations' invitations to it (CHOICES.md "organizations: deleting a client")."""
        with self.lock:
            client = self.clients.get(client_id)
            if client is None:
                return
            if client.is_global:
                raise Auth0Error.bad_request(Msg.GLOBAL_CLIENT_DELETE)
            del self.clients[client_id]
            for org in list(self.organizations.values()):
                changed = org_rules.without_client_invitations(org, client_id)
                if changed is not None:
                    self.organizations[org.id] = changed
            self._prune_organizations()

    def list_client_grants(self) -> list[dict[str, Any]]:
        with self.lock:
            return clients.all_grants(self.clients.values())

    def create_client_grant(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            client = self.clients.get(body["client_id"])
            if client is None:
                raise Auth0Error(404, Msg.GRANT_CLIENT_NOT_FOUND, "inexistent_client")
            audience = body["audience"]
            if apis.by_identifier(self.resource_servers, audience) is None:
                raise Auth0Error(
                    404, Msg.GRANT_RESOURCE_SERVER_NOT_FOUND, "inexistent_resource_server"
                )
            options = {k: v for k, v in body.items() if k not in ("client_id", "audience", "scope")}
            grant_id = "cgr_" + self.ids.alnum(16)
            changed = clients.with_grant(client, audience, body["scope"], options, grant_id)
            return clients.grant_json(self._put_client(changed), audience)

    def update_client_grant(self, grant_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            client, audience = clients.find_grant(self.clients.values(), grant_id)
            changed = clients.with_grant_changed(client, audience, body)
            return clients.grant_json(self._put_client(changed), audience)

    def delete_client_grant(self, grant_id: str) -> None:
        with self.lock:
            try:
                client, audience = clients.find_grant(self.clients.values(), grant_id)
            except Auth0Error:
                return
            self._put_client(clients.without_grant(client, audience))
            self._prune_organizations()

    # -- the Management API's connections (fakeauth0.connections) -------------------------------

    def connection_by_id(self, connection_id: str) -> Connection:
        """``GET /connections/{id}``: the connection, or 404 ``inexistent_connection``."""
        with self.lock:
            return connection_rules.require_connection_id(self.connections.values(), connection_id)

    def list_connections(self) -> list[Connection]:
        """Every connection, in creation order."""
        with self.lock:
            return list(self.connections.values())

    def create_connection_from(self, fields: dict[str, Any]) -> Connection:
        """``POST /connections`` with a spec-valid body."""
        with self.lock:
            connection = connection_rules.new_connection(
                fields, self.ids.connection_id(), self.connections
            )
            self.connections[connection.name] = connection
            return connection

    def update_connection(self, connection_id: str, fields: dict[str, Any]) -> Connection:
        """``PATCH /connections/{id}`` with a spec-valid body."""
        with self.lock:
            found = self.connection_by_id(connection_id)
            updated = connection_rules.updated_connection(found, fields)
            self.connections[found.name] = updated
            return updated

    def delete_connection(self, connection_id: str) -> bool:
        """``DELETE /connections/{id}``: the connection and its users are gone; False if there
        was no such connection."""
        with self.lock:
            try:
                found = self.connection_by_id(connection_id)
            except Auth0Error:
                return False
            del self.connections[found.name]
            drop_connection_users(self.users, found.name, self.clock.iso())
            self._prune_organizations()
            return True

    def delete_connection_user(self, connection_id: str, email: str) -> None:
        """``DELETE /connections/{id}/users?email=``: database connections only."""
        with self.lock:
            found = self._connection_by_id_or_400(connection_id)
            if not found.is_database:
                raise Auth0Error.bad_request(Msg.CONNECTION_NOT_DATABASE)
            drop_user_by_email(self.users, found.name, email)
            self._prune_organizations()

    def _connection_by_id_or_400(self, connection_id: str) -> Connection:
        try:
            return self.connection_by_id(connection_id)
        except Auth0Error:
            raise Auth0Error.bad_request(
                Msg.CONNECTION_ID_NOT_FOUND, "inexistent_connection"
            ) from None

    def set_connection_clients(self, connection_id: str, changes: list[dict[str, Any]]) -> None:
        """``PATCH /connections/{id}/clients``: ``[{client_id, status}]``, all or nothing."""
        with self.lock:
            found = self.connection_by_id(connection_id)
            updated = found
            for change in changes:
                if change["client_id"] not in self.clients:
                    raise Auth0Error(404, Msg.CONNECTION_CLIENT_NOT_FOUND, "inexistent_client")
                updated = connection_rules.with_client_status(
                    updated, change["client_id"], change["status"]
                )
            self.connections[found.name] = updated

    def _enable_default_database(self, client_id: str) -> None:
        found = self.connections.get(connection_rules.DEFAULT_DATABASE)
        if found is not None:
            enabled = connection_rules.with_client_status(found, client_id, True)
            self.connections[found.name] = enabled

    # -- tokens ----------------------------------------------------------------------------------

    def management_token(self, scopes: Iterable[str] | None = None) -> str:
        """A Management API access token for the default client, with chosen scopes."""
        chosen = MANAGEMENT_SCOPES if scopes is None else tuple(scopes)
        return self.tokens.issue_access_token(
            self.management_client.client_id, self.management_audience, chosen
        )

    # -- users -----------------------------------------------------------------------------------

    def create_user(self, fields: dict[str, Any]) -> User:
        """``POST /users``: ``fields`` as the request body (it must name a ``connection``)."""
        with self.lock:
            if not isinstance(fields.get("connection"), str):
                raise Auth0Error.invalid_body(Msg.CONNECTION_REQUIRED)
            connection = self.connection(fields["connection"])
            user = build_user(connection, fields, self.ids.object_id(), self.clock.iso())
            self._refuse_duplicate(user)
            self.users.put(user)
            return user

    def _refuse_duplicate(self, user: User, *, replacing: str | None = None) -> None:
        duplicate = find_duplicate(self.users, self.connections, user, replacing=replacing)
        if duplicate is not None:
            raise duplicate.on_create() if replacing is None else duplicate.on_update()

    def get_user(self, user_id: str) -> User:
        with self.lock:
            return self.users.require(user_id)

    def update_user(self, user_id: str, fields: dict[str, Any]) -> User:
        """``PATCH /users/{id}``: Auth0's merge rules on the primary or a linked identity."""
        with self.lock:
            user = self.users.require(user_id)
            connection_name = fields.get("connection") or user.primary.connection
            connection = self.connection(connection_name)
            changes = {k: v for k, v in fields.items() if k != "connection"}
            updated = apply_connection_update(user, connection, changes, self.clock.iso())
            self._refuse_duplicate(updated, replacing=user.user_id)
            self.users.put(updated)
            if "password" in changes:
                self._password_changed(user.user_id)
            return updated

    def delete_user(self, user_id: str) -> None:
        """``DELETE /users/{id}``: the user and every identity linked to it are gone.

        Auth0 answers 204 whether or not the user existed (the spec lists no 404).
        """
        with self.lock:
            if self.users.get(user_id) is not None:
                self.users.remove(user_id)
                self.sessions.forget_user(user_id)
                self.brute_force.forget([user_id])
                self._prune_organizations()

    def users_by_email(self, email: str) -> list[User]:
        """Exact, case-sensitive e-mail match over primaries
        (docs/auth0-behaviour.md#users-by-email)."""
        with self.lock:
            return self.users.by_email(email)

    def list_users(self) -> list[User]:
        """Every primary user, in creation order."""
        with self.lock:
            return list(self.users)

    def add_social_user(
        self,
        connection: str,
        user_id: str | int,
        profile: dict[str, Any] | None = None,
    ) -> User:
        """Put a user as Auth0 stores it after a first social login, e.g.
        ``tenant.add_social_user("google-oauth2", "103547991597142817347", {"email": ...})``.

        Auth0's API cannot create social users; this is the tenant-side way in.
        """
        with self.lock:
            found = self.connection(connection)
            user = added_social_user(found, user_id, profile or {}, self.clock.iso())
            self._refuse_duplicate(user)
            self.users.put(user)
            return user

    # -- account linking and logins (fakeauth0.linking, fakeauth0.logins) -----------------------

    def link(
        self,
        primary_id: str,
        provider: str,
        user_id: str | int,
        connection_id: str | None = None,
    ) -> User:
        """``POST /users/{id}/identities`` with ``{provider, user_id}``: link ``provider|user_id``
        (and every identity of its owner) into the primary; returns the primary."""
        with self.lock:
            return linking.link(
                self.users,
                self.connections,
                primary_id,
                provider,
                user_id,
                self.clock.iso(),
                connection_id=connection_id,
            )

    def link_with(self, primary_id: str, id_token: str, caller_azp: str | None) -> User:
        """``POST /users/{id}/identities`` with ``{link_with}``: the secondary is the ID token's
        subject; ``caller_azp`` is the ``azp`` of the calling access token
        (docs/auth0-behaviour.md#linking-requests)."""
        with self.lock:
            provider, bare_id = linking.secondary_from_id_token(self.tokens, id_token, caller_azp)
            return linking.link(
                self.users,
                self.connections,
                primary_id,
                provider,
                bare_id,
                self.clock.iso(),
                missing=Msg.LINK_SECONDARY_NOT_FOUND,
            )

    def unlink(self, primary_id: str, provider: str, user_id: str | int) -> User:
        """``DELETE /users/{id}/identities/{provider}/{user_id}``: returns the primary; the
        identity is a standalone user ``provider|user_id`` again, with no metadata."""
        with self.lock:
            primary, _ = linking.unlink(
                self.users, primary_id, provider, str(user_id), self.clock.iso()
            )
            return primary

    def login(
        self,
        connection: str,
        *,
        user_id: str | int | None = None,
        email: str | None = None,
        username: str | None = None,
        password: str | None = None,
        profile: dict[str, Any] | None = None,
        ip: str | None = None,
        client_id: str | None = None,
        scope: str | None = None,
        audience: str | None = None,
        nonce: str | None = None,
        organization: str | None = None,
    ) -> LoginResult:
        """Simulate a successful login through ``connection`` (``logins.authenticate``);
        returns the user it resolved to and an ID token for ``client_id`` (default: the
        management client, so ``link_with`` passes with the management token's ``azp``).

        Without ``audience``, ``scope`` asks for a Management API token for the user (e.g.
        ``update:current_user_identities``). With one, the login is programmatic: the answer
        holds what ``/oauth/token`` gives the client after a login (an access token for that
        API with the ``scope`` it defines, ``refresh_token`` with ``offline_access``, an ID
        token with the profile claims of ``openid profile email`` or the scopes asked).

        ``organization`` (an id, or a name when the tenant allows names) logs in through that
        organization, as ``/authorize``'s parameter does: the user must be a member or become
        one (a connection that assigns membership); the tokens carry ``org_id`` and RBAC counts
        the member's organization roles. Such a login is programmatic even without
        ``audience`` (then the access token is the opaque ``/userinfo`` one).

        The deployed post-login Actions run on the way (:mod:`fakeauth0.post_login`), without
        the tenant lock: a caller holding ``tenant.lock`` (or a Python hook) gets
        :class:`~fakeauth0.post_login.LockHeld` when Actions are bound, never a hang. A first
        login through a passwordless connection adds its user, so the registration Actions run
        around it (:mod:`fakeauth0.passwordless_registration`).
        """
        with self.lock:
            client_id = client_id or self.management_client.client_id
            if audience is not None:
                grants.require_audience(self.token_desk(), audience)
        requested = (scope or "openid profile email").split()

        through: list[Organization | None] = [None]
        first = self._programmatic_first_login(
            connection, client_id, user_id=user_id, email=email, profile=profile, ip=ip
        )

        def begin(desk: logins.LoginDesk) -> logins.Attempt:
            attempt = logins.sign_in(
                desk,
                connection,
                user_id=user_id,
                email=email,
                username=username,
                password=password,
                profile=profile,
                ip=ip,
                client_id=client_id,
            )
            if first is not None and attempt.first_login:
                first.created = attempt.user
            client = self.clients[attempt.client_id]  # sign_in refused an unknown one
            through[0] = self._programmatic_organization(
                client, organization, attempt.user.user_id, connection
            )
            return attempt

        def then(user: User, changes: TokenChanges | None) -> LoginResult:
            org = through[0]
            if audience is None and org is None:
                return logins.simulated_tokens(self.login_desk(), user, client_id, scope, changes)
            desk = self.token_desk()
            client = self.clients[client_id]
            session = self.sessions.start(user.user_id, connection)
            session.changes = changes
            session.clients.add(client.client_id)
            if "openid" not in requested:
                requested.insert(0, "openid")  # the answer always holds an ID token
            grant = Grant(
                client_id=client.client_id,
                user_id=user.user_id,
                scopes=grants.granted_scopes(desk, client, requested, audience),
                audience=audience,
                nonce=nonce,
                sid=session.sid,
                auth_time=int(session.auth_time),
                org_id=org.id if org is not None else None,
                org_name=org.name if org is not None and self._org_names_allowed() else None,
                changes=changes,
            )
            tokens = grants.issue_tokens(desk, client, grant, refresh_token=True)
            return LoginResult(user, tokens["id_token"], tokens=tokens)

        context = post_login.Context(
            "oidc-basic-profile",
            tuple(requested),
            audience,
            organization={"id": organization} if organization else None,
        )
        if first is None:
            return post_login.login(self, begin, then, context)
        with passwordless_registration.registering(self, first):
            return post_login.login(self, begin, then, context)

    def _programmatic_first_login(
        self,
        connection: str,
        client_id: str,
        *,
        user_id: str | int | None,
        email: str | None,
        profile: dict[str, Any] | None,
        ip: str | None,
    ) -> passwordless_registration.FirstLogin | None:
        """A programmatic login through a passwordless connection adds its user on first
        use, so it runs the registration triggers as the code's doors do
        (docs/auth0-behaviour.md#passwordless-registration); None for any other connection."""
        with self.lock:
            found = self.connections.get(connection)
        if found is None or not found.is_passwordless:
            return None
        fields: dict[str, Any] = {"email": email, "profile": dict(profile or {})}
        if user_id is not None:
            fields["user_id"] = user_id
        address = email or str(fields["profile"].get("phone_number") or "")
        caller = Caller(ip=ip)
        return passwordless_registration.FirstLogin(
            found, client_id, address, None, caller, fields=fields
        )

    def _programmatic_organization(
        self, client: Client, value: str | None, user_id: str, connection: str
    ) -> Organization | None:
        """The organization a programmatic login goes through, under ``/authorize``'s rules:
        the client's ``organization_usage``, the id-or-name rule, membership (or membership
        assigned by the connection); the caller holds the lock."""
        if value is None:
            if client.settings.get("organization_usage") == "require":
                raise OAuthError(400, "invalid_request", OAuthMsg.ORGANIZATION_REQUIRED)
            return None
        names = self._org_names_allowed()
        if not names and not value.startswith("org_"):
            raise OAuthError(400, "invalid_request", OAuthMsg.ORGANIZATION_MUST_BE_ID)
        org = org_rules.find_for_login(self.organizations, value, names)
        if org is None:
            raise OAuthError(
                400, "invalid_request", OAuthMsg.ORGANIZATION_UNKNOWN.format(value=value)
            )
        found = self.connections.get(connection)
        admitted, allowed = org_rules.admit(
            org, user_id, found.id if found is not None else None, None, self.clock.time()
        )
        if not allowed:
            raise OAuthError(
                403,
                "access_denied",
                OAuthMsg.NOT_A_MEMBER.format(user_id=user_id, org_id=org.id),
            )
        self.organizations[org.id] = admitted
        return admitted

    def _org_names_allowed(self) -> bool:
        return bool(self.settings.extra.get("allow_organization_name_in_authentication_api"))

    def login_as(
        self,
        user: str,
        *,
        client_id: str | None = None,
        audience: str | None = None,
        scope: str | None = None,
        nonce: str | None = None,
        organization: str | None = None,
    ) -> LoginResult:
        """A programmatic login of an existing user, named by ``user_id`` or e-mail, through
        the connection of its own identity: :meth:`login` without saying how."""
        with self.lock:
            found = self.users.get(user)
            if found is None:
                matches = self.users.by_email(user)
                if len(matches) != 1:
                    raise OAuthError(
                        400, "invalid_request", FakeMsg.LOGIN_AS_UNKNOWN.format(user=user)
                    )
                found = matches[0]
            primary = found.primary
        return self.login(
            primary.connection,
            user_id=primary.user_id,
            client_id=client_id,
            audience=audience,
            scope=scope,
            nonce=nonce,
            organization=organization,
        )

    def login_desk(self) -> logins.LoginDesk:
        """What a login needs of the tenant, now; the caller holds the lock."""
        return logins.LoginDesk(
            users=self.users,
            connections=self.connections,
            clients=self.clients,
            tokens=self.tokens,
            ids=self.ids,
            hooks=self.hooks,
            default_client_id=self.management_client.client_id,
            now=self.clock.iso(),
            tenant=self,
            guard=self.brute_force.guard(
                self.clock.time(),
                self.mail if self.email_templates.sends(blocks.BLOCKED_ACCOUNT) else [],
            ),
            log=self.logs,
        )

    def token_desk(self) -> grants.TokenDesk:
        """What issuing a user's tokens needs of the tenant; the caller holds the lock."""
        return grants.TokenDesk(
            users=self.users,
            clients=self.clients,
            resource_servers=self.resource_servers,
            tokens=self.tokens,
            sessions=self.sessions,
            roles=self.roles,
            organizations=self.organizations,
        )

    # -- logins through /authorize and the login page (fakeauth0.authorization) -----------------

    def session(self, sid: str | None) -> Session | None:
        """The live SSO session of the ``auth0`` cookie ``sid``; the caller holds the lock.
        Blocking a user ends their session: the next ``/authorize`` asks for a login
        (https://community.auth0.com/t/does-blocking-a-user-end-their-session/117905)."""
        session = self.sessions.session(
            sid,
            idle=self.settings.idle_session_lifetime * 3600,
            absolute=self.settings.session_lifetime * 3600,
        )
        if session is not None:
            user = self.users.get(session.user_id)
            if user is None or user.profile.get("blocked"):
                self.sessions.end(session.sid)
                return None
        return session

    def authorize(
        self,
        params: dict[str, str],
        sid: str | None,
        device: str | None = None,
        caller: Caller | None = None,
    ) -> authorization.Delivery | authorization.ShowPage:
        """``GET /authorize``: the answer for the callback when the session suffices, else the
        login page to show; raises ``PageError`` or ``CallbackError``. ``caller``: the browser's
        request, for the post-login event of an answer from the SSO session."""
        with self.lock:
            request = authorization.read_request(
                params, self.clients, self.connections, self.resource_servers, self.settings
            )
            request = self._with_organization(request, params)
            session = self.session(sid)
            if authorization.needs_login(request, session, self.clock.time()):
                if "none" in request.prompt:
                    raise authorization.silent_failure(request)
                handle = self.sessions.open_transaction(request.to_json(), device)
                return authorization.ShowPage(handle, authorization.screen_for(request))
            assert session is not None
            if self._consent_needed(request, session):
                if "none" in request.prompt:
                    raise authorization.refused(
                        request, "consent_required", OAuthMsg.CONSENT_REQUIRED
                    )
                handle = self.sessions.open_transaction(request.to_json(), device)
                return authorization.ShowPage(handle, "consent")
            if not self.action_book.bindings.get(
                post_login.TRIGGER
            ) and not rule_pipeline.enabled_rules(self):
                return self._complete(request, session)
            sid = session.sid
            silent = "none" in request.prompt
            # A redirect Action suspends the login on a transaction of this browser.
            handle = None if silent else self.sessions.open_transaction(request.to_json(), device)
        # The SSO session answers without a new authentication: the Actions run again.
        context = dataclasses.replace(_context(request), transaction=handle, silent=silent)
        context = context.heard(caller)
        try:
            post_login.again(self, sid, context, request.client_id)
        except post_login.Redirected as redirected:
            raise self._suspend(handle or "", redirected.pause) from None
        except OAuthError as error:
            self._close(handle)
            raise authorization.refused(request, error.error, error.description) from None
        with self.lock:
            self._close(handle)
            session = self.session(sid)
            if session is None:
                raise authorization.refused(request, "login_required", OAuthMsg.LOGIN_REQUIRED)
            return self._complete(request, session)

    def _suspend(self, handle: str, pause: post_login.Pause) -> authorization.SendUserTo:
        """Keep a login a redirect Action suspended; the browser goes to the Action's URL."""
        with self.lock:
            self.pauses.pop(handle, None)
            if len(self.pauses) >= PAUSES_KEPT:
                del self.pauses[next(iter(self.pauses))]
            self.pauses[handle] = pause
        return authorization.SendUserTo(pause.location())

    def _close(self, handle: str | None) -> None:
        if handle is not None:
            with self.lock:
                self.sessions.close_transaction(handle)

    def continue_login(
        self,
        handle: str | None,
        device: str | None,
        query: dict[str, str],
        body: dict[str, str],
        method: str = "GET",
    ) -> Session:
        """``/continue?state=``: a login a redirect Action suspended goes on with what the
        external site sent back (:func:`fakeauth0.post_login.proceed`); the session it ends
        with, for ``/authorize/resume``. ``PageError`` ``invalid_request`` for a state that is
        not a suspended login of this browser; ``SendUserTo`` when an Action redirects again;
        ``CallbackError`` for a denial."""
        with self.lock:
            found = self.sessions.transaction(handle, device)
            pause = self.pauses.get(handle or "")
            if found is None or pause is None:
                raise authorization.PageError("invalid_request", OAuthMsg.CONTINUE_STATE)
            del self.pauses[handle or ""]  # one use: a replayed /continue is refused
            request = authorization.AuthorizeRequest.from_json(found)
        try:
            session = post_login.proceed(self, pause, query, body, method)
        except post_login.Redirected as redirected:
            raise self._suspend(handle or "", redirected.pause) from None
        except OAuthError as error:
            self._close(handle)
            raise authorization.refused(request, error.error, error.description) from None
        if session is None:
            self._close(handle)
            raise authorization.refused(request, "login_required", OAuthMsg.LOGIN_REQUIRED)
        return session  # type: ignore[no-any-return]

    def _consent_needed(self, request: authorization.AuthorizeRequest, session: Session) -> bool:
        client = self.clients.get(request.client_id)
        if client is None:
            return False
        scopes = self._consent_scopes(request, client)
        return authorization.needs_consent(
            request,
            client,
            apis.by_identifier(self.resource_servers, request.audience or ""),
            scopes,
            self.sessions.consented(session.user_id, client.client_id, request.audience, scopes),
        )

    def _consent_scopes(
        self, request: authorization.AuthorizeRequest, client: Client
    ) -> tuple[str, ...]:
        return grants.granted_scopes(self.token_desk(), client, request.scopes, request.audience)

    def consent_screen(
        self, handle: str | None, device: str | None = None
    ) -> tuple[str, tuple[str, ...], str | None]:
        """What the consent screen asks: the client's name, the scopes, the API."""
        with self.lock:
            request = self.login_transaction(handle, device)
            client = self.clients.get(request.client_id)
            if client is None:
                return request.client_id, (), request.audience
            return client.name, self._consent_scopes(request, client), request.audience

    def answer_consent(
        self, handle: str | None, sid: str | None, accept: bool, device: str | None = None
    ) -> authorization.Delivery | None:
        """The consent screen's answer: accepted, the grant is kept and the login goes on;
        declined, ``access_denied`` goes to the callback. None: no session (log in first)."""
        with self.lock:
            request = self.login_transaction(handle, device)
            session = self.session(sid)
            client = self.clients.get(request.client_id)
            if session is None or client is None:
                return None
            if not accept:
                self.sessions.close_transaction(handle or "")
                raise authorization.refused(
                    request, "access_denied", authorization.PAGE_TEXTS["consent-declined"]
                )
            scopes = self._consent_scopes(request, client)
            self.sessions.consent(session.user_id, client.client_id, request.audience, scopes)
            self.sessions.close_transaction(handle or "")
            return self._complete(request, session)

    def _complete(
        self, request: authorization.AuthorizeRequest, session: Session
    ) -> authorization.Delivery:
        client = self.clients.get(request.client_id)
        if client is None:
            raise authorization.refused(
                request,
                "invalid_request",
                OAuthMsg.UNKNOWN_CLIENT.format(client_id=request.client_id),
            )
        self._organization_login(request, session)
        try:
            return authorization.complete(self.token_desk(), client, request, session)
        except OAuthError as error:
            raise authorization.refused(request, error.error, error.description) from None

    def login_transaction(
        self, handle: str | None, device: str | None = None
    ) -> authorization.AuthorizeRequest:
        """The ``/authorize`` request a login page's ``state`` carries for the browser
        ``device``, or ``LoginPageError``."""
        with self.lock:
            found = self.sessions.transaction(handle, device)
            if found is None:
                raise authorization.LoginPageError(
                    "invalid-state", authorization.PAGE_TEXTS["invalid-state"], "state"
                )
            return authorization.AuthorizeRequest.from_json(found)

    def login_screen(
        self, handle: str | None, device: str | None = None
    ) -> authorization.LoginScreen:
        with self.lock:
            request = self.login_transaction(handle, device)
            client = self.clients.get(request.client_id)
            database, buttons = authorization.login_connections(request, self.connections)
            return authorization.LoginScreen(
                handle=handle or "",
                client_name=client.name if client is not None else request.client_id,
                database=database,
                buttons=buttons,
                login_hint=request.login_hint,
            )

    def login_with_password(
        self,
        handle: str | None,
        identifier: str,
        password: str,
        caller: Caller | None = None,
        device: str | None = None,
    ) -> Session:
        """The login page's form: the user of the transaction's database connection, through
        the one login pipeline; a new SSO session. ``LoginPageError`` re-renders the page;
        ``CallbackError`` (a hook's denial) goes to the callback."""
        with self.lock:
            request = self.login_transaction(handle, device)
            database, _ = authorization.login_connections(request, self.connections)
            if database is None:
                raise authorization.refused(
                    request, "invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED
                )
            identifier = identifier.strip()
            if not identifier:
                code = "no-username" if database.requires_username else "no-email"
                raise authorization.LoginPageError(code, authorization.PAGE_TEXTS[code], "username")
            if not password:
                raise authorization.LoginPageError(
                    "no-password", authorization.PAGE_TEXTS["no-password"]
                )
            by = {"email": identifier} if "@" in identifier else {"username": identifier}
        return self._sign_in(request, database.name, dict(by, password=password), caller, handle)

    def login_with_idp(
        self,
        handle: str | None,
        connection: str,
        profile: dict[str, Any],
        caller: Caller | None = None,
        device: str | None = None,
    ) -> Session:
        """The simulated identity provider's answer for ``connection``: who the tester says
        they are there (``user_id``, ``email``, the rest of the profile)."""
        with self.lock:
            request = self.login_transaction(handle, device)
            _, buttons = authorization.login_connections(request, self.connections)
            if connection not in [c.name for c in buttons]:
                raise authorization.refused(
                    request, "invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED
                )
            profile = dict(profile)
            fields: dict[str, Any] = {"user_id": profile.pop("user_id", None) or None}
            fields["profile"] = profile
        return self._sign_in(request, connection, fields, caller, handle)

    def _session_opener(self, connection: str) -> Callable[[User, TokenChanges | None], Session]:
        """What a hosted-page login ends with: a new SSO session through ``connection``,
        carrying what the post-login Actions asked of its tokens (the caller holds the lock)."""

        def then(user: User, changes: TokenChanges | None) -> Session:
            session = self.sessions.start(user.user_id, connection)
            session.changes = changes
            return session

        return then

    def _sign_in(
        self,
        request: authorization.AuthorizeRequest,
        connection: str,
        fields: dict[str, Any],
        caller: Caller | None,
        handle: str | None = None,
    ) -> Session:
        """A login from a login page (its transaction ``handle``), through the post-login
        Actions; the session it opens carries what they asked of the tokens. A redirect Action
        raises ``SendUserTo`` and the login waits for ``/continue``. Called without the lock
        held."""

        ip = caller.ip if caller is not None else None

        def begin(desk: logins.LoginDesk) -> logins.Attempt:
            return logins.sign_in(desk, connection, ip=ip, client_id=request.client_id, **fields)

        then = self._session_opener(connection)

        context = dataclasses.replace(_context(request), transaction=handle).heard(caller)
        try:
            return post_login.login(self, begin, then, context)
        except post_login.Redirected as redirected:
            raise self._suspend(handle or "", redirected.pause) from None
        except OAuthError as error:
            # Wrong credentials re-render the page; a blocked user goes back to the app with
            # "user is blocked" in the URL, as an Action's denial does
            # (https://auth0.com/docs/manage-users/user-accounts/block-and-unblock-users).
            if error.error == "invalid_grant":
                raise authorization.page_error_for_login(
                    error.description, self.connections[connection]
                ) from None
            if error.error == blocks.TOO_MANY_ATTEMPTS:
                raise authorization.LoginPageError(
                    "user-blocked", authorization.PAGE_TEXTS["user-blocked"]
                ) from None
            raise authorization.refused(request, error.error, error.description) from None

    def signup_with_password(
        self,
        handle: str | None,
        email: str,
        password: str,
        username: str | None = None,
        caller: Caller | None = None,
        device: str | None = None,
    ) -> Session:
        """The sign-up screen: a new user of the transaction's database connection (the same
        rules as ``/dbconnections/signup``), then logged in through the one login pipeline."""
        with self.lock:
            request = self.login_transaction(handle, device)
            database, _ = authorization.login_connections(request, self.connections)
            if database is None:
                raise authorization.refused(
                    request, "invalid_request", OAuthMsg.CONNECTION_NOT_ENABLED
                )
            email = email.strip()
            if not email:
                raise authorization.LoginPageError(
                    "no-email", authorization.PAGE_TEXTS["no-email"], "email"
                )
        try:
            user = self.signup(
                client_id=request.client_id,
                connection=database.name,
                email=email,
                password=password,
                username=username or None,
                caller=caller,
            )
        except SignupError as error:
            raise authorization.page_error_for_signup(error) from None
        fields = {"user_id": user.primary.user_id}
        return self._sign_in(request, database.name, fields, caller, handle)

    def resume(
        self, handle: str | None, sid: str | None, device: str | None = None
    ) -> authorization.Delivery | authorization.ShowPage | None:
        """``/authorize/resume``: the transaction's answer, now that the session exists
        (None: no session, show the page again; the consent screen when the user must agree
        first)."""
        with self.lock:
            request = self.login_transaction(handle, device)
            if (handle or "") in self.pauses:
                # Suspended by a redirect Action: only /continue goes on.
                raise authorization.LoginPageError(
                    "invalid-state", authorization.PAGE_TEXTS["invalid-state"], "state"
                )
            session = self.session(sid)
            if session is None:
                return None
            if self._consent_needed(request, session):
                return authorization.ShowPage(handle or "", "consent")
            self.sessions.close_transaction(handle or "")
            return self._complete(request, session)

    def userinfo(self, access_token: str) -> dict[str, Any] | None:
        """``/userinfo``: the claims the token's scopes let out, or None for a token that does
        not open it (unknown, expired, without ``openid``, for another audience)."""
        with self.lock:
            opaque = self.sessions.opaque_token(access_token)
            if opaque is not None:
                user_id, scopes = opaque.user_id, opaque.scopes
            else:
                try:
                    claims = self.tokens.verify(access_token, f"{self.tokens.issuer}userinfo")
                except Auth0Error:
                    return None
                scope = claims.get("scope")
                user_id = str(claims.get("sub", ""))
                scopes = tuple(scope.split()) if isinstance(scope, str) else ()
            user = self.users.get(user_id)
            if user is None or "openid" not in scopes:
                return None
            return {"sub": user.user_id, **grants.profile_claims(user, scopes)}

    def add_hook(self, hook: LoginHook) -> LoginHook:
        """Register a post-login hook ``hook(event, api)``; usable as a decorator."""
        with self.lock:
            self.hooks.append(hook)
        return hook

    def user_token(self, user_id: str, scopes: Iterable[str], client_id: str | None = None) -> str:
        """A Management API access token issued to a user, e.g. with
        ``update:current_user_identities`` for the user-initiated ``link_with`` flow."""
        return self.tokens.issue_user_access_token(
            user_id, client_id or self.management_client.client_id, scopes
        )

    # -- tenant settings (fakeauth0.settings) ---------------------------------------------------

    def get_settings(self) -> TenantSettings:
        with self.lock:
            return self.settings

    def update_settings(self, body: dict[str, Any]) -> TenantSettings:
        """A new settings object replaces the old, so a failed commit can put the old back."""
        with self.lock:
            self.settings = self.settings.updated(body)
            return self.settings

    # -- user blocks and brute-force protection (fakeauth0.blocks) -----------------------------

    def user_blocks(
        self, user_id: str, *, consider_enablement: bool = False
    ) -> list[dict[str, Any]]:
        """``GET /user-blocks/{id}``: the user's blocked ``{identifier, ip, connection}``
        pairs; 404 for an unknown user."""
        with self.lock:
            user = self.users.require(user_id)
            return self.brute_force.blocked_for(
                [user.user_id], self.clock.time(), consider_enablement=consider_enablement
            )

    def user_blocks_by_identifier(
        self, identifier: str, *, consider_enablement: bool = False
    ) -> list[dict[str, Any]]:
        """``GET /user-blocks?identifier=``: the blocks of every user the e-mail, username or
        phone number names (none: an empty list)."""
        with self.lock:
            return self.brute_force.blocked_for(
                self._identified(identifier),
                self.clock.time(),
                consider_enablement=consider_enablement,
            )

    def unblock(self, user_id: str) -> None:
        """``DELETE /user-blocks/{id}``: every block of the user is lifted (the admin
        ``blocked`` flag is another thing and stays); 404 for an unknown user."""
        with self.lock:
            self.brute_force.forget([self.users.require(user_id).user_id])

    def unblock_identifier(self, identifier: str) -> None:
        """``DELETE /user-blocks?identifier=``: the blocks of every user it names."""
        with self.lock:
            self.brute_force.forget(self._identified(identifier))

    # -- sessions and refresh tokens (fakeauth0.sessions, fakeauth0.session_views) --------------

    def _session_windows(self) -> dict[str, float]:
        return {
            "idle": self.settings.idle_session_lifetime * 3600,
            "absolute": self.settings.session_lifetime * 3600,
        }

    def _session_json(self, session: Session) -> dict[str, Any]:
        found = self.connections.get(session.connection)
        strategy = found.strategy if found is not None else None
        return session_views.session_json(session, strategy, **self._session_windows())

    def get_session(self, session_id: str) -> dict[str, Any]:
        """``GET /sessions/{id}``: a live SSO session by its ``sid``; looking is no activity.
        404 for an unknown or ended one."""
        with self.lock:
            session = self.sessions.live_session(session_id, **self._session_windows())
            if session is None:
                raise Auth0Error(404, Msg.SESSION_NOT_FOUND, "inexistent_session")
            return self._session_json(session)

    def delete_session(self, session_id: str) -> None:
        """``DELETE /sessions/{id}``: the session ends (its refresh tokens live on); an unknown
        id is accepted as well (the spec lists no 404)."""
        with self.lock:
            self.sessions.end(session_id)

    def revoke_session(self, session_id: str) -> None:
        """``POST /sessions/{id}/revoke``: the session ends with every refresh token issued in
        it; 404 for an unknown one."""
        with self.lock:
            if self.sessions.live_session(session_id, **self._session_windows()) is None:
                raise Auth0Error(404, Msg.SESSION_NOT_FOUND, "inexistent_session")
            self.sessions.end(session_id)
            self.sessions.revoke_families(sid=session_id)

    def user_sessions(self, user_id: str) -> list[dict[str, Any]]:
        """``GET /users/{id}/sessions``: the user's live sessions, oldest first; 404 for an
        unknown user."""
        with self.lock:
            user = self.users.require(user_id)
            live = self.sessions.sessions_of(user.user_id, **self._session_windows())
            return [self._session_json(session) for session in live]

    def delete_user_sessions(self, user_id: str) -> None:
        """``DELETE /users/{id}/sessions``: every session of the user ends (their refresh
        tokens live on); 404 for an unknown user."""
        with self.lock:
            self.sessions.end_sessions_of(self.users.require(user_id).user_id)

    def _refresh_token_json(self, family_id: str) -> dict[str, Any] | None:
        family = self.sessions.live_family(family_id)
        if family is None:
            return None
        latest = self.sessions.latest_token(family)
        return session_views.refresh_token_json(family, latest, self.tokens.issuer)

    def get_refresh_token(self, token_id: str) -> dict[str, Any]:
        """``GET /refresh-tokens/{id}``: a live refresh token by its id (never its value);
        404 for an unknown, revoked or expired one."""
        with self.lock:
            found = self._refresh_token_json(token_id)
            if found is None:
                raise Auth0Error(404, Msg.REFRESH_TOKEN_NOT_FOUND, "inexistent_refresh_token")
            return found

    def delete_refresh_token(self, token_id: str) -> None:
        """``DELETE /refresh-tokens/{id}``: the token (and any token rotation put in its place)
        no longer refreshes; an unknown id is accepted (the spec lists no 404)."""
        with self.lock:
            self.sessions.revoke_family(token_id)

    def user_refresh_tokens(self, user_id: str) -> list[dict[str, Any]]:
        """``GET /users/{id}/refresh-tokens``: the user's live refresh tokens, oldest first;
        404 for an unknown user."""
        with self.lock:
            user = self.users.require(user_id)
            shown = [
                self._refresh_token_json(f.id) for f in self.sessions.families_of(user.user_id)
            ]
            return [token for token in shown if token is not None]

    def delete_user_refresh_tokens(self, user_id: str) -> None:
        """``DELETE /users/{id}/refresh-tokens``: none of the user's refresh tokens refreshes
        any more; 404 for an unknown user."""
        with self.lock:
            self.sessions.revoke_families(user_id=self.users.require(user_id).user_id)

    def _identified(self, identifier: str) -> list[str]:
        return [u.user_id for u in self.users if blocks.identifies(u, identifier)]

    def _password_changed(self, user_id: str) -> None:
        """A new password lifts the user's blocks (brute-force protection's own rule)."""
        self.brute_force.forget([user_id])

    def get_brute_force_settings(self) -> blocks.BruteForceSettings:
        with self.lock:
            return self.brute_force.settings

    def update_brute_force_settings(self, body: dict[str, Any]) -> blocks.BruteForceSettings:
        """``PATCH /attack-protection/brute-force-protection``: the attributes named change;
        a raised ``max_attempts`` lifts the blocks under it, as Auth0 documents."""
        with self.lock:
            return self.brute_force.update_settings(body)

    # -- roles and permissions (fakeauth0.access) -----------------------------------------------

    def list_roles(self, name_filter: str | None = None) -> list[Role]:
        """By name; ``name_filter``: names containing it, in any case."""
        with self.lock:
            return access.named(self.roles.values(), name_filter)

    def get_role(self, role_id: str) -> Role:
        with self.lock:
            return access.require(self.roles, role_id)

    def create_role(
        self,
        name: str,
        description: str | None = None,
        permissions: Iterable[Any] = (),
    ) -> Role:
        """A new role (``rol_`` + 16 letters or digits), granting ``permissions``
        (``{resource_server_identifier, permission_name}`` dicts or pairs)."""
        with self.lock:
            access.check_defined(self.resource_servers, permissions)
            role = access.new_role(access.ROLE_ID_PREFIX + self.ids.alnum(16), name, description)
            role.permissions = access.with_permissions((), permissions)
            self.roles[role.id] = role
            return role

    def update_role(self, role_id: str, changes: dict[str, Any]) -> Role:
        with self.lock:
            role = access.updated(access.require(self.roles, role_id), changes)
            self.roles[role.id] = role
            return role

    def delete_role(self, role_id: str) -> None:
        """The role is gone, and no user or organization member holds it any more."""
        with self.lock:
            access.require(self.roles, role_id)
            del self.roles[role_id]
            for user in list(self.users):
                changed = access.without_roles(user, [role_id])
                if changed is not None:
                    self.users.put(changed)
            self._prune_organizations()

    def role_permissions(self, role_id: str) -> list[dict[str, Any]]:
        """``GET /roles/{id}/permissions``: each with its description and API name."""
        with self.lock:
            role = access.require(self.roles, role_id)
            return access.role_permissions(role, self.resource_servers)

    def add_role_permissions(self, role_id: str, permissions: Iterable[Any]) -> Role:
        with self.lock:
            permissions = list(permissions)
            role = access.require(self.roles, role_id)
            access.check_defined(self.resource_servers, permissions)
            changed = access.updated(role, {})
            changed.permissions = access.with_permissions(role.permissions, permissions)
            self.roles[role_id] = changed
            return changed

    def remove_role_permissions(self, role_id: str, permissions: Iterable[Any]) -> Role:
        with self.lock:
            permissions = list(permissions)
            role = access.require(self.roles, role_id)
            access.check_defined(self.resource_servers, permissions)
            changed = access.updated(role, {})
            changed.permissions = access.without_permissions(role.permissions, permissions)
            self.roles[role_id] = changed
            return changed

    def role_users(self, role_id: str) -> list[User]:
        """The users holding the role, by ``user_id``."""
        with self.lock:
            access.require(self.roles, role_id)
            return access.members(self.users, role_id)

    def assign_role_to_users(self, role_id: str, user_ids: Iterable[str]) -> None:
        """``POST /roles/{id}/users``: all or nothing; an unknown user is Auth0's 404."""
        with self.lock:
            access.require(self.roles, role_id)
            found = [self.users.get(u) for u in dict.fromkeys(user_ids)]
            if any(user is None for user in found):
                raise Auth0Error(404, Msg.ROLE_USERS_NOT_FOUND)
            for user in found:
                assert user is not None
                changed = access.with_roles(user, [role_id])
                if changed is not None:
                    self.users.put(changed)

    def user_roles(self, user_id: str) -> list[Role]:
        with self.lock:
            return access.user_roles(self.users.require(user_id), self.roles)

    def assign_roles(self, user_id: str, role_ids: Iterable[str]) -> None:
        """``POST /users/{id}/roles``: all or nothing; an unknown role is the role 404."""
        with self.lock:
            user = self.users.require(user_id)
            role_ids = list(role_ids)
            for role_id in role_ids:
                access.require(self.roles, role_id)
            changed = access.with_roles(user, role_ids)
            if changed is not None:
                self.users.put(changed)

    def remove_roles(self, user_id: str, role_ids: Iterable[str]) -> None:
        """``DELETE /users/{id}/roles``: roles the user does not hold are ignored."""
        with self.lock:
            changed = access.without_roles(self.users.require(user_id), role_ids)
            if changed is not None:
                self.users.put(changed)

    def user_permissions(self, user_id: str) -> list[dict[str, Any]]:
        """Direct and through roles, once each, with their ``sources``."""
        with self.lock:
            user = self.users.require(user_id)
            return access.user_permissions(user, self.roles, self.resource_servers)

    def add_user_permissions(self, user_id: str, permissions: Iterable[Any]) -> None:
        with self.lock:
            permissions = list(permissions)
            user = self.users.require(user_id)
            access.check_defined(self.resource_servers, permissions)
            merged = access.with_permissions(user.permissions, permissions)
            changed = access.with_direct_permissions(user, merged)
            if changed is not None:
                self.users.put(changed)

    def remove_user_permissions(self, user_id: str, permissions: Iterable[Any]) -> None:
        with self.lock:
            permissions = list(permissions)
            user = self.users.require(user_id)
            access.check_defined(self.resource_servers, permissions)
            kept = access.without_permissions(user.permissions, permissions)
            changed = access.with_direct_permissions(user, kept)
            if changed is not None:
                self.users.put(changed)

    def _drop_undefined_permissions(self, identifier: str, scopes: Iterable[str] | None) -> None:
        """An API that lost scopes (or is gone, ``scopes`` None) takes the permissions naming
        them from every role and user; the caller holds the lock."""
        scopes = None if scopes is None else list(scopes)
        for role in list(self.roles.values()):
            kept = access.still_defined(role.permissions, identifier, scopes)
            if kept != role.permissions:
                changed = access.updated(role, {})
                changed.permissions = kept
                self.roles[role.id] = changed
        for user in list(self.users):
            kept = access.still_defined(user.permissions, identifier, scopes)
            changed = access.with_direct_permissions(user, kept)
            if changed is not None:
                self.users.put(changed)

    # -- organizations (fakeauth0.organizations) ------------------------------------------------

    def list_organizations(self) -> list[Organization]:
        """Every organization, in creation order (go-auth0 recording
        TestOrganizationManager_ListCheckpointPagination)."""
        with self.lock:
            return list(self.organizations.values())

    def get_organization(self, org_id: str) -> Organization:
        with self.lock:
            return org_rules.require(self.organizations, org_id)

    def get_organization_by_name(self, name: str) -> Organization:
        with self.lock:
            return org_rules.require_name(self.organizations, name)

    def create_organization(self, body: dict[str, Any]) -> Organization:
        with self.lock:
            org_id = "org_" + self.ids.alnum(16)
            org = org_rules.create(self.organizations, body, org_id, self.connections.values())
            self.organizations[org.id] = org
            return org

    def update_organization(self, org_id: str, body: dict[str, Any]) -> Organization:
        with self.lock:
            org = org_rules.update(self.organizations, self.get_organization(org_id), body)
            self.organizations[org.id] = org
            return org

    def delete_organization(self, org_id: str) -> None:
        """404 for an unknown id (go-auth0 recording TestOrganizationManager_Delete)."""
        with self.lock:
            del self.organizations[self.get_organization(org_id).id]

    def organization_members(self, org_id: str, roles: bool = False) -> list[dict[str, Any]]:
        """The members as ``GET /organizations/{id}/members`` lists them, in joining order;
        ``roles``: each with its organization roles as ``[{id, name}]`` (``fields=roles``,
        go-auth0 recording TestOrganizationManager_MembersWithRoles)."""
        with self.lock:
            org = self.get_organization(org_id)
            users = [(m, self.users.get(m)) for m in org.members]
            rows = [org_rules.member_json(m, u.profile) for m, u in users if u is not None]
            if roles:
                for row in rows:
                    held = org_rules.member_role_ids(org, row["user_id"])
                    listed = access.ordered(self.roles[r] for r in held if r in self.roles)
                    row["roles"] = [{"id": r.id, "name": r.name} for r in listed]
            return rows

    def add_organization_members(self, org_id: str, user_ids: list[str]) -> None:
        with self.lock:
            org = self.get_organization(org_id)
            for user_id in user_ids:
                if self.users.get(user_id) is None:
                    raise Auth0Error.invalid_body(
                        Msg.ORGANIZATION_MEMBER_UNKNOWN.format(user_id=user_id)
                    )
            self.organizations[org.id] = org_rules.add_members(org, user_ids)

    def remove_organization_members(self, org_id: str, user_ids: list[str]) -> None:
        with self.lock:
            org = self.get_organization(org_id)
            self.organizations[org.id] = org_rules.remove_members(org, user_ids)

    def organization_member_roles(self, org_id: str, user_id: str) -> list[Role]:
        """``GET /organizations/{id}/members/{user_id}/roles``: the member's roles in this
        organization, as ``GET /roles`` orders them."""
        with self.lock:
            org = self.get_organization(org_id)
            org_rules.require_member(org, user_id)
            held = org_rules.member_role_ids(org, user_id)
            return access.ordered(self.roles[r] for r in held if r in self.roles)

    def assign_organization_member_roles(
        self, org_id: str, user_id: str, role_ids: Iterable[str]
    ) -> None:
        """``POST /organizations/{id}/members/{user_id}/roles``: all or nothing; the roles
        apply only to logins through this organization."""
        with self.lock:
            org = self.get_organization(org_id)
            org_rules.require_member(org, user_id)
            role_ids = list(role_ids)
            for role_id in role_ids:
                if role_id not in self.roles:
                    raise Auth0Error.invalid_body(
                        Msg.ORGANIZATION_ROLE_UNKNOWN.format(role_id=role_id)
                    )
            self.organizations[org.id] = org_rules.with_member_roles(org, user_id, role_ids)

    def remove_organization_member_roles(
        self, org_id: str, user_id: str, role_ids: Iterable[str]
    ) -> None:
        """``DELETE /organizations/{id}/members/{user_id}/roles``: roles not held are
        ignored."""
        with self.lock:
            org = self.get_organization(org_id)
            org_rules.require_member(org, user_id)
            self.organizations[org.id] = org_rules.without_member_roles(org, user_id, role_ids)

    def organization_client_grants(self, org_id: str) -> list[dict[str, Any]]:
        """``GET /organizations/{id}/client-grants``: the grants associated, in that order."""
        with self.lock:
            org = self.get_organization(org_id)
            found = {g["id"]: g for g in clients.all_grants(self.clients.values())}
            return [org_rules.client_grant_json(found[g]) for g in org.client_grants if g in found]

    def add_organization_client_grant(self, org_id: str, grant_id: str) -> dict[str, Any]:
        """``POST /organizations/{id}/client-grants``: the client may then ask for tokens for
        the grant's API in this organization
        (https://auth0.com/docs/manage-users/organizations/organizations-for-m2m-applications/authorize-m2m-access)."""
        with self.lock:
            org = self.get_organization(org_id)
            try:
                client, audience = clients.find_grant(self.clients.values(), grant_id)
            except Auth0Error:
                raise Auth0Error(404, Msg.ORGANIZATION_GRANT_NOT_FOUND) from None
            self.organizations[org.id] = org_rules.with_client_grant(org, grant_id)
            return org_rules.client_grant_json(clients.grant_json(client, audience))

    def remove_organization_client_grant(self, org_id: str, grant_id: str) -> None:
        with self.lock:
            org = self.get_organization(org_id)
            self.organizations[org.id] = org_rules.without_client_grant(org, grant_id)

    def client_grant_organizations(self, grant_id: str) -> list[Organization]:
        """``GET /client-grants/{id}/organizations``: the organizations the grant is
        associated with; 404 for an unknown grant."""
        with self.lock:
            clients.find_grant(self.clients.values(), grant_id)
            return org_rules.of_client_grant(self.organizations, grant_id)

    def organization_discovery_domains(self, org_id: str) -> list[dict[str, Any]]:
        """``GET /organizations/{id}/discovery-domains``: in creation order."""
        with self.lock:
            return copy.deepcopy(self.get_organization(org_id).discovery_domains)

    def add_organization_discovery_domain(
        self, org_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A new domain with its verification record (``ord_`` + 22 letters and digits, a
        32-hex TXT value: go-auth0 recording TestOrganizationManager_DiscoveryDomains)."""
        with self.lock:
            org, record = org_rules.with_discovery_domain(
                self.get_organization(org_id), body, "ord_" + self.ids.alnum(22), self.ids.hex(32)
            )
            self.organizations[org.id] = org
            return record

    def organization_discovery_domain(self, org_id: str, domain_id: str) -> dict[str, Any]:
        with self.lock:
            return org_rules.require_discovery_domain(self.get_organization(org_id), domain_id)

    def update_organization_discovery_domain(
        self, org_id: str, domain_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.lock:
            org, record = org_rules.with_discovery_status(
                self.get_organization(org_id), domain_id, body
            )
            self.organizations[org.id] = org
            return record

    def remove_organization_discovery_domain(self, org_id: str, domain_id: str) -> None:
        with self.lock:
            org = self.get_organization(org_id)
            self.organizations[org.id] = org_rules.without_discovery_domain(org, domain_id)

    def user_organizations(self, user_id: str) -> list[Organization]:
        with self.lock:
            return org_rules.of_user(self.organizations, user_id)

    def _connections_by_id(self) -> dict[str, Connection]:
        return {c.id: c for c in self.connections.values()}

    def organization_connections(self, org_id: str) -> list[dict[str, Any]]:
        with self.lock:
            by_id = self._connections_by_id()
            org = self.get_organization(org_id)
            return [e.to_json(by_id.get(e.connection_id)) for e in org.enabled_connections]

    def organization_connection(self, org_id: str, connection_id: str) -> dict[str, Any]:
        with self.lock:
            org = self.get_organization(org_id)
            enabled = org_rules.require_connection(org, connection_id)
            return enabled.to_json(self._connections_by_id().get(connection_id))

    def add_organization_connection(self, org_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            org = org_rules.add_connection(
                self.get_organization(org_id), body, self._connections_by_id()
            )
            self.organizations[org.id] = org
            return self.organization_connection(org.id, body["connection_id"])

    def update_organization_connection(
        self, org_id: str, connection_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.lock:
            org = self.get_organization(org_id)
            org_rules.require_connection(org, connection_id)
            connection = self._connections_by_id()[connection_id]
            org = org_rules.update_connection(org, connection_id, body, connection)
            self.organizations[org.id] = org
            return self.organization_connection(org.id, connection_id)

    def remove_organization_connection(self, org_id: str, connection_id: str) -> None:
        with self.lock:
            org = org_rules.remove_connection(self.get_organization(org_id), connection_id)
            self.organizations[org.id] = org

    def create_invitation(self, org_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The link goes to the client's ``initiate_login_uri``, else the tenant's default
        login route (the spec's 400 for neither); the e-mail Auth0 would send is recorded in
        :attr:`mail` unless ``send_invitation_email`` is false."""
        with self.lock:
            org = self.get_organization(org_id)
            client = self.clients.get(body["client_id"])
            if client is None:
                raise Auth0Error.invalid_body(
                    Msg.ORGANIZATION_CLIENT_UNKNOWN.format(client_id=body["client_id"])
                )
            for role_id in body.get("roles") or ():
                if role_id not in self.roles:
                    raise Auth0Error.invalid_body(
                        Msg.ORGANIZATION_ROLE_UNKNOWN.format(role_id=role_id)
                    )
            connection_id = body.get("connection_id")
            if connection_id is not None and connection_id not in self._connections_by_id():
                raise Auth0Error.invalid_body(
                    Msg.ORGANIZATION_CONNECTION_UNKNOWN.format(connection_id=connection_id)
                )
            route = client.settings.get("initiate_login_uri") or self.settings.extra.get(
                "default_redirection_uri"
            )
            invitation = org_rules.new_invitation(
                org,
                body,
                invitation_id="uinv_" + self.ids.alnum(16),
                ticket=self.ids.alnum(32),
                login_route=route if isinstance(route, str) else None,
                now=self.clock.time(),
            )
            self.organizations[org.id] = org_rules.with_invitation(org, invitation)
            if body.get("send_invitation_email", True):
                self.mail.append(org_rules.mail_for(invitation, org))
            return invitation

    def list_invitations(self, org_id: str, sort: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return org_rules.sorted_invitations(self.get_organization(org_id), sort)

    def get_invitation(self, org_id: str, invitation_id: str) -> dict[str, Any]:
        with self.lock:
            return org_rules.require_invitation(self.get_organization(org_id), invitation_id)

    def delete_invitation(self, org_id: str, invitation_id: str) -> None:
        with self.lock:
            org = self.get_organization(org_id)
            org_rules.require_invitation(org, invitation_id)
            self.organizations[org.id] = org_rules.without_invitation(org, invitation_id)

    def _prune_organizations(self) -> None:
        """After users, connections, roles or client grants went away: the memberships, member
        roles, enabled connections and client-grant associations naming them go too."""
        ids = [c.id for c in self.connections.values()]
        grant_ids = [g["id"] for g in clients.all_grants(self.clients.values())]
        for org in list(self.organizations.values()):
            changed = org_rules.pruned(
                org, lambda u: self.users.get(u) is not None, ids, self.roles, grant_ids
            )
            if changed is not None:
                self.organizations[org.id] = changed

    def _organization_login(
        self, request: authorization.AuthorizeRequest, session: Session
    ) -> None:
        """A login through an organization: the user must be (or become) a member, else
        ``access_denied`` goes to the callback."""
        if request.organization is None:
            return
        org = self.organizations.get(request.organization)
        if org is None:
            raise authorization.refused(
                request,
                "invalid_request",
                OAuthMsg.ORGANIZATION_UNKNOWN.format(value=request.organization),
            )
        connection = self.connections.get(session.connection)
        admitted, allowed = org_rules.admit(
            org,
            session.user_id,
            connection.id if connection is not None else None,
            request.invitation,
            self.clock.time(),
        )
        if not allowed:
            raise authorization.refused(
                request,
                "access_denied",
                OAuthMsg.NOT_A_MEMBER.format(user_id=session.user_id, org_id=org.id),
            )
        self.organizations[org.id] = admitted

    def _with_organization(
        self, request: authorization.AuthorizeRequest, params: dict[str, str]
    ) -> authorization.AuthorizeRequest:
        """``/authorize``'s ``organization`` (by id, or by name when the tenant allows names)
        and ``invitation``, checked against the client's ``organization_usage``."""
        value = params.get("organization") or None
        client = self.clients[request.client_id]
        if value is None:
            if client.settings.get("organization_usage") == "require":
                raise authorization.refused(
                    request, "invalid_request", OAuthMsg.ORGANIZATION_REQUIRED
                )
            return request
        names = bool(self.settings.extra.get("allow_organization_name_in_authentication_api"))
        if not names and not value.startswith("org_"):
            raise authorization.refused(
                request, "invalid_request", OAuthMsg.ORGANIZATION_MUST_BE_ID
            )
        org = org_rules.find_for_login(self.organizations, value, names)
        if org is None:
            raise authorization.refused(
                request, "invalid_request", OAuthMsg.ORGANIZATION_UNKNOWN.format(value=value)
            )
        return dataclasses.replace(
            request,
            organization=org.id,
            organization_name=org.name if names else None,
            invitation=params.get("invitation") or None,
        )

    # -- actions (fakeauth0.actions; the runtime in fakeauth0.js) --------------------------------

    def runs_login_actions(self) -> bool:
        """Whether a login or a sign-up now runs JavaScript: Actions bound to post-login or to
        the registration triggers, or a legacy tenant's Rules."""
        bindings = self.action_book.bindings
        return any(
            bindings.get(t) for t in ("post-login", registration.PRE, registration.POST)
        ) or bool(rule_pipeline.enabled_rules(self))

    def new_execution_id(self) -> str:
        """An execution's id: a UUID, as the spec's example shows; the caller holds the lock."""
        return self._action_id()

    def get_execution(self, execution_id: str) -> Execution:
        """``GET /actions/executions/{id}``."""
        with self.lock:
            return self.executions.get(execution_id)

    def _action_id(self) -> str:
        """Auth0's action, version and binding ids are UUIDs (go-auth0 recordings)."""
        h = self.ids.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def _seeded_actions(self, data: Any) -> ActionBook | None:
        """A seed's ``actions`` and ``bindings`` (None: the seed has neither, keep them)."""
        if not isinstance(data, dict) or not ({"actions", "bindings"} & set(data)):
            return None
        raw_actions, raw_bindings = data.get("actions", []), data.get("bindings", {})
        if not isinstance(raw_actions, list):
            raise snapshot.SeedError(FakeMsg.SEED_NOT_LIST.format(key="actions"))
        try:
            return actions.parse(raw_actions, raw_bindings, self._action_id, self.clock.time())
        except (ValueError, TypeError, KeyError) as error:
            raise snapshot.SeedError(f"actions: {error}") from None

    def list_actions(self) -> list[Action]:
        with self.lock:
            return list(self.action_book.actions.values())

    def get_action(self, action_id: str) -> Action:
        with self.lock:
            return self.action_book.require(action_id)

    def create_action(self, body: dict[str, Any]) -> Action:
        """``POST /actions/actions``; ``deploy: true`` deploys the new action as it builds."""
        with self.lock:
            now = self.clock.time()
            action = actions.create(self.action_book, body, self._action_id(), now)
            if body.get("deploy"):
                action, _ = actions.deploy_on_create(action, self._action_id(), now)
            self.action_book.actions[action.id] = action
            return action

    def update_action(self, action_id: str, body: dict[str, Any]) -> Action:
        with self.lock:
            book = self.action_book
            action = actions.update(book, book.require(action_id), body, self.clock.time())
            book.actions[action.id] = action
            return action

    def delete_action(self, action_id: str, *, force: bool = False) -> None:
        """``force`` detaches the action's bindings first."""
        with self.lock:
            book = self.action_book
            action = book.require(action_id)
            actions.check_deletable(book, action, force)
            book.bindings = actions.unbind(book, action.id)
            del book.actions[action.id]

    def deploy_action(self, action_id: str) -> tuple[Action, Version, dict[str, Any]]:
        """A new deployed version of the action as it stands; with it, the action as it was
        before (what the deploy answer embeds)."""
        with self.lock:
            book = self.action_book
            action = book.require(action_id)
            before = actions.base_json(action)
            action, version = actions.deploy(action, self._action_id(), self.clock.time())
            book.actions[action.id] = action
            return action, version, before

    def deploy_action_version(
        self, action_id: str, version_id: str, *, update_draft: bool = False
    ) -> tuple[Action, Version, dict[str, Any]]:
        """Deploy an earlier version again (a rollback), as a new version."""
        with self.lock:
            book = self.action_book
            action = book.require(action_id)
            old = actions.find_version(action, version_id)
            before = actions.base_json(action)
            action, version = actions.redeploy(
                action, old, self._action_id(), self.clock.time(), update_draft
            )
            book.actions[action.id] = action
            return action, version, before

    def get_action_version(self, action_id: str, version_id: str) -> tuple[Action, Version]:
        with self.lock:
            action = self.action_book.require(action_id)
            return action, actions.find_version(action, version_id)

    def bindings(self, trigger: str) -> list[tuple[Binding, Action]]:
        """The trigger's bindings with their actions, in the order they run: what a login
        runs is each one's deployed version."""
        with self.lock:
            actions.check_trigger(trigger)
            return self.action_book.bound(trigger)

    def bind_actions(
        self, trigger: str, refs: list[dict[str, Any]]
    ) -> list[tuple[Binding, Action]]:
        """``PATCH /actions/triggers/{trigger}/bindings``: the new ordered list replaces the
        old one."""
        with self.lock:
            actions.check_trigger(trigger)
            book = self.action_book
            new = actions.bind(book, trigger, refs, self._action_id, self.clock.time())
            book.bindings = {**book.bindings, trigger: new}
            return book.bound(trigger)

    def test_action(
        self, action_id: str, event: dict[str, Any], *, timeout: float | None = None
    ) -> RunResult:
        """``POST /actions/actions/{id}/test``: the action's draft run once with ``event`` and
        its secrets, outside the lock (the code may call back into the tenant)."""
        with self.lock:
            action = self.action_book.require(action_id)
            code, trigger = action.code, action.trigger
            secrets = {s.name: s.value for s in action.secrets}
            dependencies = list(action.dependencies)
        if trigger != "post-login":
            raise Auth0Error.bad_request(Msg.ACTION_TEST_TRIGGER.format(trigger=trigger))
        return run_post_login(
            code, event, secrets, timeout or DEFAULT_TIMEOUT, dependencies=dependencies
        )

    def add_action(
        self,
        code: str,
        trigger: str = "post-login",
        *,
        name: str | None = None,
        secrets: dict[str, str] | None = None,
        dependencies: list[dict[str, Any]] | None = None,
    ) -> Action:
        """The Python shortcut: create the action, deploy it built, and bind it last on
        ``trigger``; as the Management API would after the build."""
        with self.lock:
            now = self.clock.time()
            body: dict[str, Any] = {
                "name": name or f"action-{len(self.action_book.actions) + 1}",
                "supported_triggers": [{"id": trigger}],
                "code": code,
                "secrets": [{"name": k, "value": v} for k, v in (secrets or {}).items()],
                "dependencies": dependencies or [],
            }
            book = self.action_book
            action = actions.create(book, body, self._action_id(), now - actions.BUILT_AFTER)
            action, _ = actions.deploy(action, self._action_id(), now)
            book.actions[action.id] = action
            refs = [
                {"ref": {"type": "binding_id", "value": b.id}}
                for b in book.bindings.get(trigger, [])
            ]
            refs.append({"ref": {"type": "action_id", "value": action.id}})
            self.bind_actions(trigger, refs)
            return action

    # -- classic Rules (fakeauth0.rules; legacy tenants only) -----------------------------------

    def _rules(self) -> RuleBook:
        """The rule book of a legacy tenant; any other refuses as Auth0 does."""
        if not self.rules_enabled:
            raise rule_records.refuse_deprecated()
        return self.rule_book

    def _seeded_rules(self, data: Any) -> RuleBook:
        """A seed's ``rules`` and ``rules_configs`` (none: an empty book)."""
        if not isinstance(data, dict) or not ({"rules", "rules_configs"} & set(data)):
            return RuleBook()
        if not self.rules_enabled:
            raise snapshot.SeedError(FakeMsg.SEED_RULES_LEGACY)
        try:
            return rule_records.parse(
                data.get("rules", []), data.get("rules_configs", {}), self._rule_id
            )
        except ValueError as error:
            raise snapshot.SeedError(f"rules: {error}") from None

    def _rule_id(self) -> str:
        """``rul_`` and 16 letters and digits (go-auth0 recordings TestRuleManager_*)."""
        return "rul_" + self.ids.alnum(16)

    def list_rules(self, enabled: bool | None = None) -> list[Rule]:
        """``GET /rules``: in execution order, optionally only the enabled (or disabled) ones."""
        with self.lock:
            found = self._rules().listed()
            return found if enabled is None else [r for r in found if r.enabled == enabled]

    def get_rule(self, rule_id: str) -> Rule:
        with self.lock:
            return self._rules().require(rule_id)

    def create_rule(self, body: dict[str, Any]) -> Rule:
        with self.lock:
            return rule_records.create(self._rules(), body, self._rule_id())

    def update_rule(self, rule_id: str, body: dict[str, Any]) -> Rule:
        with self.lock:
            return rule_records.update(self._rules(), rule_id, body)

    def delete_rule(self, rule_id: str) -> None:
        with self.lock:
            rule_records.delete(self._rules(), rule_id)

    def rules_config_keys(self) -> list[str]:
        """``GET /rules-configs``: the keys only; values are read by rules alone."""
        with self.lock:
            return list(self._rules().configs)

    def set_rules_config(self, key: str, value: str) -> dict[str, str]:
        with self.lock:
            return rule_records.set_config(self._rules(), key, value)

    def delete_rules_config(self, key: str) -> None:
        with self.lock:
            self._rules().configs.pop(key, None)

    # -- e-mail templates (fakeauth0.email_templates) -------------------------------------------

    def _seeded_email_templates(self, data: Any) -> mail_templates.TemplateBook:
        """A seed's ``email_templates`` (none: no template configured)."""
        if not isinstance(data, dict) or "email_templates" not in data:
            return mail_templates.TemplateBook()
        try:
            return mail_templates.parse(data["email_templates"])
        except ValueError as error:
            raise snapshot.SeedError(f"email_templates: {error}") from None

    def get_email_template(self, name: str) -> dict[str, Any]:
        with self.lock:
            return mail_templates.to_json(self.email_templates.require(name))

    def create_email_template(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return mail_templates.to_json(mail_templates.create(self.email_templates, body))

    def update_email_template(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return mail_templates.to_json(mail_templates.update(self.email_templates, name, body))

    def replace_email_template(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return mail_templates.to_json(mail_templates.replace(self.email_templates, name, body))

    def _signup_mail(self, user: User, client_id: str) -> None:
        """A sign-up's e-mail: the verification link when ``verify_email`` is on, else the
        welcome e-mail when ``welcome_email`` is on (docs/auth0-behaviour.md#e-mail-templates)."""
        message = signups.verification_mail(user, client_id, self.clock.iso())
        if message is None:
            return
        book = self.email_templates
        if book.sends(mail_templates.VERIFY_EMAIL):
            message["link"] = self._ticket_url(
                tickets.EMAIL_VERIFICATION,
                user.user_id,
                client_id=client_id,
                **book.link_options(mail_templates.VERIFY_EMAIL),
            )
            self.outbox.append(book.dress(message))
        else:
            self._welcome(user.user_id, client_id)

    def _welcome(self, user_id: str, client_id: str | None) -> None:
        """The ``welcome_email``, when its template is on, to a user with an e-mail."""
        if not self.email_templates.sends(mail_templates.WELCOME_EMAIL):
            return
        user = self.users.get(user_id)
        if user is None:
            return
        message = signups.welcome_mail(user, client_id, self.clock.iso())
        if message is not None:
            self.outbox.append(self.email_templates.dress(message))

    # -- snapshot, restore, reset (fakeauth0.snapshot) ------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole tenant as a seed document: settings, connections, clients, users (linked
        ones too)."""
        with self.lock:
            taken = snapshot.take(
                self.domain,
                self.management_client,
                self.connections.values(),
                self.clients.values(),
                self.users,
                self.resource_servers.values(),
                self.settings,
                self.brute_force,
                self.roles.values(),
                self.organizations.values(),
            )
            taken["actions"], taken["bindings"] = actions.record(self.action_book)
            if self.rule_book.rules or self.rule_book.configs:
                taken.update(rule_records.record(self.rule_book))
            if self.email_templates.templates:
                taken["email_templates"] = mail_templates.record(self.email_templates)
            return taken

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the state with a seed or snapshot, through the domain's rules; a document
        that breaks one raises :class:`~fakeauth0.snapshot.SeedError` and changes nothing."""
        with self.lock:
            book = self._seeded_actions(data)
            rule_book = self._seeded_rules(data)
            templates = self._seeded_email_templates(data)
            seeded = snapshot.read(
                {k: v for k, v in data.items() if k not in _EXTENSIBILITY_KEYS}
                if isinstance(data, dict)
                else data,
                connections=self.connections,
                clients=self.clients,
                management_client=self.management_client,
                ids=self.ids,
                now=self.clock.iso(),
                resource_servers=self.resource_servers,
                system_api=self._system_api(),
                roles=self.roles,
            )
            self.connections = seeded.connections
            self.roles = seeded.roles
            self.resource_servers = seeded.resource_servers
            if book is not None:
                self.action_book = book
            self.rule_book = rule_book
            self.email_templates = templates
            if seeded.settings is not None:
                self.settings = seeded.settings
            if seeded.brute_force is not None:
                self.brute_force = seeded.brute_force
            else:
                self.brute_force.failures.clear()
            # In place, so the directory's listeners hear of each change.
            self.clients.clear()
            self.clients.update(seeded.clients)
            self.management_client = seeded.management_client
            self.users.clear()
            for user in seeded.users:
                self.users.put(user)
            self.organizations = seeded.organizations

    def load_seed(self, data: dict[str, Any]) -> None:
        """Restore ``data`` and make it what :meth:`reset` returns to."""
        with self.lock:
            self.restore(data)
            self.seed_state = self.snapshot()

    def reset(self) -> None:
        """Back to the seed (not to empty); faults, rate limits, the clock, the call log and the
        search lag too."""
        with self.lock:
            self.restore(self.seed_state)
            self.faults.reset()
            self.clock.reset()
            self.calls.clear()
            self.logs.clear()
            self.search_lag = self.configured_search_lag
            self.sessions.clear()
            self.pauses.clear()
            self.outbox.clear()
            self.tickets.clear()
            self.jobs.clear()
            self.executions.clear()
            self.rule_runs.clear()
            self.action_cache.clear()
            self.passwordless_codes.clear()

    # -- user search (fakeauth0.search) ----------------------------------------------------------

    def search_users(
        self,
        q: str | None = None,
        *,
        engine: str = "v3",
        sort: str | None = None,
        page: int = 0,
        per_page: int = 50,
    ) -> SearchPage:
        """``GET /users?q=...``: Auth0's v3 query syntax (``engine="v2"`` on a legacy tenant),
        sorted and paged. Eventually consistent when :attr:`search_lag` is set."""
        with self.lock:
            if engine == "v2" and self.search_engine != "v2":
                raise Auth0Error.invalid_query(Msg.SEARCH_ENGINE_V2)
            return self.user_search.search(
                q, engine=engine, sort=sort, page=page, per_page=per_page
            )

    @property
    def search_lag(self) -> float:
        """Seconds on the tenant clock before a write shows in search (0, the default: at
        once). ``GET /users/{id}`` and ``users-by-email`` are never delayed
        (docs/auth0-behaviour.md#paging-totals-and-consistency)."""
        return self.user_search.lag

    @search_lag.setter
    def search_lag(self, seconds: float) -> None:
        with self.lock:
            self.user_search.lag = seconds

    # -- self-service sign-up and password reset (fakeauth0.signups) -----------------------------

    def signup(
        self,
        *,
        client_id: str | None,
        connection: str | None,
        email: str | None = None,
        password: str | None,
        username: str | None = None,
        phone_number: str | None = None,
        profile: dict[str, str] | None = None,
        user_metadata: dict[str, Any] | None = None,
        ip: str | None = None,
        caller: Caller | None = None,
    ) -> User:
        """``POST /dbconnections/signup``: a database user signed up through ``client_id``
        (``signups.prepare``), through the tenant's pre- and post-user-registration Actions
        (:mod:`fakeauth0.registration`, run without the lock); raises
        :class:`~fakeauth0.errors.SignupError`. ``caller``: the request that signs up (for
        ``event.request``); without one, a ``POST`` from ``ip``."""
        post_login.refuse_held_lock(self, registration.PRE, registration.POST)
        caller = caller or Caller(ip=ip, method="POST")

        def refused(error: SignupError) -> SignupError:
            self.logs.signup(
                self.clients,
                self.connections,
                client_id,
                connection,
                email or username,
                error=error,
            )
            return error

        with self.lock:
            try:
                user = signups.prepare(
                    self.users,
                    self.connections,
                    self.clients,
                    self.ids,
                    self.clock.iso(),
                    client_id=client_id,
                    connection=connection,
                    email=email,
                    password=password,
                    username=username,
                    phone_number=phone_number,
                    profile=profile,
                    user_metadata=user_metadata,
                )
            except SignupError as error:
                raise refused(error) from None
            database = self.connections[user.primary.connection]
            asking = signups.asking_client(self.clients, client_id)
            before = post_login.bound_actions(self, registration.PRE)
            if before:
                event = self._registration_event(user, database, asking, caller, registered=False)
        if before:
            execution = registration.run(self, registration.PRE, before, event, "")
            with self.lock:
                self.executions.add(execution)
                denied = registration.denial(execution)
                if denied is not None:
                    raise refused(registration.refusal(denied))
                user = registration.shaped(user, execution)
        with self.lock:
            try:
                signups.check_unique(self.users, self.connections, user)
            except SignupError as error:
                raise refused(error) from None
            self.users.put(user)
            self.logs.signup(
                self.clients, self.connections, client_id, connection, email or username, user=user
            )
            self._signup_mail(user, asking.client_id)
            after = post_login.bound_actions(self, registration.POST)
            if after:
                event = self._registration_event(user, database, asking, caller, registered=True)
        if after:
            # It cannot change the sign-up's answer; its run is kept in the execution log.
            execution = registration.run(self, registration.POST, after, event, user.user_id)
            with self.lock:
                self.executions.add(execution)
        return user

    def _registration_event(
        self, user: User, database: Connection, client: Client, caller: Caller, *, registered: bool
    ) -> dict[str, Any]:
        return registration.event(
            user,
            database,
            client,
            tenant_id=self.domain.split(".")[0],
            hostname=self.domain,
            caller=caller,
            registered=registered,
        )

    def request_password_change(
        self, *, client_id: str | None, email: str | None, connection: str | None
    ) -> dict[str, Any] | None:
        """``POST /dbconnections/change_password``: the ``reset_email`` message recorded in
        :attr:`outbox`, its ``link`` a password-change ticket, or None for an e-mail no user of
        the connection has (the caller answers the same either way)."""
        with self.lock:
            message = signups.change_password_request(
                self.users,
                self.connections,
                self.clients,
                self.clock.iso(),
                client_id=client_id,
                email=email,
                connection=connection,
            )
            if message is not None:
                if self.email_templates.sends(mail_templates.RESET_EMAIL):
                    message["link"] = self._ticket_url(
                        tickets.PASSWORD_CHANGE,
                        message["user_id"],
                        client_id=message["client_id"],
                        **self.email_templates.link_options(mail_templates.RESET_EMAIL),
                    )
                    self.outbox.append(self.email_templates.dress(message))
                user = self.users.get(message["user_id"])
                client = self.clients.get(message["client_id"])
                self.logs.user_event("scpr", user, self.connections, client=client)
            return message

    # -- passwordless logins (fakeauth0.passwordless) --------------------------------------------

    def passwordless_start(
        self, body: dict[str, Any], language: str | None = None
    ) -> dict[str, Any]:
        """``POST /passwordless/start``: a new code (or link) for the address, which replaces
        the one it had; the message (in ``language``, when asked) goes to :attr:`outbox`.
        Raises :class:`OAuthError`."""
        with self.lock:
            request = passwordless.read_start(body, self.clients, self.connections)
            pending = self.passwordless_codes.issue(
                request.connection,
                request.address,
                request.client.client_id,
                self.clock.time(),
            )
            link = None
            if request.send == "link":
                link = passwordless.link_url(self.tokens.issuer, request, pending.code)
            sent = passwordless.message(request, pending, link, self.clock.iso())
            if language:
                sent["language"] = language
            self.outbox.append(sent)
            return passwordless.start_answer(request, self.ids.object_id(), language)

    def passwordless_token(
        self, client: Client, params: dict[str, str], caller: Caller | None = None
    ) -> dict[str, Any]:
        """The ``passwordless/otp`` grant of ``/oauth/token`` for the authenticated ``client``,
        through the registration Actions on a first login and the post-login Actions (called
        without the lock held)."""
        with self.lock:
            asked = passwordless.read_otp(
                self.token_desk(),
                self.connections,
                client,
                params,
                self.settings.default_audience,
            )
        caller = caller or Caller(method="POST")
        first = passwordless_registration.FirstLogin(
            asked.connection, client.client_id, asked.username, asked.otp, caller
        )
        found: list[passwordless.OtpLogin] = []

        def begin(desk: logins.LoginDesk) -> logins.Attempt:
            attempt = passwordless_registration.log_in(self, first, desk)
            found.append(passwordless.OtpLogin(attempt, asked.audience, asked.requested))
            return attempt

        def then(user: User, changes: TokenChanges | None) -> dict[str, Any]:
            return passwordless.otp_tokens(
                self.token_desk(), client, found[0], user, self.clock.time(), changes
            )

        context = post_login.Context(
            "oauth2-password",
            tuple((params.get("scope") or "").split()),
            params.get("audience") or self.settings.default_audience or None,
        ).heard(caller, method=True)
        with passwordless_registration.registering(self, first):
            return post_login.login(self, begin, then, context)

    def passwordless_link_login(
        self, params: dict[str, str], caller: Caller | None = None, device: str | None = None
    ) -> tuple[Session, authorization.Delivery]:
        """``GET /passwordless/verify_redirect``, the magic link: its code logs the user in (a
        new SSO session) and the login's ``/authorize`` parameters say what the callback gets.
        The link is an interactive login of the browser ``device``: a redirect Action suspends
        it on a login transaction, ``/continue`` resumes it. Raises ``PageError`` before the
        callback is trusted, ``CallbackError`` after, ``SendUserTo`` for a redirect."""
        with self.lock:
            request = authorization.read_request(
                params, self.clients, self.connections, self.resource_servers, self.settings
            )
            connection = self.connections.get(params.get("connection") or "")
            if connection is None or not connection.is_passwordless:
                raise authorization.refused(request, "invalid_request", OAuthMsg.UNKNOWN_CONNECTION)
            username = params.get("email") or params.get("phone_number") or ""
            handle = None
            if self.action_book.bindings.get(post_login.TRIGGER):
                # What /continue and /authorize/resume find, should an Action redirect.
                handle = self.sessions.open_transaction(request.to_json(), device)
        first = passwordless_registration.FirstLogin(
            connection, request.client_id, username, params.get("verification_code") or "", caller
        )

        def begin(desk: logins.LoginDesk) -> logins.Attempt:
            return passwordless_registration.log_in(self, first, desk)

        then = self._session_opener(connection.name)
        context = dataclasses.replace(_context(request), transaction=handle).heard(
            caller, method=True
        )
        try:
            with passwordless_registration.registering(self, first):
                session = post_login.login(self, begin, then, context)
        except post_login.Redirected as redirected:
            raise self._suspend(handle or "", redirected.pause) from None
        except OAuthError as error:
            self._close(handle)
            denied = isinstance(error, passwordless_registration.RegistrationDenied)
            raise authorization.refused(
                request, error.error if denied else "access_denied", error.description
            ) from None
        self._close(handle)
        with self.lock:
            return session, self._complete(request, session)

    def passwordless_page_start(
        self, handle: str | None, identifier: str, device: str | None = None
    ) -> bool:
        """The login page's identifier screen when the application logs in with the ``email``
        passwordless connection: a code to the address (the outbox), remembered for the
        transaction's code screen. False when the page has no such connection (the form is a
        password login then); ``LoginPageError`` re-renders the page."""
        with self.lock:
            request = self.login_transaction(handle, device)
            database, _ = authorization.login_connections(request, self.connections)
            connection = passwordless.page_connection(
                request.client_id, request.connection, self.connections
            )
            client = self.clients.get(request.client_id)
            if database is not None or connection is None or client is None:
                return False
            if not identifier.strip():
                raise authorization.LoginPageError(
                    "no-email", authorization.PAGE_TEXTS["no-email"], "username"
                )
            try:
                start = passwordless.page_start(client, connection, identifier)
            except ValueError:
                raise authorization.LoginPageError(
                    "email-invalid", authorization.PAGE_TEXTS["email-invalid"], "username"
                ) from None
            pending = self.passwordless_codes.issue(
                connection, start.address, client.client_id, self.clock.time()
            )
            self.passwordless_codes.remember_page(handle or "", connection, start.address)
            self.outbox.append(passwordless.message(start, pending, None, self.clock.iso()))
            return True

    def passwordless_page_address(self, handle: str | None, device: str | None = None) -> str:
        """The address the code screen of transaction ``handle`` sent its code to."""
        with self.lock:
            self.login_transaction(handle, device)
            found = self.passwordless_codes.page_addresses.get(handle or "")
            if found is None:
                raise authorization.LoginPageError(
                    "invalid-state", authorization.PAGE_TEXTS["invalid-state"], "state"
                )
            return found[1]

    def passwordless_page_login(
        self,
        handle: str | None,
        code: str,
        caller: Caller | None = None,
        device: str | None = None,
    ) -> Session:
        """The code screen: the code spent, then the one login pipeline (the user is created
        on first use, through the registration Actions), as the magic link logs in; a new SSO
        session. A wrong, expired or exhausted code re-renders the screen, as does a
        pre-user-registration denial (with its ``userMessage``); a redirect Action raises
        ``SendUserTo`` and the login waits for ``/continue``."""
        address = self.passwordless_page_address(handle, device)
        with self.lock:
            request = self.login_transaction(handle, device)
            name = self.passwordless_codes.page_addresses[handle or ""][0]
            connection = self.connections.get(name)
            if connection is None:
                raise authorization.refused(request, "invalid_request", OAuthMsg.UNKNOWN_CONNECTION)
        first = passwordless_registration.FirstLogin(
            connection, request.client_id, address, code.strip(), caller
        )

        def begin(desk: logins.LoginDesk) -> logins.Attempt:
            return passwordless_registration.log_in(self, first, desk)

        then = self._session_opener(connection.name)
        context = dataclasses.replace(_context(request), transaction=handle).heard(caller)
        try:
            with passwordless_registration.registering(self, first):
                session = post_login.login(self, begin, then, context)
        except post_login.Redirected as redirected:
            with self.lock:
                self.passwordless_codes.page_addresses.pop(handle or "", None)
            raise self._suspend(handle or "", redirected.pause) from None
        except passwordless_registration.RegistrationDenied as denied:
            # As the sign-up screen shows a pre-user-registration denial: the userMessage.
            raise authorization.LoginPageError(
                "custom-script-error-code_extensibility_error",
                denied.user_message or SignupMsg.EXTENSIBILITY_PAGE,
                "code",
            ) from None
        except OAuthError as error:
            if error.error == "invalid_grant":
                raise authorization.LoginPageError(
                    "invalid-code", authorization.PAGE_TEXTS["invalid-code"], "code"
                ) from None
            raise authorization.refused(request, "access_denied", error.description) from None
        with self.lock:
            self.passwordless_codes.page_addresses.pop(handle or "", None)
        return session

    # -- jobs: users imports and exports, verification e-mails (fakeauth0.jobs) -----------------

    def import_users(
        self,
        connection_id: str,
        users: Any,
        *,
        upsert: bool = False,
        external_id: str | None = None,
        send_completion_email: bool = True,
    ) -> dict[str, Any]:
        """``POST /jobs/users-imports``: a pending job importing ``users`` (the parsed file, a
        list in Auth0's bulk-import format) into the database ``connection_id``."""
        with self.lock:
            self._settle_jobs()
            connection = self._connection_by_id_or_400(connection_id)
            now = self.clock.time()
            job = job_rules.import_job(
                self.jobs,
                self._job_id(),
                connection,
                users,
                now,
                format_iso(now),
                upsert=upsert,
                external_id=external_id,
                send_completion_email=send_completion_email,
            )
            return job.to_json(now)

    def export_users(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jobs/users-exports`` with a spec-valid body: a pending export job."""
        with self.lock:
            self._settle_jobs()
            connection_id = body.get("connection_id")
            connection = (
                None if connection_id is None else self._connection_by_id_or_400(connection_id)
            )
            now = self.clock.time()
            job = job_rules.export_job(
                self.jobs, self._job_id(), connection, body, now, format_iso(now)
            )
            return job.to_json(now)

    def send_verification_email(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /jobs/verification-email`` with a spec-valid body: a pending job that records
        a ``verify_email`` message in :attr:`mail` when it completes."""
        with self.lock:
            self._settle_jobs()
            now = self.clock.time()
            job = job_rules.verification_job(
                self.jobs,
                self._job_id(),
                self.users,
                self.clients,
                body,
                now,
                format_iso(now),
                default_client_id=self.management_client.client_id,
            )
            return job.to_json(now)

    def get_job(self, job_id: str, base_url: str | None = None) -> dict[str, Any]:
        """``GET /jobs/{id}``: the job now; a finished export's ``location`` is a fresh link on
        ``base_url`` (default: :attr:`base_url`)."""
        with self.lock:
            self._settle_jobs()
            now = self.clock.time()
            job = self.jobs.require(job_id, now)
            link = job_rules.location(self.jobs, job, base_url or self.base_url, now)
            return job.to_json(now, link)

    def job_errors(self, job_id: str) -> list[dict[str, Any]] | dict[str, Any] | None:
        """``GET /jobs/{id}/errors``: a finished import's per-user errors (None when there are
        none); the job itself while it runs, or when it is no import."""
        with self.lock:
            self._settle_jobs()
            now = self.clock.time()
            job = self.jobs.require(job_id, now)
            if job.type != job_rules.IMPORT or job.status not in job_rules.FINAL:
                return job.to_json(now)
            return [dict(entry) for entry in job.errors] or None

    def export_download(
        self, job_id: str, filename: str, expires: str, signature: str
    ) -> bytes | None:
        """A finished export's gzipped file, for a link :meth:`get_job` gave that has not
        expired; None otherwise."""
        with self.lock:
            self._settle_jobs()
            now = self.clock.time()
            return job_rules.download(self.jobs, job_id, filename, expires, signature, now)

    def settle_jobs(self) -> None:
        """Finish every job now, whatever the clock says (tests need not wait)."""
        with self.lock:
            self._settle_jobs(force=True)

    def _job_id(self) -> str:
        return "job_" + self.ids.alnum(16)

    def _settle_jobs(self, *, force: bool = False) -> None:
        """Do the work of every job whose time has come (all of them with ``force``), stamped
        with the moment it came; the caller holds the lock."""
        if not len(self.jobs):
            return
        now = self.clock.time()
        for job in self.jobs.unsettled():
            if not (force or job.due(now)):
                continue
            when = format_iso(now if force else min(now, job.created + job_rules.DONE_AFTER))
            if job.type == job_rules.IMPORT:
                job_rules.run_import(job, self.users, self.connections, self.ids.object_id, when)
            elif job.type == job_rules.EXPORT:
                job_rules.run_export(job, self.users, self.domain.split(".", 1)[0])
            else:
                message = job_rules.run_verification(job, self.users, when)
                # The job completes either way; a disabled verify_email template sends nothing.
                if message is not None and self.email_templates.sends(mail_templates.VERIFY_EMAIL):
                    if not job.work.get("index"):
                        # The e-mail's link is a verification ticket, as a sign-up's is (a
                        # linked identity's address has no ticket of its own).
                        message["link"] = self._verification_link(message)
                    self.mail.append(self.email_templates.dress(message))

    # -- logout (fakeauth0.logouts) ---------------------------------------------------------------

    def logout(self, params: dict[str, str], sid: str | None) -> str | None:
        """``/v2/logout``: the browser's session ``sid`` ends first, whatever follows; then where
        the browser goes (None: nowhere named), or ``PageError`` for a ``returnTo`` that no list
        allows or an unknown ``client_id``."""
        with self.lock:
            self._log_logout(self.sessions.end(sid), params.get("client_id"))
            return logouts.v2_return_to(params, self.clients, self.settings)

    def oidc_logout(self, params: dict[str, str], sid: str | None) -> logouts.OidcLogout:
        """``/oidc/logout``: checked before anything ends (``PageError``); the session ends now
        unless the user must confirm first (``confirmation`` is then set)."""
        with self.lock:
            session = self.session(sid)
            outcome = logouts.oidc_logout(
                params,
                self.clients,
                self.settings,
                self.tokens,
                session.sid if session is not None else None,
            )
            if outcome.confirmation is None:
                self._log_logout(self.sessions.end(sid), params.get("client_id"))
            return outcome

    def confirm_logout(self, confirmation: str | None, sid: str | None) -> str | None:
        """The user confirmed an ``/oidc/logout``: the session ends; where the browser goes, or
        ``PageError`` for a confirmation that is stale or another session's."""
        with self.lock:
            session = self.session(sid)
            redirect = logouts.confirmed_redirect(
                self.tokens, confirmation, session.sid if session is not None else None
            )
            self._log_logout(self.sessions.end(sid), None)
            return redirect

    def _log_logout(self, ended: Session | None, client_id: str | None) -> None:
        if ended is not None:
            user = self.users.get(ended.user_id)
            client = self.clients.get(client_id or "")
            self.logs.user_event("slo", user, self.connections, client=client)

    # -- the outbox and tickets (fakeauth0.outbox, fakeauth0.tickets) ----------------------------

    @property
    def mail(self) -> Outbox:
        """:attr:`outbox` under a second name: ``tenant.mail.append({...})`` records a
        message in it."""
        return self.outbox

    def _verification_link(self, message: dict[str, Any]) -> str:
        client_id = message.get("client_id")
        options = self.email_templates.link_options(mail_templates.VERIFY_EMAIL)
        if client_id:
            options["client_id"] = client_id
        return self._ticket_url(tickets.EMAIL_VERIFICATION, message["user_id"], **options)

    def _ticket_url(self, kind: str, user_id: str, **options: Any) -> str:
        ticket = self.tickets.issue(self.ids, self.clock.time(), kind, user_id, **options)
        return ticket.url(self.domain)

    def _organization_exists(self, organization_id: str) -> bool:
        return organization_id in self.organizations

    def create_email_verification_ticket(self, request: tickets.TicketRequest) -> str:
        """``POST /tickets/email-verification``: the ticket's URL; nothing is e-mailed."""
        with self.lock:
            tickets.check_options(request, self.clients, self._organization_exists)
            user = tickets.verification_target(request, self.users, self.connections)
            options = tickets.ticket_options(request)
            del options["mark_email_as_verified"]
            return self._ticket_url(tickets.EMAIL_VERIFICATION, user.user_id, **options)

    def create_password_change_ticket(self, request: tickets.TicketRequest) -> str:
        """``POST /tickets/password-change``: the ticket's URL; nothing is e-mailed."""
        with self.lock:
            tickets.check_options(request, self.clients, self._organization_exists)
            user = tickets.password_change_target(request, self.users, self.connections)
            options = tickets.ticket_options(request)
            return self._ticket_url(tickets.PASSWORD_CHANGE, user.user_id, **options)

    def use_email_verification_ticket(self, ticket_id: str | None) -> tickets.Outcome:
        """The e-mail verification link followed: the user is verified, once."""
        with self.lock:
            ticket = self.tickets.get(ticket_id, tickets.EMAIL_VERIFICATION)
            outcome = tickets.verify_email(
                self.tickets, self.users, ticket_id, self.clock.time(), self.clock.iso()
            )
            self._log_ticket("sv" if outcome.success else "fv", ticket, outcome)
            if outcome.success and ticket is not None:
                self._welcome(ticket.user_id, ticket.client_id)
            return outcome

    def password_change_screen(
        self, ticket_id: str | None
    ) -> tuple[tickets.Ticket, Connection] | tickets.Outcome:
        """The reset-password page: the usable ticket and the user's database connection (its
        password policy), or the outcome that refuses the ticket."""
        with self.lock:
            return tickets.reset_screen(
                self.tickets, self.users, self.connections, ticket_id, self.clock.time()
            )

    def use_password_change_ticket(
        self, ticket_id: str | None, password: str, confirmation: str | None = None
    ) -> tickets.Outcome:
        """The reset-password form sent: the new password, or
        :class:`~fakeauth0.authorization.LoginPageError` for one the page refuses (the ticket
        stays usable)."""
        with self.lock:
            found = tickets.reset_screen(
                self.tickets, self.users, self.connections, ticket_id, self.clock.time()
            )
            if isinstance(found, tickets.Outcome):
                return found
            ticket, database = found
            tickets.check_new_password(database, password, confirmation)
            outcome = tickets.change_password(
                self.tickets, self.users, self.connections, ticket, password, self.clock.iso()
            )
            self._log_ticket("scp" if outcome.success else "fcp", ticket, outcome)
            return outcome

    def _log_ticket(
        self, type_: str, ticket: tickets.Ticket | None, outcome: tickets.Outcome
    ) -> None:
        user = None if ticket is None else self.users.get(ticket.user_id)
        client = None if ticket is None else self.clients.get(ticket.client_id or "")
        self.logs.user_event(
            type_, user, self.connections, client=client, description=outcome.message
        )


def _protocol(response_type: Iterable[str]) -> str:
    """Auth0's name for an ``/authorize`` flow (https://auth0.com/docs/customize/rules/context-object)."""
    kinds = set(response_type)
    if "code" in kinds:
        return "oidc-hybrid-profile" if kinds - {"code"} else "oidc-basic-profile"
    return "oidc-implicit-profile"


def _context(request: authorization.AuthorizeRequest) -> post_login.Context:
    """What the post-login event says of an ``/authorize`` transaction."""
    return post_login.Context(
        _protocol(request.response_type),
        tuple(request.scopes),
        request.audience,
        redirect_uri=request.redirect_uri,
        state=request.state,
        response_type=tuple(sorted(request.response_type)),
        organization={"id": request.organization} if request.organization else None,
        response_mode=request.response_mode,
        acr_values=tuple((request.acr_values or "").split()),
        ui_locales=tuple((request.ui_locales or "").split()),
        prompt=tuple(sorted(request.prompt)),
        login_hint=request.login_hint,
        query=dict(request.query),
    )
