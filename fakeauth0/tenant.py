"""The whole state of one fake tenant, and the operations the Management API exposes on it."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .clients import Client
from .clock import Clock
from .connections import Connection, default_connections
from .errors import Auth0Error, Msg, OAuthError, OAuthMsg
from .ids import IdSource
from .spec import load_spec
from .tokens import ACCESS_TOKEN_LIFETIME, SigningKey, TokenAuthority
from .users import User, UserDirectory, apply_update, build_user, social_user

#: Every scope of the Management API, from the spec's ``oAuth2ClientCredentials`` flow.
MANAGEMENT_SCOPES: tuple[str, ...] = tuple(load_spec()["scopes"])
CALL_LOG_SIZE = 10_000


@dataclass(frozen=True)
class CallRecord:
    """One request the tenant served, for tests to assert on."""

    method: str
    path: str
    operation: str | None
    status: int


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
    ) -> None:
        self.domain = domain
        self.ids = IdSource(seed)
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.users = UserDirectory()
        self.connections: dict[str, Connection] = {}
        self.clients: dict[str, Client] = {}
        self.calls: deque[CallRecord] = deque(maxlen=CALL_LOG_SIZE)
        self.tokens = TokenAuthority(
            domain, SigningKey("fake-" + self.ids.alnum(20), domain), self.clock
        )
        for connection in default_connections(self.ids):
            self.add_connection(connection)
        self.management_client = self.add_client(
            Client(
                client_id=client_id or self.ids.client_id(),
                client_secret=client_secret or self.ids.client_secret(),
                name="API Explorer Application",
                grants={self.management_audience: list(MANAGEMENT_SCOPES)},
            )
        )

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
        found = self.connections.get(name)
        if found is None:
            raise Auth0Error.bad_request(Msg.CONNECTION_NOT_FOUND, "inexistent_connection")
        return found

    def add_client(self, client: Client) -> Client:
        with self.lock:
            self.clients[client.client_id] = client
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

    # -- tokens ----------------------------------------------------------------------------------

    def client_credentials_token(
        self,
        client_id: str,
        client_secret: str,
        audience: str,
        scope: str | None = None,
    ) -> dict[str, Any]:
        """The ``client_credentials`` grant of ``/oauth/token`` (behaviour.md §4, §7)."""
        client = self.clients.get(client_id)
        if client is None or not client.secret_matches(client_secret):
            raise OAuthError(401, "access_denied", OAuthMsg.UNAUTHORIZED)
        if "client_credentials" not in client.grant_types:
            raise OAuthError(
                403,
                "unauthorized_client",
                OAuthMsg.GRANT_NOT_ALLOWED.format(grant_type="client_credentials"),
                "https://auth0.com/docs/clients/client-grant-types",
            )
        known_audiences = {self.management_audience} | {
            aud for c in self.clients.values() for aud in c.grants
        }
        if audience not in known_audiences:
            raise OAuthError(
                403, "access_denied", OAuthMsg.SERVICE_NOT_ENABLED.format(audience=audience)
            )
        granted = client.grants.get(audience)
        if granted is None:
            raise OAuthError(
                403,
                "access_denied",
                OAuthMsg.NOT_AUTHORIZED_FOR_API.format(client_id=client_id, audience=audience),
            )
        if scope is None:
            scopes = list(granted)
        else:
            scopes = scope.split()
            missing = [s for s in scopes if s not in granted]
            if missing:
                raise OAuthError(
                    403,
                    "access_denied",
                    OAuthMsg.SCOPES_NOT_GRANTED.format(scopes=" ".join(missing)),
                )
        token = self.tokens.issue_access_token(client_id, audience, scopes)
        return {
            "access_token": token,
            "scope": " ".join(scopes),
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "token_type": "Bearer",
        }

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
            connection = self.connection(fields["connection"])
            user = build_user(connection, fields, self.ids.object_id(), self.clock.iso())
            self._refuse_duplicate(user, connection)
            self.users.put(user)
            return user

    def _refuse_duplicate(
        self, user: User, connection: Connection, ignore: str | None = None
    ) -> None:
        """409 when the connection already holds this id, e-mail, username or phone (§3.7)."""
        conflict = Auth0Error(409, Msg.USER_EXISTS, "auth0_idp_error")
        owner = self.users.owner_of(user.primary.provider, user.primary.user_id)
        if owner is not None and owner.user_id != ignore:
            raise conflict
        checks = [("email", user.profile.get("email")), ("username", user.profile.get("username"))]
        if connection.strategy == "sms":
            checks.append(("phone_number", user.profile.get("phone_number")))
        for attribute, value in checks:
            if value is None:
                continue
            for other in self._users_of_connection(connection.name, attribute, value):
                if other.user_id != ignore:
                    raise conflict

    def _users_of_connection(self, connection: str, attribute: str, value: Any) -> list[User]:
        if attribute == "email":
            candidates: Iterable[User] = self.users.by_email(value)
        else:
            candidates = self.users
        return [
            u
            for u in candidates
            if u.primary.connection == connection and u.profile.get(attribute) == value
        ]

    def get_user(self, user_id: str) -> User:
        with self.lock:
            return self.users.require(user_id)

    def update_user(self, user_id: str, fields: dict[str, Any]) -> User:
        """``PATCH /users/{id}``: Auth0's merge rules on the primary identity."""
        with self.lock:
            user = self.users.require(user_id)
            connection_name = fields.get("connection") or user.primary.connection
            connection = self.connection(connection_name)
            if connection.name != user.primary.connection:
                raise Auth0Error.bad_request(Msg.CONNECTION_NOT_SUPPORTED)
            changes = {k: v for k, v in fields.items() if k != "connection"}
            updated = apply_update(user, connection, changes, self.clock.iso())
            if any(k in changes for k in ("email", "username", "phone_number")):
                self._refuse_duplicate(updated, connection, ignore=user.user_id)
            self.users.put(updated)
            return updated

    def delete_user(self, user_id: str) -> None:
        """``DELETE /users/{id}``: the user and every identity linked to it are gone.

        Auth0 answers 204 whether or not the user existed (the spec lists no 404).
        """
        with self.lock:
            if self.users.get(user_id) is not None:
                self.users.remove(user_id)

    def users_by_email(self, email: str) -> list[User]:
        """Exact, case-sensitive e-mail match over primaries (behaviour.md §6)."""
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
            if found.is_database or found.is_passwordless:
                raise ValueError(f"{connection!r} is not a social or enterprise connection")
            user = social_user(found, user_id, profile or {}, self.clock.iso())
            if self.users.owner_of(found.provider, user_id) is not None:
                raise Auth0Error(409, Msg.USER_EXISTS, "auth0_idp_error")
            self.users.put(user)
            return user
