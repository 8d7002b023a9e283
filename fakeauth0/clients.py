"""Applications (clients): their credentials, their Auth0 settings, and the APIs and scopes
they are granted (client grants). No HTTP here; the caller holds the tenant lock."""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from .errors import Auth0Error, Msg
from .spec import load_spec

#: Auth0's ``refresh_token`` of a new client (go-auth0 recordings TestClient_Create,
#: TestClient_Read).
REFRESH_TOKEN_DEFAULT: dict[str, Any] = {
    "rotation_type": "non-rotating",
    "expiration_type": "non-expiring",
    "leeway": 0,
    "token_lifetime": 2592000,
    "infinite_token_lifetime": True,
    "infinite_idle_token_lifetime": True,
    "idle_token_lifetime": 1296000,
}
JWT_CONFIGURATION_DEFAULT: dict[str, Any] = {"secret_encoded": False, "lifetime_in_seconds": 36000}
_ALL_GRANTS = ["authorization_code", "implicit", "refresh_token", "client_credentials"]
#: ``grant_types`` of a new client by ``app_type`` (terraform-provider-auth0 recordings
#: TestAccClientMobile, TestAccClientResourceServer, TestAccClientExpressApp; go-auth0
#: TestClient_Create).
DEFAULT_GRANT_TYPES: dict[str | None, list[str]] = {
    None: _ALL_GRANTS,
    "regular_web": _ALL_GRANTS,
    "non_interactive": _ALL_GRANTS,
    "sso_integration": _ALL_GRANTS,
    "spa": ["authorization_code", "implicit", "refresh_token"],
    "native": ["authorization_code", "implicit", "refresh_token"],
    "resource_server": [],
    "express_configuration": ["authorization_code", "client_credentials"],
}
#: Fields of the record kept as dataclass fields; every other Auth0 attribute is a setting.
_CORE = ("client_id", "client_secret", "name", "app_type", "grant_types")


@cache
def shown_attributes() -> frozenset[str]:
    """What the Management API shows of a client (the spec's ``Client`` response schema)."""
    schema = load_spec()["components"]["schemas"].get("Client", {})
    return frozenset(schema.get("properties", {}))


#: Attributes Auth0's answers carry that the spec does not list (go-auth0 recording
#: TestClient_Create): a new client has them, so snapshots and seeds must take them.
RECORDED_ONLY = frozenset({"is_token_endpoint_ip_header_trusted"})


@cache
def attributes() -> frozenset[str]:
    """Every attribute of an Auth0 client (the spec's ``Client`` and request schemas, and
    :data:`RECORDED_ONLY`)."""
    schemas = load_spec()["components"]["schemas"]
    names: set[str] = set(RECORDED_ONLY)
    for schema in ("Client", "CreateClientRequestContent", "UpdateClientRequestContent"):
        names.update(schemas.get(schema, {}).get("properties", {}))
    return frozenset(names)


@dataclass
class Client:
    """An Auth0 application. ``grants`` maps an API audience to the scopes granted on it;
    ``client_grants`` holds, per audience, the grant's id and other attributes;
    ``settings`` the other Auth0 attributes (``callbacks``, ``refresh_token``, ...) as set."""

    client_id: str
    client_secret: str = field(repr=False)
    name: str
    app_type: str | None = "non_interactive"
    grant_types: list[str] = field(default_factory=lambda: ["client_credentials"])
    grants: dict[str, list[str]] = field(default_factory=dict)
    client_grants: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), secret.encode())

    @property
    def is_global(self) -> bool:
        return bool(self.settings.get("global", False))

    @property
    def is_first_party(self) -> bool:
        return bool(self.settings.get("is_first_party", True))

    def to_json(self, *, tenant: str | None = None, secret: bool = False) -> dict[str, Any]:
        """The Management API's view; the secret only when ``secret``."""
        data: dict[str, Any] = {}
        if tenant is not None:
            data["tenant"] = tenant
        data["global"] = self.is_global
        data["name"] = self.name
        data["client_id"] = self.client_id
        if secret:
            data["client_secret"] = self.client_secret
        if self.app_type is not None:
            data["app_type"] = self.app_type
        data["grant_types"] = list(self.grant_types)
        shown = shown_attributes()
        data.update(
            copy.deepcopy({k: v for k, v in self.settings.items() if k != "global" and k in shown})
        )
        return data

    def record(self) -> dict[str, Any]:
        """The seed form: the core fields, ``grants``, and the settings beside them."""
        data: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "name": self.name,
            "app_type": self.app_type,
            "grant_types": list(self.grant_types),
            "grants": copy.deepcopy(self.grants),
        }
        if self.client_grants:
            data["client_grants"] = copy.deepcopy(self.client_grants)
        data.update(copy.deepcopy(self.settings))
        return data


def from_record(record: Mapping[str, Any]) -> Client:
    """A client from its seed form; raises ``ValueError`` naming unknown keys."""
    core = {k: copy.deepcopy(v) for k, v in record.items() if k in _CORE}
    settings = {}
    unknown = []
    for key, value in record.items():
        if key in _CORE or key in ("grants", "client_grants"):
            continue
        if key in attributes() or key == "global":
            settings[key] = copy.deepcopy(value)
        else:
            unknown.append(key)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    return Client(
        **core,
        grants=copy.deepcopy(record.get("grants", {})),
        client_grants=copy.deepcopy(record.get("client_grants", {})),
        settings=settings,
    )


# -- the Management API's rules -------------------------------------------------------------


#: Attributes that create credential objects (``/clients/{id}/credentials``, not modelled):
#: kept without them.
_CREDENTIAL_HOLDERS = ("signed_request_object", "client_authentication_methods")


def _without_credentials(settings: dict[str, Any]) -> dict[str, Any]:
    for key in _CREDENTIAL_HOLDERS:
        value = settings.get(key)
        if key == "client_authentication_methods" and value is not None:
            settings.pop(key)
        elif isinstance(value, dict):
            value.pop("credentials", None)
    return settings


def require(clients: Mapping[str, Client], client_id: str) -> Client:
    client = clients.get(client_id)
    if client is None:
        raise Auth0Error(404, Msg.CLIENT_NOT_FOUND, "inexistent_client")
    return client


def new_client(body: Mapping[str, Any], client_id: str, client_secret: str) -> Client:
    """``POST /clients``: Auth0's defaults for what the body leaves out (research: go-auth0
    recording TestClient_Create). ``app_type``, ``callbacks`` and the other URL lists,
    ``token_endpoint_auth_method`` are left out unless sent."""
    settings = _without_credentials(
        {k: copy.deepcopy(v) for k, v in body.items() if k not in _CORE}
    )
    app_type = body.get("app_type")
    first_party = settings.setdefault("is_first_party", True)
    third_party = first_party is False
    if "grant_types" in body:
        grant_types = list(body["grant_types"])
    elif third_party and app_type == "regular_web":
        grant_types = ["authorization_code"]
    else:
        grant_types = list(DEFAULT_GRANT_TYPES.get(app_type, _ALL_GRANTS))
    settings.setdefault("is_token_endpoint_ip_header_trusted", False)
    settings.setdefault("sso_disabled", False)
    settings.setdefault("custom_login_page_on", True)
    settings.setdefault("cross_origin_authentication", False)
    settings.setdefault(
        "oidc_conformant", third_party or app_type in ("resource_server", "express_configuration")
    )
    jwt = settings.get("jwt_configuration")
    settings["jwt_configuration"] = (
        {"secret_encoded": False, **jwt} if jwt else dict(JWT_CONFIGURATION_DEFAULT)
    )
    settings["refresh_token"] = {**REFRESH_TOKEN_DEFAULT, **(settings.get("refresh_token") or {})}
    return Client(
        client_id=client_id,
        client_secret=body.get("client_secret") or client_secret,
        name=body["name"],
        app_type=app_type,
        grant_types=grant_types,
        settings=settings,
    )


def updated(client: Client, body: Mapping[str, Any]) -> Client:
    """``PATCH /clients/{id}``: a changed copy; ``refresh_token`` is merged, every other
    attribute replaced."""
    changed = replace(
        client,
        settings=copy.deepcopy(client.settings),
        grants=copy.deepcopy(client.grants),
        client_grants=copy.deepcopy(client.client_grants),
    )
    for key, value in body.items():
        if key in _CORE:
            setattr(changed, key, copy.deepcopy(value))
        elif key == "refresh_token" and isinstance(value, dict):
            merged = {**changed.settings.get("refresh_token", {}), **value}
            changed.settings["refresh_token"] = merged
        elif value is None:
            changed.settings.pop(key, None)
        else:
            changed.settings[key] = copy.deepcopy(value)
    _without_credentials(changed.settings)
    return changed


def matches(client: Client, app_types: Iterable[str] | None, is_global: Any, first: Any) -> bool:
    if app_types is not None and client.app_type not in app_types:
        return False
    if is_global is not None and client.is_global != is_global:
        return False
    return first is None or client.is_first_party == first


# -- client grants --------------------------------------------------------------------------


def grant_id(client: Client, audience: str) -> str:
    """The grant's id: the stored one, else one derived from (client, audience), so grants
    written as ``grants`` in a seed keep their id across restarts."""
    stored = client.client_grants.get(audience, {}).get("id")
    if stored:
        return str(stored)
    digest = hashlib.sha256(f"{client.client_id}\0{audience}".encode()).hexdigest()
    return "cgr_" + digest[:16]


def grant_json(client: Client, audience: str) -> dict[str, Any]:
    options = {k: v for k, v in client.client_grants.get(audience, {}).items() if k != "id"}
    return {
        "id": grant_id(client, audience),
        "client_id": client.client_id,
        "audience": audience,
        "scope": list(client.grants[audience]),
        **copy.deepcopy(options),
    }


def all_grants(clients: Iterable[Client]) -> list[dict[str, Any]]:
    return [grant_json(c, audience) for c in clients for audience in c.grants]


def find_grant(clients: Iterable[Client], grant: str) -> tuple[Client, str]:
    for client in clients:
        for audience in client.grants:
            if grant_id(client, audience) == grant:
                return client, audience
    raise Auth0Error(404, Msg.GRANT_NOT_FOUND, "inexistent_client_grant")


def with_grant(
    client: Client, audience: str, scope: list[str], options: Mapping[str, Any], new_id: str
) -> Client:
    """A copy of ``client`` granted ``scope`` on ``audience`` (409 if it already is)."""
    if audience in client.grants:
        raise Auth0Error(409, Msg.GRANT_EXISTS, "conflict")
    changed = copy.deepcopy(client)
    changed.grants[audience] = list(scope)
    changed.client_grants[audience] = {"id": new_id, **copy.deepcopy(dict(options))}
    return changed


def with_grant_changed(client: Client, audience: str, body: Mapping[str, Any]) -> Client:
    changed = copy.deepcopy(client)
    details = changed.client_grants.setdefault(audience, {"id": grant_id(client, audience)})
    for key, value in body.items():
        if key == "scope":
            changed.grants[audience] = list(value)
        elif value is None:
            details.pop(key, None)
        else:
            details[key] = copy.deepcopy(value)
    return changed


def without_grant(client: Client, audience: str) -> Client:
    changed = copy.deepcopy(client)
    changed.grants.pop(audience, None)
    changed.client_grants.pop(audience, None)
    return changed
