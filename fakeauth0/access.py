"""Roles and permissions (Auth0's role-based access control): roles, the permissions a role
grants, the roles assigned to users and the permissions given to users directly.

A permission names an API (its ``resource_server_identifier``) and one of that API's scopes
(``permission_name``); it exists only while the API defines that scope. A user's role ids and
direct permissions live on the :class:`~fakeauth0.users.User` record (``roles``,
``permissions``), so they go wherever the user goes: snapshots, the state file, deletion. The
rules are here, once, for the Management API, the Python methods and seeds alike. No HTTP; the
caller holds the tenant lock.

How Auth0 answers is in docs/auth0-behaviour.md#roles-and-permissions; where it is silent,
CHOICES.md ("roles:" rows).
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import apis
from .apis import ResourceServer
from .errors import Auth0Error, Msg
from .users import User

#: What names a permission, in Auth0's request and answer bodies.
IDENTIFIER = "resource_server_identifier"
NAME = "permission_name"
#: ``rol_`` and 16 letters or digits (go-auth0 recordings TestRoleManager_*).
ROLE_ID_PREFIX = "rol_"
ROLE_ID_LENGTH = 16

Permission = dict[str, str]
_BY_NAME = operator.attrgetter("name", "id")


@dataclass
class Role:
    """One role: a name, a description once one is set, the permissions it grants (sorted)."""

    id: str
    name: str
    description: str | None = None
    permissions: list[Permission] = field(default_factory=list)

    def to_json(self, *, as_created: bool = False) -> dict[str, Any]:
        """As ``GET /roles/{id}`` shows it: ``description`` is ``""`` when never set; the
        create answer leaves it out instead (terraform-provider-auth0 recording TestAccRole)."""
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.description is not None or not as_created:
            data["description"] = self.description or ""
        return data

    def record(self) -> dict[str, Any]:
        """The seed form: the answer's fields (``description`` only once set) and the
        permissions."""
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.description is not None:
            data["description"] = self.description
        if self.permissions:
            data["permissions"] = copy.deepcopy(self.permissions)
        return data


# -- roles ---------------------------------------------------------------------------------------


def new_role(role_id: str, name: str, description: str | None = None) -> Role:
    return Role(id=role_id, name=name, description=description)


def updated(role: Role, changes: Mapping[str, Any]) -> Role:
    """A changed copy (``name``, ``description``): the original stays, so a failed commit can
    put it back."""
    changed = copy.deepcopy(role)
    if "name" in changes:
        changed.name = changes["name"]
    if "description" in changes:
        changed.description = changes["description"]
    return changed


def require(roles: Mapping[str, Role], role_id: str) -> Role:
    """The role, or Auth0's 404: ``{"message": "The role does not exist."}`` and no errorCode
    (go-auth0 recording TestRoleManager_Delete)."""
    found = roles.get(role_id)
    if found is None:
        raise Auth0Error(404, Msg.ROLE_NOT_FOUND)
    return found


def ordered(roles: Iterable[Role]) -> list[Role]:
    """Roles as Auth0 lists them: by name (terraform-provider-auth0 recordings TestAccUserRole,
    TestAccUserRoles), then by id."""
    return sorted(roles, key=_BY_NAME)


def named(roles: Iterable[Role], name_filter: str | None) -> list[Role]:
    """``GET /roles?name_filter=``: "Optional filter on name (case-insensitive)" (the spec); a
    role whose name contains the filter (CHOICES.md "roles: name_filter")."""
    listed = ordered(roles)
    if not name_filter:
        return listed
    wanted = name_filter.casefold()
    return [r for r in listed if wanted in r.name.casefold()]


# -- permissions ---------------------------------------------------------------------------------


def _key(permission: Permission) -> tuple[str, str]:
    return permission[IDENTIFIER], permission[NAME]


def normalized(permissions: Iterable[Any]) -> list[Permission]:
    """Permissions as the API's ``{resource_server_identifier, permission_name}``; the Python
    side may also pass ``(identifier, name)`` pairs."""
    out: list[Permission] = []
    for item in permissions:
        if isinstance(item, Mapping):
            identifier, name = item.get(IDENTIFIER), item.get(NAME)
        else:
            identifier, name = tuple(item)
        out.append({IDENTIFIER: str(identifier), NAME: str(name)})
    return out


def check_defined(servers: Mapping[str, ResourceServer], permissions: Iterable[Any]) -> None:
    """Every permission names an API that exists and one of its scopes. An unknown API is
    Auth0's 404 "The resource server does not exist" naming it
    (https://github.com/auth0/auth0-cli/issues/348,
    https://github.com/auth0/auth0.net/issues/444); an undefined scope is a 400 (CHOICES.md
    "roles: unknown permission")."""
    for identifier, name in (_key(p) for p in normalized(permissions)):
        server = apis.by_identifier(servers, identifier)
        if server is None:
            raise Auth0Error(
                404, Msg.PERMISSION_RESOURCE_SERVER_NOT_FOUND.format(identifier=identifier)
            )
        if name not in server.scope_values:
            raise Auth0Error.bad_request(
                Msg.PERMISSION_NOT_FOUND.format(permission=name, identifier=identifier)
            )


def with_permissions(current: Iterable[Permission], added: Iterable[Any]) -> list[Permission]:
    """The union, each once, sorted by API identifier then name (adding one already held
    changes nothing)."""
    merged = {_key(p): p for p in normalized(current)}
    for permission in normalized(added):
        merged.setdefault(_key(permission), permission)
    return [merged[k] for k in sorted(merged)]


def without_permissions(current: Iterable[Permission], removed: Iterable[Any]) -> list[Permission]:
    """What remains (removing one not held changes nothing)."""
    gone = {_key(p) for p in normalized(removed)}
    return [p for p in normalized(current) if _key(p) not in gone]


def still_defined(
    permissions: Iterable[Permission], identifier: str, scopes: Iterable[str] | None
) -> list[Permission]:
    """The permissions that survive a change to the API ``identifier``: those naming other
    APIs, and those naming one of its remaining ``scopes`` (None: the API is gone)."""
    kept = set(scopes or ())
    return [
        p
        for p in normalized(permissions)
        if p[IDENTIFIER] != identifier or (scopes is not None and p[NAME] in kept)
    ]


def _describer(servers: Mapping[str, ResourceServer]) -> Callable[[Permission], dict[str, Any]]:
    """Describes permissions as a list shows them (go-auth0 recording
    TestRoleManager_Permissions): the scope's description and the API's name. Each API is
    looked up once and its scopes indexed, so a long list costs one pass over them."""
    known: dict[str, tuple[ResourceServer | None, dict[str, Any]]] = {}

    def describe(permission: Permission) -> dict[str, Any]:
        identifier, name = _key(permission)
        found = known.get(identifier)
        if found is None:
            server = apis.by_identifier(servers, identifier)
            scopes: dict[str, Any] = {}
            for scope in server.scopes if server is not None else ():
                scopes.setdefault(scope.get("value"), scope.get("description"))
            found = known[identifier] = (server, scopes)
        server, scopes = found
        item: dict[str, Any] = {NAME: name}
        if server is not None:
            description = scopes.get(name)
            if isinstance(description, str):
                item["description"] = description
            item["resource_server_name"] = server.name
        item[IDENTIFIER] = identifier
        return item

    return describe


def role_permissions(role: Role, servers: Mapping[str, ResourceServer]) -> list[dict[str, Any]]:
    describe = _describer(servers)
    return [describe(p) for p in role.permissions]


_DIRECT = {"source_id": "", "source_name": "", "source_type": "DIRECT"}


def user_permissions(
    user: User, roles: Mapping[str, Role], servers: Mapping[str, ResourceServer]
) -> list[dict[str, Any]]:
    """Every permission the user holds, directly or through a role, once each, with its
    ``sources``: ``{"source_id": "", "source_name": "", "source_type": "DIRECT"}`` for a direct
    one (go-auth0 recording TestUserManager_Permissions), ``{"source_id": <role id>,
    "source_name": <role name>, "source_type": "ROLE"}`` for each role granting it (CHOICES.md
    "roles: permission sources")."""
    found: dict[tuple[str, str], Permission] = {}
    sources: dict[tuple[str, str], list[dict[str, str]]] = {}
    granted = [(user.permissions, _DIRECT)] + [
        (role.permissions, {"source_id": role.id, "source_name": role.name, "source_type": "ROLE"})
        for role in user_roles(user, roles)
    ]
    for permissions, source in granted:
        for permission in permissions:
            key = (permission[IDENTIFIER], permission[NAME])
            listed = sources.get(key)
            if listed is None:
                found[key] = permission
                sources[key] = [source.copy()]
            else:
                listed.append(source.copy())
    describe = _describer(servers)
    answer = []
    for key in sorted(found):
        item = describe(found[key])
        item["sources"] = sources[key]
        answer.append(item)
    return answer


def permissions_on(user: User, roles: Mapping[str, Role], identifier: str) -> list[str]:
    """The names of the user's permissions on one API, direct or through a role: what RBAC
    lets an access token for it carry."""
    names = {p[NAME] for p in user.permissions if p[IDENTIFIER] == identifier}
    for role in user_roles(user, roles):
        names.update(p[NAME] for p in role.permissions if p[IDENTIFIER] == identifier)
    return sorted(names)


# -- assignments ---------------------------------------------------------------------------------


def user_roles(user: User, roles: Mapping[str, Role]) -> list[Role]:
    return ordered(roles[r] for r in user.roles if r in roles)


def with_roles(user: User, role_ids: Iterable[str]) -> User | None:
    """The user holding ``role_ids`` too, or None when it already held them all."""
    added = [r for r in dict.fromkeys(role_ids) if r not in user.roles]
    if not added:
        return None
    changed = user.clone()
    changed.roles = [*user.roles, *added]
    return changed


def without_roles(user: User, role_ids: Iterable[str]) -> User | None:
    """The user without ``role_ids``, or None when it held none of them."""
    gone = set(role_ids)
    if not gone.intersection(user.roles):
        return None
    changed = user.clone()
    changed.roles = [r for r in user.roles if r not in gone]
    return changed


def with_direct_permissions(user: User, permissions: list[Permission]) -> User | None:
    """The user with its direct permissions set to ``permissions``, or None if unchanged."""
    if permissions == user.permissions:
        return None
    changed = user.clone()
    changed.permissions = permissions
    return changed


def members(users: Iterable[User], role_id: str) -> list[User]:
    """The users holding the role, by ``user_id``: the order of go-auth0's recording
    TestRoleManager_UsersCheckpointPagination, where ``next`` names the last user id."""
    return sorted((u for u in users if role_id in u.roles), key=lambda u: u.user_id)


def member_json(user: User) -> dict[str, Any]:
    """A role's user as Auth0 lists it: ``user_id``, ``email``, ``picture``, ``name`` (those the
    user has; go-auth0 recording TestRoleManager_Users)."""
    data: dict[str, Any] = {"user_id": user.user_id}
    for name in ("email", "picture", "name"):
        value = user.profile.get(name)
        if isinstance(value, str):
            data[name] = value
    return data
