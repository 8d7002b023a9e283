"""APIs (resource servers): an audience tokens are issued for, its scopes and token settings.

A new tenant has Auth0's system API, the Management API (``https://<domain>/api/v2/``), which
cannot be deleted or changed. No HTTP here; the caller holds the tenant lock.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import Auth0Error, Msg
from .spec import load_spec

#: Auth0's defaults for a new API (go-auth0 recording TestResourceServer_Create).
TOKEN_LIFETIME = 86400
TOKEN_LIFETIME_FOR_WEB = 7200
MANAGEMENT_API_NAME = "Auth0 Management API"


@dataclass
class ResourceServer:
    """One API. ``extra`` holds the spec's other attributes, present only once set
    (``enforce_policies``, ``token_dialect``, ...)."""

    id: str
    identifier: str
    name: str
    scopes: list[dict[str, Any]] = field(default_factory=list)
    signing_alg: str = "RS256"
    token_lifetime: int = TOKEN_LIFETIME
    token_lifetime_for_web: int = TOKEN_LIFETIME_FOR_WEB
    allow_offline_access: bool = False
    skip_consent_for_verifiable_first_party_clients: bool = False
    is_system: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {
            f.name: copy.deepcopy(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("extra", "is_system")
        }
        if self.is_system:
            data["is_system"] = True
        data.update(copy.deepcopy(self.extra))
        return data

    def record(self) -> dict[str, Any]:
        """The seed form: what :meth:`to_json` shows (``is_system`` too)."""
        data = self.to_json()
        data["is_system"] = self.is_system
        return data

    @property
    def scope_values(self) -> list[str]:
        return [s["value"] for s in self.scopes if isinstance(s, dict) and "value" in s]


_FIELDS = {f.name for f in dataclasses.fields(ResourceServer)} - {"extra"}


@cache
def attributes() -> frozenset[str]:
    """Every attribute of an Auth0 API (the spec's ``ResourceServer`` schema)."""
    schema = load_spec()["components"]["schemas"].get("ResourceServer", {})
    return frozenset(schema.get("properties", {}))


def build(record: Mapping[str, Any], resource_id: str) -> ResourceServer:
    """A resource server from a create body or a seed record (unknown keys go to ``extra``)."""
    fields = {k: copy.deepcopy(v) for k, v in record.items() if k in _FIELDS}
    extra = {k: copy.deepcopy(v) for k, v in record.items() if k not in _FIELDS}
    fields.setdefault("id", resource_id)
    fields.setdefault("name", record.get("identifier", ""))
    return ResourceServer(extra=extra, **fields)


def management_api(domain: str, resource_id: str, scopes: Iterable[str]) -> ResourceServer:
    """Auth0's system API of every tenant (terraform-provider-auth0 recording
    TestAccResourceServerAuth0APIManagementImport)."""
    return ResourceServer(
        id=resource_id,
        identifier=f"https://{domain}/api/v2/",
        name=MANAGEMENT_API_NAME,
        scopes=[{"value": s, "description": description} for s, description in scopes],
        is_system=True,
    )


def find(servers: Mapping[str, ResourceServer], key: str) -> ResourceServer | None:
    """By id, or by identifier: ``/resource-servers/{id}`` takes either (terraform-provider-auth0
    recording TestAccDataSourceResourceServer). An identifier that is a URL reaches the fake as
    a path, its empty segments dropped (``https://api.example.com/v1`` arrives as
    ``https:/api.example.com/v1``): that spelling names it too."""
    found = servers.get(key)
    if found is not None:
        return found
    for server in servers.values():
        if server.identifier == key:
            return server
    if "/" in key:
        for server in servers.values():
            if _as_path(server.identifier) == key:
                return server
    return None


def _as_path(identifier: str) -> str:
    return "/".join(segment for segment in identifier.split("/") if segment and segment != ".")


def require(servers: Mapping[str, ResourceServer], key: str) -> ResourceServer:
    found = find(servers, key)
    if found is None:
        raise Auth0Error(404, Msg.RESOURCE_SERVER_NOT_FOUND, "inexistent_resource_server")
    return found


def by_identifier(servers: Mapping[str, ResourceServer], identifier: str) -> ResourceServer | None:
    for server in servers.values():
        if server.identifier == identifier:
            return server
    return None


def create(
    servers: Mapping[str, ResourceServer], body: Mapping[str, Any], resource_id: str, domain: str
) -> ResourceServer:
    identifier = body["identifier"]
    if by_identifier(servers, identifier) is not None:
        raise Auth0Error(409, Msg.RESOURCE_SERVER_EXISTS, "conflict")
    if (
        identifier.rstrip("/") == f"https://{domain}/api/v2"
        or identifier == f"https://{domain}/userinfo"
    ):
        raise Auth0Error.bad_request(Msg.IDENTIFIER_RESERVED)
    return build(body, resource_id)


def update(server: ResourceServer, body: Mapping[str, Any]) -> ResourceServer:
    """A changed copy (the original is left as it was, so a failed commit can put it back)."""
    if server.is_system:
        raise Auth0Error.bad_request(Msg.SYSTEM_RESOURCE_SERVER_PATCH)
    if body.get("identifier", server.identifier) != server.identifier:
        # An identifier "Can not be changed once set" (the spec); the permissions, grants and
        # tokens naming it would be left pointing at nothing.
        raise Auth0Error.invalid_body(Msg.RESOURCE_SERVER_IDENTIFIER_FIXED)
    changed = copy.deepcopy(server)
    for key, value in body.items():
        if key in _FIELDS:
            setattr(changed, key, copy.deepcopy(value))
        else:
            changed.extra[key] = copy.deepcopy(value)
    return changed


def check_deletable(server: ResourceServer) -> None:
    if server.is_system:
        raise Auth0Error.bad_request(Msg.SYSTEM_RESOURCE_SERVER_DELETE)
