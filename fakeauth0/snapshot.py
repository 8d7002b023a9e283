"""A tenant's whole state as plain JSON: the seed format, snapshots, and loading them safely.

A snapshot is a valid seed, and restoring a snapshot then taking another gives the same JSON.
Seeds are written by people, so they are loaded through the domain's rules: a seed that breaks
one is refused as a whole, with a message naming the user (or connection, or client) and the
rule, and the tenant is left as it was.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from . import access, apis, clients, organizations, settings
from .access import Role
from .apis import ResourceServer
from .blocks import BruteForce
from .clients import Client
from .connections import Connection
from .errors import Auth0Error, FakeMsg
from .ids import IdSource
from .organizations import Organization
from .settings import TenantSettings
from .uniqueness import Duplicate, find_duplicate
from .users import Identity, User, UserDirectory, check_metadata, hash_password

#: Record keys that map to ``User`` fields rather than to the root profile.
_USER_FIELDS = {f.name for f in dataclasses.fields(User)} - {"user_metadata_set"}
_IDENTITY_KEYS = {"connection", "provider", "user_id", "isSocial", "profileData"}
#: Keys a seed may carry that are instructions, not stored attributes.
_SEED_ONLY = {"password"}


class SeedError(ValueError):
    """A seed or snapshot the domain refuses; the message names the record and the rule."""


# -- to JSON -------------------------------------------------------------------------------------


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _extra_fields(record: Any, shown: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    """Dataclass fields ``to_json`` does not show (e.g. ``password_hash``), when not default.

    Kept generic so a field added to a record later is carried by snapshots without edits here.
    """
    extra: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if f.name in shown or f.name in skip:
            continue
        value = getattr(record, f.name)
        if value != _default_of(f):
            extra[f.name] = copy.deepcopy(value)
    return extra


def identity_record(identity: Identity) -> dict[str, Any]:
    data = identity.to_json()
    data.update(
        _extra_fields(identity, data, {"is_social", "profile_data", "user_id", "connection"})
    )
    return data


def user_record(user: User) -> dict[str, Any]:
    """The user as ``GET /users/{id}`` shows it, plus what it hides (the password hash)."""
    data = user.to_json()
    data["identities"] = [identity_record(i) for i in user.identities]
    # ``user_metadata_set`` is carried by the key itself: shown (maybe empty) or absent.
    data.update(_extra_fields(user, data, {"profile", "identities", "user_metadata_set"}))
    return data


def connection_record(connection: Connection) -> dict[str, Any]:
    return {
        f.name: copy.deepcopy(getattr(connection, f.name)) for f in dataclasses.fields(connection)
    }


def client_record(client: Client) -> dict[str, Any]:
    return client.record()


def resource_server_record(server: ResourceServer) -> dict[str, Any]:
    return server.record()


def role_record(role: Role) -> dict[str, Any]:
    return role.record()


def take(
    domain: str,
    management_client: Client,
    connections: Iterable[Connection],
    clients: Iterable[Client],
    users: Iterable[User],
    resource_servers: Iterable[ResourceServer] = (),
    tenant_settings: TenantSettings | None = None,
    brute_force: BruteForce | None = None,
    roles: Iterable[Role] = (),
    orgs: Iterable[Organization] = (),
) -> dict[str, Any]:
    """A tenant's settings, connections, APIs, clients, roles, users and organizations, in
    their order, as a seed document (a user's ``roles`` and direct ``permissions`` are on its
    record). The settings are what differs from a new tenant's (``{}`` for a new tenant),
    always present, so restoring the document elsewhere gives these settings too; so is
    ``brute_force``, the protection's settings and the failed logins it counts."""
    return {
        "domain": domain,
        "tenant": (tenant_settings or TenantSettings()).record(),
        "brute_force": (brute_force or BruteForce()).record(),
        "management_client_id": management_client.client_id,
        "connections": [connection_record(c) for c in connections],
        # The system API (the Management API's) belongs to the tenant, not to the seed.
        "resource_servers": [
            resource_server_record(r) for r in resource_servers if not r.is_system
        ],
        "clients": [client_record(c) for c in clients],
        "roles": [role_record(r) for r in roles],
        "users": [user_record(u) for u in users],
        "organizations": [o.record() for o in orgs],
    }


# -- from JSON -----------------------------------------------------------------------------------


def _require_list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise SeedError(FakeMsg.SEED_NOT_LIST.format(key=key))
    return value


def _known(cls: type, record: dict[str, Any], what: str) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(record) - names)
    if unknown:
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what=what, keys=", ".join(unknown)))
    return record


def parse_connection(record: Any, ids: IdSource) -> Connection:
    if not isinstance(record, dict) or not record.get("name") or not record.get("strategy"):
        raise SeedError(FakeMsg.SEED_CONNECTION_SHAPE.format(record=_short(record)))
    name = record["name"]
    fields = _known(Connection, dict(copy.deepcopy(record)), f"connection {name!r}")
    fields.setdefault("id", ids.connection_id())
    try:
        return Connection(**fields)
    except TypeError as error:
        raise SeedError(f"connection {name!r}: {error}") from None


def parse_client(record: Any, ids: IdSource) -> Client:
    if not isinstance(record, dict) or not record.get("name"):
        raise SeedError(FakeMsg.SEED_CLIENT_SHAPE.format(record=_short(record)))
    fields = dict(copy.deepcopy(record))
    fields.setdefault("client_id", ids.client_id())
    fields.setdefault("client_secret", ids.client_secret())
    what = f"client {fields['client_id']!r}"
    try:
        return clients.from_record(fields)
    except KeyError as error:
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what=what, keys=error.args[0])) from None
    except TypeError as error:
        raise SeedError(f"{what}: {error}") from None


def parse_resource_server(record: Any, ids: IdSource) -> ResourceServer:
    if not isinstance(record, dict) or not isinstance(record.get("identifier"), str):
        raise SeedError(FakeMsg.SEED_RESOURCE_SERVER_SHAPE.format(record=_short(record)))
    unknown = sorted(set(record) - apis.attributes())
    if unknown:
        what = f"resource server {record['identifier']!r}"
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what=what, keys=", ".join(unknown)))
    try:
        return apis.build(record, ids.object_id())
    except TypeError as error:
        raise SeedError(f"resource server {record['identifier']!r}: {error}") from None


_ROLE_KEYS = {"id", "name", "description", "permissions"}


def parse_role(record: Any, ids: IdSource, servers: Mapping[str, ResourceServer]) -> Role:
    """A role record: ``name``, optional ``id`` (else a new ``rol_`` id), ``description`` and
    ``permissions`` naming scopes of the seed's APIs."""
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("name"), str)
        or not isinstance(record.get("id", ""), str)
        or not isinstance(record.get("description", ""), str)
    ):
        raise SeedError(FakeMsg.SEED_ROLE_SHAPE.format(record=_short(record)))
    role_id = record.get("id") or access.ROLE_ID_PREFIX + ids.alnum(access.ROLE_ID_LENGTH)
    unknown = sorted(set(record) - _ROLE_KEYS)
    if unknown:
        what = f"role {role_id!r}"
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what=what, keys=", ".join(unknown)))
    role = access.new_role(role_id, record["name"], record.get("description"))
    role.permissions = _permissions(
        record.get("permissions", []), servers, FakeMsg.SEED_ROLE_RULE, role_id=role_id
    )
    return role


def _permissions(
    value: Any, servers: Mapping[str, ResourceServer], message: str, **names: str
) -> list[dict[str, str]]:
    """Seeded permissions, through the API's rule (each names an API's scope)."""
    shaped = isinstance(value, list) and all(
        isinstance(p, dict)
        and set(p) == {access.IDENTIFIER, access.NAME}
        and all(isinstance(v, str) for v in p.values())
        for p in value
    )
    if not shaped:
        rule = "permissions must be a list of {resource_server_identifier, permission_name}"
        raise SeedError(message.format(rule=rule, **names))
    try:
        access.check_defined(servers, value)
    except Auth0Error as error:
        raise SeedError(message.format(rule=error.message, **names)) from None
    return access.with_permissions((), value)


def _check_access(
    user: User, roles: Mapping[str, Role], servers: Mapping[str, ResourceServer]
) -> None:
    """A user's roles are the seed's, its direct permissions name the seed's APIs' scopes."""
    if not isinstance(user.roles, list) or not all(isinstance(r, str) for r in user.roles):
        rule = "roles must be a list of role ids"
        raise SeedError(FakeMsg.SEED_USER_RULE.format(user=user.user_id, rule=rule))
    for role_id in user.roles:
        if role_id not in roles:
            raise SeedError(FakeMsg.SEED_USER_ROLE.format(user=user.user_id, role_id=role_id))
    user.roles = list(dict.fromkeys(user.roles))
    user.permissions = _permissions(
        user.permissions, servers, FakeMsg.SEED_USER_RULE, user=user.user_id
    )


def parse_settings(record: Any) -> TenantSettings:
    """The seed's ``tenant``: Auth0's attribute names (``GET /tenants/settings``), over a new
    tenant's settings."""
    if not isinstance(record, dict):
        raise SeedError(FakeMsg.SEED_SETTINGS_SHAPE)
    unknown = sorted(set(record) - settings.attributes())
    if unknown:
        what = "the tenant settings"
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what=what, keys=", ".join(unknown)))
    try:
        return TenantSettings.from_record(record)
    except TypeError as error:
        raise SeedError(FakeMsg.SEED_SETTINGS_RULE.format(rule=error)) from None
    except Auth0Error as error:
        raise SeedError(FakeMsg.SEED_SETTINGS_RULE.format(rule=error.message)) from None


def _parse_identity(record: Any, user_id: str) -> Identity:
    if not isinstance(record, dict) or not {"connection", "provider", "user_id"} <= set(record):
        raise SeedError(FakeMsg.SEED_IDENTITY_SHAPE.format(user=user_id))
    extra = {k: copy.deepcopy(v) for k, v in record.items() if k not in _IDENTITY_KEYS}
    known = {f.name for f in dataclasses.fields(Identity)}
    unknown = sorted(set(extra) - known)
    if unknown:
        raise SeedError(
            FakeMsg.SEED_UNKNOWN_KEYS.format(what=f"user {user_id!r}", keys=", ".join(unknown))
        )
    return Identity(
        connection=record["connection"],
        provider=record["provider"],
        user_id=record["user_id"],
        is_social=bool(record.get("isSocial", False)),
        profile_data=copy.deepcopy(record.get("profileData")),
        **extra,
    )


def parse_user(record: Any, connections: Mapping[str, Connection], now: str) -> User:
    """A user record; checks that need the other users happen in :func:`check_users`."""
    if not isinstance(record, dict) or not isinstance(record.get("user_id"), str):
        raise SeedError(FakeMsg.SEED_USER_SHAPE.format(record=_short(record)))
    user_id = record["user_id"]
    raw = record.get("identities")
    if not isinstance(raw, list) or not raw:
        raise SeedError(FakeMsg.SEED_NO_IDENTITIES.format(user=user_id))
    identities = [_parse_identity(i, user_id) for i in raw]
    fields: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("identities", "user_id") or key in _SEED_ONLY:
            continue
        if key in _USER_FIELDS and key != "profile":
            fields[key] = copy.deepcopy(value)
        else:
            profile[key] = copy.deepcopy(value)
    fields.setdefault("created_at", now)
    fields.setdefault("updated_at", fields["created_at"])
    fields["user_metadata_set"] = fields.get("user_metadata") is not None
    for name in ("app_metadata", "user_metadata"):
        if fields.get(name) is None:
            fields[name] = {}
    user = User(user_id=user_id, identities=identities, profile=profile, **fields)
    _check_user(user, connections, record)
    if isinstance(record.get("password"), str):
        user.password_hash = hash_password(record["password"])
    return user


def _check_user(user: User, connections: Mapping[str, Connection], record: dict[str, Any]) -> None:
    """The rules one user must meet on its own (Auth0's create and link rules)."""

    def refuse(rule: str) -> SeedError:
        return SeedError(FakeMsg.SEED_USER_RULE.format(user=user.user_id, rule=rule))

    for index, identity in enumerate(user.identities):
        connection = connections.get(identity.connection)
        if connection is None:
            raise refuse(FakeMsg.RULE_NO_CONNECTION.format(connection=identity.connection))
        if identity.provider != connection.provider:
            raise refuse(
                FakeMsg.RULE_PROVIDER.format(
                    provider=identity.provider,
                    connection=connection.name,
                    strategy=connection.provider,
                )
            )
        if index == 0 and identity.profile_data is not None:
            raise refuse(FakeMsg.RULE_PRIMARY_PROFILE_DATA)
    primary = user.primary
    expected = f"{primary.provider}|{primary.user_id}"
    if user.user_id != expected:
        raise refuse(FakeMsg.RULE_USER_ID.format(expected=expected))
    keys = [i.key for i in user.identities]
    if len(set(keys)) != len(keys):
        raise refuse(FakeMsg.RULE_IDENTITY_TWICE)
    connection = connections[primary.connection]
    if "password" in record:
        if not connection.is_database:
            raise refuse(FakeMsg.RULE_PASSWORD_CONNECTION)
        if not isinstance(record["password"], str):
            raise refuse(FakeMsg.RULE_PASSWORD_WEAK.format(policy=connection.password_policy))
        try:
            connection.check_password(record["password"])
        except Auth0Error:
            raise refuse(
                FakeMsg.RULE_PASSWORD_WEAK.format(policy=connection.password_policy)
            ) from None
    if "username" in user.profile and not connection.allows_username:
        raise refuse(FakeMsg.RULE_USERNAME.format(connection=connection.name))
    if connection.is_database and user.email is not None and user.email != user.email.lower():
        raise refuse(FakeMsg.RULE_EMAIL_CASE)
    for prop in ("user_metadata", "app_metadata"):
        try:
            check_metadata(prop, getattr(user, prop))
        except Auth0Error as error:
            raise refuse(error.message) from None


def check_users(users: list[User], connections: Mapping[str, Connection]) -> UserDirectory:
    """The rules across users (:mod:`fakeauth0.uniqueness`, as the API applies them), each
    user against those before it. Returns a scratch directory holding them."""
    scratch = UserDirectory()
    for user in users:
        duplicate = find_duplicate(scratch, connections, user)
        if duplicate is not None:
            rule = _duplicate_rule(user, duplicate)
            raise SeedError(FakeMsg.SEED_USER_RULE.format(user=user.user_id, rule=rule))
        scratch.put(user)
    return scratch


def _duplicate_rule(user: User, duplicate: Duplicate) -> str:
    identity, other = duplicate.identity, duplicate.other.user_id
    if identity is None:
        return FakeMsg.RULE_DUPLICATE_ATTRIBUTE.format(
            attribute=duplicate.attribute, connection=duplicate.connection, other=other
        )
    if other == user.user_id:
        return FakeMsg.RULE_DUPLICATE_ID
    return FakeMsg.RULE_IDENTITY_OWNED.format(
        identity=f"{identity.provider}|{identity.user_id}", owner=other
    )


@dataclasses.dataclass
class Seeded:
    """A seed document read through the domain's rules: the state that replaces a tenant's."""

    connections: dict[str, Connection]
    clients: dict[str, Client]
    management_client: Client
    users: list[User]
    resource_servers: dict[str, ResourceServer]
    #: None: the seed has no ``tenant``, and the tenant keeps its settings.
    settings: TenantSettings | None = None
    #: None: the seed has no ``brute_force``; the tenant keeps its protection's settings, and
    #: the failures counted against the users it replaces go with them.
    brute_force: BruteForce | None = None
    roles: dict[str, Role] = dataclasses.field(default_factory=dict)
    #: Replaced like ``users``, whose memberships they hold.
    organizations: dict[str, Organization] = dataclasses.field(default_factory=dict)


def read(
    data: Any,
    *,
    connections: dict[str, Connection],
    clients: Mapping[str, Client],
    management_client: Client,
    ids: IdSource,
    now: str,
    resource_servers: Mapping[str, ResourceServer] | None = None,
    system_api: ResourceServer | None = None,
    roles: Mapping[str, Role] | None = None,
) -> Seeded:
    """``data`` (a seed or snapshot) as the state to install, or :class:`SeedError`.

    ``connections``, ``clients`` and ``management_client`` are the tenant's current ones:
    absent sections keep them (an absent ``tenant`` keeps its settings, absent ``roles`` the
    current ``roles``); ``users`` is replaced.
    The management client survives a seed that does not name it, so the credentials a server
    printed at start keep working.
    """
    if not isinstance(data, dict):
        raise SeedError(FakeMsg.SEED_NOT_OBJECT)
    allowed = {
        "domain",
        "tenant",
        "management_client_id",
        "connections",
        "resource_servers",
        "clients",
        "roles",
        "users",
        "brute_force",
        "organizations",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SeedError(FakeMsg.SEED_UNKNOWN_KEYS.format(what="the seed", keys=", ".join(unknown)))
    new_settings = parse_settings(data["tenant"]) if "tenant" in data else None
    if "connections" in data:
        connections = {}
        for record in _require_list(data, "connections"):
            connection = parse_connection(record, ids)
            if connection.name in connections:
                raise SeedError(FakeMsg.SEED_CONNECTION_TWICE.format(name=connection.name))
            connections[connection.name] = connection
    servers = dict(resource_servers or {})
    if "resource_servers" in data:
        servers = {}
        for record in _require_list(data, "resource_servers"):
            if isinstance(record, dict) and record.get("is_system"):
                continue  # another tenant's system API: this tenant keeps its own
            server = parse_resource_server(record, ids)
            if apis.by_identifier(servers, server.identifier) is not None:
                raise SeedError(FakeMsg.SEED_RESOURCE_SERVER_TWICE.format(name=server.identifier))
            servers[server.id] = server
    # Every tenant has its system API, whatever the seed says.
    if system_api is not None and apis.by_identifier(servers, system_api.identifier) is None:
        servers = {system_api.id: system_api, **servers}
    new_clients = dict(clients)
    management = management_client
    if "clients" in data:
        new_clients = {}
        for record in _require_list(data, "clients"):
            client = parse_client(record, ids)
            new_clients[client.client_id] = client
        wanted = data.get("management_client_id")
        if wanted is not None:
            if wanted not in new_clients:
                raise SeedError(FakeMsg.SEED_MANAGEMENT_CLIENT.format(client_id=wanted))
            management = new_clients[wanted]
        else:
            new_clients.setdefault(management.client_id, management)
    new_roles = dict(roles or {})
    if "roles" in data:
        new_roles = {}
        for record in _require_list(data, "roles"):
            role = parse_role(record, ids, servers)
            if role.id in new_roles:
                raise SeedError(FakeMsg.SEED_ROLE_TWICE.format(role_id=role.id))
            new_roles[role.id] = role
    else:  # the kept roles must still name the seed's APIs
        for role in new_roles.values():
            _permissions(role.permissions, servers, FakeMsg.SEED_ROLE_RULE, role_id=role.id)
    # Users are checked against the new connections, roles and APIs.
    users = [parse_user(r, connections, now) for r in _require_list(data, "users")]
    scratch = check_users(users, connections)
    orgs = parse_organizations(
        _require_list(data, "organizations"), connections, scratch, ids, new_roles
    )
    for user in users:
        _check_access(user, new_roles, servers)
    brute_force = None
    if "brute_force" in data:
        brute_force = parse_brute_force(data["brute_force"], {u.user_id for u in users})
    return Seeded(
        connections,
        new_clients,
        management,
        users,
        servers,
        new_settings,
        brute_force=brute_force,
        roles=new_roles,
        organizations=orgs,
    )


def parse_brute_force(record: Any, user_ids: set[str]) -> BruteForce:
    """The seed's ``brute_force``: ``settings`` as ``/attack-protection/brute-force-protection``
    shows them (over a new tenant's) and ``failures``, each counting against a seeded user."""
    if not isinstance(record, dict):
        raise SeedError(FakeMsg.SEED_BRUTE_FORCE_RULE.format(rule="it must be an object"))
    try:
        book = BruteForce.from_record(record)
    except (TypeError, ValueError) as error:
        raise SeedError(FakeMsg.SEED_BRUTE_FORCE_RULE.format(rule=error)) from None
    for failures in book.failures.values():
        if failures.user_id not in user_ids:
            rule = f"failures name the user {failures.user_id!r}, who is not in the seed"
            raise SeedError(FakeMsg.SEED_BRUTE_FORCE_RULE.format(rule=rule))
    return book


def parse_organizations(
    records: list[Any],
    connections: Mapping[str, Connection],
    users: UserDirectory,
    ids: IdSource,
    roles: Mapping[str, Any] | None = None,
) -> dict[str, Organization]:
    """The seed's organizations, each naming only the seed's users, connections and roles;
    names are unique and follow Auth0's rule, as the API's."""
    orgs: dict[str, Organization] = {}
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("name"), str):
            raise SeedError(FakeMsg.SEED_ORGANIZATION_SHAPE.format(record=_short(record)))
        name = record["name"]
        if not organizations.valid_name(name) or not name:
            rule = "the name must be 1 to 50 lowercase letters, digits, '-' or '_'"
            raise SeedError(FakeMsg.SEED_ORGANIZATION_RULE.format(name=name, rule=rule))
        if organizations.by_name(orgs, name) is not None:
            raise SeedError(FakeMsg.SEED_ORGANIZATION_TWICE.format(name=name))
        try:
            org = organizations.from_record(
                record,
                "org_" + ids.alnum(16),
                connections,
                lambda user_id: users.get(user_id) is not None,
                None if roles is None else (lambda role_id: role_id in roles),
            )
        except (ValueError, TypeError, KeyError) as error:
            raise SeedError(FakeMsg.SEED_ORGANIZATION_RULE.format(name=name, rule=error)) from None
        if org.id in orgs:
            raise SeedError(FakeMsg.SEED_ORGANIZATION_TWICE.format(name=org.id))
        orgs[org.id] = org
    return orgs


def _short(record: Any) -> str:
    text = repr(record)
    return text if len(text) <= 80 else text[:77] + "..."
