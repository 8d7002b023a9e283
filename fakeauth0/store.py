"""Durable state for ``fakeauth0 serve --state FILE``: every acknowledged change, in SQLite.

SQLite in WAL mode with ``synchronous=FULL`` commits each batch with an fsync, and its journal
makes a half-written batch invisible after a crash, so a ``kill -9`` at any moment leaves a
file that opens cleanly and holds every change whose response was sent. The server commits a
request's changes before the response's first byte goes out (:meth:`StateStore.flush`).

Users are tracked through :attr:`UserDirectory.listeners`; connections, APIs, clients, the
settings and the signing key are few, so a flush compares them with what was last written
instead of hooking each change.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization

from . import actions, email_templates, rules, snapshot
from .errors import FakeMsg
from .tokens import SigningKey

if TYPE_CHECKING:
    from .tenant import Tenant
    from .users import User

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    domain TEXT PRIMARY KEY,
    management_client_id TEXT,
    seed TEXT,
    kid TEXT,
    key_pem TEXT
);
CREATE TABLE IF NOT EXISTS records (
    domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (domain, kind, key)
);
"""
_INSERT, _UPDATE, _DELETE = "insert", "update", "delete"
log = logging.getLogger("fakeauth0.store")


class StateError(RuntimeError):
    """The state file cannot be opened or read; the message names the file and the cause."""


class StateWriteError(StateError):
    """A commit failed (read-only file, full disk, I/O error): nothing of it was written, and
    the changes stay pending, so the request that needed them must not be acknowledged."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(FakeMsg.STATE_NOT_WRITTEN.format(path=path, error=reason))
        self.reason = reason  # SQLite's words, e.g. "database or disk is full"


class _Tracked:
    """What one tenant has changed since the last commit, and what was last written."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.users: dict[str, str] = {}
        #: Each changed user as it was before its first change since the last commit (None:
        #: it did not exist), in the order of those first changes: what a rollback puts back.
        self.before: dict[str, User | None] = {}
        #: While a rollback puts users back, their changes are not changes to commit.
        self.rolling_back = False
        self.config: dict[str, Any] = {}
        self.key_written = False


class StateStore:
    """One SQLite file holding the state of every tenant a server serves."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._local = threading.local()
        self._tracked: dict[str, _Tracked] = {}
        import sqlite3  # here, not at the top: only a server with --state needs it

        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise sqlite3.DatabaseError(f"cannot use WAL journaling (got {mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            check = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise StateError(FakeMsg.STATE_UNREADABLE.format(path=path, error=error)) from None

    # -- reading -----------------------------------------------------------------------------

    def load(self, domain: str) -> dict[str, Any] | None:
        """The stored snapshot of ``domain`` (a seed document), or None if it was never stored."""
        with self._lock:
            row = self._db.execute(
                "SELECT management_client_id FROM tenants WHERE domain = ?", (domain,)
            ).fetchone()
            if row is None:
                return None
            data: dict[str, Any] = {"domain": domain}
            if row[0] is not None:
                data["management_client_id"] = row[0]
            for kind, key in _CONFIG_KINDS:
                data[key] = self._bodies(domain, kind)
            settings = data.pop("tenant")
            if settings:
                data["tenant"] = settings[0]
            brute_force = data.pop("brute_force")
            if brute_force:
                data["brute_force"] = brute_force[0]
            bindings = data.pop("bindings")
            if bindings:
                data["bindings"] = bindings[0]
            if not data["actions"]:
                del data["actions"]
            configs = data.pop("rules_configs")
            if configs:
                data["rules_configs"] = configs[0]
            if not data["rules"]:
                del data["rules"]
            if not data["email_templates"]:
                del data["email_templates"]
            data["users"] = self._bodies(domain, "user")
            for key in ("connections", "resource_servers"):
                if not data[key]:
                    del data[key]
            if not data["clients"]:
                del data["clients"]
                data.pop("management_client_id", None)
            return data

    def _bodies(self, domain: str, kind: str) -> list[Any]:
        rows = self._db.execute(
            "SELECT body FROM records WHERE domain = ? AND kind = ? ORDER BY rowid",
            (domain, kind),
        )
        return [json.loads(body) for (body,) in rows]

    def seed_of(self, domain: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT seed FROM tenants WHERE domain = ?", (domain,)
            ).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def domains(self) -> list[str]:
        with self._lock:
            return [d for (d,) in self._db.execute("SELECT domain FROM tenants ORDER BY rowid")]

    # -- writing -----------------------------------------------------------------------------

    def attach(self, tenant: Tenant, seed: dict[str, Any] | None = None) -> None:
        """Persist ``tenant`` from now on; restores its stored key first, if any."""
        tracked = _Tracked(tenant)
        with self._lock:
            self._tracked[tenant.domain] = tracked
            row = self._db.execute(
                "SELECT kid, key_pem FROM tenants WHERE domain = ?", (tenant.domain,)
            ).fetchone()
            self._db.execute(
                "INSERT INTO tenants (domain, seed) VALUES (?, ?) "
                "ON CONFLICT(domain) DO UPDATE SET seed = excluded.seed",
                (tenant.domain, None if seed is None else json.dumps(seed)),
            )
        if row is not None and row[1]:
            _install_key(tenant, row[0], row[1])
            tracked.key_written = True
        tenant.persistence = self
        with tenant.lock:
            tenant.users.listeners.append(lambda uid, old, new: self._heard(tracked, uid, old, new))
            for user in tenant.users:
                tracked.users[user.user_id] = _INSERT
        self.flush(tenant, config=True)

    def _heard(self, tracked: _Tracked, user_id: str, old: User | None, new: User | None) -> None:
        if tracked.rolling_back:
            return
        tracked.before.setdefault(user_id, old)
        if new is None:
            tracked.users[user_id] = _DELETE
        elif old is None:
            # A new key goes to the end of the directory: write it after the others.
            tracked.users.pop(user_id, None)
            tracked.users[user_id] = _INSERT
        else:
            tracked.users.setdefault(user_id, _UPDATE)
        if not getattr(self._local, "deferred", 0):
            self.flush(tracked.tenant, config=True)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Changes made in this thread wait for an explicit :meth:`flush` (one per request)."""
        self._local.deferred = getattr(self._local, "deferred", 0) + 1
        try:
            yield
        finally:
            self._local.deferred -= 1

    @contextmanager
    def unit_of_work(self, tenant: Tenant, *, config: bool = True) -> Iterator[None]:
        """Apply, persist, or roll back as one: the block's changes to ``tenant`` are committed
        when it ends; if the disk refuses them they are undone (users, connections, APIs,
        clients, roles, organizations, the settings, brute-force protection, the management
        client and the seed) and
        :class:`StateWriteError` is raised, so what was not acknowledged was not applied.
        Holds the tenant's lock throughout when ``config`` (a write), so no other request sees
        changes that may yet be undone."""
        tracked = self._tracked.get(tenant.domain)
        if tracked is None:
            yield
            return
        if not config:
            with self.deferred():
                yield
            self.flush(tenant, config=False)
            return
        with tenant.lock:
            saved = (
                tenant.connections,
                dict(tenant.connections),
                dict(tenant.clients),
                tenant.management_client,
                tenant.seed_state,
                dict(tenant.resource_servers),
                tenant.settings,
                tenant.brute_force.copy(),
                dict(tenant.roles),
                dict(tenant.organizations),
                tenant.action_book.copy(),
                tenant.rule_book.copy(),
            )
            with self.deferred():
                yield
            try:
                self.flush(tenant, config=True)
            except StateWriteError:
                self._roll_back(tracked, saved)
                raise

    def _roll_back(self, tracked: _Tracked, saved: tuple[Any, ...]) -> None:
        tenant = tracked.tenant
        (
            connections,
            connection_items,
            clients,
            management,
            seed,
            servers,
            settings,
            guard,
            roles,
            orgs,
            book,
            rule_book,
        ) = saved
        tracked.rolling_back = True
        try:
            # Users that did not exist go first; the others come back in the order of their
            # first change, which for a whole-directory swap (a reset) is the old order.
            for user_id, old in tracked.before.items():
                if old is None and tenant.users.get(user_id) is not None:
                    tenant.users.remove(user_id)
            for old in tracked.before.values():
                if old is not None:
                    tenant.users.put(old)
        finally:
            tracked.rolling_back = False
        tracked.users.clear()
        tracked.before.clear()
        connections.clear()
        connections.update(connection_items)
        tenant.connections = connections
        tenant.clients.clear()
        tenant.clients.update(clients)
        tenant.management_client = management
        tenant.seed_state = seed
        tenant.resource_servers = servers
        tenant.settings = settings
        tenant.brute_force = guard
        tenant.roles = roles
        tenant.organizations = orgs
        tenant.action_book = book
        tenant.rule_book = rule_book

    def flush(self, tenant: Tenant, *, config: bool = True) -> None:
        """Commit the tenant's pending changes in one transaction (with an fsync).

        Runs under the tenant's lock, so no operation is half-applied when it is written.
        ``config=False`` skips comparing connections and clients (requests that cannot change
        them, such as GETs).
        """
        tracked = self._tracked.get(tenant.domain)
        if tracked is None:
            return
        with tenant.lock:
            if not tracked.users and not config:
                return
            written = tracked.config, tracked.key_written  # _statements moves them on
            try:
                statements = self._statements(tracked, config)
            except (ValueError, TypeError, RecursionError) as error:  # a record JSON cannot hold
                tracked.config, tracked.key_written = written
                raise StateWriteError(self.path, f"cannot encode the change: {error}") from None
            if not statements:
                return
            with self._lock:
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    for sql, params in statements:
                        self._db.execute(sql, params)
                    self._db.execute("COMMIT")
                except BaseException as error:
                    # Nothing was written: every change stays pending for the next commit.
                    tracked.config, tracked.key_written = written
                    import sqlite3

                    with suppress(sqlite3.Error):
                        if self._db.in_transaction:
                            self._db.execute("ROLLBACK")
                    if isinstance(error, sqlite3.Error):  # read-only, full or failing disk
                        raise StateWriteError(self.path, str(error)) from None
                    raise
            tracked.users.clear()
            tracked.before.clear()

    def _statements(self, tracked: _Tracked, config: bool) -> list[tuple[str, tuple[Any, ...]]]:
        tenant = tracked.tenant
        domain = tenant.domain
        out: list[tuple[str, tuple[Any, ...]]] = []
        for user_id, change in tracked.users.items():
            user = tenant.users.get(user_id)
            if change == _DELETE or user is None:
                out.append((_DELETE_SQL, (domain, "user", user_id)))
                continue
            body = json.dumps(snapshot.user_record(user), separators=(",", ":"))
            if change == _INSERT:
                out.append((_DELETE_SQL, (domain, "user", user_id)))
                out.append((_INSERT_SQL, (domain, "user", user_id, body)))
            else:
                out.append((_UPSERT_SQL, (domain, "user", user_id, body)))
        if config:
            current = {
                "connection": [
                    (c.name, json.dumps(snapshot.connection_record(c)))
                    for c in tenant.connections.values()
                ],
                "client": [
                    (c.client_id, json.dumps(snapshot.client_record(c)))
                    for c in tenant.clients.values()
                ],
                "resource_server": [
                    (r.id, json.dumps(snapshot.resource_server_record(r)))
                    for r in tenant.resource_servers.values()
                ],
                "role": [
                    (r.id, json.dumps(snapshot.role_record(r))) for r in tenant.roles.values()
                ],
                "settings": [("tenant", json.dumps(tenant.settings.record()))],
                "brute_force": [("brute_force", json.dumps(tenant.brute_force.record()))],
                "organization": [
                    (o.id, json.dumps(o.record())) for o in tenant.organizations.values()
                ],
                **_action_records(tenant),
                **_rule_records(tenant),
                "email_template": [
                    (t["template"], json.dumps(t))
                    for t in email_templates.record(tenant.email_templates)
                ],
                "management": tenant.management_client.client_id,
            }
            for kind, _ in _CONFIG_KINDS:
                if current[kind] != tracked.config.get(kind):
                    out.append(
                        ("DELETE FROM records WHERE domain = ? AND kind = ?", (domain, kind))
                    )
                    for key, body in current[kind]:
                        out.append((_INSERT_SQL, (domain, kind, key, body)))
            if current["management"] != tracked.config.get("management"):
                out.append(
                    (
                        "UPDATE tenants SET management_client_id = ? WHERE domain = ?",
                        (current["management"], domain),
                    )
                )
            if out:
                tracked.config = current
            key_sql = _key_statement(tracked)
            if key_sql is not None:
                out.append(key_sql)
        return out

    def close(self) -> None:
        """Write what is pending for every tenant, then close the file (a clean shutdown).

        A failed write is reported (never silently dropped) and the file is still closed.
        """
        for tracked in list(self._tracked.values()):
            try:
                self.flush(tracked.tenant, config=True)
            except StateWriteError as error:
                log.error("%s", error)
        import sqlite3

        with self._lock:
            with suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()


#: The few records a flush compares whole: (kind, the seed document's key).
_CONFIG_KINDS = (
    ("connection", "connections"),
    ("resource_server", "resource_servers"),
    ("client", "clients"),
    ("role", "roles"),
    ("settings", "tenant"),  # one record: the settings' seed form
    ("brute_force", "brute_force"),  # one record: the protection's settings and counts
    ("organization", "organizations"),
    ("action", "actions"),
    ("bindings", "bindings"),  # one record: every trigger's ordered bindings
    ("rule", "rules"),
    ("rules_config", "rules_configs"),  # one record: every configuration variable
    ("email_template", "email_templates"),
)


def _action_records(tenant: Tenant) -> dict[str, list[tuple[str, str]]]:
    """The actions, one record each, and the bindings as one (their order is the point)."""
    records, bindings = actions.record(tenant.action_book)
    return {
        "action": [(r["id"], json.dumps(r)) for r in records],
        "bindings": [("bindings", json.dumps(bindings))] if bindings else [],
    }


def _rule_records(tenant: Tenant) -> dict[str, list[tuple[str, str]]]:
    """A legacy tenant's rules, one record each, and its configuration variables as one."""
    recorded = rules.record(tenant.rule_book)
    configs = recorded["rules_configs"]
    return {
        "rule": [(r["id"], json.dumps(r)) for r in recorded["rules"]],
        "rules_config": [("rules_configs", json.dumps(configs))] if configs else [],
    }


_DELETE_SQL = "DELETE FROM records WHERE domain = ? AND kind = ? AND key = ?"
_INSERT_SQL = "INSERT INTO records (domain, kind, key, body) VALUES (?, ?, ?, ?)"
_UPSERT_SQL = (
    "INSERT INTO records (domain, kind, key, body) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(domain, kind, key) DO UPDATE SET body = excluded.body"
)


def _key_statement(tracked: _Tracked) -> tuple[str, tuple[Any, ...]] | None:
    """Persist the signing key once it exists, so tokens issued before a restart stay valid.

    The key is made lazily (``SigningKey.private_key`` is a cached property); until a token
    is signed there is nothing worth keeping.
    """
    key = tracked.tenant.tokens.key
    if tracked.key_written or "private_key" not in vars(key):
        return None
    tracked.key_written = True
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return (
        "UPDATE tenants SET kid = ?, key_pem = ? WHERE domain = ?",
        (key.kid, pem, tracked.tenant.domain),
    )


def _install_key(tenant: Tenant, kid: str, pem: str) -> None:
    """Give the tenant its stored key (it never returns to the pool: it is this tenant's)."""
    private = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    key = SigningKey(kid, tenant.domain)
    vars(key)["private_key"] = private  # fills the cached property before the pool is asked
    tenant.tokens.key = key
